"""Meeting rules: who sees and runs what, the state machine, deadlines, lights, regularity, rates.

Plain functions over models, testable without HTTP. Views load, check scope here, then act here.
"""
from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, false, func, select, true

from portal import permissions as perm
from portal.cases.models import OPEN_CASE_STATES, Case
from portal.extensions import db
from portal.meetings.models import (
    AgendaItem, Meeting, MeetingMember, MinutesRevision, Resolution, ResolutionUpdate, StandingMember,
)
from portal.org.models import Community, Street, Unit
from portal.timeutil import local_to_utc, to_local, utcnow
from portal.workcal.rules import Deadline, WorkCalendar, deadline


class RuleError(Exception):
    """The action is not allowed in the record's current state; the message is shown to the user."""


class StaleVersion(Exception):
    """The user acted on a version of the record that someone else has changed since."""


HELD = ("held", "minutes_approved")

# The state machine: (from state, action) -> to state. Every action is the convener side's
# (`can_manage`): the street secretary for the street's meetings, the district admin for the district's.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("planned", "hold"): "held",
    ("planned", "cancel"): "cancelled",
    ("held", "approve_minutes"): "minutes_approved",
}

# What may still change in each state (besides the transitions above).
EDITABLE_IN: dict[str, frozenset[str]] = {
    "details": frozenset({"planned"}),
    "members": frozenset({"planned"}),
    "agenda": frozenset({"planned", "held"}),
    "rsvp": frozenset({"planned"}),
    "attendance": frozenset({"planned", "held"}),
    "minutes_draft": frozenset({"held"}),
    "minutes_correction": frozenset({"minutes_approved"}),
    "resolutions": frozenset({"held", "minutes_approved"}),
}

# Which kinds each convening role may call; a street convenes only its own street's meetings.
CONVENES: dict[str, tuple[str, ...]] = {
    perm.DISTRICT_ADMIN: ("district",),
    perm.STREET_SECRETARY: ("party_building", "special", "consultation"),
}


def allowed_actions(meeting: Meeting) -> list[str]:
    return [action for (state, action) in TRANSITIONS if state == meeting.state]


def editable(meeting: Meeting, what: str) -> bool:
    return meeting.state in EDITABLE_IN[what]


def check_version(record, seen: int | str | None) -> None:
    """Raise StaleVersion unless the user saw the record's current version."""
    try:
        seen_int = int(seen) if seen not in (None, "") else None
    except (TypeError, ValueError):
        seen_int = None
    if seen_int != record.version:
        raise StaleVersion()


# --- scope -----------------------------------------------------------------------------------

def _unit_meeting_ids(unit_id: int):
    invited = select(MeetingMember.meeting_id).where(MeetingMember.unit_id == unit_id)
    given = select(Resolution.meeting_id).where(Resolution.unit_id == unit_id)
    return invited.union(given)


def meeting_scope(user):
    """A SQL condition on Meeting: the meetings this user may see."""
    if user.role == perm.DISTRICT_ADMIN:
        return true()
    if user.role in perm.STREET_ROLES:
        return Meeting.street_id == user.street_id
    if user.role == perm.UNIT_CHIEF:
        return Meeting.id.in_(_unit_meeting_ids(user.unit_id))
    if user.role == perm.GRID_WORKER:
        return and_(Meeting.kind == "consultation", Meeting.community_id == user.community_id)
    return false()


def can_view(user, meeting: Meeting | None) -> bool:
    if meeting is None:
        return False
    if user.role == perm.DISTRICT_ADMIN:
        return True
    if user.role in perm.STREET_ROLES:
        return meeting.street_id is not None and meeting.street_id == user.street_id
    if user.role == perm.UNIT_CHIEF:
        return (meeting.member_for(user.unit_id) is not None
                or any(r.unit_id == user.unit_id for r in meeting.resolutions))
    if user.role == perm.GRID_WORKER:
        return meeting.kind == "consultation" and meeting.community_id == user.community_id
    return False


def can_manage(user, meeting: Meeting) -> bool:
    """The convener side: runs the meeting, its members, attendance, minutes and resolutions."""
    if user.role == perm.DISTRICT_ADMIN:
        return meeting.street_id is None
    if user.role == perm.STREET_SECRETARY:
        return meeting.street_id is not None and meeting.street_id == user.street_id
    return False


