"""Reading the list: scope per role, search, filters, counts, paging, detail, public page, picker."""
import pytest
from sqlalchemy import func, select

from portal.duties import active_matters_for, demo, services
from portal.duties.demo_data import DISTRICT_MATTERS, STREET_DUTIES
from portal.duties.models import Matter, MatterRevision
from portal.extensions import db


# --------------------------------------------------------------------------- permissions

VISITOR = None
ROLES = ["admin", "secretary", "dispatcher", "chief", "staff", "grid", "secretary2", VISITOR]


def _client(client, client_for, who):
    return client if who is VISITOR else client_for(who)


# expected status per user for each (method, url template); "qt" = an item of 青檀街道's own
# list (the demo secretary's street), "hy" = an item of 槐荫街道's (secretary2's), "cs" = district.
MATRIX = {
    ("GET", "/duties/"): {"*": 200, VISITOR: 302},
    ("GET", "/duties/{cs}"): {"*": 200, VISITOR: 302},
    ("GET", "/duties/{qt}"): {"*": 200, "secretary2": 404, VISITOR: 302},
    ("GET", "/duties/{hy}"): {"*": 404, "admin": 200, "secretary2": 200, VISITOR: 302},
    ("GET", "/duties/{qt}/history"): {"*": 200, "secretary2": 404, VISITOR: 302},
    ("GET", "/duties/{hy}/history"): {"*": 404, "admin": 200, "secretary2": 200, VISITOR: 302},
    ("GET", "/duties/{cs}/edit"): {"*": 403, "admin": 200, VISITOR: 302},
    ("GET", "/duties/{qt}/edit"): {"*": 403, "secretary": 200, "secretary2": 404, VISITOR: 302},
    ("GET", "/duties/{hy}/edit"): {"*": 403, "secretary": 404, "secretary2": 200, VISITOR: 302},
    ("GET", "/duties/new"): {"*": 403, "admin": 200, "secretary": 200, "secretary2": 200, VISITOR: 302},
    ("GET", "/duties/import"): {"*": 403, "admin": 200, "secretary": 200, "secretary2": 200, VISITOR: 302},
    ("POST", "/duties/import/confirm"): {"*": 403, "admin": 400, "secretary": 400, "secretary2": 400,
                                         VISITOR: 302},
    ("POST", "/duties/{qt}/active"): {"*": 403, "secretary": 302, "secretary2": 404, VISITOR: 302},
    ("POST", "/duties/{cs}/active"): {"*": 403, "admin": 302, VISITOR: 302},
    ("GET", "/duties/export.csv"): {"*": 200, VISITOR: 302},
    ("GET", "/duties/export.pdf"): {"*": 404, VISITOR: 302},
    ("GET", "/duties/pick?q=x"): {"*": 200, VISITOR: 302},
    ("GET", "/duties/public"): {"*": 200},
    ("GET", "/duties/999999"): {"*": 404, VISITOR: 302},
}


@pytest.mark.parametrize("who", ROLES, ids=lambda w: w or "visitor")
def test_every_route_for_every_role(client, client_for, matter_id, make_matter, who):
    ids = {"cs": matter_id("CS-ZF-001"), "qt": matter_id("QT-ZZ-001"), "hy": make_matter("HY-T-1")}
    c = _client(client, client_for, who)
    failures = []
    for (method, template), expected in MATRIX.items():
        url = template.format(**ids)
        want = expected.get(who, expected["*"])
        if method == "POST":
            # retire with the current version; a second run restores (same status either way)
            data = {"csrf_token": c.csrf(), "active": "0", "version": "1"}
            response = c.post(url, data=data)
        else:
            response = c.get(url)
        if response.status_code != want:
            failures.append((method, url, response.status_code, want))
    assert failures == []


def test_lists_follow_the_user_scope(client_for, make_matter):
    make_matter("HY-T-1", title="槐荫独有事项")
    secretary, secretary2 = client_for("secretary"), client_for("secretary2")
    assert "QT-ZZ-001" in secretary.get("/duties/?q=QT-ZZ-001").get_data(as_text=True)
    assert "槐荫独有事项" not in secretary.get("/duties/?q=槐荫独有&status=all").get_data(as_text=True)
    assert "槐荫独有事项" in secretary2.get("/duties/?q=槐荫独有").get_data(as_text=True)
    assert "QT-ZZ-001" not in secretary2.get("/duties/?q=QT-ZZ&status=all").get_data(as_text=True)
    assert "CS-ZF-001" in secretary2.get("/duties/?q=CS-ZF-001").get_data(as_text=True)
    assert "槐荫独有事项" in client_for("admin").get("/duties/?q=槐荫独有").get_data(as_text=True)
    # asking for another street's list by its id gives nothing, not that street's items
    with_owner = client_for("secretary").get("/duties/?q=槐荫独有&owner=2").get_data(as_text=True)
    assert "槐荫独有事项" not in with_owner


