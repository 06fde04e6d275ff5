"""The roster over HTTP: who may see and log what, check-ins, the grid, leave, the month, the look-up."""
from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.org.models import Department, Street
from portal.roster import rules
from portal.roster.models import Assessment, Attendance, Center, Leave, Member, ScheduleEntry
from portal.timeutil import local_today
from tests.roster.samples import center_id, member_id


@pytest.fixture
def ids(app):
    with app.app_context():
        return {"qt": center_id(app), "hy": center_id(app, "hy"), "yao": member_id(app),
                "self": db.session.scalar(select(Member.id).where(Member.user.has(username="staff"))),
                "police": member_id(app, "邹学军")}


def now_form(extra=None):
    now = rules.local_now()
    return {"action": "in", "day": now.date().isoformat(), "clock": now.strftime("%H:%M"),
            "reason": "早高峰拥堵", "version": "0", **(extra or {})}


# --- who sees what ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [("district_admin", 200), ("street_secretary", 200),
                                         ("street_dispatcher", 200), ("unit_chief", 403),
                                         ("unit_staff", 403), ("grid_worker", 403)])
def test_week_grid_by_role(client_as, ids, role, status):
    assert client_as(role).get(f"/roster/centers/{ids['qt']}/week").status_code == status


def test_other_streets_are_out_of_scope(client_for, ids):
    secretary2 = client_for("secretary2")
    for path in ("week", "day", "leave", "month", "month.xlsx", "settings", "members/new"):
        assert secretary2.get(f"/roster/centers/{ids['qt']}/{path}").status_code == 404, path
    assert secretary2.get(f"/roster/members/{ids['yao']}/edit").status_code == 404
    assert client_for("chief2").get(f"/roster/centers/{ids['qt']}/day").status_code == 404
    assert client_for("chief2").get(f"/roster/centers/{ids['qt']}/month").status_code == 404
    assert client_for("grid").get(f"/roster/on-call?street={ids['hy']}").status_code == 404


def test_district_sees_every_center_side_by_side(client_for, app):
    html = client_for("admin").get("/roster/composition").get_data(as_text=True)
    with app.app_context():
        for street in db.session.scalars(select(Street)):
            assert f"{street.name}综合执法中心" in html
    assert "1+5+N" in html and "1+4+N" in html
    assert "应急管理局" in html  # 槐荫 lists it on call without a contact


def test_dispatcher_reads_but_cannot_edit(client_for, ids):
    dispatcher = client_for("dispatcher")
    html = dispatcher.get(f"/roster/centers/{ids['qt']}/week").get_data(as_text=True)
    assert "姚诗雨" in html and "/roster/cells/" not in html and "复制上周" not in html
    assert dispatcher.get(f"/roster/centers/{ids['qt']}/leave").status_code == 200
    month = dispatcher.get(f"/roster/centers/{ids['qt']}/month").get_data(as_text=True)
    assert ">考核</th>" not in month and "月度考核" not in month  # assessments are for the secretary and the unit's chief
    day = local_today().isoformat()
    assert dispatcher.post_form(f"/roster/cells/{ids['yao']}/{day}", {"shift": "day"}).status_code == 403


def test_chief_day_view_shows_only_the_own_unit(client_for, ids):
    html = client_for("chief").get(f"/roster/centers/{ids['qt']}/day").get_data(as_text=True)
    assert "姚诗雨" in html and "邹学军" not in html
    assert f"/roster/members/{ids['yao']}/log" in html
    secretary = client_for("secretary").get(f"/roster/centers/{ids['qt']}/day").get_data(as_text=True)
    assert "邹学军" in secretary and "/roster/members/" not in secretary


def test_landing_pages_per_role(client_as, ids):
    assert client_as("district_admin").get("/roster/").headers["Location"].endswith("/roster/composition")
    assert client_as("unit_chief").get("/roster/").headers["Location"].endswith(f"/roster/centers/{ids['qt']}/day")
    assert client_as("unit_staff").get("/roster/").headers["Location"].endswith("/roster/me")
    assert client_as("grid_worker").get("/roster/").status_code == 403


# --- the chief logs, the secretary sees ----------------------------------------------------------------