def can_reply(user, meeting: Meeting) -> bool:
    """A unit chief answers the invitation of their own unit."""
    return user.role == perm.UNIT_CHIEF and meeting.member_for(user.unit_id) is not None


def resolution_scope(user):
    """A SQL condition on Resolution (joined to Meeting): the resolutions this user may see."""
    if user.role == perm.DISTRICT_ADMIN:
        return true()
    if user.role in perm.STREET_ROLES:
        return Meeting.street_id == user.street_id
    if user.role in perm.UNIT_ROLES:
        return Resolution.unit_id == user.unit_id
    if user.role == perm.GRID_WORKER:
        return and_(Meeting.kind == "consultation", Meeting.community_id == user.community_id)
    return false()


def can_view_resolution(user, resolution: Resolution | None) -> bool:
    if resolution is None:
        return False
    if user.role in perm.UNIT_ROLES:
        return resolution.unit_id == user.unit_id
    return can_view(user, resolution.meeting)


def can_work(user, resolution: Resolution) -> bool:
    """The chief of the unit the resolution was given to reports progress and the result."""
    return user.role == perm.UNIT_CHIEF and resolution.unit_id == user.unit_id


def can_press(user, resolution: Resolution) -> bool:
    return can_manage(user, resolution.meeting)


def visible_meetings(user, *, state: str | None = None, kind: str | None = None, upcoming: bool = False,
                     limit: int = 200):
    query = select(Meeting).where(meeting_scope(user))
    if state:
        query = query.where(Meeting.state == state)
    if kind:
        query = query.where(Meeting.kind == kind)
    if upcoming:
        query = query.where(Meeting.state == "planned", Meeting.ends_at >= utcnow()).order_by(Meeting.starts_at)
    else:
        query = query.order_by(Meeting.starts_at.desc())
    return db.session.scalars(query.limit(limit)).all()


def pending_invitations(user):
    """The chief's queue: planned meetings of their unit still waiting for a reply."""
    if user.role != perm.UNIT_CHIEF:
        return []
    return db.session.scalars(
        select(Meeting).join(MeetingMember).where(
            MeetingMember.unit_id == user.unit_id, MeetingMember.rsvp == "pending",
            Meeting.state == "planned").order_by(Meeting.starts_at)).all()


def visible_resolutions(user, *, include_done: bool = False, unit_id: int | None = None,
                        overdue_only: bool = False, limit: int = 500):
    query = select(Resolution).join(Meeting).where(resolution_scope(user), Meeting.state != "cancelled")
    if not include_done:
        query = query.where(Resolution.state != "done")
    if unit_id:
        query = query.where(Resolution.unit_id == unit_id)
    if overdue_only:
        query = query.where(Resolution.state != "done", Resolution.deadline_at < utcnow())
    return db.session.scalars(query.order_by(Resolution.deadline_at, Resolution.id).limit(limit)).all()


def convenable_kinds(user) -> tuple[str, ...]:
    return CONVENES.get(user.role, ())


def member_choices(user, meeting: Meeting | None = None) -> list[Unit]:
    """Units a convener may invite: the street's units; the district invites any unit."""
    street_id = meeting.street_id if meeting is not None else (
        None if user.role == perm.DISTRICT_ADMIN else user.street_id)
    query = select(Unit).where(Unit.active)
    if street_id is not None:
        query = query.where(Unit.street_id == street_id)
    return db.session.scalars(query.order_by(Unit.street_id, Unit.code)).all()


def standing_members(street_id: int | None) -> list[StandingMember]:
    cond = StandingMember.street_id.is_(None) if street_id is None else StandingMember.street_id == street_id
    return db.session.scalars(select(StandingMember).join(Unit).where(cond).order_by(Unit.code)).all()


# --- actions ---------------------------------------------------------------------------------

def plan_meeting(*, kind: str, title: str, starts_at: datetime, ends_at: datetime, place: str,
                 convener, street_id: int | None, community_id: int | None = None, purpose: str = "",
                 unit_ids: list[int] | None = None) -> Meeting:
    """A planned meeting whose members start from the standing list (or the given units)."""
    if kind not in CONVENES.get(convener.role, ()):
        raise RuleError("kind")
    if ends_at <= starts_at:
        raise RuleError("ends_before_start")
    if kind == "consultation" and community_id is None:
        raise RuleError("community_required")
    meeting = Meeting(kind=kind, title=title, starts_at=starts_at, ends_at=ends_at, place=place,
                      convener=convener, street_id=street_id, purpose=purpose,
                      community_id=community_id if kind == "consultation" else None, state="planned",
                      minutes="", cancel_reason="")
    if unit_ids is None:
        unit_ids = [s.unit_id for s in standing_members(street_id)]
    for unit_id in dict.fromkeys(unit_ids):
        meeting.members.append(MeetingMember(unit_id=unit_id))
    db.session.add(meeting)
    return meeting


