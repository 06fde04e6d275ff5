"""The case page: facts, matter, assignments with lights, photos, the timeline, and every action.

Each action is one form posted to `cases.act` (case actions) or `cases.act_on` (an assignment's
actions). HTMX requests get the case body back (`cases/_case.html`); plain posts are redirected to
the page. The rules decide: `NotAllowed` → 403, `StaleVersion` → 409 with the current case and a
notice, `InvalidInput` (and refused photos) → 422 with the form as it was typed.
"""
from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal import permissions as perm
from portal.cases import bp, page, rules, uploads
from portal.cases.action_forms import FORMS, PHOTO_ACCEPT, PHOTO_FIELDS, offered
from portal.cases.models import (
    ASSIGNMENT_ROLES, ASSIGNMENT_STATES, ATTACHMENT_KINDS, CASE_STATES, CHANNELS, EVENT_ACTIONS, LEVELS,
    LIGHTS, SATISFACTION_LEVELS, WHISTLE_KINDS, Assignment, Attachment, Case, CaseEvent,
)
from portal.duties.labels import CATEGORY_LABELS, LIMIT_UNIT_LABELS
from portal.database import (
    Prepared, adopt, begin_write, columns_of, commit_keeping_objects, held, late_write, read,
)
from portal.extensions import db, lazy_gettext as _l, translated_vocabularies
from portal.org.models import Unit
from portal.rendering import render, wants_fragment
from portal.timeutil import utcnow

# Photos staff may show on the residents' timeline (never check-in photos or the reporter's own).
PUBLISHABLE_KINDS = frozenset({"before", "after", "result"})
# The actions a page offers (`reopen` belongs to residents and their tracking page).
PAGE_ACTIONS = frozenset(FORMS)
HIDDEN_INPUTS = frozenset({"lat", "lng", "accuracy"})

ACTION_BUTTONS = {
    "triage": _l("Triage"),
    "handle_on_spot": _l("Record on-the-spot handling"),
    "dispatch": _l("Dispatch"),
    "whistle": _l("Blow the whistle"),
    "adjudicate": _l("Adjudicate the return"),
    "merge": _l("Merge into the original"),
    "reject": _l("Reject"),
    "sign_for": _l("Sign for it"),
    "check_in": _l("Check in on site"),
    "log_progress": _l("Log progress"),
    "submit_result": _l("Submit the result"),
    "return": _l("Return: not ours"),
    "verify": _l("Verify the result"),
    "send_back": _l("Send back"),
    "close": _l("Close the case"),
    "press": _l("Press (督办)"),
    "force_close": _l("Force-close"),
}
assert set(ACTION_BUTTONS) == PAGE_ACTIONS

CONFIRM = {
    "close": _l("Close this case?"),
    "force_close": _l("Force-close this case? It will be listed on the forced-closure ledger."),
    "reject": _l("Reject this case?"),
    "merge": _l("Merge this case into the original? It will no longer be handled on its own."),
    "return": _l("Return this case as not your unit's?"),
}


# --- helpers ---------------------------------------------------------------------------------

def mask_name(name: str) -> str:
    name = (name or "").strip()
    return f"{name[0]}{'*' * max(1, len(name) - 1)}" if name else ""


def mask_phone(phone: str) -> str:
    digits = (phone or "").strip()
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****" if digits else ""


def _sees_reporter(user) -> bool:
    return user.role == perm.DISTRICT_ADMIN or user.role in perm.STREET_ROLES


def _event_visible(event, user) -> bool:
    """A unit sees the case's own events and its assignment's, never another unit's."""
    return event.assignment is None or rules.can_see_assignment(user, event.assignment)


def _attachment_visible(attachment: Attachment, user) -> bool:
    return attachment.event is None or _event_visible(attachment.event, user)


def _set_ids(form, prefix: str):
    """Unique element ids when several forms share a page (labels follow)."""
    for f in form:
        f.id = f"{prefix}-{f.name}"
        f.label.field_id = f.id
    return form


# A case and its assignments, read as plain rows by statements built once and made records by
# `adopt` (a third of the ORM's loading); a case the session holds already is loaded by the ORM.
_CASE = Prepared(select(*columns_of(Case)).where(Case.id == bindparam("case_id")))
_ASSIGNMENTS = Prepared(select(*columns_of(Assignment)).where(Assignment.case_id == bindparam("case_id"))
                        .order_by(Assignment.id))
