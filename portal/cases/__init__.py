"""Cases and whistles (案件 / 吹哨): intake, three-level dispatch, sign-for, check-in, deadlines, lights.

- `models`: Case, Assignment, CaseEvent, Press, Attachment, Satisfaction and the vocabularies
  (CHANNELS, CASE_STATES, ASSIGNMENT_STATES, WHISTLE_KINDS, EVENT_ACTIONS, LIGHTS, …).
- `rules`: the state machine (CASE_MOVES, ASSIGNMENT_MOVES), `intake`, `transition`,
  `allowed_actions`, deadlines, `light`, `sweep`, scope helpers, `possible_duplicates`, `rate_case`.
- `uploads`: photo checks and storage. `signals`: case_transition / case_closed / case_rated for
  the areas above (assessment, dashboard, public, meetings).
"""
from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

from portal.cases import models, views  # noqa: E402,F401


def init_app(app) -> None:
    from portal.cases.rules import NOTIFICATION_KINDS, sweep_command
    from portal.inbox import register_kind

    for kind, label in NOTIFICATION_KINDS.items():
        register_kind(kind, label)
    app.cli.add_command(sweep_command)
