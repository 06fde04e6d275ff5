"""随手拍: a resident reports a problem; bad input, big files, scripts and bursts are refused kindly."""
from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal.cases import rules
from portal.cases.models import Attachment, Case, CaseEvent
from portal.extensions import db
from tests.cases.helpers import user
from tests.public.helpers import case_by_code, code_from, ids, jpeg, report_form


def _count(app, model=Case) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "cases"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _post(client, data, photos=()):
    """POST the form as a browser does (multipart, encoded in memory: no stray temporary files)."""
    fields = dict(data)
    fields.setdefault("csrf_token", client.csrf())
    values = MultiDict(list(fields.items()))
    for name, content in photos:
        values.add("photos", FileStorage(io.BytesIO(content), filename=name, content_type="image/jpeg"))
    boundary, body = encode_multipart(values)
    return client.post("/public/report", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_visitors_land_on_the_residents_home(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/public/")
    html = client.get("/public/").get_data(as_text=True)
    assert "我要反映问题" in html and "查询办理进度" in html
    assert "/duties/public" in html                 # what the street does and who answers
    assert "/auth/login" in html                    # staff still find the login


def test_the_form_offers_public_items_in_plain_words_grouped_and_communities_by_street(client):
    html = client.get("/public/report").get_data(as_text=True)
    assert '<optgroup label="紧急险情">' in html
    assert "共享单车堆在路口、堵了盲道" in html          # Matter.public_title, not the staff title
    assert "互联网租赁自行车" not in html
    assert '<optgroup label="青檀街道">' in html and "铜铃巷社区" in html
    assert 'value="other"' in html                    # not sure
    assert 'name="homepage"' in html and 'name="csrf_token"' in html
    assert 'enctype="multipart/form-data"' in html


def test_a_report_with_a_photo_enters_the_streets_triage_queue(app, client):
    client.get("/public/report")
    before = _files(app)
    response = _post(client, report_form(app), photos=[("bike.jpg", jpeg())])
    assert response.status_code == 302
    code = code_from(response)
    with app.test_request_context():
        case = case_by_code(code)
        assert case.channel == "resident_web" and case.state == "new" and case.created_by_id is None
        assert case.street.code == "qt" and case.community.code == "qt-tlx"
        assert case.matter.code == "CS-ZF-013"
        assert case.reporter_name == "王秀英" and case.reporter_phone == "13987654321" and case.contact_consent
        assert len(code) == 12 and code != case.number
        [photo] = case.attachments
        assert photo.kind == "report" and not photo.public and photo.uploaded_by_id is None
        assert [e.action for e in case.events] == ["intake"]
        queue = rules.visible_cases(user("dispatcher")).where(Case.state == "new")
        assert case.id in {c.id for c in db.session.scalars(queue)}
        assert case.id not in {c.id for c in db.session.scalars(rules.visible_cases(user("secretary2")))}
    assert len(_files(app)) == len(before) + 1
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "您的反映已收到" in html
    assert f"{code[:4]} {code[4:8]} {code[8:]}" in html and "data-print" in html
    assert "王*" in html and "139****4321" in html
    assert "王秀英" not in html and "13987654321" not in html


def test_not_sure_leaves_the_category_to_the_street(app, client):
    response = _post(client, report_form(app, matter="other"))
    with app.app_context():
        assert case_by_code(code_from(response)).matter is None


def _kept(html: str) -> None:
    """The page still shows what was typed."""
    assert "铜铃巷口共享单车乱停" in html
    assert 'value="王秀英"' in html and 'value="13987654321"' in html and 'value="铜铃巷口"' in html


def test_a_20_mb_photo_is_refused_with_a_clear_message_and_nothing_is_stored(app, client):
    cases, files = _count(app), _files(app)
    big = jpeg() + b"\0" * (20 * 1024 * 1024)
    response = _post(client, report_form(app), photos=[("ok.jpg", jpeg()), ("huge.jpg", big)])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "10 MB" in html and 'class="field-error" id="photos-error"' in html
    assert "刚才选的照片没有保留，请重新选择照片" in html
    _kept(html)
    assert _count(app) == cases and _files(app) == files


def test_a_script_in_the_description_is_refused_and_shown_as_text(app, client):
    cases = _count(app)
    script = '路灯坏了<script>alert("x")</script>'
    response = _post(client, report_form(app, description=script))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "不要输入网页代码" in html
    assert '<script>alert' not in html
    assert "路灯坏了&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert _count(app) == cases


def test_a_burst_of_reports_is_throttled_with_a_message_and_the_form_as_typed(app, client):
    client.get("/public/report")                      # the browser gets its client cookie
    cases = _count(app)
    for _ in range(5):
        assert _post(client, report_form(app)).status_code == 302
    response = _post(client, report_form(app), photos=[("a.jpg", jpeg())])
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "短时间内已经提交了好几次" in html and "分钟后再提交" in html
    assert 'action="/public/report"' in html
    _kept(html)
    assert _count(app) == cases + 5

    other = app.test_client()                         # another browser behind the same address
    other.get("/public/report")
    assert _post(other, report_form(app)).status_code == 302


def test_clients_without_the_cookie_share_one_allowance_per_address(app, client):
    for _ in range(5):
        fresh = app.test_client()                     # no client cookie: counted by address
        assert _post(fresh, report_form(app)).status_code == 302
    assert _post(app.test_client(), report_form(app)).status_code == 429


def test_a_forged_client_cookie_does_not_buy_a_fresh_allowance(app, client):
    for n in range(5):
        client.set_cookie("portal_client", f"forged-{n}")
        assert _post(client, report_form(app)).status_code == 302
    client.set_cookie("portal_client", "forged-x")
    assert _post(client, report_form(app)).status_code == 429


def test_the_honeypot_stores_nothing(app, client):
    cases = _count(app)
    response = _post(client, report_form(app, homepage="http://spam.example"))
    assert response.status_code == 422
    assert "反映没有提交成功" in response.get_data(as_text=True)
    assert _count(app) == cases


def test_mistakes_are_marked_and_everything_typed_is_kept(app, client):
    response = _post(client, report_form(app, reporter_phone="call me", community=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请选择问题所在的社区" in html and "7 到 15 位数字" in html
    assert 'value="call me"' in html and "铜铃巷口共享单车乱停" in html


def test_consent_needs_a_phone_number(app, client):
    response = _post(client, report_form(app, reporter_phone=""))
    assert response.status_code == 422
    assert "如需街道回电，请填写电话号码" in response.get_data(as_text=True)
    response = _post(client, report_form(app, reporter_phone="", reporter_name="", contact_consent=""))
    assert response.status_code == 302


def test_a_street_s_own_item_only_fits_its_own_communities(app, client):
    hy_community, qt_own = ids(app, community="hy-mgy", matter="QT-ZZ-001")
    cases = _count(app)
    response = _post(client, report_form(app, community=hy_community, matter=qt_own))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "这类问题只由青檀街道受理" in html
    assert f'<option value="{qt_own}" selected>' in html
    assert _count(app) == cases


def test_an_internal_item_cannot_be_chosen(app, client):
    with app.app_context():
        from portal.duties.models import Matter
        internal = db.session.scalar(select(Matter.id).where(Matter.public.is_(False)))
    response = _post(client, report_form(app, matter=str(internal)))
    assert response.status_code == 422
    assert "请选择问题的类别" in response.get_data(as_text=True)


def test_at_most_three_photos_and_only_photos(app, client):
    cases, attachments, files = _count(app), _count(app, Attachment), _files(app)
    response = _post(client, report_form(app), photos=[(f"{n}.jpg", jpeg()) for n in range(4)])
    assert response.status_code == 422 and "3" in response.get_data(as_text=True)
    response = _post(client, report_form(app), photos=[("x.jpg", b"<html>not a photo</html>")])
    assert response.status_code == 422
    assert _count(app) == cases and _count(app, Attachment) == attachments and _files(app) == files


def test_without_the_csrf_token_nothing_is_stored(app, client):
    cases = _count(app)
    response = client.post("/public/report", data=report_form(app))
    assert response.status_code == 400
    assert _count(app) == cases


def test_the_intake_is_recorded_without_staff(app, client):
    response = _post(client, report_form(app))
    with app.app_context():
        case = case_by_code(code_from(response))
        event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id))
        assert event.actor_id is None and event.public and event.data == {"channel": "resident_web"}


def test_slips_in_the_form_do_not_use_up_the_allowance(app, client):
    client.get("/public/report")
    for _ in range(8):
        assert _post(client, report_form(app, community="")).status_code == 422
    assert _post(client, report_form(app)).status_code == 302


def test_refused_photos_do_not_use_up_the_reports_but_endless_attempts_are_throttled(app, client):
    """A resident whose photo is refused may try again: refused photos count as attempts (their
    decoding costs), not as reports; twenty attempts in ten minutes are the limit."""
    client.get("/public/report")
    for _ in range(6):
        assert _post(client, report_form(app), photos=[("x.jpg", b"not a photo")]).status_code == 422
    assert _post(client, report_form(app)).status_code == 302
    for _ in range(13):
        assert _post(client, report_form(app), photos=[("x.jpg", b"not a photo")]).status_code == 422
    response = _post(client, report_form(app), photos=[("x.jpg", b"not a photo")])
    assert response.status_code == 429 and "分钟后再提交" in response.get_data(as_text=True)


def test_the_form_with_personal_data_is_not_cached(app, client):
    response = _post(client, report_form(app, community=""))
    assert response.headers["Cache-Control"] == "no-store"
