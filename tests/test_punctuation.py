"""Punctuation between translated pieces comes from the catalog (`portal.punctuation`): a Chinese
page reads "日常哨，2026-…", "原因：…", "（综合执法）", "房管局、公安分局" with no space around
Chinese names, an English page keeps ", ", ": ", " (…)"; the pieces put into the format strings
stay escaped."""
from __future__ import annotations

import html as htmllib
import re

import pytest
from sqlalchemy import select

from portal.extensions import db

CJK = "[\u4e00-\u9fff]"


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def seen(html: str) -> str:
    """The text a reader sees: tags dropped, runs of white space as one space (as a browser shows
    them), one line per block."""
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    html = re.sub(r"\s+", " ", html)
    html = re.sub(r"</?(br|p|div|li|tr|dd|dt|h\d|td|th|ul|ol|section|summary|details|desc|title)\b[^>]*>",
                  "\n", html)
    html = re.sub(r"<[^>]+>", "", html)
    return htmllib.unescape(re.sub(r" *\n[\n ]*", "\n", html))


def in_english(client):
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    return client


@pytest.fixture
def whistled(app):
    """The demo's routine whistle: a matter with cooperating departments, a resident's rating
    with a comment, a note for the resident, a tracking code."""
    from portal.cases.models import Case

    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.whistle_kind == "routine", Case.state == "closed")
                                 .order_by(Case.id))
        return case.id, case.tracking_code


def _case_with_event(app, action: str, key: str) -> int:
    from portal.cases.models import CaseEvent

    with app.app_context():
        for event in db.session.scalars(select(CaseEvent).where(CaseEvent.action == action).order_by(CaseEvent.id)):
            if (event.data or {}).get(key):
                return event.case_id
    raise AssertionError(f"no {action} event with {key} in the demo")


# --- Chinese pages (these read as asserted once the catalogs carry the new message ids) -------

def test_the_case_page_punctuates_in_chinese(client_for, whistled):
    case_id, _code = whistled
    text = seen(page(client_for("admin").get(f"/cases/{case_id}")))
    assert re.search(r"日常哨，\d{4}-\d\d-\d\d \d\d:\d\d", text)
    assert re.search(r"基本满意：\S", text)
    assert re.search(r"\S（综合执法）", text)
    assert re.search(r"现在该找谁、\S", text) and "现在该找谁;" not in text
    assert re.search(r"\d+ 个工作日内签收，\d+ 个工作日内办结", text)
    assert re.search(r"告知居民：\S", text)
    assert re.search(r"（牵头单位）、\S+（配合单位）", text)             # the whistle's units
    assert re.search(r"\S。（\d{4}-\d\d-\d\d \d\d:\d\d）", text)        # a result and when it came
    for glue in (", 2", "): ", "(综合执法)", "; ", "告知居民:", "满意: "):
        assert glue not in text


def test_a_returned_units_reason_reads_with_a_chinese_colon(app, client_for):
    case_id = _case_with_event(app, "return", "reason")
    text = seen(page(client_for("admin").get(f"/cases/{case_id}")))
    assert re.search(r"原因：\S", text) and "原因:" not in text


def test_limits_read_alike_on_the_duties_and_the_case_pages(client, client_for, whistled):
    public = seen(page(client.get("/duties/public")))
    assert re.search(r"\d+ 个小时内签收，\d+ 个小时内办结", public)
    assert re.search(r"\d+ 个工作日内签收，\d+ 个工作日内办结", public)
    assert "内签收," not in public and not re.search(r"\d+ 工作日", public)
    listed = page(client_for("admin").get("/duties/"))
    assert re.search(r"<td>\d+ 个工作日</td>", listed) and "导出：" in seen(listed)


def test_the_units_score_says_its_share_in_chinese_brackets(client_for):
    text = seen(page(client_for("admin").get("/assessment/units/1")))
    assert re.search(r"计分依据：计分规则第 \d+ 版（街道评价占派驻机构得分的 \d+%）。", text)
    assert "%)." not in text


