"""Intake, the case list and its export, "my queue" and the ledgers, over HTTP and as functions."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import event, func, select, text

from portal.cases import lists, rules
from portal.cases.models import Assignment, Attachment, Case, CaseEvent
from portal.extensions import db
from portal.timeutil import local_today, utcnow
from tests.cases.helpers import community, matter, user

NUMBER = re.compile(r'data-case="([^"]+)"')


def page_text(response) -> str:
    return response.get_data(as_text=True)


def numbers(response) -> list[str]:
    return NUMBER.findall(page_text(response))


def sql_numbers(app, where: str, **params) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(text(f'SELECT number FROM "case" WHERE {where}'), params))


def ids(app, **codes) -> dict:
    with app.app_context():
        out = {}
        for key, code in codes.items():
            kind, value = key.split("_", 1)[0], code
            out[key] = {"community": community, "matter": matter}[kind](value).id
        return out


def jpeg_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "cases"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def case_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


# --- intake --------------------------------------------------------------------------------------

def intake_data(app, community_code="qt-tlx", matter_code="CS-ZF-003", **extra) -> dict:
    found = ids(app, community_id=community_code, matter_id=matter_code)
    data = {"channel": "hotline_12345", "community_id": found["community_id"], "grid_id": 0,
            "address": "铜铃巷17号门口", "description": "早市摊贩占道，行人无法通过", "matter_id": found["matter_id"],
            "reporter_name": "周丽华", "reporter_phone": "139 1111 2233"}
    data.update(extra)
    return data


@pytest.mark.parametrize("role, community_code", [
    ("street_dispatcher", "qt-tlx"), ("street_secretary", "qt-yxf"), ("grid_worker", "qt-bl"),
    ("district_admin", "jq-qs")])
def test_each_intake_role_files_a_case_in_its_scope(app, client_as, role, community_code):
    client = client_as(role)
    form = page_text(client.get("/cases/new"))
    assert 'name="description"' in form and 'name="photos"' in form
    data = intake_data(app, community_code, description=f"{role} 上报：占道经营")
    response = client.post_form("/cases/new", data)
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.description == f"{role} 上报：占道经营"))
        assert response.headers["Location"].endswith(f"/cases/{case.id}")
        assert case.state == "new" and case.community.code == community_code
        assert case.created_by.role == role and case.matter.code == "CS-ZF-003"
        assert case.reporter_phone == "139 1111 2233" and case.district_level is False
        assert [e.action for e in case.events] == ["intake"]


def test_grid_worker_offers_and_accepts_only_their_own_community(app, client_as):
    client = client_as("grid_worker")
    form = page_text(client.get("/cases/new"))
    assert "青檀北里社区" in form and "铜铃巷社区" not in form
    before = case_count(app)
    response = client.post_form("/cases/new", intake_data(app, "qt-tlx"))
    assert response.status_code == 422
    assert case_count(app) == before


def test_a_street_cannot_file_in_another_street(app, client_as):
    client = client_as("street_dispatcher")
    assert "槐荫东里社区" not in page_text(client.get("/cases/new"))
    before = case_count(app)
    assert client.post_form("/cases/new", intake_data(app, "hy-dl")).status_code == 422
    assert case_count(app) == before


@pytest.mark.parametrize("role", ["unit_chief", "unit_staff"])
def test_units_do_not_take_in_cases(app, client_as, role):
    client = client_as(role)
    assert client.get("/cases/new").status_code == 403
    assert client.post_form("/cases/new", intake_data(app)).status_code == 403
    assert client.get("/cases/new/duplicates?community_id=1&matter_id=1").status_code == 403


def test_only_the_district_files_at_district_level(app, client_as):
    assert 'name="district_level"' not in page_text(client_as("street_dispatcher").get("/cases/new"))
    client_as("street_dispatcher").post_form(
        "/cases/new", intake_data(app, description="街道勾选区级", district_level="y", state="closed"))
    client_as("district_admin").post_form(
        "/cases/new", intake_data(app, "jq-qs", description="区级受理", district_level="y"))
    with app.app_context():
        street = db.session.scalar(select(Case).where(Case.description == "街道勾选区级"))
        assert street.district_level is False and street.state == "new"   # fields not offered are ignored
        assert db.session.scalar(select(Case.district_level).where(Case.description == "区级受理")) is True


def test_a_retired_or_other_streets_matter_is_refused(app, client_as):
    with app.app_context():
        retired = matter("CS-ZF-005")
        retired.active = False
        db.session.commit()
    before = case_count(app)
    response = client_as("street_dispatcher").post_form("/cases/new", intake_data(app, matter_code="CS-ZF-005"))
    assert response.status_code == 422 and "field-error" in page_text(response)
    assert case_count(app) == before


def test_missing_description_keeps_what_was_typed(app, client_as):
    response = client_as("street_dispatcher").post_form("/cases/new", intake_data(app, description=" "))
    page = page_text(response)
    assert response.status_code == 422
    assert "铜铃巷17号门口" in page and "周丽华" in page
    assert re.search(r'name="matter_id" value="\d+" checked', page)     # the chosen item stays chosen


def test_a_good_photo_is_stored_with_the_case(app, client_as):
    data = intake_data(app, description="带照片的案件")
    data["photos"] = [(io.BytesIO(jpeg_bytes()), "a.jpg"), (io.BytesIO(jpeg_bytes((80, 60))), "b.jpg")]
    response = client_as("street_dispatcher").post_form("/cases/new", data, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.description == "带照片的案件"))
        assert [(a.kind, a.width) for a in case.attachments] == [("report", 64), ("report", 80)]
    assert len(stored_files(app)) >= 2


@pytest.mark.parametrize("name, payload, words", [
    ("big.jpg", "big", "照片超过"),
    ("note.png", "这只是一段文字".encode(), "不是照片"),
    ("shell.php.jpg", b"<?php system($_GET['c']); ?>", "不是照片"),
    ("shell.jpg", b"\xff\xd8\xff\xe0<?php echo 1; ?>", "不是照片"),
])
def test_bad_uploads_keep_the_form_and_store_nothing(app, client_as, name, payload, words):
    app.config["UPLOAD_MAX_BYTES"] = 8 * 1024     # small, so the test client keeps the body in memory
    if payload == "big":
        payload = jpeg_bytes((400, 300)) + b"\0" * (8 * 1024)
    files_before, cases_before = stored_files(app), case_count(app)
    with app.app_context():
        attachments_before = db.session.scalar(select(func.count()).select_from(Attachment))
    data = intake_data(app, description="坏照片不应留下任何东西")
    data["photos"] = [(io.BytesIO(jpeg_bytes()), "good.jpg"), (io.BytesIO(payload), name)]
    response = client_as("street_dispatcher").post_form("/cases/new", data, content_type="multipart/form-data")
    page = page_text(response)
    assert response.status_code == 422
    assert words in page and 'id="photos-error"' in page
    assert "坏照片不应留下任何东西" in page and "铜铃巷17号门口" in page and "周丽华" in page
    assert stored_files(app) == files_before and case_count(app) == cases_before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == attachments_before


def test_too_many_photos_are_refused(app, client_as):
    data = intake_data(app, description="七张照片")
    data["photos"] = [(io.BytesIO(jpeg_bytes()), f"{i}.jpg") for i in range(7)]
    response = client_as("street_dispatcher").post_form("/cases/new", data, content_type="multipart/form-data")
    assert response.status_code == 422 and "6" in page_text(response)
    assert sql_numbers(app, "description = '七张照片'") == set()


def test_possible_duplicates_are_shown_while_filling_in(app, client_as):
    found = ids(app, community_id="qt-tlx", matter_id="CS-ZF-003")
    with app.app_context():
        expected = {c.number for c in rules.possible_duplicates(found["community_id"], found["matter_id"])}
    assert expected   # the demo has a dispatched 占道 case in 铜铃巷 this week (and a rejected one, left out)
    client = client_as("street_dispatcher")
    response = client.htmx("GET", f"/cases/new/duplicates?community_id={found['community_id']}"
                                   f"&matter_id={found['matter_id']}")
    assert response.status_code == 200 and "<html" not in page_text(response)
    assert set(re.findall(r">([A-Z]{2}-\d{8}-\d{4})<", page_text(response))) == expected
    # Another street's community shows nothing, whatever the ids.
    hy = ids(app, community_id="hy-wyx", matter_id="CS-ZF-003")
    outside = client.htmx("GET", f"/cases/new/duplicates?community_id={hy['community_id']}&matter_id={hy['matter_id']}")
    assert "duplicate-hint" not in page_text(outside)
    assert "duplicate-hint" not in page_text(client.htmx("GET", "/cases/new/duplicates?community_id=x"))
    # The form, sent back with an error, shows the hint too.
    again = client.post_form("/cases/new", intake_data(app, description=""))
    assert "duplicate-hint" in page_text(again)


# --- the list --------------------------------------------------------------------------------------

def test_each_role_lists_exactly_its_scope(app, client_for):
    expected = {
        "admin": sql_numbers(app, "1=1"),
        "dispatcher": sql_numbers(app, "street_id = (SELECT id FROM street WHERE code='qt')"),
        "secretary2": sql_numbers(app, "street_id = (SELECT id FROM street WHERE code='hy')"),
        "grid": sql_numbers(app, "community_id = (SELECT id FROM community WHERE code='qt-bl')"),
        "chief": sql_numbers(app, 'id IN (SELECT case_id FROM assignment WHERE unit_id = '
                                  "(SELECT id FROM unit WHERE code='qt-zfd'))"),
        "chief2": sql_numbers(app, 'id IN (SELECT case_id FROM assignment WHERE unit_id = '
                                   "(SELECT id FROM unit WHERE code='hy-zfd'))"),
    }
    for username, wanted in expected.items():
        assert len(wanted) < lists.PAGE_SIZE
        assert set(numbers(client_for(username).get("/cases/"))) == wanted, username
    assert not any(n.startswith("QT") for n in expected["chief2"] | expected["secretary2"])


def test_a_unit_sees_only_its_own_units_light_and_name(app, client_for):
    # The stuck tough whistle: the chief's own part is on site, another unit never signed (red).
    with app.app_context():
        stuck = db.session.scalar(select(Case).join(Case.matter).where(Case.state == "in_progress",
                                                                       Case.level == 3))
        number = stuck.number
        assert rules.case_light(stuck) == "red"
        own = [a for a in stuck.assignments if a.unit.code == "qt-zfd"]
        expected = rules.light(own[0])
    page = page_text(client_for("chief").get(f"/cases/?q={number}"))
    row = page[page.index(f'data-case="{number}"'):]
    row = row[:row.index("</tr>")]
    assert f'data-light="{expected}"' in row
    export = client_for("chief").get(f"/cases/export.csv?q={number}").get_data().decode("utf-8-sig")
    assert "青檀派出所" not in export and "青檀街道城管执法队" in export


def test_filters(app, client_for):
    client = client_for("dispatcher")
    qt = "street_id = (SELECT id FROM street WHERE code='qt')"
    assert set(numbers(client.get("/cases/?state=returned"))) == sql_numbers(app, f"{qt} AND state='returned'")
    assert set(numbers(client.get("/cases/?level=3"))) == sql_numbers(app, f"{qt} AND level=3")
    tlx = ids(app, community_id="qt-tlx")["community_id"]
    assert set(numbers(client.get(f"/cases/?community={tlx}"))) == sql_numbers(app, f"{qt} AND community_id={tlx}")
    assert set(numbers(client.get("/cases/?category=emergency"))) == sql_numbers(
        app, f"{qt} AND matter_id IN (SELECT id FROM matter WHERE category='emergency')")
    assert set(numbers(client.get("/cases/?q=QT-2026"))) == sql_numbers(app, qt)
    assert numbers(client.get("/cases/?q=铜铃巷社区门口不存在的字")) == []
    # A street office never widens its scope by naming another street.
    hy = ids(app, community_id="hy-dl")["community_id"]
    assert set(numbers(client.get("/cases/?street=2"))) == sql_numbers(app, qt)
    assert set(numbers(client.get(f"/cases/?community={hy}"))) == sql_numbers(app, qt)
    # The district filters by street.
    admin = client_for("admin")
    assert set(numbers(admin.get("/cases/?street=2"))) == sql_numbers(app, "street_id=2")
    with app.app_context():
        now = utcnow()
        cases = db.session.scalars(rules.visible_cases(user("dispatcher"))).all()
        red = {c.number for c in cases if rules.case_light(c, now) == "red"}
        yellow = {c.number for c in cases if rules.case_light(c, now) == "yellow"}
    assert red and set(numbers(client.get("/cases/?light=red"))) == red
    assert set(numbers(client.get("/cases/?light=yellow"))) == yellow
    today = local_today().isoformat()
    with app.app_context():
        received_today = {c.number for c in cases if rules.to_local(c.created_at).date().isoformat() == today}
    assert set(numbers(client.get(f"/cases/?from={today}&to={today}"))) == received_today
    assert set(numbers(client.get("/cases/?from=not-a-date&state=nonsense&level=9"))) == sql_numbers(app, qt)


def test_text_search_escapes_like_wildcards(app, client_for):
    with app.test_request_context():
        rules.intake(user("dispatcher"), channel="inspector", community=community("qt-bl"),
                     description="占用率100%_的停车场")
        db.session.commit()
    client = client_for("dispatcher")
    assert len(numbers(client.get("/cases/?q=100%25_"))) == 1
    assert numbers(client.get("/cases/?q=%25")) == numbers(client.get("/cases/?q=100%25_"))


def test_sorting_accepts_only_the_offered_columns(app, client_for):
    client = client_for("admin")
    default = numbers(client.get("/cases/"))
    by_number = numbers(client.get("/cases/?sort=number&dir=asc"))
    assert by_number == sorted(by_number) and set(by_number) == set(default)
    assert numbers(client.get("/cases/?sort=number")) == sorted(by_number, reverse=True)
    for unknown in ("description", "reporter_phone", "id; DROP TABLE case", "created_at desc"):
        response = client.get(f"/cases/?sort={unknown}&dir=asc")
        assert response.status_code == 200
        assert numbers(response) == list(reversed(default)), unknown
    with app.app_context():
        states = dict(db.session.execute(select(Case.number, Case.state)).all())
    by_state = [states[n] for n in numbers(client.get("/cases/?sort=state&dir=asc"))]
    assert by_state == sorted(by_state)
    # Sorting by street is the district's only; a street office gets the default order.
    assert numbers(client_for("dispatcher").get("/cases/?sort=street")) == numbers(client_for("dispatcher").get("/cases/"))


def test_keyset_pages_cover_the_list_once_and_go_back(app):
    with app.test_request_context():
        admin = user("admin")
        for sort, direction in (("created", "desc"), ("number", "asc"), ("state", "desc"), ("street", "asc")):
            f = lists.CaseFilters(sort=sort, direction=direction)
            everything = [c.number for c in lists.search(admin, f, page_size=100).rows]
            seen, pages = [], []
            while True:
                page = lists.search(admin, f, page_size=7)
                pages.append((f.after, [c.number for c in page.rows], page.prev_cursor))
                seen += [c.number for c in page.rows]
                if not page.next_cursor:
                    break
                f = lists.CaseFilters(sort=sort, direction=direction, after=page.next_cursor)
            assert seen == everything, sort
            # "Previous" from the third page shows the second page again.
            third_prev = pages[2][2]
            back = lists.search(admin, lists.CaseFilters(sort=sort, direction=direction, before=third_prev),
                                page_size=7)
            assert [c.number for c in back.rows] == pages[1][1]
        garbled = lists.search(admin, lists.CaseFilters(after="not-a-cursor"), page_size=7)
        assert [c.number for c in garbled.rows] == [c.number for c in lists.search(
            admin, lists.CaseFilters(), page_size=7).rows]


def test_live_filtering_answers_htmx_with_the_results_only(app, client_for):
    response = client_for("dispatcher").htmx("GET", "/cases/?state=new")
    assert "<html" not in page_text(response) and 'id="case-table"' in page_text(response)
    assert "HX-Request" in response.headers["Vary"]


def test_counts_are_capped_unless_the_month_tallies_hold_them(app, client_for, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 5)
    with app.test_request_context():
        admin = user("admin")
        everything = db.session.scalar(text('SELECT count(*) FROM "case"'))
        page = lists.search(admin, lists.CaseFilters(), page_size=3)
        assert everything > 5 and (page.total, page.more_than) == (everything, False)
        page = lists.search(admin, lists.CaseFilters(date_from=date(2000, 1, 1)), page_size=3)
        assert (page.total, page.more_than) == (5, True)
    with app.test_request_context():          # a new case is counted at once
        rules.intake(user("dispatcher"), channel="inspector", community=community("qt-bl"), description="井盖缺失")
        db.session.commit()
    admin_client = client_for("admin")
    assert f"共 {everything + 1} 件" in page_text(admin_client.get("/cases/"))
    assert "超过 5 件" in page_text(admin_client.get("/cases/?from=2000-01-01"))


# --- export ----------------------------------------------------------------------------------------

def test_csv_export_is_excel_friendly_and_formula_safe(app, client_for):
    with app.test_request_context():
        rules.intake(user("dispatcher"), channel="inspector", community=community("qt-bl"),
                     description='=HYPERLINK("http://evil.example","点我")', address="+1 大街",
                     reporter_name="周丽华", reporter_phone="13911112233")
        db.session.commit()
    response = client_for("dispatcher").get("/cases/export.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == list(lists.EXPORT_COLUMNS) and rows[0][0] == "案件编号"
    assert {r[0] for r in rows[1:]} == sql_numbers(app, "street_id = (SELECT id FROM street WHERE code='qt')")
    evil = next(r for r in rows if "HYPERLINK" in r[6])
    assert evil[6].startswith("'=") and evil[5] == "'+1 大街"
    assert "13911112233" not in body.decode("utf-8-sig") and "周丽华" not in body.decode("utf-8-sig")


def test_export_follows_the_filters_and_the_scope(app, client_for):
    rows = list(csv.reader(io.StringIO(
        client_for("dispatcher").get("/cases/export.csv?state=returned&sort=number").get_data().decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == sql_numbers(
        app, "street_id = (SELECT id FROM street WHERE code='qt') AND state='returned'")
    chief2 = list(csv.reader(io.StringIO(client_for("chief2").get("/cases/export.csv").get_data().decode("utf-8-sig"))))
    assert chief2[1:] and all(r[0].startswith("HY") for r in chief2[1:])
    assert client_for("dispatcher").get("/cases/export.pdf").status_code == 404


def test_xlsx_export(app, client_for):
    response = client_for("admin").get("/cases/export.xlsx?street=3")
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(lists.EXPORT_COLUMNS)
    assert {r[0] for r in rows[1:]} == sql_numbers(app, "street_id = 3")
    assert {r[3] for r in rows[1:]} == {"金泉街道"}


def test_export_is_capped(app):
    with app.test_request_context():
        rows = list(lists.export_rows(user("admin"), lists.CaseFilters(), cap=4))
    assert len(rows) == 5


# --- my queue --------------------------------------------------------------------------------------

RED = """a.state IN ('dispatched','accepted','on_site','sent_back')
         AND (a.complete_deadline <= :now OR (a.state = 'dispatched' AND a.sign_deadline <= :now))"""


def direct_counts(role: str, u, now) -> dict[str, int]:
    """The queue's counts written out in SQL, independently of `lists`."""
    def one(sql, **params):
        return db.session.execute(text(sql), {"now": now, **params}).scalar()

    if role in ("district_admin", "street_secretary", "street_dispatcher"):
        office = "district_level = 1" if role == "district_admin" else \
            f"district_level = 0 AND street_id = {u.street_id}"
        watch = "1=1" if role == "district_admin" else f"street_id = {u.street_id}"
        base = f'SELECT count(*) FROM "case" c WHERE {office} AND '
        return {
            "triage": one(base + "state IN ('new', 'reopened')"),
            "dispatch": one(base + "state = 'triaged'"),
            "adjudicate": one(base + "state = 'returned'"),
            "verify": one(base + "(state = 'resolved' OR (state = 'in_progress' AND EXISTS ("
                                 "SELECT 1 FROM assignment s WHERE s.case_id = c.id AND s.state = 'submitted')))"),
            "overdue": one(f'SELECT count(DISTINCT a.case_id) FROM assignment a JOIN "case" c ON c.id = a.case_id '
                           f"WHERE {watch} AND {RED}"),
        }
    if role in ("unit_chief", "unit_staff"):
        unit = f"unit_id = {u.unit_id}"
        return {
            "sign": one(f"SELECT count(*) FROM assignment WHERE {unit} AND state = 'dispatched'"),
            "check_in": one(f"SELECT count(*) FROM assignment WHERE {unit} AND state = 'accepted'"),
            "report": one(f"SELECT count(*) FROM assignment WHERE {unit} AND state IN ('on_site', 'sent_back')"),
            "overdue": one(f"SELECT count(*) FROM assignment a WHERE a.{unit} AND {RED}"),
        }
    return {
        "community": one(f"SELECT count(*) FROM \"case\" WHERE community_id = {u.community_id} AND state = 'new'"),
        "overdue": one(f'SELECT count(DISTINCT a.case_id) FROM assignment a JOIN "case" c ON c.id = a.case_id '
                       f"WHERE c.community_id = {u.community_id} AND {RED}"),
    }


