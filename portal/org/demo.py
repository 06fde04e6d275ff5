"""Demo organisation: one district, three streets, their communities, grids, departments, units."""
from sqlalchemy import select

from portal.extensions import db
from portal.org import demo_data as data
from portal.org.models import Community, Department, District, Grid, Street, Unit


def _get_or_add(model, defaults: dict, **keys):
    obj = db.session.scalar(select(model).filter_by(**keys))
    if obj is None:
        obj = model(**keys, **defaults)
        db.session.add(obj)
        db.session.flush()
    return obj


def seed() -> None:
    district = _get_or_add(District, {"name": data.DISTRICT["name"]}, code=data.DISTRICT["code"])
    departments = {}
    for dept in data.DEPARTMENTS:
        departments[dept["code"]] = _get_or_add(
            Department, {"name": dept["name"], "short_name": dept.get("short_name", ""),
                         "district_id": district.id}, code=dept["code"])
    for s in data.STREETS:
        street = _get_or_add(Street, {"name": s["name"], "district_id": district.id}, code=s["code"])
        for c in s["communities"]:
            community = _get_or_add(Community, {"name": c["name"], "street_id": street.id}, code=c["code"])
            for i, grid_name in enumerate(c["grids"], start=1):
                _get_or_add(Grid, {"name": grid_name}, community_id=community.id, code=f"{c['code']}-{i:02d}")
        for u in s["units"]:
            _get_or_add(Unit, {"name": u["name"], "phone": u.get("phone", ""), "street_id": street.id,
                               "department_id": departments[u["department"]].id}, code=u["code"])
