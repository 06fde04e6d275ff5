from sqlalchemy import select

from portal.duties.models import Matter
from portal.extensions import db


def _district_item(app) -> int:
    return db.session.scalar(select(Matter.id).where(Matter.code == "CS-ZF-001"))


SAMPLES = {
    "duties.detail": {"kwargs": lambda app: {"matter_id": _district_item(app)}},
    "duties.history": {"kwargs": lambda app: {"matter_id": _district_item(app)}},
    # A district item: the admin edits it; a street secretary may read but not edit it.
    "duties.edit": {"kwargs": lambda app: {"matter_id": _district_item(app)},
                    "expect": {"district_admin": 200, "street_secretary": 403}},
    "duties.export": {"kwargs": lambda app: {"fmt": "csv"}},
}
