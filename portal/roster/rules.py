"""The roster's rules: shifts, day status, check-in and check-out, schedule edits, the monthly
summary, the 1+5+N composition and its warnings, and who may see or log what.

Plain functions over models, testable without HTTP. Dates are Beijing dates; datetimes passed in
and stored are naive UTC; windows are compared as naive Beijing wall-clock times.
"""
from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import permissions as perm
from portal.extensions import db, lazy_gettext as _l
from portal.org.models import Department, Street
from portal.roster.models import (
    CORE, ON_CALL, STATIONED, Assessment, Attendance, Center, CenterDepartment, Leave, Member,
    ScheduleEntry,
)
from portal.timeutil import local_to_utc, to_local, utcnow
from portal.workcal.rules import WorkCalendar

# Arriving up to this late, or leaving this early, still counts as on time.
GRACE = timedelta(minutes=5)
# A check-in logged by someone else this long after the moment it records needs a reason.
AFTER_THE_FACT = timedelta(minutes=30)
# How far back a check-in may still be logged; older days are history.
LOG_WINDOW_DAYS = 7
# Clocks differ a little between phones and the server.
CLOCK_SKEW = timedelta(minutes=2)
STATIONED_MIN, STATIONED_MAX = 1, 2


class RosterError(Exception):
    """A rule refused the action; `message` is shown to the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class Conflict(Exception):
    """The record changed since the user saw it (answer 409 with the current state)."""


# --- shifts --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shift:
    code: str
    label: object
    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def window(self, day: date) -> tuple[datetime, datetime]:
        """Start and end of the shift on `day`, as naive Beijing times."""
        start = datetime.combine(day, self.start)
        end = datetime.combine(day + timedelta(days=1) if self.crosses_midnight else day, self.end)
        return start, end


SHIFTS: dict[str, Shift] = {
    "day": Shift("day", _l("Day shift"), time(8, 30), time(17, 30)),
    "evening": Shift("evening", _l("Evening shift"), time(14, 0), time(22, 0)),
    "night": Shift("night", _l("Night shift"), time(22, 0), time(8, 0)),
}
DEFAULT_SHIFT = "day"


def shift_for(code: str | None) -> Shift | None:
    return SHIFTS.get(code) if code else None


def local_naive(value_utc: datetime | None) -> datetime | None:
    local = to_local(value_utc)
    return local.replace(tzinfo=None) if local else None


def local_now(now_utc: datetime | None = None) -> datetime:
    return local_naive(now_utc or utcnow())


# --- day status ------------------------------------------------------------------------------

PRESENT, LATE, EARLY_LEAVE, ABSENT, ON_LEAVE = "present", "late", "early_leave", "absent", "on_leave"
PENDING, OFF, EXTRA = "pending", "off", "extra"

STATUS_LABELS = {
    PRESENT: _l("present"), LATE: _l("late"), EARLY_LEAVE: _l("early leave"), ABSENT: _l("absent"),
    ON_LEAVE: _l("on leave"), PENDING: _l("not yet checked in"), OFF: _l("not scheduled"),
    EXTRA: _l("present (not scheduled)"),
}
STATUS_BADGES = {
    PRESENT: "badge-ok", LATE: "badge-warn", EARLY_LEAVE: "badge-warn", ABSENT: "badge-danger",
    ON_LEAVE: "badge-info", PENDING: "badge-off", OFF: "badge-off", EXTRA: "badge-ok",
}


@dataclass
class DayStatus:
    day: date
    status: str
    shift: Shift | None = None
    attendance: Attendance | None = None
    leave: Leave | None = None
    late: bool = False
    early: bool = False
    missing_checkout: bool = False

    @property
    def label(self):
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def attended(self) -> bool:
        return self.attendance is not None


def day_status(day: date, shift_code: str | None, attendance: Attendance | None, leave: Leave | None,
               now_local: datetime) -> DayStatus:
    """How a member's day stands against the schedule: present, late, early leave, absent, on leave."""
    shift = shift_for(shift_code)
    result = DayStatus(day, OFF, shift, attendance, leave)
    if shift is None:
        if attendance is not None:
            result.status = EXTRA
        elif leave is not None:
            result.status = ON_LEAVE
        return result
    start, end = shift.window(day)
    if attendance is None:
        if leave is not None:
            result.status = ON_LEAVE
        elif now_local > end:
            result.status = ABSENT
        else:
            result.status = PENDING
        return result
    checked_in = local_naive(attendance.check_in_at)
    checked_out = local_naive(attendance.check_out_at)
    result.late = checked_in > start + GRACE
    result.early = checked_out is not None and checked_out < end - GRACE
    result.missing_checkout = checked_out is None and now_local > end
    result.status = LATE if result.late else EARLY_LEAVE if result.early else PRESENT
    return result


