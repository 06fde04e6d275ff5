"""Doing an action on a case: `transition(case, action, actor, note, **inputs)`.

    transition(case, "dispatch", user, note, unit=unit, expected_version=form.version.data)
    transition(case, "sign_for", user, assignment=a, expected_version=...)

`check_version` and `states.check` first; then the action's handler (`_HANDLERS`) validates its
inputs (`states.ACTION_INPUTS`) and changes the records; the case (and assignment) move as the
tables in `portal.cases.states` say. Each transition appends one `CaseEvent` (`append_event`),
writes `audit.record("case.<action>", case, …)`, bumps the case's version, sends
`signals.case_transition` (and `case_closed`), and queues inbox notifications, all in the
caller's transaction. Nothing is committed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import bindparam, select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.cases import signals
from portal.cases.deadlines import Limits, limits_for, set_deadlines
from portal.cases.errors import (
    MAX_DESCRIPTION, MAX_REASON, InvalidInput, NotAllowed, StaleVersion, clean_text, load_instance,
)
from portal.cases.models import (
    LEVELS, OPEN_ASSIGNMENT_STATES, WHISTLE_KINDS, Assignment, Attachment, Case, CaseEvent, Press,
)
from portal.cases.notifications import case_link, notify_office, say, summary
from portal.cases.states import (
    ACTION_INPUTS, ACTIONS, ASSIGNMENT_MOVES, ATTACHMENT_KINDS_FOR, CASE_MOVES, PUBLIC_ACTIONS, RESIDENT,
    actor_id, actor_role, check, moves,
)
from portal.database import Prepared, insert_persistent, plain_changes, read, write_columns
from portal.duties.models import Matter
from portal.duties.responders import Responders, responders
from portal.extensions import db, lazy_gettext as _l
from portal.inbox import notify_unit
from portal.org.models import Department, Unit
from portal.timeutil import utcnow
from portal.workcal.rules import WorkCalendar

@dataclass
class _Step:
    """What a transition is working on; handlers fill `data` and may set `to_state`."""

    case: Case
    action: str
    actor: Any
    assignment: Assignment | None
    now: datetime
    inputs: dict
    note: str
    data: dict
    to_state: str | None = None
    notes_for: list[Callable[[], object]] = field(default_factory=list)  # notifications, after the flush


def transition(case: Case, action: str, actor, note: str = "", *, assignment: Assignment | None = None,
               expected_version: int | str | None = None, now: datetime | None = None,
               public_note: str = "", **inputs) -> CaseEvent:
    """Do `action` on the case (and `assignment`, for unit actions) as `actor`; return the event.

    `expected_version` is the case version the user saw (the hidden form field); `note` is an
    internal note; `public_note` a text for the residents' timeline. The keyword `inputs` each
    action accepts are in `ACTION_INPUTS`. Nothing is committed.
    """
    if action not in ACTION_INPUTS:
        raise NotAllowed()
    unknown = set(inputs) - ACTION_INPUTS[action]
    if unknown:
        raise TypeError(f"{action} does not take {sorted(unknown)}")
    now = now or utcnow()
    check_version(case, expected_version)
    check(case, action, actor, assignment, now)
    step = _Step(case=case, action=action, actor=actor, assignment=assignment, now=now, inputs=inputs,
                 note=clean_text(note, "note", limit=MAX_DESCRIPTION), data={})
    public_text = clean_text(public_note, "public_note", limit=MAX_REASON)
    if public_text:
        step.data["public_note"] = public_text
    from_state = case.state
    attachments = _attachments(step)
    if action in _REQUIRED_ATTACHMENTS:
        _REQUIRED_ATTACHMENTS[action](attachments)
    try:
        _HANDLERS[action](step)             # validates its inputs first, then changes the records
        if assignment is not None:
            assignment.state = moves(ASSIGNMENT_MOVES, assignment.state, action)[0].to_state
        to_state = step.to_state or _target_state(case, action, from_state)
        case.state = to_state
        case.updated_at = now               # always an UPDATE of the case row: bumps its version
        if not attachments and plain_changes(db.session, (case, assignment)):
            # Most steps change only columns of the case and the assignment: two plain statements
            # and the event's INSERT instead of the unit of work (a third of the whole request).
            for record in (assignment, case):
                if record is not None:
                    write_columns(db.session, record)
            event = _inserted_event(case, action, actor, from_state, to_state, now, note=step.note,
                                    assignment=assignment, data=step.data)
        else:
            event = append_event(case, action, actor, from_state, to_state, now, note=step.note,
                                 assignment=assignment, data=step.data)
            for attachment in attachments:
                attachment.event = event
        details = {k: v for k, v in step.data.items() if k != "public_note"}
        audit.record(f"case.{action}", case, actor=actor if actor_role(actor) != RESIDENT else None,
                     from_state=from_state, to_state=to_state,
                     assignment_id=assignment.id if assignment is not None else None, **details)
        db.session.flush()
    except StaleDataError:
        # Someone else's change reached the database between our read and our write.
        db.session.rollback()
        raise StaleVersion() from None
    for send in step.notes_for:
        send()
    signals.case_transition.send(case, event=event, action=action, from_state=from_state,
                                 to_state=to_state, assignment=assignment, actor=actor)
    if to_state == "closed" and from_state != "closed":
        signals.case_closed.send(case, event=event, forced=action == "force_close")
    return event


def check_version(case: Case, expected_version: int | str | None) -> None:
    """Raise StaleVersion unless the version the user saw is the case's current one (None: skip)."""
    if expected_version is None:
        return
    try:
        seen = int(expected_version)
    except (TypeError, ValueError):
        raise StaleVersion() from None
    if seen != case.version:
        raise StaleVersion()