QUEUE_USERS = ["admin", "secretary", "dispatcher", "secretary2", "chief", "staff", "chief2", "grid",
               "qt-pcs-chief", "jq-gzs-chief", "jq-xfz-chief", "hy-jtd-chief"]


def test_queue_counts_equal_direct_sql_counts(app, client_for):
    with app.test_request_context():     # the demo has no new case in the grid worker's community
        rules.intake(user("grid"), channel="grid_worker", community=community("qt-bl"), description="楼道堆物")
        db.session.commit()
    nonzero = set()
    for username in QUEUE_USERS:
        with app.test_request_context():
            u = user(username)
            now = utcnow()
            expected = direct_counts(u.role, u, now)
            assert lists.queue_counts(u, now) == expected, username
            nonzero |= {tab for tab, n in expected.items() if n}
            for tab, n in expected.items():
                assert len(lists.queue_rows(u, tab, now)) == n, (username, tab)
        page = page_text(client_for(username).get("/cases/queue"))
        shown = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
        assert {k: int(v) for k, v in shown.items()} == expected, username
    # The demo gives every tab something to show.
    assert nonzero == set(lists.QUEUE_TABS)


def test_queue_counts_take_two_queries_whatever_the_data(app):
    statements = []
    with app.test_request_context():
        u, chief = user("dispatcher"), user("chief")
        engine = db.engine

        def count(*args):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            lists.queue_counts(u)
            office = len(statements)
            statements.clear()
            lists.queue_counts(chief)
            unit = len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert office == 2 and unit == 1