# --- loading a center's data -----------------------------------------------------------------

def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def schedule_map(member_ids, first: date, last: date) -> dict[tuple[int, date], ScheduleEntry]:
    if not member_ids:
        return {}
    rows = db.session.scalars(select(ScheduleEntry).where(
        ScheduleEntry.member_id.in_(list(member_ids)), ScheduleEntry.day >= first,
        ScheduleEntry.day <= last))
    return {(r.member_id, r.day): r for r in rows}


def attendance_map(member_ids, first: date, last: date) -> dict[tuple[int, date], Attendance]:
    if not member_ids:
        return {}
    rows = db.session.scalars(select(Attendance).where(
        Attendance.member_id.in_(list(member_ids)), Attendance.day >= first, Attendance.day <= last))
    return {(r.member_id, r.day): r for r in rows}


def leaves_of(member_ids, first: date, last: date) -> dict[int, list[Leave]]:
    found: dict[int, list[Leave]] = {}
    if not member_ids:
        return found
    rows = db.session.scalars(select(Leave).where(
        Leave.member_id.in_(list(member_ids)), Leave.start_date <= last, Leave.end_date >= first)
        .order_by(Leave.start_date))
    for row in rows:
        found.setdefault(row.member_id, []).append(row)
    return found


def leave_on(leaves: list[Leave], day: date) -> Leave | None:
    return next((leave for leave in leaves if leave.covers(day)), None)


def statuses(members, first: date, last: date, now_local: datetime) -> dict[tuple[int, date], DayStatus]:
    """Each member's status for each day from first to last (days they serve on)."""
    ids = [m.id for m in members]
    entries = schedule_map(ids, first, last)
    done = attendance_map(ids, first, last)
    leaves = leaves_of(ids, first, last)
    result = {}
    for member in members:
        for day in days_between(first, last):
            if not member.serves_on(day):
                continue
            entry = entries.get((member.id, day))
            result[(member.id, day)] = day_status(
                day, entry.shift if entry else None, done.get((member.id, day)),
                leave_on(leaves.get(member.id, []), day), now_local)
    return result


# --- check-in and check-out ------------------------------------------------------------------

def attendance_for(member: Member, day: date) -> Attendance | None:
    return db.session.scalar(select(Attendance).where(Attendance.member_id == member.id,
                                                      Attendance.day == day))


def scheduled_shift(member: Member, day: date) -> Shift | None:
    code = db.session.scalar(select(ScheduleEntry.shift).where(ScheduleEntry.member_id == member.id,
                                                               ScheduleEntry.day == day))
    return shift_for(code)


def _check_moment(member: Member, at_utc: datetime, now_utc: datetime) -> date:
    if at_utc > now_utc + CLOCK_SKEW:
        raise RosterError(_l("A check-in or check-out cannot be in the future."))
    day = local_naive(at_utc).date()
    if day < local_naive(now_utc).date() - timedelta(days=LOG_WINDOW_DAYS):
        raise RosterError(_l("Days more than %(n)d days ago can no longer be changed.", n=LOG_WINDOW_DAYS))
    if not member.serves_on(day):
        raise RosterError(_l("%(name)s is not on the roster on that day.", name=member.name))
    return day


def _logged_for_someone_else(member: Member, by) -> bool:
    return by is None or member.user_id != by.id


def check_in(member: Member, at_utc: datetime, by, *, now_utc: datetime | None = None, reason: str = "",
             seen_version: int | None = None, lat=None, lng=None, accuracy=None) -> Attendance:
    """Record the member's arrival; late arrivals and check-ins logged after the fact need a reason."""
    now_utc = now_utc or utcnow()
    reason = (reason or "").strip()
    day = _check_moment(member, at_utc, now_utc)
    existing = attendance_for(member, day)
    if existing is not None:
        if seen_version is not None and seen_version != existing.version:
            raise Conflict()
        raise RosterError(_l("%(name)s has already checked in on %(day)s.", name=member.name,
                             day=day.isoformat()))
    shift = scheduled_shift(member, day)
    if shift is not None and local_naive(at_utc) > shift.window(day)[0] + GRACE and not reason:
        raise RosterError(_l("The check-in is late: give a reason."))
    if _logged_for_someone_else(member, by) and now_utc - at_utc > AFTER_THE_FACT and not reason:
        raise RosterError(_l("The check-in is logged after the fact: give a reason."))
    record = Attendance(member_id=member.id, day=day, check_in_at=at_utc,
                        check_in_by_id=by.id if by is not None else None, check_in_reason=reason[:200],
                        lat=lat, lng=lng, accuracy=accuracy)
    record.member = member
    db.session.add(record)
    return record


