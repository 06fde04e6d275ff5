"""Demo roster: each street's center with a 1+5+N roster, four weeks of schedule ending this week,
and check-ins with a few late, early and absent days. Idempotent: a street whose center already has
members is left alone."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.org import demo_data as data
from portal.org.models import Department, Street, Unit
from portal.roster import rules
from portal.roster.models import (
    CORE, ON_CALL, STATIONED, Assessment, Attendance, CenterDepartment, Leave, Member, ScheduleEntry,
)
from portal.timeutil import local_to_utc, local_today
from portal.workcal.rules import WorkCalendar

# Which of a unit's people (indexes into DEMO_PEOPLE's per-unit list) the unit stations at the center.
STATIONED_PICKS = {"pcs": (2, 3), "xfz": (1,), "jtd": (1,), "scjgs": (1, 2), "sfs": (1,)}
# 文化和旅游局 keeps no unit in the streets: it names a contact for each center (invented people).
CULTURE_CONTACTS = {"qt": ("郑文博", "13910025518"), "hy": ("陆雅琴", "13910025627"),
                    "jq": ("韩志远", "13910025736")}
# Per street differences: 金泉 stations its 司法所 too (1+5+N); 槐荫 lists 应急管理局 on call
# without naming anyone yet, so the composition view has a warning to show.
EXTRA_KINDS = {"jq": {"sfj": STATIONED}, "hy": {"yjgl": ON_CALL}}
# Demo logins linked to roster members: username -> (street code, unit code, index in that unit).
LINKED_USERS = {"chief": ("qt", "qt-zfd", 0), "staff": ("qt", "qt-zfd", 2), "chief2": ("hy", "hy-zfd", 0)}
LATE_REASONS = ["早高峰道路拥堵", "处置沿街占道经营后返回", "参加派出所晨会", "车辆临时故障"]
SCHEDULE_WEEKS = 4


def _person_name(user: User) -> str:
    """The person's name in a demo login's display name ("执法队员 陈静" -> "陈静")."""
    return user.display_name.rsplit(" ", 1)[-1]


def _name_linked_members() -> None:
    """A member linked to a demo login is that login's person: give the member the user's name
    (also on rosters seeded before, whose linked members kept the unit's listed person's name)."""
    for user in db.session.scalars(select(User).where(User.username.in_(list(LINKED_USERS)))):
        for member in db.session.scalars(select(Member).where(Member.user_id == user.id)):
            member.name = _person_name(user)


def _unit_suffix(code: str) -> str:
    return code.split("-", 1)[1]


def _people_by_unit(street_code: str) -> dict[str, list[dict]]:
    people: dict[str, list[dict]] = {}
    for person in data.DEMO_PEOPLE[street_code]:
        people.setdefault(person["unit"], []).append(person)
    return people


def _members(center, street_code: str, start: date) -> None:
    units = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.street_id == center.street_id))}
    kinds = {cd.department_id: cd.kind for cd in center.departments}
    users = {name: db.session.scalar(select(User).where(User.username == name)) for name in LINKED_USERS}
    for unit_code, people in _people_by_unit(street_code).items():
        unit = units[unit_code]
        kind = kinds.get(unit.department_id)
        if kind == CORE:
            picks = range(len(people))
        elif kind == STATIONED:
            picks = STATIONED_PICKS.get(_unit_suffix(unit_code), (1,))
        elif kind == ON_CALL:
            picks = (0,)
        else:
            continue
        for index in picks:
            person = people[index]
            member = Member(center_id=center.id, department_id=unit.department_id, unit_id=unit.id,
                            name=person["name"], phone=person["phone"], post=person["post"], kind=kind,
                            start_date=start)
            for username, (street, code, position) in LINKED_USERS.items():
                if street == street_code and code == unit_code and position == index and users[username]:
                    member.user_id = users[username].id
            db.session.add(member)
    culture = db.session.scalar(select(Department).where(Department.code == "whly"))
    if culture is not None and kinds.get(culture.id) == ON_CALL:
        name, phone = CULTURE_CONTACTS[street_code]
        db.session.add(Member(center_id=center.id, department_id=culture.id, name=name, phone=phone,
                              post="执法大队值守联络员", kind=ON_CALL, start_date=start))
    db.session.flush()
    db.session.refresh(center)


def _schedule(center, first: date, last: date, calendar: WorkCalendar) -> None:
    members = rules.schedulable(center, first, last)
    core = [m for m in members if m.kind == CORE]
    police = [m for m in members if m.kind == STATIONED and m.unit and _unit_suffix(m.unit.code) == "pcs"]
    for offset, day in enumerate(rules.days_between(first, last)):
        workday = calendar.is_workday(day)
        for member in members:
            if member in police:
                # The police work round the clock: day, night, then a day off (白-夜-休).
                shift = ("day", "night", None)[(offset + police.index(member)) % 3]
            elif member in core:
                # On working days one core member covers the evening; at weekends two take turns.
                turn = core[offset % len(core)]
                if workday:
                    shift = "evening" if member is turn else "day"
                else:
                    shift = "day" if member is turn else "evening" if member is core[(offset + 1) % len(core)] else None
            else:
                shift = "day" if workday else None
            if shift:
                db.session.add(ScheduleEntry(member_id=member.id, day=day, shift=shift))
    db.session.flush()


def _check_ins(center, first: date, today: date, now_local: datetime, rng: random.Random,
               skip_today_units: set[str]) -> None:
    members = rules.schedulable(center, first, today)
    entries = rules.schedule_map([m.id for m in members], first, today)
    leaves = rules.leaves_of([m.id for m in members], first, today)
    for member in members:
        for day in rules.days_between(first, today):
            entry = entries.get((member.id, day))
            if entry is None or rules.leave_on(leaves.get(member.id, []), day):
                continue
            if day == today and member.unit and member.unit.code in skip_today_units:
                continue  # the demo users' own unit checks in during the demo
            start, end = rules.SHIFTS[entry.shift].window(day)
            if start > now_local:
                continue
            roll = rng.random()
            if roll < 0.03 and day < today:
                continue  # absent
            reason = ""
            arrived = start - timedelta(minutes=rng.randint(2, 25))
            if roll < 0.09:
                arrived = start + timedelta(minutes=rng.randint(12, 45))
                reason = rng.choice(LATE_REASONS)
            left = end + timedelta(minutes=rng.randint(0, 20))
            if 0.09 <= roll < 0.11:
                left = end - timedelta(minutes=rng.randint(30, 90))
            record = Attendance(member_id=member.id, day=day, check_in_at=local_to_utc(arrived),
                                check_in_by_id=member.user_id, check_in_reason=reason,
                                check_out_at=local_to_utc(left) if left <= now_local else None,
                                check_out_by_id=member.user_id if left <= now_local else None)
            db.session.add(record)
    db.session.flush()


def _leave_and_assessments(center, today: date, rng: random.Random) -> None:
    members = rules.schedulable(center, today, today)
    core = [m for m in members if m.kind == CORE]
    if len(core) >= 4:
        past_start = rules.week_start(today) - timedelta(days=5)
        db.session.add(Leave(member_id=core[-1].id, kind="annual", start_date=past_start,
                             end_date=past_start + timedelta(days=1), approver="街道党工委书记", note="探亲"))
        next_week = rules.week_start(today) + timedelta(days=8)
        db.session.add(Leave(member_id=core[-2].id, kind="personal", start_date=next_week,
                             end_date=next_week, approver="街道党工委书记", note="家中有事"))
    last_month = today.replace(day=1) - timedelta(days=1)
    key = rules.month_key(last_month.year, last_month.month)
    comments = ["在岗在位，联合执法响应迅速。", "配合综合执法中心开展夜间巡查，表现良好。",
                "报到及时，处置规范。", "个别日期迟到，已提醒改进。"]
    for member in members:
        db.session.add(Assessment(member_id=member.id, month=key, score=rng.randint(82, 98),
                                  comment=rng.choice(comments)))


def seed() -> None:
    today = local_today()
    now_local = rules.local_now()
    calendar = WorkCalendar.load()
    first = rules.week_start(today) - timedelta(days=7 * (SCHEDULE_WEEKS - 1))
    last = rules.week_start(today) + timedelta(days=6)
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    for street_data in data.STREETS:
        code = street_data["code"]
        street = db.session.scalar(select(Street).where(Street.code == code))
        if street is None:
            continue
        center = rules.ensure_center(street)
        if center.members:
            continue
        center.address = f"{street.name}办事处一层"
        for dept_code, kind in EXTRA_KINDS.get(code, {}).items():
            row = next((cd for cd in center.departments if cd.department.code == dept_code), None)
            if row is None:
                center.departments.append(CenterDepartment(department=departments[dept_code], kind=kind))
            else:
                row.kind = kind
        db.session.flush()
        rng = random.Random(f"roster-{code}")
        _members(center, code, today - timedelta(days=200))
        _schedule(center, first, last, calendar)
        _leave_and_assessments(center, today, rng)
        db.session.flush()
        _check_ins(center, first, today, now_local, rng, {"qt-zfd"})
    _name_linked_members()
    db.session.flush()

