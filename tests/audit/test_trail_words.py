"""The audit trail reads in words: each area's actions, records and details by their labels, values
through their vocabularies, no Python values (None, True, dicts) on the page."""
import re

from sqlalchemy import select

from portal.extensions import db


def rows(html: str) -> list[str]:
    """Each row of the trail as text, cells separated by ' | '."""
    body = html.split('id="audit-rows"', 1)[1]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " | ", row)).strip()
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_a_case_change_reads_as_its_event_with_states_and_a_link_to_the_case(app, client_for):
    from portal.cases.models import Case

    admin = client_for("admin")
    html = admin.get("/audit/?action=case.sign_for").get_data(as_text=True)
    first = rows(html)[0]
    assert "已签收" in first and "case.sign_for" in first                       # label, code beside it
    assert re.search(r"原状态：[^|]*已派单", first) and "新状态：已签收" in first
    case_id = int(re.search(r'<a href="/cases/(\d+)">案件 #\1</a>', html).group(1))
    with app.app_context():
        assert db.session.get(Case, case_id) is not None
    assert admin.get(f"/cases/{case_id}").status_code == 200


def details(html: str) -> list[str]:
    """The details cell of each row of the trail, as text."""
    return [re.sub(r"<[^>]+>", " ", cell) for cell in re.findall(r'<td class="details">(.*?)</td>', html, re.S)]


def test_no_python_values_or_codes_reach_the_trail(client_for):
    admin = client_for("admin")
    for action in ("", "case.whistle", "case.rate", "case.dispatch", "duties.", "assessment."):
        cells = details(admin.get(f"/audit/?action={action}").get_data(as_text=True))
        assert cells, action
        for text in cells:
            assert not re.search(r"\bNone\b|\bTrue\b|\bFalse\b|\{'|\['|: null", text), text
            assert not re.search(r"\b[a-z]+(_[a-z]+)+\b|：(lead|cooperating|single|very|basically|not)\b", text), text


def test_a_residents_rating_and_a_whistles_units_read_in_words(client_for):
    admin = client_for("admin")
    rated = details(admin.get("/audit/?action=case.rate").get_data(as_text=True))[0]
    assert re.search(r"居民评价：(非常满意|基本满意|不满意)", rated) and "分级" not in rated
    whistled = details(admin.get("/audit/?action=case.whistle").get_data(as_text=True))[0]
    assert re.search(r"角色：(牵头单位|配合单位)", whistled) and "unit_id" not in whistled


def test_a_changed_record_lists_each_field_by_its_forms_label(client_for, user_by_name):
    admin = client_for("admin")
    grid = user_by_name("grid")
    response = admin.post_form(f"/auth/users/{grid.id}/edit", {
        "username": grid.username, "display_name": "网格员 杨帆改", "phone": "", "role": grid.role,
        "street_id": grid.street_id or 0, "unit_id": grid.unit_id or 0, "community_id": grid.community_id or 0})
    assert response.status_code in (302, 303), response.status_code
    first = rows(admin.get("/audit/?action=user.updated").get_data(as_text=True))[0]
    assert "修改用户" in first and f"用户 #{grid.id}" in first
    assert "修改内容：姓名：网格员 杨帆 → 网格员 杨帆改" in first


def test_the_trail_in_english_keeps_english_words(client_for):
    admin = client_for("admin")
    admin.post_form("/lang", {"lang": "en", "next": "/audit/"})
    first = rows(admin.get("/audit/?action=case.sign_for").get_data(as_text=True))[0]
    assert "Signed for" in first and "State before:" in first and "已签收" not in first


def test_codes_nobody_described_are_shown_as_they_are(app):
    from portal.audit.present import entry

    class Event:
        action, object_type, object_id = "elsewhere.thing_done", "gadget", 3
        details = {"size": 2, "flag": True, "missing_id": None, "items": [1, 2]}

    with app.test_request_context("/"):
        shown = entry(Event)
    assert (shown.action, shown.described, shown.object, shown.object_href) == ("elsewhere.thing_done", False,
                                                                                   "gadget #3", None)
    assert shown.details == [("size", "2"), ("flag", "是"), ("items", "1、2")]


def test_ids_in_details_are_shown_by_name_with_one_statement_per_kind_of_record(app, client_for):
    from sqlalchemy import event

    from portal.cases.models import Case
    from portal.org.models import Community, Street

    admin = client_for("admin")
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.channel == "hotline_12345").order_by(Case.id.desc()))
        street = db.session.get(Street, case.street_id).name
        community = db.session.get(Community, case.community_id).name
        engine = db.engine
    statements = []

    def keep(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        html = admin.get(f"/audit/?action=case.intake&object_id={case.id}").get_data(as_text=True)
        statements.clear()
        page = admin.get("/audit/?action=case.").get_data(as_text=True)      # a whole page of case entries
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    first = rows(html)[0]
    assert f"街道：{street}" in first and f"社区：{community}" in first
    # Each kind of record is read once for the page, however many of its ids the page shows.
    lookups = [re.match(r"SELECT (\w+)\.id, \1\.\w+\s+FROM \1\s+WHERE \1\.id IN", s) for s in statements]
    tables = [m.group(1) for m in lookups if m]
    assert sorted(tables) == sorted(set(tables)) and {"street", "community", "unit"} <= set(tables)
    assert len(set(re.findall(r"社区：([^<|]+?)\s*</div>", page))) > 1


def test_a_triage_shows_the_level_by_its_name(client_for):
    first = rows(client_for("admin").get("/audit/?action=case.triage").get_data(as_text=True))[0]
    assert re.search(r"分级：[一二三]级", first) and not re.search(r"分级：\d", first)
