"""The assessment as an XLSX workbook: the ranking, the departments (district only) and every
point lost, line by line, so the sums can be checked in a spreadsheet. Headers and labels are in
the user's language (the vocabularies of `labels`); every text cell (names, case numbers) goes
through `portal.spreadsheets.safe_cell`, so none runs as a formula. Written in openpyxl's
write-only mode: a district-year has tens of thousands of lines."""
from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from portal.assessment import labels, scoring
from portal.spreadsheets import safe_cell


def _points(value) -> float | None:
    return None if value is None else round(value, 2)


def _lost(value: float) -> float:
    """A line's points, precise enough that a year's small weighted lines still add up."""
    return round(value, 4)


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


def _sheet(wb, title: str, header: list[str], rows) -> None:
    """A sheet with a frozen header row; `rows` may be a generator (write-only sheets stream)."""
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(str(name)) * 2 + 2))
    ws.append(header)
    for row in rows:
        ws.append([safe_cell(v) for v in row])


def workbook(assessment: scoring.Assessment, user) -> bytes:
    period = assessment.period
    wb = Workbook(write_only=True)
    part_titles = [str(labels.PART_LABELS[k]) for k in scoring.PARTS]
    _sheet(wb, _("Units"), [_("Rank"), _("Unit"), _("Street"), _("Department"), _("Score"), _("Points lost"),
                            _("Cases"), _("Assignments"), *part_titles],
           (_result_row(r, r.subject.name, r.subject.street.name, r.subject.department.name)
            for r in assessment.units))
    if assessment.departments:
        _sheet(wb, _("Departments"), [_("Rank"), _("Department"), _("Score"), _("Points lost"), _("Cases"),
                                      _("Assignments"), *part_titles],
               (_result_row(r, r.subject.name) for r in assessment.departments))
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
    """Every point lost in the period: one row per assignment and part, with its unit, department,
    case number and reason, from the assignments' marks (the ranking comes from the monthly counts;
    both describe the same assignments, so a unit's rows add up to its points lost). In a year a
    row weighs as its month weighs in the year's score (`scoring.Loss`). For the district, each row
    also says what it cost the department's score, so a department's rows add up too."""
    period, versions = assessment.period, assessment.versions
    marks = scoring.period_marks(period, versions=versions, **scoring.scope_filter(user))
    marks_by_unit: dict[int, list] = {}
    for m in marks:
        marks_by_unit.setdefault(m.unit_id, []).append(m)
    with_departments = bool(assessment.departments)
    department_lost = {}
    if with_departments:
        marks_by_department: dict[int, list] = {}
        for m in marks:
            marks_by_department.setdefault(m.department_id, []).append(m)
        for department_marks in marks_by_department.values():
            result = scoring.score_marks(department_marks, period, scoring.department_share, versions)
            for loss in scoring.losses_of(result):
                department_lost[loss.line.marks.assignment_id, loss.line.part] = _lost(loss.lost)
    words = labels.words()

    def rows():
        for r in assessment.units:
            unit = r.subject
            names = (unit.name, unit.street.name, unit.department.name)
            result = scoring.score_marks(marks_by_unit.get(unit.id, []), period, scoring.unit_share, versions)
            rule_of = {s.month: s.rule.number
                       for s in ([result] if isinstance(result, scoring.Score) else result.months)}
            for loss in scoring.losses_of(result):
                line, m = loss.line, loss.line.marks
                row = [f"{loss.month:%Y-%m}", *names, m.case_number, words["part"][line.part],
                       labels.loss_reason(line.part, m.note(line.part), words), labels.why(line, words),
                       _lost(loss.lost)]
                if with_departments:
                    row.append(department_lost.get((m.assignment_id, line.part)))
                row.append(rule_of[loss.month])
                yield row

    header = [_("Calendar month"), _("Unit"), _("Street"), _("Department"), _("Case"), _("Part"), _("Reason"),
              _("Details"), _("Points lost")]
    if with_departments:
        header.append(_("Points lost in the department's score"))
    _sheet(wb, _("Points lost"), [*header, _("Rule version")], rows())
