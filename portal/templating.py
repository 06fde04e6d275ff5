"""Templates compiled once per locale, with their constant messages already translated.

A page says `{{ _("Inbox") }}` a few dozen times; each goes through three template calls, the
request's catalog and a Markup object, a tenth of a page's rendering. `LocaleEnvironment` keeps one
compiled copy of each template per locale (the key of Jinja's template cache gains the locale) and,
while compiling a copy, replaces every `_("literal")` with its translation, and every
`_("literal %(n)s", n=…)` with the translation formatted at render time, exactly as the newstyle
gettext of `jinja2.ext.i18n` would (Markup when autoescaping, so the arguments are escaped).

Anything else stays a call at render time: `_()` of a variable, with positional arguments, or whose
text does not format (a stray `%`), `ngettext`, and templates compiled outside a request
(`from_string`, the command line), which have no locale to compile for.

The environment's code generator (`PortalCodeGenerator`) writes the same pages with fewer Python
calls: values and attributes without a call each, and every template's output gathered and handed
on in one piece instead of chunk by chunk through each template around it.
"""
from __future__ import annotations

import types
import weakref
from collections import ChainMap
from contextvars import ContextVar

from flask import g, has_request_context
from flask.templating import Environment
from flask_babel import get_locale
from flask_babel.speaklater import LazyString
from jinja2 import Template, TemplateNotFound, nodes
from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.runtime import new_context
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape

try:                                    # markupsafe's C escaping of a str (a str back, not Markup)
    from markupsafe import _escape_inner as escape_text
except ImportError:                     # pragma: no cover - another markupsafe
    def escape_text(text: str) -> str:
        return str(escape(text))

from portal.extensions import template_gettext

_compiling_for: ContextVar[str | None] = ContextVar("compiling_for", default=None)

# What a template calls without Jinja's `context.call` (unless marked `pass_context` and the like,
# which a bound method's function may be): Python functions and methods, and built-in ones such as
# a datetime's `isoformat` or a dict's `items` (`context.call` costs ten times the call itself).
PLAIN_CALLABLES = frozenset({types.FunctionType, types.MethodType, types.BuiltinFunctionType})

GETTEXT_NAMES = frozenset({"_", "gettext"})

# The keys a template's `d[key]` looks up in a dict itself (hashable, compared by value).
ITEM_KEYS = frozenset({str, int})


def template_locale() -> str | None:
    """The locale a template is compiled for: the request's (a `force_locale` one included)."""
    if not has_request_context():
        return None
    # Asked for every template a page includes: the locale's name is kept on Flask-Babel's context
    # next to the locale it names (`force_locale` swaps that locale, so it gets its own name).
    names = g._get_current_object()
    found = getattr(names.get("_flask_babel"), "__dict__", {})
    locale = found.get("babel_locale")
    if locale is not None and found.get("portal_locale_of") is locale:
        return found["portal_locale_name"]
    locale = get_locale()
    if locale is None:
        return None
    name = _LOCALE_NAMES.get(locale)
    if name is None:
        name = _LOCALE_NAMES[locale] = str(locale)
    found = names._flask_babel.__dict__
    found["portal_locale_of"], found["portal_locale_name"] = locale, name
    return name


_LOCALE_NAMES: dict = {}        # Locale -> its name ("zh_CN"): Babel works it out anew each time


class _TranslateConstants(NodeTransformer):
    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not (isinstance(node.node, nodes.Name) and node.node.name in GETTEXT_NAMES
                and node.node.ctx == "load" and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str) and node.dyn_args is None and node.dyn_kwargs is None):
            return node
        text = template_gettext(node.args[0].value)
        if not node.kwargs:
            try:
                text = text % {}            # what the newstyle gettext does: "%%" becomes "%"
            except (KeyError, ValueError, TypeError):
                return node
            return nodes.MarkSafeIfAutoescape(nodes.Const(text, lineno=node.lineno), lineno=node.lineno)
        try:                                # 0 formats as %s, %d and %f alike ("pressed %(n)d×")
            text % {kw.key: 0 for kw in node.kwargs}
        except (KeyError, ValueError, TypeError):
            return node
        pairs = [nodes.Pair(nodes.Const(kw.key, lineno=kw.lineno), kw.value, lineno=kw.lineno)
                 for kw in node.kwargs]
        return Message(text, pairs, lineno=node.lineno)


MESSAGE = "portal_format_message"       # the environment's attribute `Message` calls


