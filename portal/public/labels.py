"""The residents' words: states, timeline lines and list categories in plain language."""
from __future__ import annotations

from flask_babel import gettext as _

from portal.cases.models import SATISFACTION_LEVELS, CaseEvent
from portal.extensions import lazy_gettext as _l
from portal.punctuation import prose_list

# A case's state as a resident reads it (the staff labels are in portal.cases.models.CASE_STATES).
STATE_LABELS = {
    "new": _l("Received, waiting to be taken up"),
    "triaged": _l("Taken up, being arranged"),
    "dispatched": _l("Passed to the department in charge"),
    "accepted": _l("The department has taken it on"),
    "in_progress": _l("Being handled"),
    "resolved": _l("Handled; the street is checking the result"),
    "closed": _l("Done"),
    "returned": _l("Being passed to the right department"),
    "rejected": _l("Not taken up"),
    "reopened": _l("Being handled again"),
}

# The public list's state filter: a few groups instead of every state.
STATE_GROUPS = {
    "open": (_l("Being handled"), ("new", "triaged", "dispatched", "accepted", "in_progress", "resolved",
                                    "returned", "reopened")),
    "closed": (_l("Done"), ("closed",)),
    "rejected": (_l("Not taken up"), ("rejected",)),
}


def state_group(state: str) -> str:
    return next(code for code, (_label, states) in STATE_GROUPS.items() if state in states)


# The responsibility list's categories, as a resident would look for them.
CATEGORY_LABELS = {
    "emergency": _l("Urgent dangers"),
    "enforcement": _l("Street order, illegal business and building"),
    "key_work": _l("Neighbourhood environment and safety"),
    "fallback": _l("Things nobody takes care of"),
}

BADGES = {"open": "badge-open", "closed": "badge-done", "rejected": "badge-off"}


def _departments(event: CaseEvent) -> str:
    names = []
    for unit in event.data.get("units") or []:
        name = unit.get("department") or ""
        if name and name not in names:
            names.append(name)
    return prose_list(names)


def event_text(event: CaseEvent) -> str:
    """One line of the public timeline, built from the event's action and its public data only."""
    data = event.data or {}
    department = data.get("department") or _("the department in charge")
    action = event.action
    if action == "intake":
        return _("We received the report.")
    if action == "handle_on_spot":
        return _("It was dealt with on the spot.")
    if action == "dispatch" or (action == "adjudicate" and data.get("decision") == "redispatch"):
        return _("Passed on to %(department)s to handle.", department=department)
    if action in ("whistle", "adjudicate"):
        return _("The street has called in %(departments)s to handle it together.",
                 departments=_departments(event) or _("several departments"))
    if action == "sign_for":
        return _("%(department)s has taken the case on.", department=department)
    if action == "check_in":
        return _("Staff of %(department)s have come to the site.", department=department)
    if action == "close":
        return _("The work is done and the case is closed.")
    if action == "force_close":
        return _("The district platform closed the case.")
    if action == "reject":
        return _("The report was not taken up.")
    if action == "merge":
        return _("Handled together with an earlier report of the same problem.")
    if action == "reopen":
        return _("Handled again after a \u201cnot satisfied\u201d rating.")
    if action == "rate":
        level = SATISFACTION_LEVELS.get(data.get("level"), "")
        return _("Rated: %(level)s.", level=level)
    return _("The case was updated.")


# Open data: every field of the JSON and CSV, in order, with what it means.
OPEN_DATA_FIELDS = [
    ("id", _l("A number that identifies the issue in this list (not the tracking code).")),
    ("street", _l("The street (街道) the issue is in.")),
    ("community", _l("The community (社区) the issue is in; no address is published.")),
    ("category", _l("What kind of problem it is, in the words of the public responsibility list; empty when not yet sorted.")),
    ("category_group", _l("The group of the category (urgent dangers, street order, neighbourhood, nobody's).")),
    ("state", _l("Where the issue stands: open, closed or rejected.")),
    ("state_label", _l("The state in plain words.")),
    ("reported_on", _l("The day the issue was reported (Beijing time, YYYY-MM-DD).")),
    ("closed_on", _l("The day the case was closed, or empty.")),
    ("satisfaction", _l("The reporter's rating once given: very, basically or not; otherwise empty.")),
    ("summary", _l("The start of the description (at most 60 characters), with phone numbers masked.")),
]
