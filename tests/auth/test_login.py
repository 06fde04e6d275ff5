import re
import time

import itsdangerous.timed

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import LoginAttempt, User
from portal.extensions import db


def _login(client, username, password="portal-demo", **kwargs):
    return client.post_form("/auth/login", {"username": username, "password": password}, **kwargs)


def test_login_page_is_chinese_by_default(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "登录" in html


def test_every_demo_user_logs_in_and_lands_home(client):
    for username in ("admin", "secretary", "dispatcher", "chief", "staff", "grid", "secretary2", "chief2"):
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
        client._csrf = None
        response = _login(client, username, follow_redirects=True)
        assert response.status_code == 200, username
        assert "退出" in response.get_data(as_text=True), username
        client.post_form("/auth/logout")
        client._csrf = None


def test_wrong_password_is_refused_with_a_message(client):
    response = _login(client, "chief", "wrong-password", follow_redirects=True)
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_five_failures_lock_the_username_for_15_minutes(client, app):
    for _ in range(5):
        _login(client, "chief", "nope")
    response = _login(client, "chief", follow_redirects=True)  # even the right password
    html = response.get_data(as_text=True)
    assert "已锁定" in html
    assert "退出" not in html
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(LoginAttempt)
                                 .where(LoginAttempt.username == "chief")) == 5


def test_lock_expires_after_15_minutes(client, app):
    from datetime import timedelta

    for _ in range(5):
        _login(client, "chief", "nope")
    with app.app_context():
        for attempt in db.session.scalars(select(LoginAttempt)):
            attempt.at -= timedelta(minutes=16)
        db.session.commit()
    response = _login(client, "chief", follow_redirects=True)
    assert "退出" in response.get_data(as_text=True)


def test_inactive_user_cannot_log_in(client, make_user):
    make_user("unit_staff", unit=None, username="gone", active=False)
    response = _login(client, "gone", follow_redirects=True)
    assert "退出" not in response.get_data(as_text=True)


def test_login_follows_only_local_next(client):
    response = client.post_form("/auth/login?next=https://evil.example/x",
                                {"username": "admin", "password": "portal-demo"})
    assert response.headers["Location"] == "/cases/queue"
    client._csrf = None
    client.post_form("/auth/logout")
    client._csrf = None
    response = client.post_form("/auth/login?next=/org/", {"username": "admin", "password": "portal-demo"})
    assert response.headers["Location"] == "/org/"


def test_session_is_renewed_at_login(client):
    client.get("/auth/login")
    with client.session_transaction() as sess:
        sess["planted"] = "attacker"
    _login(client, "admin")
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_logout_ends_every_session_of_the_user(client_for):
    phone = client_for("chief")
    desktop = client_for("chief")
    assert desktop.get("/inbox/").status_code == 200
    phone.post_form("/auth/logout")
    assert desktop.get("/inbox/").status_code == 302


def test_deactivation_ends_sessions_at_once(client_for, user_by_name):
    chief = client_for("chief")
    admin = client_for("admin")
    assert chief.get("/inbox/").status_code == 200
    uid = user_by_name("chief").id
    admin.post_form(f"/auth/users/{uid}/active", {"active": "0"})
    assert chief.get("/inbox/").status_code == 302