def _target_state(case: Case, action: str, from_state: str) -> str:
    rows = moves(CASE_MOVES, from_state, action)
    if len(rows) == 1:
        return rows[0].to_state
    # submit_result: resolved (to verify) once every active unit has reported, else in progress.
    reported = all(a.state in ("submitted", "done") for a in case.active_assignments)
    wanted = "resolved" if reported else "in_progress"
    assert wanted in {r.to_state for r in rows}
    return wanted


def append_event(case: Case, action: str, actor, from_state: str | None, to_state: str,
                  now: datetime, *, note: str = "", assignment: Assignment | None = None,
                  data: dict | None = None) -> CaseEvent:
    event = CaseEvent(case=case, assignment=assignment,
                      **_event_columns(action, actor, from_state, to_state, now, note, data))
    db.session.add(event)
    return event


def _event_columns(action: str, actor, from_state: str | None, to_state: str, now: datetime,
                   note: str, data: dict | None) -> dict:
    """An event's own columns (not its case and assignment), for `append_event` and `_inserted_event`."""
    return {"at": now, "actor_id": actor_id(actor), "action": action, "from_state": from_state,
            "to_state": to_state, "note": note, "public": action in PUBLIC_ACTIONS, "data": dict(data or {})}


def _inserted_event(case: Case, action: str, actor, from_state: str | None, to_state: str,
                    now: datetime, *, note: str, assignment: Assignment | None, data: dict) -> CaseEvent:
    """`append_event`, the row written at once (`insert_persistent`), with the case, the assignment
    and no photos set on the record as the ORM would have them after a flush."""
    event = insert_persistent(db.session, CaseEvent, {
        "case_id": case.id, "assignment_id": assignment.id if assignment is not None else None,
        **_event_columns(action, actor, from_state, to_state, now, note, data)})
    set_committed_value(event, "case", case)
    set_committed_value(event, "assignment", assignment)
    set_committed_value(event, "attachments", [])
    if "events" in case.__dict__:
        set_committed_value(case, "events", [*case.events, event])
    return event


