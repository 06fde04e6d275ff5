"""Flask extensions, unbound: `create_app` binds them to an app."""
from flask import g, has_app_context
from flask_babel import Babel, Domain
from flask_babel.speaklater import LazyString
from flask_babel import _get_current_context as _babel_context
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from portal.connections import PortalSession

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


db = SQLAlchemy(model_class=Base, session_options={"class_": PortalSession})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class RequestDomain(Domain):
    """Flask-Babel's message domain, with the user's catalog looked up once per request: Flask-Babel
    looks it up (context, locale, cache key) for every message, and a page shows a few hundred.
    The catalog is kept on Flask-Babel's own context (`g._flask_babel`) next to the locale it is
    for, so `force_locale` (which swaps that locale) gets its own catalog."""

    def get_translations(self):
        if has_app_context():
            ns = g._get_current_object().get("_flask_babel")    # Babel's own path reads `g` five times
            if ns is not None:
                found = ns.__dict__
                translations = found.get("portal_translations")
                if translations is not None and found.get("portal_translations_locale") is found.get("babel_locale"):
                    return translations
        ctx = _babel_context()
        if ctx is None:
            return super().get_translations()
        translations = super().get_translations()
        ctx.portal_translations = translations
        ctx.portal_translations_locale = getattr(ctx, "babel_locale", None)
        return translations


def template_gettext(string: str) -> str:
    """`_()` in templates: the request's catalog straight from the domain (see `RequestDomain`)."""
    return babel.domain_instance.get_translations().ugettext(string)


def fast_gettext(string: str, **variables) -> str:
    """`gettext` through `RequestDomain` directly (Flask-Babel's goes through `g` five times first)."""
    text = babel.domain_instance.get_translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """Flask-Babel's `lazy_gettext` (the same LazyString, so `web._finalize` escapes it), turned
    into text by `fast_gettext`: a page shows a few dozen labels."""
    return LazyString(fast_gettext, string, **variables)


_translated_vocabularies: dict[tuple[int, str], dict[str, dict]] = {}


def translated_vocabularies(vocabularies: dict[str, dict]) -> dict[str, dict]:
    """Named vocabularies (code → lazy label) with their labels as plain text in the request's
    language, translated once per language: a lazy label is translated again each time it is shown
    (a few dozen times on a case page, hundreds on a queue). `vocabularies` is a module's constant."""
    from flask_babel import get_locale

    from portal.templating import template_locale      # the request's locale's name, kept per request

    key = (id(vocabularies), template_locale() or str(get_locale()))
    texts = _translated_vocabularies.get(key)
    if texts is None:
        texts = _translated_vocabularies[key] = {
            name: {code: str(label) if isinstance(label, LazyString) else label for code, label in vocabulary.items()}
            for name, vocabulary in vocabularies.items()}
    return texts


def template_ngettext(singular: str, plural: str, n: int) -> str:
    return babel.domain_instance.get_translations().ungettext(singular, plural, n)


babel.domain_instance = RequestDomain()      # replaces Babel's cached default domain
htmx = HTMX()
