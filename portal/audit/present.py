"""How the audit trail reads: the words for its actions, objects and details.

Each area says what its own entries mean (`describe` in its `init_app`, as it registers its menu
entries): the label of each action code, the name of the records it acts on and the page that shows
one, the labels of the details it writes and the vocabularies of their values. The trail then shows
"已签收 · 案件 #36 · 原状态：已派单" where it would show `case.sign_for`, `case #36` and
`from_state: dispatched`. Codes nobody described are shown as they are, so nothing is hidden.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from portal.extensions import lazy_gettext as _l
from portal.punctuation import join_groups, join_items, labelled


@dataclass
class _Object:
    label: Any
    endpoint: str | None = None       # the page of one record, given its id as `argument`
    argument: str = "id"


@dataclass
class _Described:
    actions: dict[str, Any] = field(default_factory=dict)     # code -> label
    keys: dict[str, Any] = field(default_factory=dict)         # detail key -> label
    values: dict[str, dict] = field(default_factory=dict)      # detail key -> vocabulary of values
    records: dict[str, Any] = field(default_factory=dict)      # detail key -> the column naming its ids


# Details every area writes alike (`audit.changes`, reasons, notes).
_COMMON = _Described(keys={
    "changes": _l("Changes"),
    "reason": _l("Reason"),
    "note": _l("Note"),
    "code": _l("Code"),
    "name": _l("Name"),
})
_AREAS: dict[str, _Described] = {}          # by the action codes' prefix ("case" of "case.sign_for")
_OBJECTS: dict[str, _Object] = {}           # by object type


def describe(prefix: str, *, actions: dict | None = None, objects: dict | None = None,
             keys: dict | None = None, values: dict | None = None, records: dict | None = None) -> None:
    """Say what the audit entries of the action codes `<prefix>.…` mean: `actions` maps the part
    after the prefix to its label; `keys` labels their details and `values` maps a detail key to
    the vocabulary its values are shown through; `objects` maps an object type to its label, or to
    (label, endpoint, argument) when a page shows one record; `records` maps a detail key holding
    ids (or lists of ids) to the column that names them (`Street.name`), so "街道：青檀街道" is shown
    for `street_id: 1`. A key written "<action>.<key>" ("rate.level") holds for that action only,
    where the same key means something else than in the area's other entries."""
    area = _AREAS.setdefault(prefix, _Described())
    area.records.update(records or {})
    area.actions.update(actions or {})
    area.keys.update(keys or {})
    area.values.update(values or {})
    for object_type, described in (objects or {}).items():
        _OBJECTS[object_type] = _Object(*described) if isinstance(described, tuple) else _Object(described)


@dataclass(frozen=True)
class Entry:
    """One audit event as the trail shows it."""

    action: str                        # the action's label, or its code when none was given
    code: str
    described: bool                    # whether `action` is a label (the code is shown beside it)
    object: str
    object_href: str | None
    details: list[tuple[str, str]]     # (label, text)


def entries(events) -> list[Entry]:
    """The entries of a page of events, the ids in their details named: one statement for each
    kind of record the page's details refer to, however many events there are."""
    from sqlalchemy import select

    from portal.database import read

    wanted: dict[tuple, tuple] = {}            # (model, column name) -> (column, ids)
    for event in events:
        details = _Details(_area(event), {}, event.action)
        for key, value in _values(event.details or {}):
            column = details.described("records", key)
            if column is not None:
                ids = value if isinstance(value, list) else [value]
                wanted.setdefault(_named_by(column), (column, set()))[1].update(i for i in ids if type(i) is int)
    names: dict[tuple, str] = {}
    for named_by, (column, ids) in wanted.items():
        if ids:
            id_column = column.class_.id
            for row in read(select(id_column, column).where(id_column.in_(sorted(ids)))):
                names[(named_by, row[0])] = row[1]
    return [entry(event, names) for event in events]


def _named_by(column) -> tuple:
    """A column as a dictionary key (a mapped column's `==` builds SQL)."""
    return column.class_, column.key


def entry(event, names: dict | None = None) -> Entry:
    area = _area(event)
    label = area.actions.get(event.action.partition(".")[2])
    name, href = _object(event)
    return Entry(action=str(label) if label is not None else event.action, code=event.action,
                 described=label is not None, object=name, object_href=href,
                 details=_Details(area, names or {}, event.action).of(event.details or {}))


def _area(event) -> _Described:
    return _AREAS.get(event.action.partition(".")[0], _COMMON)


def _values(details: dict):
    """(key, value) of each detail, of each changed field's old and new value, and of the details
    of records listed in a detail (a whistle's units)."""
    for key, value in details.items():
        if key == "changes" and isinstance(value, dict):
            for name, change in value.items():
                for one in (change if isinstance(change, list) and len(change) == 2 else [change]):
                    yield name, one
        elif isinstance(value, list) and any(isinstance(one, dict) for one in value):
            for one in value:
                if isinstance(one, dict):
                    yield from _values(one)
        else:
            yield key, value


def _object(event) -> tuple[str, str | None]:
    if not event.object_type:
        return "", None
    described = _OBJECTS.get(event.object_type)
    name = str(described.label) if described else event.object_type
    if event.object_id is None:
        return name, None
    href = None
    if described and described.endpoint:
        href = url_for(described.endpoint, **{described.argument: event.object_id})
    return f"{name} #{event.object_id}", href


def form_labels(form_class) -> dict[str, Any]:
    """{field name: label} of a WTForms form class: the words its fields go by in the audit trail
    (a record's `changes` are keyed by the same names)."""
    from wtforms.fields.core import UnboundField

    return {name: value.args[0] for name, value in vars(form_class).items()
            if isinstance(value, UnboundField) and value.args}


class _Details:
    """The details of one area's entry, in its words (then the common ones, then the raw key)."""

    def __init__(self, area: _Described, names: dict, action: str):
        self.area = area
        self.names = names
        self.action = action.partition(".")[2]

    def described(self, what: str, key: str):
        """The area's `keys`, `values` or `records` entry for `key`: this action's own first."""
        found = getattr(self.area, what)
        return found.get(f"{self.action}.{key}", found.get(key))

    def of(self, values: dict) -> list[tuple[str, str]]:
        """(label, text) of each detail; an `x_id` is left out when it is empty or its name `x` (or
        number `x_number`) is there too."""
        return [(self.key(key), self.text(key, value)) for key, value in values.items()
                if not (key.endswith("_id") and (value is None or key[:-3] in values
                                                 or f"{key[:-3]}_number" in values))]

    def key(self, key: str) -> str:
        label = self.described("keys", key)
        if label is None:
            label = _COMMON.keys.get(key)
        return str(label) if label is not None else key

    def text(self, key: str, value) -> str:
        if key == "changes" and isinstance(value, dict):
            return join_groups(self.change(name, change) for name, change in value.items())
        return self.value(key, value)

    def change(self, name: str, change) -> str:
        if isinstance(change, list) and len(change) == 2:
            before, after = (self.value(name, v) for v in change)
            return _("%(field)s: %(before)s → %(after)s", field=self.key(name), before=before, after=after)
        return labelled(self.key(name), self.value(name, change))

    def value(self, key: str, value) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, list):
            return join_items(self.value(key, v) for v in value)
        if isinstance(value, dict):
            return join_groups(labelled(label, text) for label, text in self.of(value))
        vocabulary = self.described("values", key)
        if vocabulary is not None and value in vocabulary:
            return str(vocabulary[value])
        column = self.described("records", key)
        if column is not None and (_named_by(column), value) in self.names:
            return self.names[(_named_by(column), value)]
        return str(value)
