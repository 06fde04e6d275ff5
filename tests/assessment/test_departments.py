"""A department's page (its score, the street's share, its units and where its points were lost) and
the points-lost sheet of the XLSX export.

The expected figures come straight from the tables and the rule as written (the shipped weights),
not from `portal.assessment.scoring`.
"""
import re
from datetime import datetime, timezone
from io import BytesIO
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.assessment.models import WhistleRating
from portal.cases.models import Assignment, Case, Satisfaction
from portal.extensions import db
from portal.org.models import Department, Unit
from portal.timeutil import utcnow
from tests.assessment.helpers import month_of, table_rows, whistle

# The shipped rule for a department: the street's rating 30 of 100 points; the other 70 split
# 30/40/30 over sign-for, completion and satisfaction; "basically satisfied" earns 60%.
DEPARTMENT_POINTS = {"street": 30, "sign": 21, "completion": 28, "satisfaction": 21}
SATISFACTION = {"very": 1.0, "basically": 0.6, "not": 0.0}
FIRE = "xf"   # 嘉禾区消防救援支队: units in all three streets, two of them on the demo's whistles


@pytest.fixture
def month(app):
    with app.app_context():
        return month_of(whistle())


def _utc_bounds(month: str) -> tuple[datetime, datetime]:
    year, number = int(month[:4]), int(month[5:])
    local = ZoneInfo("Asia/Shanghai")
    start = datetime(year, number, 1, tzinfo=local)
    end = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=local)
    return tuple(t.astimezone(timezone.utc).replace(tzinfo=None) for t in (start, end))


def _timed(done, deadline, now):
    if done is not None:
        return 1.0 if done <= deadline else 0.0
    return 0.0 if now > deadline else None


def _expected(app, code: str, month: str, points=DEPARTMENT_POINTS) -> dict:
    """The department's month from its assignments: score, cases, and the points each
    (unit, case, part) lost, by the written rule."""
    start, end = _utc_bounds(month)
    now = utcnow()
    with app.app_context():
        rows = db.session.execute(
            select(Unit.name, Case.number, Assignment.signed_at, Assignment.sign_deadline,
                   Assignment.first_submitted_at, Assignment.complete_deadline, Satisfaction.level,
                   WhistleRating.rated_at, WhistleRating.efficiency, WhistleRating.cooperation,
                   WhistleRating.professionalism, WhistleRating.responsibility)
            .select_from(Assignment).join(Case, Case.id == Assignment.case_id)
            .join(Unit, Unit.id == Assignment.unit_id).join(Department, Department.id == Unit.department_id)
            .outerjoin(Satisfaction, Satisfaction.case_id == Case.id)
            .outerjoin(WhistleRating, WhistleRating.assignment_id == Assignment.id)
            .where(Department.code == code, Case.whistle_filed.is_(True), Case.whistled_at >= start,
                   Case.whistled_at < end, Assignment.state.not_in(("returned", "cancelled")))).all()
    marks = []
    for unit, number, signed, sign_by, submitted, complete_by, level, rated_at, *stars in rows:
        marks.append({"unit": unit, "case": number,
                      "street": sum(stars) / 20 if rated_at is not None else None,
                      "sign": _timed(signed, sign_by, now), "completion": _timed(submitted, complete_by, now),
                      "satisfaction": SATISFACTION.get(level), "level": level})
    active = [k for k in points if any(m[k] is not None for m in marks)]
    total = sum(points[k] for k in active)
    lost = {}
    for k in active:
        judged = [m for m in marks if m[k] is not None]
        for m in judged:
            if m[k] < 1:
                lost[m["unit"], m["case"], k] = points[k] * 100 / total / len(judged) * (1 - m[k])
    return {"value": 100 - sum(lost.values()) if active else None, "lost": lost, "marks": marks,
            "cases": len({m["case"] for m in marks}), "assignments": len(marks)}


def _department(app, code: str = FIRE) -> Department:
    with app.app_context():
        department = db.session.scalar(select(Department).where(Department.code == code))
        db.session.expunge(department)
        return department


