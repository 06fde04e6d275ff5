"""The roster in a real browser: a chief logs a check-in from a phone, the secretary edits the grid."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.org.models import Street
from portal.roster import rules
from portal.roster.models import Center, Member
from portal.timeutil import local_today

PHONE = {"width": 390, "height": 844}


def _ids(app):
    with app.app_context():
        center = db.session.scalar(select(Center.id).join(Street).where(Street.code == "qt"))
        member = db.session.scalar(select(Member.id).where(Member.name == "姚诗雨"))
        return center, member


def test_chief_logs_a_check_in_from_a_phone_and_the_secretary_sees_it(app, browser, page, live_server, login_as):
    center_id, member_id = _ids(app)
    page.set_viewport_size(PHONE)
    login_as("chief")
    page.goto(f"{live_server}/roster/")
    expect(page).to_have_url(f"{live_server}/roster/centers/{center_id}/day")
    row = page.locator(f"#day-member-{member_id}")
    expect(row).to_contain_text("姚诗雨")
    row.get_by_role("link", name="登记签到/签退").click()
    expect(page.locator("h1")).to_contain_text("姚诗雨")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("textarea[name=reason]", "早高峰拥堵，协助疏导交通")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("已为姚诗雨登记签到")
    expect(page.locator(f"#day-member-{member_id}")).to_contain_text("早高峰拥堵")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    secretary = browser.new_context(locale="zh-CN").new_page()
    login_as("secretary", page=secretary)
    secretary.goto(f"{live_server}/roster/centers/{center_id}/day")
    secretary_row = secretary.locator(f"#day-member-{member_id}")
    expect(secretary_row).to_contain_text("由派驻机构负责人 刘洋登记")
    expect(secretary_row).to_contain_text(rules.local_now().strftime("%H:"))

    chief2 = browser.new_context(locale="zh-CN").new_page()
    login_as("chief2", page=chief2)
    response = chief2.goto(f"{live_server}/roster/members/{member_id}/log")
    assert response.status == 404


def test_secretary_edits_the_schedule_grid_in_place(app, page, live_server, login_as):
    center_id, member_id = _ids(app)
    start = rules.week_start(local_today()) + timedelta(days=7)
    wednesday = (start + timedelta(days=2)).isoformat()
    login_as("secretary")
    page.goto(f"{live_server}/roster/centers/{center_id}/week?start={start.isoformat()}")
    expect(page.locator("[data-print]")).to_be_visible()
    cell = page.locator(f"#cell-{member_id}-{wednesday}")
    cell.locator("a").click()
    select_box = page.locator(f"#cell-{member_id}-{wednesday} select[name=shift]")
    expect(select_box).to_be_visible()
    # Choose only once htmx has taken up the swapped-in form (its change trigger is then bound).
    page.wait_for_function("sel => { const f = document.querySelector(sel);"
                           " return !!(f && f['htmx-internal-data'] && f['htmx-internal-data'].initHash); }",
                           arg=f"#cell-{member_id}-{wednesday} form")
    select_box.select_option("night")
    expect(page.locator(f"#cell-{member_id}-{wednesday}")).to_have_attribute("data-shift", "night")
    expect(page.locator(f"#cell-{member_id}-{wednesday}")).to_contain_text("夜班")
    page.reload()
    expect(page.locator(f"#cell-{member_id}-{wednesday}")).to_contain_text("夜班")

    # Copying last week brings this week's schedule back; the confirm dialog is accepted.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="复制上周").click()
    expect(page.locator(".flash-success")).to_contain_text("已复制上周值班表")
    expect(page.locator(f"#cell-{member_id}-{wednesday}")).not_to_have_attribute("data-shift", "night")
