"""Demo ratings: the closed whistles of the cases demo owe their ratings (the signal added them as
they closed; `owe_missing` covers a database seeded before this area). The 青檀 street secretary
has rated three of the four units of the routine whistle on the 青檀北里9号楼 basement and left
青檀街道城管执法队 (the `chief` user's unit) owed; the district platform rated the 金泉 emergency
whistle. Idempotent: only owed ratings are rated.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.assessment import ratings
from portal.assessment.models import WhistleRating
from portal.auth.models import User
from portal.cases.models import Case
from portal.extensions import db
from portal.org.models import Unit

ROUTINE_WHISTLE = "青檀北里9号楼地下室"   # the start of the routine whistle's description
EMERGENCY_WHISTLE = "泉水胡同14号院"

# unit code -> (efficiency, cooperation, professionalism, responsibility, comment)
STARS = {
    ROUTINE_WHISTLE: ("secretary", {
        "qt-fgs": (5, 4, 5, 5, "牵头约谈产权人，清退组织有力。"),
        "qt-pcs": (4, 5, 4, 4, "人员登记及时，配合清退。"),
        "qt-xfz": (3, 4, 4, 3, "隐患排查比约定晚了一天，整改到位。"),
    }),
    EMERGENCY_WHISTLE: ("admin", {
        "jq-xfz": (5, 5, 5, 5, "响应迅速，处置得当。"),
        "jq-pcs": (4, 5, 4, 5, ""),
    }),
}


def _case(text: str) -> Case | None:
    return db.session.scalar(select(Case).where(Case.level == 3, Case.state == "closed",
                                                Case.description.startswith(text)))


def seed() -> None:
    ratings.owe_missing()
    db.session.flush()
    for text, (username, by_unit) in STARS.items():
        case = _case(text)
        rater = db.session.scalar(select(User).where(User.username == username))
        if case is None or rater is None:
            continue
        for rating in db.session.scalars(select(WhistleRating).join(Unit, Unit.id == WhistleRating.unit_id)
                                         .where(WhistleRating.case_id == case.id,
                                                WhistleRating.rated_at.is_(None))):
            given = by_unit.get(rating.unit.code)
            if given is None:
                continue
            *stars, comment = given
            ratings.rate(rating, rater, dict(zip(("efficiency", "cooperation", "professionalism",
                                                  "responsibility"), stars)), comment,
                         now=rating.owed_since + timedelta(hours=20))
    db.session.flush()
