"""Joint meetings over HTTP: planning, invitations, scope, attendance, minutes, resolutions, .ics."""
import re
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.extensions import db
from portal.inbox.models import Notification
from portal.meetings.demo import CONSULTATION_TITLE, HELD_TITLE, PLANNED_TITLE
from portal.meetings.models import Meeting, MeetingMember, Resolution
from portal.timeutil import local_today


def _meeting_id(app, title):
    with app.app_context():
        return db.session.scalar(select(Meeting.id).where(Meeting.title == title))


def _version(app, meeting_id):
    with app.app_context():
        return db.session.get(Meeting, meeting_id).version


def _member_id(app, meeting_id, username="chief"):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return db.session.scalar(select(MeetingMember.id).where(
            MeetingMember.meeting_id == meeting_id, MeetingMember.unit_id == user.unit_id))


def _plan(client, title="专题会议：测试", kind="special", day=5, **extra):
    start = (local_today() + timedelta(days=day)).isoformat()
    data = {"kind": kind, "title": title, "starts_at": f"{start}T09:00", "ends_at": f"{start}T11:00",
            "place": "街道三楼会议室", "community_id": 0, "purpose": "研究难事", **extra}
    return client.post_form("/meetings/new", data)


@pytest.fixture
def planned(app, client_for):
    """A special meeting the secretary planned just now: (meeting id, secretary client)."""
    secretary = client_for("secretary")
    response = _plan(secretary)
    assert response.status_code == 302
    meeting_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return meeting_id, secretary


def _held(app, client, meeting_id):
    response = client.post_form(f"/meetings/{meeting_id}/state/hold", {"version": _version(app, meeting_id)})
    assert response.status_code == 302


def test_secretary_plans_and_the_chief_is_invited(app, planned, client_for):
    meeting_id, _secretary = planned
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        chief = db.session.scalar(select(User).where(User.username == "chief"))
        assert meeting.state == "planned" and meeting.member_for(chief.unit_id) is not None
        note = db.session.scalar(select(Notification).where(
            Notification.user_id == chief.id, Notification.kind == "meeting_invitation",
            Notification.link == f"/meetings/{meeting_id}"))
        assert note is not None and "专题会议：测试" in note.text
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.planned",
                                                          AuditEvent.object_id == meeting_id))
    chief = client_for("chief")
    index = chief.get("/meetings/").get_data(as_text=True)
    assert "待答复的会议邀请" in index and "专题会议：测试" in index
    inbox = chief.get("/inbox/").get_data(as_text=True)
    assert "会议邀请" in inbox


def test_chief_confirms_or_sends_apologies_with_a_reason(app, planned, client_for):
    meeting_id, _secretary = planned
    chief = client_for("chief")
    refused = chief.htmx("POST", f"/meetings/{meeting_id}/reply",
                         {"csrf_token": chief.csrf(), "answer": "apologies", "reason": ""})
    assert refused.status_code == 422 and "请填写原因" in refused.get_data(as_text=True)
    ok = chief.htmx("POST", f"/meetings/{meeting_id}/reply",
                    {"csrf_token": chief.csrf(), "answer": "confirmed", "attendee": "刘洋 队长"})
    html = ok.get_data(as_text=True)
    assert ok.status_code == 200 and html.lstrip().startswith('<section id="members"')
    assert "已确认参会" in html and "刘洋 队长" in html
    index = chief.get("/meetings/").get_data(as_text=True)
    invitations = index.split('id="invitations"')[1].split("</section>")[0]
    assert "专题会议：测试" not in invitations and PLANNED_TITLE in invitations
    # only a chief of an invited unit replies; the dispatcher may read but not act
    assert client_for("dispatcher").post_form(f"/meetings/{meeting_id}/reply", {"answer": "confirmed"}).status_code == 403
    assert client_for("chief2").post_form(f"/meetings/{meeting_id}/reply", {"answer": "confirmed"}).status_code == 404


