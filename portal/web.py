"""Request plumbing shared by every area: locale, session limits, headers, errors, filters."""
from __future__ import annotations

import functools
import json
import time
from datetime import datetime, timedelta
from inspect import CO_COROUTINE
from types import FunctionType
from urllib.parse import urlencode

from flask import (
    Blueprint, Flask, current_app, g, redirect, render_template, request, session, url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask.wrappers import Request
from babel import Locale, support
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError, generate_csrf
from itsdangerous import BadSignature
from jinja2 import StrictUndefined
from markupsafe import Markup
from wtforms.i18n import messages_path
from werkzeug.exceptions import HTTPException
from werkzeug.utils import cached_property

from portal import permissions, punctuation
from portal.extensions import csrf, db, template_gettext, template_ngettext
from portal.rendering import wants_fragment
from portal.timeutil import format_deadline, format_local, local_iso, utcnow

bp = Blueprint("core", __name__)

_PLAIN = frozenset({str, int, float, bool, type(None)})     # session values kept as they are

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class PortalSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS; build the cookie's
    serializer once per set of keys (Flask builds one for every request, a fifth of a bare page);
    keep what recently checked cookies hold.

    A session's cookie changes at most once a minute (`SEEN_STEP`) while a browser sends it with
    every request, and checking its signature and decoding it is about a twentieth of a case page.
    So the values of a cookie that passed the check are kept, by the cookie's exact text and the
    serializer (new keys: a new serializer, nothing kept matches), and the next request with that
    cookie gets a fresh session of them without the check; its age is still checked against the
    session's lifetime, as the signature's timestamp would be. Only cookies of plain values (text,
    numbers, true/false) are kept, so no request's session shares a list or dict with another's.
    A forged or altered cookie fails the check and is never kept."""

    _serializer = None          # (keys, serializer)
    OPENED_LIMIT = 2048         # cookies kept; all are dropped when it is reached

    def __init__(self):
        self._opened: dict[str, tuple] = {}      # cookie text -> (serializer, values, signed at)

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        kept = self._opened.get(cookie)
        if kept is not None and kept[0] is serializer and 0 <= int(time.time()) - kept[2] <= max_age:
            return self.session_class(kept[1])
        try:
            values, signed = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if type(values) is dict and all(type(v) in _PLAIN for v in values.values()):
            if len(self._opened) >= self.OPENED_LIMIT:
                self._opened.clear()
            self._opened[cookie] = (serializer, values, int(signed.timestamp()))
        return self.session_class(values)

    def get_cookie_secure(self, app):
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._serializer
        if cached is None or cached[0] != keys:
            cached = self._serializer = (keys, super().get_signing_serializer(app))
        return cached[1]


def select_locale() -> str:
    """The request's language: the session's choice if the portal has it, else the default. Kept on
    the request once worked out (the page frame asks five times; Flask-Babel keeps its locale for
    the request the same way). Flask's objects are taken from their proxies once a call: each
    attribute read through a proxy costs three Python calls."""
    req = request._get_current_object()
    chosen = req.__dict__.get("portal_locale")
    if chosen is None:
        config = current_app._get_current_object().config
        chosen = session._get_current_object().get("lang")
        if chosen not in config["LANGUAGES"]:
            chosen = config["BABEL_DEFAULT_LOCALE"]
        req.portal_locale = chosen
    return chosen


@functools.cache
def _locale(identifier: str) -> Locale:
    return Locale.parse(identifier)


def babel_locale() -> Locale:
    """`select_locale` as a parsed Locale, for Flask-Babel: parsing one costs more than many a
    whole page (Babel looks through every locale it knows), so each is parsed once."""
    return _locale(select_locale())


@functools.cache
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _wtforms_translations() -> None:
    """WTForms' own messages ("Not a valid integer value.") in the user's language: Flask-WTF would
    read that catalog from disk on every request that builds a form; it takes the request's
    `wtforms_translations` when set, so hand it the one read once per locale."""
    request.wtforms_translations = _wtforms_catalog(str(babel_locale()))


def html_lang() -> str:
    return "zh-CN" if select_locale() == "zh_CN" else "en"


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths are followed after login or a language switch."""
    return bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target


SEEN_STEP = timedelta(minutes=1)      # how often the session's "last seen" is moved on


def _session_guard():
    """End idle or too-old sessions before the user is loaded."""
    sess = session._get_current_object()
    if "_user_id" not in sess:
        return None
    now = utcnow()
    cfg = current_app._get_current_object().config
    seen = sess.get("seen")
    started = sess.get("login_at")
    expired = False
    idle = None
    try:
        idle = now - datetime.fromisoformat(seen) if seen else None
        if idle is not None and idle > timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]):
            expired = True
        if started and now - datetime.fromisoformat(started) > timedelta(hours=cfg["SESSION_MAX_HOURS"]):
            expired = True
    except ValueError:
        expired = True
    if expired:
        logout_user()
        lang = sess.get("lang")
        sess.clear()
        if lang:
            sess["lang"] = lang
        g.session_expired = True
        return None
    if idle is None or idle >= SEEN_STEP:
        # Not on every request: a changed session is signed and sent again, which costs more than
        # a small page. The idle timeout is counted in minutes anyway.
        sess["seen"] = now.isoformat()
    return None


