"""The summary tables stay equal to counts made on the cases, through every kind of change."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.cases import rules
from portal.extensions import db
from portal.figures.rates import (
    DEFINITIONS, LABELS, UNIT_DEFINITIONS, RateRow, month_bounds, monthly_rates, percent, total,
)
from portal.org.models import Street, Unit
from tests.cases.helpers import at, community, dispatched_case, matter, new_case, unit, user
from tests.figures.helpers import assert_tallies_equal_rebuild, direct_rates, months_with_cases


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_month_bounds_are_beijing_midnights():
    assert month_bounds(date(2026, 11, 17)) == (datetime(2026, 10, 31, 16), datetime(2026, 11, 30, 16))
    assert month_bounds(date(2026, 12, 1)) == (datetime(2026, 11, 30, 16), datetime(2026, 12, 31, 16))


def test_rates_and_definitions_of_empty_months(ctx):
    (row,) = monthly_rates(months=[date(2001, 1, 1)])
    assert row == RateRow(date(2001, 1, 1), None, None, 0, 0, 0, 0, 0, None, None, None)
    assert percent(None) == "—" and percent(0.9345) == "93.5%"
    assert set(DEFINITIONS) == set(UNIT_DEFINITIONS) == {"received", *LABELS}
    assert "签收" in str(DEFINITIONS["response_rate"]) and "满意" in str(DEFINITIONS["satisfaction_rate"])


def test_demo_tallies_equal_a_rebuild_and_direct_counts(ctx):
    assert_tallies_equal_rebuild()
    months = months_with_cases()
    streets = [None, *db.session.scalars(select(Street.id))]
    for street_id in streets:
        rows = monthly_rates(street_id=street_id, months=months)
        for row in rows:
            assert (row.received, row.responded, row.resolved, row.rated, row.satisfied) == \
                direct_rates(row.month, street_id=street_id), (street_id, row.month)
    district = total(monthly_rates(months=months))
    assert district.received > 20 and 0 < district.response_rate < 1 and district.rated > 0
    for unit_id in db.session.scalars(select(Unit.id)):
        for row in monthly_rates(unit_id=unit_id, months=months):
            assert (row.received, row.responded, row.resolved, row.rated, row.satisfied) == \
                direct_rates(row.month, unit_id=unit_id), (unit_id, row.month)


def test_a_series_of_changes_keeps_the_tallies_exact(ctx):
    dispatcher, chief = user("dispatcher"), user("chief")
    month = date(2025, 11, 1)
    street_id = community("qt-tlx").street_id
    before = monthly_rates(street_id=street_id, months=[month])[0]

    # closed on time and rated "very", then a late one rated "not" and reopened
    case = dispatched_case(when="2025-11-14 10:00")
    (a,) = case.assignments
    rules.transition(case, "sign_for", chief, assignment=a, now=at("2025-11-14 11:00"))
    rules.transition(case, "submit_result", chief, assignment=a, result="已处理", now=at("2025-11-15 09:00"))
    rules.transition(case, "verify", dispatcher, assignment=a, now=at("2025-11-15 10:00"))
    rules.transition(case, "close", dispatcher, now=at("2025-11-15 10:01"))
    rules.rate_case(case, "very", now=at("2025-11-16 10:00"))
    late = dispatched_case(when="2025-11-20 10:00")
    (b,) = late.assignments
    rules.transition(late, "sign_for", chief, assignment=b, now=at("2025-12-20 10:00"))   # late
    rules.transition(late, "submit_result", chief, assignment=b, result="已处理", now=at("2025-12-21 10:00"))
    rules.transition(late, "verify", dispatcher, assignment=b, now=at("2025-12-21 11:00"))
    rules.transition(late, "close", dispatcher, now=at("2025-12-21 11:01"))
    rules.rate_case(late, "not", reopen=True, reason="没修好", now=at("2025-12-22 10:00"))
    # triaged to another matter, rejected, merged, force-closed, returned
    moved = new_case(when="2025-11-21 09:00")
    rules.transition(moved, "triage", dispatcher, level=2, matter=matter("CS-ZD-002"), now=at("2025-11-21 09:05"))
    rules.transition(new_case(when="2025-11-22 09:00"), "reject", dispatcher, reason="无效")
    rules.transition(new_case(when="2025-11-23 09:00"), "merge", dispatcher, into=moved)
    rules.transition(dispatched_case(when="2025-11-24 09:00"), "force_close", user("admin"), reason="挂账")
    returned = dispatched_case(when="2025-11-25 09:00")
    rules.transition(returned, "return", chief, assignment=returned.assignments[0], reason="不归我们管",
                     now=at("2025-11-25 10:00"))
    db.session.commit()
    assert_tallies_equal_rebuild()

    after = monthly_rates(street_id=street_id, months=[month])[0]
    assert after.received - before.received == 5          # the rejected and the merged ones left out
    assert after.responded - before.responded == 1        # only the first was signed for in time
    assert after.resolved - before.resolved == 1          # the reopened and force-closed are not
    assert (after.rated - before.rated, after.satisfied - before.satisfied) == (2, 1)
    assert (after.received, after.responded, after.resolved, after.rated, after.satisfied) == \
        direct_rates(month, street_id=street_id)
    zfd = monthly_rates(unit_id=unit("qt-zfd").id, months=[month])[0]
    assert (zfd.received, zfd.responded, zfd.resolved, zfd.rated, zfd.satisfied) == \
        direct_rates(month, unit_id=unit("qt-zfd").id)


def test_progress_and_presses_leave_the_facts_and_the_tallies_exact(ctx):
    """Progress notes and presses skip the refresh (tally.KEEPS_FACTS) unless the case moves."""
    from portal.figures import tally
    from portal.figures.models import CaseFact

    dispatcher, chief = user("dispatcher"), user("chief")
    case = dispatched_case(when="2025-11-14 10:00")
    (a,) = case.assignments
    rules.transition(case, "press", dispatcher, assignment=a, note="请尽快签收", now=at("2025-11-28 10:30"))
    rules.transition(case, "sign_for", chief, assignment=a, now=at("2025-11-28 11:00"))
    assert case.state == "accepted"
    rules.transition(case, "log_progress", chief, "已联系", assignment=a, now=at("2025-11-28 11:30"))
    db.session.commit()
    assert case.state == "in_progress"                  # progress moved the case: facts refreshed
    assert db.session.get(CaseFact, case.id).state == "in_progress"
    refreshed = []
    original = tally.refresh_case
    tally.refresh_case = lambda c: refreshed.append(c.id) or original(c)
    try:
        rules.transition(case, "log_progress", chief, "已清理一半", assignment=a, now=at("2026-01-10 09:00"))
        rules.transition(case, "press", dispatcher, assignment=a, now=at("2026-01-15 10:00"))
    finally:
        tally.refresh_case = original
    db.session.commit()
    assert refreshed == []
    assert_tallies_equal_rebuild()


def test_a_failed_change_leaves_no_trace_in_the_tallies(ctx):
    case = dispatched_case(when="2025-11-14 10:00")
    rules.transition(case, "sign_for", user("chief"), assignment=case.assignments[0])
    db.session.commit()
    with pytest.raises(rules.InvalidInput):
        rules.transition(case, "submit_result", user("chief"), assignment=case.assignments[0], result="")
    db.session.rollback()
    assert_tallies_equal_rebuild()


def test_rebuild_command_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["figures-rebuild"])
    second = runner.invoke(args=["figures-rebuild"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert first.output.split(" (")[0] == second.output.split(" (")[0]
    assert "figures_case_fact=" in first.output


def test_definitions_page_and_bare_ping(client_as, client):
    page = client_as("unit_staff").get("/figures/definitions").get_data(as_text=True)
    assert "响应率" in page and "解决率" in page and "满意率" in page and "签收时限" in page
    ping = client.get("/figures/ping")
    assert ping.status_code == 200 and ping.get_data(as_text=True) == "ok"


def test_the_benchmark_serves_a_bare_flask_app_beside_the_portal(app):
    """The yardstick of `make bench`: /bare/ answers without the portal's hooks; the rest is the portal."""
    from werkzeug.test import Client

    from portal.figures.bench_wsgi import with_bare

    served = Client(with_bare(app))
    bare = served.get("/bare/")
    assert bare.status_code == 200 and bare.get_data(as_text=True) == "ok"
    assert "Content-Security-Policy" not in bare.headers          # none of the portal's hooks
    ping = served.get("/figures/ping")
    assert ping.status_code == 200 and "Content-Security-Policy" in ping.headers
    assert served.get("/cases/").status_code in (302, 401)        # the portal's login rule
