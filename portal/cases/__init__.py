"""Cases and whistles (案件 / 吹哨): intake, three-level dispatch, sign-for, check-in, deadlines, lights.

- `models`: Case, Assignment, CaseEvent, Press, Attachment, Satisfaction and the vocabularies
  (CHANNELS, CASE_STATES, ASSIGNMENT_STATES, WHISTLE_KINDS, EVENT_ACTIONS, LIGHTS, …).
- `rules`: the area's public API (`__all__`), re-exported from the modules that hold it:
  `states` (the state machine tables CASE_MOVES / ASSIGNMENT_MOVES, `check`, `can`,
  `allowed_actions`), `transitions` (`transition`), `intake`, `residents` (`rate_case`),
  `deadlines` (limits, deadlines, `light`), `scope` (visible cases, loaders, `possible_duplicates`),
  `notifications`, `sweep`, `errors` (CaseError, NotAllowed, StaleVersion, InvalidInput).
- `uploads`: photo checks and storage. `signals`: case_transition / case_closed / case_rated for
  the areas above (assessment, dashboard, public, meetings).
"""
from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

from portal.cases import models, views  # noqa: E402,F401
from portal.cases import lists  # noqa: E402,F401  (intake, list, queue, ledgers)


def init_app(app) -> None:
    from portal.cases.notifications import NOTIFICATION_KINDS
    from portal.cases.sweep import sweep_command
    from portal.inbox import register_kind

    for kind, label in NOTIFICATION_KINDS.items():
        register_kind(kind, label)
    app.cli.add_command(sweep_command)
    # Every staff role has a to-do list; it is where a login lands.
    app.config.setdefault("STAFF_HOME", "cases.queue")
    _register_list_nav()
    _describe_audit()


def _register_list_nav() -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.web import register_nav

    office = {perm.DISTRICT_ADMIN, perm.STREET_SECRETARY, perm.STREET_DISPATCHER}
    register_nav("cases.queue", _l("To do"), perm.ALL_STAFF, order=10)
    register_nav("cases.index", _l("Case list"), perm.ALL_STAFF, order=11)
    register_nav("cases.intake", _l("Intake"), office | {perm.GRID_WORKER}, order=12)
    register_nav("cases.register", _l("Whistle register"), office, order=13)
    register_nav("cases.forced", _l("Forced closures"), office, order=14)


def _describe_audit() -> None:
    """The words of the cases' audit entries (`case.<event action>`)."""
    from flask_babel import lazy_gettext as _l

    from portal.audit.present import describe
    from portal.cases.models import (
        ASSIGNMENT_ROLES, CASE_STATES, CHANNELS, EVENT_ACTIONS, LEVELS, SATISFACTION_LEVELS, WHISTLE_KINDS,
    )
    from portal.duties.models import Matter
    from portal.org.models import Community, Street, Unit

    describe("case", actions={**EVENT_ACTIONS, "photo_public": _l("Photo shown to the public")},
             objects={"case": (_l("Case"), "cases.detail", "case_id"), "attachment": _l("Photo")},
             keys={"from_state": _l("State before"), "to_state": _l("State after"), "assignment_id": _l("Assignment"),
                   "unit": _l("Unit"), "units": _l("Units"), "department": _l("Department"),
                   "level": _l("Level"), "matter_id": _l("Item of the responsibility list"),
                   "attachment_ids": _l("Photos"), "channel": _l("Channel"), "street_id": _l("Street"),
                   "community_id": _l("Community"), "located": _l("Location recorded"),
                   "decision": _l("Decision"), "kind": _l("Whistle kind"),
                   "unstaffed": _l("Departments without a unit in the street"), "into_number": _l("Merged into"),
                   "cancelled": _l("Assignments cancelled"), "case_id": _l("Case"), "unit_id": _l("Unit"),
                   "role": _l("Role"), "rate.level": _l("Resident's rating")},
             values={"from_state": CASE_STATES, "to_state": CASE_STATES, "channel": CHANNELS,
                     "kind": WHISTLE_KINDS, "level": LEVELS, "role": ASSIGNMENT_ROLES,
                     "rate.level": SATISFACTION_LEVELS},
             records={"street_id": Street.name, "community_id": Community.name, "unit_id": Unit.name,
                      "matter_id": Matter.title})
