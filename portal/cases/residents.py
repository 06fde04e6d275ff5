"""The residents' side of a case: their rating of a closed case (`rate_case`, which may reopen
it once) and the photos staff show on their timeline (`mark_attachment_public`).
"""
from __future__ import annotations

from datetime import datetime


from portal import audit
from portal.cases import signals
from portal.cases.errors import MAX_REASON, InvalidInput, NotAllowed, clean_text
from portal.cases.models import SATISFACTION_LEVELS, Attachment, Case, Satisfaction
from portal.cases.scope import can_see_case
from portal.cases.states import OFFICE, actor_role
from portal.cases.transitions import append_event, transition
from portal.extensions import db, lazy_gettext as _l
from portal.timeutil import utcnow

def rate_case(case: Case, level: str, comment: str = "", *, reopen: bool = False, reason: str = "",
              now: datetime | None = None) -> Satisfaction:
    """Record the resident's rating of a closed case; "not" with `reopen=True` reopens it once.

    A case is rated once; after a reopening it may be rated once more, which replaces the level.
    """
    now = now or utcnow()
    if case.state != "closed":
        raise NotAllowed(_l("Only a closed case can be rated."))
    if level not in SATISFACTION_LEVELS:
        raise InvalidInput(_l("Choose how satisfied you are."), "level")
    comment = clean_text(comment, "comment", limit=MAX_REASON)
    satisfaction = case.satisfaction
    if satisfaction is not None and not (satisfaction.reopened and case.reopen_count > 0
                                         and satisfaction.at < (case.closed_at or now)):
        raise NotAllowed(_l("This case has already been rated."))
    if satisfaction is None:
        satisfaction = Satisfaction(case=case)
        db.session.add(satisfaction)
    elif reopen:
        raise NotAllowed(_l("A case is reopened once, after a \u201cnot satisfied\u201d rating."))
    satisfaction.level, satisfaction.comment, satisfaction.at = level, comment, now
    append_event(case, "rate", None, case.state, case.state, now, note=comment, data={"level": level})
    audit.record("case.rate", case, actor=None, level=level)
    db.session.flush()
    reopened = False
    if reopen and level == "not":
        transition(case, "reopen", None, clean_text(reason, "reason", limit=MAX_REASON), now=now)
        reopened = True
    signals.case_rated.send(case, satisfaction=satisfaction, reopened=reopened)
    return satisfaction


def mark_attachment_public(attachment: Attachment, public: bool, actor) -> None:
    """Staff show (or hide) a photo on the residents' timeline."""
    if not can_see_case(actor, attachment.case) or actor_role(actor) not in OFFICE:
        raise NotAllowed()
    attachment.public = bool(public)
    audit.record("case.photo_public", attachment, actor=actor, case_id=attachment.case_id,
                 public=attachment.public)
