"""Import and export: every bad row reported, nothing imported until clean, exports re-import."""
import csv
import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.audit.models import AuditEvent
from portal.duties import transfer
from portal.duties.models import Matter, MatterRevision
from portal.extensions import db

HEADER = ["编码", "事项名称", "类型", "类别", "启动情形和标准", "牵头部门", "配合部门", "法规依据",
          "签收时限", "办结时限", "时限单位", "是否公开", "公开名称"]
GOOD = [
    ["QT-NEW-001", "楼道堆物清理", "街道职责", "重点工作", "楼道内堆放杂物影响消防通道的。", "", "", "", "1", "3",
     "工作日", "是", "楼道里堆满杂物"],
    ["QT-NEW-002", "小区违规充电治理", "共有事项", "综合执法", "电动自行车入户充电、飞线充电的。", "消防救援支队",
     "公安分局、城管执法局", "《中华人民共和国消防法》第二十八条", "2", "5", "工作日", "否", ""],
    ["QT-NEW-003", "汛期地下室进水排险", "街道职责", "应急处置", "暴雨导致地下室进水的。", "水务局", "",
     "", "1", "3", "小时", "是", "地下室进水了"],
    ["QT-NEW-004", "社区议事协商记录", "街道职责", "重点工作", "", "", "", "", "2", "5", "工作日", "否", ""],
]


def _csv(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def _upload(client, data: bytes, name="清单.csv"):
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart({"csrf_token": client.csrf(),
                                       "file": FileStorage(io.BytesIO(data), filename=name)})
    return client.post("/duties/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _confirm(client, preview_html: str):
    token = re.search(r'name="token" value="([0-9a-f]{32})"', preview_html).group(1)
    ext = re.search(r'name="ext" value="(\w+)"', preview_html).group(1)
    return client.post_form("/duties/import/confirm", {"token": token, "ext": ext, "filename": "清单"})


def _count(app, **where) -> int:
    with app.app_context():
        query = select(func.count(Matter.id))
        for key, value in where.items():
            query = query.where(getattr(Matter, key) == value)
        return db.session.scalar(query)


def test_three_bad_rows_are_all_reported_and_nothing_is_imported(app, client_for):
    bad = [list(r) for r in GOOD]
    bad[0][5] = "火星管理局"        # row 2: unknown lead department
    bad[1][1] = ""                 # row 3: missing title
    bad[2][8] = "两天"              # row 4: bad limit
    before = _count(app)
    with app.app_context():
        revisions = db.session.scalar(select(func.count(MatterRevision.id)))
    secretary = client_for("secretary")
    response = _upload(secretary, _csv(bad))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "未导入任何内容" in html and "3 处问题" in html
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
    assert [(r, c) for r, c, _m in rows] == [("2", "牵头部门"), ("3", "事项名称"), ("4", "签收时限")]
    assert "火星管理局" in rows[0][2] and "缺少事项名称" in rows[1][2] and "两天" in rows[2][2]
    assert 'name="token"' not in html
    assert _count(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(MatterRevision.id))) == revisions

    # The corrected file previews clean, imports nothing until confirmed, then imports all rows at once.
    preview = _upload(secretary, _csv(GOOD))
    preview_html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "检查通过" in preview_html and "新增 4 项" in preview_html
    assert _count(app) == before
    done = _confirm(secretary, preview_html)
    assert done.status_code == 302
    assert _count(app) == before + 4
    with app.app_context():
        m = db.session.scalar(select(Matter).where(Matter.code == "QT-NEW-002"))
        assert m.owner_street.code == "qt" and m.lead_department.code == "xf"
        assert sorted(d.code for d in m.cooperating_departments) == ["cgzf", "gaj"]
        assert db.session.scalar(select(Matter.limit_unit).where(Matter.code == "QT-NEW-003")) == "hours"
        assert db.session.scalar(select(MatterRevision.action).where(MatterRevision.matter_id == m.id)) == "imported"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "duties.import"))
        assert event.details["new"] == 4
    assert "导入完成" in secretary.get("/duties/").get_data(as_text=True)
    # the preview cannot be confirmed twice
    assert _confirm(secretary, preview_html).status_code == 400


def test_more_row_errors(app, client_for):
    rows = [list(r) for r in GOOD]
    rows[1][0] = "QT-NEW-001"      # row 3: duplicate code within the file
    rows[2][0] = "CS-ZF-001"       # row 4: a district item the secretary may not edit
    rows[3][2] = "大事项"           # row 5: bad kind
    rows[3][3] = "其他"             # row 5: bad category
    rows[0][9] = "0"               # row 2: limit out of range
    rows[0][6] = "城管执法局、不存在局"  # row 2: one unknown cooperating department
    html = _upload(client_for("secretary"), _csv(rows)).get_data(as_text=True)
    found = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
    cells = {(r, c) for r, c, _m in found}
    assert {("3", "编码"), ("4", "编码"), ("5", "类型"), ("5", "类别"), ("2", "办结时限"), ("2", "配合部门")} <= cells
    messages = " ".join(m for _r, _c, m in found)
    assert "第 2 行" in messages and "无权修改" in messages and "不存在局" in messages