# Every response carries these unless its view set its own (a tracking page asks for no referrer).
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


class SecurityHeaders:
    """WSGI middleware adding `SECURITY_HEADERS` as a response starts: one pass over the header list
    (werkzeug's `Headers` validates and scans on every assignment, some 150 Python calls for these
    six, a tenth of the smallest page's work). Errors raised before a view answers get them too."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            headers.extend(h for h in SECURITY_HEADERS if h[0].lower() not in present)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _no_store(response):
    # A signed-in session's pages are never stored. Asked of the session, not `current_user`,
    # which would load the user from the database for pages that never needed them.
    # The headers are scanned: werkzeug's `in` raises and catches an exception when the header
    # is absent, as it is on nearly every answer.
    if "_user_id" in session and not any(key.lower() == "cache-control" for key, _v in response.headers.items()):
        response.headers["Cache-Control"] = "no-store"
    return response


def _error_response(status: int, message: str | None = None):
    if status >= 500:
        db.session.rollback()
    if wants_fragment():
        # The page's script shows a translated toast; the body is a short, plain explanation.
        return (message or _error_title(status)), status, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("errors/error.html", status=status, title=_error_title(status),
                           message=message), status


def _error_title(status: int) -> str:
    titles = {
        400: _("The request could not be understood."),
        403: _("You do not have permission to open this page."),
        404: _("The page or record does not exist, or is outside your scope."),
        405: _("This action is not allowed here."),
        409: _("This record was changed by someone else. Reload and try again."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
    }
    return titles.get(status, _("The request failed."))


def _finalize(value):
    """Render lazy translations as plain text.

    Flask-Babel's LazyString has `__html__`, so Jinja would treat it as safe markup; a lazy message
    carrying user input (a validation message, say) would then reach the page unescaped.
    """
    return str(value) if isinstance(value, LazyString) else value


class PortalFlask(Flask):
    """Flask, telling plain functions from coroutine functions without `inspect`.

    Flask asks `ensure_sync` of every hook, context processor and view on every request (a
    rendered page's seven context processors each time it renders), and answers through
    `inspect.iscoroutinefunction`: five Python calls each time, a twentieth of a case page. For a
    plain function that question is its code's coroutine flag (or the marker Python 3.12 lets a
    function carry), which is what `inspect` reads for it too; anything else (methods, partials,
    coroutine functions) goes to Flask's own answer."""

    def ensure_sync(self, func):
        if (type(func) is FunctionType and not func.__code__.co_flags & CO_COROUTINE
                and getattr(func, "_is_coroutine_marker", None) is None):
            return func
        return super().ensure_sync(func)


class PortalRequest(Request):
    """Flask's request with NUL characters (U+0000) taken out of form values and query arguments.

    No one types a NUL into a form (only a tampered request carries one); SQLite would store it,
    and PostgreSQL refuses it in text, which would turn a stray byte into a server error on every
    form. Taken out where the request is read, no form or filter needs its own check."""

    def _load_form_data(self) -> None:
        loaded = "form" in self.__dict__
        super()._load_form_data()
        if not loaded:
            self.__dict__["form"] = _without_nul(self.__dict__["form"], self.parameter_storage_class)

    @cached_property
    def args(self):
        return _without_nul(Request.args.fget(self), self.parameter_storage_class)


