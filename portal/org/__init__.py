"""The organisation: district, streets, communities, grids, departments and their units."""
from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/org")

from portal.org import views  # noqa: E402,F401


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.web import register_nav

    register_nav("org.tree", _l("Organisation"), {perm.DISTRICT_ADMIN}, order=80)
