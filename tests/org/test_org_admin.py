from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.org.models import Community, Street, Unit


def test_tree_shows_streets_communities_and_units(client_for, app):
    html = client_for("admin").get("/org/").get_data(as_text=True)
    with app.app_context():
        for street in db.session.scalars(select(Street)):
            assert street.name in html
        community = db.session.scalar(select(Community).limit(1))
        unit = db.session.scalar(select(Unit).limit(1))
        assert community.name in html and unit.name in html


def test_live_search_filters_rows(client_for, app):
    with app.app_context():
        first, second = db.session.scalars(select(Street).order_by(Street.code)).all()[:2]
        first_name, second_name = first.name, second.name
    response = client_for("admin").get(f"/org/street/?q={first_name[:3]}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert first_name in html and second_name not in html and "<nav" not in html


def test_create_community_writes_audit(client_for, app):
    with app.app_context():
        street_id = db.session.scalar(select(Street.id).limit(1))
    admin = client_for("admin")
    response = admin.post_form("/org/community/new", {"code": "new-comm", "name": "新建社区", "parent_id": street_id,
                                                      "street_id": street_id})
    assert response.status_code == 302
    with app.app_context():
        community = db.session.scalar(select(Community).where(Community.code == "new-comm"))
        assert community.street_id == street_id
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "org.created",
                                                          AuditEvent.object_id == community.id))


def test_duplicate_code_is_refused_in_chinese(client_for, app):
    with app.app_context():
        street = db.session.scalar(select(Street).limit(1))
        district_id, code = street.district_id, street.code
    response = client_for("admin").post_form("/org/street/new", {"code": code, "name": "重复街道",
                                                                 "parent_id": district_id, "street_id": 0})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "编码已被使用" in html and "重复街道" in html


def test_inline_edit_returns_the_row_and_records_the_change(client_for, app):
    with app.app_context():
        unit = db.session.scalar(select(Unit).limit(1))
        unit_id, dept_id, street_id, code = unit.id, unit.department_id, unit.street_id, unit.code
    admin = client_for("admin")
    form = admin.htmx("GET", f"/org/unit/{unit_id}/edit")
    assert 'hx-post="/org/unit/%d/edit"' % unit_id in form.get_data(as_text=True)
    response = admin.htmx("POST", f"/org/unit/{unit_id}/edit", {
        "csrf_token": admin.csrf(), "code": code, "name": "改名后的所", "phone": "010-1",
        "parent_id": dept_id, "street_id": street_id})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith("<tr") and "改名后的所" in html
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "org.updated",
                                                           AuditEvent.object_id == unit_id))
        assert event.details["changes"]["name"][1] == "改名后的所"


def test_deactivate_keeps_the_record(client_for, app):
    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).limit(1))
    client_for("admin").post_form(f"/org/unit/{unit_id}/active", {"active": "0"})
    with app.app_context():
        assert db.session.get(Unit, unit_id).active is False
    html = client_for("admin").get("/org/unit/?inactive=1").get_data(as_text=True)
    assert "已停用" in html


def test_unknown_kind_is_404(client_for):
    assert client_for("admin").get("/org/planet/").status_code == 404


def test_audit_trail_shows_who_changed_what(client_for, app):
    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).limit(1))
    admin = client_for("admin")
    admin.post_form(f"/org/unit/{unit_id}/active", {"active": "0"})
    html = admin.get("/audit/?action=org.").get_data(as_text=True)
    assert "org.deactivated" in html and "admin" in html


def test_a_garbage_active_value_is_a_bad_request(client_for, app):
    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).where(Unit.active).limit(1))
    admin = client_for("admin")
    for value in ("yes", "", "true"):
        assert admin.post_form(f"/org/unit/{unit_id}/active", {"active": value}).status_code == 400
    assert admin.post_form(f"/org/unit/{unit_id}/active", {}).status_code == 400
    with app.app_context():
        assert db.session.get(Unit, unit_id).active is True