def test_whole_file_problems(client_for):
    secretary = client_for("secretary")
    assert "请上传 .csv 或 .xlsx 文件" in _upload(secretary, b"x", "list.txt").get_data(as_text=True)
    big = _upload(secretary, b"a" * (transfer.MAX_BYTES + 10))
    assert big.status_code == 422 and "文件超过 2 MB" in big.get_data(as_text=True)
    many = [[f"QT-M-{i}", "事项", "街道职责", "重点工作", "", "", "", "", "1", "2", "", "", ""]
            for i in range(transfer.MAX_ROWS + 1)]
    assert "文件超过 1000 行" in _upload(secretary, _csv(many)).get_data(as_text=True)
    headless = _upload(secretary, _csv(GOOD, header=["code", "title"])).get_data(as_text=True)
    assert "缺少" in headless and "类型" in headless
    assert "不是有效的 XLSX" in _upload(secretary, b"PK\x03\x04junk", "a.xlsx").get_data(as_text=True)


def test_gbk_csv_from_excel_is_read(client_for):
    response = _upload(client_for("secretary"), _csv(GOOD, encoding="gb18030"))
    assert response.status_code == 200 and "新增 4 项" in response.get_data(as_text=True)


def test_xlsx_import_refuses_formulas(client_for):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(GOOD[0])
    sheet["B2"] = '=HYPERLINK("http://evil.example","点我")'
    buffer = io.BytesIO()
    workbook.save(buffer)
    html = _upload(client_for("secretary"), buffer.getvalue(), "清单.xlsx").get_data(as_text=True)
    assert "不接受公式" in html


def test_export_has_chinese_headers_bom_and_neutralised_formulas(app, client_for, matter_id):
    target = matter_id("QT-ZZ-007")
    with app.app_context():
        db.session.get(Matter, target).title = "=1+2 楼道"
        db.session.commit()
    response = client_for("secretary").get("/duties/export.csv?q=QT-ZZ-00")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["编码", "事项名称", "类型", "类别"]
    assert len(rows) == 1 + 9
    assert ["'=1+2 楼道"] == [r[1] for r in rows if r[0] == "QT-ZZ-007"]
    xlsx = client_for("secretary").get("/duties/export.xlsx?q=QT-ZZ-007")
    sheet = load_workbook(io.BytesIO(xlsx.data), read_only=True).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][1] == "事项名称" and values[1][1] == "'=1+2 楼道"
    assert all(getattr(c, "data_type", "s") != "f" for row in sheet.iter_rows() for c in row)


def _street_state(app):
    with app.app_context():
        from portal.duties import services
        return {m.code: services.snapshot(m) | {"active": m.active} for m in db.session.scalars(
            select(Matter).where(Matter.owner_street_id == 1))}


def _round_trip(app, client, fmt: str):
    """Export the street's list, change it in the portal, re-import the export: the list is back."""
    exported = client.get(f"/duties/export.{fmt}?owner=1&status=all").data
    name = f"清单.{fmt}"
    unchanged = _upload(client, exported, name).get_data(as_text=True)
    assert "新增 0 项，修改 0 项，20 项无变化" in unchanged
    original = _street_state(app)
    with app.app_context():
        m = db.session.scalar(select(Matter).where(Matter.code == "QT-ZZ-008"))
        m.title, m.sign_limit, m.cooperating_departments = "-改乱了", 9, []
        retired = db.session.scalar(select(Matter).where(Matter.code == "QT-GY-001"))
        retired.active = False
        db.session.commit()
    preview = _upload(client, exported, name).get_data(as_text=True)
    assert "修改 2 项" in preview
    assert _confirm(client, preview).status_code == 302
    assert _street_state(app) == original


def test_csv_export_reimports_to_the_same_list(app, client_for, matter_id):
    with app.app_context():
        db.session.get(Matter, matter_id("QT-ZZ-009")).scenario = "=危险公式？不，是正文。\n第二行"
        db.session.commit()
    _round_trip(app, client_for("secretary"), "csv")


def test_xlsx_export_reimports_to_the_same_list(app, client_for):
    _round_trip(app, client_for("secretary"), "xlsx")


def test_admin_round_trip_of_the_district_list(app, client_for):
    admin = client_for("admin")
    exported = admin.get("/duties/export.xlsx?owner=district").data
    html = _upload(admin, exported, "区级.xlsx").get_data(as_text=True)
    assert "新增 0 项，修改 0 项，45 项无变化" in html
    # the admin's whole export also holds the streets' items, which the admin may not edit
    everything = admin.get("/duties/export.csv").data
    clash = _upload(admin, everything).get_data(as_text=True)
    assert "20 处问题" in clash and "无权修改" in clash


def test_other_users_cannot_confirm_a_preview(client_for):
    preview = _upload(client_for("secretary"), _csv(GOOD)).get_data(as_text=True)
    assert _confirm(client_for("secretary2"), preview).status_code == 400
