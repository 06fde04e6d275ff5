"""The street's rating of each unit that reported on a whistle (一哨一考).

When a whistle closes (`portal.cases.signals.case_closed`), every active assignment with a
submitted result is owed a rating: a `WhistleRating` row without stars, and an inbox notification
to the street secretary (and, for a district-level whistle, the district platform). The secretary
of the case's street (or the district admin) rates it once on four dimensions, 1–5 stars each;
a later correction is a new revision with a reason. Both write the audit trail.

Who sees ratings: the district all; street roles their street's; unit roles their own unit's.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import false, select, true
from werkzeug.routing import BuildError

from portal import audit
from portal import permissions as perm
from portal.assessment.models import DIMENSIONS, WhistleRating, WhistleRatingRevision
from portal.assessment.tallies import touch, whistle_month
from portal.cases.models import Case
from portal.cases.signals import case_closed
from portal.extensions import db, lazy_gettext as _l
from portal.inbox import notify_users, street_recipients
from portal.timeutil import utcnow

NOTIFICATION_KIND = "rating_owed"
MAX_COMMENT = 1000
MAX_REASON = 500
RATERS = frozenset({perm.DISTRICT_ADMIN, perm.STREET_SECRETARY})
READERS = frozenset({perm.DISTRICT_ADMIN, *perm.STREET_ROLES, *perm.UNIT_ROLES})


class RatingError(Exception):
    """A rating that cannot be given: `.field` (or None) and a translatable `.message`."""

    status = 422

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


class AlreadyRated(RatingError):
    status = 409


# --- owed ratings ----------------------------------------------------------------------------

def owe_ratings(case: Case, now: datetime | None = None) -> list[WhistleRating]:
    """Add the ratings a closed whistle owes (one per reporting assignment, never twice)."""
    if not case.is_whistle or case.state != "closed":
        return []
    existing = set(db.session.scalars(select(WhistleRating.assignment_id).where(
        WhistleRating.case_id == case.id)))
    owed = []
    for a in case.active_assignments:
        if a.first_submitted_at is None or a.id in existing:
            continue
        rating = WhistleRating(assignment_id=a.id, case_id=case.id, unit_id=a.unit_id,
                               street_id=case.street_id, owed_since=now or case.closed_at or utcnow())
        db.session.add(rating)
        owed.append(rating)
    return owed


@case_closed.connect
def _on_case_closed(case, event=None, forced=False, **_):
    """A closed whistle owes its street a rating of every unit that reported."""
    owed = owe_ratings(case, event.at if event is not None else None)
    if owed:
        db.session.flush()
        _notify_raters(case, len(owed))


def raters(case: Case):
    users = street_recipients(case.street_id, roles=(perm.STREET_SECRETARY,))
    if case.district_level:
        from portal.auth.models import User

        users += db.session.scalars(select(User).where(User.role == perm.DISTRICT_ADMIN, User.active)).all()
    return users


def _notify_raters(case: Case, count: int) -> None:
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        text = str(_l("Whistle %(number)s is closed: rate the %(count)s units that reported.",
                      number=case.number, count=count))
    notify_users(raters(case), NOTIFICATION_KIND, text, path("assessment.case_ratings", case_id=case.id))


def path(endpoint: str, **values) -> str:
    """A path that also builds outside requests (the signal fires in commands and the seed)."""
    try:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return ""


def owe_missing() -> int:
    """Add the ratings owed by whistles closed before this area existed (idempotent)."""
    have = select(WhistleRating.case_id)
    cases = db.session.scalars(select(Case).where(
        Case.level == 3, Case.state == "closed", Case.id.not_in(have))).all()
    return sum(len(owe_ratings(c)) for c in cases)


# --- scope -----------------------------------------------------------------------------------

def ratings_clause(user):
    """The SQL condition on WhistleRating for the ratings the user may see."""
    if user.role == perm.DISTRICT_ADMIN:
        return true()
    if user.role in perm.STREET_ROLES:
        return WhistleRating.street_id == user.street_id
    if user.role in perm.UNIT_ROLES:
        return WhistleRating.unit_id == user.unit_id
    return false()


def can_see(user, rating: WhistleRating) -> bool:
    if user.role == perm.DISTRICT_ADMIN:
        return True
    if user.role in perm.STREET_ROLES:
        return user.street_id is not None and rating.street_id == user.street_id
    if user.role in perm.UNIT_ROLES:
        return user.unit_id is not None and rating.unit_id == user.unit_id
    return False


def can_rate(user, rating: WhistleRating) -> bool:
    if user.role == perm.DISTRICT_ADMIN:
        return True
    return user.role == perm.STREET_SECRETARY and user.street_id == rating.street_id


def owed_ratings(user):
    """The ratings the user still owes, oldest first."""
    if user.role not in RATERS:
        return []
    return db.session.scalars(select(WhistleRating).where(
        ratings_clause(user), WhistleRating.rated_at.is_(None))
        .order_by(WhistleRating.owed_since, WhistleRating.id)).all()


def given_ratings(user, limit: int = 100):
    return db.session.scalars(select(WhistleRating).where(
        ratings_clause(user), WhistleRating.rated_at.is_not(None))
        .order_by(WhistleRating.rated_at.desc(), WhistleRating.id.desc()).limit(limit)).all()


def case_ratings(case: Case, user) -> list[WhistleRating]:
    """The case's ratings the user may see (a unit only its own)."""
    if user.role not in READERS:
        return []
    return db.session.scalars(select(WhistleRating).where(
        WhistleRating.case_id == case.id, ratings_clause(user)).order_by(WhistleRating.id)).all()