@pytest.mark.parametrize("username,status", [
    ("admin", 200), ("secretary", 200), ("dispatcher", 200), ("chief", 200),
    ("secretary2", 404), ("chief2", 404), ("grid", 404), ("staff", 403),
])
def test_meeting_page_scope(app, client_for, username, status):
    meeting_id = _meeting_id(app, PLANNED_TITLE)
    assert client_for(username).get(f"/meetings/{meeting_id}").status_code == status


def test_grid_worker_reads_their_communitys_consultation_day(app, client_for):
    meeting_id = _meeting_id(app, CONSULTATION_TITLE)
    grid = client_for("grid")
    assert grid.get(f"/meetings/{meeting_id}").status_code == 200
    listing = grid.get("/meetings/").get_data(as_text=True)
    assert CONSULTATION_TITLE in listing and PLANNED_TITLE not in listing and HELD_TITLE not in listing


def test_lists_are_scoped(app, client_for):
    assert PLANNED_TITLE in client_for("secretary").get("/meetings/").get_data(as_text=True)
    assert PLANNED_TITLE not in client_for("secretary2").get("/meetings/").get_data(as_text=True)
    assert PLANNED_TITLE not in client_for("chief2").get("/meetings/").get_data(as_text=True)
    assert "联合整治铜铃巷夜间占道经营" not in client_for("chief").get("/meetings/resolutions/").get_data(as_text=True)
    assert "清理青檀北里小区" not in client_for("secretary2").get("/meetings/resolutions/").get_data(as_text=True)


def test_district_admin_does_not_run_a_streets_meeting(app, client_for):
    meeting_id = _meeting_id(app, PLANNED_TITLE)
    admin = client_for("admin")
    assert admin.post_form(f"/meetings/{meeting_id}/state/cancel",
                           {"version": _version(app, meeting_id), "reason": "x"}).status_code == 403
    assert client_for("secretary2").post_form(f"/meetings/{meeting_id}/state/cancel",
                                              {"version": 1, "reason": "x"}).status_code == 404


def test_secretary_cannot_convene_a_district_meeting(app, client_for):
    response = _plan(client_for("secretary"), kind="district")
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Meeting.id).where(Meeting.kind == "district")) is None
    assert _plan(client_for("admin"), title="区级联席会议", kind="district").status_code == 302


def test_attendance_over_htmx(app, planned):
    meeting_id, secretary = planned
    member_id = _member_id(app, meeting_id)
    url = f"/meetings/{meeting_id}/members/{member_id}/attendance"
    refused = secretary.htmx("POST", url, {"csrf_token": secretary.csrf(), "status": "present", "attendee": ""})
    assert refused.status_code == 422 and "请填写参会人员" in refused.get_data(as_text=True)
    ok = secretary.htmx("POST", url, {"csrf_token": secretary.csrf(), "status": "present", "attendee": "刘洋"})
    assert ok.status_code == 200 and "出席 · 刘洋" in ok.get_data(as_text=True)
    assert "Vary" in ok.headers and "HX-Request" in ok.headers["Vary"]


