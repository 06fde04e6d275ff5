"""The resident rates a closed case once; "not satisfied" may send it back to the street once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.cases import rules
from portal.cases.models import Case, Satisfaction
from portal.extensions import db
from tests.cases.helpers import user
from tests.public.helpers import closed_case, resident_case, work


@pytest.fixture
def closed(app):
    with app.test_request_context():
        case = closed_case()
        db.session.commit()
        return case.tracking_code, case.id


def _rate(client, code, **data):
    return client.post_form(f"/public/track/{code}/rate", data)


def _case(app, case_id) -> Case:
    return db.session.get(Case, case_id)


def test_a_closed_case_is_rated_once(app, client, closed):
    code, case_id = closed
    response = _rate(client, code, level="very", comment="处理很快")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/public/track/{code}")
    html = client.get(f"/public/track/{code}").get_data(as_text=True)
    assert "感谢您的评价" in html and "您的评价" in html and "非常满意" in html
    assert "已评价：非常满意。" in html                  # on the timeline too
    assert "处理很快" not in html                        # the comment goes to the street, not the page
    assert 'name="level"' not in html                    # no second form
    again = _rate(client, code, level="not")
    assert again.status_code == 303
    assert "现在不能评价" in client.get(f"/public/track/{code}").get_data(as_text=True)
    with app.app_context():
        [rating] = db.session.scalars(select(Satisfaction).where(Satisfaction.case_id == case_id)).all()
        assert rating.level == "very" and rating.comment == "处理很快"


def test_an_open_case_cannot_be_rated(app, client):
    with app.test_request_context():
        case = resident_case()
        db.session.commit()
        code = case.tracking_code
    assert 'name="level"' not in client.get(f"/public/track/{code}").get_data(as_text=True)
    _rate(client, code, level="very")
    with app.app_context():
        assert db.session.scalar(select(Satisfaction).join(Case).where(Case.tracking_code == code)) is None


def test_a_rating_needs_a_level(client, closed):
    code, _ = closed
    response = _rate(client, code, comment="嗯")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请选择满意程度" in html and "嗯</textarea>" in html


def test_not_satisfied_reopens_the_case_once_with_a_reason(app, client, closed):
    code, case_id = closed
    response = _rate(client, code, level="not", reopen="y", reason="单车第二天又堆满了")
    assert response.status_code == 303
    html = client.get(f"/public/track/{code}").get_data(as_text=True)
    assert "街道会重新办理您反映的问题" in html
    assert "重新办理中" in html and "因反映人“不满意”，已重新办理。" in html
    assert "单车第二天又堆满了" not in html             # the reason is for the street
    with app.test_request_context():
        case = _case(app, case_id)
        assert case.state == "reopened" and case.reopen_count == 1 and case.satisfaction.reopened
        queue = db.session.scalars(rules.visible_cases(user("dispatcher")).where(Case.state == "reopened"))
        assert case_id in {c.id for c in queue}
        reopen = [e for e in case.events if e.action == "reopen"][0]
        assert reopen.note == "单车第二天又堆满了"
        # the street handles it again and closes it
        rules.transition(case, "dispatch", user("dispatcher"), unit=case.assignments[0].unit)
        work(case, photo=False, public_note="已加派人手每日清理。")
        db.session.commit()
    html = client.get(f"/public/track/{code}").get_data(as_text=True)
    assert 'name="level"' in html and 'name="reopen"' not in html   # rate again, but no second reopening
    refused = _rate(client, code, level="not", reopen="y", reason="还是不行")
    assert refused.status_code == 422
    assert "不能再次重新办理" in refused.get_data(as_text=True)
    assert _rate(client, code, level="basically").status_code == 303
    with app.app_context():
        case = _case(app, case_id)
        assert case.state == "closed" and case.reopen_count == 1 and case.satisfaction.level == "basically"


def test_reopening_needs_not_satisfied_and_a_reason(app, client, closed):
    code, case_id = closed
    response = _rate(client, code, level="very", reopen="y", reason="x")
    assert response.status_code == 422
    assert "只有选择“不满意”时才能要求重新办理" in response.get_data(as_text=True)
    response = _rate(client, code, level="not", reopen="y", reason="  ")
    assert response.status_code == 422
    assert "请写明还有什么问题" in response.get_data(as_text=True)
    with app.app_context():
        case = _case(app, case_id)
        assert case.state == "closed" and case.satisfaction is None


def test_not_satisfied_without_reopening_just_records_the_rating(app, client, closed):
    code, case_id = closed
    assert _rate(client, code, level="not").status_code == 303
    with app.app_context():
        case = _case(app, case_id)
        assert case.state == "closed" and case.satisfaction.level == "not" and case.reopen_count == 0


def test_rating_with_a_wrong_code_is_counted_as_a_wrong_code(client, closed):
    client.get("/public/")
    for _ in range(10):
        assert _rate(client, "AAAAAAAAAAAA", level="very").status_code == 404
    code, _ = closed
    assert _rate(client, code, level="very").status_code == 429


def test_a_rating_outside_the_choices_asks_to_choose_and_keeps_the_comment(app, client, closed):
    code, case_id = closed
    response = _rate(client, code, level="superb", comment="还行吧")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请选择满意程度。" in html and "不是有效的选择" not in html and "还行吧" in html
    with app.app_context():
        assert db.session.scalars(select(Satisfaction).where(Satisfaction.case_id == case_id)).all() == []
