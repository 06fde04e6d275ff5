"""Automatic marks, the versioned scoring rule, monthly scores and the lines that explain them."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.assessment import scoring
from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.extensions import db
from tests.assessment.helpers import STARS, month_of, rating, table_rows, unit, whistle

MONTH = date(2026, 3, 1)


def _marks(n, *, sign=None, completion=None, satisfaction=None, street=None, case=None):
    return scoring.Marks(
        assignment_id=n, case_id=case or n, case_number=f"QT-20260301-{n:04d}", month=MONTH, unit_id=1,
        street_id=1, department_id=1, role="lead", sign=sign, sign_note="", sign_delay=None,
        completion=completion, completion_note="", completion_delay=None, satisfaction=satisfaction,
        satisfaction_note="", street=street, street_note="", stars=None)


def test_the_arithmetic_on_a_hand_built_example(app):
    with app.app_context():
        rule = scoring.default_rule()   # street 60 of a unit; sign 30, completion 40, satisfaction 30
        a = _marks(1, sign=1.0, completion=0.0, satisfaction=0.6, street=1.0)
        b = _marks(2, sign=0.0, completion=1.0)
        result = scoring.score([a, b], rule, rule.unit_street_share, MONTH)
        # points: street 60, sign 12, completion 16, satisfaction 12
        assert {k: p.points for k, p in result.parts.items()} == {
            "street": 60, "sign": 12, "completion": 16, "satisfaction": 12}
        # b misses its sign-for (12/2), a its completion (16/2) and 40% of the satisfaction (12 × 0.4)
        assert [(line.marks.assignment_id, line.part, round(line.lost, 6)) for line in result.lines] == [
            (1, "completion", 8.0), (1, "satisfaction", 4.8), (2, "sign", 6.0)]
        assert result.value == pytest.approx(81.2)
        assert result.lost == pytest.approx(100 - result.value)
        assert (result.cases, result.assignments) == (2, 2)
        # a department weighs the street at 30: street 30, sign 21, completion 28, satisfaction 21
        dept = scoring.score([a, b], rule, rule.department_street_share, MONTH)
        assert dept.value == pytest.approx(100 - 21 / 2 - 28 / 2 - 21 * 0.4)


def test_parts_with_nothing_to_judge_are_left_out_and_the_rest_scaled(app):
    with app.app_context():
        rule = scoring.default_rule()
        result = scoring.score([_marks(1, sign=0.0, completion=1.0)], rule, 60, MONTH)
        assert not result.parts["street"].included and not result.parts["satisfaction"].included
        assert result.parts["sign"].points == pytest.approx(100 * 12 / 28)
        assert result.value == pytest.approx(100 - 100 * 12 / 28)
        assert scoring.score([_marks(1)], rule, 60, MONTH).value is None   # all pending
        assert scoring.score([], rule, 60, MONTH).value is None


def test_marks_from_times_and_ratings(app):
    with app.app_context():
        rule = scoring.default_rule()
        t = datetime(2026, 3, 2, 1, 0)
        row = (7, 3, "QT-1", t, 1, 1, 1, "lead", t + timedelta(hours=30), t + timedelta(hours=24),
               None, t + timedelta(days=5), "basically", t, 5, 4, 3, 2)
        m = scoring.marks_from_row(row, rule, now=t + timedelta(days=2))
        assert (m.sign, m.sign_note, m.sign_delay) == (0.0, "late", timedelta(hours=6))
        assert (m.completion, m.completion_note) == (None, "pending")
        assert m.satisfaction == pytest.approx(0.6)
        assert m.street == pytest.approx((5 + 4 + 3 + 2) / 20)
        later = scoring.marks_from_row(row, rule, now=t + timedelta(days=6))
        assert (later.completion, later.completion_note) == (0.0, "overdue")
        unrated = scoring.marks_from_row(row[:12] + (None, None, None, None, None, None), rule, now=t)
        assert unrated.satisfaction is None and unrated.street is None and unrated.street_note == "owed"


def test_rule_versions_validation_and_audit(app):
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        values = dict(scoring.DEFAULTS)
        for broken, field in ((dict(unit_street_share=50), "unit_street_share"),
                              (dict(department_street_share=20), "department_street_share"),
                              (dict(sign_weight=50), "sign_weight"),
                              (dict(efficiency_weight=40), "efficiency_weight"),
                              (dict(basically_percent=100), "basically_percent")):
            with pytest.raises(scoring.RuleInvalid) as exc:
                scoring.change_rule(admin, {**values, **broken}, reason="试", effective_from=MONTH)
            assert field in exc.value.errors
        with pytest.raises(scoring.RuleInvalid) as exc:
            scoring.change_rule(admin, {**values, "unit_street_share": 70}, reason=" ", effective_from=MONTH)
        assert "reason" in exc.value.errors
        with pytest.raises(scoring.RuleInvalid):      # nothing changed
            scoring.change_rule(admin, values, reason="同样", effective_from=scoring.EPOCH)
        assert scoring.stored_rules() == []
        v2 = scoring.change_rule(admin, {**values, "unit_street_share": 70, "sign_weight": 40,
                                         "completion_weight": 30}, reason="加大街道评价权重", effective_from=MONTH)
        db.session.commit()
        assert [r.number for r in scoring.stored_rules()] == [1, 2]
        assert v2.created_by_id == admin.id and v2.effective_from == MONTH
        assert scoring.rule_for(date(2026, 2, 1)).number == 1
        assert scoring.rule_for(MONTH).number == 2 and scoring.rule_for(date(2027, 1, 1)).number == 2
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.rule_changed"))
        assert event.actor_id == admin.id and event.details["reason"] == "加大街道评价权重"
        assert event.details["changes"]["unit_street_share"] == [60, 70]
        with pytest.raises(scoring.StaleRule):
            scoring.change_rule(admin, {**values, "unit_street_share": 80}, reason="x", effective_from=MONTH,
                                based_on=1)


def test_rule_page_for_everyone_editing_for_the_district(app, client_for):
    for user in ("grid", "chief", "secretary"):
        page = client_for(user).get("/assessment/rule")
        assert page.status_code == 200 and 'id="rule-versions"' in page.get_data(as_text=True)
        assert client_for(user).get("/assessment/rule/edit").status_code == 403
    assert client_for("admin").get("/assessment/rule/edit").status_code == 200


def _unit_score(app, code, month):
    with app.app_context():
        return scoring.unit_result(unit(code), scoring.Period.parse(month))


def test_a_units_score_and_every_point_lost_trace_to_cases(app, client_for):
    with app.app_context():
        case = whistle()
        month, number = month_of(case), case.number
        target = rating("qt-zfd")
        url, version = f"/assessment/ratings/{target.id}", target.version
    assert client_for("secretary").post_form(url, {**STARS, "version": version}).status_code == 302
    for code in ("qt-zfd", "qt-xfz", "qt-fgs", "qt-pcs"):
        result = _unit_score(app, code, month)
        assert result.value is not None and result.cases >= 1
        assert sum(line.lost for line in result.lines) == pytest.approx(100 - result.value)
        assert all(line.marks.case_number.startswith("QT-") for line in result.lines)
        assert sum(p.lost for p in result.parts.values()) == pytest.approx(result.lost)
    zfd = _unit_score(app, "qt-zfd", month)
    whistle_lines = [line for line in zfd.lines if line.marks.case_number == number]
    # rated 4/5/3/4 and the resident "basically satisfied": both cost points on this case
    assert {line.part for line in whistle_lines} >= {"street", "satisfaction"}
    page = client_for("chief").get(f"/assessment/units/{zfd.lines[0].marks.unit_id}?period={month}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and number in text and 'id="lost-lines"' in text
    assert f'{zfd.lost:.2f}' in text and f'{zfd.value:.1f}' in text


def test_changing_a_weight_changes_the_score_and_is_recorded(app, client_for):
    with app.app_context():
        month = month_of(whistle())
    before = _unit_score(app, "qt-xfz", month)
    assert before.rule.number == 1
    form = {**{k: str(v) for k, v in scoring.DEFAULTS.items()}, "unit_street_share": "80",
            "effective_from": month, "reason": "街道评价占比提高到80%", "based_on": "1"}
    admin = client_for("admin")
    response = admin.post_form("/assessment/rule/edit", form)
    assert response.status_code == 303
    after = _unit_score(app, "qt-xfz", month)
    assert after.rule.number == 2 and after.share == 80
    assert after.value != pytest.approx(before.value)
    assert sum(line.lost for line in after.lines) == pytest.approx(100 - after.value)
    page = admin.get("/assessment/rule").get_data(as_text=True)
    assert "街道评价占比提高到80%" in page and 'id="v2"' in page
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.rule_changed"))
        assert event.details["changes"]["unit_street_share"] == [60, 80]
    # the same form again: no change, and a form below the minimum is refused with 422
    assert admin.post_form("/assessment/rule/edit", {**form, "based_on": "2"}).status_code == 422
    assert admin.post_form("/assessment/rule/edit", {**form, "unit_street_share": "59",
                                                     "based_on": "2"}).status_code == 422
    with app.app_context():
        assert [r.number for r in scoring.stored_rules()] == [1, 2]


def test_ranking_year_and_department_scores(app, client_for):
    with app.app_context():
        month = month_of(whistle())
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        result = scoring.assess(admin, scoring.Period.parse(month))
        ranked = [r for r in result.units if r.value is not None]
        assert ranked and ranked[0].rank == 1
        assert [r.value for r in ranked] == sorted((r.value for r in ranked), reverse=True)
        assert {d.subject.code for d in result.departments} >= {"fgj", "gaj", "xf", "cgzf"}
        year = scoring.assess(admin, scoring.Period.parse(month[:4]))
        xfz = next(r for r in year.units if r.subject.code == "qt-xfz")
        assert xfz.result.value is not None and xfz.result.months
    page = client_for("admin").get(f"/assessment/?period={month}").get_data(as_text=True)
    assert 'id="department-ranking"' in page and "青檀消防救援站" in page
    assert client_for("admin").get(f"/assessment/?period={month[:4]}").status_code == 200
    # the unit's year: one row per month, linked to that month's page, with the month's score
    text = client_for("admin").get(f"/assessment/units/{xfz.subject.id}?period={month[:4]}").get_data(as_text=True)
    rows = table_rows(text, "unit-months")
    assert [row[0][0] for row in rows] == [s.month.strftime("%Y-%m") for s in xfz.result.months]
    first = xfz.result.months[0]
    assert rows[0][0][1] == [f"/assessment/units/{xfz.subject.id}?period={first.month:%Y-%m}"]
    assert rows[0][1][0] == f"{first.value:.1f}" and rows[0][2][0] == f"{first.lost:.2f}"


def test_stored_tallies_agree_with_the_assignments_and_go_stale(app, client_for, monkeypatch):
    from portal.assessment import tallies
    from portal.assessment.models import AssessmentMonth

    with app.app_context():
        case = whistle()
        month = month_of(case)
        period = scoring.Period.parse(month)
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        ranking = scoring.assess(admin, period)
        db.session.commit()
        book = db.session.get(AssessmentMonth, period.start)
        assert book.fresh_generation == book.generation
        for row in ranking.units:
            by_marks = scoring.unit_result(row.subject, period)
            assert (row.value is None) == (by_marks.value is None), row.subject.name
            if row.value is not None:
                assert row.value == pytest.approx(by_marks.value), row.subject.name
                assert row.result.cases == by_marks.cases
        zfd = next(r for r in ranking.units if r.subject.code == "qt-zfd")
        assert not zfd.result.parts["street"].included          # its rating is still owed
        target = rating("qt-zfd")
        url, version = f"/assessment/ratings/{target.id}", target.version
    assert client_for("secretary").post_form(url, {**STARS, "version": version}).status_code == 302
    with app.app_context():
        book = db.session.get(AssessmentMonth, period.start)
        assert book.fresh_generation != book.generation          # the rating made the month stale
    page = client_for("admin").get(f"/assessment/?period={month}")   # a GET recomputes and stores
    assert page.status_code == 200
    with app.app_context():
        book = db.session.get(AssessmentMonth, period.start)
        assert book.fresh_generation == book.generation
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        zfd = next(r for r in scoring.assess(admin, period).units if r.subject.code == "qt-zfd")
        assert zfd.result.parts["street"].included
        assert zfd.value == pytest.approx(scoring.unit_result(zfd.subject, period).value)
        # once the next deadline of an open assignment passes, the month is computed again
        calls = []
        real = tallies.compute
        monkeypatch.setattr(tallies, "compute", lambda *a: calls.append(a) or real(*a))
        now = scoring.utcnow()
        tallies.month_counts([period.start], now)
        assert calls == []
        book.valid_until = now - timedelta(minutes=1)
        db.session.commit()
        tallies.month_counts([period.start], now)
        assert len(calls) == 1


@pytest.mark.parametrize("based_on,status", [("abc", 400), ("", 400), ("1", 409)])
def test_a_rule_form_with_a_bad_or_stale_version_keeps_the_typed_values(app, client_for, based_on, status):
    admin = client_for("admin")
    form = {**{k: str(v) for k, v in scoring.DEFAULTS.items()}, "effective_from": "2026-03",
            "reason": "街道评价占比提高"}
    if status == 409:   # someone else saved version 2 after this form was loaded
        assert admin.post_form("/assessment/rule/edit", {**form, "unit_street_share": "70",
                                                         "based_on": "1"}).status_code == 303
    response = admin.post_form("/assessment/rule/edit", {**form, "unit_street_share": "77",
                                                         "reason": "我的理由", "based_on": based_on})
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert 'value="77"' in html and "我的理由" in html and 'id="current-rule"' in html
    current = 2 if status == 409 else 1
    assert f'name="based_on" type="hidden" value="{current}"' in html
    shown = html.split('id="current-rule"', 1)[1].split("</section>", 1)[0]       # the rule saved now
    assert f"第 {current} 版（最新）" in shown and ("70%" in shown) == (status == 409)
    with app.app_context():
        assert len(scoring.stored_rules()) == (2 if status == 409 else 0)
    # saving again with the version now shown works
    assert admin.post_form("/assessment/rule/edit", {**form, "unit_street_share": "77", "reason": "我的理由",
                                                     "based_on": str(current)}).status_code == 303