def test_agenda_reorders_with_htmx(app, planned):
    meeting_id, secretary = planned
    for title in ("议题甲", "议题乙", "议题丙"):
        secretary.htmx("POST", f"/meetings/{meeting_id}/agenda",
                       {"csrf_token": secretary.csrf(), "title": title, "presenter_unit_id": 0})
    with app.app_context():
        last = db.session.get(Meeting, meeting_id).agenda[-1].id
    response = secretary.htmx("POST", f"/meetings/{meeting_id}/agenda/{last}/move",
                              {"csrf_token": secretary.csrf(), "direction": "up"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="agenda"')
    assert html.index("议题甲") < html.index("议题丙") < html.index("议题乙")
    with app.app_context():
        assert [i.title for i in db.session.get(Meeting, meeting_id).agenda] == ["议题甲", "议题丙", "议题乙"]


def test_minutes_with_script_render_as_text_and_lock_on_approval(app, planned):
    meeting_id, secretary = planned
    _held(app, secretary, meeting_id)
    body = "# 纪要\n\n<script>alert('x')</script>\n\n[点我](javascript:alert(1))\n\n- 第一项"
    response = secretary.post_form(f"/meetings/{meeting_id}/minutes",
                                   {"body": body, "version": _version(app, meeting_id)})
    assert response.status_code == 302
    html = secretary.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert" in html and "<script>alert" not in html
    assert 'href="javascript:' not in html and "<h1>纪要</h1>" in html and "<li>第一项</li>" in html
    printable = secretary.get(f"/meetings/{meeting_id}/print").get_data(as_text=True)
    assert "&lt;script&gt;alert" in printable and "<script>alert" not in printable

    approve = secretary.post_form(f"/meetings/{meeting_id}/state/approve_minutes",
                                  {"version": _version(app, meeting_id)})
    assert approve.status_code == 302
    # no in-place edit: a change needs a note and becomes revision 2
    form = secretary.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    assert "纪要已审定并锁定" in form
    refused = secretary.post_form(f"/meetings/{meeting_id}/minutes",
                                  {"body": "改了", "version": _version(app, meeting_id)})
    assert refused.status_code == 422
    secretary.post_form(f"/meetings/{meeting_id}/minutes",
                        {"body": "更正后的纪要", "note": "更正错字", "version": _version(app, meeting_id)})
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert [(r.number, r.note) for r in meeting.revisions] == [(1, ""), (2, "更正错字")]
        assert meeting.revisions[0].body == body and meeting.current_minutes == "更正后的纪要"
    page = secretary.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "第2版" in page and "更正错字" in page and "更正后的纪要" in page


def test_concurrent_edit_answers_409_with_the_current_state(app, planned):
    meeting_id, secretary = planned
    seen = _version(app, meeting_id)
    _held(app, secretary, meeting_id)
    stale = secretary.htmx("POST", f"/meetings/{meeting_id}/state/cancel",
                           {"csrf_token": secretary.csrf(), "version": seen, "reason": "冲突"})
    assert stale.status_code == 409
    assert "已召开" in stale.get_data(as_text=True)
    stale_minutes = secretary.post_form(f"/meetings/{meeting_id}/minutes", {"body": "我的稿子", "version": seen})
    assert stale_minutes.status_code == 409 and "我的稿子" in stale_minutes.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).minutes == ""


def test_cancel_needs_a_reason_and_tells_the_members(app, planned):
    meeting_id, secretary = planned
    refused = secretary.post_form(f"/meetings/{meeting_id}/state/cancel", {"version": _version(app, meeting_id)})
    assert refused.status_code == 422
    secretary.post_form(f"/meetings/{meeting_id}/state/cancel",
                        {"version": _version(app, meeting_id), "reason": "台风预警"})
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).state == "cancelled"
        chief = db.session.scalar(select(User).where(User.username == "chief"))
        assert db.session.scalar(select(Notification).where(Notification.user_id == chief.id,
                                                            Notification.kind == "meeting_cancelled"))


def test_resolutions_are_given_worked_and_registered(app, planned, client_for):
    meeting_id, secretary = planned
    _held(app, secretary, meeting_id)
    with app.app_context():
        chief_unit = db.session.scalar(select(User.unit_id).where(User.username == "chief"))
    response = secretary.htmx("POST", f"/meetings/{meeting_id}/resolutions", {
        "csrf_token": secretary.csrf(), "text": "拆除违建并恢复消防通道", "unit_id": chief_unit, "days": 5})
    assert response.status_code == 200 and "拆除违建并恢复消防通道" in response.get_data(as_text=True)
    refused = secretary.htmx("POST", f"/meetings/{meeting_id}/resolutions", {
        "csrf_token": secretary.csrf(), "text": "没有期限", "unit_id": chief_unit})
    assert refused.status_code == 422 and "请填写期限" in refused.get_data(as_text=True)
    with app.app_context():
        resolution = db.session.scalar(select(Resolution).where(Resolution.text == "拆除违建并恢复消防通道"))
        resolution_id, version = resolution.id, resolution.version
        assert db.session.scalar(select(Notification).where(Notification.kind == "resolution_assigned",
                                                            Notification.link == f"/meetings/resolutions/{resolution_id}"))
    chief = client_for("chief")
    assert "拆除违建并恢复消防通道" in chief.get("/meetings/resolutions/").get_data(as_text=True)
    assert "拆除违建并恢复消防通道" in client_for("staff").get("/meetings/resolutions/").get_data(as_text=True)
    assert client_for("staff").post_form(f"/meetings/resolutions/{resolution_id}/done",
                                         {"result": "x", "version": version}).status_code == 403
    progress = chief.htmx("POST", f"/meetings/resolutions/{resolution_id}/progress",
                          {"csrf_token": chief.csrf(), "text": "已约谈业主", "version": version})
    assert progress.status_code == 200 and "已约谈业主" in progress.get_data(as_text=True)
    stale = chief.post_form(f"/meetings/resolutions/{resolution_id}/done", {"result": "完成", "version": version})
    assert stale.status_code == 409
    done = chief.post_form(f"/meetings/resolutions/{resolution_id}/done",
                           {"result": "违建已拆除", "version": version + 1})
    assert done.status_code == 302
    page = secretary.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "已办结" in page and "违建已拆除" in page
    assert "拆除违建并恢复消防通道" not in secretary.get("/meetings/resolutions/").get_data(as_text=True)
    assert "拆除违建并恢复消防通道" in secretary.get("/meetings/resolutions/?done=1").get_data(as_text=True)


