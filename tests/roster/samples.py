from sqlalchemy import select

from portal.extensions import db
from portal.org.models import Street
from portal.roster.models import Center, Member
from portal.timeutil import local_today


def center_id(app, street: str = "qt") -> int:
    return db.session.scalar(select(Center.id).join(Street).where(Street.code == street))


def member_id(app, name: str = "姚诗雨") -> int:
    """A core member of the street-0 城管执法队: the `chief` demo user's own unit."""
    return db.session.scalar(select(Member.id).where(Member.name == name))


def _center(app):
    return {"center_id": center_id(app)}


def _member(app):
    return {"member_id": member_id(app)}


SAMPLES = {
    "roster.settings": {"kwargs": _center},
    "roster.member_new": {"kwargs": _center},
    "roster.member_edit": {"kwargs": _member},
    "roster.week": {"kwargs": _center},
    "roster.cell": {"kwargs": lambda app: {**_member(app), "day": local_today().isoformat()}},
    "roster.day": {"kwargs": _center},
    "roster.member_log": {"kwargs": _member},
    "roster.leave": {"kwargs": _center},
    "roster.month": {"kwargs": _center},
    "roster.month_xlsx": {"kwargs": _center},
    "roster.assess": {"kwargs": lambda app: {**_member(app), "month_key": local_today().strftime("%Y-%m")}},
}
