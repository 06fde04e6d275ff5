from __future__ import annotations

from flask import flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal import permissions as perm
from portal.audit import changes, record
from portal.cases.models import CASE_STATES, Case
from portal.extensions import db
from portal.inbox import notify_unit
from portal.meetings import bp, ics, labels, rules
from portal.meetings.forms import (
    AgendaForm, AttendanceForm, DoneForm, MeetingForm, MemberForm, MinutesForm, PressForm, ProgressForm,
    ReplyForm, ResolutionForm, TransitionForm,
)
from portal.meetings.models import AgendaItem, Meeting, MeetingMember, Resolution, StandingMember
from portal.org.models import Community, Street
from portal.rendering import render, wants_fragment
from portal.timeutil import format_deadline, format_local, local_to_utc, local_today, to_local
from portal.workcal.rules import WorkCalendar

READERS = (perm.DISTRICT_ADMIN, perm.STREET_SECRETARY, perm.STREET_DISPATCHER, perm.UNIT_CHIEF,
           perm.GRID_WORKER)
CONVENERS = (perm.DISTRICT_ADMIN, perm.STREET_SECRETARY)
readers = perm.roles_required(*READERS)
conveners = perm.roles_required(*CONVENERS)

# Which fragment of the meeting page each kind of change answers an HTMX request with.
FRAGMENTS = {
    "header": "meetings/_header.html",
    "members": "meetings/_members.html",
    "agenda": "meetings/_agenda.html",
    "minutes": "meetings/_minutes.html",
    "resolutions": "meetings/_resolutions.html",
}


# --- loaders ---------------------------------------------------------------------------------

