"""Flask extensions, unbound: `create_app` binds them to an app."""
from flask_babel import Babel, Domain
from flask_babel import _get_current_context as _babel_context
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class RequestDomain(Domain):
    """Flask-Babel's message domain, with the user's catalog looked up once per request: Flask-Babel
    looks it up (context, locale, cache key) for every message, and a page shows a few hundred."""

    def get_translations(self):
        ctx = _babel_context()
        if ctx is None:
            return super().get_translations()
        translations = getattr(ctx, "portal_translations", None)
        if translations is None or getattr(ctx, "portal_translations_locale", None) is not getattr(ctx, "babel_locale", None):
            translations = super().get_translations()
            ctx.portal_translations = translations
            ctx.portal_translations_locale = getattr(ctx, "babel_locale", None)
        return translations


babel.domain_instance = RequestDomain()      # replaces Babel's cached default domain
htmx = HTMX()
