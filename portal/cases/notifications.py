"""Inbox notifications about cases: their kinds, the case link they carry, and who in the office
gets them. Texts are stored in the portal's default language (`say`).
"""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.routing import BuildError

from portal import permissions as perm
from portal.cases.models import Case
from portal.extensions import db, lazy_gettext as _l
from portal.inbox import notify_users, street_recipients

NOTIFICATION_KINDS = {
    "case_dispatched": _l("New case"),
    "case_returned": _l("Case returned"),
    "case_result": _l("Result to verify"),
    "case_sent_back": _l("Case sent back"),
    "case_press": _l("Case pressed"),
    "case_due_soon": _l("Case due soon"),
    "case_overdue": _l("Case overdue"),
    "case_reopened": _l("Case reopened"),
}


def say(lazy) -> str:
    """Notification texts are stored in the portal's default language, whoever triggers them."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        return str(lazy)


def summary(case: Case) -> str:
    return case.matter.title if case.matter is not None else case.description[:40]


def case_link(case_id: int) -> str:
    """The case page's path (works outside requests too, e.g. in the sweep)."""
    try:
        return current_app.url_map.bind("localhost").build("cases.detail", {"case_id": case_id})
    except BuildError:
        return f"/cases/{case_id}"


def _district_admins():
    from portal.auth.models import User

    return db.session.scalars(select(User).where(User.role == perm.DISTRICT_ADMIN, User.active)).all()


def notify_office(case: Case, kind: str, text: str, *, adjudicators: bool = False,
                   dedupe_key: str | None = None) -> int:
    """The street office of the case; the district platform instead when it adjudicates."""
    users = _district_admins() if adjudicators and case.district_level else street_recipients(case.street_id)
    return notify_users(users, kind, text, case_link(case.id), dedupe_key)
