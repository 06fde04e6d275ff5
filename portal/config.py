"""Configuration: defaults here, then `instance/config.py`, then the environment."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class Defaults:
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # The absolute limit of a login; the idle limit is checked on every request.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_MINUTES = 30
    SESSION_MAX_HOURS = 12
    # The CSRF token lives as long as the session: a page left open for an afternoon still works.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True
    # Flask-WTF's own check on every request is replaced by `web.csrf_protect` (the same check).
    WTF_CSRF_CHECK_DEFAULT = False
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    STRICT_TEMPLATES = False


def secret_key(instance_path: str) -> str:
    """The instance's secret key, generated on first run and kept out of git."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load(app, test_config: dict | None) -> None:
    """Fill `app.config` from the defaults, the instance file, the environment and tests."""
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.update(test_config)
    env_url = os.environ.get("PORTAL_DATABASE_URL")
    if env_url and not (test_config and "SQLALCHEMY_DATABASE_URI" in test_config):
        app.config["SQLALCHEMY_DATABASE_URI"] = env_url
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", "sqlite:///" + os.path.join(app.instance_path, "portal.sqlite")
    )
    from portal.database import engine_options

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    if os.environ.get("PORTAL_PROXY_FIX"):
        app.config["PROXY_FIX"] = os.environ["PORTAL_PROXY_FIX"] not in ("", "0")
    if os.environ.get("PORTAL_SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["PORTAL_SECRET_KEY"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
    app.config.setdefault("UPLOAD_FOLDER", os.path.join(app.instance_path, "uploads"))
