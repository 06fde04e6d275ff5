"""The case lists in a real browser: live filtering, the queue's tabs, intake with a photo."""
import re

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from portal.cases.models import Case
from portal.extensions import db


def test_dispatcher_narrows_the_case_list_while_typing(page, live_server, login_as):
    fragments = []
    page.on("request", lambda r: fragments.append(r.url) if r.headers.get("hx-request") else None)
    login_as("dispatcher")
    page.get_by_role("link", name="案件", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("案件")
    rows = page.locator("#case-rows tr[data-case]")
    expect(rows.first).to_be_visible()
    everything = rows.count()
    assert everything > 10 and all(n.startswith("QT-") for n in rows.evaluate_all(
        "rows => rows.map(r => r.dataset.case)"))

    page.locator("input[name=q]").press_sequentially("铜铃巷", delay=50)
    expect(page).to_have_url(re.compile(r"q=%E9%93%9C%E9%93%83%E5%B7%B7"))
    expect(rows).not_to_have_count(everything)
    narrowed = rows.count()
    assert 0 < narrowed < everything
    assert any("/cases/?" in url for url in fragments)     # filtered in place, not by reloading

    page.locator("select[name=state]").select_option("dispatched")
    expect(page).to_have_url(re.compile(r"state=dispatched"))
    expect(page.locator("#case-rows")).to_contain_text("已派单")
    expect(page.locator("#case-rows .badge").filter(has_not_text="已派单")).to_have_count(0)


def test_unit_chief_switches_queue_tabs_in_place(page, live_server, login_as):
    fragments = []
    page.on("request", lambda r: fragments.append(r.url) if r.headers.get("hx-request") else None)
    login_as("chief")
    page.get_by_role("link", name="待办", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("我的待办")
    tabs = page.locator("#queue-tabs a")
    expect(tabs).to_have_count(4)
    expect(page.locator("#queue-tabs [data-count=sign]")).to_have_text(re.compile(r"^\d+$"))
    report = page.locator("#queue-tabs a[data-tab=report]")
    expected = int(page.locator("#queue-tabs [data-count=report]").inner_text())
    report.click()
    expect(report).to_have_attribute("aria-current", "page")
    expect(page).to_have_url(re.compile(r"tab=report"))
    expect(page.locator("#queue-table tbody tr[data-case]")).to_have_count(expected)
    assert any("/cases/queue?tab=report" in url for url in fragments)


def test_dispatcher_takes_in_a_case_with_a_photo(app, page, live_server, login_as, tmp_path):
    photo = tmp_path / "street.png"
    Image.new("RGB", (120, 90), (180, 60, 40)).save(photo)
    login_as("dispatcher")
    page.get_by_role("link", name="受理", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("受理案件")
    page.select_option("select[name=community_id]", label="铜铃巷社区")
    page.fill("input[name=address]", "铜铃巷21号")
    page.fill("textarea[name=description]", "早市摊贩占道经营，浏览器测试")
    page.locator("#matter_id-q").press_sequentially("CS-ZF-003", delay=30)
    choice = page.locator("#matter_id-options label").filter(has_text="CS-ZF-003")
    expect(page.locator("#matter_id-options label")).to_have_count(1)   # the typed search has answered
    choice.locator("input[type=radio]").check()
    expect(page.locator("#duplicate-hint")).to_be_visible()            # same item in this community this week
    page.set_input_files("input[name=photos]", str(photo))
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("main")).to_contain_text("早市摊贩占道经营，浏览器测试")
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.description == "早市摊贩占道经营，浏览器测试"))
        assert case.matter.code == "CS-ZF-003" and case.community.name == "铜铃巷社区"
        assert [(a.kind, a.content_type) for a in case.attachments] == [("report", "image/png")]
