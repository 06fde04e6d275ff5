"""What each kind of organisation entry needs, and the queries over the tree."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db, lazy_gettext as _l
from portal.org.models import Community, Department, District, Grid, Street, Unit


@dataclass(frozen=True)
class Kind:
    model: type
    label: object
    parent: type | None           # the entry it belongs to (parent_id field)
    parent_attr: str | None
    extra: tuple[str, ...] = field(default_factory=tuple)  # extra form fields
    needs_street: bool = False    # units belong to a department *and* a street


KINDS: dict[str, Kind] = {
    "street": Kind(Street, _l("Streets"), District, "district_id"),
    "community": Kind(Community, _l("Communities"), Street, "street_id"),
    "grid": Kind(Grid, _l("Grids"), Community, "community_id", ("chief_name",)),
    "department": Kind(Department, _l("Departments"), District, "district_id", ("short_name",)),
    "unit": Kind(Unit, _l("Units"), Department, "department_id", ("phone",), needs_street=True),
}


def search(kind: Kind, q: str, include_inactive: bool, limit: int, offset: int):
    query = select(kind.model).order_by(kind.model.code)
    if q:
        like = f"%{q}%"
        query = query.where(or_(kind.model.name.like(like), kind.model.code.ilike(like)))
    if not include_inactive:
        query = query.where(kind.model.active)
    return db.session.scalars(query.limit(limit).offset(offset)).all()


def parent_choices(kind: Kind):
    if kind.parent is None:
        return []
    rows = db.session.scalars(select(kind.parent).where(kind.parent.active).order_by(kind.parent.code)).all()
    if kind.parent is Community:
        return [(r.id, f"{r.street.name} · {r.name}") for r in rows]
    return [(r.id, r.name) for r in rows]


def street_choices():
    return [(s.id, s.name) for s in
            db.session.scalars(select(Street).where(Street.active).order_by(Street.code))]


def district_tree():
    """The district with every level loaded in a fixed number of queries."""
    return db.session.scalars(
        select(District).options(
            selectinload(District.streets).selectinload(Street.communities).selectinload(Community.grids),
            selectinload(District.streets).selectinload(Street.units).selectinload(Unit.department),
            selectinload(District.departments),
        ).order_by(District.code)
    ).all()


def code_taken(kind: Kind, code: str, parent_id: int | None, exclude_id: int | None) -> bool:
    query = select(kind.model.id).where(kind.model.code == code)
    if kind.model is Grid:
        query = query.where(Grid.community_id == parent_id)
    if exclude_id:
        query = query.where(kind.model.id != exclude_id)
    return db.session.scalar(query) is not None
