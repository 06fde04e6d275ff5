from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.extensions import db
from portal.org.models import Unit


def test_admin_creates_a_unit_chief_with_scope_and_audit(client_for, app):
    admin = client_for("admin")
    with app.app_context():
        unit = db.session.scalar(select(Unit).limit(1))
        unit_id, street_id = unit.id, unit.street_id
    response = admin.post_form("/auth/users/new", {
        "username": "newchief", "display_name": "新所长", "phone": "13900000000", "role": "unit_chief",
        "street_id": 0, "unit_id": unit_id, "community_id": 0, "password": "a-good-long-password"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "newchief"))
        assert user.unit_id == unit_id and user.street_id == street_id
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created",
                                                           AuditEvent.object_id == user.id))
        assert event.actor_id is not None
        assert "13900000000" not in str(event.details)


def test_role_without_its_scope_is_refused_and_keeps_input(client_for):
    admin = client_for("admin")
    response = admin.post_form("/auth/users/new", {
        "username": "nostreet", "display_name": "某某", "role": "street_secretary",
        "street_id": 0, "unit_id": 0, "community_id": 0, "password": "a-good-long-password"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请选择用户所在的街道" in html
    assert 'value="nostreet"' in html


def test_duplicate_username_is_refused(client_for):
    admin = client_for("admin")
    response = admin.post_form("/auth/users/new", {
        "username": "chief", "display_name": "重名", "role": "district_admin",
        "street_id": 0, "unit_id": 0, "community_id": 0, "password": "a-good-long-password"})
    assert response.status_code == 422
    assert "用户名已被使用" in response.get_data(as_text=True)


def test_admin_resets_a_password_and_the_user_is_logged_out(client_for, user_by_name, app):
    admin = client_for("admin")
    chief = client_for("chief")
    uid = user_by_name("chief").id
    response = admin.post_form(f"/auth/users/{uid}/password", {"new": "another-long-secret"})
    assert response.status_code == 302
    assert chief.get("/inbox/").status_code == 302
    with app.app_context():
        assert db.session.get(User, uid).check_password("another-long-secret")


def test_user_list_live_search_returns_rows_only(client_for):
    admin = client_for("admin")
    response = admin.get("/auth/users?q=chief", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "chief2" in html and "secretary" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_changing_a_role_ends_the_users_sessions(client_for, user_by_name, app):
    admin = client_for("admin")
    grid = client_for("grid")
    user = user_by_name("grid")
    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).limit(1))
    admin.post_form(f"/auth/users/{user.id}/edit", {
        "username": "grid", "display_name": user.display_name, "phone": "", "role": "unit_staff",
        "street_id": 0, "unit_id": unit_id, "community_id": 0})
    assert grid.get("/inbox/").status_code == 302


def test_an_initial_password_of_spaces_is_refused(client_for, app):
    response = client_for("admin").post_form("/auth/users/new", {
        "username": "spaces", "display_name": "空格", "role": "district_admin",
        "street_id": 0, "unit_id": 0, "community_id": 0, "password": " " * 16})
    assert response.status_code == 422 and "请设置初始密码" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "spaces")) is None


def test_a_password_longer_than_128_characters_is_refused(client_for, user_by_name, app):
    admin = client_for("admin")
    uid = user_by_name("chief").id
    response = admin.post_form(f"/auth/users/{uid}/password", {"new": "x" * 10000})
    assert response.status_code == 422 and "128" in response.get_data(as_text=True)
    assert admin.post_form(f"/auth/users/{uid}/password", {"new": " " * 20}).status_code == 422
    with app.app_context():
        assert db.session.get(User, uid).check_password("portal-demo")
    assert admin.post_form(f"/auth/users/{uid}/password", {"new": "y" * 128}).status_code == 302


def test_a_garbage_active_value_is_a_bad_request(client_for, user_by_name, app):
    uid = user_by_name("chief").id
    assert client_for("admin").post_form(f"/auth/users/{uid}/active", {"active": "no"}).status_code == 400
    with app.app_context():
        assert db.session.get(User, uid).active is True