def test_idle_session_ends_after_30_minutes(client_for):
    from datetime import timedelta

    from portal.timeutil import utcnow

    chief = client_for("chief")
    with chief.session_transaction() as sess:
        sess["seen"] = (utcnow() - timedelta(minutes=31)).isoformat()
    response = chief.get("/inbox/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_activity_keeps_the_session_alive_without_resending_it_on_every_page(client_for):
    from datetime import datetime, timedelta

    from portal.timeutil import utcnow

    chief = client_for("chief")
    assert chief.get("/inbox/").status_code == 200       # the session gets its CSRF token once
    with chief.session_transaction() as sess:
        sess["seen"] = (utcnow() - timedelta(seconds=20)).isoformat()
    response = chief.get("/inbox/")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers   # seen 20 s ago: kept
    with chief.session_transaction() as sess:
        sess["seen"] = (utcnow() - timedelta(minutes=29)).isoformat()
    response = chief.get("/inbox/")
    assert response.status_code == 200 and "portal_session=" in response.headers["Set-Cookie"]
    with chief.session_transaction() as sess:
        assert utcnow() - datetime.fromisoformat(sess["seen"]) < timedelta(seconds=5)   # moved on
    assert chief.get("/inbox/").status_code == 200


def test_session_ends_after_12_hours_even_when_active(client_for):
    from datetime import timedelta

    from portal.timeutil import utcnow

    chief = client_for("chief")
    with chief.session_transaction() as sess:
        sess["login_at"] = (utcnow() - timedelta(hours=12, minutes=1)).isoformat()
    assert chief.get("/inbox/").status_code == 302


def test_htmx_request_with_expired_session_gets_hx_redirect(client):
    response = client.get("/inbox/badge", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/auth/login")


def test_change_own_password_keeps_this_session_and_ends_others(client_for, app):
    here = client_for("staff")
    there = client_for("staff")
    response = here.post_form("/auth/password", {"current": "portal-demo", "new": "a-long-new-secret",
                                                 "confirm": "a-long-new-secret"})
    assert response.status_code == 302
    assert here.get("/inbox/").status_code == 200
    assert there.get("/inbox/").status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "staff"))
        assert user.check_password("a-long-new-secret")
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.password_changed"))


