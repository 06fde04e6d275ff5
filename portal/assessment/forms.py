from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, MonthField, RadioField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from portal.assessment.labels import DIMENSION_LABELS, STAR_LABELS
from portal.extensions import lazy_gettext as _l

STAR_CHOICES = [(str(n), STAR_LABELS[n]) for n in range(1, 6)]
_STARS_REQUIRED = _l("Give 1 to 5 stars.")


def _stars(dimension: str) -> RadioField:
    return RadioField(DIMENSION_LABELS[dimension], choices=STAR_CHOICES, validate_choice=False,
                      validators=[InputRequired(message=_STARS_REQUIRED),
                                  AnyOf([value for value, _label in STAR_CHOICES], message=_STARS_REQUIRED)])


class RatingForm(FlaskForm):
    """Four star ratings (radio groups 5 … 1) and a comment; a correction also needs a reason."""

    efficiency = _stars("efficiency")
    cooperation = _stars("cooperation")
    professionalism = _stars("professionalism")
    responsibility = _stars("responsibility")
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])
    reason = TextAreaField(_l("Why the rating is corrected"), validators=[Optional(), Length(max=500)])
    version = HiddenField()


def _weight(label, hint=None):
    return IntegerField(label, description=hint or "",
                        validators=[InputRequired(message=_l("Give a whole number from 0 to 100.")),
                                    NumberRange(min=0, max=100)])


class RuleForm(FlaskForm):
    unit_street_share = _weight(_l("Street rating share of a stationed unit's score (%)"))
    department_street_share = _weight(_l("Street rating share of a department's score (%)"))
    sign_weight = _weight(_l("On-time sign-for (% of the automatic part)"))
    completion_weight = _weight(_l("On-time completion (% of the automatic part)"))
    satisfaction_weight = _weight(_l("Resident satisfaction (% of the automatic part)"))
    efficiency_weight = _weight(_l("Reporting efficiency (% of the street rating)"))
    cooperation_weight = _weight(_l("Cooperation (% of the street rating)"))
    professionalism_weight = _weight(_l("Professionalism (% of the street rating)"))
    responsibility_weight = _weight(_l("Sense of responsibility (% of the street rating)"))
    basically_percent = _weight(_l("\u201cBasically satisfied\u201d earns (% of the satisfaction points)"))
    effective_from = MonthField(_l("Scores from the month"),
                                validators=[InputRequired(message=_l("Choose the first month the version scores."))])
    reason = TextAreaField(_l("Why the rule changes"), validators=[InputRequired(message=_l("Say why the rule changes.")),
                                                                   Length(max=500)])
    based_on = HiddenField()
