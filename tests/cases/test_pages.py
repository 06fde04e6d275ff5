"""The case page and its actions over HTTP: who may do what, scope, photos, 409 and 422."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.cases.models import Assignment, Attachment, Case, CaseEvent
from portal.extensions import db
from tests.cases.helpers import assert_unbroken, dispatched_case, new_case, unit, user
from tests.cases.test_uploads import png_header_only


def jpeg(color=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


def photo(name="photo.jpg", data=None):
    return (io.BytesIO(data if data is not None else jpeg()), name)


@pytest.fixture
def make(app):
    """`make(lambda: new_case(...))`: build a case with the rules, commit, return its id."""
    def build(factory):
        with app.test_request_context():
            case = factory()
            db.session.commit()
            return case.id
    return build


@pytest.fixture
def get(app):
    """`get(Case, id)` / `get(fn)`: read inside the app (a fresh session each time)."""
    def read(model_or_fn, ident=None):
        with app.app_context():
            value = model_or_fn() if ident is None else db.session.get(model_or_fn, ident)
            if value is not None and hasattr(value, "_sa_instance_state"):
                db.session.refresh(value)
                db.session.expunge(value)
            return value
    return read


def demo_case(app, words: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Case.id).where(Case.description.contains(words)))


def version(app, case_id: int) -> int:
    with app.app_context():
        return db.session.get(Case, case_id).version


def events(app, case_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case_id)
                                       .order_by(CaseEvent.id)))


def assignment_id(app, case_id: int, unit_code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Assignment.id).where(
            Assignment.case_id == case_id, Assignment.unit_id == unit(unit_code).id,
            Assignment.state.notin_(("returned", "cancelled"))))


def act(app, client, case_id, action, data=None, *, on=None, htmx=False, stale=False):
    """Post an action as its form would (with the case version the user saw)."""
    data = dict(data or {})
    data.setdefault("version", version(app, case_id) - (1 if stale else 0))
    url = f"/cases/{case_id}/assignments/{on}/act/{action}" if on else f"/cases/{case_id}/act/{action}"
    if htmx:
        return client.htmx("POST", url, data)
    return client.post_form(url, data)


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "cases"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the page --------------------------------------------------------------------------------

def test_detail_shows_facts_matter_units_lights_and_timeline(app, make, client_as):
    case_id = make(lambda: dispatched_case(reporter_name="周丽华", reporter_phone="13911112233"))
    page = text(client_as("street_dispatcher").get(f"/cases/{case_id}"))
    assert "周丽华" in page and "13911112233" in page
    assert "CS-ZF-003" in page and "青檀街道城管执法队" in page
    with app.app_context():
        department_id = unit("qt-zfd").department_id
    assert f"/roster/on-call?department={department_id}" in page
    assert re.search(r'class="light-red">[^<]+</span>', page)            # a light with its words
    assert page.count('<li id="event-') == 3                              # intake, triage, dispatch
    assert "张伟" in page                                                  # who acted, by name
    assert "2025-11-14 10:00" in page                                     # when, in Beijing time


def test_the_page_leads_back_to_the_case_list(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    page = text(client_as("street_dispatcher").get(f"/cases/{case_id}"))
    assert re.search(r'<a href="/cases/">返回案件列表</a>', page)
    assert "案件数" not in page            # the catalog's word for a count column, not a link


def test_a_late_sign_for_is_badged_as_late_signing(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.case_id == case_id))
        db.session.execute(db.update(Assignment).where(Assignment.id == assignment.id).values(
            state="accepted", signed_at=assignment.sign_deadline + timedelta(hours=2)))
        db.session.commit()
    page = text(client_as("street_dispatcher").get(f"/cases/{case_id}"))
    assert re.search(r'<span class="badge badge-overdue">超期签收</span>', page)
    assert "迟到" not in page                      # the roster's word for coming late to a shift


def test_units_see_the_reporter_masked(app, make, client_as):
    case_id = make(lambda: dispatched_case(reporter_name="周丽华", reporter_phone="13911112233"))
    page = text(client_as("unit_chief").get(f"/cases/{case_id}"))
    assert "周丽华" not in page and "13911112233" not in page
    assert "周**" in page and "139****2233" in page


def test_the_page_offers_only_the_users_actions(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    chief = text(client_as("unit_chief").get(f"/cases/{case_id}"))
    assert 'data-action="sign_for"' in chief and 'data-action="return"' in chief
    assert 'data-action="dispatch"' not in chief and 'data-action="close"' not in chief
    dispatcher = text(client_as("street_dispatcher").get(f"/cases/{case_id}"))
    assert 'data-action="sign_for"' not in dispatcher and 'data-action="press"' in dispatcher
    grid = text(client_as("grid_worker").get(f"/cases/{demo_case(app, '青檀北里5号楼楼道')}"))
    assert 'class="action-form' not in grid


def test_a_deadline_in_an_unconfirmed_year_is_flagged(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    with app.app_context():
        db.session.execute(db.update(Assignment).where(Assignment.case_id == case_id)
                           .values(deadline_unknown_year=True))
        db.session.commit()
    page = text(client_as("street_dispatcher").get(f"/cases/{case_id}"))
    assert 'role="note"' in page


# --- scope -----------------------------------------------------------------------------------

def test_another_streets_case_is_404(app, client_as, client_for):
    hy_case = demo_case(app, "槐荫东里6号楼前井盖")
    assert client_as("street_dispatcher").get(f"/cases/{hy_case}").status_code == 404
    assert client_as("street_dispatcher").get("/cases/999999").status_code == 404
    assert client_for("secretary2").get(f"/cases/{hy_case}").status_code == 200
    response = act(app, client_as("street_dispatcher"), hy_case, "triage", {"level": "2"})
    assert response.status_code == 404


def test_a_unit_never_sees_another_units_assignment(app, client_for):
    case_id = demo_case(app, "书香苑平房区")                               # the tough whistle, open
    zfd = assignment_id(app, case_id, "qt-zfd")
    pcs = assignment_id(app, case_id, "qt-pcs")
    pcs_chief = client_for("qt-pcs-chief")
    page = text(pcs_chief.get(f"/cases/{case_id}"))
    assert f'id="assignment-{pcs}"' in page and f'id="assignment-{zfd}"' not in page
    assert "已下达限期拆除通知书" not in page                               # the other unit's progress log
    before = events(app, case_id)
    for action in ("sign_for", "check_in", "log_progress", "submit_result"):
        response = act(app, pcs_chief, case_id, action, {"note": "x", "result": "x"}, on=zfd)
        assert response.status_code == 404, action
    # an assignment of another case, posted under this case's id
    other = demo_case(app, "铜铃巷31号平房院")
    response = act(app, pcs_chief, case_id, "submit_result", {"result": "x"},
                   on=assignment_id(app, other, "qt-pcs"))
    assert response.status_code == 404
    assert events(app, case_id) == before


def test_a_unit_without_an_assignment_gets_404(app, make, client_for):
    case_id = make(lambda: dispatched_case())
    assert client_for("qt-pcs-chief").get(f"/cases/{case_id}").status_code == 404


# --- actions, allowed and refused --------------------------------------------------------------

def test_a_done_action_is_confirmed_with_the_case_number_and_what_happened(app, make, client_as, get):
    case_id = make(lambda: new_case())
    dispatcher = client_as("street_dispatcher")
    assert act(app, dispatcher, case_id, "triage", {"level": "2"}).status_code == 303
    page = text(dispatcher.get(f"/cases/{case_id}"))
    number = get(Case, case_id).number
    assert re.search(rf'class="flash flash-success"[^>]*>\s*案件 {number}：已分拣。', page)


def test_triage_dispatch_sign_check_in_report_verify_close(app, make, client_as, get):
    case_id = make(lambda: new_case())
    dispatcher, chief, staff = client_as("street_dispatcher"), client_as("unit_chief"), client_as("unit_staff")
    assert act(app, client_as("grid_worker"), case_id, "triage", {"level": "2"}).status_code == 404
    assert act(app, chief, case_id, "triage", {"level": "2"}).status_code == 404
    response = act(app, dispatcher, case_id, "triage", {"level": "2"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cases/{case_id}")
    assert get(Case, case_id).level == 2
    with app.app_context():
        zfd = unit("qt-zfd").id
    # the form offers the unit; the state, deadline and level it does not offer are ignored
    response = act(app, dispatcher, case_id, "dispatch",
                   {"unit": zfd, "state": "closed", "sign_deadline": "2030-01-01", "level": "3",
                    "lead": "1", "kind": "emergency"})
    assert response.status_code == 303
    case = get(Case, case_id)
    assert (case.state, case.level, case.whistle_kind) == ("dispatched", 2, None)
    a = assignment_id(app, case_id, "qt-zfd")
    assert act(app, dispatcher, case_id, "sign_for", on=a).status_code == 403
    assert act(app, chief, case_id, "sign_for", on=a, htmx=True).status_code == 200
    response = act(app, staff, case_id, "check_in", {"lat": "39.93", "lng": "116.41", "accuracy": "12",
                                                    "checked_in_at": "2020-01-01 00:00"}, on=a)
    assert response.status_code == 303
    assignment = get(Assignment, a)
    assert assignment.state == "on_site" and assignment.checked_in_by_id == user_id(app, "staff")
    assert assignment.checked_in_at.year != 2020
    assert act(app, staff, case_id, "log_progress", {"note": "已劝离"}, on=a).status_code == 303
    response = act(app, staff, case_id, "submit_result", {"result": "桌椅已撤回店内。", "photos": photo()}, on=a)
    assert response.status_code == 303
    with app.app_context():
        (result_photo,) = db.session.scalars(select(Attachment).where(Attachment.case_id == case_id)).all()
        assert (result_photo.kind, result_photo.public) == ("result", False)
    assert act(app, chief, case_id, "verify", on=a).status_code == 403
    assert act(app, dispatcher, case_id, "verify", on=a).status_code == 303
    assert act(app, chief, case_id, "close").status_code == 403
    assert act(app, dispatcher, case_id, "close", {"public_note": "已整改。"}).status_code == 303
    assert get(Case, case_id).state == "closed"
    assert events(app, case_id) == ["intake", "triage", "dispatch", "sign_for", "check_in", "log_progress",
                                    "submit_result", "verify", "close"]
    with app.app_context():
        assert_unbroken(case_id)
    page = text(dispatcher.get(f"/cases/{case_id}"))
    assert "陈静" in page and "刘洋" in page and "桌椅已撤回店内。" in page


def user_id(app, username: str) -> int:
    with app.app_context():
        return user(username).id


def test_whistle_to_three_units_and_send_back(app, make, client_as, get):
    case_id = make(lambda: new_case(level=3, matter_code="CS-ZF-001"))
    with app.app_context():
        fgs, pcs, xfz = (unit(c).id for c in ("qt-fgs", "qt-pcs", "qt-xfz"))
    page = text(client_as("street_secretary").get(f"/cases/{case_id}"))
    assert 'data-action="whistle"' in page
    assert act(app, client_as("unit_chief"), case_id, "whistle", {"kind": "routine"}).status_code == 404
    response = act(app, client_as("street_secretary"), case_id, "whistle",
                   {"kind": "tough", "lead": fgs, "cooperating": [pcs, xfz]}, htmx=True)
    assert response.status_code == 200 and "<html" not in text(response)
    assert 'id="case-body"' in text(response)
    with app.app_context():
        rows = db.session.execute(select(Assignment.role, Assignment.unit_id)
                                  .where(Assignment.case_id == case_id).order_by(Assignment.id)).all()
    assert [tuple(r) for r in rows] == [("lead", fgs), ("cooperating", pcs), ("cooperating", xfz)]
    assert get(Case, case_id).whistle_filed


def test_a_returned_case_is_adjudicated_and_redispatched(app, client_as, client_for, get):
    case_id = demo_case(app, "银杏坊小区有人遛狗不牵绳")
    with app.app_context():
        pcs = unit("qt-pcs").id
    assert act(app, client_as("unit_chief"), case_id, "adjudicate",
               {"decision": "redispatch", "unit": pcs}).status_code == 403
    response = act(app, client_as("street_dispatcher"), case_id, "adjudicate", {"decision": "redispatch"})
    assert response.status_code == 422
    response = act(app, client_as("street_dispatcher"), case_id, "adjudicate",
                   {"decision": "redispatch", "unit": pcs})
    assert response.status_code == 303
    assert get(Case, case_id).state == "dispatched"
    assert client_for("qt-pcs-chief").get(f"/cases/{case_id}").status_code == 200


def test_the_wrong_unit_returns_its_case(app, make, client_as, get):
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    assert act(app, client_as("unit_staff"), case_id, "return", {"reason": "x"}, on=a).status_code == 403
    response = act(app, client_as("unit_chief"), case_id, "return", {"reason": ""}, on=a, htmx=True)
    assert response.status_code == 422
    response = act(app, client_as("unit_chief"), case_id, "return", {"reason": "属公安职责。"}, on=a)
    assert response.status_code == 303 and get(Case, case_id).state == "returned"


def test_reject_merge_and_force_close(app, make, client_as, get):
    original = make(lambda: new_case())
    duplicate = make(lambda: new_case())
    other = make(lambda: new_case())
    number = get(Case, original).number
    response = act(app, client_as("street_dispatcher"), duplicate, "merge", {"into": "QT-19990101-0001"})
    assert response.status_code == 422
    response = act(app, client_as("street_dispatcher"), duplicate, "merge", {"into": number.lower()})
    assert response.status_code == 303 and get(Case, duplicate).merged_into_id == original
    assert act(app, client_as("grid_worker"), other, "reject", {"reason": "x"}).status_code == 404
    response = act(app, client_as("street_dispatcher"), other, "reject", {"reason": "不属于受理范围"})
    assert response.status_code == 303 and get(Case, other).state == "rejected"
    assert act(app, client_as("street_secretary"), original, "force_close", {"reason": "x"}).status_code == 403
    response = act(app, client_as("district_admin"), original, "force_close", {"reason": "纳入改造项目"})
    assert response.status_code == 303
    assert get(Case, original).forced_closure


def test_press_an_overdue_unit(app, client_as):
    case_id = demo_case(app, "书香苑平房区")
    gzs = assignment_id(app, case_id, "qt-gzs")
    assert act(app, client_as("unit_chief"), case_id, "press", {"note": "x"}, on=gzs).status_code == 404
    response = act(app, client_as("street_secretary"), case_id, "press", {"note": "请立即签收。"}, on=gzs)
    assert response.status_code == 303
    assert events(app, case_id)[-1] == "press"


def test_handle_on_the_spot_with_before_and_after_photos(app, client_as, make, get):
    case_id = make(lambda: new_case(community_code="qt-bl"))
    grid = client_as("grid_worker")
    response = act(app, grid, case_id, "handle_on_spot", {"note": "已清理", "before": photo()})
    assert response.status_code == 422 and stored_files(app) == []
    assert "已清理" in text(response)                                      # what was typed is kept
    response = act(app, grid, case_id, "handle_on_spot",
                   {"note": "已清理", "before": photo(), "after": photo(data=jpeg((10, 200, 10)))})
    assert response.status_code == 303
    case = get(Case, case_id)
    assert (case.state, case.level) == ("closed", 1)
    with app.app_context():
        kinds = sorted(db.session.scalars(select(Attachment.kind).where(Attachment.case_id == case_id)))
    assert kinds == ["after", "before"]


@pytest.mark.parametrize("name,data", [
    ("shell.php.jpg", b"<?php system($_GET['cmd']); ?>"),
    ("bomb.png", png_header_only(30000, 30000)),
    ("note.png", "就是一段文字".encode()),
])
def test_bad_uploads_are_refused_and_nothing_is_stored(app, client_as, make, name, data):
    case_id = make(lambda: new_case(community_code="qt-bl"))
    before_events = events(app, case_id)
    response = act(app, client_as("grid_worker"), case_id, "handle_on_spot",
                   {"note": "已清理", "before": photo(), "after": photo(name, data)}, htmx=True)
    assert response.status_code == 422
    assert 'class="field-error"' in text(response) and 'id="handle_on_spot-after-error"' in text(response)
    assert stored_files(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)
                                 .where(Attachment.case_id == case_id)) == 0
    assert events(app, case_id) == before_events


def test_too_big_a_photo_is_refused(app, client_as, make):
    app.config["UPLOAD_MAX_BYTES"] = 1024
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    chief = client_as("unit_chief")
    act(app, chief, case_id, "sign_for", on=a)
    response = act(app, chief, case_id, "submit_result", {"result": "已处理", "photos": photo(data=jpeg() * 40)},
                   on=a)
    assert response.status_code == 422 and "已处理" in text(response)
    assert stored_files(app) == []


def test_log_progress_needs_a_note(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    act(app, client_as("unit_chief"), case_id, "sign_for", on=a)
    response = act(app, client_as("unit_chief"), case_id, "log_progress", {"note": "  "}, on=a, htmx=True)
    assert response.status_code == 422
    assert f'<details class="case-action" id="log_progress-{a}" open>' in text(response)


def test_unknown_or_misplaced_actions_are_404(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    dispatcher = client_as("street_dispatcher")
    for path in (f"/cases/{case_id}/act/explode", f"/cases/{case_id}/act/reopen",
                 f"/cases/{case_id}/act/sign_for", f"/cases/{case_id}/assignments/{a}/act/close",
                 f"/cases/{case_id}/act/__init__"):
        assert dispatcher.post_form(path, {"version": version(app, case_id)}).status_code == 404, path


def test_a_bad_location_is_refused_above_the_form(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    act(app, client_as("unit_chief"), case_id, "sign_for", on=a)
    response = act(app, client_as("unit_chief"), case_id, "check_in", {"lat": "999", "lng": "116.4"}, on=a,
                   htmx=True)
    assert response.status_code == 422
    assert f'<details class="case-action" id="check_in-{a}" open>' in text(response)
    assert 'class="flash flash-error" role="alert"' in text(response)
    assert events(app, case_id)[-1] == "sign_for"


def test_an_action_needs_the_csrf_token(app, make, client_as):
    case_id = make(lambda: new_case())
    response = client_as("street_dispatcher").post(f"/cases/{case_id}/act/triage",
                                                   data={"level": "2", "version": version(app, case_id)})
    assert response.status_code == 400 and events(app, case_id) == ["intake"]


def test_a_get_does_not_act(app, make, client_as):
    case_id = make(lambda: new_case())
    assert client_as("street_dispatcher").get(f"/cases/{case_id}/act/triage?level=2").status_code == 405


# --- two people at once -------------------------------------------------------------------------

def test_the_second_of_two_concurrent_actions_gets_409_with_the_current_state(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    seen = version(app, case_id)
    first, second = client_as("unit_chief"), client_as("unit_staff")
    assert first.htmx("POST", f"/cases/{case_id}/assignments/{a}/act/sign_for", {"version": seen}).status_code == 200
    response = second.htmx("POST", f"/cases/{case_id}/assignments/{a}/act/sign_for", {"version": seen})
    assert response.status_code == 409
    body = text(response)
    assert 'id="case-body"' in body and 'class="flash flash-warning"' in body
    assert body.count('data-action="sign_for"') == 0                       # the new state offers no sign-for
    assert events(app, case_id).count("sign_for") == 1
    with app.app_context():
        assert_unbroken(case_id)
    # without JS: the full page, same status
    response = second.post_form(f"/cases/{case_id}/assignments/{a}/act/check_in", {"version": seen})
    assert response.status_code == 409 and "<html" in text(response)


def test_a_stale_action_keeps_what_the_user_typed(app, make, client_as):
    """Someone else changed the case first: the answer is the current state, with the form the user
    filled in still filled in and carrying the current version, so sending it again works."""
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    chief, staff = client_as("unit_chief"), client_as("unit_staff")
    assert act(app, chief, case_id, "sign_for", on=a, htmx=True).status_code == 200
    assert act(app, chief, case_id, "check_in", on=a, htmx=True).status_code == 200
    seen = version(app, case_id)
    assert act(app, chief, case_id, "log_progress", {"note": "先到的记录"}, on=a, htmx=True).status_code == 200
    typed = {"version": seen, "result": "已清理楼道杂物三车，张贴告示。", "note": "居民已确认"}
    response = staff.htmx("POST", f"/cases/{case_id}/assignments/{a}/act/submit_result", typed)
    assert response.status_code == 409
    body = text(response)
    assert "已清理楼道杂物三车，张贴告示。" in body and "居民已确认" in body
    current = version(app, case_id)
    assert re.search(rf'id="submit_result-{a}-version"[^>]*value="{current}"', body)
    assert "submit_result" not in events(app, case_id)
    typed["version"] = current
    assert staff.htmx("POST", f"/cases/{case_id}/assignments/{a}/act/submit_result", typed).status_code == 200
    assert events(app, case_id)[-1] == "submit_result"


def test_a_missing_or_forged_version_is_stale(app, make, client_as):
    case_id = make(lambda: new_case())
    dispatcher = client_as("street_dispatcher")
    assert dispatcher.post_form(f"/cases/{case_id}/act/triage", {"level": "2"}).status_code == 409
    assert act(app, dispatcher, case_id, "triage", {"level": "2", "version": "abc"}).status_code == 409
    assert events(app, case_id) == ["intake"]


def test_invalid_input_keeps_what_was_typed(app, make, client_as):
    case_id = make(lambda: new_case())
    response = act(app, client_as("street_dispatcher"), case_id, "reject",
                   {"reason": "", "public_note": "已告知正确渠道"}, htmx=True)
    assert response.status_code == 422
    body = text(response)
    assert "已告知正确渠道" in body and 'id="reject-reason-error"' in body
    assert events(app, case_id) == ["intake"]


# --- photos ------------------------------------------------------------------------------------

@pytest.fixture
def reported_whistle(app):
    """A whistle to qt-zfd (lead) and qt-pcs, each with a result photo: (case id, {unit: photo id})."""
    from portal.cases import rules, uploads
    from werkzeug.datastructures import FileStorage

    with app.test_request_context():
        case = new_case(level=3, matter_code="CS-ZF-001")
        rules.transition(case, "whistle", user("secretary"), kind="routine", lead=unit("qt-zfd"),
                         cooperating=[unit("qt-pcs")], now=case.created_at)
        photos = {}
        for a in case.assignments:
            chief = user("chief") if a.unit.code == "qt-zfd" else user("qt-pcs-chief")
            rules.transition(case, "sign_for", chief, assignment=a)
            (stored,) = uploads.store_photos([FileStorage(io.BytesIO(jpeg()), "r.jpg")], "result", case=case,
                                             uploaded_by=chief)
            rules.transition(case, "submit_result", chief, assignment=a, result="已处理", attachments=[stored])
            photos[a.unit.code] = stored.id
        db.session.commit()
        return case.id, photos


def test_photos_are_served_only_within_scope(app, client_as, client_for, reported_whistle):
    case_id, photos = reported_whistle
    zfd_photo, pcs_photo = photos["qt-zfd"], photos["qt-pcs"]
    with client_as("unit_chief").get(f"/cases/{case_id}/photos/{zfd_photo}") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        # private here; the core's after_request turns every logged-in answer into no-store
        assert "public" not in response.headers["Cache-Control"]
        assert response.headers["Cache-Control"] in ("no-store", "private, max-age=300")
        assert response.data[:2] == b"\xff\xd8"

    def status(client, url):
        with client.get(url) as response:
            return response.status_code

    assert status(client_as("unit_chief"), f"/cases/{case_id}/photos/{pcs_photo}") == 404
    assert status(client_for("qt-pcs-chief"), f"/cases/{case_id}/photos/{pcs_photo}") == 200
    assert status(client_as("street_dispatcher"), f"/cases/{case_id}/photos/{pcs_photo}") == 200
    assert status(client_for("secretary2"), f"/cases/{case_id}/photos/{pcs_photo}") == 404
    other = demo_case(app, "书香苑底商一家烧烤店")
    assert status(client_as("street_dispatcher"), f"/cases/{other}/photos/{pcs_photo}") == 404
    page = text(client_as("unit_chief").get(f"/cases/{case_id}"))
    assert f"/photos/{zfd_photo}" in page and f"/photos/{pcs_photo}" not in page


def test_staff_mark_a_result_photo_public(app, client_as, client_for, get, reported_whistle):
    case_id, photos = reported_whistle
    photo_id = photos["qt-zfd"]
    url = f"/cases/{case_id}/photos/{photo_id}/public"
    assert client_as("unit_chief").post_form(url, {"public": "0"}).status_code == 403
    response = client_as("street_dispatcher").htmx("POST", url, {"public": "0"})
    assert response.status_code == 200 and not get(Attachment, photo_id).public
    assert client_as("street_dispatcher").post_form(url, {"public": "1"}).status_code == 303
    assert get(Attachment, photo_id).public
    page = text(client_as("street_dispatcher").get(f"/cases/{case_id}"))
    assert f'action="{url}"' in page
    assert client_for("secretary2").post_form(url, {"public": "0"}).status_code == 404
    assert get(Attachment, photo_id).public


def test_a_deadline_at_midnight_reads_as_the_end_of_its_day(app, make, client_as):
    from datetime import datetime

    case_id = make(lambda: dispatched_case())
    with app.app_context():
        db.session.execute(db.update(Assignment).where(Assignment.case_id == case_id).values(
            sign_deadline=datetime(2030, 3, 4, 16, 0), complete_deadline=datetime(2030, 3, 8, 16, 0)))
        db.session.commit()
    page = text(client_as("street_dispatcher").get(f"/cases/{case_id}"))
    assert "2030-03-04 24:00" in page and "2030-03-08 24:00" in page
    assert "2030-03-05 00:00" not in page and "2030-03-09 00:00" not in page
