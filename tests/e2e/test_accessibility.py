"""Accessibility: axe-core (tests/e2e/vendor/axe-core) checks the main pages against WCAG 2.0 and 2.1,
levels A and AA, as the roles that use them.

axe tags each rule with the WCAG version that introduced its success criterion, so 'wcag2a' and
'wcag2aa' alone leave out the 2.1 criteria (e.g. 2.5.3 "label in name"); they are added here.

The portal's CSP (`script-src 'self'`) forbids injected scripts, so these contexts alone are created
with `bypass_csp=True`. Every closed <details> (the case page's action forms and the like) is opened
before the check, so the forms inside are checked too. A failure lists each violation by page:
the rule id, its impact, the first few target selectors and axe's help text.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        targets: v.nodes.map(n => n.target.join(' ')), count: v.nodes.length,
    }));
}"""
OPEN_DETAILS = "() => document.querySelectorAll('details:not([open])').forEach(d => { d.open = true; })"
SHOWN_TARGETS = 4


def _demo_ids(app) -> dict:
    """Ids of demo data the pages need (by code, title or state; never fixed ids)."""
    from portal.cases.models import Assignment, Case
    from portal.meetings.demo import HELD_TITLE, PLANNED_TITLE
    from portal.meetings.models import Meeting
    from portal.org.models import Street, Unit
    from portal.roster.models import Center

    with app.app_context():
        qt = db.session.scalar(select(Street.id).where(Street.code == "qt"))
        zfd = db.session.scalar(select(Unit.id).where(Unit.code == "qt-zfd"))
        return {
            # a case dispatched to 青檀城管执法队, not yet signed for: the chief's sign-for form
            "dispatched": db.session.scalar(
                select(Assignment.case_id).join(Case)
                .where(Assignment.unit_id == zfd, Assignment.state == "dispatched", Case.street_id == qt)
                .order_by(Assignment.id)),
            # a new case in the dispatcher's street: the triage forms
            "new": db.session.scalar(select(Case.id).where(Case.street_id == qt, Case.state == "new")
                                     .order_by(Case.id)),
            # a resident's report, a closed one first: the public timeline and the rating form
            "tracking": db.session.scalar(
                select(Case.tracking_code).where(Case.channel == "resident_web", Case.street_id == qt)
                .order_by((Case.state == "closed").desc(), Case.id)),
            "held_meeting": db.session.scalar(select(Meeting.id).where(Meeting.title == HELD_TITLE)),
            "planned_meeting": db.session.scalar(select(Meeting.id).where(Meeting.title == PLANNED_TITLE)),
            "center": db.session.scalar(select(Center.id).where(Center.street_id == qt)),
        }


def _pages(ids: dict) -> dict[str, list[str]]:
    """The pages to check, by the demo login that checks them (None: a visitor)."""
    assert all(ids.values()), f"demo data missing: {ids}"
    return {
        None: ["/auth/login", "/public/", "/public/report", f"/public/track/{ids['tracking']}",
               "/public/figures", "/duties/public"],
        "dispatcher": ["/", "/cases/queue", "/cases/", f"/cases/{ids['new']}", f"/cases/{ids['dispatched']}",
                       "/cases/new", "/dashboard/"],
        "chief": ["/cases/queue", f"/cases/{ids['dispatched']}"],
        "secretary": ["/assessment/", "/meetings/", "/meetings/new", f"/meetings/{ids['held_meeting']}",
                      f"/meetings/{ids['planned_meeting']}", f"/roster/centers/{ids['center']}/week"],
        "admin": ["/audit/", "/auth/users", "/auth/users/new", "/duties/new", "/calendar/", "/dashboard/"],
    }


def _violations(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")        # fragments HTMX loads on "load"
    page.evaluate(OPEN_DETAILS)
    page.add_script_tag(path=str(AXE))
    lines = []
    for v in page.evaluate(RUN_AXE, WCAG_TAGS):
        targets = ", ".join(v["targets"][:SHOWN_TARGETS])
        more = f" (+{v['count'] - SHOWN_TARGETS} more)" if v["count"] > SHOWN_TARGETS else ""
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})\n"
                     f"      {targets}{more}")
    return lines


@pytest.mark.parametrize("who", ["visitor", "dispatcher", "chief", "secretary", "admin"])
def test_main_pages_have_no_wcag_a_or_aa_violations(app, browser, live_server, login_as, who):
    username = None if who == "visitor" else who
    paths = _pages(_demo_ids(app))[username]
    context = browser.new_context(locale="zh-CN", bypass_csp=True)   # for the injected axe only
    try:
        page = context.new_page()
        if username:
            login_as(username, page=page)
        report = []
        for path in paths:
            found = _violations(page, f"{live_server}{path}")
            if found:
                report.append(f"{path} (as {who}):\n" + "\n".join(found))
    finally:
        context.close()
    if report:
        pytest.fail("accessibility violations (WCAG 2.0-2.2 A and AA, axe-core):\n" + "\n".join(report),
                    pytrace=False)