def _text_of(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:span|p)>', page, re.S)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_the_department_page_shows_its_score_share_units_and_every_point_lost(app, client_for, month):
    expected = _expected(app, FIRE, month)
    assert expected["lost"], "the demo's whistles cost the fire department points"
    department = _department(app)
    admin = client_for("admin")
    page = admin.get(f"/assessment/departments/{department.id}?period={month}").get_data(as_text=True)
    assert department.name in page
    assert _text_of(page, "department-score") == f"{expected['value']:.1f}"
    assert _text_of(page, "department-cases") == f"{expected['cases']} 件案件，{expected['assignments']} 个派单"
    assert "30%" in _text_of(page, "department-share")

    # its units: every unit of the department, each linking to its page, with the score shown there
    with app.app_context():
        names = {u.name: u.id for u in db.session.scalars(select(Unit).where(Unit.department_id == department.id))}
    units = table_rows(page, "department-units")
    assert {row[0][0] for row in units} == set(names)
    for (name, links), _street, (score, _), _cases, _assignments, (lost, _) in units:
        assert links == [f"/assessment/units/{names[name]}?period={month}"]
        unit_page = admin.get(links[0]).get_data(as_text=True)
        shown = _text_of(unit_page, "unit-score") if 'id="unit-score"' in unit_page else "—"
        assert score == shown, name
        assert float(lost) == pytest.approx(sum(v for (u, _c, _p), v in expected["lost"].items() if u == name),
                                            abs=0.005), name

    # by reason: the totals add up, and every case listed opens its line on the unit's page
    reasons = table_rows(page, "department-reasons")
    assert sum(float(row[2][0]) for row in reasons) == pytest.approx(sum(expected["lost"].values()), abs=0.01)
    basically = sum(v for (u, c, p), v in expected["lost"].items()
                    if p == "satisfaction" and any(m["case"] == c and m["level"] == "basically"
                                                   for m in expected["marks"]))
    if basically:
        row = next(r for r in reasons if r[0][0] == "群众基本满意")
        assert float(row[2][0]) == pytest.approx(basically, abs=0.005)
    for row in reasons:
        for href in row[3][1]:
            url = urlsplit(href)
            unit_page = admin.get(f"{url.path}?{url.query}").get_data(as_text=True)
            assert f'id="{url.fragment}"' in unit_page

    # case by case: the same lines as the tables say
    lines = table_rows(page, "department-lost-lines")
    assert sorted((r[0][0], r[1][0], round(float(r[3][0]), 2)) for r in lines) == sorted(
        (c, u, round(v, 2)) for (u, c, _p), v in expected["lost"].items())
    assert re.search(r'id="department-lost-total">([\d.]+)<', page).group(1) == f"{100 - expected['value']:.2f}"


def test_the_street_share_is_the_rule_in_force(app, client_for, month):
    from portal.assessment import scoring
    from portal.auth.models import User

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        values = {**scoring.DEFAULTS, "department_street_share": 40}
        scoring.change_rule(admin, values, reason="部门街道评价占比提高到40%",
                            effective_from=datetime.strptime(month, "%Y-%m").date())
        db.session.commit()
    expected = _expected(app, FIRE, month, {"street": 40, "sign": 18, "completion": 24, "satisfaction": 18})
    department = _department(app)
    page = client_for("admin").get(f"/assessment/departments/{department.id}?period={month}").get_data(as_text=True)
    assert "40%" in _text_of(page, "department-share")
    assert _text_of(page, "department-score") == f"{expected['value']:.1f}"


@pytest.mark.parametrize("period", ["month", "year"])
def test_the_department_ranking_links_to_pages_that_agree(app, client_for, month, period):
    label = month if period == "month" else month[:4]
    admin = client_for("admin")
    ranking = table_rows(admin.get(f"/assessment/?period={label}").get_data(as_text=True), "department-ranking")
    assert ranking
    for _rank, (name, links), (score, _), (cases, _), (assignments, _) in ranking:
        assert len(links) == 1 and links[0].startswith("/assessment/departments/")
        assert links[0].endswith(f"?period={label}")
        page = admin.get(links[0]).get_data(as_text=True)
        assert name in page
        assert _text_of(page, "department-score") == score, name
        assert _text_of(page, "department-cases") == f"{cases} 件案件，{assignments} 个派单"
        if period == "year":
            # the units' losses add up to the year's (each month weighs as in the year's mean)
            units = table_rows(page, "department-units")
            assert sum(float(r[5][0]) for r in units) == pytest.approx(100 - float(score), abs=0.06)
            months = table_rows(page, "department-months")
            assert all(r[0][1][0].startswith(links[0].split("?")[0]) for r in months)
            # each reason names the months it cost points in, each opening that reason's row there
            for reason in table_rows(page, "department-reasons"):
                if float(score) == 100:
                    assert reason[0][0] == "没有扣分。"
                    continue
                assert reason[3][1]
                for href in reason[3][1]:
                    url = urlsplit(href)
                    month_page = admin.get(f"{url.path}?{url.query}").get_data(as_text=True)
                    assert f'id="{url.fragment}"' in month_page


