"""Templates are compiled once per locale with their constant messages translated (portal.templating)."""
import pytest
from flask import render_template
from flask_babel import force_locale, gettext
from jinja2 import ChoiceLoader, DictLoader, pass_context

TEMPLATES = {
    "t/constant.html": '<p>{{ _("Inbox") }}</p>',
    "t/formatted.html": '<p>{{ _("Score for %(p)s", p=value) }}</p>',
    "t/variable.html": "<p>{{ _(name) }}</p>",
    "t/percent.html": '<p>{{ _("100%%") }}</p>',
    "t/nested.html": '{% include "t/constant.html" %}{% set label = _("Inbox") %}<i>{{ label }}</i>',
}


@pytest.fixture
def templates(app):
    app.jinja_env.loader = ChoiceLoader([DictLoader(TEMPLATES), app.jinja_env.loader])
    runtime = app.jinja_env.globals["gettext"]
    calls = []

    @pass_context
    def counted(context, string, **variables):
        calls.append(string)
        return runtime(context, string, **variables)

    app.jinja_env.globals["gettext"] = counted
    return calls


def _render(app, template, lang=None, **context):
    with app.test_request_context("/"):
        if lang:
            from flask import session

            session["lang"] = lang
        return render_template(template, **context)


def test_constant_messages_are_translated_when_compiled_per_locale(app, templates):
    assert _render(app, "t/constant.html") == "<p>消息</p>"
    assert _render(app, "t/constant.html", lang="en") == "<p>Inbox</p>"
    assert _render(app, "t/constant.html") == "<p>消息</p>"         # each locale keeps its own copy
    assert _render(app, "t/nested.html", lang="en") == "<p>Inbox</p><i>Inbox</i>"
    assert templates == []                                          # no translation at render time


def test_formatted_messages_escape_their_arguments(app, templates):
    page = _render(app, "t/formatted.html", value="<b>五月</b>")
    with app.test_request_context("/"):
        expected = gettext("Score for %(p)s", p="&lt;b&gt;五月&lt;/b&gt;")
    assert expected != "Score for &lt;b&gt;五月&lt;/b&gt;"             # a Chinese text exists
    assert page == f"<p>{expected}</p>"
    assert _render(app, "t/formatted.html", lang="en", value="<i>") == "<p>Score for &lt;i&gt;</p>"
    assert templates == []


def test_other_messages_are_still_translated_at_render_time(app, templates):
    assert _render(app, "t/variable.html", name="Inbox") == "<p>消息</p>"
    assert templates == ["Inbox"]
    assert _render(app, "t/percent.html") == "<p>100%</p>"            # as Jinja's gettext formats it


def test_a_forced_locale_gets_its_own_copy(app, templates):
    with app.test_request_context("/"):
        assert render_template("t/constant.html") == "<p>消息</p>"
        with force_locale("en"):
            assert render_template("t/constant.html") == "<p>Inbox</p>"
        assert render_template("t/constant.html") == "<p>消息</p>"
    assert templates == []                                          # two compiled copies


def test_templates_compiled_outside_a_request_translate_when_rendered(app, templates):
    template = app.jinja_env.from_string('{{ _("Inbox") }}')
    with app.test_request_context("/"):
        assert template.render() == "消息"
    assert templates == ["Inbox"]
