"""The roster's rules without HTTP: day status, check-in rules, the month summary, the composition."""
from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.org.models import Department, Street, Unit
from portal.roster import export, rules
from portal.roster.models import (
    CORE, ON_CALL, STATIONED, Attendance, Center, Leave, Member, ScheduleEntry,
)
from portal.timeutil import local_to_utc
from portal.workcal.rules import WorkCalendar


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """The naive-UTC moment of a Beijing wall-clock time."""
    return local_to_utc(datetime.combine(day, time(hh, mm)))


def qt_center() -> Center:
    return db.session.scalar(select(Center).join(Street).where(Street.code == "qt"))


def new_member(center: Center, *, kind=STATIONED, dept="scjg", unit="qt-scjgs", name="测试人员",
               start=date(2026, 9, 1)) -> Member:
    department = db.session.scalar(select(Department).where(Department.code == dept))
    unit_row = db.session.scalar(select(Unit).where(Unit.code == unit)) if unit else None
    member = Member(center_id=center.id, department_id=department.id, unit_id=unit_row.id if unit_row else None,
                    name=name, kind=kind, start_date=start)
    db.session.add(member)
    db.session.flush()
    return member


def shift_on(member: Member, day: date, code: str = "day") -> None:
    db.session.add(ScheduleEntry(member_id=member.id, day=day, shift=code))
    db.session.flush()


# --- day status ------------------------------------------------------------------------------

def _attendance(day, check_in, check_out=None):
    return Attendance(member_id=0, day=day, check_in_at=check_in, check_out_at=check_out)


@pytest.mark.parametrize("check_in,check_out,expected,late,early", [
    ((8, 20), (17, 40), rules.PRESENT, False, False),
    ((8, 34), (17, 26), rules.PRESENT, False, False),      # inside the five-minute grace
    ((8, 50), (17, 40), rules.LATE, True, False),
    ((8, 20), (16, 0), rules.EARLY_LEAVE, False, True),
    ((9, 0), (16, 0), rules.LATE, True, True),             # late and early: late leads, both flagged
])
def test_day_status_against_the_day_shift(app, check_in, check_out, expected, late, early):
    day = date(2026, 11, 10)
    with app.test_request_context():
        status = rules.day_status(day, "day", _attendance(day, at(day, *check_in), at(day, *check_out)), None,
                                  datetime(2026, 11, 11, 9, 0))
    assert (status.status, status.late, status.early) == (expected, late, early)


def test_day_status_absent_pending_leave_and_extra(app):
    day = date(2026, 11, 10)
    leave = Leave(member_id=0, kind="sick", start_date=day, end_date=day, approver="李书记")
    with app.test_request_context():
        assert rules.day_status(day, "day", None, None, datetime(2026, 11, 10, 18, 0)).status == rules.ABSENT
        assert rules.day_status(day, "day", None, None, datetime(2026, 11, 10, 10, 0)).status == rules.PENDING
        assert rules.day_status(day, "day", None, leave, datetime(2026, 11, 10, 18, 0)).status == rules.ON_LEAVE
        extra = rules.day_status(day, None, _attendance(day, at(day, 9)), None, datetime(2026, 11, 10, 18, 0))
        assert extra.status == rules.EXTRA
        assert rules.day_status(day, None, None, None, datetime(2026, 11, 10, 18, 0)).status == rules.OFF
        missing = rules.day_status(day, "day", _attendance(day, at(day, 8, 20)), None, datetime(2026, 11, 10, 19))
        assert missing.status == rules.PRESENT and missing.missing_checkout


def test_night_shift_runs_into_the_next_day(app):
    day = date(2026, 11, 10)
    with app.test_request_context():
        record = _attendance(day, at(day, 21, 50), at(day + timedelta(days=1), 8, 5))
        status = rules.day_status(day, "night", record, None, datetime(2026, 11, 11, 12))
        assert status.status == rules.PRESENT
        assert rules.moment_on(day, time(8, 5), rules.SHIFTS["night"]) == at(day + timedelta(days=1), 8, 5)
        # Still on duty at 02:00: not absent yet.
        assert rules.day_status(day, "night", None, None, datetime(2026, 11, 11, 2)).status == rules.PENDING


# --- check-in rules --------------------------------------------------------------------------------

