from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.extensions import lazy_gettext as _l
from portal.formutil import within_years

# Overrides are entered for the years around now (the national schedule is published a year ahead).
OVERRIDE_YEARS = 5


class OverrideForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(message=_l("Give a valid date.")),
                                            within_years(OVERRIDE_YEARS, OVERRIDE_YEARS)])
    is_workday = SelectField(_l("This day is"), choices=[
        ("0", _l("a holiday (no work)")), ("1", _l("a working day (make-up workday)"))])
    name = StringField(_l("Name (e.g. Spring Festival)"), validators=[Optional(), Length(max=50)])
