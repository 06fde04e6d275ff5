"""Scope, search, changes with revisions, and the picker: the rules of the responsibility list.

Plain functions over models; the views only parse, call and render. Lists, loaders, pickers and
the import share the scope rules below, so no route can see or change more than another.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import selectinload

from portal import permissions as perm
from portal.audit import record
from portal.duties.labels import (
    CATEGORY_LABELS, FIELD_LABELS, KIND_LABELS, LIMIT_UNIT_LABELS,
)
from portal.duties.models import CATEGORIES, KINDS, Matter, MatterRevision, matter_cooperator
from portal.extensions import db
from portal.org.models import Department, Street
from portal.punctuation import join_items
from portal.timeutil import utcnow

PAGE_SIZE = 25
MAX_LIMIT = {"days": 365, "hours": 720}
# Fields a revision records, in display order; departments by id, cooperating as a sorted id list.
TRACKED = tuple(FIELD_LABELS)
EDITABLE = tuple(f for f in TRACKED if f != "active")
SORTS = {
    "code": Matter.code,
    "title": Matter.title,
    "kind": Matter.kind,
    "category": Matter.category,
    "sign_limit": Matter.sign_limit,
    "complete_limit": Matter.complete_limit,
    "updated_at": Matter.updated_at,
}


# ------------------------------------------------------------------------------------ scope

def editor_roles() -> frozenset[str]:
    return frozenset({perm.DISTRICT_ADMIN, perm.STREET_SECRETARY})


def visible_clause(user):
    """The items a user may read: the district list plus their own street's (admins: all)."""
    if user.role == perm.DISTRICT_ADMIN:
        return true()
    if user.street_id:
        return or_(Matter.owner_street_id.is_(None), Matter.owner_street_id == user.street_id)
    return Matter.owner_street_id.is_(None)


def can_read(user, matter: Matter) -> bool:
    if user.role == perm.DISTRICT_ADMIN or matter.owner_street_id is None:
        return True
    return matter.owner_street_id == user.street_id


def edit_owner(user) -> tuple[bool, int | None]:
    """(may edit at all, the owner street id of the list they edit; None = the district's)."""
    if user.role == perm.DISTRICT_ADMIN:
        return True, None
    if user.role == perm.STREET_SECRETARY and user.street_id:
        return True, user.street_id
    return False, None


def can_edit(user, matter: Matter) -> bool:
    allowed, owner = edit_owner(user)
    return allowed and matter.owner_street_id == owner


def load_for(user, matter_id: int) -> Matter:
    """The matter, or 404 when it does not exist or lies outside the user's scope."""
    matter = db.session.get(Matter, matter_id)
    perm.require(matter is not None and can_read(user, matter))
    return matter


def owner_label(matter: Matter) -> str:
    return matter.owner_street.name if matter.owner_street else _("District list")


def owner_choices(user) -> list[tuple[str, str]]:
    """Values of the list filter: every visible list, plus "all"."""
    choices = [("", _("All lists I can see")), ("district", _("District list"))]
    if user.role == perm.DISTRICT_ADMIN:
        streets = db.session.scalars(select(Street).order_by(Street.code)).all()
    elif user.street_id:
        streets = [db.session.get(Street, user.street_id)]
    else:
        streets = []
    choices += [(str(s.id), _("%(street)s list", street=s.name)) for s in streets]
    return choices


def department_choices(keep_ids=()) -> list[Department]:
    """Active departments, plus inactive ones an item still names (so an edit never drops them)."""
    keep = [i for i in keep_ids if i]
    query = select(Department).order_by(Department.code)
    if keep:
        query = query.where(or_(Department.active, Department.id.in_(keep)))
    else:
        query = query.where(Department.active)
    return db.session.scalars(query).all()


# ----------------------------------------------------------------------------------- search

