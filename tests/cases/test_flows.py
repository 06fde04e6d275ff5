"""Cases moving through the rules, as a street, its units and residents would move them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event, func, select
from werkzeug.exceptions import NotFound

from portal.audit.models import AuditEvent
from portal.cases import rules, signals
from portal.cases.models import LIGHTS, TRACKING_ALPHABET, Assignment, Case, CaseEvent, Press
from portal.extensions import db
from portal.inbox.models import Notification
from tests.cases.helpers import (
    assert_unbroken, at, community, dispatched_case, matter, new_case, timeline, unit, unit_user, user,
)


@pytest.fixture
def ctx(app):
    with app.test_request_context():      # messages are shown in the default language (Chinese)
        yield


def test_level_two_case_from_hotline_to_closure(ctx):
    closed = []
    signals.case_closed.connect(receiver := lambda case, **kw: closed.append((case.id, kw["forced"])))
    try:
        case = new_case(reporter_name="周丽华", reporter_phone="13911112233", contact_consent=True)
        assert case.state == "new" and case.number.startswith("QT-20251114-")
        assert len(case.tracking_code) >= 10 and set(case.tracking_code) <= set(TRACKING_ALPHABET)
        dispatcher, chief, staff = user("dispatcher"), user("chief"), user("staff")
        rules.transition(case, "triage", dispatcher, level=2, now=at("2025-11-14 10:05"))
        proposed = rules.proposed_units(case)
        assert proposed.lead.code == "qt-zfd"
        rules.transition(case, "dispatch", dispatcher, unit=proposed.lead, now=at("2025-11-14 10:10"))
        (a,) = case.assignments
        assert (a.state, case.state, a.role) == ("dispatched", "dispatched", "single")
        assert rules.allowed_actions(case, chief, a) == ["sign_for", "return"]
        rules.transition(case, "sign_for", chief, assignment=a, now=at("2025-11-17 09:00"))
        rules.transition(case, "check_in", staff, assignment=a, lat="39.93", lng="116.41", accuracy="12",
                         now=at("2025-11-17 10:00"))
        rules.transition(case, "log_progress", staff, "已劝离", assignment=a, now=at("2025-11-17 11:00"))
        rules.transition(case, "submit_result", staff, assignment=a, result="桌椅已撤回店内。",
                         now=at("2025-11-18 16:00"))
        assert (a.state, case.state) == ("submitted", "resolved")
        assert rules.allowed_actions(case, dispatcher) == []
        rules.transition(case, "verify", dispatcher, assignment=a, now=at("2025-11-19 09:00"))
        assert rules.allowed_actions(case, dispatcher) == ["close"]
        rules.transition(case, "close", dispatcher, public_note="已整改。", now=at("2025-11-19 09:01"))
        db.session.commit()
        assert case.state == "closed" and case.closed_at == at("2025-11-19 09:01")
        assert a.signed_on_time and a.submitted_on_time and a.check_in_lat == pytest.approx(39.93)
        assert [e.action for e in timeline(case.id)] == [
            "intake", "triage", "dispatch", "sign_for", "check_in", "log_progress", "submit_result", "verify",
            "close"]
        assert_unbroken(case.id)
        assert closed == [(case.id, False)]
        audited = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "case", AuditEvent.object_id == case.id)).all()
        assert audited[0] == "case.intake" and audited[-1] == "case.close" and len(audited) == 9
        assert not any("13911112233" in str(e.details) for e in db.session.scalars(select(AuditEvent)))
        public = [e.action for e in timeline(case.id) if e.public]
        assert "log_progress" not in public and "close" in public and "dispatch" in public
    finally:
        signals.case_closed.disconnect(receiver)


def test_deadlines_of_a_level_two_case_count_working_days(ctx):
    case = dispatched_case(when="2025-11-14 10:00")                      # a Friday; 2 and 5 working days
    (a,) = case.assignments
    assert (a.sign_deadline, a.complete_deadline) == (at("2025-11-19 00:00"), at("2025-11-22 00:00"))
    assert a.limit_unit == "days" and not a.deadline_unknown_year
    case = dispatched_case(when="2025-09-30 09:00")                      # National Day: Oct 1-8 off
    (a,) = case.assignments
    assert a.sign_deadline == at("2025-10-11 00:00")                     # Oct 9 and Oct 10
    assert a.complete_deadline == at("2025-10-15 00:00")                 # Sat Oct 11 is a make-up workday
    case = dispatched_case(when="2026-12-30 10:00", matter_code=None)    # 2 / 5 days, into 2027
    (a,) = case.assignments
    assert a.deadline_unknown_year and a.complete_deadline == at("2027-01-07 00:00")


def test_emergency_whistles_run_in_hours_through_the_night(ctx):
    secretary = user("secretary")
    case = new_case(level=3, matter_code="CS-ZF-002", when="2026-03-06 22:30")   # limits in days
    rules.transition(case, "whistle", secretary, kind="emergency", lead=unit("qt-zfd"),
                     cooperating=[unit("qt-gzs"), unit("qt-pcs")], now=at("2026-03-06 22:30"))
    assert case.whistle_filed and case.whistle_kind == "emergency" and case.state == "dispatched"
    assert [(a.unit.code, a.role) for a in case.assignments] == [
        ("qt-zfd", "lead"), ("qt-gzs", "cooperating"), ("qt-pcs", "cooperating")]
    for a in case.assignments:
        assert (a.sign_deadline, a.complete_deadline) == (at("2026-03-06 23:30"), at("2026-03-07 01:30"))
        assert a.limit_unit == "hours"
    case = new_case(level=3, matter_code="CS-YJ-002", when="2026-03-06 22:30")   # 1 / 6 hours
    rules.transition(case, "whistle", secretary, kind="routine", lead=unit("qt-fgs"),
                     now=at("2026-03-06 22:30"))
    assert case.assignments[0].complete_deadline == at("2026-03-07 04:30")
    case = new_case(level=3, matter_code="CS-ZF-003", when="2026-03-06 22:30")   # routine: working days
    rules.transition(case, "whistle", secretary, kind="tough", lead=unit("qt-zfd"),
                     cooperating=[unit("qt-scjgs")], now=at("2026-03-06 22:30"))
    assert case.assignments[0].complete_deadline == at("2026-03-14 00:00")


def test_lights_and_their_sql_agree(ctx):
    case = dispatched_case(when="2025-11-14 10:00")          # sign by 11-19 00:00, finish by 11-22 00:00
    (a,) = case.assignments
    assert rules.light(a, at("2025-11-14 12:00")) == "green"
    assert rules.light(a, at("2025-11-18 12:00")) == "yellow"  # under a quarter of the sign-for time left
    assert rules.light(a, at("2025-11-19 00:00")) == "red"     # not signed for in time
    rules.transition(case, "sign_for", user("chief"), assignment=a, now=at("2025-11-17 09:00"))
    assert rules.light(a, at("2025-11-19 12:00")) == "green"
    assert rules.light(a, at("2025-11-21 12:00")) == "yellow"
    assert rules.light(a, at("2025-11-22 00:00")) == "red"
    assert rules.case_light(case, at("2025-11-22 00:00")) == "red"
    rules.transition(case, "submit_result", user("chief"), assignment=a, result="好了", now=at("2025-11-23 09:00"))
    assert rules.light(a, at("2025-11-30 00:00")) == "none" and not a.submitted_on_time
    db.session.flush()
    for now in (at("2025-11-15 00:00"), rules.utcnow()):
        assignments = db.session.scalars(select(Assignment)).all()
        for name in LIGHTS:
            by_sql = set(db.session.scalars(select(Assignment.id).where(rules.light_clause(name, now))))
            assert by_sql == {x.id for x in assignments if rules.light(x, now) == name}, name


def test_sweep_records_each_reminder_once(ctx, app):
    case = dispatched_case(when="2025-11-14 10:00")
    (a,) = case.assignments
    db.session.commit()

    def counts():
        return (db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id)),
                db.session.scalar(select(func.count()).select_from(Notification)))

    rules.sweep(at("2025-11-18 12:00"))        # nothing of this case is due yet (only older demo cases)
    db.session.commit()
    before = counts()
    assert rules.sweep(at("2025-11-18 12:00")) == {"overdue_sign": 0, "overdue_complete": 0, "due_soon": 0}
    assert counts() == before
    assert rules.sweep(at("2025-11-21 12:00")) == {"overdue_sign": 1, "overdue_complete": 0, "due_soon": 1}
    db.session.commit()
    events = [e.action for e in timeline(case.id)]
    assert events[-1] == "overdue_sign"
    chief_notes = db.session.scalars(select(Notification).where(Notification.user_id == user("chief").id)).all()
    assert {n.kind for n in chief_notes} >= {"case_overdue", "case_due_soon"}
    assert any(case.number in n.text and "未按时签收" in n.text for n in chief_notes)
    after = counts()
    for _ in range(2):
        assert rules.sweep(at("2025-11-21 12:00")) == {"overdue_sign": 0, "overdue_complete": 0, "due_soon": 0}
    assert counts() == after
    assert rules.sweep(at("2025-11-22 00:00"))["overdue_complete"] == 1
    assert rules.sweep(at("2025-11-25 00:00"))["overdue_complete"] == 0
    assert_unbroken(case.id)


def test_sweep_command_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["sweep", "--at", "2030-01-01T00:00:00"])
    assert first.exit_code == 0, first.output
    assert "overdue_complete=" in first.output and "overdue_complete=0" not in first.output
    again = runner.invoke(args=["sweep", "--at", "2030-01-01T00:00:00"])
    assert again.output.strip() == "overdue_sign=0 overdue_complete=0 due_soon=0"


def test_a_stale_form_is_refused_and_nothing_is_written(ctx):
    case = dispatched_case()
    (a,) = case.assignments
    db.session.commit()
    seen = case.version
    rules.transition(case, "sign_for", user("chief"), assignment=a, expected_version=seen)
    db.session.commit()
    events = len(timeline(case.id))
    with pytest.raises(rules.StaleVersion):     # the staff member's page still showed `seen`
        rules.transition(case, "log_progress", user("staff"), "到场", assignment=a, expected_version=seen)
    db.session.rollback()
    assert len(timeline(case.id)) == events
    with pytest.raises(rules.StaleVersion):
        rules.transition(case, "log_progress", user("staff"), "到场", assignment=a, expected_version="x")


def test_two_people_at_once_one_wins_and_the_timeline_has_no_gap(app):
    with app.app_context():
        case = dispatched_case()
        case_id = case.id
        db.session.commit()
    with app.app_context():                       # B opens the case ...
        db.session().expire_on_commit = False
        case_b = db.session.get(Case, case_id)
        a_b = case_b.assignments[0]
        staff = user("staff")
        db.session.commit()
        with app.app_context():                   # ... A signs for it meanwhile ...
            case_a = db.session.get(Case, case_id)
            rules.transition(case_a, "sign_for", user("chief"), assignment=case_a.assignments[0])
            db.session.commit()
        with pytest.raises(rules.StaleVersion):   # ... and B, acting on what it saw, is told.
            rules.transition(case_b, "sign_for", staff, assignment=a_b)
        db.session.rollback()
    with app.app_context():
        actions = [e.action for e in timeline(case_id)]
        assert actions.count("sign_for") == 1
        assert_unbroken(case_id)
        assert db.session.get(Case, case_id).assignments[0].signed_by.username == "chief"


def test_returned_case_is_adjudicated_by_the_street_or_district(ctx):
    case = dispatched_case(matter_code="CS-ZF-015")            # dogs: the police lead, not enforcement
    (wrong,) = case.assignments
    db.session.commit()
    with pytest.raises(rules.NotAllowed):
        rules.transition(case, "return", user("staff"), assignment=wrong, reason="不归我们")  # chiefs only
    with pytest.raises(rules.InvalidInput) as missing:
        rules.transition(case, "return", user("chief"), assignment=wrong, reason="  ")
    assert missing.value.field == "reason" and missing.value.status == 422
    db.session.rollback()
    case = db.session.get(Case, case.id)
    wrong = case.assignments[0]
    rules.transition(case, "return", user("chief"), assignment=wrong, reason="养犬归派出所")
    assert case.state == "returned" and wrong.return_reason == "养犬归派出所"
    assert rules.can_adjudicate(user("dispatcher"), case)
    assert not rules.can_adjudicate(user("chief"), case)
    dispatcher_notes = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == user("dispatcher").id)).all()
    assert "case_returned" in dispatcher_notes
    rules.transition(case, "adjudicate", user("dispatcher"), decision="redispatch", unit=unit("qt-pcs"))
    assert case.state == "dispatched"
    assert [(a.unit.code, a.state) for a in case.assignments] == [("qt-zfd", "returned"), ("qt-pcs", "dispatched")]
    assert_unbroken(case.id)
    district = new_case(by="admin", district_level=True, level=2, matter_code="CS-ZF-015")
    rules.transition(district, "dispatch", user("admin"), unit=unit("qt-zfd"))
    rules.transition(district, "return", user("chief"), assignment=district.assignments[0], reason="非本单位")
    assert not rules.can_adjudicate(user("dispatcher"), district)
    with pytest.raises(rules.NotAllowed):
        rules.transition(district, "adjudicate", user("secretary"), decision="redispatch", unit=unit("qt-pcs"))
    rules.transition(district, "adjudicate", user("admin"), decision="whistle", kind="routine",
                     lead=unit("qt-pcs"), cooperating=[unit("qt-zfd")])
    assert district.level == 3 and district.whistle_filed and len(district.active_assignments) == 2


def test_whistle_with_three_units_is_verified_and_closed(ctx):
    secretary = user("secretary")
    case = new_case(level=3, matter_code="CS-ZF-001")
    db.session.commit()
    with pytest.raises(rules.InvalidInput):
        rules.transition(case, "whistle", secretary, kind="routine", lead=unit("qt-fgs"),
                         cooperating=[unit("qt-fgs")])
    with pytest.raises(rules.InvalidInput):
        rules.transition(case, "whistle", secretary, kind="routine", lead=unit("hy-fgs"))  # another street
    db.session.rollback()
    case = db.session.get(Case, case.id)
    event = rules.transition(case, "whistle", secretary, kind="routine", lead=unit("qt-fgs"),
                             cooperating=[unit("qt-pcs"), unit("qt-xfz")])
    assert event.data["unstaffed"] == ["人防办"]        # no unit of that department in the street
    lead, police, fire = case.assignments
    chiefs = {a.id: unit_user(a.unit.code) for a in case.assignments}
    with pytest.raises(rules.NotAllowed):
        rules.transition(case, "return", chiefs[lead.id], assignment=lead, reason="x")
    with pytest.raises(rules.NotAllowed):             # one unit cannot act on another's assignment
        rules.transition(case, "sign_for", chiefs[police.id], assignment=lead)
    for a in (lead, police, fire):
        rules.transition(case, "sign_for", chiefs[a.id], assignment=a)
    assert case.state == "accepted"
    rules.transition(case, "check_in", chiefs[lead.id], assignment=lead)
    assert case.state == "in_progress"
    rules.transition(case, "submit_result", chiefs[police.id], assignment=police, result="登记")
    rules.transition(case, "submit_result", chiefs[fire.id], assignment=fire, result="排查")
    assert case.state == "in_progress"
    rules.transition(case, "verify", secretary, assignment=police)
    rules.transition(case, "send_back", secretary, assignment=fire, reason="缺少照片")
    rules.transition(case, "submit_result", chiefs[lead.id], assignment=lead, result="清退完毕")
    assert case.state == "in_progress" and fire.state == "sent_back"
    rules.transition(case, "submit_result", chiefs[fire.id], assignment=fire, result="补充照片")
    assert case.state == "resolved"
    with pytest.raises(rules.NotAllowed):
        rules.transition(case, "close", secretary)
    rules.transition(case, "verify", secretary, assignment=lead)
    rules.transition(case, "verify", secretary, assignment=fire)
    rules.transition(case, "close", secretary)
    assert case.state == "closed" and all(a.state == "done" for a in case.assignments)
    assert fire.first_submitted_at < fire.submitted_at
    assert_unbroken(case.id)


def test_press_only_an_overdue_assignment_and_tell_the_unit(ctx):
    case = dispatched_case(when="2025-11-14 10:00")
    (a,) = case.assignments
    with pytest.raises(rules.NotAllowed):
        rules.transition(case, "press", user("secretary"), assignment=a, now=at("2025-11-17 10:00"))
    rules.transition(case, "press", user("secretary"), "请立即签收", assignment=a, now=at("2025-11-20 10:00"))
    press = db.session.scalar(select(Press).where(Press.assignment_id == a.id))
    assert press.note == "请立即签收" and press.by.username == "secretary"
    notes = db.session.scalars(select(Notification).where(Notification.kind == "case_press",
                                                          Notification.text.contains(case.number))).all()
    assert {n.user_id for n in notes} == {user("chief").id, user("staff").id}
    assert all(n.text == f"案件{case.number}被督办：请立即签收" for n in notes)
    with pytest.raises(rules.NotAllowed):
        rules.transition(case, "press", user("chief"), assignment=a, now=at("2025-11-20 10:00"))


def test_level_one_on_the_spot_needs_before_and_after_photos(ctx, app):
    from tests.cases.test_uploads import jpeg_file
    from portal.cases.uploads import store_photos

    grid = user("grid")
    case = rules.intake(grid, channel="grid_worker", community=community("qt-bl"), description="楼道堆物",
                        matter=matter("QT-ZZ-001"))
    before = store_photos([jpeg_file()], "before", case=case, uploaded_by=grid)
    with pytest.raises(rules.InvalidInput):
        rules.transition(case, "handle_on_spot", grid, attachments=before)
    after = store_photos([jpeg_file()], "after", case=case, uploaded_by=grid)
    event = rules.transition(case, "handle_on_spot", grid, "已清理", attachments=before + after)
    assert case.state == "closed" and case.level == 1 and not case.assignments
    assert {p.event_id for p in before + after} == {event.id}
    other = rules.intake(user("dispatcher"), channel="hotline_12345", community=community("qt-tlx"),
                         description="别的社区")
    assert not rules.can(other, "handle_on_spot", grid)
    with pytest.raises(rules.NotAllowed):
        rules.intake(grid, channel="grid_worker", community=community("qt-tlx"), description="越界")


def test_reject_merge_and_duplicates(ctx):
    original = new_case(community_code="qt-yxf", when="2025-11-14 09:00")
    twin = new_case(community_code="qt-yxf", when="2025-11-16 09:00")
    found = rules.possible_duplicates(community("qt-yxf").id, matter("CS-ZF-003").id,
                                      now=at("2025-11-16 10:00"), exclude_id=twin.id)
    assert found == [original]
    assert rules.possible_duplicates(community("qt-yxf").id, matter("CS-ZF-003").id,
                                     now=at("2025-11-30 10:00")) == []
    rules.transition(twin, "merge", user("dispatcher"), into=original)
    assert twin.state == "rejected" and twin.merged_into_id == original.id
    assert [e.action for e in timeline(original.id)][-1] == "merged_in"
    db.session.commit()
    assert rules.possible_duplicates(community("qt-yxf").id, matter("CS-ZF-003").id,
                                     now=at("2025-11-16 10:00")) == [original]
    with pytest.raises(rules.InvalidInput):
        rules.transition(original, "merge", user("dispatcher"), into=original)
    with pytest.raises(rules.InvalidInput):
        rules.transition(original, "reject", user("dispatcher"), reason="")
    db.session.rollback()
    original = db.session.get(Case, original.id)
    rules.transition(original, "reject", user("dispatcher"), reason="重复")
    assert original.reject_reason == "重复" and not rules.allowed_actions(original, user("admin"))


def test_force_close_cancels_open_work_and_lands_on_the_ledger(ctx):
    case = dispatched_case()
    with pytest.raises(rules.NotAllowed):
        rules.transition(case, "force_close", user("secretary"), reason="挂账")
    rules.transition(case, "force_close", user("admin"), reason="纳入改造项目")
    assert case.forced_closure and case.forced_reason == "纳入改造项目" and case.closed_at
    assert case.assignments[0].state == "cancelled" and rules.light(case.assignments[0]) == "none"
    ledger = db.session.scalars(select(Case).where(Case.forced_closure.is_(True))).all()
    assert case in ledger


def test_a_resident_rates_once_and_reopens_once(ctx):
    case = dispatched_case()
    (a,) = case.assignments
    rules.transition(case, "sign_for", user("chief"), assignment=a)
    rules.transition(case, "submit_result", user("chief"), assignment=a, result="已处理")
    with pytest.raises(rules.NotAllowed):
        rules.rate_case(case, "very")                             # not closed yet
    rules.transition(case, "verify", user("dispatcher"), assignment=a)
    rules.transition(case, "close", user("dispatcher"))
    rated = []
    signals.case_rated.connect(receiver := lambda c, **kw: rated.append(kw["reopened"]))
    try:
        rules.rate_case(case, "not", "还是没解决", reopen=True, reason="问题依旧")
    finally:
        signals.case_rated.disconnect(receiver)
    assert case.state == "reopened" and case.reopen_count == 1 and case.satisfaction.reopened
    assert rated == [True]
    street = db.session.scalars(select(Notification.kind).where(Notification.user_id == user("secretary").id)).all()
    assert "case_reopened" in street
    rules.transition(case, "dispatch", user("dispatcher"), unit=unit("qt-zfd"))
    new = case.assignments[-1]
    rules.transition(case, "sign_for", user("chief"), assignment=new)
    rules.transition(case, "submit_result", user("chief"), assignment=new, result="再次处理")
    rules.transition(case, "verify", user("dispatcher"), assignment=new)
    rules.transition(case, "close", user("dispatcher"), now=rules.utcnow() + timedelta(minutes=1))
    with pytest.raises(rules.NotAllowed):
        rules.rate_case(case, "not", reopen=True)                 # a second reopening
    rules.rate_case(case, "basically", now=rules.utcnow() + timedelta(minutes=2))
    assert case.satisfaction.level == "basically" and case.state == "closed"
    with pytest.raises(rules.NotAllowed):
        rules.rate_case(case, "very", now=rules.utcnow() + timedelta(minutes=3))
    assert_unbroken(case.id)


def test_residents_report_with_a_tracking_code(ctx):
    case = rules.intake(None, channel="resident_web", community=community("hy-dl"), description="路灯坏了",
                        reporter_name="张三", reporter_phone="13800001111")
    assert case.created_by_id is None and case.street.code == "hy" and case.number.startswith("HY-")
    assert timeline(case.id)[0].public and timeline(case.id)[0].actor_id is None
    with pytest.raises(rules.NotAllowed):
        rules.intake(None, channel="hotline_12345", community=community("hy-dl"), description="x")
    with pytest.raises(rules.InvalidInput) as empty:
        rules.intake(None, channel="resident_web", community=community("hy-dl"), description="  ")
    assert empty.value.field == "description"


def test_scope_a_unit_never_sees_another_units_assignment(ctx):
    case = new_case(level=3, matter_code="CS-ZF-001")
    rules.transition(case, "whistle", user("secretary"), kind="routine", lead=unit("qt-fgs"),
                     cooperating=[unit("qt-zfd")])
    housing, enforcement = case.assignments
    db.session.commit()
    chief = user("chief")                                 # 青檀城管执法队
    assert rules.get_assignment_or_404(enforcement.id, chief) is enforcement
    with pytest.raises(NotFound):
        rules.get_assignment_or_404(housing.id, chief)
    with pytest.raises(NotFound):
        rules.get_assignment_or_404(enforcement.id, chief, case_id=case.id + 1)
    assert rules.visible_assignments(case, chief) == [enforcement]
    assert rules.visible_assignments(case, user("secretary")) == [housing, enforcement]
    assert rules.get_case_or_404(case.id, chief) is case
    with pytest.raises(NotFound):
        rules.get_case_or_404(case.id, user("chief2"))   # 槐荫 unit
    with pytest.raises(NotFound):
        rules.get_case_or_404(case.id, user("secretary2"))
    with pytest.raises(NotFound):
        rules.get_case_or_404(10 ** 9, user("admin"))
    other_unit = unit_user("qt-scjgs")
    with pytest.raises(NotFound):
        rules.get_case_or_404(case.id, other_unit)


def test_visible_cases_match_each_roles_scope(ctx):
    every = db.session.scalars(select(Case)).all()
    assert len(every) > 20
    for username in ("admin", "secretary", "dispatcher", "chief", "staff", "grid", "secretary2", "chief2"):
        viewer = user(username)
        visible = set(db.session.scalars(rules.visible_cases(viewer)))
        assert visible == {c for c in every if rules.can_see_case(viewer, c)}, username
        if username == "admin":
            assert visible == set(every)
        elif username.startswith("secretary") or username == "dispatcher":
            assert visible and all(c.street_id == viewer.street_id for c in visible)
        elif username.startswith("chief") or username == "staff":
            assert visible and all(any(a.unit_id == viewer.unit_id for a in c.assignments) for c in visible)
        else:
            assert visible and all(c.community_id == viewer.community_id for c in visible)


def test_a_step_written_as_plain_statements_leaves_the_records_as_the_orm_would(ctx):
    """sign_for changes only columns of the case and the assignment: both rows' versions move on by
    one, the event row holds every field, and the records in hand show it without a reload."""
    case = dispatched_case()
    (a,) = case.assignments
    db.session.commit()
    case_version, a_version = case.version, a.version
    chief = user("chief")
    flushed = []                                                # what the unit of work writes
    sa_event.listen(db.session(), "before_flush", lambda session, *args: flushed.extend(
        type(o).__name__ for o in (*session.new, *session.dirty)))
    with signals.case_transition.connected_to(lambda sender, **kw: seen.append(kw["event"].id)):
        seen = []
        event = rules.transition(case, "sign_for", chief, "已签收", assignment=a,
                                 expected_version=case_version)
    assert not {"Case", "Assignment", "CaseEvent"} & set(flushed)   # written without the unit of work ...
    assert not db.session.dirty and not db.session.new          # ... and nothing left for it
    assert (case.version, a.version) == (case_version + 1, a_version + 1)
    assert event.id is not None and seen == [event.id]
    assert event.case is case and event.assignment is a and event.actor_name == user("chief").display_name
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(CaseEvent, event.id)
    assert (row.case_id, row.assignment_id, row.action, row.from_state, row.to_state, row.note) == (
        case.id, a.id, "sign_for", "dispatched", "accepted", "已签收")
    assert row.actor_id == user("chief").id and row.data["unit"] and row.at is not None
    stored = db.session.get(Case, case.id)
    assert (stored.version, stored.state, stored.assignments[0].state) == (
        case_version + 1, "accepted", "accepted")
    assert stored.assignments[0].signed_by.username == "chief" and stored.assignments[0].version == a_version + 1


def test_a_change_to_the_assignment_alone_meanwhile_makes_the_step_stale(app):
    """The assignment's own version is checked too (the sweep, say, marks it overdue meanwhile)."""
    with app.app_context():
        case = dispatched_case()
        case_id = case.id
        db.session.commit()
    with app.app_context():
        db.session().expire_on_commit = False
        case = db.session.get(Case, case_id)
        a = case.assignments[0]
        a_id, chief = a.id, user("chief")
        db.session.commit()                       # the page was read; the transaction ended
        with app.app_context():
            other = db.session.get(Assignment, a.id)
            other.due_soon_notified = True
            db.session.commit()
        with pytest.raises(rules.StaleVersion):
            rules.transition(case, "sign_for", chief, assignment=a, expected_version=case.version)
        db.session.rollback()
    with app.app_context():
        assert "sign_for" not in [e.action for e in timeline(case_id)]
        assert db.session.get(Assignment, a_id).state == "dispatched"