def test_queue_tabs_switch_by_htmx_and_counts_refresh(app, client_for):
    client = client_for("chief")
    page = page_text(client.get("/cases/queue"))
    assert 'hx-trigger="every 30s"' in page and "/cases/queue/counts" in page
    fragment = client.htmx("GET", "/cases/queue?tab=report")
    body = page_text(fragment)
    assert "<html" not in body and 'id="queue"' in body
    assert re.search(r'data-tab="report"\s+hx-get="[^"]+"[^>]*aria-current="page"', body)
    counts = page_text(client.htmx("GET", "/cases/queue/counts?tab=report"))
    assert counts.lstrip().startswith("<nav") and 'aria-current="page"' in counts
    # A tab the role does not have falls back to one it has.
    assert client.get("/cases/queue?tab=triage").status_code == 200


def test_unit_queue_lists_its_assignments_with_deadlines(app, client_for):
    with app.test_request_context():
        u = user("chief")
        rows = lists.queue_rows(u, "sign")
        assert rows and all(r.assignment.unit_id == u.unit_id and r.assignment.state == "dispatched" for r in rows)
        assert all(r.deadline == r.assignment.sign_deadline for r in rows)
        numbers_ = {r.case.number for r in rows}
    assert numbers_ <= set(numbers(client_for("chief").get("/cases/queue?tab=sign")))