def test_chief_logs_a_check_in_the_secretary_sees_it(client_for, app, ids):
    chief = client_for("chief")
    form = chief.get(f"/roster/members/{ids['yao']}/log").get_data(as_text=True)
    assert "姚诗雨" in form and 'name="clock"' in form
    response = chief.post_form(f"/roster/members/{ids['yao']}/log", now_form())
    assert response.status_code == 302
    html = client_for("secretary").get(f"/roster/centers/{ids['qt']}/day").get_data(as_text=True)
    row = html[html.index(f'id="day-member-{ids["yao"]}"'):]
    row = row[:row.index("</tr>")]
    assert "由派驻机构负责人 刘洋登记" in row and rules.local_now().strftime("%H:") in row
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.checked_in"))
        assert event.details["logged_by"] == "chief" and event.details["member"] == ids["yao"]
        record = db.session.scalar(select(Attendance).where(Attendance.member_id == ids["yao"],
                                                            Attendance.day == local_today()))
        assert record.check_in_reason == "早高峰拥堵"


def test_chief2_cannot_log_for_another_streets_people(client_for, client_as, ids, app):
    chief2 = client_for("chief2")
    assert chief2.get(f"/roster/members/{ids['yao']}/log").status_code == 404
    assert chief2.post_form(f"/roster/members/{ids['yao']}/log", now_form()).status_code == 404
    # Nor may the chief log for people of other units in the own street.
    assert client_for("chief").get(f"/roster/members/{ids['police']}/log").status_code == 404
    assert client_as("unit_staff").get(f"/roster/members/{ids['yao']}/log").status_code == 403
    assert client_as("street_secretary").post_form(f"/roster/members/{ids['yao']}/log",
                                                   now_form()).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Attendance.id).where(Attendance.member_id == ids["yao"],
                                                             Attendance.day == local_today())) is None


def test_logging_twice_and_stale_forms(client_for, ids):
    chief = client_for("chief")
    url = f"/roster/members/{ids['yao']}/log"
    assert chief.post_form(url, now_form()).status_code == 302
    twice = chief.post_form(url, now_form({"version": "1"}))
    assert twice.status_code == 422 and "已经签到" in twice.get_data(as_text=True)
    stale = chief.post_form(url, now_form({"version": "0"}))
    assert stale.status_code == 409 and "已被他人修改" in stale.get_data(as_text=True)


def test_future_and_check_out_without_check_in_are_refused(client_for, ids):
    chief = client_for("chief")
    url = f"/roster/members/{ids['yao']}/log"
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    future = chief.post_form(url, now_form({"day": tomorrow}))
    assert future.status_code == 422 and "不能是将来" in future.get_data(as_text=True)
    out = chief.post_form(url, now_form({"action": "out"}))
    assert out.status_code == 422 and "没有可签退的签到" in out.get_data(as_text=True)


def test_staff_checks_in_and_out_from_the_phone(client_for, app, ids):
    staff = client_for("staff")
    page = staff.get("/roster/me").get_data(as_text=True)
    assert "立即签到" in page and "data-geolocate" in page and 'data-msg-pending="正在定位…"' in page
    early_out = staff.post_form("/roster/me", {"action": "out", "version": "0"})
    assert early_out.status_code == 422 and "没有可签退的签到" in early_out.get_data(as_text=True)
    response = staff.post_form("/roster/me", {"action": "in", "version": "0", "reason": "路上堵车",
                                              "lat": "39.9042", "lng": "116.4074", "accuracy": "18"})
    assert response.status_code == 302
    page = staff.get("/roster/me").get_data(as_text=True)
    assert "立即签退" in page
    with app.app_context():
        record = db.session.scalar(select(Attendance).where(Attendance.member_id == ids["self"],
                                                            Attendance.day == local_today()))
        assert record.lat == pytest.approx(39.9042) and record.accuracy == 18
        version = record.version
    assert staff.post_form("/roster/me", {"action": "out", "version": str(version)}).status_code == 302
    with app.app_context():
        assert db.session.get(Attendance, record.id).check_out_at is not None


def test_my_check_in_shows_the_logged_in_person(client_for):
    staff = client_for("staff").get("/roster/me").get_data(as_text=True)
    assert "陈静 · 青檀街道综合执法中心" in staff and "赵福来" not in staff
    chief = client_for("chief").get("/roster/me").get_data(as_text=True)
    assert "刘洋 · 青檀街道综合执法中心" in chief and "余昊天" not in chief


def test_an_unlinked_login_is_told_so(client_for, make_user):
    user = make_user("unit_staff", unit="qt-pcs")
    client = client_for(user.username)
    assert "没有关联" in client.get("/roster/me").get_data(as_text=True)
    assert client.post_form("/roster/me", {"action": "in"}).status_code == 404


# --- the week grid ----------------------------------------------------------------------------------

