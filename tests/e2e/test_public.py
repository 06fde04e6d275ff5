"""A resident on a phone reports a problem with a photo, follows it as staff work it, and rates it;
the street's public figures move with it."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from portal.extensions import db
from portal.timeutil import local_today
from tests.public.helpers import case_by_code, dispatch, jpeg, work

PHONE = {"width": 360, "height": 740}


def _figures(page, live_server) -> dict[str, str]:
    page.goto(f"{live_server}/public/figures?street=qt&months=3")
    row = page.locator(f'#figures-qt tr[data-month="{local_today():%Y-%m}"]')
    cells = {name: row.locator(f"td.{name}").inner_text() for name in
             ("received", "response-rate", "resolution-rate", "satisfaction-rate")}
    return {k: " ".join(v.split()) for k, v in cells.items()}


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _staff(app, code: str, step) -> None:
    """Staff act on the case (through the cases rules, as their pages do) and commit."""
    with app.test_request_context():
        step(case_by_code(code))
        db.session.commit()


def test_a_resident_reports_follows_and_rates_a_problem_from_a_phone(app, page, live_server):
    page.set_viewport_size(PHONE)
    before = _figures(page, live_server)

    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/public/")
    _fits(page)
    page.get_by_role("link", name=re.compile("我要反映问题")).click()
    expect(page.locator("h1")).to_have_text("我要反映问题")
    _fits(page)
    page.select_option("select[name=matter]", label="共享单车堆在路口、堵了盲道")
    page.fill("textarea[name=description]", "铜铃巷口共享单车堆了几十辆，老人推轮椅过不去。")
    page.select_option("select[name=community]", label="铜铃巷社区")
    page.fill("input[name=address]", "铜铃巷口公交站旁")
    page.set_input_files("input[name=photos]", files=[
        {"name": "bikes.jpg", "mimeType": "image/jpeg", "buffer": jpeg((640, 480))}])
    page.fill("input[name=reporter_name]", "王秀英")
    page.fill("input[name=reporter_phone]", "13987654321")
    page.get_by_label("同意街道就这件事给我打电话").check()
    page.get_by_role("button", name="提交反映").click()

    expect(page.locator(".flash-success")).to_contain_text("您的反映已收到")
    code = page.locator(".tracking-code").inner_text().replace(" ", "")
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}", code)
    expect(page.locator("[data-print]")).to_be_visible()
    expect(page.locator("#state")).to_contain_text("已收到，等待受理")
    expect(page.locator("main")).to_contain_text("王** · 139****4321")
    assert "王秀英" not in page.content() and "13987654321" not in page.content()
    _fits(page)
    with app.app_context():
        case = case_by_code(code)
        assert case.channel == "resident_web" and len(case.attachments) == 1

    # staff triage and dispatch it: the resident sees the department take it on
    _staff(app, code, dispatch)
    page.reload()
    expect(page.locator("#state")).to_contain_text("已交给负责部门")
    expect(page.locator("#timeline")).to_contain_text("已交给城管执法局办理。")
    assert "王科长" not in page.content()

    # the unit works it, the street verifies and closes it with a note and a public photo
    _staff(app, code, work)
    page.reload()
    expect(page.locator("#state")).to_contain_text("已办结")
    expect(page.locator("#timeline")).to_contain_text("城管执法局已接手处理。")
    expect(page.locator("#timeline")).to_contain_text("单车已清走，盲道已恢复通行。")
    photo = page.locator("#result-photos img, #timeline img").first
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "张大伟" not in page.content()
    _fits(page)

    # the resident rates it, once
    page.locator("#rating label", has_text="非常满意").click()
    page.fill("textarea[name=comment]", "很快就清走了，谢谢")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".flash-success")).to_contain_text("感谢您的评价")
    expect(page.locator("#rating")).to_contain_text("非常满意")
    expect(page.locator("input[name=level]")).to_have_count(0)

    # following by code from the home page works too, typed loosely
    page.goto(f"{live_server}/public/")
    page.fill("input[name=code]", f"{code[:4].lower()} {code[4:8]}-{code[8:]}")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(f"{live_server}/public/track/{code}")

    after = _figures(page, live_server)
    assert after != before
    assert int(after["received"]) == int(before["received"]) + 1
    for key, (part, whole) in {"response-rate": (0, 1), "resolution-rate": (0, 1)}.items():
        b = re.search(r"(\d+) / (\d+)", before[key]).groups()
        a = re.search(r"(\d+) / (\d+)", after[key]).groups()
        assert int(a[0]) == int(b[0]) + 1 and int(a[1]) == int(b[1]) + 1, (key, before, after)
    b = re.search(r"(\d+) / (\d+)", before["satisfaction-rate"]).groups()
    a = re.search(r"(\d+) / (\d+)", after["satisfaction-rate"]).groups()
    assert (int(a[0]), int(a[1])) == (int(b[0]) + 1, int(b[1]) + 1)
    _fits(page)


def test_the_report_form_keeps_what_was_typed_without_javascript(browser, live_server):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/public/report")
    page.fill("textarea[name=description]", "路灯坏了<script>alert(1)</script>")
    page.fill("input[name=reporter_name]", "李四")
    page.get_by_role("button", name="提交反映").click()
    expect(page.locator(".field-error").first).to_be_visible()
    expect(page.locator("textarea[name=description]")).to_have_value("路灯坏了<script>alert(1)</script>")
    expect(page.locator("input[name=reporter_name]")).to_have_value("李四")
    expect(page.locator("main")).to_contain_text("不要输入网页代码")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