_FRESH_CASE_WITH_ASSIGNMENTS = (select(Case).options(joinedload(Case.assignments))
                                .where(Case.id == bindparam("case_id")).execution_options(populate_existing=True))


def _case_with_assignments(case_id: int, *, fresh: bool = False) -> Case | None:
    """The case with its assignments loaded; `fresh`: as the database has them now, also when the
    session holds the case already."""
    session = db.session()
    params = {"case_id": case_id}
    if fresh and held(session, Case, case_id) is not None:
        return session.execute(_FRESH_CASE_WITH_ASSIGNMENTS, params).unique().scalar_one_or_none()
    row = read(_CASE, params).first()
    if row is None:
        return None
    case = adopt(session, Case, row)
    if "assignments" not in case.__dict__:
        assignments = [adopt(session, Assignment, r) for r in read(_ASSIGNMENTS, params)]
        set_committed_value(case, "assignments", assignments)
        for assignment in assignments:
            if "case" not in assignment.__dict__:
                set_committed_value(assignment, "case", case)
    return case


def _page_case(case_id: int, user) -> Case:
    """`rules.get_case_or_404` with the case's assignments (`_case_with_assignments`), fresh from
    the database; what else the page shows comes from `page.load`."""
    case = _case_with_assignments(case_id, fresh=True)
    perm.require(case is not None and rules.can_see_case(user, case))
    return case


def _reads_only() -> None:
    """The change is committed (or rolled back): what follows only reads, so its transaction is a plain
    BEGIN and does not hold the database's write lock while the page is rendered."""
    g.write_request = False


def _street_units(case: Case) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.street_id == case.street_id, Unit.active)
                                   .order_by(Unit.code)))


def _make_form(case: Case, action: str, assignment, failed, units, proposed):
    key = (action, assignment.id if assignment is not None else None)
    retyped = failed is not None and failed["key"] == key
    form = FORMS[action](formdata=None if not retyped else request.form, meta={"csrf": False})
    prefix = f"{action}-{assignment.id}" if assignment is not None else action
    _set_ids(form, prefix)
    unit_choices = [("", "—")] + [(str(u.id), u.name) for u in units]
    if hasattr(form, "unit"):
        form.unit.choices = unit_choices
    if hasattr(form, "lead"):
        form.lead.choices = unit_choices
        form.cooperating.choices = [(str(u.id), u.name) for u in units]
    if action == "triage":
        form.level.choices = [(str(k), v) for k, v in LEVELS.items()]
    if not retyped:
        form.version.data = case.version
        if action == "triage" and case.level:
            form.level.data = str(case.level)
        returned_unit = {a.unit_id for a in case.assignments if a.state == "returned"}
        if proposed is not None:
            if hasattr(form, "unit") and proposed.lead is not None and proposed.lead.id not in returned_unit:
                form.unit.data = str(proposed.lead.id)
            if hasattr(form, "lead"):
                form.lead.data = str(proposed.lead.id) if proposed.lead is not None else ""
                form.cooperating.data = [str(u.id) for u in proposed.cooperating]
        if hasattr(form, "kind"):
            form.kind.data = case.whistle_kind or "routine"
    else:
        form.version.data = case.version
        for name, message in failed["errors"].items():
            target = getattr(form, name, None)
            if target is not None and hasattr(target, "errors"):
                target.errors = [*list(target.errors or []), message]
    return _ordered(form, action)


# Fields shown first; the notes always come last.
FIELD_ORDER = {"adjudicate": ("decision", "unit", "kind", "lead", "cooperating")}


def _ordered(form, action: str):
    names = [f.name for f in form if f.name != "version" and f.type != "HiddenField"]
    first = [n for n in FIELD_ORDER.get(action, ()) if n in names]
    last = [n for n in ("note", "public_note") if n in names]
    middle = [n for n in names if n not in first and n not in last]
    form.shown = [form[n] for n in first + middle + last]
    form.hidden = [f for f in form if f.type == "HiddenField" and f.name != "version"]
    return form


