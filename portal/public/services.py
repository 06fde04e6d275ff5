"""What the residents' pages do: take a report, find a case by its code, build the public views.

Everything a public page shows passes through here, so one place decides what is public: the
case's state in plain words, the events marked public (their text from the action and
`data["public_note"]`, never `CaseEvent.note`), photos staff marked public, masked names and phones.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from flask import g
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from portal.cases import rules, uploads
from portal.cases.models import (
    TRACKING_ALPHABET, TRACKING_LENGTH, Attachment, Case, Satisfaction, normalize_tracking_code,
)
from portal.database import Prepared, read
from portal.duties.models import CATEGORIES, Matter
from portal.extensions import db, lazy_gettext as _l
from portal.org.models import Community, Street
from portal.public import labels
from portal.public.masking import mask_text, shorten
from portal.spreadsheets import safe_cell
from portal.timeutil import to_local

MAX_PHOTOS = 3
NOT_SURE = "other"            # the category a resident picks when no item fits
PAGE_SIZE = 20
EXPORT_LIMIT = 1000
SUMMARY_LENGTH = 60


# --- the report form's choices ---------------------------------------------------------------

def report_matters() -> list[Matter]:
    """Public, active items a resident may pick: the district's and every active street's own."""
    return db.session.scalars(
        select(Matter).outerjoin(Street, Matter.owner_street_id == Street.id)
        .where(Matter.public.is_(True), Matter.active.is_(True),
               or_(Matter.owner_street_id.is_(None), Street.active.is_(True)))
        .options(selectinload(Matter.owner_street))
        .order_by(Matter.owner_street_id.is_not(None), Matter.code)).all()


def matter_label(matter) -> str:
    """What residents call a matter (a Matter, or a row with its `public_title` and `title`)."""
    if matter is None:
        return ""
    return matter.public_title or matter.title


def matter_groups() -> list[tuple[str, object, list[tuple[str, str]]]]:
    """(category, label, [(value, text)]) in the order residents look for them (urgent first)."""
    by_category: dict[str, list[tuple[str, str]]] = {c: [] for c in labels.CATEGORY_LABELS}
    for matter in report_matters():
        text = matter_label(matter)
        if matter.owner_street is not None:
            text = f"{text}（{matter.owner_street.name}）"
        by_category.setdefault(matter.category, []).append((str(matter.id), text))
    return [(c, labels.CATEGORY_LABELS.get(c, c), items) for c, items in by_category.items() if items]


def community_groups() -> list[tuple[Street, list[Community]]]:
    """Active communities of active streets, by street."""
    streets = db.session.scalars(select(Street).where(Street.active.is_(True))
                                 .options(selectinload(Street.communities)).order_by(Street.code)).all()
    return [(s, [c for c in s.communities if c.active]) for s in streets if any(c.active for c in s.communities)]


def active_streets() -> list[Street]:
    return db.session.scalars(select(Street).where(Street.active.is_(True)).order_by(Street.code)).all()


# --- taking a report -------------------------------------------------------------------------

@dataclass
class Report:
    matter: str
    description: str
    community: str
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    contact_consent: bool = False


def _community(value: str) -> Community:
    try:
        community = db.session.get(Community, int(value))
    except (TypeError, ValueError):
        community = None
    if community is None or not community.active or not community.street.active:
        raise rules.InvalidInput(_l("Choose the community where the problem is."), "community")
    return community


def _matter(value: str, community: Community) -> Matter | None:
    if value == NOT_SURE:
        return None
    try:
        matter = db.session.get(Matter, int(value))
    except (TypeError, ValueError):
        matter = None
    if matter is None or not matter.public or not matter.active:
        raise rules.InvalidInput(_l("Choose what kind of problem it is."), "matter")
    if matter.owner_street_id is not None and matter.owner_street_id != community.street_id:
        raise rules.InvalidInput(
            _l("This kind of problem is only handled by %(street)s; choose another kind or "
               "\u201cnot sure\u201d.", street=matter.owner_street.name), "matter")
    return matter


def submit_report(report: Report, files) -> tuple[Case, list[Attachment]]:
    """Take in the resident's report with its photos (at most 3). Nothing is committed.

    Raises `rules.CaseError` or `uploads.InvalidUpload`; the caller rolls back (no photo file is
    written before every photo has passed its checks).
    """
    community = _community(report.community)
    matter = _matter(report.matter, community)
    case = rules.intake(None, channel="resident_web", community=community, description=report.description,
                        address=report.address, reporter_name=report.reporter_name,
                        reporter_phone=report.reporter_phone, contact_consent=report.contact_consent,
                        matter=matter)
    photos = uploads.store_photos(files, "report", case=case, limit=MAX_PHOTOS)
    return case, photos


# --- finding a case by its code --------------------------------------------------------------

def plausible_code(code: str) -> bool:
    return len(code) == TRACKING_LENGTH and all(ch in TRACKING_ALPHABET for ch in code)


def find_by_code(text: str | None) -> Case | None:
    """The case with this tracking code (typed in any case, with spaces or dashes), or None."""
    code = normalize_tracking_code(text)
    if not plausible_code(code):
        return None
    return db.session.scalar(select(Case).where(Case.tracking_code == code))


# --- the public timeline ---------------------------------------------------------------------

@dataclass
class TimelineEntry:
    at: datetime
    text: str
    public_note: str
    photos: list[Attachment]


def public_photos(case: Case) -> list[Attachment]:
    return [a for a in case.attachments if a.public]


def timeline(case: Case) -> list[TimelineEntry]:
    """The public events, oldest first, each with its public photos."""
    photos = public_photos(case)
    entries = []
    for event in case.events:
        if not event.public:
            continue
        entries.append(TimelineEntry(
            at=event.at, text=labels.event_text(event),
            public_note=mask_text(str((event.data or {}).get("public_note") or "")),
            photos=[p for p in photos if p.event_id == event.id]))
    return entries


def loose_photos(case: Case) -> list[Attachment]:
    """Public photos not shown under a public event (e.g. with a unit's result, which is internal)."""
    public_event_ids = {e.id for e in case.events if e.public}
    return [p for p in public_photos(case) if p.event_id not in public_event_ids]


def can_rate(case: Case) -> bool:
    """Closed and not rated yet, or rated before a reopening that has closed again."""
    if case.state != "closed":
        return False
    s = case.satisfaction
    return s is None or (s.reopened and case.reopen_count > 0 and s.at < (case.closed_at or s.at))


def can_reopen(case: Case) -> bool:
    return can_rate(case) and case.reopen_count == 0 and case.satisfaction is None


# --- the public list and open data -----------------------------------------------------------

# At 600,000 cases the list never sorts the table: every page is read along an index in its own
# order (newest first) and stops after the rows it shows, and the count stops at COUNT_CAP.
#   - no state group: one walk per street down ix_case_street_created (street_id=?), merged here
#     (an `IN (streets)` or the merged_into_id index would read every case and sort);
#   - a state group: one walk per state down ix_case_state_created (state=?), the street filtered
#     as `street_id + 0` so the planner keeps the walk.
# The other filters (not merged, public item) are written `col + 0` in the walks for the same reason.
# Paging is bounded: MAX_PAGES pages of the newest issues (the exports read the first 1,000).
MAX_PAGES = 50
COUNT_CAP = PAGE_SIZE * MAX_PAGES


def _hidden_matters():
    return select(Matter.id).where(Matter.public.is_(False))


def _issue_conditions(street: Street | None, group: str, *, walking: bool) -> list:
    """Not merged into another case, and not about an internal item; in the street and group."""
    # Nearly every case is unmerged and about a public item: written `col + 0`, neither column's
    # index is used (the statistics make ix_case_merged_into_id look selective for IS NULL).
    conds = [(Case.merged_into_id + 0).is_(None),
             or_(Case.matter_id.is_(None), (Case.matter_id + 0).not_in(_hidden_matters()))]
    if walking:
        # The walks read one state (the street filtered on the way) or one street (see `_walks`).
        if street is not None and group in labels.STATE_GROUPS:
            conds.append(Case.street_id + 0 == street.id)
        return conds
    if street is not None:
        conds.append(Case.street_id == street.id)
    return conds


def _walks(street: Street | None, group: str) -> list:
    """The conditions of the index walks whose merge is the list (see above)."""
    if group in labels.STATE_GROUPS:
        return [Case.state == state for state in labels.STATE_GROUPS[group][1]]
    if street is not None:
        return [Case.street_id == street.id]
    return [Case.street_id == street_id for street_id in db.session.scalars(select(Street.id).order_by(Street.id))]


def issue_ids(street: Street | None, group: str, limit: int) -> list[int]:
    """The ids of the newest `limit` public issues, newest first (ties: the higher id first)."""
    conds = _issue_conditions(street, group, walking=True)
    rows = []
    for walk in _walks(street, group):
        rows += db.session.execute(select(Case.created_at, Case.id).where(walk, *conds)
                                   .order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)).all()
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return [r[1] for r in rows[:limit]]


