"""The organisation: district, streets, communities, grids, departments and their units."""
from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/org")

from portal.org import views  # noqa: E402,F401


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.web import register_nav

    register_nav("org.tree", _l("Organisation"), {perm.DISTRICT_ADMIN}, order=80)
    from portal.audit.present import describe, form_labels
    from portal.org.forms import OrgForm

    describe("org", actions={"created": _l("Organisation entry created"), "updated": _l("Organisation entry changed"),
                             "activated": _l("Organisation entry activated"),
                             "deactivated": _l("Organisation entry deactivated")},
             objects={"street": _l("Street"), "community": _l("Community"), "grid": _l("Grid"),
                      "department": _l("Department"), "unit": _l("Unit")},
             keys=form_labels(OrgForm))