def test_short_new_password_is_refused(client_for):
    staff = client_for("staff")
    response = staff.post_form("/auth/password", {"current": "portal-demo", "new": "short", "confirm": "short"})
    assert "至少" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client_for):
    admin = client_for("admin")
    response = admin.post("/auth/users/1/active", data={"active": "0"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_htmx_post_with_csrf_header_is_accepted(client_for, user_by_name):
    admin = client_for("admin")
    uid = user_by_name("grid").id
    response = admin.htmx("POST", f"/auth/users/{uid}/active", {"active": "0"})
    assert response.status_code == 302


def test_templates_get_the_portals_csrf_token_which_makes_the_token_once(app, monkeypatch):
    """Flask-WTF's own `csrf_token` reads its configuration four times a call; pages call it for
    every form. The portal's (`web.csrf_token`) must be the one templates see."""
    from flask import render_template_string
    from flask_wtf.csrf import generate_csrf

    import portal.web

    made = []
    monkeypatch.setattr(portal.web, "generate_csrf", lambda: made.append(1) or generate_csrf())
    with app.test_request_context("/"):
        assert render_template_string("{{ csrf_token.__module__ }}") == "portal.web"
        first, second = render_template_string("{{ csrf_token() }} {{ csrf_token() }}").split()
        assert first == second == generate_csrf()
    assert made == [1]                                   # made for the first form, then read from g


def test_every_form_of_a_page_carries_the_one_token_of_the_session_and_it_is_accepted(client_for, user_by_name):
    admin = client_for("admin")
    page = admin.get("/auth/users").get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert tokens == {meta}
    uid = user_by_name("grid").id
    refused = admin.post(f"/auth/users/{uid}/active", data={"active": "0", "csrf_token": meta[:-2] + "xx"})
    assert refused.status_code == 400
    accepted = admin.post(f"/auth/users/{uid}/active", data={"active": "0", "csrf_token": meta})
    assert accepted.status_code == 302


def test_the_page_frame_shows_where_the_user_works_read_with_the_user(app, client_for):
    """The unit (and its street), the community or the street of the user, in the page's head,
    from the statement that loads the user: no statement of its own on every page."""
    from sqlalchemy import event

    statements = []

    def keep(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    expected = {}
    with app.app_context():             # as the relationships give it
        engine = db.engine
        for username, parts in (("chief", 2), ("grid", 2), ("secretary", 1), ("admin", 0)):
            expected[username] = db.session.scalar(select(User).where(User.username == username)).scope_label
            assert len([p for p in expected[username].split(" · ") if p]) == parts, (username, expected[username])
    for username, scope in expected.items():
        client = client_for(username)
        event.listen(engine, "before_cursor_execute", keep)
        try:
            page = client.get("/inbox/").get_data(as_text=True)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        who = re.search(r'<span class="who">([^<]*)</span>', page).group(1)
        assert who.endswith(f" · {scope}") if scope else " · " not in who, (username, who)
        assert not [s for s in statements if re.match(r"SELECT (street|unit|community)\.", s)], statements
        statements.clear()


def test_pages_do_not_read_the_password_hash_which_loads_only_to_check_a_password(app, client_for):
    """The user of every request is read without the password's hash; changing one's password still
    checks the current one (the hash is read then), a wrong one refused with its message."""
    from sqlalchemy import event

    statements = []

    def keep(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    client = client_for("staff")
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert client.get("/inbox/").status_code == 200
        assert any("FROM user" in s for s in statements), statements
        assert not [s for s in statements if "password_hash" in s], statements
        wrong = client.post_form("/auth/password", {"current": "not-the-password", "new": "a-long-new-secret",
                                                    "confirm": "a-long-new-secret"})
        assert [s for s in statements if "password_hash" in s]          # read to check the password
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert "当前密码不正确。" in wrong.get_data(as_text=True)
    right = client.post_form("/auth/password", {"current": "portal-demo", "new": "a-long-new-secret",
                                                "confirm": "a-long-new-secret"})
    assert right.status_code == 302


def test_a_sessions_token_is_signed_once_and_fresh_tokens_come_with_a_time_limit(app, client_for, user_by_name,
                                                                                   monkeypatch):
    """Tokens end with their session (no time limit): a session's token is signed once and stays
    the same from page to page; with a time limit each page signs it afresh."""
    import itsdangerous.timed

    now = [1_800_000_000]
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: now[0])

    def meta(response):
        return re.search(r'<meta name="csrf-token" content="([^"]+)"', response.get_data(as_text=True)).group(1)

    admin = client_for("admin")
    token = meta(admin.get("/inbox/"))
    now[0] += 120
    assert meta(admin.get("/inbox/")) == token
    assert meta(client_for("chief").get("/inbox/")) != token            # another session, another token
    uid = user_by_name("grid").id
    assert admin.post(f"/auth/users/{uid}/active", data={"active": "0", "csrf_token": token}).status_code == 302
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 3600)
    fresh = meta(admin.get("/inbox/"))
    now[0] += 60
    assert fresh != token and meta(admin.get("/inbox/")) != fresh


def _session_cookie(client) -> str:
    return client.get_cookie("portal_session").value


def test_a_checked_session_cookie_is_not_checked_again_but_still_ends_with_its_lifetime(app, client_for, monkeypatch):
    """The values of a cookie whose signature passed are kept: the same cookie again is not decoded
    anew, and gives the same signed-in page; past the session's lifetime it no longer signs in."""
    import portal.web

    chief = client_for("chief")
    assert chief.get("/inbox/").status_code == 200          # the session gets its CSRF token
    cookie = _session_cookie(chief)
    assert chief.get("/inbox/").status_code == 200          # the new cookie: checked once, kept
    serializer = app.session_interface.get_signing_serializer(app)
    decoded = []
    real_loads = type(serializer).loads
    monkeypatch.setattr(type(serializer), "loads", lambda self, *a, **k: decoded.append(1) or real_loads(self, *a, **k))

    assert chief.get("/inbox/").status_code == 200 and _session_cookie(chief) == cookie
    assert chief.get("/cases/queue").status_code == 200
    assert decoded == []                                   # the kept values, no second check

    later = time.time() + app.permanent_session_lifetime.total_seconds() + 5
    monkeypatch.setattr(portal.web.time, "time", lambda: later)
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: int(later))
    response = chief.get("/inbox/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert decoded == [1]                                  # too old to be kept: checked, and refused


def test_an_altered_session_cookie_signs_nobody_in_and_is_not_kept(app, client_for):
    chief = client_for("chief")
    assert chief.get("/inbox/").status_code == 200
    cookie = _session_cookie(chief)
    assert chief.get("/inbox/").status_code == 200
    signed, _dot, signature = cookie.rpartition(".")
    forged = signed + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    chief.set_cookie("portal_session", forged)
    response = chief.get("/inbox/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert forged not in app.session_interface._opened and cookie in app.session_interface._opened


def test_each_request_gets_its_own_copy_of_a_kept_cookies_values(app, client_for):
    """A request that changes its session does not change what the next request with the same
    (old) cookie sees; sessions holding lists (flashed messages) are decoded every time."""
    chief = client_for("chief")
    assert chief.get("/inbox/").status_code == 200
    cookie = _session_cookie(chief)
    interface = app.session_interface
    with app.test_request_context("/", headers={"Cookie": f"portal_session={cookie}"}):
        from flask import request

        first = interface.open_session(app, request)
        user_id = first["_user_id"]
        first["lang"] = "en"
        first["_user_id"] = "1:forged"
        second = interface.open_session(app, request)
    assert "lang" not in second and second["_user_id"] == user_id
    assert "lang" not in interface._opened[cookie][1]

    flashed = app.session_interface.get_signing_serializer(app).dumps({"_flashes": [["info", "已保存"]]})
    with app.test_request_context("/", headers={"Cookie": f"portal_session={flashed}"}):
        from flask import request

        assert interface.open_session(app, request)["_flashes"] == [["info", "已保存"]]
    assert flashed not in interface._opened


def test_the_session_identifier_is_flask_logins_own_hashed_once_per_client(app, client, monkeypatch):
    import flask_login.utils

    import portal.auth

    hashed = []

    def counted():
        hashed.append(1)
        return flask_login.utils._create_identifier()

    monkeypatch.setattr(portal.auth, "_create_identifier", counted)
    portal.auth._IDENTIFIERS.clear()
    clients = [{"HTTP_USER_AGENT": "Firefox", "REMOTE_ADDR": "10.0.0.1"},
               {"HTTP_USER_AGENT": "Chromium", "REMOTE_ADDR": "10.0.0.1"},
               {"HTTP_USER_AGENT": "Firefox", "REMOTE_ADDR": "10.0.0.2"},
               {"HTTP_USER_AGENT": "Firefox", "REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.9, 10.0.0.1"}]
    seen = set()
    for environ in clients * 2:
        with app.test_request_context("/", environ_base=environ):
            identifier = portal.auth.session_identifier()
            assert identifier == flask_login.utils._create_identifier()
            seen.add(identifier)
    assert len(seen) == 4 and len(hashed) == 4          # each client hashed once, all told apart
    # Logging in stores it, and the next page keeps the session as it is (no new cookie).
    response = _login(client, "admin")
    assert response.status_code == 302
    assert client.get("/").headers.get("Set-Cookie") is None


def test_a_form_sent_after_the_session_went_idle_leads_to_the_login_not_to_a_csrf_error(client_for, user_by_name):
    from datetime import timedelta

    from portal.timeutil import utcnow

    admin = client_for("admin")
    uid = user_by_name("grid").id
    admin.csrf()                                                  # the token of the page the form was on
    with admin.session_transaction() as sess:
        sess["seen"] = (utcnow() - timedelta(minutes=31)).isoformat()
    response = admin.post_form(f"/auth/users/{uid}/active", {"active": "0"})
    # The token is checked against the session it came with, before the idle session is ended.
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert user_by_name("grid").active                            # nothing changed
    # A safe request is not checked; a form without its token still is.
    assert client_for("admin").get("/auth/users").status_code == 200
    assert client_for("admin").post(f"/auth/users/{uid}/active", data={"active": "0"}).status_code == 400
