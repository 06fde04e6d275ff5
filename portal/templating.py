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
"""
from __future__ import annotations

import weakref
from contextvars import ContextVar

from flask import has_request_context
from flask.templating import Environment
from flask_babel import get_locale
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from portal.extensions import template_gettext

_compiling_for: ContextVar[str | None] = ContextVar("compiling_for", default=None)

GETTEXT_NAMES = frozenset({"_", "gettext"})


def template_locale() -> str | None:
    """The locale a template is compiled for: the request's (a `force_locale` one included)."""
    if not has_request_context():
        return None
    locale = get_locale()
    return str(locale) if locale is not None else None


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
        try:
            text % {kw.key: "" for kw in node.kwargs}
        except (KeyError, ValueError, TypeError):
            return node
        pairs = [nodes.Pair(nodes.Const(kw.key, lineno=kw.lineno), kw.value, lineno=kw.lineno)
                 for kw in node.kwargs]
        return nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text, lineno=node.lineno), lineno=node.lineno),
                         nodes.Dict(pairs, lineno=node.lineno), lineno=node.lineno)


class LocaleEnvironment(Environment):
    """Flask's template environment with one compiled template per (name, locale)."""

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
        tree = super()._parse(source, name, filename)
        if _compiling_for.get() is not None:
            tree = _TranslateConstants().visit(tree)
        return tree
