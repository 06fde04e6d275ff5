"""Punctuation between translated pieces, from the catalog.

Chinese and English punctuate differently: a label and its text are "原因：…" against
"Reason: …", a note is "综合执法（应急）" against "enforcement (emergency)", a list of names
is "房管局、公安分局" against "房管局, 公安分局", and Chinese puts no space around Chinese words.
So a comma, colon, semicolon or bracket that sits between or around translated pieces is never
literal text in a template or a module: it comes from a format string in the catalog, one for
each kind of construction, used wherever that construction repeats.

Templates write the simple constructions as `_()` calls of the same message ids, which escape
the pieces they are given:

- `_("%(label)s: %(text)s", label=…, text=…)`   a label and its text    原因：…
- `_("%(text)s (%(note)s)", text=…, note=…)`    a text and a note on it  …（按自然小时计）
- `_("%(first)s, %(second)s", …)`               two phrases in a row     日常哨，2026-11-14 01:06
- `_("%(sentence)s %(next_sentence)s", …)`      two sentences            …30%。计分依据：…

and lists with the filters `join_items` and `join_groups` (`init_app`), which escape each item
(or show each through a macro: `units|join_items(unit_with_role)`). Python code uses the
functions below, which give plain text for a template to escape. ("%(first)s, %(second)s" and
"%(list)s, %(item)s" read alike in English but not in Chinese: "，" between phrases, "、"
between the items of a list.)

The same holds inside a message: a Chinese translation puts no space around a placeholder that
holds Chinese words ("%(department)s已接手处理。"), only around numbers and Latin text.
"""
from __future__ import annotations

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from portal.extensions import lazy_gettext as _l
from portal.templating import escape_output

LABELLED = _l("%(label)s: %(text)s")
NOTED = _l("%(text)s (%(note)s)")
# A list folds item by item: the list so far, then the next item. Items are names or short
# phrases: "A、B、C" in Chinese. Groups are items that may hold commas themselves ("26-01：受理数
# 2、已解决 1"), kept apart by a stronger mark: "A；B".
ITEMS = _l("%(list)s, %(item)s")
GROUPS = _l("%(list)s; %(item)s")


def labelled(label, text) -> str:
    """"Reason: text" / "原因：text"."""
    return str(LABELLED) % {"label": label, "text": text}


def noted(text, note) -> str:
    """"text (note)" / "text（note）"."""
    return str(NOTED) % {"text": text, "note": note}


def fold(pattern, items) -> str | None:
    """The items joined by a list pattern ("%(list)s, %(item)s"), one at a time (None for none)."""
    text = None
    for item in items:
        text = item if text is None else pattern % {"list": text, "item": item}
    return text


def join_items(items) -> str:
    """Names or short phrases, one after another: "A, B, C" / "A、B、C"."""
    return fold(str(ITEMS), [str(i) for i in items]) or ""


def join_groups(items) -> str:
    """Groups that may hold commas themselves: "A; B" / "A；B"."""
    return fold(str(GROUPS), [str(i) for i in items]) or ""


def prose_list(items) -> str:
    """Names inside a sentence, the last one joined by "and": "A, B, and C" / "A、B和C" (the
    locale's own list pattern, from Babel)."""
    items = [str(i) for i in items]
    locale = get_locale()
    if not items or locale is None:
        return join_items(items)
    return format_list(items, style="standard", locale=locale)


def _list_filter(pattern: LazyString):
    def join(items, show=None, *args) -> Markup:
        """The items as markup, each escaped as `{{ item }}` writes it (`escape_output`), or first
        shown by `show` (a macro, called with the item and `args`). The pattern is the catalog's
        markup and the pieces are escaped already, so they are joined as plain text (Markup's `%`
        would wrap and escape each piece again through three Python calls)."""
        parts = [escape_output(show(item, *args) if show is not None else item) for item in items]
        return Markup(fold(str(pattern), parts)) if parts else Markup()

    return join


def init_app(app) -> None:
    app.jinja_env.filters["join_items"] = _list_filter(ITEMS)
    app.jinja_env.filters["join_groups"] = _list_filter(GROUPS)