def test_an_overdue_assignment_counts_whatever_its_cases_state(app, client_for):
    """The overdue tab follows the assignments, not the case's state: a finished case whose unit
    still owes overdue work stays in it (the open-case indexes must not hide it)."""
    with app.test_request_context():
        now = utcnow()
        case_id = db.session.execute(text(
            f'SELECT a.case_id FROM assignment a JOIN "case" c ON c.id = a.case_id '
            f"WHERE c.street_id = :street AND c.district_level = 0 AND {RED} LIMIT 1"),
            {"now": now, "street": user("secretary").street_id}).scalar()
        db.session.execute(text("UPDATE \"case\" SET state = 'closed' WHERE id = :id"), {"id": case_id})
        db.session.commit()
        number = db.session.get(Case, case_id).number
        for username in ("secretary", "admin"):
            u = user(username)
            counts = lists.queue_counts(u, now)
            assert counts == direct_counts(u.role, u, now), username
            overdue = lists.queue_rows(u, "overdue", now)
            assert len(overdue) == counts["overdue"] and number in {r.case.number for r in overdue}, username
    assert number in numbers(client_for("secretary").get("/cases/queue?tab=overdue"))


# --- ledgers ---------------------------------------------------------------------------------------

def test_forced_closure_ledger_scope(app, client_for):
    forced = sql_numbers(app, "forced_closure = 1")
    assert forced and all(n.startswith("QT") for n in forced)
    admin = page_text(client_for("admin").get("/cases/forced"))
    assert set(NUMBER.findall(admin)) == forced
    with app.app_context():
        reason = db.session.scalar(select(Case.forced_reason).where(Case.forced_closure.is_(True)))
        actor = db.session.scalar(select(CaseEvent).where(CaseEvent.action == "force_close")).actor.display_name
    assert reason in admin and actor in admin
    assert set(numbers(client_for("dispatcher").get("/cases/forced"))) == forced
    assert numbers(client_for("secretary2").get("/cases/forced")) == []
    assert numbers(client_for("admin").get("/cases/forced?street=2")) == []
    for name in ("chief", "staff", "grid"):
        assert client_for(name).get("/cases/forced").status_code == 403