def test_overdue_resolution_shows_red_and_can_be_pressed(app, client_for):
    with app.app_context():
        overdue = db.session.scalar(select(Resolution).where(Resolution.text.like("排查银杏坊%")))
        on_track = db.session.scalar(select(Resolution).where(Resolution.text.like("完善书香苑%")))
        overdue_id, version, on_track_id = overdue.id, overdue.version, on_track.id
    secretary = client_for("secretary")
    register = secretary.get("/meetings/resolutions/?overdue=1").get_data(as_text=True)
    assert "排查银杏坊" in register and "light-red" in register and "完善书香苑" not in register
    pressed = secretary.post_form(f"/meetings/resolutions/{overdue_id}/press", {"note": "请本周内完成", "version": version})
    assert pressed.status_code == 302
    refused = secretary.post_form(f"/meetings/resolutions/{on_track_id}/press", {"version": 1})
    assert refused.status_code == 422
    with app.app_context():
        chief = db.session.scalar(select(User).where(User.username == "chief"))
        assert db.session.scalar(select(Notification).where(Notification.user_id == chief.id,
                                                            Notification.kind == "resolution_pressed"))
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "resolution.pressed",
                                                          AuditEvent.object_id == overdue_id))
    page = client_for("chief").get(f"/meetings/resolutions/{overdue_id}").get_data(as_text=True)
    assert "请本周内完成" in page and "督办" in page
    assert client_for("secretary2").get(f"/meetings/resolutions/{overdue_id}").status_code == 404
    assert client_for("chief2").get(f"/meetings/resolutions/{overdue_id}").status_code == 404


def _resolution_links(page: str) -> set[str]:
    return set(re.findall(r'href="(/meetings/resolutions/\d+)"', page))


def test_meeting_page_links_only_the_resolutions_the_viewer_may_open(app, client_for):
    meeting_id = _meeting_id(app, HELD_TITLE)
    with app.app_context():
        chief_unit = db.session.scalar(select(User.unit_id).where(User.username == "chief"))
        resolutions = db.session.scalars(select(Resolution).where(Resolution.meeting_id == meeting_id)).all()
        others = [(r.id, r.text) for r in resolutions if r.unit_id != chief_unit]
        every = {f"/meetings/resolutions/{r.id}" for r in resolutions}
    assert others and len(others) < len(every)
    chief = client_for("chief")
    page = chief.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    links = _resolution_links(page)
    assert links and all(chief.get(link).status_code == 200 for link in links)
    for resolution_id, text in others:  # another unit's resolution: listed, not linked
        assert text in page and f"/meetings/resolutions/{resolution_id}" not in links
    secretary_page = client_for("secretary").get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert _resolution_links(secretary_page) == every