@pytest.fixture
def member_and_users(app):
    with app.test_request_context(), force_locale("en"):
        center = qt_center()
        member = new_member(center, kind=CORE, dept="cgzf", unit="qt-zfd")
        chief = db.session.scalar(select(User).where(User.username == "chief"))
        shift_on(member, date(2026, 11, 10))
        db.session.commit()
        yield member, chief


def test_check_in_twice_in_a_day_is_refused(app, member_and_users):
    member, chief = member_and_users
    day = date(2026, 11, 10)
    rules.check_in(member, at(day, 8, 20), chief, now_utc=at(day, 8, 21))
    db.session.flush()
    with pytest.raises(rules.RosterError, match="already checked in"):
        rules.check_in(member, at(day, 8, 25), chief, now_utc=at(day, 8, 26))
    # Someone who saw the day empty (version 0) while another person logged it meets a conflict.
    with pytest.raises(rules.Conflict):
        rules.check_in(member, at(day, 8, 25), chief, now_utc=at(day, 8, 26), seen_version=0)


def test_check_out_needs_a_check_in_and_comes_after_it(app, member_and_users):
    member, chief = member_and_users
    day = date(2026, 11, 10)
    with pytest.raises(rules.RosterError, match="no check-in"):
        rules.check_out(member, at(day, 17, 30), chief, day=day, now_utc=at(day, 17, 31))
    rules.check_in(member, at(day, 8, 20), chief, now_utc=at(day, 8, 21))
    db.session.flush()
    with pytest.raises(rules.RosterError, match="before the check-in"):
        rules.check_out(member, at(day, 8, 0), chief, day=day, now_utc=at(day, 17, 31))
    done = rules.check_out(member, at(day, 17, 35), chief, day=day, now_utc=at(day, 17, 36))
    assert done.check_out_by_id == chief.id
    db.session.flush()
    with pytest.raises(rules.RosterError, match="already checked out"):
        rules.check_out(member, at(day, 17, 40), chief, day=day, now_utc=at(day, 17, 41))


def test_future_check_ins_are_refused(app, member_and_users):
    member, chief = member_and_users
    day = date(2026, 11, 10)
    with pytest.raises(rules.RosterError, match="future"):
        rules.check_in(member, at(day, 9), chief, now_utc=at(day, 8, 30), reason="提前登记")
    with pytest.raises(rules.RosterError, match="future"):
        rules.check_out(member, at(day, 18), chief, day=day, now_utc=at(day, 17))


def test_late_and_after_the_fact_check_ins_need_a_reason(app, member_and_users):
    member, chief = member_and_users
    day = date(2026, 11, 10)
    with pytest.raises(rules.RosterError, match="late"):
        rules.check_in(member, at(day, 9, 10), chief, now_utc=at(day, 9, 11))
    with pytest.raises(rules.RosterError, match="after the fact"):
        rules.check_in(member, at(day, 8, 20), chief, now_utc=at(day, 11, 0))
    record = rules.check_in(member, at(day, 9, 10), chief, now_utc=at(day, 9, 11), reason="堵车")
    assert record.check_in_reason == "堵车" and record.check_in_by_id == chief.id


def test_days_outside_the_membership_or_too_old_are_refused(app, member_and_users):
    member, chief = member_and_users
    with pytest.raises(rules.RosterError, match="not on the roster"):
        rules.check_in(member, at(date(2026, 8, 20), 8), chief, now_utc=at(date(2026, 8, 20), 8, 1))
    with pytest.raises(rules.RosterError, match="no longer"):
        rules.check_in(member, at(date(2026, 11, 1), 8), chief, now_utc=at(date(2026, 11, 10), 8), reason="补录")


def test_only_the_chief_of_the_unit_or_the_member_may_log(app, member_and_users):
    member, _chief = member_and_users
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert rules.can_log_for(users["chief"], member)
    assert not rules.can_log_for(users["chief2"], member)
    assert not rules.can_log_for(users["secretary"], member)
    assert not rules.can_log_for(users["staff"], member)
    member.user_id = users["staff"].id
    assert rules.can_log_for(users["staff"], member)


# --- the schedule ------------------------------------------------------------------------------

def test_fill_working_days_follows_holidays_and_make_up_days(app):
    with app.test_request_context():
        member = new_member(qt_center())
        written = rules.fill_working_days(member.center, date(2026, 10, 5), WorkCalendar())
        days = sorted(db.session.scalars(select(ScheduleEntry.day).where(ScheduleEntry.member_id == member.id)))
        # Week of 5 October 2026: 5–7 are National Day holidays, Saturday 10 is a make-up workday.
        assert days == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)]
        assert written >= 3