# The vocabularies of the case page, by name in its templates (`labels.states[…]`).
_CASE_LABELS = {
    "states": CASE_STATES, "channels": CHANNELS, "levels": LEVELS, "kinds": WHISTLE_KINDS,
    "roles": ASSIGNMENT_ROLES, "assignment_states": ASSIGNMENT_STATES, "events": EVENT_ACTIONS,
    "lights": LIGHTS, "photos": ATTACHMENT_KINDS, "categories": CATEGORY_LABELS,
    "limit_units": LIMIT_UNIT_LABELS, "buttons": ACTION_BUTTONS, "confirm": CONFIRM,
    "satisfaction": SATISFACTION_LEVELS,
}


def _case_context(case: Case, *, notice=None, conflict=False, failed=None, only: Assignment | None = None,
                  events: list[CaseEvent] | None = None) -> dict:
    """What the case templates show. For a unit's change (`_change.html`): `events`, the new
    timeline entries, and `only`, the one card to show (or None), instead of everything."""
    user = current_user._get_current_object()
    now = utcnow()
    partial = events is not None          # a unit's change: `only` its card (or none), `events` new
    assignments = ([only] if only is not None else []) if partial else rules.visible_assignments(case, user)
    case_actions = [] if partial else [a for a in rules.allowed_actions(case, user, now=now) if a in PAGE_ACTIONS]
    assignment_actions = {a.id: [x for x in rules.allowed_actions(case, user, a, now=now) if x in PAGE_ACTIONS]
                          for a in assignments}
    needs_units = {"dispatch", "whistle", "adjudicate"} & set(case_actions)
    units = _street_units(case) if needs_units else []
    proposed = rules.proposed_units(case) if needs_units else None
    forms = {(action, None): _make_form(case, action, None, failed, units, proposed) for action in case_actions}
    for a in assignments:
        for action in assignment_actions[a.id]:
            forms[(action, a.id)] = _make_form(case, action, a, failed, units, proposed)
    office = user.role == perm.DISTRICT_ADMIN or user.role in perm.STREET_ROLES
    shown = page.load(case, user, whole=not partial, units=bool(assignments))
    return {
        "case": case,
        "now": now,
        "assignments": assignments,
        "lights": {a.id: rules.light(a, now) for a in assignments},
        "case_actions": case_actions,
        "assignment_actions": assignment_actions,
        "forms": forms,
        "failed": failed,
        "notice": notice,
        "conflict": conflict,
        "shown": shown,
        "events": events if events is not None else shown.events,
        "attachments": shown.photos,
        "proposed": proposed,
        "show_reporter": _sees_reporter(user),
        "can_publish": office and rules.can_see_case(user, case),
        "publishable": PUBLISHABLE_KINDS,
        "mask_name": mask_name,
        "mask_phone": mask_phone,
        "labels": translated_vocabularies(_CASE_LABELS),
        "photo_accept": PHOTO_ACCEPT,
        "photo_fields": PHOTO_FIELDS,
    }


def _answer(case: Case, *, http_status: int = 200, **extra):
    return render("cases/detail.html", "cases/_case.html", http_status=http_status,
                  **_case_context(case, **extra))


def _refused(error: rules.CaseError):
    """403 with the rules' reason: a plain sentence for HTMX (the page shows a toast), else a page."""
    message = str(error.message)
    if wants_fragment():
        return message, 403, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("errors/error.html", status=403, title=_("This action is not allowed."),
                           message=message), 403


# --- pages -----------------------------------------------------------------------------------

@bp.route("/<int:case_id>")
@perm.login_required
def detail(case_id: int):
    """Show a case: facts, matter, assignments with lights, photos, timeline and the user's actions."""
    return _answer(_page_case(case_id, current_user._get_current_object()))


