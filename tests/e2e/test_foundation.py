"""The foundation in a real browser: logins per role, HTMX live search and inline editing."""
import re

from playwright.sync_api import expect


def test_admin_live_search_and_inline_edit(page, live_server, login_as):
    requests = []
    page.on("request", lambda r: requests.append(r) if r.headers.get("hx-request") else None)
    login_as("admin")
    page.goto(f"{live_server}/org/unit/")
    rows = page.locator("#org-rows tr")
    total = rows.count()
    assert total > 10
    page.fill("input[name=q]", "派出所")
    expect(rows).to_have_count(3)  # one police station per street
    expect(page).to_have_url(re.compile(r"q=%E6%B4%BE"))

    first = rows.first
    first.get_by_role("link", name="编辑").click()
    name_input = page.locator("tr.editing input[name=name]")
    expect(name_input).to_be_visible()
    name_input.fill("改名后的派出所")
    page.locator("tr.editing button[type=submit]").click()
    expect(page.locator("#org-rows")).to_contain_text("改名后的派出所")
    expect(page.locator("tr.editing")).to_have_count(0)
    posts = [r for r in requests if r.method == "POST"]
    assert posts and posts[-1].headers.get("x-csrftoken")

    page.goto(f"{live_server}/audit/?action=org.updated")
    expect(page.locator("#audit-rows")).to_contain_text("改名后的派出所")


def test_inline_edit_error_is_shown_in_place(page, live_server, login_as):
    login_as("admin")
    page.goto(f"{live_server}/org/street/")
    page.locator("#org-rows tr").first.get_by_role("link", name="编辑").click()
    page.locator("tr.editing input[name=name]").fill("")
    page.locator("tr.editing button[type=submit]").click()
    expect(page.locator("tr.editing .field-error")).to_be_visible()


def test_chief_sees_no_admin_pages(page, live_server, login_as):
    login_as("chief")
    expect(page.locator("nav.top")).not_to_contain_text("组织架构")
    response = page.goto(f"{live_server}/org/")
    assert response.status == 403
    expect(page.locator("h1")).to_contain_text("没有权限")


def test_language_switch_in_browser(page, live_server, login_as):
    login_as("secretary")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_boosted_link_to_a_forbidden_page_shows_the_error_page(page, live_server, login_as):
    login_as("chief")
    page.evaluate("""() => { const a = document.createElement('a'); a.href = '/org/'; a.id = 'probe';
                              a.textContent = 'probe'; document.querySelector('main').appendChild(a); htmx.process(a); }""")
    with page.expect_request(lambda r: r.headers.get("hx-boosted") == "true"):
        page.click("#probe")
    expect(page.locator("h1")).to_contain_text("没有权限")