def test_meeting_ics_parses_and_escapes(app, client_for):
    secretary = client_for("secretary")
    response = _plan(secretary, title="协调会, 第1次; 违建\\消防")
    meeting_id = int(response.headers["Location"].split("/")[-1])
    ics = secretary.get(f"/meetings/{meeting_id}/meeting.ics")
    assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
    raw = ics.get_data(as_text=True)
    assert "\r\n" in raw and "协调会\\, 第1次\\; 违建\\\\消防" in raw
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(ics.get_data())
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting_id}@whistle-portal"
    assert str(event["SUMMARY"]).endswith("协调会, 第1次; 违建\\消防")
    assert event["DTSTART"].dt.utcoffset() == timedelta(0) and "DTSTAMP" in event
    assert "DTSTART:" in raw and raw.split("DTSTART:")[1].split("\r\n")[0].endswith("Z")
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(hours=2)


def test_my_upcoming_meetings_ics(app, client_for):
    response = client_for("chief").get("/meetings/calendar.ics")
    calendar = icalendar.Calendar.from_ical(response.get_data())
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert any(PLANNED_TITLE in s for s in summaries)
    assert all(HELD_TITLE not in s for s in summaries)
    empty = icalendar.Calendar.from_ical(client_for("chief2").get("/meetings/calendar.ics").get_data())
    assert all(PLANNED_TITLE not in str(e["SUMMARY"]) for e in empty.walk("VEVENT"))


def test_regularity_and_attendance_pages(app, client_for):
    admin = client_for("admin")
    page = admin.get("/meetings/regularity").get_data(as_text=True)
    assert "近六个月未召开党建联席会议的街道" in page
    assert "槐荫街道" in page  # the second street never held one in the demo
    assert client_for("secretary").get("/meetings/regularity").status_code == 403
    rates = client_for("secretary").get(f"/meetings/attendance?year={local_today().year}").get_data(as_text=True)
    assert "出席率" in rates
    assert client_for("chief").get("/meetings/attendance").status_code == 403


def test_standing_member_list_is_the_streets_own(app, client_for):
    from portal.meetings.models import StandingMember
    from portal.org.models import Unit

    secretary = client_for("secretary")
    assert "青檀街道城管执法队" in secretary.get("/meetings/standing").get_data(as_text=True)
    with app.app_context():
        other_unit = db.session.scalar(select(Unit.id).where(Unit.code == "hy-pcs"))
        own_unit = db.session.scalar(select(Unit.id).where(Unit.code == "qt-yls"))
        other_row = db.session.scalar(select(StandingMember.id).where(StandingMember.unit_id == other_unit))
    secretary.post_form("/meetings/standing", {"unit_id": other_unit})
    secretary.post_form("/meetings/standing", {"unit_id": own_unit})
    with app.app_context():
        street_id = db.session.scalar(select(User.street_id).where(User.username == "secretary"))
        listed = set(db.session.scalars(select(StandingMember.unit_id).where(StandingMember.street_id == street_id)))
        assert own_unit in listed and other_unit not in listed
    assert secretary.post_form(f"/meetings/standing/{other_row}/remove").status_code == 404


def _case_numbers(app):
    """A stuck whistle of the secretary's street, and a case of another street."""
    from portal.cases.models import OPEN_CASE_STATES, Case

    with app.app_context():
        street_id = db.session.scalar(select(User.street_id).where(User.username == "secretary"))
        own = db.session.scalar(select(Case.number).where(
            Case.street_id == street_id, Case.level == 3, Case.state.in_(OPEN_CASE_STATES)).order_by(Case.id))
        other = db.session.scalar(select(Case.number).where(Case.street_id != street_id).order_by(Case.id))
        return own, other


def test_demo_special_meeting_takes_up_a_stuck_whistle(app, client_for):
    own, _other = _case_numbers(app)
    assert own
    meeting_id = _meeting_id(app, PLANNED_TITLE)
    with app.app_context():
        numbers = [c.number for item in db.session.get(Meeting, meeting_id).agenda for c in item.cases]
    assert numbers
    page = client_for("chief").get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert numbers[0] in page


