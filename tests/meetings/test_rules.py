"""Meeting rules without HTTP: state machine, agenda order, deadlines, lights, regularity, rates."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.meetings import rules
from portal.meetings.demo import HELD_TITLE, seed
from portal.meetings.models import Meeting, Resolution
from portal.org.models import Community, Street, Unit
from portal.timeutil import local_to_utc, local_today, utcnow
from portal.workcal.rules import WorkCalendar


def _secretary():
    return db.session.scalar(select(User).where(User.username == "secretary"))


def _plan(kind="special", starts_at=None, street=None, community_id=None, convener=None):
    convener = convener or _secretary()
    street_id = street.id if street is not None else convener.street_id
    starts_at = starts_at or utcnow() + timedelta(days=3)
    units = db.session.scalars(select(Unit.id).where(Unit.street_id == street_id).limit(3)).all()
    return rules.plan_meeting(kind=kind, title="测试会议", starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                              place="会议室", convener=convener, street_id=street_id, community_id=community_id,
                              unit_ids=units)


def test_transition_table_drives_the_state(in_app):
    with in_app():
        user = _secretary()
        meeting = _plan()
        assert rules.allowed_actions(meeting) == ["hold", "cancel"]
        with pytest.raises(rules.RuleError, match="state"):
            rules.transition(meeting, "approve_minutes", user)
        rules.transition(meeting, "hold", user)
        assert meeting.state == "held" and meeting.held_at is not None
        with pytest.raises(rules.RuleError, match="minutes_empty"):
            rules.transition(meeting, "approve_minutes", user)
        rules.save_minutes(meeting, "纪要正文", user)
        rules.transition(meeting, "approve_minutes", user)
        assert meeting.state == "minutes_approved"
        assert [r.number for r in meeting.revisions] == [1]
        with pytest.raises(rules.RuleError, match="state"):
            rules.transition(meeting, "cancel", user, reason="x")


def test_cancel_needs_a_reason(in_app):
    with in_app():
        meeting = _plan()
        with pytest.raises(rules.RuleError, match="reason_required"):
            rules.transition(meeting, "cancel", _secretary(), reason="  ")
        rules.transition(meeting, "cancel", _secretary(), reason="台风预警")
        assert meeting.state == "cancelled" and meeting.cancel_reason == "台风预警"


def test_approved_minutes_are_corrected_by_new_revisions_only(in_app):
    with in_app():
        user = _secretary()
        meeting = _plan()
        rules.transition(meeting, "hold", user)
        rules.save_minutes(meeting, "第一稿", user)
        rules.transition(meeting, "approve_minutes", user)
        with pytest.raises(rules.RuleError, match="note_required"):
            rules.save_minutes(meeting, "改正稿", user)
        revision = rules.save_minutes(meeting, "改正稿", user, note="更正单位名称")
        assert revision.number == 2
        assert meeting.revisions[0].body == "第一稿" and meeting.current_minutes == "改正稿"
        assert meeting.minutes == "第一稿"  # the approved draft is never edited in place


def test_stale_version_is_refused(in_app):
    with in_app():
        meeting = _plan()
        db.session.flush()
        rules.check_version(meeting, str(meeting.version))
        with pytest.raises(rules.StaleVersion):
            rules.check_version(meeting, str(meeting.version - 1))
        with pytest.raises(rules.StaleVersion):
            rules.check_version(meeting, "")


def test_agenda_items_move_up_and_down(in_app):
    with in_app():
        meeting = _plan()
        a, b, c = (rules.add_agenda_item(meeting, t, None) for t in "ABC")
        assert rules.move_agenda_item(meeting, c, "up")
        assert [i.title for i in meeting.agenda] == ["A", "C", "B"]
        assert not rules.move_agenda_item(meeting, a, "up")
        assert rules.move_agenda_item(meeting, a, "down")
        assert [i.title for i in meeting.agenda] == ["C", "A", "B"]
        assert [i.position for i in meeting.agenda] == [1, 2, 3]


def test_reply_and_attendance_need_who_or_why(in_app):
    with in_app():
        user = _secretary()
        meeting = _plan()
        member = meeting.members[0]
        with pytest.raises(rules.RuleError, match="attendee_required"):
            rules.reply(meeting, member, user, "confirmed", attendee=" ")
        with pytest.raises(rules.RuleError, match="reason_required"):
            rules.reply(meeting, member, user, "apologies")
        rules.reply(meeting, member, user, "apologies", reason="值班")
        assert member.rsvp == "apologies" and member.rsvp_reason == "值班"
        with pytest.raises(rules.RuleError, match="reason_required"):
            rules.mark_attendance(meeting, member, "absent_excused")
        rules.mark_attendance(meeting, member, "absent_unexcused")
        rules.mark_attendance(meeting, meeting.members[1], "present", attendee="王所长")
        rules.transition(meeting, "hold", user)
        with pytest.raises(rules.RuleError, match="state"):
            rules.reply(meeting, member, user, "confirmed", attendee="x")


def test_deadline_counts_chinese_working_days():
    # 2025-09-30 + 3 working days: the National Day holiday (Oct 1-8) is skipped and Saturday
    # Oct 11 is a make-up workday, so the limit ends at 24:00 on Oct 11 (Beijing time).
    start = local_to_utc(datetime(2025, 9, 30, 10, 0))
    due = rules.resolution_deadline(start, days=3, calendar=WorkCalendar())
    assert due.at == local_to_utc(datetime(2025, 10, 12, 0, 0))
    by_date = rules.resolution_deadline(start, due_date=date(2025, 10, 20), calendar=WorkCalendar())
    assert by_date.at == local_to_utc(datetime(2025, 10, 21, 0, 0)) and not by_date.unknown_year
    with pytest.raises(rules.RuleError, match="deadline_required"):
        rules.resolution_deadline(start, calendar=WorkCalendar())


def test_lights():
    now = datetime(2026, 3, 2, 2, 0)  # Monday 10:00 in Beijing
    resolution = Resolution(state="assigned", deadline_at=now + timedelta(days=10))
    assert rules.light(resolution, now=now, calendar=WorkCalendar()) == "green"
    resolution.deadline_at = now + timedelta(hours=20)
    assert rules.light(resolution, now=now, calendar=WorkCalendar()) == "yellow"
    resolution.deadline_at = now - timedelta(minutes=1)
    assert rules.light(resolution, now=now, calendar=WorkCalendar()) == "red"
    resolution.state = "done"
    assert rules.light(resolution, now=now) is None


def test_press_only_when_overdue(in_app):
    with in_app():
        user = _secretary()
        meeting = _plan()
        rules.transition(meeting, "hold", user)
        resolution = rules.give_resolution(meeting, text="清理", unit_id=meeting.members[0].unit_id, user=user, days=5)
        with pytest.raises(rules.RuleError, match="not_overdue"):
            rules.press(resolution, user)
        resolution.deadline_at = utcnow() - timedelta(hours=1)
        rules.press(resolution, user, "请加快")
        assert resolution.presses == 1
        rules.complete(resolution, user, "完成")
        assert resolution.state == "done" and rules.light(resolution) is None
        with pytest.raises(rules.RuleError, match="state"):
            rules.report_progress(resolution, user, "再报")


def test_months_before_clamps_the_day():
    assert rules.months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert rules.months_before(date(2026, 3, 15), 6) == date(2025, 9, 15)
    assert rules.months_before(date(2026, 1, 31), -1) == date(2026, 2, 28)


def test_six_month_party_building_warning_on_built_dates(in_app):
    with in_app():
        user = _secretary()
        streets = db.session.scalars(select(Street).order_by(Street.code)).all()
        today = date(2031, 5, 20)

        def held_on(street, day, state="held"):
            meeting = _plan("party_building", starts_at=local_to_utc(datetime.combine(day, datetime.min.time()).replace(hour=9)),
                            street=street)
            meeting.state = state

        for s in streets:  # every street met long ago
            held_on(s, date(2030, 1, 10))
        held_on(streets[0], date(2030, 11, 20))                # exactly six months ago: still in time
        held_on(streets[1], date(2031, 1, 5), "minutes_approved")
        held_on(streets[2], date(2031, 4, 1), "cancelled")     # a cancelled meeting does not count
        db.session.flush()
        flagged = {row.street.code: row.last_held for row in rules.streets_without_party_building(today)}
        assert streets[0].code not in flagged and streets[1].code not in flagged
        assert flagged[streets[2].code] == date(2030, 1, 10)
        assert streets[0].code in {r.street.code for r in rules.streets_without_party_building(date(2031, 5, 21))}


def test_missed_consultation_days(in_app):
    with in_app():
        community = db.session.scalar(select(Community).order_by(Community.code))
        other = db.session.scalar(select(Community).where(Community.id != community.id, Community.street_id == community.street_id))
        meeting = _plan("consultation", starts_at=local_to_utc(datetime(2031, 4, 30, 23, 30)),
                        street=community.street, community_id=community.id)
        meeting.state = "held"
        db.session.flush()
        missed_april = {c.id for c in rules.communities_without_consultation(date(2031, 4, 1))}
        missed_may = {c.id for c in rules.communities_without_consultation(date(2031, 5, 1))}
        assert community.id not in missed_april and other.id in missed_april
        assert community.id in missed_may  # 23:30 Beijing time on Apr 30 is April, not May
        assert rules.last_complete_months(date(2031, 1, 15), 2) == [date(2030, 12, 1), date(2030, 11, 1)]


def test_attendance_rate_per_unit(in_app):
    with in_app():
        user = _secretary()
        year = 2031
        for hour, status in ((9, "present"), (14, "absent_excused")):
            meeting = _plan(starts_at=local_to_utc(datetime(year, 3, 3, hour)))
            member = meeting.members[0]
            rules.mark_attendance(meeting, member, status, attendee="甲", reason="乙")
            rules.transition(meeting, "hold", user)
        db.session.flush()
        rows = {r.unit.id: r for r in rules.attendance_rates(year, user.street_id)}
        first = rows[member.unit_id]
        assert (first.invited, first.present, first.excused, first.rate) == (2, 1, 1, 0.5)
        assert rules.attendance_rates(year, user.street_id + 100) == []


def test_demo_seed_is_idempotent(in_app):
    with in_app():
        before = db.session.scalar(select(db.func.count()).select_from(Meeting))
        seed()
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(Meeting)) == before
        held = db.session.scalar(select(Meeting).where(Meeting.title == HELD_TITLE))
        assert held.state == "minutes_approved"
        lights = {rules.light(r) for r in held.resolutions}
        assert {r.state for r in held.resolutions} == {"done", "in_progress", "assigned"}
        assert "red" in lights and None in lights
        assert local_today()  # the demo is relative to today
