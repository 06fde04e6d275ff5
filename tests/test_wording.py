"""Words on the pages: each label says what its own page means (the areas' catalogs are merged,
so a label without its own translation used to borrow another page's)."""
import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def headers(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]


def test_a_units_queue_heads_its_dates_with_the_deadline_of_the_tab(client_for):
    chief = client_for("chief")
    assert "签收期限" in headers(page(chief.get("/cases/queue?tab=sign")))
    assert "办结期限" in headers(page(chief.get("/cases/queue?tab=report")))
    assert "签收/办结期限" in headers(page(chief.get("/cases/queue?tab=overdue")))
    for tab in ("sign", "check_in", "report", "overdue"):
        assert "办理期限" not in page(chief.get(f"/cases/queue?tab={tab}"))      # a resolution's word


def test_month_columns_say_month_and_count_columns_say_cases_received(client, client_for):
    for html in (page(client.get("/public/figures")), page(client_for("admin").get("/dashboard/"))):
        assert "月份" in headers(html) and "受理数" in headers(html)
        assert "月度汇总" not in html and "已受理" not in headers(html)


def test_the_case_page_says_when_the_case_was_received(app, client_for):
    from portal.cases.models import Case

    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.state == "closed").limit(1)).one()
        case_id, received = case.id, case.created_at + timedelta(hours=8)     # Beijing time
    html = page(client_for("admin").get(f"/cases/{case_id}"))
    # Shown in Beijing time, and in the machine-readable attribute with its offset.
    assert (f'<dt>受理时间</dt><dd><time datetime="{received.isoformat()}+08:00">'
            f'{received:%Y-%m-%d %H:%M}</time>') in html


def test_error_pages_lead_home_in_chinese(client_for):
    response = client_for("chief").get("/no-such-page")
    assert response.status_code == 404
    assert '<a href="/">返回首页</a>' in response.get_data(as_text=True)


def test_the_roster_keeps_its_monthly_summary_tab(app, client_for):
    from portal.roster.models import Center

    with app.app_context():
        center_id = db.session.scalar(select(Center.id).limit(1))
    assert "月度汇总" in page(client_for("secretary").get(f"/roster/centers/{center_id}/week"))


def test_units_are_taken_off_a_meetings_list_not_deleted(app, client_for):
    from portal.meetings.models import Meeting

    with app.app_context():
        meeting_ids = db.session.scalars(select(Meeting.id)).all()
    secretary = client_for("secretary")
    pages = [page(secretary.get(f"/meetings/{meeting_id}")) for meeting_id in meeting_ids]
    # the button of each form that takes a unit off a meeting
    buttons = [b for html in pages for b in re.findall(
        r'action="/meetings/\d+/members/\d+/remove".*?<button[^>]*>([^<]+)</button>', html, re.S)]
    assert buttons and set(buttons) == {"移出"}


def test_deactivating_a_user_says_so_once(app, client_for, user_by_name):
    admin = client_for("admin")
    grid = user_by_name("grid")
    assert admin.post_form(f"/auth/users/{grid.id}/active", {"active": "0"}).status_code == 302
    html = page(admin.get("/auth/users"))
    assert f"{grid.display_name}已停用。" in html and "已已" not in html


def test_the_resolution_deadline_hint_says_holidays_are_skipped(app, client_for):
    from portal.meetings.models import Meeting

    with app.app_context():
        meeting_ids = db.session.scalars(select(Meeting.id)).all()
    secretary = client_for("secretary")
    html = "".join(page(secretary.get(f"/meetings/{meeting_id}")) for meeting_id in meeting_ids)
    assert "按工作日计算：法定节假日不计入，调休上班日计为工作日。" in html
    assert "均已计入" not in html


def test_people_are_named_by_their_name_not_a_records_name(app, client_for):
    from portal.roster.models import Center

    admin = client_for("admin")
    assert "姓名" in headers(page(admin.get("/auth/users"))) and "名称" not in headers(page(admin.get("/auth/users")))
    assert re.search(r'<label[^>]*for="display_name"[^>]*>姓名', page(admin.get("/auth/users/new")))
    with app.app_context():
        center_id = db.session.scalar(select(Center.id).limit(1))
    form = page(client_for("secretary").get(f"/roster/centers/{center_id}/members/new"))
    assert re.search(r'<label[^>]*for="name"[^>]*>姓名', form)


def test_dates_are_headed_as_times_not_as_states(app, client_for):
    from portal.cases.models import Case

    admin = client_for("admin")
    forced = headers(page(admin.get("/cases/forced")))
    assert "结案时间" in forced and "已结案" not in forced
    returned = headers(page(admin.get("/cases/adjudication")))
    assert "回退时间" in returned and "等待自" not in returned
    with app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.closed_at.is_not(None)).limit(1))
    html = page(admin.get(f"/cases/{case_id}"))
    assert re.search(r"<dt>结案时间</dt><dd><time", html) and "<dt>已结案</dt>" not in html


def test_overdue_is_one_word_on_the_dashboard_and_the_units_queue(client_for):
    """(A late sign-for on the case page: tests/cases/test_pages.py, 超期签收.)"""
    html = page(client_for("admin").get("/dashboard/"))
    assert "超期单位" in html and "超时" not in html
    chief = client_for("chief")
    queue = page(chief.get("/cases/queue?tab=overdue"))
    assert "超期" in queue and "超时" not in queue


def test_every_column_of_the_holiday_list_has_a_header(client_for):
    from portal.timeutil import local_today

    admin = client_for("admin")
    day = local_today().replace(month=12, day=30).isoformat()
    assert admin.post_form("/calendar/overrides", {"day": day, "is_workday": "0", "name": "测试"}).status_code == 302
    html = page(admin.get("/calendar/"))
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if day in r)
    assert len(re.findall(r"<td", row)) == len(headers(html)) and all(headers(html))
    assert headers(html)[-1] == "操作"