# --- rating ----------------------------------------------------------------------------------

def _stars(values: dict) -> dict[str, int]:
    stars = {}
    for d in DIMENSIONS:
        value = values.get(d)
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = None
        if value is None or not 1 <= value <= 5:
            raise RatingError(_l("Give 1 to 5 stars for each of the four dimensions."), d)
        stars[d] = value
    return stars


def _text(value, field: str, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise RatingError(_l("Say why the rating is corrected."), field)
    if len(text) > limit:
        raise RatingError(_l("Use at most %(n)s characters.", n=limit), field)
    return text


def rate(rating: WhistleRating, actor, stars: dict, comment: str = "", *, reason: str = "",
         correct: bool = False, now: datetime | None = None) -> WhistleRatingRevision:
    """Rate an owed rating (once), or with `correct=True` and a reason, correct a given one.

    Adds the revision and the audit event; the caller commits (and maps StaleDataError to 409).
    """
    if not can_rate(actor, rating):
        raise RatingError(_l("Only the street's secretary or the district platform rates this unit."))
    now = now or utcnow()
    if correct and rating.is_owed:
        raise RatingError(_l("This unit has not been rated yet: rate it first."))
    if not correct and not rating.is_owed:
        raise AlreadyRated(_l("This unit has already been rated for this whistle; "
                              "a change is a correction with a reason."))
    values = _stars(stars)
    comment = _text(comment, "comment", MAX_COMMENT)
    reason = _text(reason, "reason", MAX_REASON, required=correct)
    previous = rating.stars() if correct else None
    rating.revision += 1
    for d, value in values.items():
        setattr(rating, d, value)
    rating.comment = comment
    rating.rated_at = now
    rating.rated_by_id = actor.id
    revision = WhistleRatingRevision(rating=rating, revision=rating.revision, comment=comment,
                                     reason=reason, by_id=actor.id, at=now, **values)
    db.session.add(revision)
    touch(whistle_month(rating.case))
    details = {"case_id": rating.case_id, "unit_id": rating.unit_id, "revision": rating.revision, **values}
    if correct:
        audit.record("assessment.rating_corrected", rating, actor=actor, reason=reason,
                     previous=previous, **details)
    else:
        audit.record("assessment.rated", rating, actor=actor, **details)
    return revision