def test_only_the_district_sees_departments(app, client_for, month):
    department = _department(app)
    url = f"/assessment/departments/{department.id}?period={month}"
    for user in ("secretary", "dispatcher", "chief", "staff", "secretary2"):
        client = client_for(user)
        assert client.get(url).status_code == 404, user       # even the department of their own unit
        assert "/assessment/departments/" not in client.get(f"/assessment/?period={month}").get_data(as_text=True)
    assert client_for("grid").get(url).status_code == 403
    assert client_for("admin").get("/assessment/departments/999999").status_code == 404
    assert client_for("admin").get(url).status_code == 200


def _sheet(workbook, title):
    rows = list(workbook[title].iter_rows(values_only=True))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def test_the_export_lists_every_point_lost_in_chinese(app, client_for, month):
    response = client_for("admin").get(f"/assessment/export.xlsx?period={month}")
    workbook = load_workbook(BytesIO(response.data))
    assert "扣分" in workbook.sheetnames
    header, rows = _sheet(workbook, "扣分")
    assert {"派驻机构", "部门", "案件", "原因", "扣分", "部门得分扣分"} <= set(header)
    assert rows
    start, end = _utc_bounds(month)
    with app.app_context():
        assigned = set(db.session.execute(
            select(Case.number, Unit.name, Department.name).join(Assignment, Assignment.case_id == Case.id)
            .join(Unit, Unit.id == Assignment.unit_id).join(Department, Department.id == Unit.department_id)
            .where(Case.whistle_filed.is_(True), Case.whistled_at >= start, Case.whistled_at < end)).all())
    for row in rows:
        assert (row["案件"], row["派驻机构"], row["部门"]) in assigned      # each row traces to a case
        assert not re.search("[A-Za-z]", row["原因"] + row["详情"] + row["计分项"]), row
        assert row["扣分"] > 0
    # the fire department's rows: its cases, and what they cost its score and its units' scores
    expected = _expected(app, FIRE, month)
    fire = [r for r in rows if r["部门"] == _department(app).name]
    assert sorted((r["派驻机构"], r["案件"], round(r["部门得分扣分"], 2)) for r in fire) == sorted(
        (u, c, round(v, 2)) for (u, c, _p), v in expected["lost"].items())
    _, units = _sheet(workbook, "派驻机构")
    for unit in units:
        if unit["分数"] is not None:
            lost = sum(r["扣分"] for r in rows if r["派驻机构"] == unit["派驻机构"])
            assert lost == pytest.approx(100 - unit["分数"], abs=0.01), unit["派驻机构"]


def test_the_export_speaks_the_users_language_and_covers_a_year(app, client_for, month):
    admin = client_for("admin")
    admin.post_form("/lang", {"lang": "en"})
    workbook = load_workbook(BytesIO(admin.get(f"/assessment/export.xlsx?period={month[:4]}").data))
    header, rows = _sheet(workbook, "Points lost")
    assert {"Unit", "Department", "Case", "Reason", "Points lost"} <= set(header)
    assert rows and all(r["Case"] for r in rows)
    _, units = _sheet(workbook, "Units")
    for unit in units:
        if unit["Score"] is not None:
            lost = sum(r["Points lost"] for r in rows if r["Unit"] == unit["Unit"])
            assert lost == pytest.approx(100 - unit["Score"], abs=0.01), unit["Unit"]


def test_export_cells_never_run_as_formulas(app, client_for, month):
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == "qt-xfz"))
        unit.name = "=HYPERLINK(\"http://x\")消防站"
        db.session.commit()
    workbook = load_workbook(BytesIO(client_for("admin").get(f"/assessment/export.xlsx?period={month}").data))
    _, rows = _sheet(workbook, "扣分")
    names = {r["派驻机构"] for r in rows}
    assert "'=HYPERLINK(\"http://x\")消防站" in names and not any(n.startswith("=") for n in names)
