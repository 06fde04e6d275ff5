"""The public list, its open data (JSON, CSV) and the monthly figures."""
from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import select

from portal.cases.models import Case
from portal.duties.models import Matter
from portal.extensions import db
from portal.figures.rates import DEFINITIONS, LABELS
from portal.public.labels import OPEN_DATA_FIELDS
from portal.public.services import csv_cell
from portal.timeutil import local_today
from tests.public.helpers import resident_case

FIELDS = [name for name, _doc in OPEN_DATA_FIELDS]


def _json(client, query=""):
    response = client.get(f"/public/issues.json{query}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def test_the_list_filters_by_street_and_state(client):
    html = client.get("/public/issues").get_data(as_text=True)
    assert "青檀街道" in html and "槐荫街道" in html and "金泉街道" in html
    hy = client.get("/public/issues?street=hy").get_data(as_text=True)
    rows = re.findall(r"<li>\s*<strong>.*?</li>", hy, re.S)
    assert rows and all("槐荫街道" in row for row in rows)
    done = client.get("/public/issues?state=closed").get_data(as_text=True)
    rows = re.findall(r"<li>\s*<strong>.*?</li>", done, re.S)
    assert rows and all("已办结" in row for row in rows)


def test_htmx_filters_get_the_list_fragment(client):
    response = client.get("/public/issues?state=open", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<li>" in html and "HX-Request" in response.headers["Vary"]


def test_merged_duplicates_and_internal_items_stay_off_the_list(app, client):
    with app.test_request_context():
        internal = db.session.scalar(select(Matter).where(Matter.public.is_(False)))
        hidden = resident_case("内部事项的反映内容XYZ", matter=internal.code)
        db.session.commit()
        merged = db.session.scalars(select(Case).where(Case.merged_into_id.is_not(None))).all()
        assert merged
        merged_ids = {c.id for c in merged}
        hidden_id = hidden.id
    ids = {item["id"] for item in _json(client)["items"]}
    assert hidden_id not in ids and not ids & merged_ids
    assert "内部事项的反映内容XYZ" not in client.get("/public/issues").get_data(as_text=True)


def test_json_has_the_documented_fields_only(client):
    data = _json(client)
    assert [f["name"] for f in data["fields"]] == FIELDS
    assert data["count"] == len(data["items"]) > 0
    for item in data["items"]:
        assert list(item) == FIELDS
        assert item["state"] in ("open", "closed", "rejected")
        assert len(item["summary"]) <= 60
    hy = _json(client, "?street=hy")["items"]
    assert hy and {i["street"] for i in hy} == {"槐荫街道"}


def test_csv_is_utf8_with_a_bom_and_safe_in_spreadsheets(app, client):
    with app.test_request_context():
        resident_case("=HYPERLINK(\"http://evil.example\",\"点我\")")
        resident_case("@SUM(1+1)")
        db.session.commit()
    response = client.get("/public/issues.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == FIELDS
    summaries = [row[FIELDS.index("summary")] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in summaries
    assert "'@SUM(1+1)" in summaries
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_csv_cells_that_would_run_as_formulas_are_quoted():
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("+86 138") == "'+86 138"
    assert csv_cell("-1") == "'-1"
    assert csv_cell("@x") == "'@x"
    assert csv_cell("\t=1") == "'\t=1"
    assert csv_cell("路灯坏了") == "路灯坏了" and csv_cell(3) == "3" and csv_cell(None) == ""


def test_the_open_data_page_documents_every_field(client):
    html = client.get("/public/data").get_data(as_text=True)
    for name in FIELDS:
        assert f"<code>{name}</code>" in html
    assert "/public/issues.json" in html and "/public/issues.csv" in html


def _received(html: str, street: str, month: str) -> int:
    section = re.search(rf'id="figures-{street}".*?</section>', html, re.S).group(0)
    row = re.search(rf'data-month="{month}".*?class="received">(\d+)<', section, re.S)
    return int(row.group(1))


def test_figures_show_each_street_by_month_with_how_they_are_computed(app, client):
    html = client.get("/public/figures").get_data(as_text=True)
    with app.test_request_context():
        for text in [*DEFINITIONS.values(), *LABELS.values()]:
            assert str(text) in html
    month = local_today().strftime("%Y-%m")
    before = _received(html, "qt", month)
    assert 'id="figures-hy"' in html and 'id="figures-jq"' in html
    with app.test_request_context():
        resident_case()
        db.session.commit()
    after = client.get("/public/figures?street=qt&months=3").get_data(as_text=True)
    assert _received(after, "qt", month) == before + 1
    assert 'id="figures-hy"' not in after
