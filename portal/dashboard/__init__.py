"""The command-center dashboard (指挥大屏): counts by state and light, overdue units, places, the
monthly trend, top matters and recurring problems (类案), each role in its own scope."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from portal.dashboard import views  # noqa: E402,F401


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.web import register_nav

    register_nav("dashboard.index", _l("Dashboard"), perm.ALL_STAFF, order=5)
