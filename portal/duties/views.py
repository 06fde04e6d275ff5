import io
import re
import secrets
import time
from pathlib import Path

from flask import current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal import permissions as perm
from portal.duties import bp, services, transfer
from portal.duties.forms import ImportForm, MatterForm
from portal.duties.labels import ACTION_LABELS, CATEGORY_LABELS, FIELD_LABELS, KIND_LABELS, LIMIT_UNIT_LABELS, SORT_LABELS
from portal.duties.models import Matter
from portal.duties.responders import responders
from portal.extensions import db
from portal.formutil import switch
from portal.org.models import Street, Unit
from portal.rendering import render, render_fragment
from portal.timeutil import local_today

editors = perm.roles_required(perm.DISTRICT_ADMIN, perm.STREET_SECRETARY)
PICK_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TOKEN = re.compile(r"^[0-9a-f]{32}$")
STASH_HOURS = 24


@bp.context_processor
def _duties_context():
    return {"kind_labels": KIND_LABELS, "category_labels": CATEGORY_LABELS,
            "unit_labels": LIMIT_UNIT_LABELS, "field_labels": FIELD_LABELS}


# ------------------------------------------------------------------------------- browsing

@bp.route("/")
@perm.login_required
def index():
    """List the items the user may read, with live filtering, counts per category and paging."""
    f = services.Filters.from_args(request.args)
    page = services.search(current_user, f)
    may_edit, _owner = services.edit_owner(current_user)
    return render("duties/index.html", "duties/_results.html", f=f, result=page,
                  departments=services.department_choices(),
                  owners=services.owner_choices(current_user), sort_labels=SORT_LABELS,
                  may_edit=may_edit)


def _responder_street(matter: Matter) -> Street | None:
    """The street whose units the detail page lists: the user's own, or the one an admin chose."""
    if current_user.role == perm.DISTRICT_ADMIN:
        chosen = request.args.get("street", type=int) or matter.owner_street_id
        street = db.session.get(Street, chosen) if chosen else None
        return street or db.session.scalar(select(Street).where(Street.active).order_by(Street.code))
    return db.session.get(Street, current_user.street_id) if current_user.street_id else None


def _detail(matter: Matter, *, http_status: int = 200, conflict: bool = False):
    street = _responder_street(matter)
    streets = (db.session.scalars(select(Street).order_by(Street.code)).all()
               if current_user.role == perm.DISTRICT_ADMIN else [])
    return render("duties/detail.html", matter=matter, street=street, streets=streets,
                  answer=responders(matter, street.id) if street else None,
                  may_edit=services.can_edit(current_user, matter),
                  owner=services.owner_label(matter), conflict=conflict, http_status=http_status)


@bp.route("/<int:matter_id>")
@perm.login_required
def detail(matter_id: int):
    """Show an item: who answers (lead and cooperating units in the street) and within what limits."""
    return _detail(services.load_for(current_user, matter_id))


@bp.route("/<int:matter_id>/history")
@perm.login_required
def history(matter_id: int):
    """Show every revision of an item: who, when, and a before/after diff."""
    matter = services.load_for(current_user, matter_id)
    revisions = [(r, services.readable_changes(r.changes)) for r in services.history(matter)]
    return render("duties/history.html", matter=matter, revisions=revisions, action_labels=ACTION_LABELS,
                  owner=services.owner_label(matter))


# -------------------------------------------------------------------------------- editing

def _form(matter: Matter | None = None) -> MatterForm:
    form = MatterForm(obj=matter) if request.method == "GET" else MatterForm()
    keep = []
    if matter is not None:
        keep = [matter.lead_department_id] + [d.id for d in matter.cooperating_departments]
    departments = services.department_choices(keep)
    form.lead_department_id.choices = [(0, _("— none —"))] + [(d.id, d.name) for d in departments]
    form.cooperating.choices = [(d.id, d.name) for d in departments]
    if request.method == "GET":
        if matter is None:
            form.sign_limit.data, form.complete_limit.data = 2, 5
        else:
            form.lead_department_id.data = matter.lead_department_id or 0
            form.cooperating.data = [d.id for d in matter.cooperating_departments]
            form.version.data = matter.version
    return form