def _attachments(step: _Step) -> list[Attachment]:
    items = list(step.inputs.get("attachments") or [])
    allowed = ATTACHMENT_KINDS_FOR.get(step.action, frozenset())
    for item in items:
        if not isinstance(item, Attachment) or item.event_id is not None or item.event is not None \
                or (item.case is not step.case and item.case_id != step.case.id):
            raise InvalidInput(_l("A photo does not belong to this case."), "attachments")
        if item.kind not in allowed:
            raise InvalidInput(_l("This kind of photo does not belong to this step."), "attachments")
    if items:
        step.data["attachment_ids"] = [a.id for a in items if a.id is not None]
    return items


def _need_before_and_after(items: list[Attachment]) -> None:
    kinds = {a.kind for a in items}
    if not {"before", "after"} <= kinds:
        raise InvalidInput(_l("Add a photo from before and one from after the handling."), "attachments")


_REQUIRED_ATTACHMENTS = {"handle_on_spot": _need_before_and_after}


def unit_info(unit: Unit) -> dict:
    return {"unit_id": unit.id, "unit": unit.name,
            "department": unit.department.short_name or unit.department.name}


_UNIT_INFO = Prepared(select(Unit.name, Department.short_name, Department.name.label("department"))
                      .join(Department, Department.id == Unit.department_id).where(Unit.id == bindparam("unit_id")))


def assigned_unit_info(a: Assignment) -> dict:
    """`unit_info` of the assignment's unit in one statement (its unit and department would be
    two lazy loads: a fifth of a unit's sign-for)."""
    row = read(_UNIT_INFO, {"unit_id": a.unit_id}).one()
    return {"unit_id": a.unit_id, "unit": row.name, "department": row.short_name or row.department}


def _valid_unit(value, case: Case, field: str) -> Unit:
    unit = load_instance(Unit, value, field, _l("Choose a unit."))
    if not unit.active or unit.street_id != case.street_id:
        raise InvalidInput(_l("Choose an active unit of the case's street."), field)
    return unit


def _level(value) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = None
    if level not in LEVELS:
        raise InvalidInput(_l("Choose a level."), "level")
    return level


def _matter(value):
    if value in (None, ""):
        return None
    matter = load_instance(Matter, value, "matter", _l("Choose an item of the responsibility list."))
    if not matter.active:
        raise InvalidInput(_l("This item of the responsibility list is retired."), "matter")
    return matter


def _reason(step: _Step, field: str = "reason") -> str:
    return clean_text(step.inputs.get(field), field, required=True, message=_l("Give a reason."))


def _calendar(step: _Step) -> WorkCalendar | None:
    return step.inputs.get("calendar")


def _new_assignment(step: _Step, unit: Unit, role: str, limits: Limits, calendar) -> Assignment:
    with db.session.no_autoflush:          # the calendar's query must not flush a half-made row
        assignment = Assignment(unit=unit, role=role, state="dispatched")
        set_deadlines(assignment, step.now, limits, calendar)
    assignment.case = step.case
    db.session.add(assignment)
    case = step.case

    def send():
        notify_unit(unit.id, "case_dispatched",
                    say(_l("New case %(number)s for your unit: %(summary)s",
                            number=case.number, summary=summary(case))),
                    case_link(case.id))
    step.notes_for.append(send)
    return assignment


def _do_triage(step: _Step) -> None:
    level = _level(step.inputs.get("level"))
    if "matter" in step.inputs:
        step.case.matter = _matter(step.inputs["matter"])
    step.case.level = level
    step.data.update(level=level, matter_id=step.case.matter.id if step.case.matter else None)


def _do_handle_on_spot(step: _Step) -> None:
    if "matter" in step.inputs:
        step.case.matter = _matter(step.inputs["matter"])
    step.case.level = 1
    step.case.closed_at = step.now
    step.data["level"] = 1


def _dispatch_to(step: _Step, field: str = "unit") -> None:
    unit = _valid_unit(step.inputs.get(field), step.case, field)
    calendar = _calendar(step)
    step.case.level = 2
    _new_assignment(step, unit, "single", limits_for(step.case), calendar)
    step.data.update(level=2, **unit_info(unit))


