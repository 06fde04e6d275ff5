"""The sweep: record overdue assignments and send due-soon / overdue reminders, each once
(`sweep(now)`; from cron: `flask --app portal sweep [--at ISO]`).
"""
from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal import audit
from portal.cases.models import OPEN_ASSIGNMENT_STATES, Assignment
from portal.cases.notifications import case_link, notify_office, say
from portal.cases.transitions import append_event, unit_info
from portal.extensions import db, lazy_gettext as _l
from portal.inbox import notify_unit
from portal.timeutil import utcnow

def sweep(now: datetime | None = None) -> dict[str, int]:
    """Record overdue events and send due-soon / overdue reminders, each once. Idempotent.

    Safe to run from cron every few minutes (`flask --app portal sweep`); the caller commits.
    """
    now = now or utcnow()
    counts = {"overdue_sign": 0, "overdue_complete": 0, "due_soon": 0}
    late_signs = db.session.scalars(select(Assignment).where(
        Assignment.state == "dispatched", Assignment.sign_deadline <= now,
        Assignment.overdue_sign_recorded.is_(False)).order_by(Assignment.id)).all()
    for a in late_signs:
        a.overdue_sign_recorded = True
        _record_overdue(a, "overdue_sign", now,
                        _l("Case %(number)s: %(unit)s has not signed for it in time.",
                           number=a.case.number, unit=a.unit.name))
        counts["overdue_sign"] += 1
    late = db.session.scalars(select(Assignment).where(
        Assignment.state.in_(OPEN_ASSIGNMENT_STATES), Assignment.complete_deadline <= now,
        Assignment.overdue_complete_recorded.is_(False)).order_by(Assignment.id)).all()
    for a in late:
        a.overdue_complete_recorded = True
        _record_overdue(a, "overdue_complete", now,
                        _l("Case %(number)s: %(unit)s is past its completion deadline.",
                           number=a.case.number, unit=a.unit.name))
        counts["overdue_complete"] += 1
    soon = db.session.scalars(select(Assignment).where(
        Assignment.state.in_(OPEN_ASSIGNMENT_STATES), Assignment.complete_warn_at <= now,
        Assignment.complete_deadline > now, Assignment.due_soon_notified.is_(False))
        .order_by(Assignment.id)).all()
    for a in soon:
        a.due_soon_notified = True
        notify_unit(a.unit_id, "case_due_soon",
                    say(_l("Case %(number)s is due soon: finish it before the deadline.",
                            number=a.case.number)),
                    case_link(a.case_id), dedupe_key=f"assignment:{a.id}:due_soon")
        counts["due_soon"] += 1
    db.session.flush()
    return counts


def _record_overdue(a: Assignment, action: str, now: datetime, text) -> None:
    case = a.case
    append_event(case, action, None, case.state, case.state, now, assignment=a,
                  data=unit_info(a.unit))
    audit.record(f"case.{action}", case, actor=None, assignment_id=a.id)
    key = f"assignment:{a.id}:{action}"
    message = say(text)
    notify_unit(a.unit_id, "case_overdue", message, case_link(case.id), dedupe_key=key)
    notify_office(case, "case_overdue", message, dedupe_key=key)


@click.command("sweep")
@with_appcontext
@click.option("--at", "at", default=None, help="pretend it is this UTC time (ISO 8601), for tests")
def sweep_command(at: str | None):
    """Record overdue assignments and send reminders (idempotent; run it from cron)."""
    now = datetime.fromisoformat(at) if at else utcnow()
    counts = sweep(now)
    db.session.commit()
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))
