"""Who sees which scores: the district all (and departments), a street its units, a unit itself."""
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.assessment import scoring
from portal.auth.models import User
from portal.extensions import db
from tests.assessment.helpers import month_of, unit, whistle


@pytest.fixture
def month(app):
    with app.app_context():
        return month_of(whistle())


def _ids(app, *codes):
    with app.app_context():
        return [unit(c).id for c in codes]


def test_grid_workers_get_403(client_for, month):
    grid = client_for("grid")
    for url in ("/assessment/", "/assessment/export.xlsx", "/assessment/rates", "/assessment/ratings"):
        assert grid.get(url).status_code == 403


def test_street_roles_see_their_streets_units_only(app, client_for, month):
    zfd, hy_zfd = _ids(app, "qt-zfd", "hy-zfd")
    for user in ("secretary", "dispatcher"):
        client = client_for(user)
        page = client.get(f"/assessment/?period={month}").get_data(as_text=True)
        assert "青檀消防救援站" in page and "槐荫街道城管执法队" not in page
        assert 'id="department-ranking"' not in page
        assert client.get(f"/assessment/units/{zfd}?period={month}").status_code == 200
        assert client.get(f"/assessment/units/{hy_zfd}?period={month}").status_code == 404
    other = client_for("secretary2").get(f"/assessment/?period={month}").get_data(as_text=True)
    assert "槐荫街道城管执法队" in other and "青檀消防救援站" not in other


def test_units_see_only_themselves(app, client_for, month):
    zfd, pcs = _ids(app, "qt-zfd", "qt-pcs")
    for user in ("chief", "staff"):
        client = client_for(user)
        page = client.get(f"/assessment/?period={month}").get_data(as_text=True)
        assert "青檀街道城管执法队" in page and "青檀派出所" not in page
        assert client.get(f"/assessment/units/{zfd}?period={month}").status_code == 200
        assert client.get(f"/assessment/units/{pcs}?period={month}").status_code == 404
        rates = client.get(f"/assessment/rates?period={month}").get_data(as_text=True)
        assert "青檀街道城管执法队" in rates and "青檀派出所" not in rates and 'id="street-rates"' not in rates


def test_the_district_sees_every_unit_and_department(client_for, month):
    page = client_for("admin").get(f"/assessment/?period={month}").get_data(as_text=True)
    assert "青檀消防救援站" in page and "金泉消防救援站" in page and 'id="department-ranking"' in page


def test_three_rates_come_from_the_figures(app, client_for, month):
    from datetime import date

    from portal.figures.rates import DEFINITIONS, monthly_rates

    page = client_for("admin").get(f"/assessment/rates?period={month}").get_data(as_text=True)
    with app.app_context():
        street = unit("qt-zfd").street
        row = monthly_rates(street_id=street.id, months=[date(int(month[:4]), int(month[5:]), 1)])[0]
    assert 'id="street-rates"' in page and street.name in page
    if row.response_rate is not None:
        assert f"{row.response_rate * 100:.1f}%" in page
    assert str(DEFINITIONS["response_rate"])[:8] in page or "响应率" in page


def test_xlsx_export_content(app, client_for, month):
    response = client_for("admin").get(f"/assessment/export.xlsx?period={month}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(response.data))
    units_sheet, departments_sheet, lines_sheet, rule_sheet = wb.worksheets
    rows = list(units_sheet.iter_rows(values_only=True))
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        result = scoring.assess(admin, scoring.Period.parse(month))
    assert len(rows) == 1 + len(result.units)
    by_name = {r[1]: r for r in rows[1:]}
    for ranked in result.units:
        row = by_name[ranked.subject.name]
        assert row[0] == ranked.rank
        assert row[4] == (round(ranked.value, 2) if ranked.value is not None else None)
        assert row[6] == ranked.result.cases
    header, *lines = list(lines_sheet.iter_rows(values_only=True))
    unit_column, lost_column = header.index("派驻机构"), header.index("扣分")
    for ranked in result.units:
        if ranked.value is None:
            continue
        lost = sum(line[lost_column] for line in lines if line[unit_column] == ranked.subject.name)
        assert lost == pytest.approx(100 - ranked.value, abs=0.05)
    assert len(list(departments_sheet.iter_rows())) == 1 + len(result.departments)
    assert list(rule_sheet.iter_rows(values_only=True))[0][1] == month
    # a unit's export holds only the unit
    chief = load_workbook(BytesIO(client_for("chief").get(f"/assessment/export.xlsx?period={month}").data))
    names = [r[1] for r in list(chief.worksheets[0].iter_rows(values_only=True))[1:]]
    assert names == ["青檀街道城管执法队"] and len(chief.worksheets) == 3