def open_attendance(member: Member, now_utc: datetime) -> Attendance | None:
    """The record a check-out now closes: today's, or last night's shift still running."""
    today = local_naive(now_utc).date()
    for day in (today, today - timedelta(days=1)):
        record = attendance_for(member, day)
        if record is None:
            continue
        if day == today:
            return record
        shift = scheduled_shift(member, day)
        if record.check_out_at is None and shift is not None and shift.crosses_midnight:
            return record
    return None


def check_out(member: Member, at_utc: datetime, by, *, day: date | None = None,
              now_utc: datetime | None = None, reason: str = "", seen_version: int | None = None) -> Attendance:
    """Record the member's departure from the day they checked in on."""
    now_utc = now_utc or utcnow()
    if at_utc > now_utc + CLOCK_SKEW:
        raise RosterError(_l("A check-in or check-out cannot be in the future."))
    record = attendance_for(member, day) if day is not None else open_attendance(member, at_utc)
    if record is None:
        if seen_version:
            raise Conflict()
        raise RosterError(_l("There is no check-in to check out from."))
    if seen_version is not None and seen_version != record.version:
        raise Conflict()
    if record.check_out_at is not None:
        raise RosterError(_l("%(name)s has already checked out.", name=member.name))
    if at_utc < record.check_in_at:
        raise RosterError(_l("The check-out cannot be before the check-in."))
    if record.day < local_naive(now_utc).date() - timedelta(days=LOG_WINDOW_DAYS):
        raise RosterError(_l("Days more than %(n)d days ago can no longer be changed.", n=LOG_WINDOW_DAYS))
    record.check_out_at = at_utc
    record.check_out_by_id = by.id if by is not None else None
    record.check_out_reason = (reason or "").strip()[:200]
    return record


def moment_on(day: date, clock: time, shift: Shift | None) -> datetime:
    """The UTC moment of a wall-clock time typed for a shift day (night shifts end the next day)."""
    when = datetime.combine(day, clock)
    if shift is not None and shift.crosses_midnight and clock < time(12, 0):
        when += timedelta(days=1)
    return local_to_utc(when)


# --- schedule editing ------------------------------------------------------------------------

def set_shift(member: Member, day: date, code: str, seen_version: int) -> ScheduleEntry | None:
    """Put `code` (or nothing, for a day off) in the member's cell; 409 if the cell changed meanwhile."""
    if code and code not in SHIFTS:
        raise RosterError(_l("Choose a shift from the list."))
    if not member.serves_on(day):
        raise RosterError(_l("%(name)s is not on the roster on that day.", name=member.name))
    entry = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.member_id == member.id,
                                                          ScheduleEntry.day == day))
    if (entry.version if entry else 0) != seen_version:
        raise Conflict()
    if not code:
        if entry is not None:
            db.session.delete(entry)
        return None
    if entry is None:
        entry = ScheduleEntry(member_id=member.id, day=day, shift=code)
        entry.member = member
        db.session.add(entry)
    else:
        entry.shift = code
    return entry


def schedulable(center: Center, first: date, last: date) -> list[Member]:
    """Core and stationed members serving at some point between first and last, in roster order."""
    members = [m for m in center.members if m.kind in (CORE, STATIONED)
               and m.start_date <= last and (m.end_date is None or m.end_date >= first)]
    return sorted(members, key=member_order)


def copy_week(center: Center, start: date) -> int:
    """Replace the week starting `start` with the week before; returns the cells written."""
    members = schedulable(center, start, start + timedelta(days=6))
    ids = [m.id for m in members]
    previous = schedule_map(ids, start - timedelta(days=7), start - timedelta(days=1))
    current = schedule_map(ids, start, start + timedelta(days=6))
    for entry in current.values():
        db.session.delete(entry)
    db.session.flush()
    written = 0
    for member in members:
        for offset in range(7):
            source = previous.get((member.id, start - timedelta(days=7 - offset)))
            day = start + timedelta(days=offset)
            if source is not None and member.serves_on(day):
                db.session.add(ScheduleEntry(member_id=member.id, day=day, shift=source.shift))
                written += 1
    return written


