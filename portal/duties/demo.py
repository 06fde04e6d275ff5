"""Demo responsibility lists: the district's 45 whistle items and one street's own duty list."""
from sqlalchemy import select

from portal.duties import demo_data as data
from portal.duties import services
from portal.duties.models import Matter
from portal.extensions import db
from portal.org.models import Department, Street


def _values(item: dict, departments: dict[str, int]) -> dict:
    return {
        "code": item["code"], "title": item["title"], "kind": item["kind"], "category": item["category"],
        "scenario": item["scenario"], "lead_department_id": departments[item["lead"]] if item["lead"] else None,
        "cooperating": sorted(departments[c] for c in item["cooperating"]),
        "legal_basis": item["legal_basis"], "sign_limit": item["sign_limit"],
        "complete_limit": item["complete_limit"], "limit_unit": item["limit_unit"],
        "public": item["public"], "public_title": item["public_title"],
    }


def seed() -> None:
    """Add the items that are not there yet (matched by code); existing items are left alone."""
    departments = dict(db.session.execute(select(Department.code, Department.id)).all())
    existing = set(db.session.scalars(select(Matter.code)))
    street_id = db.session.scalar(select(Street.id).where(Street.code == data.STREET_DUTIES_STREET))
    lists = [(data.DISTRICT_MATTERS, None)]
    if street_id is not None:
        lists.append((data.STREET_DUTIES, street_id))
    for items, owner in lists:
        for item in items:
            if item["code"] not in existing:
                services.create_matter(_values(item, departments), owner, actor=None)
                existing.add(item["code"])
    db.session.flush()