def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class Filters:
    q: str = ""
    kind: str = ""
    category: str = ""
    department: int | None = None
    owner: str = ""         # "", "district" or a street id
    status: str = "active"  # active / retired / all
    sort: str = "code"
    direction: str = "asc"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        kind = args.get("kind", "")
        category = args.get("category", "")
        owner = args.get("owner", "")
        status = args.get("status", "active")
        sort = args.get("sort", "code")
        return cls(
            q=args.get("q", "").strip()[:50],
            kind=kind if kind in KINDS else "",
            category=category if category in CATEGORIES else "",
            department=args.get("department", type=int) or None,
            owner=owner if owner == "district" or owner.isdigit() else "",
            status=status if status in ("active", "retired", "all") else "active",
            sort=sort if sort in SORTS else "code",
            direction="desc" if args.get("dir") == "desc" else "asc",
            page=min(max(args.get("page", 1, type=int) or 1, 1), 10_000),
        )

    def args(self, **override) -> dict[str, Any]:
        """Query-string arguments for links (sorting, paging, categories, export)."""
        values = {"q": self.q, "kind": self.kind, "category": self.category,
                  "department": self.department or "", "owner": self.owner, "status": self.status,
                  "sort": self.sort, "dir": self.direction, "page": self.page}
        values.update(override)
        return {k: v for k, v in values.items()
                if v not in ("", None) and not (k == "page" and v == 1)
                and not (k == "status" and v == "active") and not (k == "sort" and v == "code")
                and not (k == "dir" and v == "asc")}


def _conditions(user, f: Filters, *, with_category: bool = True) -> list:
    conds = [visible_clause(user)]
    if f.q:
        like = f"%{_escape_like(f.q)}%"
        conds.append(or_(*(col.like(like, escape="\\") for col in
                           (Matter.code, Matter.title, Matter.scenario, Matter.legal_basis))))
    if f.kind:
        conds.append(Matter.kind == f.kind)
    if with_category and f.category:
        conds.append(Matter.category == f.category)
    if f.department:
        conds.append(or_(Matter.lead_department_id == f.department, Matter.id.in_(
            select(matter_cooperator.c.matter_id).where(matter_cooperator.c.department_id == f.department))))
    if f.owner == "district":
        conds.append(Matter.owner_street_id.is_(None))
    elif f.owner:
        conds.append(Matter.owner_street_id == int(f.owner))
    if f.status == "active":
        conds.append(Matter.active.is_(True))
    elif f.status == "retired":
        conds.append(Matter.active.is_(False))
    return conds


def filtered(user, f: Filters):
    """The filtered, sorted query (no paging): the list page and the export share it."""
    column = SORTS[f.sort]
    order = column.desc() if f.direction == "desc" else column.asc()
    return (select(Matter).where(*_conditions(user, f)).order_by(order, Matter.code)
            .options(selectinload(Matter.lead_department), selectinload(Matter.cooperating_departments),
                     selectinload(Matter.owner_street)))


@dataclass
class Page:
    rows: list[Matter]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)  # per category, the category filter left out


def search(user, f: Filters, page_size: int = PAGE_SIZE) -> Page:
    total = db.session.scalar(select(func.count(Matter.id)).where(*_conditions(user, f))) or 0
    pages = max(math.ceil(total / page_size), 1)
    page = min(f.page, pages)
    rows = db.session.scalars(filtered(user, f).limit(page_size).offset((page - 1) * page_size)).all()
    counts = dict(db.session.execute(
        select(Matter.category, func.count(Matter.id)).where(*_conditions(user, f, with_category=False))
        .group_by(Matter.category)).all())
    return Page(rows=rows, total=total, page=page, pages=pages, counts=counts)