def add_member(meeting: Meeting, unit_id: int) -> MeetingMember | None:
    if not editable(meeting, "members"):
        raise RuleError("state")
    if meeting.member_for(unit_id) is not None:
        return None
    member = MeetingMember(unit_id=unit_id)
    meeting.members.append(member)
    return member


def remove_member(meeting: Meeting, member: MeetingMember) -> None:
    if not editable(meeting, "members"):
        raise RuleError("state")
    meeting.members.remove(member)


def transition(meeting: Meeting, action: str, user, *, reason: str = "") -> str:
    """Apply `action` from the table; returns the previous state."""
    target = TRANSITIONS.get((meeting.state, action))
    if target is None:
        raise RuleError("state")
    before = meeting.state
    now = utcnow()
    if action == "cancel":
        if not reason.strip():
            raise RuleError("reason_required")
        meeting.cancel_reason = reason.strip()
    elif action == "hold":
        meeting.held_at = now
    elif action == "approve_minutes":
        if not (meeting.minutes or "").strip():
            raise RuleError("minutes_empty")
        meeting.minutes_approved_at = now
        meeting.minutes_approved_by_id = user.id
        meeting.revisions.append(MinutesRevision(number=1, body=meeting.minutes, author_id=user.id,
                                                 created_at=now))
    meeting.state = target
    return before


def save_minutes(meeting: Meeting, body: str, user, note: str = "") -> MinutesRevision | None:
    """Edit the draft while held; once approved, a correction is a new revision (never in place)."""
    if editable(meeting, "minutes_draft"):
        meeting.minutes = body
        return None
    if editable(meeting, "minutes_correction"):
        if not note.strip():
            raise RuleError("note_required")
        number = (meeting.revisions[-1].number if meeting.revisions else 0) + 1
        revision = MinutesRevision(number=number, body=body, note=note.strip(), author_id=user.id)
        meeting.revisions.append(revision)
        meeting.updated_at = utcnow()  # bumps the meeting's version: a concurrent editor gets 409
        return revision
    raise RuleError("state")


def reply(meeting: Meeting, member: MeetingMember, user, answer: str, attendee: str = "",
          reason: str = "") -> None:
    if not editable(meeting, "rsvp"):
        raise RuleError("state")
    if answer == "confirmed":
        if not attendee.strip():
            raise RuleError("attendee_required")
        member.rsvp_attendee, member.rsvp_reason = attendee.strip(), ""
    elif answer == "apologies":
        if not reason.strip():
            raise RuleError("reason_required")
        member.rsvp_attendee, member.rsvp_reason = "", reason.strip()
    else:
        raise RuleError("answer")
    member.rsvp = answer
    member.rsvp_by_id = user.id
    member.rsvp_at = utcnow()


def mark_attendance(meeting: Meeting, member: MeetingMember, status: str, attendee: str = "",
                    reason: str = "") -> None:
    if not editable(meeting, "attendance"):
        raise RuleError("state")
    if status == "present":
        if not attendee.strip():
            raise RuleError("attendee_required")
        member.attendee, member.absence_reason = attendee.strip(), ""
    elif status == "absent_excused":
        if not reason.strip():
            raise RuleError("reason_required")
        member.attendee, member.absence_reason = "", reason.strip()
    elif status == "absent_unexcused":
        member.attendee, member.absence_reason = "", ""
    else:
        raise RuleError("status")
    member.attendance = status


def add_agenda_item(meeting: Meeting, title: str, presenter_unit_id: int | None, notes: str = "") -> AgendaItem:
    if not editable(meeting, "agenda"):
        raise RuleError("state")
    position = max((i.position for i in meeting.agenda), default=0) + 1
    item = AgendaItem(title=title, presenter_unit_id=presenter_unit_id, notes=notes, position=position)
    meeting.agenda.append(item)
    return item