def fill_working_days(center: Center, start: date, calendar: WorkCalendar) -> int:
    """Give every core and stationed member a day shift on each working day of the week that is empty."""
    members = schedulable(center, start, start + timedelta(days=6))
    current = schedule_map([m.id for m in members], start, start + timedelta(days=6))
    written = 0
    for member in members:
        for day in days_between(start, start + timedelta(days=6)):
            if (member.id, day) in current or not member.serves_on(day) or not calendar.is_workday(day):
                continue
            db.session.add(ScheduleEntry(member_id=member.id, day=day, shift=DEFAULT_SHIFT))
            written += 1
    return written


# --- monthly summary ---------------------------------------------------------------------------

def parse_month(value: str | None, today: date) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, pycalendar.monthrange(year, month)[1])


@dataclass
class MonthLine:
    """One person's (or one unit's) month: days scheduled and how each went."""

    label: str
    member: Member | None = None
    scheduled: int = 0
    attended: int = 0      # checked in on a scheduled day (on time, late or leaving early)
    present: int = 0       # on time and stayed to the end
    late: int = 0
    early_leave: int = 0
    absent: int = 0
    on_leave: int = 0
    extra: int = 0         # checked in on a day without a shift (e.g. holiday duty)
    upcoming: int = 0      # scheduled days still to come
    assessment: Assessment | None = None

    COUNTS = ("scheduled", "attended", "present", "late", "early_leave", "absent", "on_leave", "extra",
              "upcoming")

    def add(self, status: DayStatus) -> None:
        if status.shift is not None:
            self.scheduled += 1
        if status.status == EXTRA:
            self.extra += 1
        elif status.status == ON_LEAVE and status.shift is not None:
            self.on_leave += 1
        elif status.status == ABSENT:
            self.absent += 1
        elif status.status == PENDING:
            self.upcoming += 1
        elif status.attended:
            self.attended += 1
            self.late += status.late
            self.early_leave += status.early
            self.present += status.status == PRESENT

    def merge(self, other: "MonthLine") -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class MonthSummary:
    year: int
    month: int
    working_days: int
    people: list[MonthLine] = field(default_factory=list)
    units: list[MonthLine] = field(default_factory=list)

    @property
    def key(self) -> str:
        return month_key(self.year, self.month)


def month_summary(members: list[Member], year: int, month: int, *, now_utc: datetime | None = None,
                  calendar: WorkCalendar | None = None) -> MonthSummary:
    """Per person and per unit: days scheduled, present, late, early leave, absent, on leave."""
    first, last = month_bounds(year, month)
    calendar = calendar or WorkCalendar.load()
    summary = MonthSummary(year, month, sum(calendar.is_workday(d) for d in days_between(first, last)))
    members = sorted(members, key=member_order)
    by_day = statuses(members, first, last, local_now(now_utc))
    assessments = {a.member_id: a for a in db.session.scalars(select(Assessment).where(
        Assessment.member_id.in_([m.id for m in members]), Assessment.month == month_key(year, month)))}
    units: dict[str, MonthLine] = {}
    for member in members:
        line = MonthLine(member.name, member, assessment=assessments.get(member.id))
        for day in days_between(first, last):
            status = by_day.get((member.id, day))
            if status is not None:
                line.add(status)
        summary.people.append(line)
        unit_name = member.unit.name if member.unit else member.department.name
        units.setdefault(unit_name, MonthLine(unit_name)).merge(line)
    summary.units = list(units.values())
    return summary


# --- the 1+5+N composition -------------------------------------------------------------------

KIND_LABELS = {CORE: _l("Core (the 1)"), STATIONED: _l("Stationed (the 5)"), ON_CALL: _l("On call (the N)")}
KIND_SHORT = {CORE: _l("core"), STATIONED: _l("stationed"), ON_CALL: _l("on call")}
KIND_ORDER = {CORE: 0, STATIONED: 1, ON_CALL: 2}