def Message(text: str, pairs: list, lineno: int) -> nodes.Call:
    """A translated message formatted with keyword values, `(Markup(text) if autoescaping else
    text) % {key: value}` as Jinja's newstyle gettext writes it, as a call of the environment's
    `format_message` (Jinja allows no node types of one's own): `PortalCodeGenerator` writes the
    call itself when autoescaping, and Jinja's `%` otherwise."""
    return nodes.Call(nodes.EnvironmentAttribute(MESSAGE, lineno=lineno),
                      [nodes.Const(text, lineno=lineno), nodes.Dict(pairs, lineno=lineno)], [], None, None,
                      lineno=lineno)


def _is_message(node) -> bool:
    return isinstance(node, nodes.Call) and isinstance(node.node, nodes.EnvironmentAttribute) \
        and node.node.name == MESSAGE


def _as_jinja(node: nodes.Call) -> nodes.Expr:
    """A `Message` as Jinja's own nodes."""
    text, values = node.args
    return nodes.Mod(nodes.MarkSafeIfAutoescape(text, lineno=node.lineno), values, lineno=node.lineno)


def format_message(text: str, values: dict) -> Markup:
    """`Markup(text) % values`, the values escaped as that would escape them: text escaped by
    markupsafe's C function, markup as it is, numbers as they are (for `%d`), anything else through
    `escape` (Markup's `%` wraps every value in a helper object and escapes it through three Python
    calls). What this cannot format (a `%d` of something else) goes through Markup's `%`."""
    escaped = {}
    for key, value in values.items():
        kind = type(value)
        if kind is str:
            escaped[key] = escape_text(value)
        elif kind is Markup or kind is int or kind is float:
            escaped[key] = value
        else:
            escaped[key] = str(escape(value))
    try:
        return Markup(text % escaped)
    except (TypeError, ValueError):
        return Markup(text) % values


def escape_output(value) -> str:
    """What `{{ value }}` writes when autoescaping, for anything but a plain str (see
    `PortalCodeGenerator`): markup as it is, a lazy message as escaped text (Flask-Babel's
    LazyString claims to be markup, and its arguments may be user input; `web._finalize`), any
    other value's text escaped. The same text as Jinja's `escape(finalize(value))`."""
    kind = type(value)
    if kind is Markup:
        return value
    if kind is int:                     # digits and a sign: nothing to escape
        return str(value)
    if isinstance(value, LazyString):
        return escape_text(str(value))
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return escape_text(str(value))


