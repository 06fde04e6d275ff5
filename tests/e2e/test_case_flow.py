"""Cases in a real browser: a hotline case whistled to three units and closed; a misrouted level-2
case returned and re-dispatched; two people acting on one case at once."""
from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (40, 160, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def _ids(app, **codes) -> dict:
    """Ids by code: units=("qt-fgs", …), matter="CS-ZF-001", community="qt-bl"."""
    from portal.duties.models import Matter
    from portal.org.models import Community, Unit

    with app.app_context():
        found = {u.code: u.id for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes.get("units", ()))))}
        if "matter" in codes:
            found["matter"] = db.session.scalar(select(Matter.id).where(Matter.code == codes["matter"]))
        if "community" in codes:
            found["community"] = db.session.scalar(select(Community.id).where(Community.code == codes["community"]))
        return found


def _assignments(app, case_id: int) -> dict[str, int]:
    from portal.cases.models import Assignment

    with app.app_context():
        rows = db.session.scalars(select(Assignment).where(Assignment.case_id == case_id)
                                  .order_by(Assignment.id)).all()
        return {a.unit.code: a.id for a in rows if a.state not in ("returned", "cancelled")}


def _events(app, case_id: int) -> list[str]:
    from portal.cases.models import CaseEvent

    with app.app_context():
        return list(db.session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case_id)
                                       .order_by(CaseEvent.id)))


def _open(page, prefix: str):
    """Open an action's <details> and return its form."""
    page.locator(f"details#{prefix} > summary").click()
    return page.locator(f"details#{prefix} form")


def _user_page(browser, login_as, username: str, **context):
    page = browser.new_context(locale="zh-CN", **context).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return login_as(username, page=page)