def test_copy_week_replaces_the_week_with_the_one_before(app):
    with app.test_request_context():
        member = new_member(qt_center())
        shift_on(member, date(2026, 10, 12), "day")
        shift_on(member, date(2026, 10, 14), "night")
        shift_on(member, date(2026, 10, 20), "evening")  # replaced
        rules.copy_week(member.center, date(2026, 10, 19))
        db.session.flush()
        rows = dict(db.session.execute(select(ScheduleEntry.day, ScheduleEntry.shift).where(
            ScheduleEntry.member_id == member.id, ScheduleEntry.day >= date(2026, 10, 19))).all())
        assert rows == {date(2026, 10, 19): "day", date(2026, 10, 21): "night"}


def test_set_shift_detects_a_changed_cell(app):
    with app.test_request_context():
        member = new_member(qt_center())
        entry = rules.set_shift(member, date(2026, 11, 2), "day", 0)
        db.session.flush()
        assert entry.version == 1
        with pytest.raises(rules.Conflict):
            rules.set_shift(member, date(2026, 11, 2), "night", 0)
        assert rules.set_shift(member, date(2026, 11, 2), "", 1) is None
        with pytest.raises(rules.RosterError):
            rules.set_shift(member, date(2026, 11, 3), "siesta", 0)


# --- the month summary on built data -----------------------------------------------------------------

OCTOBER_LATE, OCTOBER_ABSENT, OCTOBER_EARLY = date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 14)
OCTOBER_LEAVE = (date(2026, 10, 12), date(2026, 10, 13))
OCTOBER_HOLIDAY_DUTY, OCTOBER_MAKE_UP = date(2026, 10, 3), date(2026, 10, 10)


def build_october(member: Member, chief: User) -> None:
    """A stationed person's October 2026 with a holiday week and a make-up Saturday."""
    calendar = WorkCalendar()
    for monday in (date(2026, 9, 28), date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19),
                   date(2026, 10, 26)):
        rules.fill_working_days(member.center, monday, calendar)
    db.session.flush()
    db.session.add(Leave(member_id=member.id, kind="annual", start_date=OCTOBER_LEAVE[0],
                         end_date=OCTOBER_LEAVE[1], approver="李秀英"))
    scheduled = sorted(db.session.scalars(select(ScheduleEntry.day).where(
        ScheduleEntry.member_id == member.id, ScheduleEntry.day >= date(2026, 10, 1),
        ScheduleEntry.day <= date(2026, 10, 31))))
    for day in scheduled:
        if day == OCTOBER_ABSENT or day in OCTOBER_LEAVE:
            continue
        arrive = at(day, 8, 50) if day == OCTOBER_LATE else at(day, 8, 20)
        rules.check_in(member, arrive, chief, now_utc=arrive, reason="道路施工" if day == OCTOBER_LATE else "")
        db.session.flush()
        leave_at = at(day, 15, 0) if day == OCTOBER_EARLY else at(day, 17, 40)
        rules.check_out(member, leave_at, chief, day=day, now_utc=leave_at)
    rules.check_in(member, at(OCTOBER_HOLIDAY_DUTY, 9), chief, now_utc=at(OCTOBER_HOLIDAY_DUTY, 9))
    db.session.flush()


def test_month_summary_agrees_with_check_ins_leave_and_the_calendar(app):
    with app.test_request_context():
        chief = db.session.scalar(select(User).where(User.username == "chief"))
        member = new_member(qt_center())
        build_october(member, chief)
        summary = rules.month_summary([member], 2026, 10, now_utc=at(date(2026, 11, 2), 9),
                                      calendar=WorkCalendar())
        line = summary.people[0]
        # 22 weekdays, minus 1, 2, 5, 6, 7 October (National Day), plus Saturday 10 October.
        assert summary.working_days == 18
        assert line.scheduled == 18
        assert (line.attended, line.present, line.late, line.early_leave) == (15, 13, 1, 1)
        assert (line.absent, line.on_leave, line.extra, line.upcoming) == (1, 2, 1, 0)
        unit = next(u for u in summary.units if u.label == member.unit.name)
        assert unit.scheduled == 18 and unit.absent == 1

        sheet = load_workbook(BytesIO(export.month_workbook(member.center, summary, with_assessments=True)
                                      .getvalue()))["人员"]
        row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == member.name)
        assert list(row[3:11]) == [18, 15, 13, 1, 1, 1, 2, 1]