def active_matters_for(user_or_street_id, q: str = "", limit: int = 20) -> list[Matter]:
    """Active items a form may point at: the district list plus the street's (a user's scope).

    Pass a user (their readable lists), a street id (the district list plus that street's), or
    None (the district list only). Retired items never appear here; detail pages still show them.
    """
    if user_or_street_id is None:
        scope = Matter.owner_street_id.is_(None)
    elif isinstance(user_or_street_id, int):
        scope = or_(Matter.owner_street_id.is_(None), Matter.owner_street_id == user_or_street_id)
    else:
        scope = visible_clause(user_or_street_id)
    query = select(Matter).where(scope, Matter.active.is_(True))
    q = (q or "").strip()[:50]
    if q:
        like = f"%{_escape_like(q)}%"
        query = query.where(or_(Matter.code.like(like, escape="\\"), Matter.title.like(like, escape="\\"),
                                Matter.public_title.like(like, escape="\\")))
    limit = min(max(int(limit), 1), 100)
    return db.session.scalars(query.order_by(Matter.code).limit(limit)).all()


def public_matters(street: Street | None, category: str = "") -> list[Matter]:
    """Public, active items of the district list plus the street's own public items."""
    scope = Matter.owner_street_id.is_(None)
    if street is not None:
        scope = or_(scope, Matter.owner_street_id == street.id)
    query = select(Matter).where(scope, Matter.public.is_(True), Matter.active.is_(True))
    if category in CATEGORIES:
        query = query.where(Matter.category == category)
    return db.session.scalars(query.options(selectinload(Matter.lead_department))
                              .order_by(Matter.category, Matter.code)).all()


# ---------------------------------------------------------------------------------- changes

class StaleVersion(Exception):
    """The user edited a version of the item that someone else has changed since."""


def snapshot(matter: Matter) -> dict[str, Any]:
    """The tracked fields as JSON-friendly values."""
    values = {name: getattr(matter, name) for name in TRACKED if name != "cooperating"}
    values["cooperating"] = sorted(d.id for d in matter.cooperating_departments)
    return values


def validate(values: dict[str, Any], *, matter_id: int | None = None) -> dict[str, str]:
    """Rules shared by the form and the import: field name -> message."""
    errors: dict[str, str] = {}
    code = values.get("code") or ""
    if code:
        taken = select(Matter.id).where(Matter.code == code)
        if matter_id:
            taken = taken.where(Matter.id != matter_id)
        if db.session.scalar(taken) is not None:
            errors["code"] = _("This code is already used.")
    unit = values.get("limit_unit", "days")
    top = MAX_LIMIT.get(unit, 365)
    for name in ("sign_limit", "complete_limit"):
        value = values.get(name)
        if not isinstance(value, int) or not 1 <= value <= top:
            errors[name] = _("Enter a whole number from 1 to %(max)d.", max=top)
    if "sign_limit" not in errors and "complete_limit" not in errors \
            and values["complete_limit"] < values["sign_limit"]:
        errors["complete_limit"] = _("The completion limit cannot be shorter than the sign-for limit.")
    if values.get("public") and not (values.get("public_title") or "").strip():
        errors["public_title"] = _("A public item needs a title in plain words for residents.")
    return errors


def _assign(matter: Matter, values: dict[str, Any]) -> None:
    # No autoflush: loading the departments must not write the half-assigned item (one edit, one version).
    with db.session.no_autoflush:
        for name in EDITABLE:
            if name == "cooperating" or name not in values:
                continue
            setattr(matter, name, values[name])
        if "cooperating" in values:
            lead = values.get("lead_department_id", matter.lead_department_id)
            ids = [i for i in values["cooperating"] if i != lead]
            matter.cooperating_departments = (db.session.scalars(
                select(Department).where(Department.id.in_(ids))).all() if ids else [])


def _revise(matter: Matter, action: str, changes: dict, actor) -> MatterRevision:
    revision = MatterRevision(matter_id=matter.id, action=action, changes=changes,
                              actor_id=actor.id if actor is not None else None)
    db.session.add(revision)
    record(f"duties.{action}", matter, code=matter.code, changes=changes, actor=actor)
    return revision