def count_issues(street: Street | None, group: str, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, more_than): the count stops after `cap` rows (the list shows at most that many)."""
    # Counted walk by walk (one state or one street each, on its index), stopping past the cap: a
    # single `state IN (...)` makes SQLite scan the table for the few open cases.
    conds, total = _issue_conditions(street, group, walking=False), 0
    for walk in _walks(street, group):
        inner = select(Case.id).where(walk, *conds).limit(cap + 1 - total).subquery()
        total += db.session.scalar(select(func.count()).select_from(inner)) or 0
        if total > cap:
            break
    return min(total, cap), total > cap


def public_issues(street: Street | None, group: str, *, page: int = 1, per_page: int = PAGE_SIZE):
    """The cases of the page, newest first (pages past MAX_PAGES show the last one offered), as plain
    rows of `_ISSUE_ROWS` (what `issue_row` publishes), read in one statement."""
    page = min(max(page, 1), MAX_PAGES)
    ids = issue_ids(street, group, page * per_page)[(page - 1) * per_page:]
    if not ids:
        return []
    found = {r.id: r for r in read(_ISSUE_ROWS, {"ids": ids})}
    return [found[i] for i in ids if i in found]


_ISSUE_ROWS = Prepared(
    select(Case.id, Case.state, Case.created_at, Case.closed_at, Case.description,
           Street.name.label("street"), Community.name.label("community"),
           Matter.id.label("matter_id"), Matter.public_title, Matter.title, Matter.category,
           Satisfaction.level.label("satisfaction"))
    .join(Street, Street.id == Case.street_id).join(Community, Community.id == Case.community_id)
    .outerjoin(Matter, Matter.id == Case.matter_id).outerjoin(Satisfaction, Satisfaction.case_id == Case.id)
    .where(Case.id.in_(bindparam("ids", expanding=True))))


def _label(texts: dict, key: str) -> str:
    """`str(texts[key])` translated once per request (the exports have 1,000 rows)."""
    cache = g.setdefault("public_labels", {})
    if (id(texts), key) not in cache:
        cache[id(texts), key] = str(texts.get(key, ""))
    return cache[id(texts), key]


def issue_row(row) -> dict:
    """One public issue (a row of `public_issues`) as open data: no names, phones, addresses,
    numbers or codes."""
    group = labels.state_group(row.state)
    has_matter = row.matter_id is not None
    return {
        "id": row.id,
        "street": row.street,
        "community": row.community,
        "category": matter_label(row if has_matter else None),
        "category_group": _label(labels.CATEGORY_LABELS, row.category) if has_matter else "",
        "state": group,
        "state_label": _label(labels.STATE_LABELS, row.state),
        "reported_on": to_local(row.created_at).date().isoformat(),
        "closed_on": to_local(row.closed_at).date().isoformat() if row.closed_at and row.state == "closed" else "",
        "satisfaction": row.satisfaction or "",
        "summary": summary(row),
    }


def summary(case) -> str:
    """A case's (or a row's) description, masked and shortened."""
    return shorten(mask_text(case.description), SUMMARY_LENGTH)


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return safe_cell("" if value is None else str(value))


def issues_csv(rows: list[dict]) -> str:
    """UTF-8 text with a byte-order mark, so spreadsheet programs read the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = [name for name, _doc in labels.OPEN_DATA_FIELDS]
    writer.writerow(names)
    for row in rows:
        writer.writerow([csv_cell(row[name]) for name in names])
    return "\ufeff" + out.getvalue()


assert set(CATEGORIES) == set(labels.CATEGORY_LABELS)