def test_plan_a_meeting_on_a_case_and_link_cases_by_number(app, client_for):
    own, other = _case_numbers(app)
    secretary = client_for("secretary")
    refused = _plan(secretary, case_number=other)
    assert refused.status_code == 422 and "本街道没有该编号的案件" in refused.get_data(as_text=True)
    response = _plan(secretary, title="专题会议：难事协调", case_number=own.lower())
    meeting_id = int(response.headers["Location"].split("/")[-1])
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert [c.number for c in meeting.agenda[0].cases] == [own]
        item_id, case_id = meeting.agenda[0].id, meeting.agenda[0].cases[0].id
    wrong = secretary.htmx("POST", f"/meetings/{meeting_id}/agenda/{item_id}/cases",
                           {"csrf_token": secretary.csrf(), "number": other})
    assert wrong.status_code == 422 and "本街道没有该编号的案件" in wrong.get_data(as_text=True)
    unlinked = secretary.htmx("POST", f"/meetings/{meeting_id}/agenda/{item_id}/cases/{case_id}/unlink",
                              {"csrf_token": secretary.csrf()})
    assert unlinked.status_code == 200 and f'data-case="{own}"' not in unlinked.get_data(as_text=True)
    linked = secretary.htmx("POST", f"/meetings/{meeting_id}/agenda/{item_id}/cases",
                            {"csrf_token": secretary.csrf(), "number": own})
    assert linked.status_code == 200 and f'data-case="{own}"' in linked.get_data(as_text=True)
    # the district's meetings may take up any street's case
    admin = client_for("admin")
    district = _plan(admin, title="区级联席会议：跨街道难事", kind="district", case_number=other)
    assert district.status_code == 302


def test_editing_with_a_stale_version_shows_the_stored_details(app, planned):
    meeting_id, secretary = planned
    seen = _version(app, meeting_id)
    day = (local_today() + timedelta(days=6)).isoformat()
    data = {"kind": "special", "title": "改期后的专题会议", "starts_at": f"{day}T14:00", "ends_at": f"{day}T15:00",
            "place": "社区会议室", "community_id": 0, "purpose": ""}
    assert secretary.post_form(f"/meetings/{meeting_id}/edit", {**data, "version": seen}).status_code == 302
    with app.app_context():
        chief = db.session.scalar(select(User).where(User.username == "chief"))
        assert db.session.scalar(select(Notification).where(Notification.user_id == chief.id,
                                                            Notification.kind == "meeting_changed"))
    stale = secretary.post_form(f"/meetings/{meeting_id}/edit", {**data, "title": "另一人的改动", "version": seen})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and 'value="改期后的专题会议"' in html and "另一人的改动" not in html


def _bump(app, model, record_id, **values):
    """Someone else saves the record meanwhile (its version goes up)."""
    with app.app_context():
        row = db.session.get(model, record_id)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()
        return row.version


def test_a_stale_cancel_keeps_the_typed_reason(app, planned):
    meeting_id, secretary = planned
    seen = _version(app, meeting_id)
    now = _bump(app, Meeting, meeting_id, place="街道二楼会议室")
    stale = secretary.post_form(f"/meetings/{meeting_id}/state/cancel", {"version": seen, "reason": "台风红色预警"})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "街道二楼会议室" in html
    assert 'value="台风红色预警"' in html and f'name="version" value="{now}"' in html
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).state == "planned"


def _given_resolution(app, planned):
    meeting_id, secretary = planned
    _held(app, secretary, meeting_id)
    with app.app_context():
        chief_unit = db.session.scalar(select(User.unit_id).where(User.username == "chief"))
    secretary.htmx("POST", f"/meetings/{meeting_id}/resolutions", {
        "csrf_token": secretary.csrf(), "text": "恢复消防通道", "unit_id": chief_unit, "days": 5})
    with app.app_context():
        return db.session.scalar(select(Resolution.id).where(Resolution.text == "恢复消防通道"))