def _meeting_or_404(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    perm.require(rules.can_view(current_user, meeting))
    return meeting


def _managed_meeting(meeting_id: int) -> Meeting:
    """Load, check the user sees it (404), then that they run it (403)."""
    meeting = _meeting_or_404(meeting_id)
    perm.require(rules.can_manage(current_user, meeting), 403)
    return meeting


def _resolution_or_404(resolution_id: int) -> Resolution:
    resolution = db.session.get(Resolution, resolution_id)
    perm.require(rules.can_view_resolution(current_user, resolution))
    return resolution


def _rule_message(error: rules.RuleError) -> str:
    return str(labels.RULE_MESSAGES.get(str(error), labels.RULE_MESSAGES["state"]))


# --- rendering -------------------------------------------------------------------------------

def _detail_context(meeting: Meeting, **extra) -> dict:
    user = current_user
    manage = rules.can_manage(user, meeting)
    calendar = WorkCalendar.load()
    member = meeting.member_for(user.unit_id) if user.role == perm.UNIT_CHIEF else None
    agenda_form = extra.pop("agenda_form", None) or AgendaForm(formdata=None)
    agenda_form.presenter_unit_id.choices = _presenter_choices(meeting)
    member_form = MemberForm(formdata=None)
    invited = {m.unit_id for m in meeting.members}
    member_form.unit_id.choices = [(u.id, u.name) for u in rules.member_choices(user, meeting)
                                   if u.id not in invited]
    resolution_form = extra.pop("resolution_form", None) or ResolutionForm(formdata=None)
    resolution_form.unit_id.choices = _resolution_unit_choices(meeting)
    reply_form = extra.pop("reply_form", None) or ReplyForm(formdata=None)
    if member is not None and request.method == "GET":
        reply_form.answer.data = "apologies" if member.rsvp == "apologies" else "confirmed"
        reply_form.attendee.data = member.rsvp_attendee
        reply_form.reason.data = member.rsvp_reason
    context = {
        "meeting": meeting, "labels": labels, "manage": manage, "rules": rules,
        "actions": rules.allowed_actions(meeting) if manage else [],
        "my_member": member, "can_reply": member is not None and rules.editable(meeting, "rsvp"),
        "reply_form": reply_form, "agenda_form": agenda_form, "member_form": member_form,
        "resolution_form": resolution_form,
        "transition_form": extra.pop("transition_form", None) or TransitionForm(formdata=None),
        "lights": {r.id: rules.light(r, calendar=calendar) for r in meeting.resolutions},
        # The resolutions the user may open (the resolution page's own check, no query of its own):
        # a unit chief opens their unit's only; the others are listed without a link.
        "openable": {r.id for r in meeting.resolutions if rules.can_view_resolution(user, r)},
        "error": None, "error_section": None, "conflict": False,
        "case_states": CASE_STATES,
        "case_options": rules.case_suggestions(meeting.street_id) if manage and rules.editable(meeting, "agenda") else [],
    }
    context.update(extra)
    return context


def _presenter_choices(meeting: Meeting):
    """The meeting's member units that are still active, after "no presenter"."""
    return [(0, "—")] + [(m.unit_id, m.unit.name) for m in meeting.members if m.unit.active]


def _resolution_unit_choices(meeting: Meeting):
    units = {m.unit_id: m.unit for m in meeting.members}
    for unit in rules.member_choices(current_user, meeting):
        units.setdefault(unit.id, unit)
    return [(u.id, u.name) for u in units.values()]


def _answer(meeting: Meeting, section: str, *, http_status: int = 200, **extra):
    """The section's fragment for HTMX, the whole meeting page otherwise."""
    if http_status == 200 and not wants_fragment():
        return redirect(url_for("meetings.detail", meeting_id=meeting.id) + f"#{section}")
    return render("meetings/detail.html", FRAGMENTS[section], http_status=http_status,
                  **_detail_context(meeting, **extra))


def _refused(meeting: Meeting, section: str, error: rules.RuleError, **extra):
    message = _rule_message(error)  # shown inside the section, on the page or in the fragment
    return _answer(meeting, section, http_status=422, error=message, error_section=section, **extra)


def _conflict(meeting: Meeting, section: str, **extra):
    """Someone else changed the meeting: answer 409 with its current state (and the user's form)."""
    db.session.rollback()
    meeting = db.session.get(Meeting, meeting.id)
    if not wants_fragment():
        flash(_("This record was changed by someone else; the current state is shown."), "warning")
    return _answer(meeting, section, http_status=409, conflict=True, **extra)


def _commit_or_conflict(meeting: Meeting, section: str, **extra):
    try:
        db.session.commit()
    except StaleDataError:
        return _conflict(meeting, section, **extra)
    return None


def _when(meeting: Meeting) -> str:
    return format_local(meeting.starts_at)


def _notify_members(meeting: Meeting, kind: str, text: str, units=None) -> None:
    link = url_for("meetings.detail", meeting_id=meeting.id)
    for unit_id in units if units is not None else [m.unit_id for m in meeting.members]:
        notify_unit(unit_id, kind, text, link)


# --- lists -----------------------------------------------------------------------------------

@bp.route("/")
@readers
def index():
    """List the meetings in the user's scope; a chief sees invitations awaiting a reply first."""
    state = request.args.get("state", "")
    kind = request.args.get("kind", "")
    state = state if state in labels.STATE_LABELS else ""
    kind = kind if kind in labels.KIND_LABELS else ""
    return render("meetings/index.html", "meetings/_list.html",
                  meetings=rules.visible_meetings(current_user, state=state or None, kind=kind or None),
                  invitations=rules.pending_invitations(current_user), state=state, kind=kind,
                  labels=labels, can_convene=bool(rules.convenable_kinds(current_user)))


@bp.route("/calendar.ics")
@readers
def my_calendar():
    """Export the user's upcoming meetings as an iCalendar file."""
    meetings = rules.visible_meetings(current_user, upcoming=True)
    return _ics_response(meetings, "meetings.ics", _("My upcoming meetings"))


def _ics_response(meetings, filename: str, name: str):
    body = ics.calendar(meetings, lambda m: url_for("meetings.detail", meeting_id=m.id, _external=True),
                        lambda m: labels.KIND_LABELS[m.kind], name)
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- planning --------------------------------------------------------------------------------

def _meeting_form(meeting: Meeting | None = None, *, fresh: bool = False) -> MeetingForm:
    """The form from the request, or (`fresh`, or a GET) from the meeting as it is stored."""
    fresh = fresh or request.method != "POST"
    form = MeetingForm(formdata=None, obj=meeting) if fresh else MeetingForm()
    form.kind.choices = [(k, labels.KIND_LABELS[k]) for k in rules.convenable_kinds(current_user)]
    street_id = meeting.street_id if meeting is not None else current_user.street_id
    communities = db.session.scalars(select(Community).where(
        Community.street_id == street_id, Community.active).order_by(Community.code)).all() if street_id else []
    form.community_id.choices = [(0, "—")] + [(c.id, c.name) for c in communities]
    if fresh and meeting is not None:
        form.starts_at.data = to_local(meeting.starts_at).replace(tzinfo=None)
        form.ends_at.data = to_local(meeting.ends_at).replace(tzinfo=None)
        form.community_id.data = meeting.community_id or 0
        form.version.data = meeting.version
    return form


@bp.route("/new", methods=["GET", "POST"])
@conveners
def create():
    """Plan a meeting; its members start from the standing list and are invited at once."""
    form = _meeting_form()
    if request.method == "GET":
        if request.args.get("kind") in dict(form.kind.choices):
            form.kind.data = request.args["kind"]
        form.case_number.data = request.args.get("case", "")[:64]
    street_id = None if current_user.role == perm.DISTRICT_ADMIN else current_user.street_id
    case = None
    submitted = form.validate_on_submit()
    if submitted and form.case_number.data:
        case = rules.find_case(street_id, form.case_number.data)
        if case is None:
            form.case_number.errors.append(_rule_message(rules.RuleError("case_not_found")))
    if submitted and not form.case_number.errors:
        community_id = form.community_id.data or None
        if community_id and community_id not in {c for c, _label in form.community_id.choices}:
            community_id = None
        try:
            meeting = rules.plan_meeting(
                kind=form.kind.data, title=form.title.data.strip(), place=form.place.data.strip(),
                starts_at=local_to_utc(form.starts_at.data), ends_at=local_to_utc(form.ends_at.data),
                convener=current_user, street_id=street_id, community_id=community_id,
                purpose=(form.purpose.data or "").strip())
        except rules.RuleError as error:
            flash(_rule_message(error), "error")
        else:
            if case is not None:
                item = rules.add_agenda_item(meeting, f"{case.number} {case.description[:80]}", None)
                rules.link_case(meeting, item, case)
            record("meeting.planned", meeting, kind=meeting.kind, title=meeting.title,
                   members=[m.unit_id for m in meeting.members], case=case.number if case else None)
            _notify_members(meeting, "meeting_invitation",
                            _("Invitation: %(title)s, %(when)s", title=meeting.title, when=_when(meeting)))
            db.session.commit()
            flash(_("The meeting is planned and the member units are invited."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render("meetings/form.html", form=form, meeting=None, case_options=rules.case_suggestions(street_id),
                  http_status=422 if form.errors or request.method == "POST" else 200)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@conveners
def edit(meeting_id: int):
    """Change a planned meeting's title, time or place; the members are told."""
    meeting = _managed_meeting(meeting_id)
    if not rules.editable(meeting, "details"):
        flash(_rule_message(rules.RuleError("state")), "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    form = _meeting_form(meeting)
    form.kind.choices = [(meeting.kind, labels.KIND_LABELS[meeting.kind])]
    if form.validate_on_submit():
        try:
            rules.check_version(meeting, form.version.data)
        except rules.StaleVersion:
            db.session.rollback()
            meeting = db.session.get(Meeting, meeting_id)
            form = _meeting_form(meeting, fresh=True)
            form.kind.choices = [(meeting.kind, labels.KIND_LABELS[meeting.kind])]
            flash(_("This record was changed by someone else; the current state is shown."), "warning")
            return render("meetings/form.html", form=form, meeting=meeting, case_options=[], http_status=409)
        values = {"title": form.title.data.strip(), "place": form.place.data.strip(),
                  "purpose": (form.purpose.data or "").strip(),
                  "starts_at": local_to_utc(form.starts_at.data), "ends_at": local_to_utc(form.ends_at.data)}
        if meeting.kind == "consultation" and form.community_id.data in {
                c for c, _label in form.community_id.choices if c}:
            values["community_id"] = form.community_id.data
        if values["ends_at"] <= values["starts_at"]:
            form.ends_at.errors.append(_rule_message(rules.RuleError("ends_before_start")))
        else:
            diff = changes(meeting, list(values), values)
            for key, value in values.items():
                setattr(meeting, key, value)
            if diff:
                record("meeting.updated", meeting, changes=diff)
                _notify_members(meeting, "meeting_changed",
                                _("Changed: %(title)s, %(when)s, %(place)s", title=meeting.title,
                                  when=_when(meeting), place=meeting.place))
            conflict = _commit_or_conflict(meeting, "header")
            if conflict:
                return conflict
            flash(_("Saved."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render("meetings/form.html", form=form, meeting=meeting, case_options=[],
                  http_status=422 if request.method == "POST" else 200)


# --- the meeting page ------------------------------------------------------------------------

@bp.route("/<int:meeting_id>")
@readers
def detail(meeting_id: int):
    """Show a meeting: members and replies, agenda, attendance, minutes and resolutions."""
    meeting = _meeting_or_404(meeting_id)
    return render("meetings/detail.html", **_detail_context(meeting))


@bp.route("/<int:meeting_id>/meeting.ics")
@readers
def meeting_ics(meeting_id: int):
    """Export one meeting as an iCalendar file."""
    meeting = _meeting_or_404(meeting_id)
    return _ics_response([meeting], f"meeting-{meeting.id}.ics", meeting.title)


@bp.route("/<int:meeting_id>/state/<action>", methods=["POST"])
@conveners
def change_state(meeting_id: int, action: str):
    """Hold, cancel (with a reason) or approve the minutes of a meeting."""
    meeting = _managed_meeting(meeting_id)
    form = TransitionForm()
    section = "minutes" if action == "approve_minutes" else "header"
    if not form.validate_on_submit() or action not in labels.ACTION_LABELS:
        return _refused(meeting, section, rules.RuleError("state"))
    try:
        rules.check_version(meeting, form.version.data)  # stale first: show what changed, then refuse
        before = rules.transition(meeting, action, current_user, reason=form.reason.data or "")
    except rules.StaleVersion:
        return _conflict(meeting, section, transition_form=form)
    except rules.RuleError as error:
        db.session.rollback()
        return _refused(db.session.get(Meeting, meeting_id), section, error)
    record(f"meeting.{action}", meeting, before=before, after=meeting.state,
           **({"reason": meeting.cancel_reason} if action == "cancel" else {}))
    if action == "cancel":
        _notify_members(meeting, "meeting_cancelled", _("Cancelled: %(title)s, %(when)s. Reason: %(reason)s",
                                                        title=meeting.title, when=_when(meeting),
                                                        reason=meeting.cancel_reason))
    conflict = _commit_or_conflict(meeting, section, transition_form=form)
    if conflict:
        return conflict
    if not wants_fragment():
        flash(_("%(action)s: done.", action=labels.ACTION_LABELS[action]), "success")
    return _answer(meeting, section)


# --- members, replies, attendance ------------------------------------------------------------

@bp.route("/<int:meeting_id>/members", methods=["POST"])
@conveners
def add_member(meeting_id: int):
    """Invite one more unit to a planned meeting."""
    meeting = _managed_meeting(meeting_id)
    form = MemberForm()
    allowed = {u.id for u in rules.member_choices(current_user, meeting)}
    if not form.validate_on_submit() or form.unit_id.data not in allowed:
        return _refused(meeting, "members", rules.RuleError("state"))
    try:
        member = rules.add_member(meeting, form.unit_id.data)
    except rules.RuleError as error:
        return _refused(meeting, "members", error)
    if member is not None:
        record("meeting.member_added", meeting, unit_id=form.unit_id.data)
        _notify_members(meeting, "meeting_invitation",
                        _("Invitation: %(title)s, %(when)s", title=meeting.title, when=_when(meeting)),
                        units=[form.unit_id.data])
        db.session.commit()
    return _answer(meeting, "members")


@bp.route("/<int:meeting_id>/members/<int:member_id>/remove", methods=["POST"])
@conveners
def remove_member(meeting_id: int, member_id: int):
    """Take a unit off a planned meeting's members."""
    meeting = _managed_meeting(meeting_id)
    member = db.session.get(MeetingMember, member_id)
    perm.require(member is not None and member.meeting_id == meeting.id)
    try:
        rules.remove_member(meeting, member)
    except rules.RuleError as error:
        return _refused(meeting, "members", error)
    record("meeting.member_removed", meeting, unit_id=member.unit_id)
    db.session.commit()
    return _answer(meeting, "members")


@bp.route("/<int:meeting_id>/reply", methods=["POST"])
@perm.roles_required(perm.UNIT_CHIEF)
def reply(meeting_id: int):
    """Confirm who will attend, or send apologies with a reason (the unit chief)."""
    meeting = _meeting_or_404(meeting_id)
    perm.require(rules.can_reply(current_user, meeting), 403)
    member = meeting.member_for(current_user.unit_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _refused(meeting, "members", rules.RuleError("answer"), reply_form=form)
    try:
        rules.reply(meeting, member, current_user, form.answer.data, form.attendee.data or "",
                    form.reason.data or "")
    except rules.RuleError as error:
        return _refused(meeting, "members", error, reply_form=form)
    record("meeting.replied", meeting, unit_id=member.unit_id, answer=member.rsvp,
           attendee=member.rsvp_attendee, reason=member.rsvp_reason)
    db.session.commit()
    if not wants_fragment():
        flash(_("Your reply is recorded."), "success")
    return _answer(meeting, "members")


@bp.route("/<int:meeting_id>/members/<int:member_id>/attendance", methods=["POST"])
@conveners
def attendance(meeting_id: int, member_id: int):
    """Mark a member unit present (with who), absent with a reason, or absent without one."""
    meeting = _managed_meeting(meeting_id)
    member = db.session.get(MeetingMember, member_id)
    perm.require(member is not None and member.meeting_id == meeting.id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        return _refused(meeting, "members", rules.RuleError("status"))
    try:
        rules.mark_attendance(meeting, member, form.status.data, form.attendee.data or "",
                              form.reason.data or "")
    except rules.RuleError as error:
        db.session.rollback()
        return _refused(db.session.get(Meeting, meeting_id), "members", error)
    record("meeting.attendance", meeting, unit_id=member.unit_id, status=member.attendance,
           attendee=member.attendee, reason=member.absence_reason)
    db.session.commit()
    return _answer(meeting, "members")


# --- agenda ----------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/agenda", methods=["POST"])
@conveners
def add_agenda_item(meeting_id: int):
    """Add an item at the end of the agenda."""
    meeting = _managed_meeting(meeting_id)
    form = AgendaForm()
    form.presenter_unit_id.choices = _presenter_choices(meeting)
    if not form.validate_on_submit():
        return _answer(meeting, "agenda", http_status=422, agenda_form=form)
    presenter = form.presenter_unit_id.data or None
    try:
        item = rules.add_agenda_item(meeting, form.title.data.strip(), presenter, (form.notes.data or "").strip())
    except rules.RuleError as error:
        return _refused(meeting, "agenda", error)
    db.session.flush()
    record("meeting.agenda_added", meeting, item_id=item.id, title=item.title)
    db.session.commit()
    return _answer(meeting, "agenda")


def _agenda_item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    perm.require(item is not None and item.meeting_id == meeting.id)
    return item


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
@conveners
def move_agenda_item(meeting_id: int, item_id: int):
    """Move an agenda item one place up or down."""
    meeting = _managed_meeting(meeting_id)
    item = _agenda_item(meeting, item_id)
    direction = request.form.get("direction", "")
    try:
        moved = rules.move_agenda_item(meeting, item, direction)
    except rules.RuleError as error:
        return _refused(meeting, "agenda", error)
    if moved:
        record("meeting.agenda_moved", meeting, item_id=item.id, direction=direction,
               order=[i.id for i in meeting.agenda])
    db.session.commit()
    return _answer(meeting, "agenda")


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/delete", methods=["POST"])
@conveners
def delete_agenda_item(meeting_id: int, item_id: int):
    """Take an item off the agenda."""
    meeting = _managed_meeting(meeting_id)
    item = _agenda_item(meeting, item_id)
    try:
        rules.remove_agenda_item(meeting, item)
    except rules.RuleError as error:
        return _refused(meeting, "agenda", error)
    record("meeting.agenda_removed", meeting, item_id=item_id, title=item.title)
    db.session.commit()
    return _answer(meeting, "agenda")


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/cases", methods=["POST"])
@conveners
def link_case(meeting_id: int, item_id: int):
    """Put a case on an agenda item by its number (the meeting's street only; the district: any)."""
    meeting = _managed_meeting(meeting_id)
    item = _agenda_item(meeting, item_id)
    case = rules.find_case(meeting.street_id, request.form.get("number", ""))
    try:
        linked = rules.link_case(meeting, item, case)
    except rules.RuleError as error:
        return _refused(meeting, "agenda", error)
    if linked:
        record("meeting.case_linked", meeting, item_id=item.id, case_id=case.id, number=case.number)
    db.session.commit()
    return _answer(meeting, "agenda")


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/cases/<int:case_id>/unlink", methods=["POST"])
@conveners
def unlink_case(meeting_id: int, item_id: int, case_id: int):
    """Take a case off an agenda item."""
    meeting = _managed_meeting(meeting_id)
    item = _agenda_item(meeting, item_id)
    case = db.session.get(Case, case_id)
    perm.require(case is not None and case in item.cases)
    try:
        rules.unlink_case(meeting, item, case)
    except rules.RuleError as error:
        return _refused(meeting, "agenda", error)
    record("meeting.case_unlinked", meeting, item_id=item.id, case_id=case.id, number=case.number)
    db.session.commit()
    return _answer(meeting, "agenda")


# --- minutes ---------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/minutes", methods=["GET", "POST"])
@conveners
def minutes(meeting_id: int):
    """Write the minutes while the meeting is held; after approval, add a correction revision."""
    meeting = _managed_meeting(meeting_id)
    correcting = rules.editable(meeting, "minutes_correction")
    if not (correcting or rules.editable(meeting, "minutes_draft")):
        flash(_rule_message(rules.RuleError("state")), "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    form = MinutesForm()
    if request.method == "GET":
        form.body.data = meeting.current_minutes
        form.version.data = meeting.version
    elif form.validate_on_submit():
        try:
            rules.check_version(meeting, form.version.data)
            revision = rules.save_minutes(meeting, form.body.data or "", current_user, form.note.data or "")
        except rules.StaleVersion:
            db.session.rollback()
            meeting = db.session.get(Meeting, meeting_id)
            flash(_("This record was changed by someone else; the current state is shown. "
                    "Your text is kept in the form."), "warning")
            form.version.data = meeting.version
            return render("meetings/minutes_form.html", form=form, meeting=meeting, correcting=correcting,
                          http_status=409)
        except rules.RuleError as error:
            form.note.errors.append(_rule_message(error))
        else:
            if revision is not None:
                record("meeting.minutes_corrected", meeting, revision=revision.number, note=revision.note)
            else:
                record("meeting.minutes_saved", meeting, length=len(meeting.minutes))
            try:
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                flash(_("This record was changed by someone else; the current state is shown. "
                        "Your text is kept in the form."), "warning")
                return render("meetings/minutes_form.html", form=form, meeting=db.session.get(Meeting, meeting_id),
                              correcting=correcting, http_status=409)
            flash(_("The minutes are saved."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id) + "#minutes")
    return render("meetings/minutes_form.html", form=form, meeting=meeting, correcting=correcting,
                  http_status=422 if request.method == "POST" else 200)


@bp.route("/<int:meeting_id>/print")
@readers
def print_minutes(meeting_id: int):
    """A printable page of the meeting and its minutes."""
    meeting = _meeting_or_404(meeting_id)
    return render("meetings/print.html", meeting=meeting, labels=labels)


# --- resolutions -----------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/resolutions", methods=["POST"])
@conveners
def add_resolution(meeting_id: int):
    """Give a resolution to a unit with a deadline in working days or a date."""
    meeting = _managed_meeting(meeting_id)
    form = ResolutionForm()
    form.unit_id.choices = _resolution_unit_choices(meeting)
    if not form.validate_on_submit() or form.unit_id.data not in {u for u, _n in form.unit_id.choices}:
        if not form.errors:
            form.unit_id.errors.append(_("Choose an active entry from the list."))
        return _answer(meeting, "resolutions", http_status=422, resolution_form=form)
    try:
        resolution = rules.give_resolution(meeting, text=form.text.data, unit_id=form.unit_id.data,
                                           user=current_user, days=form.days.data, due_date=form.due_date.data)
    except rules.RuleError as error:
        return _refused(meeting, "resolutions", error, resolution_form=form)
    record("resolution.given", resolution, meeting_id=meeting.id, unit_id=resolution.unit_id,
           deadline=resolution.deadline_at.isoformat())
    notify_unit(resolution.unit_id, "resolution_assigned",
                _("%(meeting)s: %(text)s (due %(due)s)", meeting=meeting.title, text=resolution.text[:120],
                  due=format_deadline(resolution.deadline_at)),
                url_for("meetings.resolution", resolution_id=resolution.id))
    db.session.commit()
    return _answer(meeting, "resolutions", resolution_form=ResolutionForm(formdata=None))


@bp.route("/resolutions/")
@perm.login_required
def register():
    """The register of open resolutions across meetings (a unit's list is its work queue)."""
    include_done = request.args.get("done") == "1"
    overdue = request.args.get("overdue") == "1"
    calendar = WorkCalendar.load()
    rows = rules.visible_resolutions(current_user, include_done=include_done, overdue_only=overdue)
    return render("meetings/register.html", "meetings/_register_rows.html", rows=rows, labels=labels,
                  lights={r.id: rules.light(r, calendar=calendar) for r in rows},
                  include_done=include_done, overdue=overdue)


def _resolution_page(resolution: Resolution, *, http_status: int = 200, **extra):
    progress_form = extra.pop("progress_form", None) or ProgressForm(formdata=None)
    done_form = extra.pop("done_form", None) or DoneForm(formdata=None)
    press_form = extra.pop("press_form", None) or PressForm(formdata=None)
    return render("meetings/resolution.html", "meetings/_resolution_body.html", http_status=http_status,
                  resolution=resolution, labels=labels, light=rules.light(resolution, calendar=WorkCalendar.load()),
                  can_work=rules.can_work(current_user, resolution),
                  can_press=rules.can_press(current_user, resolution),
                  meeting_visible=rules.can_view(current_user, resolution.meeting),
                  progress_form=progress_form, done_form=done_form, press_form=press_form,
                  error=extra.pop("error", None), conflict=extra.pop("conflict", False), **extra)


@bp.route("/resolutions/<int:resolution_id>")
@perm.login_required
def resolution(resolution_id: int):
    """Show a resolution with its progress, result and presses."""
    return _resolution_page(_resolution_or_404(resolution_id))


def _resolution_conflict(resolution_id: int, kept: dict):
    """Someone else changed the resolution: 409 with its current state and the user's form kept."""
    db.session.rollback()
    return _resolution_page(db.session.get(Resolution, resolution_id), http_status=409, conflict=True, **kept)


def _resolution_action(resolution_id: int, form, form_name: str, act, audit_action: str, check):
    resolution = _resolution_or_404(resolution_id)
    perm.require(check(current_user, resolution), 403)
    kept = {form_name: form}  # the form the user filled in, shown again on a refusal
    if not form.validate_on_submit():
        return _resolution_page(resolution, http_status=422, error=_rule_message(rules.RuleError("text_required")),
                                **kept)
    try:
        rules.check_version(resolution, form.version.data)
        update = act(resolution)
    except rules.StaleVersion:
        return _resolution_conflict(resolution_id, kept)
    except rules.RuleError as error:
        db.session.rollback()
        return _resolution_page(db.session.get(Resolution, resolution_id), http_status=422,
                                error=_rule_message(error), **kept)
    record(audit_action, resolution, text=update.text, state=resolution.state)
    return resolution, update, kept


def _finish(resolution: Resolution, message: str, kept: dict):
    try:
        db.session.commit()
    except StaleDataError:
        return _resolution_conflict(resolution.id, kept)
    if wants_fragment():
        return _resolution_page(resolution)
    flash(message, "success")
    return redirect(url_for("meetings.resolution", resolution_id=resolution.id))


@bp.route("/resolutions/<int:resolution_id>/progress", methods=["POST"])
@perm.roles_required(perm.UNIT_CHIEF)
def progress(resolution_id: int):
    """Report progress on a resolution given to the chief's unit."""
    form = ProgressForm()
    outcome = _resolution_action(resolution_id, form, "progress_form",
                                 lambda r: rules.report_progress(r, current_user, form.text.data),
                                 "resolution.progress", rules.can_work)
    if not isinstance(outcome, tuple):
        return outcome
    resolution, _update, kept = outcome
    return _finish(resolution, _("Progress recorded."), kept)


@bp.route("/resolutions/<int:resolution_id>/done", methods=["POST"])
@perm.roles_required(perm.UNIT_CHIEF)
def done(resolution_id: int):
    """Mark a resolution done with its result."""
    form = DoneForm()
    outcome = _resolution_action(resolution_id, form, "done_form",
                                 lambda r: rules.complete(r, current_user, form.result.data),
                                 "resolution.done", rules.can_work)
    if not isinstance(outcome, tuple):
        return outcome
    resolution, _update, kept = outcome
    return _finish(resolution, _("The resolution is done."), kept)


@bp.route("/resolutions/<int:resolution_id>/press", methods=["POST"])
@conveners
def press(resolution_id: int):
    """Press (督办) the unit on an overdue resolution: recorded, and the unit is notified."""
    form = PressForm()
    outcome = _resolution_action(resolution_id, form, "press_form",
                                 lambda r: rules.press(r, current_user, form.note.data or ""),
                                 "resolution.pressed", rules.can_press)
    if not isinstance(outcome, tuple):
        return outcome
    resolution, _update, kept = outcome
    notify_unit(resolution.unit_id, "resolution_pressed",
                _("Overdue, please act: %(text)s (due %(due)s)", text=resolution.text[:120],
                  due=format_deadline(resolution.deadline_at)),
                url_for("meetings.resolution", resolution_id=resolution.id))
    return _finish(resolution, _("The unit has been pressed."), kept)


# --- the district's and the convener's overviews ---------------------------------------------

@bp.route("/regularity")
@perm.roles_required(perm.DISTRICT_ADMIN)
def regularity():
    """Streets without a party-building joint meeting in six months; communities that missed a month."""
    today = local_today()
    months = rules.last_complete_months(today, 3)
    return render("meetings/regularity.html", today=today,
                  streets=rules.streets_without_party_building(today),
                  missed=[(m, rules.communities_without_consultation(m)) for m in months])


@bp.route("/attendance")
@conveners
def attendance_rates():
    """Attendance rate per member unit over a year, for the convener and the district."""
    year = min(max(request.args.get("year", type=int) or local_today().year, 2000), 2100)
    street_id = request.args.get("street", type=int)
    streets = []
    if current_user.role == perm.DISTRICT_ADMIN:
        streets = db.session.scalars(select(Street).order_by(Street.code)).all()
        district_only = street_id == 0
        street_id = street_id if street_id and rules.street_filter_ok(street_id) else None
        rows = rules.attendance_rates(year, street_id, district_only=district_only)
    else:
        street_id = current_user.street_id
        rows = rules.attendance_rates(year, street_id)
    return render("meetings/attendance.html", "meetings/_attendance_rows.html", rows=rows, year=year,
                  streets=streets, street_id=street_id)


@bp.route("/standing", methods=["GET", "POST"])
@conveners
def standing():
    """The standing member units of the street (or the district) that new meetings start from."""
    street_id = None if current_user.role == perm.DISTRICT_ADMIN else current_user.street_id
    form = MemberForm()
    members = rules.standing_members(street_id)
    listed = {s.unit_id for s in members}
    form.unit_id.choices = [(u.id, f"{u.name}") for u in rules.member_choices(current_user) if u.id not in listed]
    if request.method == "POST":
        if form.validate_on_submit() and form.unit_id.data in {c for c, _n in form.unit_id.choices}:
            row = StandingMember(street_id=street_id, unit_id=form.unit_id.data)
            db.session.add(row)
            record("meeting.standing_added", row, unit_id=row.unit_id, street_id=street_id)
            db.session.commit()
            flash(_("Added to the standing members."), "success")
        else:
            flash(_("Choose an active entry from the list."), "error")
        return redirect(url_for("meetings.standing"))
    return render("meetings/standing.html", members=members, form=form,
                  street=db.session.get(Street, street_id) if street_id else None)


@bp.route("/standing/<int:row_id>/remove", methods=["POST"])
@conveners
def standing_remove(row_id: int):
    """Take a unit off the standing member list (meetings already planned keep it)."""
    row = db.session.get(StandingMember, row_id)
    street_id = None if current_user.role == perm.DISTRICT_ADMIN else current_user.street_id
    perm.require(row is not None and row.street_id == street_id)
    record("meeting.standing_removed", row, unit_id=row.unit_id, street_id=street_id)
    db.session.delete(row)
    db.session.commit()
    flash(_("Removed from the standing members."), "success")
    return redirect(url_for("meetings.standing"))