def test_whistle_register_scope_and_filters(app, client_for):
    whistles = sql_numbers(app, "whistle_filed = 1")
    assert set(numbers(client_for("admin").get("/cases/register"))) == whistles
    assert set(numbers(client_for("secretary").get("/cases/register"))) == {n for n in whistles if n.startswith("QT")}
    assert set(numbers(client_for("secretary2").get("/cases/register"))) == {n for n in whistles if n.startswith("HY")}
    assert set(numbers(client_for("admin").get("/cases/register?kind=emergency"))) == sql_numbers(
        app, "whistle_filed = 1 AND whistle_kind = 'emergency'")
    assert set(numbers(client_for("admin").get("/cases/register?status=open"))) == sql_numbers(
        app, "whistle_filed = 1 AND state NOT IN ('closed', 'rejected')")
    page = page_text(client_for("admin").get("/cases/register"))
    assert "牵头" in page and "light-red" in page          # the units with their role and light
    for name in ("chief", "staff", "grid"):
        assert client_for(name).get("/cases/register").status_code == 403


@pytest.mark.parametrize("username, street, kind, status, where", [
    ("admin", None, "", "", "1=1"),
    ("admin", None, "tough", "", "whistle_kind = 'tough'"),
    ("admin", None, "", "closed", "state IN ('closed', 'rejected')"),
    ("admin", 1, "tough", "open", "street_id = 1 AND whistle_kind = 'tough' AND state NOT IN ('closed', 'rejected')"),
    ("secretary", None, "", "open", "street_id = 1 AND state NOT IN ('closed', 'rejected')"),
])
def test_whistle_register_counts_and_orders_its_whistles(app, username, street, kind, status, where):
    with app.test_request_context():
        expected = list(db.session.scalars(text(
            f'SELECT id FROM "case" WHERE whistle_filed = 1 AND {where} ORDER BY whistled_at DESC, id DESC')))
        result = lists.whistle_register(user(username), street=street, kind=kind, status=status)
        assert expected and (result.total, result.extra["more_than"]) == (len(expected), False)
        assert [row.case.id for row in result.rows] == expected[:lists.LEDGER_PAGE]
        for row in result.rows:
            lights = [light for _a, light in row.units]
            assert row.light == max(lights, key=rules.LIGHT_ORDER.__getitem__, default="none")