def _valid_values(form: MatterForm, matter_id: int | None):
    """The form's values when they pass the list's rules; otherwise None, with field errors set."""
    if not form.validate_on_submit():
        return None
    values = form.values()
    known = {c[0] for c in form.cooperating.choices}
    if values["lead_department_id"] and values["lead_department_id"] not in known:
        form.lead_department_id.errors.append(_("Choose an active entry from the list."))
        return None
    if set(values["cooperating"]) - known:
        form.cooperating.errors.append(_("Choose an active entry from the list."))
        return None
    errors = services.validate(values, matter_id=matter_id)
    for name, message in errors.items():
        getattr(form, name).errors.append(message)
    return None if errors else values


def _form_page(form, matter, *, http_status=None, conflict=None):
    status = http_status or (422 if form.errors else 200)
    return render("duties/form.html", form=form, matter=matter, conflict=conflict,
                  owner=services.owner_label(matter) if matter else _owner_name(), http_status=status)


def _owner_name() -> str:
    _allowed, owner = services.edit_owner(current_user)
    street = db.session.get(Street, owner) if owner else None
    return street.name if street else _("District list")


@bp.route("/new", methods=["GET", "POST"])
@editors
def create():
    """Add an item to the list the user edits (the district's, or their street's)."""
    allowed, owner = services.edit_owner(current_user)
    perm.require(allowed, 403)
    form = _form()
    values = _valid_values(form, None)
    if values is not None:
        matter = services.create_matter(values, owner, current_user)
        db.session.commit()
        flash(_("%(code)s created.", code=matter.code), "success")
        return redirect(url_for("duties.detail", matter_id=matter.id))
    return _form_page(form, None)


def _conflict_rows(matter: Matter, mine: dict) -> list[services.ChangeRow]:
    """Fields where the user's unsaved input differs from the current item: current → theirs."""
    current = services.snapshot(matter)
    diff = {k: [current[k], mine[k]] for k in services.EDITABLE if k in mine and mine[k] != current[k]}
    return services.readable_changes(diff)


@bp.route("/<int:matter_id>/edit", methods=["GET", "POST"])
@editors
def edit(matter_id: int):
    """Edit an item; a stale version answers 409 with the user's input kept in the form."""
    matter = services.load_for(current_user, matter_id)
    perm.require(services.can_edit(current_user, matter), 403)
    form = _form(matter)
    values = _valid_values(form, matter.id)
    if values is not None:
        seen = int(form.version.data) if (form.version.data or "").isdigit() else -1
        try:
            diff = services.update_matter(matter, values, current_user, seen_version=seen)
            db.session.commit()
        except (services.StaleVersion, StaleDataError):
            db.session.rollback()
            matter = services.load_for(current_user, matter_id)
            form.version.data = matter.version  # saving again now overwrites deliberately
            return _form_page(form, matter, http_status=409, conflict=_conflict_rows(matter, values))
        if diff:
            flash(_("%(code)s saved.", code=matter.code), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("duties.detail", matter_id=matter.id))
    return _form_page(form, matter)


@bp.route("/<int:matter_id>/active", methods=["POST"])
@editors
def set_active(matter_id: int):
    """Retire or restore an item (never deleted: cases point at it)."""
    matter = services.load_for(current_user, matter_id)
    perm.require(services.can_edit(current_user, matter), 403)
    want = switch("active")
    seen = request.form.get("version", type=int)
    try:
        changed = services.set_active(matter, want, current_user, seen_version=seen if seen else -1)
        db.session.commit()
    except (services.StaleVersion, StaleDataError):
        db.session.rollback()
        return _detail(services.load_for(current_user, matter_id), http_status=409, conflict=True)
    if changed:
        flash(_("%(code)s restored.", code=matter.code) if want else _("%(code)s retired.", code=matter.code),
              "success")
    return redirect(url_for("duties.detail", matter_id=matter.id))


# ------------------------------------------------------------------------ import / export