@pytest.mark.parametrize("action,field", [("progress", "text"), ("done", "result")])
def test_a_stale_resolution_form_keeps_the_typed_text(app, planned, client_for, action, field):
    resolution_id = _given_resolution(app, planned)
    with app.app_context():
        seen = db.session.get(Resolution, resolution_id).version
    now = _bump(app, Resolution, resolution_id, text="恢复消防通道并清理杂物")
    chief = client_for("chief")
    url = f"/meetings/resolutions/{resolution_id}/{action}"
    for answer in (chief.post_form(url, {field: "已约谈业主，拆除过半", "version": seen}),
                   chief.htmx("POST", url, {field: "已约谈业主，拆除过半", "version": seen})):
        html = answer.get_data(as_text=True)
        assert answer.status_code == 409 and "恢复消防通道并清理杂物" in html
        assert "已约谈业主，拆除过半" in html and f'name="version" value="{now}"' in html
    with app.app_context():
        resolution = db.session.get(Resolution, resolution_id)
        assert resolution.state == "assigned" and resolution.updates == []


def test_a_stale_press_keeps_the_typed_note(app, client_for):
    with app.app_context():
        overdue_id = db.session.scalar(select(Resolution.id).where(Resolution.text.like("排查银杏坊%")))
        seen = db.session.get(Resolution, overdue_id).version
    _bump(app, Resolution, overdue_id, text="排查银杏坊（补充：含地下室）")
    stale = client_for("secretary").post_form(f"/meetings/resolutions/{overdue_id}/press",
                                              {"note": "请本周五前完成", "version": seen})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "含地下室" in html and 'value="请本周五前完成"' in html
    with app.app_context():
        assert not [u for u in db.session.get(Resolution, overdue_id).updates if u.kind == "press"]


def test_an_empty_resolution_update_names_the_missing_text(app, planned, client_for):
    resolution_id = _given_resolution(app, planned)
    with app.app_context():
        version = db.session.get(Resolution, resolution_id).version
    chief = client_for("chief")
    progress = chief.post_form(f"/meetings/resolutions/{resolution_id}/progress", {"text": " ", "version": version})
    done = chief.post_form(f"/meetings/resolutions/{resolution_id}/done", {"result": "", "version": version})
    assert progress.status_code == done.status_code == 422
    assert "请填写办理进展" in progress.get_data(as_text=True)
    assert "请填写办理结果" in done.get_data(as_text=True)


def test_a_reply_without_a_valid_answer_says_what_to_choose(app, planned, client_for):
    meeting_id, _secretary = planned
    chief = client_for("chief")
    refused = chief.post_form(f"/meetings/{meeting_id}/reply", {"answer": "maybe", "attendee": "刘洋"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请选择参会或请假" in html and "不是有效的选择" not in html


@pytest.mark.parametrize("presenter", ["other_street", "missing", "deactivated"])
def test_an_agenda_item_needs_a_presenter_of_the_meeting(app, planned, presenter):
    from portal.org.models import Unit

    meeting_id, secretary = planned
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        if presenter == "other_street":
            unit_id = db.session.scalar(select(User.unit_id).where(User.username == "chief2"))
            assert meeting.member_for(unit_id) is None
        elif presenter == "missing":
            unit_id = db.session.scalar(select(func.max(Unit.id))) + 1
        else:
            unit_id = meeting.members[0].unit_id
            db.session.get(Unit, unit_id).active = False
            db.session.commit()
        name = db.session.get(Unit, unit_id).name if presenter != "missing" else None
    refused = secretary.htmx("POST", f"/meetings/{meeting_id}/agenda",
                             {"csrf_token": secretary.csrf(), "title": "老旧小区加装电梯", "presenter_unit_id": unit_id})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请选择本次会议的单位" in html and 'value="老旧小区加装电梯"' in html
    if presenter == "other_street":
        assert name not in html
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).agenda == []


def test_a_resolution_due_date_far_ahead_is_refused(app, planned):
    meeting_id, secretary = planned
    _held(app, secretary, meeting_id)
    with app.app_context():
        chief_unit = db.session.scalar(select(User.unit_id).where(User.username == "chief"))
    refused = secretary.htmx("POST", f"/meetings/{meeting_id}/resolutions", {
        "csrf_token": secretary.csrf(), "text": "千年之约", "unit_id": chief_unit, "due_date": "2999-12-31"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f"{local_today().year + 3}-12-31" in html and "千年之约" in html
    with app.app_context():
        assert db.session.scalar(select(Resolution).where(Resolution.text == "千年之约")) is None
