"""Import and export of the list as CSV or XLSX, with fixed Chinese column headers.

The file format is the same in both directions, so an export re-imports to the same list.
An import is checked row by row first; it changes nothing unless every row is clean, and then
applies every row in one transaction (revisions and audit events included).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit import record
from portal.duties import services
from portal.duties.models import Matter
from portal.extensions import db
from portal.org.models import Department
from portal.punctuation import join_items
from portal.spreadsheets import safe_cell, unescape_cell

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_XLSX_UNPACKED = 20 * 1024 * 1024  # a small zip may unpack to gigabytes
CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
LIST_SPLIT = re.compile(r"[、,，;；\n]+")

# (field, header). The file format, not UI text: it stays Chinese whatever the UI language.
COLUMNS = [
    ("code", "编码"),
    ("title", "事项名称"),
    ("kind", "类型"),
    ("category", "类别"),
    ("scenario", "启动情形和标准"),
    ("lead", "牵头部门"),
    ("cooperating", "配合部门"),
    ("legal_basis", "法规依据"),
    ("sign_limit", "签收时限"),
    ("complete_limit", "办结时限"),
    ("limit_unit", "时限单位"),
    ("public", "是否公开"),
    ("public_title", "公开名称"),
    ("active", "状态"),
    ("owner", "所属清单"),  # written for the reader; the importer's own list decides on import
]
HEADER_OF = dict(COLUMNS)
FIELD_OF = {header: name for name, header in COLUMNS}
REQUIRED_HEADERS = ("code", "title", "kind", "category", "sign_limit", "complete_limit")

KIND_TEXT = {"duty": "街道职责", "shared": "共有事项", "whistle": "吹哨事项"}
CATEGORY_TEXT = {"enforcement": "综合执法", "key_work": "重点工作", "emergency": "应急处置", "fallback": "兜底责任"}
UNIT_TEXT = {"days": "工作日", "hours": "小时"}
YES, NO = "是", "否"
ACTIVE_TEXT, RETIRED_TEXT = "在用", "已停用"


def _reverse(mapping: dict[str, str]) -> dict[str, str]:
    out = {v: k for k, v in mapping.items()}
    out.update({k: k for k in mapping})
    return out


KIND_OF, CATEGORY_OF, UNIT_OF = _reverse(KIND_TEXT), _reverse(CATEGORY_TEXT), _reverse(UNIT_TEXT)
UNIT_OF.update({"天": "days", "日": "days", "工作日(天)": "days", "时": "hours"})
BOOL_OF = {YES: True, "公开": True, "true": True, "1": True, "y": True, "yes": True,
           NO: False, "内部": False, "不公开": False, "false": False, "0": False, "n": False, "no": False}
ACTIVE_OF = {ACTIVE_TEXT: True, "启用": True, "active": True, "": True,
             RETIRED_TEXT: False, "停用": False, "retired": False}


# ----------------------------------------------------------------------------------- export

def export_rows(matters: Iterable[Matter]) -> list[list[Any]]:
    rows: list[list[Any]] = [[header for _name, header in COLUMNS]]
    for m in matters:
        values = {
            "code": m.code, "title": m.title, "kind": KIND_TEXT.get(m.kind, m.kind),
            "category": CATEGORY_TEXT.get(m.category, m.category), "scenario": m.scenario,
            "lead": m.lead_department.name if m.lead_department else "",
            "cooperating": "、".join(d.name for d in m.cooperating_departments
                                    if d.id != m.lead_department_id),
            "legal_basis": m.legal_basis, "sign_limit": m.sign_limit, "complete_limit": m.complete_limit,
            "limit_unit": UNIT_TEXT.get(m.limit_unit, m.limit_unit), "public": YES if m.public else NO,
            "public_title": m.public_title, "active": ACTIVE_TEXT if m.active else RETIRED_TEXT,
            "owner": m.owner_street.name if m.owner_street else "区级清单",
        }
        rows.append([safe_cell(values[name]) for name, _header in COLUMNS])
    return rows


def to_csv(rows: list[list[Any]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("职责清单")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ----------------------------------------------------------------------------------- import

class FileRefused(Exception):
    """The file as a whole cannot be read (size, type, encoding, headers)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class RowPlan:
    row: int
    values: dict[str, Any]
    matter: Matter | None = None      # the existing item this row updates
    changes: list[str] = field(default_factory=list)  # labels of the fields it changes

    @property
    def status(self) -> str:
        if self.matter is None:
            return "new"
        return "changed" if self.changes else "same"


