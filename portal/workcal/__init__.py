"""Working-day calendar: China's holidays plus the admin's overrides."""
from flask import Blueprint

bp = Blueprint("workcal", __name__, url_prefix="/calendar")

from portal.workcal import views  # noqa: E402,F401


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.web import register_nav

    register_nav("workcal.overrides", _l("Holidays"), {perm.DISTRICT_ADMIN}, order=92)
    from portal.audit.present import describe

    describe("calendar", actions={"override_set": _l("Day set as holiday or workday"),
                                  "override_removed": _l("Day set back to the official calendar"),
                                  "year_marked": _l("Year's calendar confirmed")},
             objects={"holiday_override": _l("Calendar day"), "calendar_year": _l("Calendar year")},
             keys={"day": _l("Date"), "complete": _l("Complete")})