def move_agenda_item(meeting: Meeting, item: AgendaItem, direction: str) -> bool:
    """Swap the item with its neighbour; False when it is already at that end."""
    if not editable(meeting, "agenda"):
        raise RuleError("state")
    items = sorted(meeting.agenda, key=lambda i: (i.position, i.id))
    for number, it in enumerate(items, start=1):
        it.position = number  # close any gaps left by deletions
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        return False
    items[index].position, items[other].position = items[other].position, items[index].position
    meeting.agenda.sort(key=lambda i: i.position)
    return True


def remove_agenda_item(meeting: Meeting, item: AgendaItem) -> None:
    if not editable(meeting, "agenda"):
        raise RuleError("state")
    meeting.agenda.remove(item)


# --- cases on the agenda ---------------------------------------------------------------------

def _case_scope(street_id: int | None):
    """A street meeting takes up its own street's cases; the district's takes up any case."""
    return true() if street_id is None else Case.street_id == street_id


def find_case(street_id: int | None, number: str) -> Case | None:
    """The case with this number that a meeting of this street (None: the district) may take up."""
    number = (number or "").strip()
    if not number:
        return None
    return db.session.scalar(select(Case).where(_case_scope(street_id), func.upper(Case.number) == number.upper()))


def case_suggestions(street_id: int | None, limit: int = 50) -> list[Case]:
    """Open cases for the picker: whistles and returned cases (the hard ones) first."""
    hard = (Case.level == 3) | (Case.state == "returned")
    return db.session.scalars(
        select(Case).where(_case_scope(street_id), Case.state.in_(OPEN_CASE_STATES))
        .order_by(hard.desc(), Case.created_at.desc()).limit(limit)).all()


def link_case(meeting: Meeting, item: AgendaItem, case: Case | None) -> bool:
    """Put a case on an agenda item; False when it is already there."""
    if not editable(meeting, "agenda"):
        raise RuleError("state")
    if case is None:
        raise RuleError("case_not_found")
    if case in item.cases:
        return False
    item.cases.append(case)
    return True


def unlink_case(meeting: Meeting, item: AgendaItem, case: Case) -> None:
    if not editable(meeting, "agenda"):
        raise RuleError("state")
    if case in item.cases:
        item.cases.remove(case)


def resolution_deadline(start_utc: datetime, *, days: int | None = None, due_date: date | None = None,
                        calendar: WorkCalendar | None = None) -> Deadline:
    """`days` working days after the start, or the end (24:00 Beijing time) of `due_date`."""
    if due_date is not None:
        end = datetime.combine(due_date + timedelta(days=1), time(0, 0))
        cal = calendar or WorkCalendar.load()
        return Deadline(local_to_utc(end), not cal.year_known(due_date.year))
    if days is None or days < 1:
        raise RuleError("deadline_required")
    return deadline(start_utc, days, "days", calendar)


def give_resolution(meeting: Meeting, *, text: str, unit_id: int, user, days: int | None = None,
                    due_date: date | None = None, now: datetime | None = None,
                    calendar: WorkCalendar | None = None) -> Resolution:
    if not editable(meeting, "resolutions"):
        raise RuleError("state")
    now = now or utcnow()
    due = resolution_deadline(now, days=days, due_date=due_date, calendar=calendar)
    if due.at <= now:
        raise RuleError("deadline_past")
    resolution = Resolution(text=text.strip(), unit_id=unit_id, deadline_at=due.at,
                            deadline_unknown_year=due.unknown_year, created_by_id=user.id, created_at=now)
    meeting.resolutions.append(resolution)
    return resolution


def report_progress(resolution: Resolution, user, text: str) -> ResolutionUpdate:
    if resolution.state == "done":
        raise RuleError("state")
    if not text.strip():
        raise RuleError("text_required")
    resolution.state = "in_progress"
    update = ResolutionUpdate(kind="progress", text=text.strip(), user_id=user.id)
    resolution.updates.append(update)
    return update


def complete(resolution: Resolution, user, result: str) -> ResolutionUpdate:
    if resolution.state == "done":
        raise RuleError("state")
    if not result.strip():
        raise RuleError("text_required")
    resolution.state = "done"
    resolution.result = result.strip()
    resolution.done_at = utcnow()
    update = ResolutionUpdate(kind="done", text=resolution.result, user_id=user.id)
    resolution.updates.append(update)
    return update