# The seeds' default: 城管执法 as the core; 公安, 消防, 交通 and 市场监管 (工商 and 食药 since the
# 2018 merger) stationed; the departments that keep a unit in the street plus 文旅 on call.
DEFAULT_CORE = ("cgzf",)
DEFAULT_STATIONED = ("gaj", "xf", "jtzd", "scjg")
DEFAULT_ON_CALL = ("sfj", "fgj", "ghzr", "ylhj", "whly")


def member_order(member: Member):
    return (KIND_ORDER.get(member.kind, 9), member.department_id or 0, member.unit_id or 0, member.id or 0)


@dataclass
class DepartmentGroup:
    department: Department
    kind: str
    members: list[Member]


@dataclass
class Composition:
    center: Center
    groups: dict[str, list[DepartmentGroup]]
    unplaced: list[Member]
    warnings: list[str]

    @property
    def formula(self) -> str:
        return f"{len(self.groups[CORE])}+{len(self.groups[STATIONED])}+N"


def active_members(center: Center, day: date) -> list[Member]:
    return sorted((m for m in center.members if m.serves_on(day)), key=member_order)


def composition(center: Center, day: date) -> Composition:
    """The center at a glance, with what is wrong with it today."""
    members = active_members(center, day)
    kinds = {cd.department_id: cd.kind for cd in center.departments}
    groups: dict[str, list[DepartmentGroup]] = {CORE: [], STATIONED: [], ON_CALL: []}
    for cd in sorted(center.departments, key=lambda c: c.department_id):
        groups[cd.kind].append(DepartmentGroup(cd.department, cd.kind, [
            m for m in members if m.department_id == cd.department_id and m.kind == cd.kind]))
    placed = {m.id for kind in groups.values() for g in kind for m in g.members}
    unplaced = [m for m in members if m.id not in placed]
    warnings = []
    for group in groups[CORE]:
        if not group.members:
            warnings.append(_l("The core team (%(dept)s) has no one on the roster.",
                               dept=group.department.short_name or group.department.name))
    for group in groups[STATIONED]:
        count = len(group.members)
        if count < STATIONED_MIN:
            warnings.append(_l("%(dept)s is a stationed department but has no one at the center.",
                               dept=group.department.short_name or group.department.name))
        elif count > STATIONED_MAX:
            warnings.append(_l("%(dept)s has %(n)d people stationed; a department stations one or two.",
                               dept=group.department.short_name or group.department.name, n=count))
    for group in groups[ON_CALL]:
        if not group.members:
            warnings.append(_l("%(dept)s is on call but has no named contact.",
                               dept=group.department.short_name or group.department.name))
    for member in members:
        if member.unit is not None and not member.unit.active:
            warnings.append(_l("%(name)s belongs to an inactive unit (%(unit)s).",
                               name=member.name, unit=member.unit.name))
        if member.user is not None and not member.user.active:
            warnings.append(_l("The login of %(name)s is deactivated.", name=member.name))
    for member in unplaced:
        warnings.append(_l("%(name)s is listed as %(kind)s but %(dept)s is not a %(kind)s department here.",
                           name=member.name, kind=KIND_SHORT[member.kind],
                           dept=member.department.short_name or member.department.name))
    return Composition(center, groups, unplaced, warnings)


def ensure_center(street: Street) -> Center:
    """The street's center, created with the default 1+5+N departments on first use."""
    center = db.session.scalar(select(Center).where(Center.street_id == street.id))
    if center is not None:
        return center
    center = Center(street_id=street.id, name=f"{street.name}综合执法中心")
    center.street = street
    db.session.add(center)
    codes = {**{c: CORE for c in DEFAULT_CORE}, **{c: STATIONED for c in DEFAULT_STATIONED},
             **{c: ON_CALL for c in DEFAULT_ON_CALL}}
    departments = db.session.scalars(select(Department).where(Department.code.in_(list(codes)),
                                                              Department.active))
    for department in departments:
        center.departments.append(CenterDepartment(department=department, kind=codes[department.code]))
    db.session.flush()
    return center


def set_department_kinds(center: Center, kinds: dict[int, str | None]) -> dict[str, list]:
    """Set which departments are core, stationed or on call here; returns the changes for the audit."""
    current = {cd.department_id: cd for cd in center.departments}
    diff = {}
    for department_id, kind in kinds.items():
        row = current.get(department_id)
        old = row.kind if row else None
        if old == kind:
            continue
        diff[str(department_id)] = [old, kind]
        if kind is None:
            center.departments.remove(row)
        elif row is None:
            center.departments.append(CenterDepartment(department_id=department_id, kind=kind))
        else:
            row.kind = kind
    return diff