def test_unit_and_grid_users_read_their_streets_list(client_for):
    for who in ("chief", "grid", "dispatcher"):
        html = client_for(who).get("/duties/?q=QT-ZZ-00").get_data(as_text=True)
        assert "背街小巷日常保洁巡查" in html, who


# -------------------------------------------------------------------------------- search

def test_secretary_finds_group_rentals_by_part_of_the_word(client_for):
    html = client_for("secretary").get("/duties/?q=群租").get_data(as_text=True)
    assert "地下空间群租整治" in html and "住宅群租房专项整治" in html
    assert "平房院落和群租房消防安全巡视检查" in html  # the street's own list too
    assert "新生违建查处" not in html


def test_secretary_finds_illegal_construction_live(client_for):
    response = client_for("secretary").get("/duties/?q=违建", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Vary" in response.headers and "HX-Request" in response.headers["Vary"]
    assert "<nav class=\"top\"" not in html and 'id="duty-rows"' in html
    assert "新生违建查处" in html and "存量违建拆除攻坚" in html
    assert "地下空间群租整治" not in html


def test_search_covers_scenario_and_legal_basis(client_for):
    by_law = client_for("admin").get("/duties/?q=城乡规划法").get_data(as_text=True)
    assert "新生违建查处" in by_law
    by_scenario = client_for("admin").get("/duties/?q=人防工程").get_data(as_text=True)
    assert "地下空间群租整治" in by_scenario


def test_like_wildcards_are_literal(client_for):
    html = client_for("admin").get("/duties/?q=%25").get_data(as_text=True)
    assert "共 0 项" in html


def test_filters_and_counts_per_category(client_for, app):
    admin = client_for("admin")
    html = admin.get("/duties/?owner=district").get_data(as_text=True)
    assert "共 45 项" in html
    for category, n in (("enforcement", 18), ("key_work", 12), ("emergency", 8), ("fallback", 7)):
        assert f'data-category-count="{category}">{n}<' in html
    only = admin.get("/duties/?owner=district&category=emergency").get_data(as_text=True)
    assert "共 8 项" in only and 'data-category-count="enforcement">18<' in only
    street = admin.get("/duties/?kind=duty").get_data(as_text=True)
    assert "QT-ZZ-001" in street and "CS-ZF-001" not in street
    with app.app_context():
        from portal.org.models import Department
        rfb = db.session.scalar(select(Department.id).where(Department.code == "rfb"))
    civil = admin.get(f"/duties/?department={rfb}").get_data(as_text=True)
    assert "地下空间群租整治" in civil and "新生违建查处" not in civil  # cooperating counts too


def test_paging_and_sorting(client_for):
    admin = client_for("admin")
    first = admin.get("/duties/").get_data(as_text=True)
    second = admin.get("/duties/?page=2").get_data(as_text=True)
    assert "共 65 项" in first and 'rel="next"' in first
    assert "CS-YJ-001" in first and "CS-YJ-001" not in second
    by_limit = admin.get("/duties/?sort=complete_limit&dir=desc").get_data(as_text=True)
    assert _first_code(by_limit) == "CS-ZD-002"  # the longest completion limit (20 working days)
    unknown = admin.get("/duties/?sort=scenario;drop").get_data(as_text=True)
    assert unknown.count("<tr>") > 20 and _first_code(unknown) == _first_code(first)  # code order


def _first_code(html: str) -> str:
    return html.split('<tbody id="duty-rows">', 1)[1].split("<td>", 1)[1].split("</td>", 1)[0]


# ------------------------------------------------------------------------ detail, public

def test_detail_shows_who_answers_and_limits(client_for, matter_id):
    html = client_for("secretary").get(f"/duties/{matter_id('CS-ZF-001')}").get_data(as_text=True)
    assert "嘉禾区房屋管理局" in html and "青檀房管所" in html and "青檀派出所" in html
    assert "本街道无派驻机构" in html and "嘉禾区人民防空办公室" in html
    assert "2 个工作日内签收" in html and "10 个工作日内办结" in html
    assert f"/duties/{matter_id('CS-ZF-001')}/edit" not in html  # a district item: read only for her
    admin = client_for("admin").get(f"/duties/{matter_id('CS-ZF-001')}?street=2").get_data(as_text=True)
    assert "槐荫房管所" in admin


def test_public_page_shows_public_items_in_plain_words(client, matter_id):
    html = client.get("/duties/public?street=qt").get_data(as_text=True)
    assert "地下室里有人群租居住" in html and "房管局" in html
    assert "胡同小巷没人扫、有垃圾" in html  # the street's own public item
    assert "出租房屋涉嫌传销" not in html  # internal
    assert "CS-ZF-001" not in html and "《" not in html  # no codes, no legal text
    other = client.get("/duties/public?street=hy", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "地下室里有人群租居住" in other and "胡同小巷没人扫、有垃圾" not in other and "<nav" not in other


# ------------------------------------------------------------------------------- picker

def test_picker_offers_active_items_in_scope(client_for, app, user_by_name, make_matter):
    make_matter("HY-T-1", title="槐荫群租巡查")
    admin = user_by_name("admin")
    html = client_for("secretary").get("/duties/pick?q=群租&name=matter").get_data(as_text=True)
    assert html.lstrip().startswith("<li") and 'name="matter"' in html
    assert "地下空间群租整治" in html and "槐荫群租巡查" not in html
    options = client_for("secretary2").get("/duties/pick?q=群租&as=option").get_data(as_text=True)
    assert "<option" in options and "槐荫群租巡查" in options
    bad_name = client_for("secretary").get('/duties/pick?q=群租&name="><x').get_data(as_text=True)
    assert 'name="matter_id"' in bad_name
    with app.app_context():
        assert {m.code for m in active_matters_for(None, "群租")} == {"CS-ZF-001", "CS-ZD-001"}
        street_codes = {m.code for m in active_matters_for(1, "群租")}
        assert "QT-GY-002" in street_codes and "CS-ZF-001" in street_codes
        assert len(active_matters_for(admin, "", 5)) == 5


def test_retired_items_leave_pickers_but_detail_still_shows_them(client_for, app, matter_id):
    secretary = client_for("secretary")
    target = matter_id("QT-GY-002")
    assert "平房院落和群租房消防安全巡视检查" in secretary.get("/duties/pick?q=群租").get_data(as_text=True)
    secretary.post_form(f"/duties/{target}/active", {"active": "0", "version": "1"})
    assert "平房院落和群租房消防安全巡视检查" not in secretary.get("/duties/pick?q=群租").get_data(as_text=True)
    with app.app_context():
        assert "QT-GY-002" not in {m.code for m in active_matters_for(1, "群租")}
        assert db.session.get(Matter, target).active is False  # retired, never deleted
    detail = secretary.get(f"/duties/{target}")
    assert detail.status_code == 200 and "已停用" in detail.get_data(as_text=True)
    assert "QT-GY-002" not in secretary.get("/duties/?q=群租").get_data(as_text=True)
    assert "QT-GY-002" in secretary.get("/duties/?q=群租&status=retired").get_data(as_text=True)
    secretary.post_form(f"/duties/{target}/active", {"active": "1", "version": "2"})
    assert "平房院落和群租房消防安全巡视检查" in secretary.get("/duties/pick?q=群租").get_data(as_text=True)


# --------------------------------------------------------------------------------- demo

def test_demo_seed_is_idempotent(app):
    with app.app_context():
        before = db.session.scalar(select(func.count(Matter.id)))
        revisions = db.session.scalar(select(func.count(MatterRevision.id)))
        demo.seed()
        db.session.commit()
        assert before == len(DISTRICT_MATTERS) + len(STREET_DUTIES) == 65
        assert db.session.scalar(select(func.count(Matter.id))) == before
        assert db.session.scalar(select(func.count(MatterRevision.id))) == revisions
        assert db.session.scalar(select(func.count(Matter.id)).where(Matter.owner_street_id.is_(None))) == 45


def test_navigation_entry(client_for):
    html = client_for("grid").get("/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/duties/"' in html and "职责清单" in html


def test_scope_rules_without_http(app, user_by_name, matter_id):
    secretary, secretary2, admin = (user_by_name(n) for n in ("secretary", "secretary2", "admin"))
    qt_id, cs_id = matter_id("QT-ZZ-001"), matter_id("CS-ZF-001")
    with app.app_context():
        qt, cs = db.session.get(Matter, qt_id), db.session.get(Matter, cs_id)
        assert services.can_edit(secretary, qt) and not services.can_edit(secretary, cs)
        assert services.can_edit(admin, cs) and not services.can_edit(admin, qt)
        assert not services.can_read(secretary2, qt) and services.can_read(secretary2, cs)


def test_picker_macro_for_other_areas(app, client_for):
    with app.test_request_context():
        from flask import render_template_string
        html = render_template_string('{% from "duties/_picker.html" import matter_picker %}'
                                      '{{ matter_picker("matter_id") }}')
    assert 'hx-get="/duties/pick?name=matter_id"' in html and 'id="matter_id-options"' in html
    answer = client_for("grid").get("/duties/pick?name=matter_id&matter_id_q=违建",
                                    headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "新生违建查处" in answer and 'name="matter_id"' in answer
