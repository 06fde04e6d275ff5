"""The dashboard in a real browser: charts drawn, numbers in tables, the minute refresh swaps in
new numbers, and the district's street filter."""
from __future__ import annotations

from playwright.sync_api import expect


def _add_case(app) -> None:
    from portal.cases import rules
    from tests.cases.helpers import community, user

    with app.test_request_context():
        rules.intake(user("admin"), channel="hotline_12345", community=community("qt-tlx"),
                     description="浏览器测试：路灯不亮")
        from portal.extensions import db
        db.session.commit()


def test_dashboard_charts_and_the_minute_refresh(app, page, live_server, login_as):
    page.clock.install()
    login_as("admin")
    page.goto(f"{live_server}/dashboard/")
    expect(page.locator("h1")).to_have_text("指挥大屏")
    states = page.locator("svg#chart-states")
    expect(states).to_be_visible()
    assert states.get_attribute("role") == "img"
    expect(page.locator("#chart-states-title")).to_have_text("各状态案件数")
    box = states.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 50
    expect(page.locator("svg#chart-trend rect").first).to_be_attached()
    expect(page.locator("#table-trend tbody tr")).to_have_count(12)
    total = int(page.locator("#total-all").inner_text())
    new_count = int(page.locator("#table-states tr[data-state=new] td").nth(1).inner_text())

    _add_case(app)
    with page.expect_response(lambda r: "/dashboard/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.clock.fast_forward("01:05")
    expect(page.locator("#total-all")).to_have_text(str(total + 1))
    expect(page.locator("#table-states tr[data-state=new] td").nth(1)).to_have_text(str(new_count + 1))
    expect(page.locator("svg#chart-states")).to_be_visible()
    assert page.locator("#dashboard").count() == 1          # swapped in place, not nested


def test_district_picks_a_street(app, page, live_server, login_as):
    login_as("admin")
    page.goto(f"{live_server}/dashboard/")
    expect(page.locator("#table-streets tbody tr")).to_have_count(3)
    page.select_option("select[name=street]", label="青檀街道")
    expect(page.locator("#table-streets")).to_have_count(0)
    assert "street=" in page.url
    expect(page.locator("svg#chart-communities")).to_be_visible()