def _whistle(step: _Step) -> None:
    kind = step.inputs.get("kind")
    if kind not in WHISTLE_KINDS:
        raise InvalidInput(_l("Choose the kind of whistle."), "kind")
    if step.inputs.get("lead") in (None, ""):
        raise InvalidInput(_l("Choose the lead unit."), "lead")
    lead = _valid_unit(step.inputs.get("lead"), step.case, "lead")
    cooperating = []
    for value in step.inputs.get("cooperating") or []:
        unit = _valid_unit(value, step.case, "cooperating")
        if unit.id == lead.id or unit in cooperating:
            raise InvalidInput(_l("Summon each unit once."), "cooperating")
        cooperating.append(unit)
    case = step.case
    case.level = 3
    case.whistle_kind = kind
    case.whistled_at = step.now
    case.whistle_filed = True
    limits = limits_for(case, kind)
    calendar = _calendar(step)
    if calendar is None and limits.unit == "days":
        calendar = WorkCalendar.load()
    units = []
    for unit, role in [(lead, "lead"), *[(u, "cooperating") for u in cooperating]]:
        _new_assignment(step, unit, role, limits, calendar)
        units.append({**unit_info(unit), "role": role})
    step.data.update(level=3, kind=kind, units=units)
    if case.matter is not None:
        unstaffed = responders(case.matter, case.street_id).unstaffed
        if unstaffed:
            step.data["unstaffed"] = [d.short_name or d.name for d in unstaffed]


def _do_dispatch(step: _Step) -> None:
    _dispatch_to(step)


def _do_whistle(step: _Step) -> None:
    _whistle(step)


def _do_adjudicate(step: _Step) -> None:
    decision = step.inputs.get("decision")
    if decision == "redispatch":
        _dispatch_to(step)
    elif decision == "whistle":
        _whistle(step)
    else:
        raise InvalidInput(_l("Choose: dispatch again or whistle."), "decision")
    step.data["decision"] = decision


def _do_reject(step: _Step) -> None:
    reason = _reason(step)
    step.case.reject_reason = reason
    step.data["reason"] = reason


def _do_merge(step: _Step) -> None:
    into = load_instance(Case, step.inputs.get("into"), "into", _l("Choose the original case."))
    case = step.case
    if into.id == case.id or into.street_id != case.street_id or into.state == "rejected" \
            or into.merged_into_id is not None:
        raise InvalidInput(_l("Choose an original case of the same street that is not itself merged."),
                           "into")
    case.merged_into = into
    case.reject_reason = clean_text(step.note, "note", limit=MAX_REASON) or into.number
    step.data.update(into_id=into.id, into_number=into.number)
    append_event(into, "merged_in", step.actor, into.state, into.state, step.now,
                  data={"case_id": case.id, "case_number": case.number})


def _do_sign_for(step: _Step) -> None:
    step.assignment.signed_at = step.now
    step.assignment.signed_by_id = actor_id(step.actor)
    step.data.update(assigned_unit_info(step.assignment))


def _float(step: _Step, field: str, low: float, high: float) -> float | None:
    value = step.inputs.get(field)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number != number or not low <= number <= high:
        raise InvalidInput(_l("The location is not valid."), field)
    return number


def _do_check_in(step: _Step) -> None:
    lat = _float(step, "lat", -90, 90)
    lng = _float(step, "lng", -180, 180)
    accuracy = _float(step, "accuracy", 0, 1_000_000)
    if (lat is None) != (lng is None):
        raise InvalidInput(_l("The location is not valid."), "lat")
    a = step.assignment
    a.checked_in_at = step.now
    a.checked_in_by_id = actor_id(step.actor)
    a.check_in_lat, a.check_in_lng, a.check_in_accuracy = lat, lng, accuracy
    step.data.update(assigned_unit_info(a), located=lat is not None)


def _do_log_progress(step: _Step) -> None:
    if not step.note:
        raise InvalidInput(_l("Describe what was done."), "note")


