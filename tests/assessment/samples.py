"""Sample URL arguments for the assessment area's GET routes, inside the demo users' scope."""
from sqlalchemy import select

from portal.extensions import db


def _routine_whistle():
    from portal.assessment.demo import ROUTINE_WHISTLE
    from portal.cases.models import Case

    return db.session.scalar(select(Case).where(Case.description.startswith(ROUTINE_WHISTLE)))


def _chief_unit(app):
    from portal.auth.models import User

    return {"unit_id": db.session.scalar(select(User.unit_id).where(User.username == "chief"))}


def _chief_rating(app):
    from portal.assessment.models import WhistleRating
    from portal.auth.models import User

    unit_id = db.session.scalar(select(User.unit_id).where(User.username == "chief"))
    return {"rating_id": db.session.scalar(select(WhistleRating.id).where(
        WhistleRating.case_id == _routine_whistle().id, WhistleRating.unit_id == unit_id))}


SAMPLES = {
    "assessment.unit": {"kwargs": _chief_unit},
    "assessment.rate": {"kwargs": _chief_rating},
    # every role opens it; the grid worker (the case's community) gets an empty fragment
    "assessment.case_ratings": {"kwargs": lambda app: {"case_id": _routine_whistle().id}},
}