def test_the_district_whistle_count_is_capped_street_by_street(app):
    with app.test_request_context():
        streets = lists._all_street_ids()
        whistles = db.session.scalar(text('SELECT count(*) FROM "case" WHERE whistle_filed = 1'))
        assert lists.count_capped_by_street([lists.WHISTLE_FILED], streets) == (whistles, False)
        assert lists.count_capped_by_street([lists.WHISTLE_FILED], streets, cap=whistles - 1) == (whistles - 1, True)
        assert lists.count_capped_by_street([lists.WHISTLE_FILED], []) == (0, False)


def test_adjudication_queue_splits_street_and_district(app, client_for):
    street = sql_numbers(app, "state = 'returned' AND district_level = 0 AND street_id = 1")
    district = sql_numbers(app, "state = 'returned' AND district_level = 1")
    assert street and district
    assert set(numbers(client_for("dispatcher").get("/cases/adjudication"))) == street
    assert set(numbers(client_for("admin").get("/cases/adjudication"))) == district
    page = page_text(client_for("dispatcher").get("/cases/adjudication"))
    with app.app_context():
        reason = db.session.scalar(text("SELECT return_reason FROM assignment a JOIN \"case\" c ON c.id = a.case_id "
                                        "WHERE a.state = 'returned' AND c.state = 'returned' AND c.street_id = 1"))
    assert reason in page
    assert client_for("chief").get("/cases/adjudication").status_code == 403