class PortalCodeGenerator(CodeGenerator):
    """Jinja's code generator, writing the same pages with fewer Python calls:

    - `{{ x }}` when autoescaping: a str is escaped by markupsafe's C function directly, anything
      else goes through `escape_output` (Jinja writes `escape(environment.finalize(x))`: three
      Python calls and a Markup object per value; a list page has some seven hundred);
    - `x.name`: Python's `getattr(x, "name", missing)`; when that finds nothing, a dict's
      `x["name"]` if it has that key (`labels.states`: Jinja's `environment.getattr` would raise
      and catch an AttributeError first), and only then Jinja's `environment.getattr` (which tries
      `x["name"]` and gives Undefined): the same result, in the same order, as Jinja's;
    - `x[key]`: a dict's item straight when it holds the (str or int) key, anything else through
      Jinja's `environment.getitem`;
    - `f(a)`: a plain Python function called directly, anything else through `context.call`;
    - each template's and block's output gathered in a list and handed on in one piece
      (`blockvisit`, `visit_Include`, `visit_Block`).

    The temporaries are assignment expressions (`_po`, `_pa`, `_pv`, `_pf`): a value is computed
    once, and names from templates are never bare (Jinja prefixes them: `l_0_name`). A callable
    is loaded before its arguments are computed, so a call inside the arguments does not disturb
    `_pf`. Async and sandboxed environments keep Jinja's own code."""

    def visit_Template(self, node, frame=None):
        self.writeline("from portal.templating import escape_output as portal_out, escape_text as portal_esc")
        self.writeline("from portal.templating import PLAIN_CALLABLES as portal_plain, ITEM_KEYS as portal_keys")
        self.writeline("from portal.templating import format_message as portal_fmt")
        super().visit_Template(node, frame)

    def _plain_output(self, frame) -> bool:
        return frame.eval_ctx.autoescape and not frame.eval_ctx.volatile

    def _output_child_pre(self, node, frame, finalize):
        if self._plain_output(frame):
            self.write("(portal_esc(_po) if type(_po := ")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node, frame, finalize):
        if self._plain_output(frame):
            self.write(") is str else portal_out(_po))")
        else:
            super()._output_child_post(node, frame, finalize)

    def blockvisit(self, body, frame):
        """A template's or a block's whole body written into a list and yielded once (Jinja yields
        every piece between two tags, and each passes through every template around it). Not for
        a template that extends another: its own output is only its blocks."""
        if frame.buffer is not None or self.environment.is_async or not (frame.block_frame or (
                frame.rootlevel and not frame.require_output_check and not self.has_known_extends
                and not any(isinstance(n, nodes.Extends) or n.find(nodes.Extends) is not None for n in body))):
            return super().blockvisit(body, frame)
        self.buffer(frame)
        super().blockvisit(body, frame)
        self.writeline(f"yield environment.concat({frame.buffer})")
        frame.buffer = None

    def visit_Include(self, node, frame):
        """An included template's output taken whole (`concat` of its generator), where Jinja passes
        it on chunk by chunk through a loop in the includer and every template around it."""
        if node.ignore_missing or not node.with_context or self.environment.is_async:
            return super().visit_Include(node, frame)
        func_name = "get_or_select_template"
        if isinstance(node.template, nodes.Const):
            if isinstance(node.template.value, str):
                func_name = "get_template"
            elif isinstance(node.template.value, (tuple, list)):
                func_name = "select_template"
        elif isinstance(node.template, (nodes.Tuple, nodes.List)):
            func_name = "select_template"
        self.writeline(f"template = environment.{func_name}(", node)
        self.visit(node.template, frame)
        self.write(f", {self.name!r})")
        output = ("template.root_render_func(template.new_context(context.get_all(), True,"
                  f" {self.dump_local_context(frame)}))")
        if frame.buffer is None:
            self.writeline(f"yield environment.concat({output})")
        else:
            self.writeline(f"{frame.buffer}.extend({output})")

    def visit_Block(self, node, frame):
        """A block's output taken whole, as an include's (Jinja: `yield from` the block)."""
        if (frame.toplevel and (self.has_known_extends or self.extends_so_far > 0)) or node.required \
                or node.scoped or self.environment.is_async:
            return super().visit_Block(node, frame)
        output = f"context.blocks[{node.name!r}][0]({self.get_context_ref()})"
        if frame.buffer is None:
            self.writeline(f"yield environment.concat({output})", node)
        else:
            self.writeline(f"{frame.buffer}.extend({output})", node)

    def visit_Call(self, node, frame, forward_caller=False):
        """A call of a plain function or method (`PLAIN_CALLABLES`) made directly; anything else (a
        macro, a function that wants the context, a callable object) through Jinja's
        `context.call`, as before."""
        if _is_message(node):
            if not self._plain_output(frame) or self.environment.is_async or self.environment.sandboxed:
                return self.visit(_as_jinja(node), frame)
            self.write("portal_fmt(")
            self.visit(node.args[0], frame)
            self.write(", ")
            self.visit(node.args[1], frame)
            self.write(")")
            return
        if forward_caller or self.environment.is_async or self.environment.sandboxed:
            return super().visit_Call(node, frame, forward_caller)
        self.write("(_pf(*()")                     # `f(*(), a, k=v)`: `signature` writes ", a"
        self.signature(node, frame)
        self.write(") if type(_pf := ")
        self.visit(node.node, frame)
        self.write(") in portal_plain and not hasattr(_pf, 'jinja_pass_arg') else context.call(_pf")
        extra = {}
        if frame.loop_frame:
            extra["_loop_vars"] = "_loop_vars"
        if frame.block_frame:
            extra["_block_vars"] = "_block_vars"
        self.signature(node, frame, extra or None)
        self.write("))")

    @optimizeconst
    def visit_Getattr(self, node, frame):
        if self.environment.is_async or self.environment.sandboxed:
            return CodeGenerator.visit_Getattr.__wrapped__(self, node, frame)
        self.write("(_pv if (_pv := getattr(_pa := ")
        self.visit(node.node, frame)
        self.write(f", {node.attr!r}, missing)) is not missing else _pa[{node.attr!r}] if type(_pa) is dict"
                   f" and {node.attr!r} in _pa else environment.getattr(_pa, {node.attr!r}))")


    @optimizeconst
    def visit_Getitem(self, node, frame):
        """`x[key]`: a dict's item straight when the key is a str or an int it holds (`labels.states[
        case.state]`), else Jinja's `environment.getitem` (which also falls back to an attribute
        and gives Undefined): the same result, without a Python call per item. Each site has its
        own temporaries, as a key may itself hold a subscript. Slices are Jinja's own."""
        if self.environment.is_async or self.environment.sandboxed or isinstance(node.arg, nodes.Slice):
            return CodeGenerator.visit_Getitem.__wrapped__(self, node, frame)
        self._items = n = getattr(self, "_items", 0) + 1
        obj, key = f"_pi{n}", f"_pk{n}"
        self.write(f"({obj}[{key}] if type({obj} := ")
        self.visit(node.node, frame)
        self.write(f") is dict and type({key} := ")
        self.visit(node.arg, frame)
        self.write(f") in portal_keys and {key} in {obj} else environment.getitem({obj}, {key})"
                   f" if type({obj}) is dict else environment.getitem({obj}, ")
        self.visit(node.arg, frame)
        self.write("))")