@dataclass
class ImportCheck:
    plans: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.errors

    def count(self, status: str) -> int:
        return sum(1 for p in self.plans if p.status == status)


def read_upload(storage) -> tuple[str, bytes]:
    """The extension and bytes of an uploaded file, refusing anything over the size cap."""
    filename = (storage.filename or "").lower() if storage else ""
    ext = filename.rsplit(".", 1)[-1] if "." in filename else ""
    if ext not in ("csv", "xlsx"):
        raise FileRefused(_("Upload a .csv or .xlsx file."))
    try:
        data = storage.stream.read(MAX_BYTES + 1)
    finally:
        storage.close()  # a large upload is spooled to a temporary file
    if len(data) > MAX_BYTES:
        raise FileRefused(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    if not data:
        raise FileRefused(_("The file is empty."))
    return ext, data


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(_("The file is neither UTF-8 nor GBK text."))
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise FileRefused(_("The file is not a valid CSV file.")) from None


def _xlsx_rows(data: bytes) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """Rows as text, plus the (row, column) positions that hold formulas."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
                raise FileRefused(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileRefused(_("The file is not a valid XLSX workbook.")) from None
    rows, formulas = [], set()
    try:
        sheet = workbook.worksheets[0]
        for r, row in enumerate(sheet.iter_rows(), start=1):
            if r > MAX_ROWS + 1:
                rows.append(["…"])  # enough to trip the row cap below without reading on
                break
            texts = []
            for c, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    formulas.add((r, c))
                texts.append(_cell_text(getattr(cell, "value", None)))
            rows.append(texts)
    finally:
        workbook.close()
    return rows, formulas


def parse(ext: str, data: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]], set]:
    """Header positions and the non-empty data rows (with their row numbers in the file)."""
    rows, formulas = (_xlsx_rows(data) if ext == "xlsx" else (_csv_rows(data), set()))
    if not rows:
        raise FileRefused(_("The file is empty."))
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    positions = {}
    for index, name in enumerate(header):
        if name in FIELD_OF and FIELD_OF[name] not in positions:
            positions[FIELD_OF[name]] = index
    missing = [HEADER_OF[n] for n in REQUIRED_HEADERS if n not in positions]
    if missing:
        raise FileRefused(_("The first row must hold the column headers; missing: %(names)s.",
                            names=join_items(missing)))
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    if len(body) > MAX_ROWS:
        raise FileRefused(_("The file has more than %(n)d rows.", n=MAX_ROWS))
    return positions, body, formulas


class _Departments:
    """Find departments by full name, short name or code."""

    def __init__(self):
        self.by_key: dict[str, Department] = {}
        for d in db.session.scalars(select(Department).where(Department.active)):
            for key in (d.name, d.short_name, d.code):
                if key:
                    self.by_key.setdefault(key.strip(), d)

    def find(self, text: str) -> Department | None:
        return self.by_key.get(text.strip())


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if re.fullmatch(r"\d{1,4}", text) else None


def check(user, ext: str, data: bytes) -> ImportCheck:
    """Check every row; report every problem by row number and column, change nothing."""
    from portal.duties.labels import FIELD_LABELS

    allowed, owner = services.edit_owner(user)
    positions, body, formulas = parse(ext, data)
    departments = _Departments()
    result = ImportCheck()
    seen_codes: dict[str, int] = {}
    existing = {m.code: m for m in db.session.scalars(
        select(Matter).where(Matter.code.in_([r[positions["code"]].strip() for _n, r in body
                                              if len(r) > positions["code"]])))}

    for number, row in body:
        errors: list[RowError] = []

        def cell(name: str) -> str:
            index = positions.get(name)
            if index is None or index >= len(row):
                return ""
            if (number, index) in formulas:
                errors.append(RowError(number, HEADER_OF[name], _("Formulas are not accepted; enter plain text.")))
                return ""
            return unescape_cell(row[index].strip())

        def fail(name: str, message: str) -> None:
            errors.append(RowError(number, HEADER_OF[name], message))

        values: dict[str, Any] = {}
        code = cell("code")
        if not code:
            fail("code", _("The code is missing."))
        elif not CODE_RE.match(code):
            fail("code", _("Use up to 32 letters, digits, dot, dash or underscore."))
        elif code in seen_codes:
            fail("code", _("Duplicate code: already on row %(row)d of this file.", row=seen_codes[code]))
        else:
            seen_codes[code] = number
            target = existing.get(code)
            if target is not None and not (allowed and target.owner_street_id == owner):
                fail("code", _("This code belongs to an item you may not edit (%(list)s).",
                               list=services.owner_label(target)))
        values["code"] = code

        title = cell("title")
        if not title:
            fail("title", _("The title is missing."))
        elif len(title) > 120:
            fail("title", _("At most %(n)d characters.", n=120))
        values["title"] = title

        for name, mapping, choices in (("kind", KIND_OF, KIND_TEXT), ("category", CATEGORY_OF, CATEGORY_TEXT)):
            text = cell(name)
            if not text:
                fail(name, _("This column must not be empty."))
            elif text not in mapping:
                fail(name, _("“%(value)s” is not valid; use one of: %(choices)s.",
                             value=text, choices=join_items(choices.values())))
            values[name] = mapping.get(text)

        values["scenario"] = cell("scenario")
        values["legal_basis"] = cell("legal_basis")
        for name in ("scenario", "legal_basis"):
            if len(values[name]) > 4000:
                fail(name, _("At most %(n)d characters.", n=4000))

        lead_text = cell("lead")
        lead = departments.find(lead_text) if lead_text else None
        if lead_text and lead is None:
            fail("lead", _("Unknown department: %(names)s.", names=lead_text))
        values["lead_department_id"] = lead.id if lead else None

        cooperating, unknown = [], []
        for name_text in LIST_SPLIT.split(cell("cooperating")):
            if not name_text.strip():
                continue
            found = departments.find(name_text)
            if found is None:
                unknown.append(name_text.strip())
            elif found.id not in cooperating and (lead is None or found.id != lead.id):
                cooperating.append(found.id)
        if unknown:
            fail("cooperating", _("Unknown department: %(names)s.", names=join_items(unknown)))
        values["cooperating"] = sorted(cooperating)

        unit_text = cell("limit_unit") or UNIT_TEXT["days"]
        if unit_text not in UNIT_OF:
            fail("limit_unit", _("“%(value)s” is not valid; use one of: %(choices)s.",
                                 value=unit_text, choices=join_items(UNIT_TEXT.values())))
        values["limit_unit"] = UNIT_OF.get(unit_text, "days")
        for name in ("sign_limit", "complete_limit"):
            text = cell(name)
            values[name] = _int(text)
            if values[name] is None:
                fail(name, _("“%(value)s” is not a whole number of %(unit)s.", value=text,
                             unit=UNIT_TEXT[values["limit_unit"]]))

        public_text = cell("public").lower()
        if public_text and public_text not in BOOL_OF:
            fail("public", _("“%(value)s” is not valid; use one of: %(choices)s.", value=public_text,
                             choices=join_items((YES, NO))))
        values["public"] = BOOL_OF.get(public_text, False)
        values["public_title"] = cell("public_title")
        if len(values["public_title"]) > 120:
            fail("public_title", _("At most %(n)d characters.", n=120))
        active_text = cell("active")
        if active_text not in ACTIVE_OF:
            fail("active", _("“%(value)s” is not valid; use one of: %(choices)s.", value=active_text,
                             choices=join_items((ACTIVE_TEXT, RETIRED_TEXT))))
        values["active"] = ACTIVE_OF.get(active_text, True)

        # The rules the edit form also applies (limits, public title); the code is checked above.
        reported = {e.column for e in errors}
        for name, message in services.validate({**values, "code": ""}).items():
            column = "lead" if name == "lead_department_id" else name
            if HEADER_OF.get(column) not in reported:
                fail(column, message)

        if errors:
            result.errors.extend(errors)
            continue
        plan = RowPlan(number, values, existing.get(code))
        if plan.matter is not None:
            current = services.snapshot(plan.matter)
            plan.changes = [str(FIELD_LABELS[k]) for k in services.TRACKED
                            if k in values and values[k] != current[k]]
        result.plans.append(plan)
    if not body:
        result.errors.append(RowError(2, "", _("The file has no data rows.")))
    return result


def apply(user, result: ImportCheck, filename: str = "") -> dict[str, int]:
    """Apply a clean check: create or update every row (the caller commits once)."""
    assert result.clean
    _allowed, owner = services.edit_owner(user)
    counts = {"new": 0, "changed": 0, "same": 0}
    for plan in result.plans:
        counts[plan.status] += 1
        if plan.matter is None:
            services.create_matter(plan.values, owner, user, action="imported")
        elif plan.changes:
            services.update_matter(plan.matter, plan.values, user, action="imported")
    record("duties.import", object_type="matter", filename=filename[:100], owner_street_id=owner, **counts)
    return counts