def press(resolution: Resolution, user, note: str = "", now: datetime | None = None) -> ResolutionUpdate:
    """督办: only an overdue resolution can be pressed; every press is kept."""
    if light(resolution, now=now) != "red":
        raise RuleError("not_overdue")
    update = ResolutionUpdate(kind="press", text=note.strip(), user_id=user.id)
    resolution.updates.append(update)
    return update


# --- lights ----------------------------------------------------------------------------------

def light(resolution: Resolution, now: datetime | None = None, calendar: WorkCalendar | None = None) -> str | None:
    """green on track, yellow due within one working day, red overdue; None once done."""
    if resolution.state == "done":
        return None
    now = now or utcnow()
    if now >= resolution.deadline_at:
        return "red"
    calendar = calendar or WorkCalendar()
    if resolution.deadline_at - now <= timedelta(hours=24) or \
            calendar.working_days_between(now, resolution.deadline_at) <= 1:
        return "yellow"
    return "green"


# --- regularity (the district's view) --------------------------------------------------------

def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def _local_midnight_utc(day: date) -> datetime:
    return local_to_utc(datetime.combine(day, time(0, 0)))


@dataclass
class StreetRegularity:
    street: Street
    last_held: date | None


def streets_without_party_building(today: date) -> list[StreetRegularity]:
    """Streets with no party-building joint meeting held in the six months up to `today`."""
    since = _local_midnight_utc(months_before(today, 6))
    last = dict(db.session.execute(
        select(Meeting.street_id, func.max(Meeting.starts_at)).where(
            Meeting.kind == "party_building", Meeting.state.in_(HELD)).group_by(Meeting.street_id)).all())
    result = []
    for street in db.session.scalars(select(Street).where(Street.active).order_by(Street.code)):
        held = last.get(street.id)
        if held is None or held < since:
            result.append(StreetRegularity(street, to_local(held).date() if held else None))
    return result


def month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    nxt = months_before(first, -1)
    return _local_midnight_utc(first), _local_midnight_utc(nxt)


def communities_without_consultation(month: date) -> list[Community]:
    """Communities with no consultation day held in that (local) month."""
    start, end = month_bounds(month)
    held = select(Meeting.community_id).where(
        Meeting.kind == "consultation", Meeting.state.in_(HELD),
        Meeting.starts_at >= start, Meeting.starts_at < end, Meeting.community_id.is_not(None))
    return db.session.scalars(
        select(Community).join(Street).where(Community.active, Community.id.not_in(held))
        .order_by(Street.code, Community.code)).all()


def last_complete_months(today: date, count: int = 3) -> list[date]:
    first = today.replace(day=1)
    return [months_before(first, n) for n in range(1, count + 1)]


# --- attendance rates ------------------------------------------------------------------------

@dataclass
class AttendanceRate:
    unit: Unit
    invited: int = 0
    present: int = 0
    excused: int = 0
    unexcused: int = 0

    @property
    def rate(self) -> float | None:
        return self.present / self.invited if self.invited else None


def attendance_rates(year: int, street_id: int | None = None, district_only: bool = False) -> list[AttendanceRate]:
    """Per member unit, over the meetings held in `year` (Beijing time) in the given scope."""
    start = _local_midnight_utc(date(year, 1, 1))
    end = _local_midnight_utc(date(year + 1, 1, 1))
    query = (select(MeetingMember).join(Meeting)
             .where(Meeting.state.in_(HELD), Meeting.starts_at >= start, Meeting.starts_at < end))
    if street_id is not None:
        query = query.where(Meeting.street_id == street_id)
    elif district_only:
        query = query.where(Meeting.street_id.is_(None))
    rows: dict[int, AttendanceRate] = {}
    for member in db.session.scalars(query):
        row = rows.setdefault(member.unit_id, AttendanceRate(member.unit))
        row.invited += 1
        if member.attendance == "present":
            row.present += 1
        elif member.attendance == "absent_excused":
            row.excused += 1
        elif member.attendance == "absent_unexcused":
            row.unexcused += 1
    return sorted(rows.values(), key=lambda r: (r.rate if r.rate is not None else 2, r.unit.code))


def street_filter_ok(street_id: int | None) -> bool:
    return street_id is None or db.session.get(Street, street_id) is not None

