"""The dashboard's numbers equal counts made directly on the cases, in every role's scope."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import exists, func, select

from portal.cases import rules
from portal.cases.models import ASSIGNMENT_STATES, OPEN_ASSIGNMENT_STATES, OPEN_CASE_STATES, Assignment, Case
from portal.dashboard import services
from portal.dashboard.services import Scope, build, scope_for
from portal.extensions import db
from portal.figures.rates import last_months, local_day_start, month_bounds
from portal.org.models import Street
from portal.timeutil import local_today, utcnow
from tests.cases.helpers import dispatched_case, new_case, user


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def _case_filter(scope: Scope):
    if scope.street_id is not None:
        return [Case.street_id == scope.street_id]
    if scope.community_id is not None:
        return [Case.community_id == scope.community_id]
    return []


def direct(scope: Scope, now, today) -> dict:
    """The dashboard's figures, counted on `case` and `assignment` themselves."""
    where = _case_filter(scope)
    states = dict(db.session.execute(select(Case.state, func.count()).where(*where).group_by(Case.state)).all())
    valid = [*where, Case.state != "rejected"]
    communities = {
        cid: (n, o) for cid, n, o in db.session.execute(
            select(Case.community_id, func.count(),
                   func.sum(func.iif(Case.state.in_(OPEN_CASE_STATES), 1, 0)))
            .where(*valid).group_by(Case.community_id)).all()}
    streets = dict(db.session.execute(select(Case.street_id, func.count()).where(*valid)
                                      .group_by(Case.street_id)).all())
    months = {}
    for m in last_months(12, today):
        start, end = month_bounds(m)
        months[m] = db.session.scalar(select(func.count()).where(*valid, Case.created_at >= start,
                                                                 Case.created_at < end))

    def matters(days, by_community=False):
        since = local_day_start(today - timedelta(days=days - 1))
        keys = [Case.community_id, Case.matter_id] if by_community else [Case.matter_id]
        return {tuple(r[:-1]): r[-1] for r in db.session.execute(
            select(*keys, func.count()).where(*valid, Case.created_at >= since, Case.matter_id.is_not(None))
            .group_by(*keys)).all()}

    open_in_scope = [Assignment.state.in_(OPEN_ASSIGNMENT_STATES),
                     exists().where(Case.id == Assignment.case_id, *where)] if where else \
        [Assignment.state.in_(OPEN_ASSIGNMENT_STATES)]
    lights = {name: db.session.scalar(select(func.count()).select_from(Assignment).where(
        *open_in_scope, rules.light_clause(name, now))) for name in ("green", "yellow", "red")}
    overdue = dict(db.session.execute(select(Assignment.unit_id, func.count()).where(
        *open_in_scope, rules.light_clause("red", now)).group_by(Assignment.unit_id)).all())
    return {"states": states, "communities": communities, "streets": streets, "months": months,
            "top30": matters(30), "top90": matters(90), "recurring": matters(90, True), "lights": lights,
            "overdue": overdue}


def assert_dashboard_equals_direct(scope: Scope, now=None, today=None):
    now, today = now or utcnow(), today or local_today()
    d = build(scope, now, today)
    want = direct(scope, now, today)
    assert dict(d.states) == want["states"]
    assert {r.id: (r.total, r.open) for r in d.communities} == want["communities"]
    if scope.kind == "district":
        assert {r.id: r.total for r in d.streets} == want["streets"]
    assert {m.month: m.received for m in d.months} == want["months"]
    for rows, key in ((d.top30, "top30"), (d.top90, "top90")):
        ranked = sorted(want[key].items(), key=lambda kv: (-kv[1], kv[0][0]))[:services.TOP]
        assert [(r.matter_id, r.count) for r in rows] == [(k[0], v) for k, v in ranked]
    recurring = {k: v for k, v in want["recurring"].items() if v >= services.RECURRING_MIN}
    ranked = sorted(recurring.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))[:20]
    assert [((r.community_id, r.matter_id), r.count) for r in d.recurring] == ranked
    assert d.recurring_total == len(recurring)
    assert d.lights == want["lights"]
    ranked = sorted(want["overdue"].items(), key=lambda kv: (-kv[1], kv[0]))[:services.TOP]
    assert [(u.unit_id, u.overdue) for u in d.overdue] == ranked and d.overdue_total == len(want["overdue"])
    return d


def _street(code: str) -> int:
    return db.session.scalar(select(Street.id).where(Street.code == code))


def test_district_dashboard_equals_direct_counts(ctx):
    d = assert_dashboard_equals_direct(Scope("district"))
    assert d.total == db.session.scalar(select(func.count()).select_from(Case)) > 30
    assert d.lights["red"] >= 1 and d.overdue and d.top30 and len(d.streets) == 3


def test_street_dashboard_equals_direct_counts(ctx):
    d = assert_dashboard_equals_direct(Scope("street", street_id=_street("qt")))
    assert {r.id for r in d.communities} <= set(db.session.scalars(
        select(Case.community_id).where(Case.street_id == _street("qt"))))
    assert d.streets == []