# --- scope -----------------------------------------------------------------------------------

def load_center(center_id: int) -> Center | None:
    return db.session.scalar(select(Center).where(Center.id == center_id).options(
        selectinload(Center.members).selectinload(Member.department),
        selectinload(Center.members).selectinload(Member.unit),
        selectinload(Center.members).selectinload(Member.user),
        selectinload(Center.departments).selectinload(CenterDepartment.department)))


def visible_centers(user) -> list[Center]:
    """The centers whose roster the user may open (the district sees every street)."""
    query = select(Center).join(Street).where(Street.active).order_by(Street.code)
    if user.role != perm.DISTRICT_ADMIN:
        query = query.where(Center.street_id == (user.street_id or -1))
    return list(db.session.scalars(query))


def can_manage(user, center: Center) -> bool:
    """The street secretary runs the center; the district admin may stand in."""
    return user.role == perm.DISTRICT_ADMIN or (
        user.role == perm.STREET_SECRETARY and user.street_id == center.street_id)


def can_read_center(user, center: Center) -> bool:
    return perm.can_see_street(user, center.street_id)


def can_read_member(user, member: Member) -> bool:
    if can_read_center(user, member.center):
        return True
    if user.role == perm.UNIT_CHIEF:
        return member.unit_id is not None and member.unit_id == user.unit_id
    return member.user_id is not None and member.user_id == user.id


def can_log_for(user, member: Member) -> bool:
    """Only a chief for their own unit's people, and a linked member for themselves."""
    if member.user_id is not None and member.user_id == user.id:
        return True
    return (user.role == perm.UNIT_CHIEF and member.unit_id is not None
            and member.unit_id == user.unit_id and member.center.street_id == user.street_id)


def members_in_scope(user, center: Center, day: date) -> list[Member]:
    """The members of the center the user may see on `day`."""
    members = active_members(center, day)
    if can_read_center(user, center):
        return members
    return [m for m in members if can_read_member(user, m)]


def linked_member(user, day: date) -> Member | None:
    """The roster member the user's login belongs to, if they serve on `day`."""
    members = db.session.scalars(select(Member).where(Member.user_id == user.id).order_by(Member.id))
    return next((m for m in members if m.serves_on(day)), None)


# --- who is on duty now, who to call --------------------------------------------------------------

@dataclass
class OnDuty:
    member: Member
    shift: Shift
    attendance: Attendance | None

    @property
    def checked_in(self) -> bool:
        return self.attendance is not None and self.attendance.check_out_at is None


def on_duty_now(center: Center, now_utc: datetime | None = None) -> list[OnDuty]:
    """Members whose shift covers this moment (a night shift started yesterday included)."""
    now = local_now(now_utc)
    today = now.date()
    members = [m for m in center.members if m.serves_on(today) or m.serves_on(today - timedelta(days=1))]
    ids = [m.id for m in members]
    entries = schedule_map(ids, today - timedelta(days=1), today)
    done = attendance_map(ids, today - timedelta(days=1), today)
    by_id = {m.id: m for m in members}
    found = []
    for (member_id, day), entry in entries.items():
        shift = shift_for(entry.shift)
        if shift is None:
            continue
        start, end = shift.window(day)
        if start <= now < end:
            found.append(OnDuty(by_id[member_id], shift, done.get((member_id, day))))
    return sorted(found, key=lambda d: member_order(d.member))


@dataclass
class CallList:
    department: Department
    kind: str | None
    on_duty: list[OnDuty]
    contacts: list[Member]
    unit_phones: list[tuple[str, str]]


def who_to_call(center: Center, department: Department, now_utc: datetime | None = None) -> CallList:
    """For a department: who is on duty at the center now, its named contacts, its unit's phone."""
    today = local_now(now_utc).date()
    kind = next((cd.kind for cd in center.departments if cd.department_id == department.id), None)
    on_duty = [d for d in on_duty_now(center, now_utc) if d.member.department_id == department.id]
    contacts = [m for m in active_members(center, today)
                if m.department_id == department.id and m.kind == ON_CALL]
    phones = [(u.name, u.phone) for u in center.street.units
              if u.department_id == department.id and u.active and u.phone]
    return CallList(department, kind, on_duty, contacts, phones)
