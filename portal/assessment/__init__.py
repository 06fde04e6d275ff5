"""Assessment (一哨一考 and the monthly assessment): the street's rating of each unit that reported on
a closed whistle, automatic scores per assignment under a written, versioned scoring rule, monthly
and yearly 100-point scores and rankings per unit and department, and the three rates.

- `models`: WhistleRating (+ revisions), ScoringRule (versions).
- `ratings`: owed ratings (listens to `portal.cases.signals.case_closed`), rating, correction, scope.
- `scoring`: the rule's versions and constraints, marks per assignment, scores, rankings, lines.
  `department_result`: a department's score, its units' scores, its losses per unit, reason and case.
- `tallies`: each unit's monthly counts, stored and kept fresh, so a district-year ranks fast.
- `export`: the XLSX export (ranking, departments, every point lost with its unit, department and case).

The case page can show a case's ratings with
`hx-get="{{ url_for('assessment.case_ratings', case_id=case.id) }}" hx-trigger="load"`.
"""
from flask import Blueprint

bp = Blueprint("assessment", __name__, url_prefix="/assessment")

from portal.assessment import models, ratings, tallies, views  # noqa: E402,F401


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.inbox import register_kind
    from portal.web import register_nav

    register_nav("assessment.index", _l("Assessment"),
                 {perm.DISTRICT_ADMIN, *perm.STREET_ROLES, *perm.UNIT_ROLES}, order=60)
    register_nav("assessment.ratings_index", _l("Whistle ratings"),
                 {perm.DISTRICT_ADMIN, *perm.STREET_ROLES, *perm.UNIT_ROLES}, order=61)
    register_kind(ratings.NOTIFICATION_KIND, _l("Whistle rating owed"))
    from portal.assessment.cli import assess_command

    app.cli.add_command(assess_command)
    app.jinja_env.filters["points"] = points
    from portal.assessment.labels import DIMENSION_LABELS
    from portal.audit.present import describe
    from portal.cases.models import Case
    from portal.org.models import Unit

    describe("assessment", actions={"rated": _l("Whistle rated"), "rating_corrected": _l("Rating corrected"),
                                    "rule_created": _l("Scoring rule created"),
                                    "rule_changed": _l("Scoring rule changed")},
             objects={"whistle_rating": _l("Whistle rating"), "scoring_rule": _l("Scoring rule")},
             keys={**DIMENSION_LABELS, "case_id": _l("Case"), "unit_id": _l("Unit"), "revision": _l("Revision"),
                   "number": _l("Version")},
             records={"case_id": Case.number, "unit_id": Unit.name})


def points(value) -> str:
    """`{{ x|points }}`: a score with one decimal, or "—" for none (a filter: a ranking shows hundreds,
    and a macro call costs ten times a filter's)."""
    return "—" if value is None else f"{value:.1f}"
