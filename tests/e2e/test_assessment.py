"""一哨一考 in a real browser: the secretary rates a unit of a closed whistle with the star radio
groups; the case's ratings show it; the unit's chief sees only their own unit's rating."""
from playwright.sync_api import expect


def _routine_whistle(app):
    from sqlalchemy import select

    from portal.assessment.demo import ROUTINE_WHISTLE
    from portal.cases.models import Case
    from portal.extensions import db

    with app.app_context():
        from portal.assessment.scoring import local_month

        case = db.session.scalar(select(Case).where(Case.description.startswith(ROUTINE_WHISTLE)))
        return case.id, case.number, local_month(case.whistled_at).strftime("%Y-%m")


def test_the_secretary_rates_with_stars_and_the_chief_sees_only_their_own(app, page, browser, live_server,
                                                                            login_as):
    case_id, number, month = _routine_whistle(app)
    login_as("secretary")
    page.goto(f"{live_server}/assessment/ratings")
    owed = page.locator("#owed-ratings")
    expect(owed).to_contain_text(number)
    owed.get_by_role("link", name="评价青檀街道城管执法队").click()
    expect(page.locator("h1")).to_have_text("评价青檀街道城管执法队")

    choices = {"报到效率": "4 星：良好", "配合度": "5 星：优秀", "专业性": "3 星：合格", "担当意识": "4 星：良好"}
    for dimension, stars in list(choices.items())[:3]:
        radio = page.get_by_role("group", name=dimension).get_by_role("radio", name=stars)
        radio.check()
        expect(radio).to_be_checked()
    # each choice is a large target (at least 44 px high)
    box = page.get_by_role("group", name="配合度").locator("label.star-option").first.bounding_box()
    assert box["height"] >= 44
    page.get_by_label("评语").fill("到场及时，隔断拆除彻底。")
    page.get_by_role("button", name="保存评价").click()
    # the fourth dimension is missing: the form says so and keeps the other choices
    missing = page.get_by_role("group", name="担当意识")
    expect(missing.locator(".field-error")).to_have_text("请评 1 至 5 星。")
    expect(page.get_by_role("group", name="配合度").get_by_role("radio", name="5 星：优秀")).to_be_checked()
    # keyboard: focus the group's radio and choose with the arrow keys
    missing.get_by_role("radio", name="1 星：差").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(missing.get_by_role("radio", name=choices["担当意识"])).to_be_checked()
    page.get_by_role("button", name="保存评价").click()

    expect(page).to_have_url(f"{live_server}/assessment/cases/{case_id}/ratings")
    expect(page.locator(".flash-success")).to_contain_text("评价已保存")
    card = page.locator("article", has_text="青檀街道城管执法队")
    expect(card).to_contain_text("已评价")
    expect(card.get_by_label("报到效率 4/5")).to_be_visible()
    expect(card.get_by_label("专业性 3/5")).to_be_visible()
    expect(card).to_contain_text("到场及时，隔断拆除彻底。")
    expect(page.locator("article", has_text="青檀派出所")).to_contain_text("人员登记及时")
    expect(page.locator("#owed-ratings")).to_have_count(0)

    # the rating is no longer owed
    page.goto(f"{live_server}/assessment/ratings")
    expect(page.locator("#owed-ratings")).not_to_contain_text("青檀街道城管执法队")

    # the chief of 青檀街道城管执法队 sees their own rating, and no other unit's
    chief = browser.new_context(locale="zh-CN").new_page()
    login_as("chief", page=chief)
    chief.goto(f"{live_server}/assessment/cases/{case_id}/ratings")
    expect(chief.locator("h1")).to_contain_text(number)
    expect(chief.locator("article")).to_have_count(1)
    expect(chief.locator("article")).to_contain_text("青檀街道城管执法队")
    expect(chief.locator("article").get_by_label("配合度 5/5")).to_be_visible()
    expect(chief.locator("main")).not_to_contain_text("青檀派出所")
    expect(chief.get_by_role("link", name="更正评价")).to_have_count(0)
    # and the unit's monthly page names the whistle among the cases that cost points
    chief.goto(f"{live_server}/assessment/?period={month}")
    expect(chief.locator("#unit-ranking tbody tr")).to_have_count(1)
    chief.locator("#unit-ranking").get_by_role("link", name="青檀街道城管执法队").click()
    expect(chief.locator("#unit-score")).to_be_visible()
    expect(chief.locator("#lost-lines")).to_contain_text(number)
    chief.context.close()
