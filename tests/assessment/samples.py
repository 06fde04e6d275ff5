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


def _chief_department(app):
    from portal.auth.models import User
    from portal.org.models import Unit

    return {"department_id": db.session.scalar(select(Unit.department_id).join(User, User.unit_id == Unit.id)
                                               .where(User.username == "chief"))}


SAMPLES = {
    "assessment.unit": {"kwargs": _chief_unit},
    # departments span every street: the district only; the others (even the department's own
    # unit) get 404, as for any object outside their scope
    "assessment.department": {"kwargs": _chief_department,
                              "expect": {"street_secretary": 404, "street_dispatcher": 404,
                                         "unit_chief": 404, "unit_staff": 404}},
    "assessment.rate": {"kwargs": _chief_rating},
    # every role opens it; the grid worker (the case's community) gets an empty fragment
    "assessment.case_ratings": {"kwargs": lambda app: {"case_id": _routine_whistle().id}},
}
