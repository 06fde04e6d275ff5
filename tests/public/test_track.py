"""Following a report by its tracking code: the public timeline, its photos, and wrong codes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.cases.models import TRACKING_ALPHABET, Attachment, Case
from portal.extensions import db
from portal.public.models import PublicThrottle
from portal.timeutil import utcnow
from tests.public.helpers import closed_case, dispatch, resident_case, work


@pytest.fixture
def worked(app):
    """A resident's case dispatched, handled with a public result photo, and closed."""
    with app.test_request_context():
        case = closed_case(reporter_name="欧阳建国", reporter_phone="13700001234")
        db.session.commit()
        return case.tracking_code, case.id


def _other_code(code: str) -> str:
    """A well-formed code that differs from `code` in its last character."""
    last = next(ch for ch in TRACKING_ALPHABET if ch != code[-1])
    return code[:-1] + last


def test_the_timeline_shows_public_steps_in_plain_words(app, client, worked):
    code, case_id = worked
    response = client.get(f"/public/track/{code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "已办结" in html                                   # the state in plain words
    for line in ("已收到反映。", "已交给城管执法局办理。", "城管执法局已接手处理。",
                 "城管执法局工作人员已到现场。", "已办理完毕，已结案。", "单车已清走，盲道已恢复通行。"):
        assert line in html
    assert "王科长" not in html and "张大伟" not in html        # internal notes never show
    assert "青檀城管执法队" not in html                          # the department, not the unit
    assert "欧阳**" in html and "137****1234" in html
    assert "欧阳建国" not in html and "13700001234" not in html
    assert "您对办理结果满意吗" in html                         # closed: the rating form


def test_tracking_pages_are_never_cached_nor_sent_as_referrer(client, worked):
    code, _ = worked
    for url in (f"/public/track/{code}", "/public/track/AAAAAAAAAAAA"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/public/issues").headers["Referrer-Policy"] == "same-origin"


def test_codes_are_read_the_way_people_type_them(client, worked):
    code, _ = worked
    typed = f" {code[:4].lower()}-{code[4:8]} {code[8:].lower()} "
    response = client.post_form("/public/track", {"code": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/public/track/{code}")
    response = client.get(f"/public/track/{code.lower()}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/public/track/{code}")


def test_a_wrong_code_says_so_and_nothing_else(client, worked):
    code, _ = worked
    near = client.post_form("/public/track", {"code": _other_code(code)})
    far = client.post_form("/public/track", {"code": "ZZZZ ZZZZ ZZZZ"})
    junk = client.post_form("/public/track", {"code": "hello"})
    for response in (near, far, junk):
        assert response.status_code == 404
        assert "没有找到这个查询码对应的反映" in response.get_data(as_text=True)
    assert near.get_data(as_text=True).replace(_other_code(code), "X") == \
        far.get_data(as_text=True).replace("ZZZZ ZZZZ ZZZZ", "X")


def test_wrong_codes_are_throttled_then_forgiven(app, client, worked):
    code, _ = worked
    client.get("/public/")
    for n in range(10):
        assert client.get(f"/public/track/{_other_code(code)[:-2]}{n}A").status_code == 404
    blocked = client.get(f"/public/track/{code}")             # even the right code waits now
    assert blocked.status_code == 429
    html = blocked.get_data(as_text=True)
    assert "输错查询码的次数太多了" in html and "10 分钟后再试" in html
    assert client.post_form("/public/track", {"code": code}).status_code == 429
    assert client.get(f"/public/track/{code}/photos/1").status_code == 429
    with app.app_context():
        db.session.execute(update(PublicThrottle).values(at=PublicThrottle.at - timedelta(minutes=11)))
        db.session.commit()
    assert client.get(f"/public/track/{code}").status_code == 200


def test_right_codes_do_not_count_against_the_client(client, worked):
    code, _ = worked
    for _ in range(15):
        assert client.get(f"/public/track/{code}").status_code == 200


def test_old_throttle_rows_are_cleaned_up(app, client):
    with app.app_context():
        db.session.add(PublicThrottle(key="lookup:c:old", at=utcnow() - timedelta(days=2)))
        db.session.commit()
    client.get("/public/track/AAAAAAAAAAAA")
    with app.app_context():
        keys = db.session.scalars(select(PublicThrottle.key)).all()
        assert "lookup:c:old" not in keys and keys


def test_public_photos_only_with_their_code(app, client, worked):
    code, case_id = worked
    with app.test_request_context():
        case = db.session.get(Case, case_id)
        [shown] = [a for a in case.attachments if a.public]
        other = db.session.scalar(select(Attachment).where(Attachment.case_id != case_id,
                                                           Attachment.public.is_(True)))
        hidden_case = resident_case()
        dispatch(hidden_case)
        work(hidden_case)
        db.session.flush()
        hidden = [a for a in hidden_case.attachments if a.public][0]
        hidden.public = False
        shown_id, other_id = shown.id, other.id
        hidden_code, hidden_id = hidden_case.tracking_code, hidden.id
        db.session.commit()
    html = client.get(f"/public/track/{code}").get_data(as_text=True)
    assert f"/public/track/{code}/photos/{shown_id}" in html
    response = client.get(f"/public/track/{code}/photos/{shown_id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data[:2] == b"\xff\xd8"
    response.close()
    assert client.get(f"/public/track/{code}/photos/{other_id}").status_code == 404      # another case's
    assert client.get(f"/public/track/{hidden_code}/photos/{hidden_id}").status_code == 404  # not public
    assert f"/photos/{hidden_id}" not in client.get(f"/public/track/{hidden_code}").get_data(as_text=True)
    assert client.get(f"/public/track/{_other_code(code)}/photos/{shown_id}").status_code == 404


def test_each_state_reads_in_plain_words(app, client):
    from portal.public.labels import STATE_LABELS
    from portal.cases.models import CASE_STATES

    assert set(STATE_LABELS) == set(CASE_STATES)
    with app.app_context():
        rows = db.session.execute(select(Case.tracking_code, Case.state)).all()
    seen = set()
    for code, state in rows:
        if state in seen:
            continue
        seen.add(state)
        html = client.get(f"/public/track/{code}").get_data(as_text=True)
        with app.test_request_context():
            assert str(STATE_LABELS[state]) in html