# --- query plans (see the lists module docstring for the figures at 600k cases) ---------------------

def plans(app, username: str, f) -> list[str]:
    """EXPLAIN QUERY PLAN of each statement `ordered_ids` runs for the user's page."""
    seen = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with app.test_request_context():
        u = user(username)
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            lists.ordered_ids(u, f, utcnow(), lists.PAGE_SIZE + 1)
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        connection = db.session.connection()
        return [" | ".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
                for sql, params in seen if 'FROM "case"' in sql]


def test_the_lists_follow_their_indexes(app):
    walk = "ix_case_street_created (street_id=?)"
    (street,) = plans(app, "dispatcher", lists.CaseFilters())
    assert walk in street and "TEMP B-TREE" not in street
    (district,) = plans(app, "admin", lists.CaseFilters())
    assert "COVERING INDEX ix_case_created (created_at<?)" in district and "TEMP B-TREE" not in district
    (one_street,) = plans(app, "admin", lists.CaseFilters(street=2))
    assert walk in one_street and "TEMP B-TREE" not in one_street
    filtered = plans(app, "admin", lists.CaseFilters(level=2, community=5, category="enforcement"))
    assert all(walk in p and "TEMP B-TREE" not in p for p in filtered)
    (by_number,) = plans(app, "dispatcher", lists.CaseFilters(sort="number"))
    assert "TEMP B-TREE" not in by_number
    (by_state,) = plans(app, "admin", lists.CaseFilters(sort="state"))
    assert "ix_case_state_created" in by_state and "TEMP B-TREE" not in by_state
    (unit,) = plans(app, "chief", lists.CaseFilters())
    assert "COVERING INDEX ix_assignment_unit_case (unit_id=?)" in unit
    (number,) = plans(app, "admin", lists.CaseFilters(q="QT-2026"))
    assert "(number>? AND number<?)" in number
    with app.app_context():
        forced = db.session.connection().exec_driver_sql(
            'EXPLAIN QUERY PLAN SELECT id FROM "case" WHERE forced_closure = 1 ORDER BY closed_at DESC').all()
    assert "ix_case_forced_closed" in forced[0][3]


# The work queue and the whistle register, statement by statement, with and without planner
# statistics: the demo has none; `volume_app` has 2,000 cases with statistics scaled to 600,000 (as
# the benchmark's database, which ran ANALYZE).

LARGE_SCAN = re.compile(r"\bSCAN (case|assignment)\b")     # any scan of either table, even of an index
OFFICE_QUEUE = [f"/cases/queue?tab={tab}" for tab in lists.OFFICE_TABS]
UNIT_QUEUE = [f"/cases/queue?tab={tab}" for tab in lists.ROLE_TABS["unit_chief"]]
QUEUE_AND_REGISTER = [
    *[("secretary", path) for path in (*OFFICE_QUEUE, "/cases/queue/counts")],
    *[("admin", path) for path in OFFICE_QUEUE],
    *[("chief", path) for path in UNIT_QUEUE],
    ("grid", "/cases/queue?tab=community"), ("grid", "/cases/queue?tab=overdue"),
    *[(name, f"/cases/register{query}") for name in ("secretary", "admin")
      for query in ("", "?kind=emergency", "?status=closed&page=2", "?kind=tough&status=open")],
    ("admin", "/cases/register?street=1"),
]


@pytest.fixture
def volume_app(app):
    from portal.figures.volume import seed_volume

    with app.app_context():
        seed_volume(2000, seed=7)
        with db.engine.begin() as conn:
            for tbl, idx, stat in conn.exec_driver_sql("SELECT tbl, idx, stat FROM sqlite_stat1").all():
                if tbl in ("case", "assignment"):
                    first, *rest = stat.split(" ")
                    rest = [str(int(n) * 300) if n.isdigit() and int(n) > 10 else n for n in rest]
                    conn.exec_driver_sql("UPDATE sqlite_stat1 SET stat = ? WHERE tbl = ? AND idx IS ?",
                                         (" ".join([str(int(first) * 300), *rest]), tbl, idx))
        db.session.remove()
        db.engine.dispose()            # new connections read the new statistics
    return app


