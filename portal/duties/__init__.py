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
    from portal.audit.present import describe, form_labels
    from portal.duties.forms import MatterForm
    from portal.duties.labels import CATEGORY_LABELS, KIND_LABELS, LIMIT_UNIT_LABELS
    from portal.org.models import Department

    describe("duties", actions={"created": _l("Item added to the list"), "updated": _l("Item changed"),
                                "import": _l("List imported")},
             objects={"matter": (_l("Item of the responsibility list"), "duties.detail", "matter_id")},
             keys={**form_labels(MatterForm), "public": _l("Public"), "active": _l("Active")},
             values={"kind": KIND_LABELS, "category": CATEGORY_LABELS, "limit_unit": LIMIT_UNIT_LABELS},
             records={"lead_department_id": Department.name, "cooperating": Department.name})