def test_progress_that_changes_nothing_of_the_assignment_leaves_its_version(ctx):
    case = dispatched_case()
    (a,) = case.assignments
    rules.transition(case, "sign_for", user("chief"), assignment=a)
    db.session.commit()
    case_version, a_version = case.version, a.version
    rules.transition(case, "log_progress", user("staff"), "清运中", assignment=a, expected_version=case_version)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert stored.version == case_version + 1 and stored.assignments[0].version == a_version
    assert timeline(case.id)[-1].action == "log_progress"


def test_a_case_loaded_for_a_page_or_an_action_is_a_clean_record_and_fresh_when_asked(app, ctx):
    """`_case_with_assignments`: the case and its assignments as clean, persistent records with
    the assignments loaded (no further statement); asked `fresh` while the session holds the case,
    it shows what another connection changed meanwhile."""
    from sqlalchemy import inspect, text

    from portal.cases.views import _case_with_assignments
    from portal.database import commit_keeping_objects

    case_id = dispatched_case().id
    db.session.commit()
    db.session.expunge_all()
    case = _case_with_assignments(case_id)
    state = inspect(case)
    assert state.persistent and not db.session.dirty and "assignments" in case.__dict__
    (a,) = case.assignments
    assert inspect(a).persistent and a.case is case and a.case_id == case_id
    assert _case_with_assignments(case_id) is case                # the session's own, as a query gives it
    commit_keeping_objects()                                       # a new transaction, the case kept as read
    with db.engine.begin() as other:
        other.execute(text('UPDATE "case" SET description = :d WHERE id = :i'), {"d": "改过的描述", "i": case_id})
    assert _case_with_assignments(case_id).description != "改过的描述"        # held, not read again
    assert _case_with_assignments(case_id, fresh=True).description == "改过的描述"
    assert _case_with_assignments(-1) is None