def page_plans(app, client, path) -> list[tuple[str, str]]:
    """(EXPLAIN QUERY PLAN, statement) of every statement on `case` or `assignment` a GET runs."""
    seen = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    with app.app_context():
        connection = db.session.connection()
        return [(" | ".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)),
                 " ".join(sql.split())) for sql, params in seen if re.search(r'FROM ("case"|assignment\b)', sql)]


def check_queue_and_register_plans(app, client_for):
    clients = {}
    for username, path in QUEUE_AND_REGISTER:
        client = clients.setdefault(username, client_for(username))
        plans_ = page_plans(app, client, path)
        # A handful of statements whatever the number of rows (no query per row), none reading a
        # whole table.
        assert 1 <= len(plans_) <= 5, (username, path, [sql for _plan, sql in plans_])
        assert not [plan for plan, _sql in plans_ if LARGE_SCAN.search(plan)], (username, path, plans_)
        statements = dict((sql, plan) for plan, sql in plans_)

        def plan_of(start):
            found = [plan for sql, plan in statements.items() if sql.startswith(start)]
            assert len(found) == 1, (username, path, start, list(statements))
            return found[0]

        if path.startswith("/cases/queue") and username in ("secretary", "admin"):
            # The open cases' partial index alone (however SQLite seeks into it), so the tabs' work
            # grows with the open cases, not with all cases.
            open_cases = "COVERING INDEX ix_case_open_office ("
            tabs = plan_of("SELECT count(*) FILTER")
            assert open_cases in tabs, (username, path, tabs)
            red = "COVERING INDEX ix_assignment_state_complete_case (state=? AND complete_deadline<?)"
            red_sign = "COVERING INDEX ix_assignment_state_sign_case (state=? AND sign_deadline<?)"
            if username == "admin":
                overdue = plan_of("SELECT count(DISTINCT")
                assert " case " not in f" {overdue} "          # the district's: from `assignment` alone
            else:
                overdue = plan_of('SELECT count(*) AS count_1 FROM "case"')
                assert "COVERING INDEX ix_case_street (street_id=? AND rowid=?)" in overdue
            assert red in overdue and red_sign in overdue
            if "counts" not in path and "overdue" not in path:
                picked = plan_of("WITH picked")
                assert open_cases in picked and "ix_case_street_created" not in picked, (username, path, picked)
        elif path.startswith("/cases/queue") and username == "chief":
            assert "ix_assignment_unit_state (unit_id=? AND state=?)" in plan_of("WITH picked")
        elif path.startswith("/cases/queue"):
            assert "COVERING INDEX ix_case_open_community (community_id=?" in plan_of("SELECT count(*) FILTER")
            if path.endswith("community"):
                assert "COVERING INDEX ix_case_open_community (community_id=?" in plan_of("WITH picked")
        else:
            count = plan_of("SELECT count(*)")
            page = plan_of('SELECT "case".id FROM "case"')
            district = username == "admin" and "street=" not in path
            assert "TEMP B-TREE" not in page
            assert ("ix_case_whistled (whistle_filed=?)" if district else
                    "COVERING INDEX ix_case_whistles_street (street_id=?)") in page
            assert ("ix_case_whistled (whistle_filed=?)" if district and "?" not in path else
                    "COVERING INDEX ix_case_whistles_street (street_id=?)") in count


def test_the_queue_and_the_register_follow_their_indexes(app, client_for):
    check_queue_and_register_plans(app, client_for)


def test_the_queue_and_the_register_follow_their_indexes_at_full_size(volume_app, client_for):
    check_queue_and_register_plans(volume_app, client_for)


def test_the_partial_indexes_are_migrated_as_the_models_say(app):
    """Alembic compares an index's columns, not its WHERE: check what the migrations built."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex

    with app.app_context():
        built = dict(db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                             "AND tbl_name IN ('case', 'assignment') AND sql IS NOT NULL")).all())
    for index in (*Case.__table__.indexes, *Assignment.__table__.indexes):
        expected = str(CreateIndex(index).compile(dialect=sqlite.dialect()))
        assert " ".join(built[index.name].split()) == " ".join(expected.split()), index.name


def test_export_cells_are_chinese_whatever_the_interface_language(app, client_for):
    from flask_babel import force_locale

    from portal.cases.models import CASE_STATES

    with app.test_request_context(), force_locale("zh_CN"):
        returned = str(CASE_STATES["returned"])
    assert returned and returned != "Returned"
    dispatcher = client_for("dispatcher")
    dispatcher.post_form("/lang", {"lang": "en"})
    rows = list(csv.reader(io.StringIO(
        dispatcher.get("/cases/export.csv?state=returned").get_data().decode("utf-8-sig"))))
    state_column = lists.EXPORT_COLUMNS.index("状态")
    assert rows[1:] and {r[state_column] for r in rows[1:]} == {returned}
