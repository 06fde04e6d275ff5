"""The assessment as an XLSX workbook: the ranking, the departments (district only) and every
point lost, line by line, so the sums can be checked in a spreadsheet."""
from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from portal.assessment import labels, scoring


def _points(value) -> float | None:
    return None if value is None else round(value, 2)


def _result_row(row: scoring.Ranked, *first) -> list:
    result = row.result
    parts = []
    if isinstance(result, scoring.Score):
        for key in scoring.PARTS:
            part = result.parts[key]
            parts.append(_points(part.earned) if part.included else None)
    else:
        parts = [None] * len(scoring.PARTS)
    return [row.rank, *first, _points(result.value), _points(100 - result.value) if result.value is not None else None,
            result.cases, result.assignments, *parts]


def _sheet(ws, header: list[str], rows: list[list]) -> None:
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    for index, title in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(str(title)) * 2 + 2))


def workbook(assessment: scoring.Assessment, user) -> bytes:
    period = assessment.period
    wb = Workbook()
    part_titles = [str(labels.PART_LABELS[k]) for k in scoring.PARTS]
    ws = wb.active
    ws.title = _("Units")[:31]
    _sheet(ws, [_("Rank"), _("Unit"), _("Street"), _("Department"), _("Score"), _("Points lost"),
                _("Cases"), _("Assignments"), *part_titles],
           [_result_row(r, r.subject.name, r.subject.street.name, r.subject.department.name)
            for r in assessment.units])
    if assessment.departments:
        ws = wb.create_sheet(_("Departments")[:31])
        _sheet(ws, [_("Rank"), _("Department"), _("Score"), _("Points lost"), _("Cases"), _("Assignments"),
                    *part_titles],
               [_result_row(r, r.subject.name) for r in assessment.departments])
    if period.kind == "month":
        _lines_sheet(wb, assessment, user)
    ws = wb.create_sheet(_("Rule")[:31])
    ws.append([_("Period"), period.label])
    for rule in assessment.rules_used:
        ws.append([_("Rule version"), rule.number, _("from"), f"{rule.effective_from:%Y-%m}"])
        for name in scoring.WEIGHT_FIELDS:
            ws.append([name, getattr(rule, name)])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _lines_sheet(wb, assessment: scoring.Assessment, user) -> None:
    """Every point lost in the month, from each assignment's marks (the ranking comes from the
    monthly counts; both describe the same assignments, so the lines add up to the points lost)."""
    period = assessment.period
    ws = wb.create_sheet(_("Points lost")[:31])
    marks_by_unit: dict[int, list] = {}
    for m in scoring.period_marks(period, versions=assessment.versions, **scoring.scope_filter(user)):
        marks_by_unit.setdefault(m.unit_id, []).append(m)
    lines = []
    for r in assessment.units:
        result = scoring.score_marks(marks_by_unit.get(r.subject.id, []), period, scoring.unit_share,
                                     assessment.versions)
        for s in ([result] if isinstance(result, scoring.Score) else result.months):
            for line in s.lines:
                lines.append([f"{s.month:%Y-%m}", r.subject.name, line.marks.case_number,
                              str(labels.PART_LABELS[line.part]),
                              str(labels.NOTE_LABELS.get(line.marks.note(line.part), "")),
                              _points(line.lost), s.rule.number])
    _sheet(ws, [_("Calendar month"), _("Unit"), _("Case"), _("Part"), _("Why"), _("Points lost"), _("Rule version")], lines)