@bp.route("/export.<fmt>")
@perm.login_required
def export(fmt: str):
    """Download the filtered list as CSV (UTF-8 with BOM) or XLSX, with Chinese headers."""
    perm.require(fmt in ("csv", "xlsx"))
    f = services.Filters.from_args(request.args)
    matters = db.session.scalars(services.filtered(current_user, f).limit(5000)).all()
    rows = transfer.export_rows(matters)
    name = f"职责清单-{local_today():%Y%m%d}.{fmt}"
    if fmt == "csv":
        return send_file(io.BytesIO(transfer.to_csv(rows)), mimetype="text/csv; charset=utf-8",
                         as_attachment=True, download_name=name)
    return send_file(io.BytesIO(transfer.to_xlsx(rows)), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _stash_dir() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "duties-import"
    path.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STASH_HOURS * 3600
    for old in path.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return path


def _stash_path(token: str, ext: str) -> Path:
    # The user's id is part of the name: a token is worthless to anyone else.
    return _stash_dir() / f"{current_user.id}-{token}.{ext}"


def _import_page(form, *, check=None, error=None, token="", ext="", filename="", http_status=200):
    return render("duties/import.html", form=form, check=check, error=error, token=token, ext=ext,
                  filename=filename, owner=_owner_name(), columns=transfer.COLUMNS,
                  max_rows=transfer.MAX_ROWS, max_mb=transfer.MAX_BYTES // (1024 * 1024),
                  http_status=http_status)


@bp.route("/import", methods=["GET", "POST"])
@editors
def import_file():
    """Upload a CSV or XLSX file and preview it: every bad row is reported, nothing is imported yet."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, http_status=400 if request.method == "POST" else 200)
    storage = form.file.data
    filename = (getattr(storage, "filename", "") or "")[:100]
    try:
        ext, data = transfer.read_upload(storage)
        check = transfer.check(current_user, ext, data)
    except transfer.FileRefused as refused:
        return _import_page(form, error=str(refused), filename=filename, http_status=422)
    if not check.clean:
        return _import_page(form, check=check, filename=filename, http_status=422)
    token = secrets.token_hex(16)
    _stash_path(token, ext).write_bytes(data)
    return _import_page(form, check=check, token=token, ext=ext, filename=filename)


@bp.route("/import/confirm", methods=["POST"])
@editors
def import_confirm():
    """Import a previewed file in one transaction (checked again: the list may have changed)."""
    form = ImportForm()
    token, ext = request.form.get("token", ""), request.form.get("ext", "")
    filename = request.form.get("filename", "")[:100]
    if not form.validate_on_submit() or not TOKEN.match(token) or ext not in ("csv", "xlsx"):
        return _import_page(form, error=_("The preview has expired. Upload the file again."), http_status=400)
    path = _stash_path(token, ext)
    if not path.exists():
        return _import_page(form, error=_("The preview has expired. Upload the file again."), http_status=400)
    check = transfer.check(current_user, ext, path.read_bytes())
    if not check.clean:
        return _import_page(form, check=check, filename=filename, http_status=422)
    counts = transfer.apply(current_user, check, filename)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("Imported: %(new)d new, %(changed)d changed, %(same)d unchanged.", **counts), "success")
    _allowed, owner = services.edit_owner(current_user)
    return redirect(url_for("duties.index", owner=owner or "district"))


# ----------------------------------------------------------------------- for other areas

@bp.route("/pick")
@perm.login_required
def pick():
    """Type-ahead for a form field: active items in the user's scope as <li> radios or <option>s."""
    name = request.args.get("name", "matter_id")
    name = name if PICK_NAME.match(name) else "matter_id"
    q = request.args.get("q") or request.args.get(f"{name}_q", "")  # the picker macro's own field
    matters = services.active_matters_for(current_user, q, request.args.get("limit", 10, type=int) or 10)
    template = "duties/_pick_options.html" if request.args.get("as") == "option" else "duties/_pick.html"
    return render_fragment(template, matters=matters, name=name, q=q)


# --------------------------------------------------------------------------- residents

@bp.route("/public")
@perm.public
def public():
    """What the street does and who answers: the public items, for a street residents choose."""
    streets = db.session.scalars(select(Street).where(Street.active).order_by(Street.code)).all()
    code = request.args.get("street", "")
    street = next((s for s in streets if s.code == code), streets[0] if streets else None)
    category = request.args.get("category", "")
    category = category if category in CATEGORY_LABELS else ""
    matters = services.public_matters(street, category)
    units = {}
    if street is not None:
        for unit in db.session.scalars(select(Unit).where(Unit.street_id == street.id, Unit.active)
                                       .order_by(Unit.code)):
            units.setdefault(unit.department_id, unit)
    return render("duties/public.html", "duties/_public_list.html", streets=streets, street=street,
                  matters=matters, units=units, category=category)
