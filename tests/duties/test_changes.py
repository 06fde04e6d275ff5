"""Editing: create, edit with history and diff, optimistic locking, retire/restore, audit."""
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.duties.models import Matter, MatterRevision
from portal.extensions import db
from portal.org.models import Department


def _form_of(app, matter_id: int, **changes) -> dict:
    """The edit form's fields as a browser would post them, with `changes` applied."""
    with app.app_context():
        m = db.session.get(Matter, matter_id)
        data = {"code": m.code, "title": m.title, "kind": m.kind, "category": m.category,
                "scenario": m.scenario, "lead_department_id": m.lead_department_id or 0,
                "cooperating": [d.id for d in m.cooperating_departments], "legal_basis": m.legal_basis,
                "sign_limit": m.sign_limit, "complete_limit": m.complete_limit, "limit_unit": m.limit_unit,
                "public_title": m.public_title, "version": m.version}
        if m.public:
            data["public"] = "y"
    data.update(changes)
    return data


def _department(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Department.id).where(Department.code == code))


def test_secretary_edits_her_streets_item_and_history_shows_a_readable_diff(app, client_for, matter_id):
    target = matter_id("QT-ZZ-001")
    cgzf = _department(app, "cgzf")
    secretary = client_for("secretary")
    form = secretary.get(f"/duties/{target}/edit").get_data(as_text=True)
    assert 'name="version"' in form and 'value="1"' in form
    response = secretary.post_form(f"/duties/{target}/edit", _form_of(
        app, target, title="背街小巷日常保洁和垃圾清运巡查", cooperating=[cgzf], sign_limit=2, complete_limit=3,
        scenario="街道组织保洁队伍每日清扫保洁；发现暴露垃圾的，当日清理。"))
    assert response.status_code == 302
    with app.app_context():
        m = db.session.get(Matter, target)
        assert m.title == "背街小巷日常保洁和垃圾清运巡查" and m.version == 2
        assert [d.code for d in m.cooperating_departments] == ["cgzf"]
        revision = db.session.scalars(select(MatterRevision).where(MatterRevision.matter_id == target)
                                      .order_by(MatterRevision.id.desc())).first()
        assert revision.action == "updated" and revision.changes["sign_limit"] == [1, 2]
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "duties.updated",
                                                          AuditEvent.object_id == target))
    html = secretary.get(f"/duties/{target}/history").get_data(as_text=True)
    assert "李秀英" in html and "修改" in html
    assert "事项名称" in html and "配合部门" in html and "签收时限" in html and "启动情形和标准" in html
    assert "嘉禾区城市管理综合行政执法局" in html  # departments by name, not id
    assert "背街小巷日常保洁巡查" in html  # the old title stays readable
    assert "<ins>" in html and "<del>" in html  # long texts as an inline diff
    assert "新增" in html  # the first revision (the demo seed)
    english = client_for("secretary")
    english.post_form("/lang", {"lang": "en", "next": "/"})
    assert "Cooperating departments" in english.get(f"/duties/{target}/history").get_data(as_text=True)


def test_secretary_cannot_edit_the_district_list(app, client_for, matter_id):
    target = matter_id("CS-ZF-001")
    secretary = client_for("secretary")
    response = secretary.post_form(f"/duties/{target}/edit", _form_of(app, target, title="改不了"))
    assert response.status_code == 403
    assert secretary.post_form(f"/duties/{target}/active", {"active": "0", "version": "1"}).status_code == 403
    with app.app_context():
        assert db.session.get(Matter, target).title == "地下空间群租整治"


def test_admin_edits_district_item_but_not_a_streets(app, client_for, matter_id):
    admin = client_for("admin")
    district, street = matter_id("CS-ZF-002"), matter_id("QT-ZZ-002")
    assert admin.post_form(f"/duties/{district}/edit", _form_of(app, district, complete_limit=4)).status_code == 302
    assert admin.post_form(f"/duties/{street}/edit", _form_of(app, street, title="x")).status_code == 403


def test_create_adds_to_the_users_own_list(app, client_for):
    secretary = client_for("secretary")
    response = secretary.post_form("/duties/new", {
        "code": "QT-ZZ-099", "title": "楼道堆物清理", "kind": "duty", "category": "key_work",
        "lead_department_id": 0, "sign_limit": 1, "complete_limit": 3, "limit_unit": "days",
        "public": "y", "public_title": "楼道里堆满杂物"})
    assert response.status_code == 302
    with app.app_context():
        m = db.session.scalar(select(Matter).where(Matter.code == "QT-ZZ-099"))
        assert m.owner_street.code == "qt" and m.public and m.version == 1
        assert db.session.scalar(select(MatterRevision.action).where(MatterRevision.matter_id == m.id)) == "created"


