"""Templates are compiled once per locale with their constant messages translated (portal.templating)."""
from datetime import date

import pytest
from flask import render_template
from flask_babel import force_locale, gettext
from jinja2 import ChoiceLoader, DictLoader, pass_context

TEMPLATES = {
    "t/constant.html": '<p>{{ _("Inbox") }}</p>',
    "t/formatted.html": '<p>{{ _("Score for %(p)s", p=value) }}</p>',
    "t/counted.html": '<p>{{ _("pressed %(n)d×", n=value) }}</p>',
    "t/variable.html": "<p>{{ _(name) }}</p>",
    "t/percent.html": '<p>{{ _("100%%") }}</p>',
    "t/nested.html": '{% include "t/constant.html" %}{% set label = _("Inbox") %}<i>{{ label }}</i>',
    "t/item.html": "<li>{{ i }}{% if i > 1 %}!{% endif %}</li>",
    "t/list.html": '<ol>{% for i in items %}{% include "t/item.html" %}{% endfor %}</ol>'
                   '{% set kept %}{% for i in items %}{% include "t/item.html" %}{% endfor %}{% endset %}[{{ kept }}]',
    "t/base.html": "<title>{% block title %}Base{% endblock %}</title>"
                   "{% for n in [1, 2] %}{% block row scoped %}<b>{{ n }}</b>{% endblock %}{% endfor %}"
                   "<main>{% block main %}{% endblock %}</main><footer>{{ self.title() }}</footer>",
    "t/child.html": '{% extends "t/base.html" %}{% block title %}{{ super() }} · Child{% endblock %}'
                    '{% block row %}<i>{{ n }}</i>{% endblock %}'
                    '{% block main %}{% include "t/list.html" %}{% endblock %}',
    "t/sets.html": '{% set x = "inner" %}{% macro m() %}M{% endmacro %}[{{ x }}{{ m() }}{{ outer }}]',
    "t/uses_sets.html": '{% set x = "outer" %}{% set outer = "!" %}{% include "t/sets.html" %}{{ x }}'
                        '{{ "yes" if m is defined else "no" }}',
    "t/labelled.html": '{{ _("%(label)s: %(text)s", label=a, text=b) }}|'
                       '{% autoescape false %}{{ _("%(label)s: %(text)s", label=a, text=b) }}{% endautoescape %}',
    "t/countdown.html": '{% if n > 0 %}{{ n }} {% set n = n - 1 %}{% include "t/countdown.html" %}{% endif %}',
    "t/with_block.html": "({% block inside %}{{ word }}{% endblock %})",
    "t/includes_block.html": '{% for word in ["a", "b"] %}{% include "t/with_block.html" %}{% endfor %}'
                             '{% include "t/" ~ "item.html" %}{% include "t/absent.html" ignore missing %}',
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


def test_messages_with_numbers_are_translated_when_compiled_and_refuse_what_is_not_a_number(app, templates):
    assert _render(app, "t/counted.html", value=3) == "<p>已督办3次</p>"
    assert _render(app, "t/counted.html", lang="en", value=2) == "<p>pressed 2×</p>"
    assert _render(app, "t/counted.html", value="4") == "<p>已督办4次</p>"    # as Markup's % takes it
    assert templates == []
    with pytest.raises(ValueError):                                 # as Jinja's gettext refuses it
        _render(app, "t/counted.html", value="three")


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


# --- the code generator: `{{ x }}` and `x.name` without a Python call each (PortalCodeGenerator) ---

class _Row:
    """An object with attributes, one of which refuses (a property raising AttributeError)."""

    def __init__(self):
        self.name = "<b>张三</b>"
        self.count = 3
        self.nothing = None

    @property
    def refused(self):
        raise AttributeError("refused")

    def __getitem__(self, key):
        return f"item {key}"


def test_output_is_escaped_as_jinja_would(app):
    from flask_babel import lazy_gettext
    from markupsafe import Markup

    template = app.jinja_env.from_string(
        "{{ text }}|{{ markup }}|{{ number }}|{{ none }}|{{ lazy }}|{{ row.name }}|{{ row.count + 1 }}")
    with app.test_request_context("/"):
        page = template.render(text='<a href="x">\'&', markup=Markup("<em>ok</em>"), number=7, none=None,
                               lazy=lazy_gettext("Score for %(p)s", p="<script>"), row=_Row())
    parts = page.split("|")
    assert parts[0] == "&lt;a href=&#34;x&#34;&gt;&#39;&amp;"
    assert parts[1] == "<em>ok</em>"                         # markup stays markup
    assert parts[2:4] == ["7", "None"]
    assert "&lt;script&gt;" in parts[4] and "<script>" not in parts[4]   # a lazy message's argument
    assert parts[5:] == ["&lt;b&gt;张三&lt;/b&gt;", "4"]


def test_unescaped_templates_and_autoescape_blocks_write_text_as_it_is(app):
    plain = app.jinja_env.from_string("{% autoescape false %}{{ text }}{% endautoescape %}|{{ text }}")
    with app.test_request_context("/"):
        assert plain.render(text="<i>") == "<i>|&lt;i&gt;"


def test_attributes_fall_back_to_items_and_undefined_as_jinja_would(app):
    from jinja2 import Undefined
    from jinja2.exceptions import UndefinedError

    from portal.templating import LocaleEnvironment

    calls = []

    def make():
        calls.append(1)
        return {"key": "值", "items": "not the method"}

    source = "{{ make().key }}|{{ row.refused }}|{{ d.items is callable }}|{{ row.missing }}"
    with app.test_request_context("/"):
        # A dict's key when it has no such attribute, the object made once; a refused attribute
        # falls back to the item; an attribute before a key of the same name.
        strict = app.jinja_env.from_string(source.rsplit("|", 1)[0])
        assert strict.render(make=make, row=_Row(), d={"items": 1}) == "值|item refused|True"
        assert len(calls) == 1
        # A dict's key is taken straight (no AttributeError raised and caught on the way); other
        # objects' items through Jinja's own lookup.
        asked = []
        jinja_getattr = type(app.jinja_env).getattr
        app.jinja_env.getattr = lambda obj, name: asked.append(name) or jinja_getattr(app.jinja_env, obj, name)
        try:
            assert app.jinja_env.from_string("{{ d.key }}|{{ row.refused }}").render(
                d={"key": "值"}, row=_Row()) == "值|item refused"
        finally:
            del app.jinja_env.getattr
        assert asked == ["refused"]
        # Nothing found at all: StrictUndefined refuses, the default Undefined writes nothing.
        with pytest.raises(UndefinedError):
            app.jinja_env.from_string("{{ d.missing }}").render(d={})
        lenient = LocaleEnvironment(app, autoescape=True, undefined=Undefined)
        assert lenient.from_string("[{{ d.missing }}][{{ none.x }}]").render(d={}, none=None) == "[][]"


def test_items_fall_back_to_attributes_and_undefined_as_jinja_would(app):
    from jinja2 import Environment, Undefined

    from portal.templating import LocaleEnvironment

    source = ("{{ d['a'] }}|{{ d[1] }}|{{ labels[e['state']][e['state']] }}|{{ d['items'] is callable }}"
              "|{{ l[1] }}|{{ l[-1] }}|{{ row['name'] }}|{{ row.count }}|{{ d[k] }}|{{ d[t] }}|{{ l[:2] }}"
              "|{{ d['missing'] }}|{{ d[[1]] }}|{{ l[9] }}|{{ d['a'] is defined }}|{{ d['zz'] is defined }}")
    values = dict(d={"a": "<甲>", 1: "一", (1, 2): "元组"}, labels={"open": {"open": "办理中"}},
                  e={"state": "open"}, l=[1, 2, 3], row=_Row(), k="a", t=(1, 2))
    with app.test_request_context("/"):
        lenient = LocaleEnvironment(app, autoescape=True, undefined=Undefined)
        ours = lenient.from_string(source).render(**values)
    jinjas = Environment(autoescape=True, undefined=Undefined).from_string(source).render(**values)
    assert ours == jinjas
    assert ours.split("|") == ["&lt;甲&gt;", "一", "办理中", "True", "2", "3", "item name", "3", "&lt;甲&gt;",
                               "元组", "[1, 2]", "", "", "", "True", "False"]
    # A dict's item is taken straight; other objects' items through Jinja's own lookup.
    asked = []
    jinja_getitem = type(lenient).getitem
    lenient.getitem = lambda obj, key: asked.append(key) or jinja_getitem(lenient, obj, key)
    with app.test_request_context("/"):
        assert lenient.from_string("{{ d['a'] }}{{ l[0] }}{{ d[t] }}{{ d['no'] }}").render(**values) == "&lt;甲&gt;1元组"
    assert asked == [0, (1, 2), "no"]


def test_includes_blocks_and_extends_write_what_jinja_would_in_one_piece(app, templates):
    with app.test_request_context("/"):
        assert render_template("t/list.html", items=[1, 2]) == (
            "<ol><li>1</li><li>2!</li></ol>[<li>1</li><li>2!</li>]")
        assert render_template("t/child.html", items=[3]) == (
            "<title>Base · Child</title><i>1</i><i>2</i><main><ol><li>3!</li></ol>[<li>3!</li>]</main>"
            "<footer>Base · Child</footer>")
        assert render_template("t/base.html") == "<title>Base</title><b>1</b><b>2</b><main></main><footer>Base</footer>"
        # Each template's output is gathered and handed on whole, not piece by piece.
        template = app.jinja_env.get_template("t/child.html")
        assert len(list(template.generate(items=[1, 2]))) == 1


def test_calls_reach_plain_functions_and_context_functions_as_jinja_would(app):
    from jinja2 import pass_context

    @pass_context
    def seen(context, name):
        return context.get(name)

    class Shout:
        def __call__(self, text):
            return text.upper()

    class Box:
        def __init__(self, value):
            self.value = value

        def plain(self, suffix):
            return f"{self.value}{suffix}"

        @pass_context
        def seen(self, context, name):
            return f"{self.value}{context.get(name)}"

    source = ('{% macro m(x) %}<{{ x }}>{% endmacro %}'
              '{{ join("a", "b", sep=sep) }}|{{ m(join("c", sep="")) }}|{{ shout("d") }}'
              '|{% for i in [1] %}{% set inner = i * 2 %}{{ seen("inner") }}{% endfor %}|{{ seen("sep") }}'
              '|{{ join(join("e", "f", sep="+"), "g", sep=sep) }}'
              '|{{ box.plain("!") }}|{{ box.seen("sep") }}|{{ when.isoformat() }}|{{ "<{}>".format(box.value) }}'
              '|{{ pairs.get("k") }}')
    with app.test_request_context("/"):
        page = app.jinja_env.from_string(source).render(
            join=lambda *parts, sep: sep.join(parts), sep="-", shout=Shout(), seen=seen, box=Box("x<"),
            when=date(2026, 5, 3), pairs={"k": "<v>"})
    assert page == "a-b|<c>|D|2|-|e+f-g|x&lt;!|x&lt;-|2026-05-03|&lt;x&lt;&gt;|&lt;v&gt;"


def test_numbers_and_markup_are_written_as_they_are(app):
    from enum import IntEnum

    from markupsafe import Markup

    class Level(IntEnum):
        HIGH = 3

        def __str__(self):
            return "<high>"

    with app.test_request_context("/"):
        page = app.jinja_env.from_string("{{ n }}|{{ m }}|{{ e }}|{{ b }}").render(
            n=-12, m=Markup("<b>x</b>"), e=Level.HIGH, b=True)
    assert page == "-12|<b>x</b>|&lt;high&gt;|True"


@pytest.mark.parametrize("query", [
    {},
    {"state": "in_progress", "street": 3},
    {"q": "井盖 破损 & 积水?", "from": "2026-01-01", "sort": "number", "dir": "asc"},
    {"after": "2026-05-03T04:05:06|12345", "light": "red", "empty": None},
    {"q": "a+b=c/d;e:f@g!h$i'j(k)l*m,n%o#p"},
])
def test_query_url_writes_the_address_url_for_writes(app, query):
    from flask import url_for

    from portal.web import query_url

    with app.test_request_context("/", base_url="http://portal.test/mounted"):
        assert query_url("cases.index", query) == url_for("cases.index", **query)
        assert query_url("cases.export", query, fmt="csv") == url_for("cases.export", fmt="csv", **query)


def test_includes_written_in_place_keep_their_own_variables_as_included_templates_do(app, templates):
    """Includes of constant names are compiled into the includer (`_InlineIncludes`): a `set` or
    a macro of the included template stays its own, it sees the includer's variables, it may
    include itself (nested past the depth where inlining stops), and includes with blocks, a
    computed name or `ignore missing` are included as Jinja does."""
    with app.test_request_context("/"):
        assert render_template("t/uses_sets.html") == "[innerM!]outerno"
        assert render_template("t/countdown.html", n=3) == "3 2 1 "
        assert render_template("t/countdown.html", n=12) == "".join(f"{n} " for n in range(12, 0, -1))
        assert render_template("t/includes_block.html", i=5) == "(a)(b)<li>5!</li>"
        compiled = app.jinja_env.get_template("t/uses_sets.html")
        assert "t/sets.html" not in compiled.root_render_func.__code__.co_consts   # written in place


def test_formatted_messages_escape_their_values_as_markups_percent_does():
    from datetime import datetime

    from flask_babel.speaklater import LazyString
    from markupsafe import Markup

    from portal.templating import format_message

    values = [("<b>&\"'", "%(v)s"), (Markup("<i>x</i>"), "%(v)s"), (7, "%(v)d"), (7, "%(v)s"), (2.5, "%(v).1f"),
              (True, "%(v)s"), (True, "%(v)d"), (None, "%(v)s"), (datetime(2026, 1, 2, 3, 4), "%(v)s"),
              (LazyString(lambda: "<lazy>"), "%(v)s"), ("50", "%(v)s%%")]
    for value, text in values:
        expected = Markup(text) % {"v": value}
        got = format_message(text, {"v": value})
        assert type(got) is Markup and got == expected, (value, text, got, expected)


def test_a_translated_message_with_values_escapes_them_and_keeps_markup(app, templates):
    from markupsafe import Markup

    page = _render(app, "t/labelled.html", a="<原因>", b=Markup("<em>x</em>"))
    assert page == "&lt;原因&gt;：<em>x</em>|<原因>：<em>x</em>"      # escaped; as it is without autoescape
    assert _render(app, "t/labelled.html", lang="en", a="<r>", b=3) == "&lt;r&gt;: 3|<r>: 3"
    assert templates == []


def test_a_renders_context_holds_the_globals_as_jinja_merges_them_without_reading_them_one_by_one(
        app, monkeypatch):
    """A template's own globals over the environment's (read when rendered, so a global added
    later is seen), the render's values over both; the ChainMap of globals is merged whole, not
    read name by name (a KeyError raised and caught for each of the environment's globals)."""
    from collections import ChainMap

    env = app.jinja_env
    own = env.from_string("{{ greeting }}/{{ later }}", globals={"greeting": "own"})
    shared = env.from_string("{{ greeting }}/{{ later }}")
    monkeypatch.setitem(env.globals, "greeting", "environment")
    monkeypatch.setitem(env.globals, "later", "added after compiling")
    reads = []
    chain_getitem = ChainMap.__getitem__
    monkeypatch.setattr(ChainMap, "__getitem__", lambda self, key: reads.append(key) or chain_getitem(self, key))
    with app.test_request_context("/"):
        assert own.render() == "own/added after compiling"
        assert shared.render() == "environment/added after compiling"
        assert own.render(greeting="value") == "value/added after compiling"
    assert reads == []