def _without_nul(values, storage):
    if not any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
        return values
    return storage([(key.replace("\x00", ""), value.replace("\x00", "")) for key, value in values.items(multi=True)])


def init_app(app) -> None:
    app.request_class = PortalRequest
    app.session_interface = PortalSessionInterface()
    app.jinja_env.finalize = _finalize
    # Flask-Babel's template callables look the domain up through `g` for every message.
    app.jinja_env.install_gettext_callables(template_gettext, template_ngettext, newstyle=True)
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
    if app.config.get("PROXY_FIX"):
        # Behind a reverse proxy: trust one hop for the client address and scheme, so throttles
        # and Secure cookies see the resident, not the proxy.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    if app.config.get("STRICT_TEMPLATES") or app.debug or app.testing:
        app.jinja_env.undefined = StrictUndefined
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["deadline"] = format_deadline
    app.jinja_env.filters["localiso"] = local_iso
    punctuation.init_app(app)
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["current_locale"] = select_locale
    app.jinja_env.globals["roles"] = permissions
    app.jinja_env.globals["nav_for"] = nav_for
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["language_buttons"] = language_buttons
    app.jinja_env.globals["fixed_url"] = fixed_url
    app.jinja_env.globals["query_url"] = query_url
    # Flask-WTF hands its `csrf_token` to every template as a context variable, which a global
    # would not override: this processor, registered after Flask-WTF's, replaces it.
    app.context_processor(lambda: _CSRF_CONTEXT)

    app.before_request(_session_guard)
    app.before_request(_wtforms_translations)
    app.before_request(permissions.enforce_access)
    app.after_request(_no_store)

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return _error_response(400, _("The form has expired or was not sent from this site. "
                                      "Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http_error(error):
        if error.code in (301, 302, 303, 307, 308):
            return error
        return _error_response(error.code or 500, None)

    @app.errorhandler(Exception)
    def _unhandled(error):
        current_app.logger.exception("unhandled error on %s", request.path)
        return _error_response(500)

    app.register_blueprint(bp)


def role_home_url() -> str:
    """Where a user lands after login: the work queue when an area offers one."""
    return url_for(current_app.config.get("STAFF_HOME", "core.home"))


@bp.route("/")
@permissions.public
def home():
    """Show the staff home page, or send visitors to the login page."""
    if not current_user.is_authenticated:
        target = current_app.config.get("VISITOR_HOME", "auth.login")
        return redirect(url_for(target))
    if current_app.config.get("STAFF_HOME"):
        return redirect(url_for(current_app.config["STAFF_HOME"]))
    return render_template("home.html")


@bp.route("/lang", methods=["POST"])
@permissions.public
def set_language():
    """Switch the interface language for this browser session."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("core.home"))


def hx_trigger(response, event: str, payload) -> None:
    """Attach an HX-Trigger header; JSON escapes Chinese so the header stays Latin-1."""
    response.headers["HX-Trigger"] = json.dumps({event: payload})


# --- navigation registry: each area adds its own entries in its init_app ------------------

NAV: list[tuple[int, str, object, object]] = []


_NAV_LINKS: dict[tuple, Markup] = {}       # (role, locale, mount point, endpoint) -> the menu's entries


def register_nav(endpoint: str, label, roles=permissions.ALL_STAFF, order: int = 50) -> None:
    """Add a navigation entry shown to `roles` (a set of role names, or PUBLIC)."""
    NAV[:] = [n for n in NAV if n[1] != endpoint]
    NAV.append((order, endpoint, label, roles))
    NAV.sort(key=lambda n: (n[0], n[1]))
    _NAV_LINKS.clear()


def nav_for(user) -> list[tuple[str, object]]:
    """(endpoint, label) of the entries the user's role sees."""
    items = []
    for _order, endpoint, label, roles in NAV:
        if roles == permissions.PUBLIC or (user.is_authenticated and user.role in roles):
            items.append((endpoint, label))
    return items


_FIXED_URLS: dict[tuple, str] = {}


def fixed_url(endpoint: str, **values) -> str:
    """`url_for` of an address that changes only with the mount point (the page frame's links and
    files, on every page): worked out once per mount point."""
    root = request._get_current_object().script_root
    key = (root, endpoint, *sorted(values.items())) if values else (root, endpoint)
    url = _FIXED_URLS.get(key)
    if url is None:
        url = _FIXED_URLS[key] = url_for(endpoint, **values)
    return url


_SIGNED_CSRF: dict[tuple, str] = {}        # (signing key, the session's raw token) -> a signed token
_SIGNED_CSRF_MAX = 4096


def csrf_token() -> str:
    """Flask-WTF's `csrf_token()` for templates: the request's token, once made, straight from `g`
    (where `generate_csrf` keeps it under the default field name) without Flask-WTF's four
    configuration lookups a call; a case page writes one per action form.

    The portal's tokens do not expire by time (WTF_CSRF_TIME_LIMIT is None: they end with the
    session), so a session's raw token is signed once per worker, not on every page (the signing
    is a twentieth of a small page); with a time limit every request signs afresh, as Flask-WTF does."""
    token = g._get_current_object().get("csrf_token")
    if token is not None:
        return token
    config = current_app.config
    if config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    signing_key = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    raw = session.get("csrf_token")
    token = _SIGNED_CSRF.get((signing_key, raw)) if raw else None
    if token is not None:
        g.csrf_token = token            # where generate_csrf (FlaskForm's fields) finds it
        return token
    token = generate_csrf()
    if len(_SIGNED_CSRF) >= _SIGNED_CSRF_MAX:
        _SIGNED_CSRF.clear()
    _SIGNED_CSRF[(signing_key, session.get("csrf_token"))] = token
    return token


_CSRF_CONTEXT = {"csrf_token": csrf_token}


def csrf_protect():
    """Flask-WTF's CSRF check of every request (its own hook is off: WTF_CSRF_CHECK_DEFAULT), the
    method asked first: Flask-WTF looks up the view's exemptions before it asks the method, seven
    reads through Flask's proxies on every page. Registered first, as Flask-WTF's hook is, so a
    form is checked against the session it was sent with before anything else reads the session."""
    config = current_app._get_current_object().config
    if config["WTF_CSRF_ENABLED"] and request._get_current_object().method in config["WTF_CSRF_METHODS"]:
        csrf.protect(apply_exemptions=True)


def query_url(endpoint: str, query: dict, **values) -> str:
    """`url_for(endpoint, **values, **query)` where `query` holds only query-string arguments (a
    list's filters, sort and page): the path from `fixed_url`, the query string written as
    werkzeug writes it. A list page links a dozen such addresses; the URL map costs ten times this."""
    url = fixed_url(endpoint, **values)
    items = [(key, value) for key, value in query.items() if value is not None]
    return f"{url}?{urlencode(items, safe=_QUERY_SAFE)}" if items else url


_QUERY_SAFE = "!$'()*,/:;?@"        # what werkzeug leaves unquoted in a query string (werkzeug.urls)


_LANGUAGE_BUTTONS: dict[tuple, Markup] = {}


def language_buttons() -> Markup:
    """The language switch's buttons, the request's language pressed: made once per language."""
    locale, languages = select_locale(), current_app._get_current_object().config["LANGUAGES"]
    key = (locale, *languages.items())
    buttons = _LANGUAGE_BUTTONS.get(key)
    if buttons is None:
        button = Markup('<button type="submit" name="lang" value="{}" class="btn-link"{} lang="{}">{}</button>')
        buttons = _LANGUAGE_BUTTONS[key] = Markup("\n").join(
            button.format(code, Markup(' aria-pressed="true"') if code == locale else "",
                          "zh-CN" if code == "zh_CN" else "en", label)
            for code, label in languages.items())
    return buttons


def nav_items(user) -> Markup:
    """The `<li>` entries of the main menu for `nav_for(user)`, the request's page marked current.
    The menu's markup (URLs, translated labels) is made once per role, language, mount point and
    page (a bounded set: the endpoints are the URL map's): every page shows a dozen entries, and
    writing them out costs a tenth of a small page."""
    role = user.role if user.is_authenticated else None
    req = request._get_current_object()
    key = (role, select_locale(), req.script_root, req.endpoint)
    menu = _NAV_LINKS.get(key)
    if menu is None:
        here = key[-1]
        menu = _NAV_LINKS[key] = Markup("\n").join(
            Markup('<li><a href="{}"{}>{}</a></li>').format(
                url_for(endpoint), Markup(' aria-current="page"') if endpoint == here else "", str(label))
            for endpoint, label in nav_for(user))
    return menu