def test_grid_cell_edits_in_place(client_for, app, ids):
    secretary = client_for("secretary")
    day = (rules.week_start(local_today()) + timedelta(days=14)).isoformat()
    url = f"/roster/cells/{ids['yao']}/{day}"
    editor = secretary.htmx("GET", url).get_data(as_text=True)
    assert editor.lstrip().startswith("<td") and "<select" in editor and 'hx-trigger="change"' in editor
    saved = secretary.htmx("POST", url, {"shift": "night", "version": "0"})
    assert saved.status_code == 200 and "夜班" in saved.get_data(as_text=True)
    assert saved.get_data(as_text=True).lstrip().startswith("<td")
    stale = secretary.htmx("POST", url, {"shift": "day", "version": "0"})
    assert stale.status_code == 409 and "夜班" in stale.get_data(as_text=True)
    cleared = secretary.htmx("POST", url, {"shift": "", "version": "1"})
    assert cleared.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.member_id == ids["yao"],
                                                             ScheduleEntry.day == date.fromisoformat(day))) is None
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "roster.shift_set"))
    assert client_for("secretary2").htmx("POST", url, {"shift": "day", "version": "0"}).status_code == 404


def test_copy_last_week_and_print_button(client_for, app, ids):
    secretary = client_for("secretary")
    start = rules.week_start(local_today()) + timedelta(days=7)
    response = secretary.post_form(f"/roster/centers/{ids['qt']}/week/copy", {"start": start.isoformat()})
    assert response.status_code == 302
    with app.app_context():
        copied = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.member_id == ids["yao"],
                                                               ScheduleEntry.day == start))
        before = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.member_id == ids["yao"],
                                                               ScheduleEntry.day == start - timedelta(days=7)))
        assert (copied.shift if copied else None) == (before.shift if before else None)
    html = secretary.get(f"/roster/centers/{ids['qt']}/week?start={start.isoformat()}").get_data(as_text=True)
    assert "data-print" in html and "复制上周" in html


# --- leave -------------------------------------------------------------------------------------------

