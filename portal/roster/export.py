"""The month's summary as an XLSX workbook: one sheet per person, one per unit."""
from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.roster.rules import KIND_SHORT, MonthSummary


def _counts(line) -> list[int]:
    return [getattr(line, name) for name in line.COUNTS]


def count_headers() -> list[str]:
    return [_("Scheduled"), _("Attended"), _("On time"), _("Late"), _("Early leave"), _("Absent"),
            _("On leave"), _("Unscheduled duty"), _("Still to come")]


def month_workbook(center, summary: MonthSummary, *, with_assessments: bool) -> BytesIO:
    book = Workbook()
    people = book.active
    people.title = _("People")
    people.append([center.name, summary.key, _("Working days: %(n)d", n=summary.working_days)])
    headers = [_("Name"), _("Unit"), _("Membership"), *count_headers()]
    if with_assessments:
        headers += [_("Score"), _("Comment")]
    people.append(headers)
    for line in summary.people:
        member = line.member
        row = [member.name, member.unit.name if member.unit else member.department.name,
               str(KIND_SHORT[member.kind]), *_counts(line)]
        if with_assessments:
            row += [line.assessment.score if line.assessment else None,
                    line.assessment.comment if line.assessment else ""]
        people.append(row)
    units = book.create_sheet(_("Units"))
    units.append([_("Unit"), *count_headers()])
    for line in summary.units:
        units.append([line.label, *_counts(line)])
    for sheet, header_row in ((people, 2), (units, 1)):
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 24
        sheet.column_dimensions["B"].width = 24
    data = BytesIO()
    book.save(data)
    data.seek(0)
    return data
