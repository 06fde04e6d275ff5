"""The responsibility list in a real browser: live filtering while typing, then the item itself."""
import re

from playwright.sync_api import expect


def test_secretary_narrows_the_list_by_typing_part_of_a_word(page, live_server, login_as):
    fragments = []
    page.on("request", lambda r: fragments.append(r.url) if r.headers.get("hx-request") else None)
    login_as("secretary")
    page.get_by_role("link", name="职责清单").first.click()
    expect(page.locator("h1")).to_have_text("职责清单")
    rows = page.locator("#duty-rows tr")
    expect(rows).to_have_count(25)  # a full first page

    page.locator("input[name=q]").press_sequentially("群租", delay=50)
    expect(rows).to_have_count(5)
    expect(page.locator("#duty-rows")).to_contain_text("地下空间群租整治")
    expect(page.locator("#duty-rows")).to_contain_text("平房院落和群租房消防安全巡视检查")  # her street's own
    expect(page.locator("#duty-rows")).not_to_contain_text("新生违建查处")
    expect(page).to_have_url(re.compile(r"q=%E7%BE%A4%E7%A7%9F"))
    assert any("/duties/?" in url for url in fragments)  # filtered in place, not by reloading the page

    page.locator("select[name=kind]").select_option("shared")
    expect(rows).to_have_count(2)

    page.get_by_role("link", name="平房院落和群租房消防安全巡视检查").click()
    expect(page.locator("h1")).to_have_text("平房院落和群租房消防安全巡视检查")
    expect(page.locator("main")).to_contain_text("青檀消防救援站")
    expect(page.get_by_role("link", name="编辑")).to_be_visible()  # her street's item: she may edit it


def test_visitor_reads_the_public_page_per_street(page, live_server):
    page.goto(f"{live_server}/duties/public?street=qt")
    expect(page.locator("#public-matters")).to_contain_text("胡同小巷没人扫、有垃圾")
    page.locator("select[name=street]").select_option("hy")
    expect(page.locator("#public-matters")).not_to_contain_text("胡同小巷没人扫、有垃圾")
    expect(page.locator("#public-matters")).to_contain_text("地下室里有人群租居住")
    expect(page).to_have_url(re.compile(r"street=hy"))