def test_form_rules_are_reported_in_chinese(client_for):
    response = client_for("admin").post_form("/duties/new", {
        "code": "CS-ZF-001", "title": "重复", "kind": "whistle", "category": "enforcement",
        "lead_department_id": 0, "sign_limit": 5, "complete_limit": 2, "limit_unit": "days",
        "public": "y", "public_title": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "编码已被使用" in html and "办结时限不能短于签收时限" in html and "面向居民的通俗名称" in html


def test_stale_edit_gets_409_and_keeps_the_users_input(app, client_for, matter_id):
    target = matter_id("QT-ZZ-003")
    first, second = client_for("secretary"), client_for("secretary")
    seen = _form_of(app, target)  # both opened the form at version 1
    assert first.post_form(f"/duties/{target}/edit", {**seen, "title": "第一人的修改"}).status_code == 302
    response = second.post_form(f"/duties/{target}/edit", {**seen, "title": "第二人的修改", "sign_limit": 3})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "已被他人修改" in html and "尚未保存" in html
    assert 'value="第二人的修改"' in html  # nothing the user typed is lost
    assert "第一人的修改" in html  # the current value, for comparison
    with app.app_context():
        m = db.session.get(Matter, target)
        assert m.title == "第一人的修改" and m.sign_limit == 2 and m.version == 2
    # Saving again from the conflict page (it carries the new version) keeps the second user's text.
    assert 'name="version" type="hidden" value="2"' in html
    again = second.post_form(f"/duties/{target}/edit", {**seen, "title": "第二人的修改", "sign_limit": 3,
                                                        "version": 2})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(Matter, target).title == "第二人的修改"


def test_stale_edit_over_htmx_answers_409_with_the_form(app, client_for, matter_id):
    target = matter_id("QT-ZZ-004")
    secretary = client_for("secretary")
    seen = _form_of(app, target)
    secretary.post_form(f"/duties/{target}/edit", {**seen, "title": "先改"})
    response = secretary.htmx("POST", f"/duties/{target}/edit", {**seen, "csrf_token": secretary.csrf(),
                                                                 "title": "后改"})
    assert response.status_code == 409 and 'value="后改"' in response.get_data(as_text=True)


def test_stale_retire_is_refused(app, client_for, matter_id):
    target = matter_id("QT-ZZ-005")
    secretary = client_for("secretary")
    secretary.post_form(f"/duties/{target}/edit", _form_of(app, target, title="改过一次"))
    response = secretary.post_form(f"/duties/{target}/active", {"active": "0", "version": "1"})
    assert response.status_code == 409 and "已被他人修改" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Matter, target).active is True


def test_retire_and_restore_are_revisions(app, client_for, matter_id):
    target = matter_id("CS-ZF-003")
    admin = client_for("admin")
    admin.post_form(f"/duties/{target}/active", {"active": "0", "version": "1"})
    admin.post_form(f"/duties/{target}/active", {"active": "1", "version": "2"})
    with app.app_context():
        actions = db.session.scalars(select(MatterRevision.action).where(MatterRevision.matter_id == target)
                                     .order_by(MatterRevision.id)).all()
        assert actions == ["created", "retired", "restored"]
    html = admin.get(f"/duties/{target}/history").get_data(as_text=True)
    assert "已停用" in html and "恢复启用" in html and "在用" in html


def test_unchanged_save_writes_no_revision(app, client_for, matter_id):
    target = matter_id("QT-ZZ-006")
    secretary = client_for("secretary")
    response = secretary.post_form(f"/duties/{target}/edit", _form_of(app, target))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Matter, target).version == 1
        assert len(db.session.scalars(select(MatterRevision).where(MatterRevision.matter_id == target)).all()) == 1


def test_wtforms_own_messages_follow_the_users_language(client_for):
    """WTForms' built-in messages come from its catalog in the user's language, also after a switch."""
    secretary = client_for("secretary")
    form = {"code": "QT-ZZ-098", "title": "楼道堆物", "kind": "duty", "category": "key_work",
            "lead_department_id": 0, "sign_limit": "两天", "complete_limit": 3, "limit_unit": "days",
            "public": "y", "public_title": "楼道堆物"}
    response = secretary.post_form("/duties/new", form)
    assert response.status_code == 422 and "不是有效的整数" in response.get_data(as_text=True)
    with secretary.session_transaction() as sess:
        sess["lang"] = "en"
    response = secretary.post_form("/duties/new", form)
    assert response.status_code == 422 and "Not a valid integer value" in response.get_data(as_text=True)


def test_a_garbage_active_value_is_a_bad_request(app, client_for, matter_id):
    target = matter_id("CS-ZF-003")
    response = client_for("admin").post_form(f"/duties/{target}/active", {"active": "maybe", "version": "1"})
    assert response.status_code == 400
    with app.app_context():
        matter = db.session.get(Matter, target)
        assert matter.active is True and matter.version == 1
