"""The integrated enforcement center roster (综合执法中心 "1+5+N"): who is stationed or on call,
the duty schedule, daily check-ins, leave, and the monthly summary and assessment."""
from flask import Blueprint

bp = Blueprint("roster", __name__, url_prefix="/roster")

from portal.roster import models, views  # noqa: E402,F401


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.web import register_nav

    register_nav("roster.index", _l("Enforcement center"),
                 {perm.DISTRICT_ADMIN, perm.STREET_SECRETARY, perm.STREET_DISPATCHER, perm.UNIT_CHIEF,
                  perm.UNIT_STAFF}, order=40)
    register_nav("roster.on_call", _l("Who to call"), perm.ALL_STAFF, order=41)
    from portal.audit.present import describe

    describe("roster", actions={
        "center_created": _l("Center created"), "center_updated": _l("Center changed"),
        "member_added": _l("Member added"), "member_updated": _l("Member changed"),
        "shift_set": _l("Shift set"), "week_filled": _l("Week filled in"), "week_copied": _l("Week copied"),
        "leave_entered": _l("Leave entered"), "leave_withdrawn": _l("Leave withdrawn"),
        "checked_in": _l("Checked in"), "checked_out": _l("Checked out"), "assessed": _l("Member assessed"),
    }, keys={"day": _l("Date"), "start": _l("Start date"), "month": _l("Month"), "cells": _l("Cells")})