def test_hotline_case_whistled_to_three_units_and_closed(app, page, browser, live_server, login_as):
    ids = _ids(app, units=("qt-fgs", "qt-pcs", "qt-xfz"), matter="CS-ZF-001", community="qt-bl")
    page.on("dialog", lambda dialog: dialog.accept())

    # the dispatcher takes in a hotline call
    login_as("dispatcher")
    page.goto(f"{live_server}/cases/new")
    page.select_option("select[name=channel]", "hotline_12345")
    page.select_option("select[name=community_id]", str(ids["community"]))
    page.fill("textarea[name=description]", "青檀北里11号楼地下室被隔成小间群租，电线乱拉（浏览器测试）。")
    page.fill("input[name=reporter_name]", "周丽华")
    page.fill("input[name=reporter_phone]", "13911112233")
    page.click("#intake-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#facts")).to_contain_text("13911112233")

    # triage: level 3, the matter picked with the duties type-ahead
    form = _open(page, "triage")
    form.locator("input[name=level][value='3']").check()
    form.locator("input[name=matter_q]").fill("CS-ZF-001")
    form.locator(f"input[name=matter][value='{ids['matter']}']").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("#case-body .flash-success")).to_be_visible()
    expect(page.locator("form[data-action=whistle]")).to_have_count(1)

    # the whistle: the lead and cooperating units chosen, whatever the matter proposed
    form = _open(page, "whistle")
    form.locator("input[name=kind][value=routine]").check()
    form.locator("select[name=lead]").select_option(str(ids["qt-fgs"]))
    for box in form.locator("input[name=cooperating]").all():
        box.uncheck()
    form.locator(f"input[name=cooperating][value='{ids['qt-pcs']}']").check()
    form.locator(f"input[name=cooperating][value='{ids['qt-xfz']}']").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("#assignments article.assignment")).to_have_count(3)
    assignments = _assignments(app, case_id)
    assert set(assignments) == {"qt-fgs", "qt-pcs", "qt-xfz"}

    # each unit chief signs for it, checks in (one with the browser's location) and reports
    for code in ("qt-fgs", "qt-pcs", "qt-xfz"):
        located = code == "qt-pcs"
        extra = {"permissions": ["geolocation"], "geolocation": {"latitude": 39.93, "longitude": 116.41,
                                                                  "accuracy": 12}} if located else {}
        chief = _user_page(browser, login_as, f"{code}-chief", **extra)
        chief.goto(f"{live_server}/cases/{case_id}")
        card = chief.locator(f"#assignment-{assignments[code]}")
        expect(chief.locator("article.assignment")).to_have_count(1)          # only its own assignment
        expect(chief.locator("#facts")).not_to_contain_text("13911112233")     # the phone is masked
        card.locator("form[data-action=sign_for] button").click()
        expect(card.locator("form[data-action=sign_for]")).to_have_count(0)
        form = _open(card, f"check_in-{assignments[code]}")
        if located:
            form.locator("[data-geolocate]").click()
            expect(form.locator("[data-geo-status]")).to_contain_text("±12")
        form.locator("button[type=submit]").click()
        expect(card.locator("details#check_in-" + str(assignments[code]))).to_have_count(0)
        form = _open(card, f"submit_result-{assignments[code]}")
        form.locator("textarea[name=result]").fill(f"{code} 已完成处置（浏览器测试）。")
        form.locator("input[name=photos]").set_input_files(
            {"name": "result.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()})
        form.locator("button[type=submit]").click()
        expect(card).to_contain_text(f"{code} 已完成处置")
        chief.context.close()

    # the secretary verifies each result and closes the case
    secretary = _user_page(browser, login_as, "secretary")
    secretary.goto(f"{live_server}/cases/{case_id}")
    expect(secretary.locator("#photos img")).to_have_count(3)
    for code in ("qt-fgs", "qt-pcs", "qt-xfz"):
        card = secretary.locator(f"#assignment-{assignments[code]}")
        card.locator("form[data-action=verify] button").click()
        expect(card.locator("form[data-action=verify]")).to_have_count(0)
    form = _open(secretary, "close")
    form.locator("textarea[name=public_note]").fill("群租已清退。")
    form.locator("button[type=submit]").click()
    expect(secretary.locator("#case-body .flash-success")).to_be_visible()
    expect(secretary.locator("#case-actions")).to_have_count(0)

    # the timeline shows every step with names and times
    assert _events(app, case_id) == ["intake", "triage", "whistle", *["sign_for", "check_in", "submit_result"] * 3,
                                     "verify", "verify", "verify", "close"]
    timeline = secretary.locator("#timeline li")
    expect(timeline).to_have_count(16)
    for row in timeline.all():
        expect(row.locator("time")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))
        expect(row.locator(".who")).not_to_be_empty()
    text = secretary.locator("#timeline").inner_text()
    for name in ("张伟", "李秀英", "朱俊杰", "秦欣怡", "曹国强"):
        assert name in text, name
    expect(secretary.locator("#assignments")).to_contain_text("39.93")          # the located check-in


def test_a_level_two_case_returned_by_the_wrong_unit_is_redispatched(app, page, browser, live_server, login_as):
    from portal.cases import rules
    from tests.cases.helpers import new_case

    with app.test_request_context():
        case = new_case(matter_code="CS-ZF-015", description="银杏坊小区有人遛狗不牵绳（浏览器测试）")
        db.session.commit()
        case_id = case.id
    ids = _ids(app, units=("qt-zfd", "qt-pcs"))
    page.on("dialog", lambda dialog: dialog.accept())
    login_as("dispatcher")
    page.goto(f"{live_server}/cases/{case_id}")
    form = _open(page, "triage")
    form.locator("input[name=level][value='2']").check()
    form.locator("button[type=submit]").click()
    form = _open(page, "dispatch")
    form.locator("select[name=unit]").select_option(str(ids["qt-zfd"]))      # the wrong unit
    form.locator("button[type=submit]").click()
    expect(page.locator("#assignments article.assignment")).to_have_count(1)
    zfd = _assignments(app, case_id)["qt-zfd"]

    chief = _user_page(browser, login_as, "chief")
    chief.goto(f"{live_server}/cases/{case_id}")
    form = _open(chief, f"return-{zfd}")
    form.locator("button[type=submit]").click()                                  # no reason: refused
    expect(form.locator(".field-error")).to_be_visible()
    form.locator("textarea[name=reason]").fill("养犬管理属公安职责，请派至派出所。")
    form.locator("button[type=submit]").click()
    expect(chief.locator(f"#assignment-{zfd}")).to_contain_text("养犬管理属公安职责")
    chief.context.close()

    page.reload()
    form = _open(page, "adjudicate")
    form.locator("input[name=decision][value=redispatch]").check()
    form.locator("select[name=unit]").select_option(str(ids["qt-pcs"]))
    form.locator("button[type=submit]").click()
    expect(page.locator("#assignments article.assignment")).to_have_count(2)   # the returned one stays visible

    pcs_chief = _user_page(browser, login_as, "qt-pcs-chief")
    pcs_chief.goto(f"{live_server}/cases/{case_id}")
    pcs = _assignments(app, case_id)["qt-pcs"]
    pcs_chief.locator(f"#assignment-{pcs} form[data-action=sign_for] button").click()
    expect(pcs_chief.locator(f"#assignment-{pcs} form[data-action=sign_for]")).to_have_count(0)
    assert _events(app, case_id) == ["intake", "triage", "dispatch", "return", "adjudicate", "sign_for"]
    with app.app_context():
        assert rules.get_case_or_404(case_id, _user(app, "dispatcher")).state == "accepted"


def _user(app, username):
    from portal.auth.models import User

    return db.session.scalar(select(User).where(User.username == username))


def test_two_people_acting_at_once_the_second_is_told(app, page, browser, live_server, login_as):
    from tests.cases.helpers import dispatched_case

    with app.test_request_context():
        case_id = dispatched_case(description="两人同时签收（浏览器测试）").id
        db.session.commit()
    a = _assignments(app, case_id)["qt-zfd"]
    login_as("chief")
    page.goto(f"{live_server}/cases/{case_id}")
    staff = _user_page(browser, login_as, "staff")
    staff.goto(f"{live_server}/cases/{case_id}")

    page.locator(f"#assignment-{a} form[data-action=sign_for] button").click()
    expect(page.locator(f"#assignment-{a} form[data-action=sign_for]")).to_have_count(0)

    # the staff member's page still shows the old state: their sign-for meets the new one
    staff.locator(f"#assignment-{a} form[data-action=sign_for] button").click()
    expect(staff.locator("#case-body .flash-warning")).to_be_visible()
    expect(staff.locator("#htmx-error")).to_be_visible()
    expect(staff.locator(f"#assignment-{a} form[data-action=sign_for]")).to_have_count(0)
    expect(staff.locator(f"#assignment-{a}")).to_contain_text("刘洋")           # who signed for it
    assert _events(app, case_id).count("sign_for") == 1


def test_a_units_changes_come_back_as_its_card_and_new_timeline_entries(app, page, browser, live_server, login_as):
    """A unit chief works a case without reloading: each change swaps only its card (or nothing) and
    adds its timeline entry; every next form posts the case's new version, so no change is refused
    as stale; what the chief typed elsewhere on the page stays."""
    from tests.cases.helpers import dispatched_case

    with app.test_request_context():
        case_id = dispatched_case(description="逐步处置不刷新页面（浏览器测试）").id
        db.session.commit()
    a = _assignments(app, case_id)["qt-zfd"]
    login_as("chief")
    page.goto(f"{live_server}/cases/{case_id}")
    card = page.locator(f"#assignment-{a}")
    timeline = page.locator("#timeline li")
    before = timeline.count()
    marker = page.evaluate("() => { document.getElementById('facts').dataset.untouched = 'yes'; return 1; }")
    assert marker == 1

    card.locator("form[data-action=sign_for] button").click()
    expect(card.locator("form[data-action=sign_for]")).to_have_count(0)
    expect(timeline).to_have_count(before + 1)
    expect(page.locator("#case-head .flash-success")).to_be_visible()

    form = _open(card, f"check_in-{a}")
    form.locator("button[type=submit]").click()
    expect(card.locator(f"details#check_in-{a}")).to_have_count(0)
    expect(timeline).to_have_count(before + 2)

    # progress twice: the card stays (a half-typed result in it too), the form is emptied and folded
    result = _open(card, f"submit_result-{a}")
    result.locator("textarea[name=result]").fill("草稿：尚未写完")
    for n, text in enumerate(("已到场查看，正在联系物业。", "物业已安排清理。"), start=3):
        form = _open(card, f"log_progress-{a}")
        form.locator("textarea[name=note]").fill(text)
        form.locator("button[type=submit]").click()
        expect(timeline).to_have_count(before + n)
        expect(timeline.last).to_contain_text(text)
        expect(form.locator("textarea[name=note]")).to_have_value("")
        expect(card.locator(f"details#log_progress-{a}")).not_to_have_attribute("open", "")
    expect(result.locator("textarea[name=result]")).to_have_value("草稿：尚未写完")
    assert page.evaluate("() => document.getElementById('facts').dataset.untouched") == "yes"

    result.locator("textarea[name=result]").fill("垃圾已清运完毕。")
    result.locator("button[type=submit]").click()
    expect(card).to_contain_text("垃圾已清运完毕。")
    expect(timeline).to_have_count(before + 5)
    expect(page.locator("#htmx-error")).to_be_hidden()
    assert _events(app, case_id)[-5:] == ["sign_for", "check_in", "log_progress", "log_progress", "submit_result"]
    version = page.locator("#case-head").get_attribute("data-case-version")
    for value in page.locator("#case-body form input[name=version]").all():
        assert value.input_value() == version
