from sqlalchemy import select

from portal.assessment.demo import EMERGENCY_WHISTLE, ROUTINE_WHISTLE
from portal.assessment.models import WhistleRating
from portal.cases.models import Case
from portal.extensions import db
from portal.org.models import Unit


def whistle(text: str = ROUTINE_WHISTLE) -> Case:
    return db.session.scalar(select(Case).where(Case.level == 3, Case.description.startswith(text)))


def unit(code: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def rating(code: str, text: str = ROUTINE_WHISTLE) -> WhistleRating:
    return db.session.scalar(select(WhistleRating).where(
        WhistleRating.case_id == whistle(text).id, WhistleRating.unit_id == unit(code).id))


def month_of(case: Case) -> str:
    from portal.assessment.scoring import local_month

    return local_month(case.whistled_at).strftime("%Y-%m")


STARS = {"efficiency": "4", "cooperation": "5", "professionalism": "3", "responsibility": "4",
         "comment": "到场及时，拆除彻底。"}

__all__ = ["EMERGENCY_WHISTLE", "ROUTINE_WHISTLE", "STARS", "month_of", "rating", "unit", "whistle"]