def test_leave_is_entered_beforehand_and_shows_on_the_day(client_for, app, ids):
    secretary = client_for("secretary")
    url = f"/roster/centers/{ids['qt']}/leave"
    start = local_today() + timedelta(days=20)
    form = {"member_id": ids["yao"], "kind": "annual", "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=1)).isoformat(), "approver": "李秀英"}
    assert secretary.post_form(url, form).status_code == 302
    overlap = secretary.post_form(url, form)
    assert overlap.status_code == 422 and "已有请假" in overlap.get_data(as_text=True)
    past = secretary.post_form(url, {**form, "start_date": (local_today() - timedelta(days=1)).isoformat()})
    assert past.status_code == 422 and "事先" in past.get_data(as_text=True)
    assert client_for("dispatcher").post_form(url, form).status_code == 404
    html = secretary.get(f"/roster/centers/{ids['qt']}/day?day={start.isoformat()}").get_data(as_text=True)
    row = html[html.index(f'id="day-member-{ids["yao"]}"'):]
    assert "请假" in row[:row.index("</tr>")]
    with app.app_context():
        leave_id = db.session.scalar(select(Leave.id).where(Leave.member_id == ids["yao"],
                                                            Leave.start_date == start))
    assert secretary.post_form(f"/roster/leave/{leave_id}/cancel").status_code == 302
    with app.app_context():
        assert db.session.get(Leave, leave_id) is None


# --- month and assessment --------------------------------------------------------------------------------

def test_secretary_assesses_and_the_chief_reads_it(client_for, app, ids):
    month = local_today().strftime("%Y-%m")
    secretary = client_for("secretary")
    url = f"/roster/members/{ids['yao']}/assessment/{month}"
    bad = secretary.post_form(url, {"score": "101", "comment": "", "version": "0"})
    assert bad.status_code == 422
    assert secretary.post_form(url, {"score": "92", "comment": "巡查到位，配合积极", "version": "0"}).status_code == 302
    stale = secretary.post_form(url, {"score": "60", "comment": "", "version": "0"})
    assert stale.status_code == 409
    chief_month = client_for("chief").get(f"/roster/centers/{ids['qt']}/month?month={month}").get_data(as_text=True)
    assert "巡查到位，配合积极" in chief_month and "92" in chief_month and "邹学军" not in chief_month
    assert f"/assessment/{month}" not in chief_month  # reads, does not assess
    assert client_for("chief").get(url).status_code == 403
    assert client_for("secretary2").get(url).status_code == 404
    with app.app_context():
        row = db.session.scalar(select(Assessment).where(Assessment.member_id == ids["yao"],
                                                         Assessment.month == month))
        assert row.score == 92 and row.version == 1


def test_month_export_matches_the_page(client_for, app, ids):
    secretary = client_for("secretary")
    month = local_today().strftime("%Y-%m")
    response = secretary.get(f"/roster/centers/{ids['qt']}/month.xlsx?month={month}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.data))
    people = {row[0]: row for row in book["人员"].iter_rows(min_row=3, values_only=True)}
    with app.app_context():
        center = db.session.get(Center, ids["qt"])
        year, month_no = rules.parse_month(month, local_today())
        members = [m for m in center.members if m.kind in ("core", "stationed")]
        summary = rules.month_summary(members, year, month_no)
        for line in summary.people:
            row = people[line.member.name]
            assert list(row[3:11]) == [line.scheduled, line.attended, line.present, line.late,
                                       line.early_leave, line.absent, line.on_leave, line.extra]
    chief_book = load_workbook(BytesIO(client_for("chief").get(
        f"/roster/centers/{ids['qt']}/month.xlsx?month={month}").data))
    names = {row[0] for row in chief_book["人员"].iter_rows(min_row=3, values_only=True)}
    assert "姚诗雨" in names and "邹学军" not in names


# --- composition editing --------------------------------------------------------------------------------

def test_composition_warning_appears_and_clears(client_for, app, ids):
    secretary = client_for("secretary")
    with app.app_context():
        police = db.session.scalar(select(Department).where(Department.code == "gaj"))
        emergency = db.session.scalar(select(Department).where(Department.code == "yjgl"))
        pcs_unit = db.session.get(Member, ids["police"]).unit_id
        center = db.session.get(Center, ids["qt"])
        kinds = {cd.department_id: cd.kind for cd in center.departments}
    url = f"/roster/composition?street={db_street(app, 'qt')}"
    assert "需要处理" not in secretary.get(url).get_data(as_text=True)
    start = local_today().isoformat()
    assert secretary.post_form(f"/roster/centers/{ids['qt']}/members/new", {
        "name": "第三名民警", "post": "社区民警", "phone": "13900000000", "kind": "stationed",
        "department_id": police.id, "unit_id": pcs_unit, "user_id": 0, "start_date": start}).status_code == 302
    settings = {"name": "青檀街道综合执法中心", **{f"kind-{d}": k for d, k in kinds.items()},
                f"kind-{emergency.id}": "on_call"}
    assert secretary.post_form(f"/roster/centers/{ids['qt']}/settings", settings).status_code == 302
    html = secretary.get(url).get_data(as_text=True)
    assert "需要处理" in html and "公安分局有 3 人常驻" in html and "应急管理局" in html and "没有指定联系人" in html
    with app.app_context():
        third = db.session.scalar(select(Member.id).where(Member.name == "第三名民警"))
    # The person leaves the center: their membership ends yesterday (end dates are inclusive).
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    assert secretary.post_form(f"/roster/members/{third}/edit", {
        "name": "第三名民警", "post": "社区民警", "kind": "stationed", "department_id": police.id,
        "unit_id": pcs_unit, "user_id": 0, "start_date": yesterday, "end_date": yesterday}).status_code == 302
    assert secretary.post_form(f"/roster/centers/{ids['qt']}/members/new", {
        "name": "应急值守员", "post": "联络员", "kind": "on_call", "department_id": emergency.id,
        "unit_id": 0, "user_id": 0, "start_date": start}).status_code == 302
    assert "需要处理" not in secretary.get(url).get_data(as_text=True)


def test_member_form_checks_unit_and_login(client_for, app, ids):
    secretary = client_for("secretary")
    with app.app_context():
        police = db.session.scalar(select(Department.id).where(Department.code == "gaj"))
        zfd_unit = db.session.get(Member, ids["yao"]).unit_id
        staff_id = db.session.scalar(select(Member.user_id).where(Member.id == ids["self"]))
    response = secretary.post_form(f"/roster/centers/{ids['qt']}/members/new", {
        "name": "错配", "kind": "stationed", "department_id": police, "unit_id": zfd_unit,
        "user_id": staff_id, "start_date": local_today().isoformat()})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "属于其他部门" in html


# --- the look-up -------------------------------------------------------------------------------------------

def test_who_to_call_for_a_department(client_as, client_for, app, ids):
    with app.app_context():
        housing = db.session.scalar(select(Department.id).where(Department.code == "fgj"))
    html = client_as("grid_worker").get(f"/roster/on-call?department={housing}").get_data(as_text=True)
    assert "朱俊杰" in html and "tel:13624460771" in html and "010-64312236" in html
    admin = client_for("admin").get(f"/roster/on-call?street={db_street(app, 'hy')}&department={housing}")
    assert "程诗雨" in admin.get_data(as_text=True)
    assert client_for("dispatcher").get("/roster/on-call?department=999999").status_code == 404
    overview = client_for("dispatcher").get("/roster/on-call").get_data(as_text=True)
    assert 'id="on-duty"' in overview and "文化和旅游局" in overview


def db_street(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Street.id).where(Street.code == code))


def test_chief_and_member_logging_the_same_day_meet_a_conflict(client_for, app, ids):
    """The chief opened the form before the member checked in from the phone: 409, current state shown."""
    chief = client_for("chief")
    url = f"/roster/members/{ids['self']}/log"
    assert 'name="version" value="0"' in chief.get(url).get_data(as_text=True)
    assert client_for("staff").post_form("/roster/me", {"action": "in", "version": "0",
                                                        "reason": "路上堵车"}).status_code == 302
    response = chief.post_form(url, now_form())
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'id="current-state"' in html and 'name="version" value="1"' in html
    with app.app_context():
        rows = db.session.scalars(select(Attendance).where(Attendance.member_id == ids["self"],
                                                           Attendance.day == local_today())).all()
        assert len(rows) == 1 and rows[0].check_in_by.username == "staff"


def test_a_stale_cell_keeps_the_chosen_shift(client_for, app, ids):
    secretary = client_for("secretary")
    day = (rules.week_start(local_today()) + timedelta(days=15)).isoformat()
    url = f"/roster/cells/{ids['yao']}/{day}"
    assert secretary.htmx("POST", url, {"shift": "night", "version": "0"}).status_code == 200
    for stale in (secretary.htmx("POST", url, {"shift": "day", "version": "0"}),
                  secretary.post_form(url, {"shift": "day", "version": "0"})):
        html = stale.get_data(as_text=True)
        assert stale.status_code == 409 and "<select" in html
        assert 'value="day" selected' in html and 'name="version" value="1"' in html
        assert 'role="alert">他人已先行修改，当前保存为：夜班。' in html          # what the cell holds now
    with app.app_context():
        entry = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.member_id == ids["yao"],
                                                              ScheduleEntry.day == date.fromisoformat(day)))
        assert entry.shift == "night" and entry.version == 1
    assert secretary.htmx("POST", url, {"shift": "day", "version": "1"}).status_code == 200