def test_the_dashboards_charts_describe_themselves_in_chinese(client_for):
    html = page(client_for("admin").get("/dashboard/"))
    states = re.search(r'<desc id="chart-states-desc">([^<]*)</desc>', html).group(1)
    assert re.fullmatch(r"[^:;]+：\d+(；[^:;]+：\d+)+", htmllib.unescape(states)), states
    trend = htmllib.unescape(re.search(r'<desc id="chart-trend-desc">([^<]*)</desc>', html).group(1))
    assert re.match(r"\d\d-\d\d：受理数 \d+、已解决 \d+、未办结 \d+；", trend), trend


def test_the_tracking_page_has_no_spaces_around_chinese_names(client, whistled):
    _case_id, code = whistled
    text = seen(page(client.get(f"/public/track/{code}")))
    assert re.search(r"街道已召集" + CJK + r"[^ ]*" + CJK + "共同处理。", text)
    assert re.search(CJK + "已接手处理。", text) and re.search(CJK + "工作人员已到现场。", text)
    assert re.search(r"说明：" + CJK, text)
    assert not re.search(CJK + " " + CJK, "\n".join(line for line in text.split("\n")
                                                    if line.endswith("。") and "处理" in line))


def test_counts_and_names_in_brackets(client_for):
    admin = client_for("admin")
    tree = seen(page(admin.get("/org/")))
    assert re.search(CJK + r"（\d+ 个网格）", tree) and re.search(r"派驻机构（\d+）", tree)
    assert re.search(CJK + r"（[^）]+）", seen(page(admin.get("/org/department/"))))
    assert re.search(r"王建国（admin）", seen(page(admin.get("/audit/"))))
    assert "用户名：" in seen(page(admin.get("/auth/users/1/edit")))


def test_the_roster_week_marks_the_night_shift_in_chinese_brackets(app, client_for):
    from portal.roster.models import Center

    with app.app_context():
        center_id = db.session.scalar(select(Center.id).order_by(Center.id).limit(1))
    text = seen(page(client_for("secretary").get(f"/roster/centers/{center_id}/week")))
    assert re.search(r"\d\d:\d\d（次日）", text)


# --- English pages keep their own punctuation ------------------------------------------------

def test_an_english_case_page_keeps_english_punctuation(client_for, whistled):
    case_id, _code = whistled
    text = seen(page(in_english(client_for("admin")).get(f"/cases/{case_id}")))
    assert re.search(r"Routine whistle, \d{4}-\d\d-\d\d \d\d:\d\d", text)
    assert re.search(r"\S \(Integrated enforcement\)", text)
    assert re.search(r"Who to call now, \S", text)
    assert re.search(r"sign for within \d+ working days, complete within \d+ working days", text)
    assert re.search(r"\S \(Lead unit\), \S", text)
    assert not re.search(r"[A-Za-z0-9][，：（）、；]|[，：（）、；][A-Za-z]", text)


def test_the_english_tracking_page_lists_names_the_english_way(client, whistled):
    _case_id, code = whistled
    text = seen(page(in_english(client).get(f"/public/track/{code}")))
    assert re.search(r"The street has called in \S+, \S+, \S+, and \S+ to handle it together\.", text)
    assert "、" not in re.search(r"The street has called in .*", text).group(0)
    assert re.search(r"Explanation: \S", text)


def test_english_chart_descriptions_keep_english_punctuation(client_for):
    html = page(in_english(client_for("admin")).get("/dashboard/"))
    states = htmllib.unescape(re.search(r'<desc id="chart-states-desc">([^<]*)</desc>', html).group(1))
    assert re.fullmatch(r"[^:;：；]+: \d+(; [^:;：；]+: \d+)+", states), states


# --- the pieces stay escaped ---------------------------------------------------------------

