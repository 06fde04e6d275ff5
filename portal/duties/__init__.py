"""The responsibility list (职责清单): the catalogue every whistle and dispatch starts from."""
from flask import Blueprint

bp = Blueprint("duties", __name__, url_prefix="/duties")

from portal.duties import models, views  # noqa: E402,F401
from portal.duties.services import active_matters_for  # noqa: E402,F401  (the picker other areas call)


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.web import register_nav

    register_nav("duties.index", _l("Responsibility list"), perm.ALL_STAFF, order=20)