def test_recurring_problems_appear_at_the_third_case(ctx):
    scope = Scope("street", street_id=_street("hy"))
    before = build(scope, utcnow(), local_today())
    when = (utcnow() + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    for _ in range(3):
        new_case(by="admin", community_code="hy-dl", matter_code="CS-ZF-003", when=when)
    db.session.commit()
    after = assert_dashboard_equals_direct(scope)
    assert after.recurring_total >= before.recurring_total + 1
    assert any(r.community.startswith("") and r.count >= 3 and r.title for r in after.recurring)


def test_changes_show_at_once_and_still_equal_direct_counts(ctx):
    case = dispatched_case()
    rules.transition(case, "sign_for", user("chief"), assignment=case.assignments[0])
    rules.transition(new_case(), "reject", user("dispatcher"), reason="无效")
    db.session.commit()
    assert_dashboard_equals_direct(Scope("district"))
    assert_dashboard_equals_direct(Scope("street", street_id=_street("qt")))
    # and an hour after every deadline, the lights have moved with the clock alone
    later = utcnow() + timedelta(days=40)
    assert_dashboard_equals_direct(Scope("district"), now=later)


def test_windows_are_covered_by_few_aligned_blocks():
    from datetime import date

    from portal.figures.models import blocks_in, blocks_of
    for first, last in ((date(2026, 8, 26), date(2026, 11, 23)), (date(2026, 10, 25), date(2026, 11, 23)),
                        (date(2026, 11, 23), date(2026, 11, 23))):
        blocks = blocks_in(first, last)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        covering = {b for d in days for b in blocks_of(d)}
        assert set(blocks) <= covering and len(blocks) <= 2 * 7
        # every day lies in exactly one chosen block
        assert all(sum(b in blocks for b in blocks_of(d)) == 1 for d in days)
        assert not any(b in blocks for b in blocks_of(first - timedelta(days=1)) + blocks_of(last + timedelta(days=1)))


def test_each_role_sees_its_own_scope(client_as, user_by_name, app):
    names = {"district_admin": "admin", "street_secretary": "secretary", "grid_worker": "grid",
             "unit_chief": "chief", "unit_staff": "staff"}
    users = {role: user_by_name(name) for role, name in names.items()}
    expected = {
        "district_admin": Scope("district"),
        "street_secretary": Scope("street", street_id=users["street_secretary"].street_id),
        "grid_worker": Scope("community", community_id=users["grid_worker"].community_id),
        "unit_chief": Scope("unit", unit_id=users["unit_chief"].unit_id),
        "unit_staff": Scope("unit", unit_id=users["unit_staff"].unit_id),
    }
    totals = {}
    with app.app_context():
        for role, scope in expected.items():
            assert scope_for(users[role]) == scope
            totals[role] = build(scope, utcnow(), local_today()).total
        unit_id = users["unit_chief"].unit_id
        mine = db.session.scalar(select(func.count()).select_from(Assignment).where(Assignment.unit_id == unit_id))
        d = build(Scope("unit", unit_id=unit_id), utcnow(), local_today())
        assert d.total == mine and {s for s, _n in d.states} <= set(ASSIGNMENT_STATES)
        community_id = users["grid_worker"].community_id
        assert totals["grid_worker"] == db.session.scalar(
            select(func.count()).select_from(Case).where(Case.community_id == community_id))
    assert len(set(totals.values())) >= 3
    for role in expected:
        page = client_as(role).get("/dashboard/")
        assert page.status_code == 200
        assert f'<span class="big" id="total-all">{totals[role]}</span>' in page.get_data(as_text=True), role


def test_street_roles_cannot_widen_their_scope(client_as, app, user_by_name):
    secretary = user_by_name("secretary")
    with app.app_context():
        other = db.session.scalar(select(Street.id).where(Street.code == "jq"))
        own = build(Scope("street", street_id=secretary.street_id), utcnow(), local_today())
    html = client_as("street_secretary").get(f"/dashboard/?street={other}").get_data(as_text=True)
    assert f'id="total-all">{own.total}<' in html and 'name="street"' not in html


def test_district_filters_one_street(client_as, app):
    with app.app_context():
        qt = db.session.scalar(select(Street.id).where(Street.code == "qt"))
        d = build(Scope("street", street_id=qt), utcnow(), local_today())
    html = client_as("district_admin").get(f"/dashboard/?street={qt}").get_data(as_text=True)
    assert f'id="total-all">{d.total}<' in html and f'<option value="{qt}" selected>' in html


def test_page_has_charts_tables_and_refreshes_every_minute(client_as):
    client = client_as("district_admin")
    page = client.get("/dashboard/")
    html = page.get_data(as_text=True)
    assert page.headers["Vary"].find("HX-Request") >= 0
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') >= 6
    assert '<title id="chart-states-title">各状态案件数</title>' in html or 'chart-states-title' in html
    assert 'hx-trigger="every 60s"' in html and 'id="table-trend"' in html and "满意率" in html
    fragment = client.htmx("GET", "/dashboard/")
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and body.lstrip().startswith("{#") is False
    assert body.lstrip().startswith('<div id="dashboard"') and "<html" not in body
    assert 'hx-trigger="every 60s"' in body
    assert re.search(r'id="total-all">\d+<', body)


def test_labels_are_escaped_in_the_svg(ctx):
    from portal.dashboard.svg import bar_chart
    chart = str(bar_chart("x", "<标题>", [("<script>alert(1)</script>", 3)]))
    assert "<script>" not in chart and "&lt;script&gt;" in chart and "&lt;标题&gt;" in chart



def test_a_change_shows_on_the_next_load_within_the_minute(client_as, app):
    client = client_as("district_admin")
    total = lambda: int(re.search(r'id="total-all">(\d+)<', client.get("/dashboard/").get_data(as_text=True)).group(1))  # noqa: E731
    before = total()
    assert total() == before                      # served again (from the panels cache)
    with app.test_request_context():
        new_case()
        db.session.commit()
    assert total() == before + 1
