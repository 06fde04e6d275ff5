def test_security_headers_on_every_page(client_for):
    response = client_for("admin").get("/org/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
    # Pages no view answered, and files, carry them too; each header once.
    for path in ("/no-such-page", "/static/css/portal.css"):
        other = client_for("admin").get(path)
        other.close()
        assert other.headers["Content-Security-Policy"] == csp and other.headers["X-Frame-Options"] == "DENY"
        assert len(other.headers.getlist("X-Content-Type-Options")) == 1


def test_session_cookie_is_httponly_and_samesite(client):
    client.get("/auth/login")
    cookie = client.get_cookie("portal_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert not cookie.secure


def test_session_cookie_is_secure_over_https(client):
    client.get("/auth/login", base_url="https://localhost")
    assert client.get_cookie("portal_session", domain="localhost").secure


def test_no_inline_script_in_pages(client_for):
    import re

    html = client_for("admin").get("/org/").get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag
    assert " on" + "click=" not in html


def test_htmx_config_meta(client):
    html = client.get("/auth/login").get_data(as_text=True)
    for setting in ('"includeIndicatorStyles":false', '"allowEval":false', '"selfRequestsOnly":true',
                    '"historyCacheSize":0'):
        assert setting in html


def test_error_pages_are_translated(client_for):
    response = client_for("chief").get("/org/")
    assert response.status_code == 403 and "没有权限" in response.get_data(as_text=True)
    response = client_for("chief").get("/no-such-page")
    assert response.status_code == 404 and "不存在" in response.get_data(as_text=True)


def test_language_switch_to_english(client):
    client.post_form("/lang", {"lang": "en", "next": "/auth/login"})
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in html and "Log in" in html


def test_language_switch_ignores_foreign_next(client):
    response = client.post_form("/lang", {"lang": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"


def test_htmx_error_answers_plain_text(client_for):
    response = client_for("chief").get("/org/", headers={"HX-Request": "true"})
    assert response.status_code == 403 and response.mimetype == "text/plain"


def test_500_page_rolls_back_and_is_translated(app, client_for):
    from portal import permissions as perm

    @app.route("/boom")
    @perm.login_required
    def boom():
        raise RuntimeError("boom")

    response = client_for("chief").get("/boom")
    assert response.status_code == 500 and "出错" in response.get_data(as_text=True)


def test_lazy_translations_with_user_input_are_escaped(app):
    from flask import render_template_string
    from flask_babel import lazy_gettext as _l

    with app.test_request_context():
        html = render_template_string("{{ msg }}", msg=_l("User %(name)s saved.", name="<script>x</script>"))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_view_may_ask_for_its_own_referrer_and_cache_policy(app, client_for):
    from portal import permissions as perm

    @app.route("/probe-headers")
    @perm.login_required
    def probe():
        return "ok", 200, {"Referrer-Policy": "no-referrer", "Cache-Control": "private, max-age=60"}

    response = client_for("chief").get("/probe-headers")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "private, max-age=60"
    assert client_for("chief").get("/inbox/").headers["Cache-Control"] == "no-store"


def test_proxy_fix_is_opt_in(tmp_path):
    from portal import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "INSTANCE_PATH": str(tmp_path), "PROXY_FIX": True})
    assert type(app.wsgi_app).__name__ == "ProxyFix"


def test_a_page_that_needs_no_user_does_not_load_one_and_is_still_not_stored(app, client_for):
    """The signed-in session alone decides `no-store`; loading the user for it would cost a query
    on every page, the bare ones included."""
    from sqlalchemy import event

    from portal.extensions import db

    chief = client_for("chief")
    assert chief.get("/inbox/").status_code == 200
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda conn, cursor, stmt, *a: statements.append(stmt))
    response = chief.get("/figures/ping")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert statements == []


def test_the_page_frame_links_follow_the_mount_point(client_for):
    """The frame's addresses (files, inbox, language, logout, the menu) are worked out once per mount
    point: a portal served under /portal links there, and the same process served at / does not."""
    admin = client_for("admin")
    mounted = admin.get("/org/", base_url="http://localhost/portal/").get_data(as_text=True)
    assert 'href="/portal/static/css/portal.css"' in mounted and 'action="/portal/auth/logout"' in mounted
    assert 'href="/portal/inbox/"' in mounted and 'href="/static/' not in mounted
    plain = admin.get("/org/").get_data(as_text=True)
    assert 'href="/static/css/portal.css"' in plain and 'action="/auth/logout"' in plain and "/portal/" not in plain


def test_the_menu_marks_the_page_it_is_on_and_the_switch_the_language_in_use(client_for):
    import re

    def pressed(response):
        return re.findall(r'<button type="submit" name="lang" value="(\w+)" class="btn-link"( aria-pressed="true")? '
                          r'lang="([\w-]+)">([^<]+)</button>', response.get_data(as_text=True))

    def menu(response):
        html = response.get_data(as_text=True)
        nav = re.search(r'<ul class="links">(.*?)</ul>', html, re.S).group(1)
        return re.findall(r'<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>', nav)

    admin = client_for("admin")
    on_cases = menu(admin.get("/cases/"))
    assert [href for href, current, _label in on_cases if current] == ["/cases/"]
    on_org = menu(admin.get("/org/"))
    assert [href for href, current, _label in on_org if current] == ["/org/"]
    assert [href for href, *_ in on_cases] == [href for href, *_ in on_org]
    assert ("/cases/", ' aria-current="page"', "案件") in on_cases
    staff = client_for("staff")
    assert len(menu(staff.get("/cases/"))) < len(on_cases)           # a unit's staff sees fewer entries
    assert pressed(admin.get("/cases/")) == [("zh_CN", ' aria-pressed="true"', "zh-CN", "简体中文"),
                                             ("en", "", "en", "English")]
    admin.post_form("/lang", {"lang": "en", "next": "/cases/"})
    assert pressed(admin.get("/cases/")) == [("zh_CN", "", "zh-CN", "简体中文"), ("en", ' aria-pressed="true"', "en", "English")]
    assert ("/cases/", ' aria-current="page"', "Case list") in menu(admin.get("/cases/"))


def test_nul_characters_never_reach_a_form_or_a_filter(app, client_for):
    """A tampered request's NUL bytes are taken out where the request is read (PostgreSQL refuses
    them in text): the value is saved without them, and a filter with one answers normally."""
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.extensions import db

    admin = client_for("admin")
    with app.app_context():
        grid = db.session.scalar(select(User).where(User.username == "grid"))
        fields = {"username": grid.username, "display_name": "网格员\x00 杨帆", "phone": "", "role": grid.role,
                  "street_id": grid.street_id or 0, "unit_id": grid.unit_id or 0,
                  "community_id": grid.community_id or 0}
        grid_id = grid.id
    response = admin.post_form(f"/auth/users/{grid_id}/edit", fields)
    assert response.status_code in (302, 303)
    with app.app_context():
        assert db.session.get(User, grid_id).display_name == "网格员 杨帆"
    assert admin.get("/cases/?q=%E8%B7%AF%00%E7%81%AF").status_code == 200
    page = admin.get("/cases/?q=%E8%B7%AF%00%E7%81%AF").get_data(as_text=True)
    assert "\x00" not in page and 'value="路灯"' in page
