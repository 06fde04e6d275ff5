from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import permissions as perm
from portal.audit import changes, record
from portal.extensions import db
from portal.formutil import switch
from portal.org import bp
from portal.org.forms import OrgForm
from portal.org.services import KINDS, Kind, code_taken, district_tree, parent_choices, search, street_choices
from portal.rendering import render, render_fragment, wants_fragment

PAGE_SIZE = 50
admin_only = perm.roles_required(perm.DISTRICT_ADMIN)


def _kind_or_404(kind_name: str) -> Kind:
    kind = KINDS.get(kind_name)
    if kind is None:
        abort(404)
    return kind


def _form(kind: Kind, obj=None) -> OrgForm:
    form = OrgForm(obj=obj) if request.method == "GET" else OrgForm()
    form.parent_id.choices = parent_choices(kind)
    form.street_id.choices = street_choices()
    if request.method == "GET" and obj is not None:
        form.parent_id.data = getattr(obj, kind.parent_attr)
    return form


def _save(kind: Kind, form: OrgForm, obj):
    """Validate the kind-specific rules and copy the form into `obj`; False when invalid."""
    valid = {c[0] for c in form.parent_id.choices}
    if form.parent_id.data not in valid:
        form.parent_id.errors.append(_("Choose an active entry from the list."))
        return False
    if kind.needs_street and form.street_id.data not in {c[0] for c in form.street_id.choices}:
        form.street_id.errors.append(_("Choose an active entry from the list."))
        return False
    if code_taken(kind, form.code.data, form.parent_id.data, obj.id if obj is not None else None):
        form.code.errors.append(_("This code is already used."))
        return False
    values = {"code": form.code.data.strip(), "name": form.name.data.strip(),
              kind.parent_attr: form.parent_id.data}
    if kind.needs_street:
        values["street_id"] = form.street_id.data
    for name in kind.extra:
        values[name] = (getattr(form, name).data or "").strip()
    return values


@bp.route("/")
@admin_only
def tree():
    """Show the district as a tree: streets, communities, grids and units."""
    return render_template("org/tree.html", districts=district_tree())


@bp.route("/<kind_name>/")
@admin_only
def entries(kind_name: str):
    """List one kind of entry with live search."""
    kind = _kind_or_404(kind_name)
    q = request.args.get("q", "").strip()[:50]
    inactive = request.args.get("inactive") == "1"
    page = max(request.args.get("page", 1, type=int), 1)
    rows = search(kind, q, inactive, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return render("org/entries.html", "org/_rows.html", kind=kind, kind_name=kind_name,
                  rows=rows[:PAGE_SIZE], has_more=len(rows) > PAGE_SIZE, page=page, q=q,
                  inactive=inactive)


@bp.route("/<kind_name>/new", methods=["GET", "POST"])
@admin_only
def create(kind_name: str):
    """Add an entry."""
    kind = _kind_or_404(kind_name)
    form = _form(kind)
    if form.validate_on_submit():
        values = _save(kind, form, None)
        if values:
            obj = kind.model(**values)
            db.session.add(obj)
            record("org.created", obj, **{k: v for k, v in values.items()})
            db.session.commit()
            flash(_("%(name)s created.", name=obj.name), "success")
            return redirect(url_for("org.entries", kind_name=kind_name))
    return render_template("org/form.html", form=form, kind=kind, kind_name=kind_name, obj=None), \
        422 if form.errors else 200


@bp.route("/<kind_name>/<int:obj_id>/edit", methods=["GET", "POST"])
@admin_only
def edit(kind_name: str, obj_id: int):
    """Edit an entry; HTMX swaps the table row for an inline form and back."""
    kind = _kind_or_404(kind_name)
    obj = db.get_or_404(kind.model, obj_id)
    form = _form(kind, obj)
    if form.validate_on_submit():
        values = _save(kind, form, obj)
        if values:
            diff = changes(obj, list(values), values)
            for key, value in values.items():
                setattr(obj, key, value)
            if diff:
                record("org.updated", obj, changes=diff)
            db.session.commit()
            if wants_fragment():
                return render_fragment("org/_row.html", kind=kind, kind_name=kind_name, row=obj)
            flash(_("%(name)s saved.", name=obj.name), "success")
            return redirect(url_for("org.entries", kind_name=kind_name))
    status = 422 if form.errors else 200
    if wants_fragment():
        return render_fragment("org/_row_form.html", http_status=status, form=form, kind=kind,
                               kind_name=kind_name, row=obj)
    return render_template("org/form.html", form=form, kind=kind, kind_name=kind_name, obj=obj), status


@bp.route("/<kind_name>/<int:obj_id>/row")
@admin_only
def row(kind_name: str, obj_id: int):
    """Show one table row (cancelling an inline edit)."""
    kind = _kind_or_404(kind_name)
    obj = db.get_or_404(kind.model, obj_id)
    if not wants_fragment():
        return redirect(url_for("org.entries", kind_name=kind_name))
    return render_fragment("org/_row.html", kind=kind, kind_name=kind_name, row=obj)


@bp.route("/<kind_name>/<int:obj_id>/active", methods=["POST"])
@admin_only
def set_active(kind_name: str, obj_id: int):
    """Deactivate or reactivate an entry (never a hard delete: cases may point at it)."""
    kind = _kind_or_404(kind_name)
    obj = db.get_or_404(kind.model, obj_id)
    want = switch("active")
    if obj.active != want:
        obj.active = want
        record("org.activated" if want else "org.deactivated", obj)
        db.session.commit()
    if wants_fragment():
        return render_fragment("org/_row.html", kind=kind, kind_name=kind_name, row=obj)
    flash(_("%(name)s is now %(state)s.", name=obj.name,
            state=_("active") if want else _("inactive")), "success")
    return redirect(url_for("org.entries", kind_name=kind_name))


@bp.context_processor
def _org_context():
    return {"kinds": KINDS}
