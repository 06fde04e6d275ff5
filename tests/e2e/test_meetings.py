"""Joint meetings in a real browser: plan, invite, reply, attendance, minutes, resolutions."""
from datetime import timedelta

from playwright.sync_api import expect

from portal.timeutil import local_today


def _stuck_whistle_number(app) -> str:
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.cases.models import OPEN_CASE_STATES, Case
    from portal.extensions import db

    with app.app_context():
        street_id = db.session.scalar(select(User.street_id).where(User.username == "secretary"))
        return db.session.scalar(select(Case.number).where(
            Case.street_id == street_id, Case.level == 3, Case.state.in_(OPEN_CASE_STATES)).order_by(Case.id))


def test_special_meeting_from_plan_to_a_done_resolution(app, page, browser, live_server, login_as):
    case_number = _stuck_whistle_number(app)
    page.on("dialog", lambda dialog: dialog.accept())
    login_as("secretary")
    page.goto(f"{live_server}/meetings/new")
    day = (local_today() + timedelta(days=3)).isoformat()
    page.select_option("select[name=kind]", "special")
    page.fill("input[name=title]", "专题会议：铜铃巷违建协调（浏览器测试）")
    page.fill("input[name=starts_at]", f"{day}T09:00")
    page.fill("input[name=ends_at]", f"{day}T10:30")
    page.fill("input[name=place]", "街道三楼会议室")
    page.fill("input[name=case_number]", case_number)
    page.click("main form button[type=submit]")
    expect(page.locator("#header h1")).to_have_text("专题会议：铜铃巷违建协调（浏览器测试）")
    expect(page.locator("#header [data-state]")).to_have_text("待召开")
    meeting_url = page.url

    # the stuck whistle is the first agenda item
    expect(page.locator("#agenda li[data-item]").first.locator(f'[data-case="{case_number}"]')).to_be_visible()

    # agenda: two more items, the last moved up over HTMX without a page load
    for title in ("违建现状通报", "消防通道恢复方案"):
        page.fill("#agenda input[name=title]", title)
        page.click("#agenda form.card button[type=submit]")
        expect(page.locator("#agenda .agenda-title").last).to_have_text(title)
    page.get_by_role("button", name="上移: 消防通道恢复方案").click()
    expect(page.locator("#agenda .agenda-title").nth(1)).to_have_text("消防通道恢复方案")
    expect(page.locator("#agenda .agenda-title").nth(2)).to_have_text("违建现状通报")
    assert page.url == meeting_url

    # the chief sees the invitation and confirms who attends
    chief_page = browser.new_context(locale="zh-CN").new_page()
    chief_page.on("dialog", lambda dialog: dialog.accept())
    login_as("chief", page=chief_page)
    chief_page.goto(f"{live_server}/meetings/")
    invitations = chief_page.locator("#invitations")
    invitations.get_by_role("link", name="专题会议：铜铃巷违建协调（浏览器测试）").click()
    chief_page.select_option("#members select[name=answer]", "confirmed")
    chief_page.fill("#members input[name=attendee]", "刘洋 队长")
    chief_page.get_by_role("button", name="提交答复").click()
    expect(chief_page.locator("#members table")).to_contain_text("已确认参会 · 刘洋 队长")

    # attendance, held, minutes (with a script tag), approval
    page.reload()
    row = page.locator("#members tr", has_text="青檀街道城管执法队")
    row.locator("select[name=status]").select_option("present")
    row.locator("button", has_text="登记").click()
    expect(page.locator("#members tr", has_text="青檀街道城管执法队")).to_contain_text("出席 · 刘洋 队长")
    page.get_by_role("button", name="标记为已召开").click()
    expect(page.locator("#header [data-state]")).to_have_text("已召开")
    page.get_by_role("link", name="撰写纪要").click()
    page.fill("textarea[name=body]", "# 纪要\n\n<script>window.pwned = 1</script>\n\n1. 拆除违建\n2. 恢复消防通道")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#minutes .minutes")).to_contain_text("<script>window.pwned = 1</script>")
    assert page.evaluate("() => window.pwned === undefined")
    page.get_by_role("button", name="审定纪要").click()
    expect(page.locator("#minutes")).to_contain_text("已审定")
    expect(page.get_by_role("link", name="撰写纪要")).to_have_count(0)
    expect(page.get_by_role("link", name="添加更正")).to_be_visible()

    # two resolutions for the chief's unit
    for text, days in (("拆除铜铃巷12号院违建", "5"), ("恢复消防通道标线", "10")):
        form = page.locator("#resolutions form")
        form.locator("textarea[name=text]").fill(text)
        form.locator("select[name=unit_id]").select_option(label="青檀街道城管执法队")
        form.locator("input[name=days]").fill(days)
        form.locator("button[type=submit]").click()
        expect(page.locator("#resolutions table")).to_contain_text(text)
    expect(page.locator("#resolutions tbody tr")).to_have_count(2)

    # the chief finishes one from the work queue
    chief_page.goto(f"{live_server}/meetings/resolutions/")
    chief_page.get_by_role("link", name="拆除铜铃巷12号院违建").click()
    chief_page.fill("textarea[name=result]", "违建已拆除，现场已清理")
    chief_page.get_by_role("button", name="办结").click()
    expect(chief_page.locator("#resolution-body [data-state]")).to_have_text("已办结")

    page.goto(meeting_url)
    done_row = page.locator("#resolutions tr", has_text="拆除铜铃巷12号院违建")
    expect(done_row).to_contain_text("已办结")
    expect(done_row).to_contain_text("违建已拆除，现场已清理")
    expect(page.locator("#resolutions tr", has_text="恢复消防通道标线")).to_contain_text("已交办")
    page.goto(f"{live_server}/meetings/resolutions/")
    expect(page.locator("#register-rows")).to_contain_text("恢复消防通道标线")
    expect(page.locator("#register-rows")).not_to_contain_text("拆除铜铃巷12号院违建")
    page.check("input[name=done]")
    expect(page.locator("#register-rows")).to_contain_text("拆除铜铃巷12号院违建")