def create_matter(values: dict[str, Any], owner_street_id: int | None, actor, action: str = "created") -> Matter:
    """Add an item to a list, with its first revision and an audit event (the caller commits)."""
    matter = Matter(owner_street_id=owner_street_id, active=values.get("active", True))
    _assign(matter, values)
    db.session.add(matter)
    db.session.flush()
    after = snapshot(matter)
    _revise(matter, action, {k: [None, v] for k, v in after.items() if v not in (None, "", [])}, actor)
    return matter


def update_matter(matter: Matter, values: dict[str, Any], actor, *, seen_version: int | None = None,
                  action: str = "updated") -> dict:
    """Change an item; return the diff (empty when nothing changed). Raises StaleVersion."""
    if seen_version is not None and seen_version != matter.version:
        raise StaleVersion()
    before = snapshot(matter)
    _assign(matter, values)
    if "active" in values:
        matter.active = values["active"]
    after = snapshot(matter)
    diff = {k: [before[k], after[k]] for k in TRACKED if before[k] != after[k]}
    if diff:
        matter.updated_at = utcnow()  # also bumps the version when only the cooperating list changed
        db.session.flush()
        _revise(matter, action, diff, actor)
    return diff


def set_active(matter: Matter, active: bool, actor, *, seen_version: int | None = None) -> bool:
    """Retire or restore an item (never deleted: cases point at it). Raises StaleVersion."""
    if seen_version is not None and seen_version != matter.version:
        raise StaleVersion()
    if matter.active == active:
        return False
    matter.active = active
    matter.updated_at = utcnow()
    db.session.flush()
    _revise(matter, "restored" if active else "retired", {"active": [not active, active]}, actor)
    return True


# ---------------------------------------------------------------------------------- history

@dataclass
class ChangeRow:
    label: str
    before: str
    after: str
    segments: list[tuple[str, str]] | None = None  # inline diff of long texts: (equal|del|ins, text)


def _department_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(Department.id, Department.name).where(Department.id.in_(ids))).all())


def _text(name: str, value, names: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if name == "lead_department_id":
        return names.get(value, f"#{value}")
    if name == "cooperating":
        return join_items(names.get(i, f"#{i}") for i in value)
    if name == "kind":
        return str(KIND_LABELS.get(value, value))
    if name == "category":
        return str(CATEGORY_LABELS.get(value, value))
    if name == "limit_unit":
        return str(LIMIT_UNIT_LABELS.get(value, value))
    if name == "public":
        return _("Public") if value else _("Internal")
    if name == "active":
        return _("In use") if value else _("Retired")
    return str(value)


def _segments(before: str, after: str) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    parts: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("equal", before[a1:a2]))
        else:
            if a2 > a1:
                parts.append(("del", before[a1:a2]))
            if b2 > b1:
                parts.append(("ins", after[b1:b2]))
    return parts


def readable_changes(changes: dict[str, list]) -> list[ChangeRow]:
    """A revision's changes as labelled rows, departments by name, long texts as inline diffs."""
    ids: list[int] = []
    for name in ("lead_department_id", "cooperating"):
        for value in changes.get(name, []):
            ids += value if isinstance(value, list) else [value]
    names = _department_names(ids)
    rows = []
    for name in TRACKED:
        if name not in changes:
            continue
        before, after = changes[name]
        row = ChangeRow(str(FIELD_LABELS[name]), _text(name, before, names), _text(name, after, names))
        if name in ("scenario", "legal_basis", "title", "public_title") and before and after:
            row.segments = _segments(str(before), str(after))
        rows.append(row)
    return rows


def history(matter: Matter) -> list[MatterRevision]:
    return db.session.scalars(select(MatterRevision).where(MatterRevision.matter_id == matter.id)
                              .options(selectinload(MatterRevision.actor))
                              .order_by(MatterRevision.id.desc())).all()