def test_names_and_texts_inside_format_strings_stay_escaped(app, client, client_for, whistled):
    from portal.cases.models import CaseEvent, Satisfaction
    from portal.duties.models import Matter
    from portal.cases.models import Case

    case_id, code = whistled
    with app.app_context():
        case = db.session.get(Case, case_id)
        matter = db.session.get(Matter, case.matter_id)
        matter.cooperating_departments[0].name = "<b>粗体</b>局"
        db.session.scalar(select(Satisfaction).where(Satisfaction.case_id == case_id)).comment = "<i>斜体</i>"
        for event in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)):
            data = dict(event.data or {})
            if data.get("units"):
                data["units"] = [{**u, "department": "<b>粗体</b>局", "unit": "<b>粗体</b>所"} for u in data["units"]]
            if data.get("public_note"):
                data["public_note"] = "<u>下划线</u>"
            event.data = data
        db.session.commit()
    for html in (page(client_for("admin").get(f"/cases/{case_id}")), page(client.get(f"/public/track/{code}"))):
        assert "<b>" not in html and "<i>" not in html and "<u>" not in html
    staff = page(client_for("admin").get(f"/cases/{case_id}"))
    assert "&lt;b&gt;粗体&lt;/b&gt;局" in staff and "&lt;i&gt;斜体&lt;/i&gt;" in staff
    assert "&lt;b&gt;粗体&lt;/b&gt;所" in staff and "&lt;u&gt;下划线&lt;/u&gt;" in staff
    assert "&lt;b&gt;粗体&lt;/b&gt;局" in page(client.get(f"/public/track/{code}"))


def test_the_list_filters_and_format_strings_escape_their_pieces(app):
    """As pages use them: a template file, compiled for the request's locale (its messages are
    translated when compiled, and formatted with their values at render time)."""
    from flask import render_template
    from jinja2 import ChoiceLoader, DictLoader
    from markupsafe import Markup

    source = ('{{ names|join_items }}|{{ names|join_groups }}|{{ _("%(label)s: %(text)s", label=_("Reason"), '
              'text=names[0]) }}|{{ _("%(text)s (%(note)s)", text=names[0], note=names[1]) }}|{{ marked|join_items }}'
              '{% macro shown(n, tag) %}<{{ tag }}>{{ n }}</{{ tag }}>{% endmacro %}'
              '|{{ names|join_items(shown, "i") }}|{{ []|join_items }}|{{ names[:1]|join_groups }}')
    app.jinja_env.loader = ChoiceLoader([DictLoader({"t/punctuated.html": source}), app.jinja_env.loader])
    with app.test_request_context("/"):
        html = render_template("t/punctuated.html", names=["<b>甲</b>", "乙&丙"],
                               marked=[Markup("<em>丁</em>"), "<戊>"])
    assert html.split("|") == ["&lt;b&gt;甲&lt;/b&gt;、乙&amp;丙", "&lt;b&gt;甲&lt;/b&gt;；乙&amp;丙",
                               "原因：&lt;b&gt;甲&lt;/b&gt;", "&lt;b&gt;甲&lt;/b&gt;（乙&amp;丙）",
                               "<em>丁</em>、&lt;戊&gt;", "<i>&lt;b&gt;甲&lt;/b&gt;</i>、<i>乙&amp;丙</i>", "",
                               "&lt;b&gt;甲&lt;/b&gt;"]


def test_plain_text_helpers_follow_the_language(app):
    from flask_babel import force_locale

    from portal import punctuation

    with app.test_request_context("/"):
        with force_locale("en"):
            assert punctuation.join_items(["A", "B", "C"]) == "A, B, C"
            assert punctuation.join_groups(["A: 1", "B: 2"]) == "A: 1; B: 2"
            assert punctuation.labelled("Reason", "x") == "Reason: x"
            assert punctuation.noted("x", "y") == "x (y)"
            assert punctuation.prose_list(["A", "B", "C"]) == "A, B, and C"
        assert punctuation.prose_list(["甲", "乙", "丙"]) == "甲、乙和丙"
        assert punctuation.join_items(["甲", "乙", "丙"]) == "甲、乙、丙"
        assert punctuation.join_groups(["甲：1", "乙：2"]) == "甲：1；乙：2"
        assert punctuation.labelled("原因", "x") == "原因：x"
        assert punctuation.noted("甲", "乙") == "甲（乙）"
        assert punctuation.join_items([]) == "" and punctuation.join_items(["甲"]) == "甲"