def test_month_summary_counts_days_still_to_come_as_upcoming(app):
    with app.test_request_context():
        member = new_member(qt_center())
        rules.fill_working_days(member.center, date(2026, 10, 26), WorkCalendar())
        summary = rules.month_summary([member], 2026, 10, now_utc=at(date(2026, 10, 28), 12),
                                      calendar=WorkCalendar())
        line = summary.people[0]
        # 26 and 27 October passed without a check-in; the 28th's shift is still running.
        assert (line.scheduled, line.absent, line.upcoming) == (5, 2, 3)


# --- the composition ----------------------------------------------------------------------------

def test_composition_warns_and_clears(app):
    with app.test_request_context():
        center = qt_center()
        today = date.today()
        assert rules.composition(center, today).warnings == []
        police = next(m for m in center.members if m.kind == STATIONED and m.department.code == "gaj")
        third = new_member(center, dept="gaj", unit="qt-pcs", name="第三名民警", start=date(2026, 1, 1))
        emergency = db.session.scalar(select(Department).where(Department.code == "yjgl"))
        rules.set_department_kinds(center, {emergency.id: ON_CALL})
        db.session.flush()
        db.session.expire(center)
        warnings = [str(w) for w in rules.composition(center, today).warnings]
        assert any("公安分局" in w and "3" in w for w in warnings)
        assert any("应急管理局" in w for w in warnings)
        third.end_date = today - timedelta(days=1)
        new_member(center, kind=ON_CALL, dept="yjgl", unit=None, name="应急联络员", start=date(2026, 1, 1))
        db.session.flush()
        db.session.expire(center)
        assert rules.composition(center, today).warnings == []
        assert police.serves_on(today)


def test_composition_flags_inactive_units_and_logins(app):
    with app.test_request_context():
        center = qt_center()
        member = next(m for m in center.members if m.user is not None)
        member.user.active = False
        member.unit.active = False
        db.session.flush()
        warnings = [str(w) for w in rules.composition(center, date.today()).warnings]
        assert any(member.name in w and member.unit.name in w for w in warnings)
        assert any(member.name in w and "停用" in w for w in warnings)


def test_demo_centers_have_a_believable_roster(app):
    with app.test_request_context():
        for center in db.session.scalars(select(Center)):
            picture = rules.composition(center, date.today())
            assert len(picture.groups[CORE]) == 1 and len(picture.groups[CORE][0].members) >= 4
            assert 4 <= len(picture.groups[STATIONED]) <= 6
            assert all(1 <= len(g.members) <= 2 for g in picture.groups[STATIONED])
            assert db.session.scalar(select(ScheduleEntry.id).join(Member).where(Member.center_id == center.id))
            late = db.session.scalars(select(Attendance).join(Member).where(
                Member.center_id == center.id, Attendance.check_in_reason != "")).all()
            assert late  # a few late days, each with its reason
        formulas = {c.street.code: rules.composition(c, date.today()).formula
                    for c in db.session.scalars(select(Center))}
        assert formulas == {"qt": "1+4+N", "hy": "1+4+N", "jq": "1+5+N"}


def test_demo_members_linked_to_logins_carry_the_users_names(app):
    """A demo login's roster member is that person: "执法队员 陈静" is the member 陈静. Seeding again
    adds no one and repairs a roster seeded before, whose linked members had other names."""
    from portal.cli import seed_demo

    def linked():
        return {m.user.username: m.name for m in db.session.scalars(select(Member).where(Member.user_id.is_not(None)))}

    with app.app_context():
        members = db.session.scalars(select(Member).where(Member.user_id.is_not(None))).all()
        assert members and all(m.user.display_name.split()[-1] == m.name for m in members)
        assert linked() == {"chief": "刘洋", "staff": "陈静", "chief2": "孙磊"}
        count = db.session.scalar(select(db.func.count()).select_from(Member))
        next(m for m in members if m.user.username == "staff").name = "赵福来"
        db.session.commit()
        seed_demo()
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(Member)) == count
        assert linked() == {"chief": "刘洋", "staff": "陈静", "chief2": "孙磊"}