def test_a_stale_assessment_keeps_the_typed_comment(client_for, app, ids):
    month = local_today().strftime("%Y-%m")
    secretary = client_for("secretary")
    url = f"/roster/members/{ids['yao']}/assessment/{month}"
    assert secretary.post_form(url, {"score": "92", "comment": "巡查到位", "version": "0"}).status_code == 302
    stale = secretary.post_form(url, {"score": "75", "comment": "夜班两次迟到", "version": "0"})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert 'value="75"' in html and "夜班两次迟到" in html and 'name="version" value="1"' in html
    assert "巡查到位" in html                                                  # the assessment as it is now
    with app.app_context():
        row = db.session.scalar(select(Assessment).where(Assessment.member_id == ids["yao"],
                                                         Assessment.month == month))
        assert (row.score, row.comment) == (92, "巡查到位")


def test_leave_far_in_the_future_is_refused(client_for, app, ids):
    secretary = client_for("secretary")
    start = local_today() + timedelta(days=20)
    response = secretary.post_form(f"/roster/centers/{ids['qt']}/leave", {
        "member_id": ids["yao"], "kind": "annual", "start_date": start.isoformat(), "end_date": "2999-12-31",
        "approver": "李秀英"})
    assert response.status_code == 422 and f"{local_today().year + 2}-12-31" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Leave.id).where(Leave.member_id == ids["yao"],
                                                        Leave.start_date == start)) is None


def test_a_log_without_a_valid_action_says_what_to_choose(client_for, app, ids):
    response = client_for("chief").post_form(f"/roster/members/{ids['yao']}/log", now_form({"action": "lunch"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "请选择签到或签退" in html and "不是有效的选择" not in html
    with app.app_context():
        assert db.session.scalar(select(Attendance.id).where(Attendance.member_id == ids["yao"],
                                                             Attendance.day == local_today())) is None