def _do_submit_result(step: _Step) -> None:
    result = clean_text(step.inputs.get("result"), "result", required=True, limit=MAX_DESCRIPTION,
                   message=_l("Describe the result."))
    a = step.assignment
    a.result = result
    a.submitted_at = step.now
    if a.first_submitted_at is None:
        a.first_submitted_at = step.now
    step.data.update(assigned_unit_info(a))
    case = step.case

    def send():
        notify_office(case, "case_result", say(_l("Case %(number)s: %(unit)s reported its result.",
                                                    number=case.number, unit=a.unit.name)))
    step.notes_for.append(send)


def _do_return(step: _Step) -> None:
    reason = _reason(step)
    a = step.assignment
    a.return_reason = reason
    step.data.update(assigned_unit_info(a), reason=reason)
    case = step.case

    def send():
        notify_office(case, "case_returned",
                       say(_l("Case %(number)s was returned by %(unit)s: %(reason)s",
                               number=case.number, unit=a.unit.name, reason=reason)),
                       adjudicators=True)
    step.notes_for.append(send)


def _do_verify(step: _Step) -> None:
    a = step.assignment
    a.verified_at = step.now
    a.verified_by_id = actor_id(step.actor)
    step.data.update(assigned_unit_info(a))


def _do_send_back(step: _Step) -> None:
    reason = _reason(step)
    a = step.assignment
    a.send_back_reason = reason
    a.verified_at = None
    step.data.update(assigned_unit_info(a), reason=reason)
    case = step.case

    def send():
        notify_unit(a.unit_id, "case_sent_back",
                    say(_l("Case %(number)s was sent back: %(reason)s", number=case.number, reason=reason)),
                    case_link(case.id))
    step.notes_for.append(send)


def _do_close(step: _Step) -> None:
    step.case.closed_at = step.now


def _do_force_close(step: _Step) -> None:
    reason = _reason(step)
    case = step.case
    case.forced_closure = True
    case.forced_reason = reason
    case.closed_at = step.now
    cancelled = []
    for a in case.assignments:
        if a.state in OPEN_ASSIGNMENT_STATES:
            a.state = "cancelled"
            cancelled.append(a.id)
    step.data.update(reason=reason, cancelled=cancelled)


def _do_press(step: _Step) -> None:
    a = step.assignment
    press = Press(assignment=a, by_id=actor_id(step.actor), at=step.now, note=step.note)
    db.session.add(press)
    step.data.update(assigned_unit_info(a))
    case = step.case
    note = step.note

    def send():
        text = _l("Case %(number)s is pressed (督办): %(note)s", number=case.number, note=note) if note \
            else _l("Case %(number)s is pressed (督办).", number=case.number)
        notify_unit(a.unit_id, "case_press", say(text), case_link(case.id), chiefs_only=False)
    step.notes_for.append(send)


def _do_reopen(step: _Step) -> None:
    case = step.case
    case.reopen_count += 1
    case.closed_at = None
    case.satisfaction.reopened = True

    def send():
        notify_office(case, "case_reopened",
                       say(_l("Case %(number)s was reopened after a resident was not satisfied.",
                               number=case.number)))
    step.notes_for.append(send)


_HANDLERS: dict[str, Callable[[_Step], None]] = {
    "triage": _do_triage,
    "handle_on_spot": _do_handle_on_spot,
    "dispatch": _do_dispatch,
    "whistle": _do_whistle,
    "adjudicate": _do_adjudicate,
    "reject": _do_reject,
    "merge": _do_merge,
    "sign_for": _do_sign_for,
    "check_in": _do_check_in,
    "log_progress": _do_log_progress,
    "submit_result": _do_submit_result,
    "return": _do_return,
    "verify": _do_verify,
    "send_back": _do_send_back,
    "close": _do_close,
    "force_close": _do_force_close,
    "press": _do_press,
    "reopen": _do_reopen,
}
assert set(_HANDLERS) == set(ACTIONS) == set(ACTION_INPUTS)


def proposed_units(case: Case) -> Responders | None:
    """The units the responsibility list proposes for the case's matter in its street (the lead
    for a dispatch; lead and cooperating for a whistle); None without a matter."""
    if case.matter is None:
        return None
    return responders(case.matter, case.street_id)