class PortalTemplate(Template):
    """Jinja's template, making each render's context without a KeyError raised per global.

    A template's globals are a ChainMap (its own over the environment's), and Jinja copies them
    into each new context with `dict(globals, **vars)`, which reads every name map by map: a
    KeyError raised and caught for each of the environment's two dozen globals, about a twentieth
    of a case page's work. Here the maps are merged as a ChainMap reads them (the first map's value
    wins) into a plain dict first: the same context."""

    def new_context(self, vars=None, shared=False, locals=None):
        globals = self.globals
        if shared or type(globals) is not ChainMap:
            return super().new_context(vars, shared, locals)
        merged = {}
        for mapping in reversed(globals.maps):
            merged.update(mapping)
        return new_context(self.environment, self.name, self.blocks, vars, False, merged, locals)


class LocaleEnvironment(Environment):
    """Flask's template environment with one compiled template per (name, locale), compiled by
    `PortalCodeGenerator`."""

    code_generator_class = PortalCodeGenerator
    template_class = PortalTemplate
    portal_format_message = staticmethod(format_message)

    def __init__(self, app, **options):
        options.setdefault("cache_size", 1000)      # every template, once per locale
        super().__init__(app, **options)

    def _load_template(self, name, globals):
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        locale = template_locale()
        cache_key = (weakref.ref(self.loader), name, locale)
        if self.cache is not None:
            template = self.cache.get(cache_key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template
        token = _compiling_for.set(locale)
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _compiling_for.reset(token)
        if self.cache is not None:
            self.cache[cache_key] = template
        return template

    def _parse(self, source, name, filename):
        return self._parse_for_locale(source, name, filename, depth=0)

    def _parse_for_locale(self, source, name, filename, depth: int):
        tree = super()._parse(source, name, filename)
        if _compiling_for.get() is not None:
            tree = _TranslateConstants().visit(tree)
            if not self.auto_reload and self.loader is not None:
                tree = _InlineIncludes(self, depth).visit(tree)
        return tree


class _InlineIncludes(NodeTransformer):
    """`{% include "name" %}` written in place: the included template's body in a scope of its own
    (its `{% set %}`s stay its own, as in a template of its own), seeing the includer's variables
    as an include with context does. An include costs more than most of what it writes (the
    template looked up, a new context holding every variable, a generator); a case page has ten.

    Left as they are: a name that is not a constant, `without context`, `ignore missing`, a
    template that extends another, has blocks or uses `self`, and includes nested more than
    MAX_DEPTH deep. Only when templates are not reloaded (`auto_reload`: the includer would keep an
    edited include's old body) and compiled for a locale (in a request)."""

    MAX_DEPTH = 8

    def __init__(self, environment: "LocaleEnvironment", depth: int):
        self.environment = environment
        self.depth = depth

    def visit_Include(self, node: nodes.Include) -> nodes.Node:
        name = node.template.value if isinstance(node.template, nodes.Const) else None
        if (not isinstance(name, str) or not node.with_context or node.ignore_missing
                or self.depth >= self.MAX_DEPTH):
            return node
        try:
            source, filename, _uptodate = self.environment.loader.get_source(self.environment, name)
        except TemplateNotFound:
            return node                     # raised when rendered, as before
        tree = self.environment._parse_for_locale(source, name, filename, self.depth + 1)
        if (any(True for _ in tree.find_all((nodes.Extends, nodes.Block)))
                or any(n.name == "self" for n in tree.find_all(nodes.Name))):
            return node
        return nodes.Scope(tree.body, lineno=node.lineno)
