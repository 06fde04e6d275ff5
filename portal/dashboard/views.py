"""The dashboard page; its panels are one fragment that HTMX reloads every minute.

The rendered panels are cached per worker process, keyed by the scope, the language, the latest
case event's id and the minute: every change of a case appends an event (so a new id misses the
cache at once), and lights, which move with the clock alone, are at most a minute old, as the
page's own refresh is. Without new events, a minute's refreshes of many screens cost one build.
"""
from collections import OrderedDict
from threading import Lock

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from portal import permissions as perm
from portal.cases.models import ASSIGNMENT_STATES, CASE_STATES, LIGHTS, CaseEvent
from portal.dashboard import bp, svg
from portal.dashboard.services import build, scope_for
from portal.extensions import db
from portal.figures.rates import DEFINITIONS, LABELS, UNIT_DEFINITIONS
from portal.org.models import Street
from portal.rendering import render
from portal.timeutil import local_today, utcnow


def _street_filter(streets) -> int | None:
    value = request.args.get("street", type=int)
    return value if value in {s.id for s in streets} else None


def _charts(d) -> dict:
    state_labels = ASSIGNMENT_STATES if d.scope.by_unit else CASE_STATES
    charts = {
        "states": svg.bar_chart("chart-states", _("Counts by state"),
                                [(str(state_labels[s]), n) for s, n in d.states]),
        "lights": svg.bar_chart("chart-lights", _("Open assignments by light"),
                                [(str(LIGHTS[k]), d.lights[k]) for k in ("green", "yellow", "red")],
                                colors=["green", "yellow", "red"]),
        "trend": svg.column_chart(
            "chart-trend", _("Trend by month"), [f"{m.month:%Y-%m}"[2:] for m in d.months],
            [(_("Cases received"), [m.received for m in d.months], "primary"),
             (_("Resolved"), [m.resolved for m in d.months], "green"),
             (_("Still open"), [m.open for m in d.months], "yellow")]),
        "communities": svg.bar_chart("chart-communities", _("By community"),
                                     [(r.name, r.total) for r in d.communities[:15]]),
        "top30": svg.bar_chart("chart-top30", _("Top matters, last 30 days"),
                               [(r.title, r.count) for r in d.top30]),
        "top90": svg.bar_chart("chart-top90", _("Top matters, last 90 days"),
                               [(r.title, r.count) for r in d.top90]),
    }
    if d.streets:
        charts["streets"] = svg.bar_chart("chart-streets", _("By street"), [(r.name, r.total) for r in d.streets])
    if d.overdue:
        charts["overdue"] = svg.bar_chart("chart-overdue", _("Units with overdue work"),
                                          [(r.name, r.overdue) for r in d.overdue], color="red")
    return charts


_PANELS: OrderedDict = OrderedDict()
_PANELS_LOCK = Lock()
_PANELS_KEPT = 64


def panels(scope, street_id) -> Markup:
    """The rendered panels of the scope (see the module docstring for the cache)."""
    now = utcnow()
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], scope, street_id, str(get_locale()), db.session.scalar(select(func.max(CaseEvent.id))),
           now.replace(second=0, microsecond=0))
    with _PANELS_LOCK:
        if key in _PANELS:
            _PANELS.move_to_end(key)
            return _PANELS[key]
    d = build(scope, now, local_today())
    html = Markup(render_template(
        "dashboard/_panels.html", d=d, charts=_charts(d), street_id=street_id,
        state_labels=ASSIGNMENT_STATES if scope.by_unit else CASE_STATES, lights=LIGHTS, rate_labels=LABELS,
        definitions=UNIT_DEFINITIONS if scope.by_unit else DEFINITIONS))
    with _PANELS_LOCK:
        _PANELS[key] = html
        while len(_PANELS) > _PANELS_KEPT:
            _PANELS.popitem(last=False)
    return html


@bp.get("/")
@perm.login_required
def index():
    """Show the dashboard of the user's scope (the district admin may pick one street)."""
    streets = []
    street_id = None
    if current_user.role == perm.DISTRICT_ADMIN:
        streets = list(db.session.scalars(select(Street).where(Street.active.is_(True)).order_by(Street.code)))
        street_id = _street_filter(streets)
    scope = scope_for(current_user, street_id)
    return render("dashboard/index.html", "dashboard/_fragment.html", panels=panels(scope, street_id),
                  streets=streets, street_id=street_id)