@bp.route("/<int:case_id>/photos/<int:attachment_id>")
@perm.login_required
def photo(case_id: int, attachment_id: int):
    """Send one photo of a case the user may see (a unit: not another unit's photos)."""
    case = rules.get_case_or_404(case_id, current_user)
    attachment = db.session.get(Attachment, attachment_id)
    perm.require(attachment is not None and attachment.case_id == case.id
                 and _attachment_visible(attachment, current_user))
    path = uploads.photo_path(attachment)
    perm.require(path.is_file())
    # Read whole (photos are re-encoded and small), so no file handle outlives the request.
    response = make_response(path.read_bytes())
    response.mimetype = attachment.content_type
    response.set_etag(attachment.stored_name)
    response.make_conditional(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.cache_control.private = True
    response.cache_control.max_age = 300
    return response


# --- actions ---------------------------------------------------------------------------------

def _text(name: str, action: str) -> str:
    return request.form.get(name, "") if name in offered(action) else ""


def _original_case(number: str) -> int:
    number = (number or "").strip().upper()
    found = db.session.scalar(rules.visible_cases(current_user).where(Case.number == number)) if number else None
    if found is None:
        raise rules.InvalidInput(_l("No case with this number in your scope."), "into")
    return found.id


def _inputs(action: str) -> dict:
    """The action's inputs from the fields its form offers; nothing else that was posted."""
    form = request.form
    if action in ("triage", "handle_on_spot"):
        inputs = {"level": form.get("level", "")} if action == "triage" else {}
        if form.get("matter"):
            inputs["matter"] = form.get("matter")
        return inputs
    if action == "dispatch":
        return {"unit": form.get("unit", "")}
    if action == "whistle":
        return {"kind": form.get("kind", ""), "lead": form.get("lead", ""),
                "cooperating": [v for v in form.getlist("cooperating") if v]}
    if action == "adjudicate":
        decision = form.get("decision", "")
        if decision == "redispatch":
            return {"decision": decision, "unit": form.get("unit", "")}
        if decision == "whistle":
            return {"decision": decision, "kind": form.get("kind", ""), "lead": form.get("lead", ""),
                    "cooperating": [v for v in form.getlist("cooperating") if v]}
        return {"decision": decision}
    if action == "merge":
        return {"into": _original_case(form.get("into", ""))}
    if action in ("reject", "return", "send_back", "force_close"):
        return {"reason": form.get("reason", "")}
    if action == "check_in":
        return {k: form.get(k, "") for k in ("lat", "lng", "accuracy")}
    if action == "submit_result":
        return {"result": form.get("result", "")}
    return {}


def _target(case_id: int, action: str, assignment_id: int | None, user) -> tuple[Case, Assignment | None]:
    """The case and (for a unit action) the assignment the action is posted to, in the user's scope.
    The case comes with its assignments (`_case_with_assignments`): the scope and the rules look at them."""
    case = _case_with_assignments(case_id)
    perm.require(case is not None and rules.can_see_case(user, case))
    if action not in PAGE_ACTIONS:
        abort(404)
    is_unit_action = action in rules.ASSIGNMENT_ACTIONS
    if is_unit_action != (assignment_id is not None):
        abort(404)
    assignment = rules.get_assignment_or_404(assignment_id, user, case.id) if is_unit_action else None
    return case, assignment


def _chosen_files(action: str) -> bool:
    return any(getattr(f, "filename", "") for field, _kind in PHOTO_FIELDS.get(action, ())
               for f in request.files.getlist(field))


def _prepared_photos(action: str) -> dict:
    """Each photo field's files decoded and re-encoded (`InvalidInput` naming the field if refused)."""
    prepared = {}
    for field, _kind in PHOTO_FIELDS.get(action, ()):
        try:
            prepared[field] = uploads.prepare_photos(request.files.getlist(field))
        except uploads.InvalidUpload as error:
            raise rules.InvalidInput(error.message, field) from None
    return prepared


def _do(case_id: int, action: str, assignment_id: int | None):
    """Check, change, commit, answer.

    The case is read, checked and any photos decoded before the write lock is taken
    (`begin_write`); under the lock the change is made and committed, and the answer is rendered
    after it. What was read before the lock stays valid: every change of a case bumps its version,
    and the UPDATE that writes this change matches the version read (optimistic locking), so a
    change made meanwhile by someone else fails this one as stale (409)."""
    user = current_user._get_current_object()
    version = request.form.get("version", "")
    stored: list[Attachment] = []
    key = (action, assignment_id)
    try:
        case, assignment = _target(case_id, action, assignment_id, user)
        rules.check_version(case, version)
        rules.check(case, action, user, assignment)
        inputs = _inputs(action)
        prepared = _prepared_photos(action) if _chosen_files(action) else {}
        begin_write()
        for field, kind in PHOTO_FIELDS.get(action, ()):
            stored += uploads.store_prepared(prepared.get(field, []), kind, case=case, uploaded_by=user)
        if stored:
            inputs["attachments"] = stored
        event = rules.transition(case, action, user, _text("note", action), assignment=assignment,
                                 expected_version=version, public_note=_text("public_note", action), **inputs)
        commit_keeping_objects()
    except rules.StaleVersion as error:
        db.session.rollback()
        _reads_only()
        uploads.discard(stored)
        case = _page_case(case_id, user)
        # The current state, and the form as the user filled it in (with the current version), so
        # nothing typed is lost: they check what changed and send it again.
        return _answer(case, http_status=409, conflict=str(error.message), failed={"key": key, "errors": {}})
    except rules.NotAllowed as error:
        db.session.rollback()
        uploads.discard(stored)
        return _refused(error)
    except rules.InvalidInput as error:
        db.session.rollback()
        _reads_only()
        uploads.discard(stored)
        case = _page_case(case_id, user)
        # Errors of fields the user cannot see (the hidden location) go above the form.
        field = error.field if error.field in offered(action) and error.field not in HIDDEN_INPUTS else None
        if error.field == "attachments":
            field = PHOTO_FIELDS.get(action, (("", ""),))[0][0] or None
        failed = {"key": key, "errors": {field or "_form": str(error.message)}}
        return _answer(case, http_status=422, failed=failed)
    _reads_only()
    done = _("Case %(number)s: %(action)s.", number=case.number, action=EVENT_ACTIONS[action])
    if not wants_fragment():
        flash(done, "success")
        return redirect(url_for("cases.detail", case_id=case.id), 303)
    if assignment is not None and not stored and user.role in perm.UNIT_ROLES:
        return _unit_change(case, assignment, event, done)
    return _answer(_page_case(case_id, user), notice=done)


def _unit_change(case: Case, assignment: Assignment, event: CaseEvent, notice: str):
    """A unit's change over HTMX (`_change.html`): its card in place, the case head and the new
    timeline entry out of band. Progress logged without moving the case leaves the card as it was,
    so only the head and the entry come back (the page's script clears the form).

    A unit's page holds nothing else a unit's action changes: no case actions, only its own card;
    a change with photos is answered with the whole body."""
    card = not (event.action == "log_progress" and event.from_state == event.to_state)
    context = _case_context(case, notice=notice, only=assignment if card else None, events=[event])
    response = make_response(render_template("cases/_change.html", card=card, **context))
    if card:
        response.headers["HX-Retarget"] = f"#assignment-{assignment.id}"
        response.headers["HX-Reswap"] = "outerHTML"
    else:
        response.headers["HX-Reswap"] = "none"
    return response


@bp.route("/<int:case_id>/act/<action>", methods=["POST"])
@late_write
@perm.login_required
def act(case_id: int, action: str):
    """Do an action on the case (triage, dispatch, whistle, close, …) as the rules allow."""
    return _do(case_id, action, None)


@bp.route("/<int:case_id>/assignments/<int:assignment_id>/act/<action>", methods=["POST"])
@late_write
@perm.login_required
def act_on(case_id: int, assignment_id: int, action: str):
    """Do an action on one unit's assignment (sign for, check in, report, verify, press, …)."""
    return _do(case_id, action, assignment_id)


@bp.route("/<int:case_id>/photos/<int:attachment_id>/public", methods=["POST"])
@perm.roles_required(perm.DISTRICT_ADMIN, perm.STREET_SECRETARY, perm.STREET_DISPATCHER)
def photo_public(case_id: int, attachment_id: int):
    """Show a photo on the residents' timeline, or hide it again."""
    user = current_user._get_current_object()
    case = rules.get_case_or_404(case_id, user)
    attachment = db.session.get(Attachment, attachment_id)
    perm.require(attachment is not None and attachment.case_id == case.id)
    perm.require(attachment.kind in PUBLISHABLE_KINDS, 403)
    public = request.form.get("public") == "1"
    try:
        rules.mark_attachment_public(attachment, public, user)
    except rules.NotAllowed as error:
        db.session.rollback()
        return _refused(error)
    db.session.commit()
    _reads_only()
    done = _("The photo is shown to residents.") if public else _("The photo is internal again.")
    if wants_fragment():
        return _answer(_page_case(case_id, user), notice=done)
    flash(done, "success")
    return redirect(url_for("cases.detail", case_id=case.id) + "#photos", 303)
