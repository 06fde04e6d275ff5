from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.extensions import lazy_gettext as _l


class OrgForm(FlaskForm):
    """One form for every kind; `org.services.KINDS` says which fields a kind uses."""

    code = StringField(_l("Code"), validators=[
        DataRequired(), Length(max=32),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=50)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    chief_name = StringField(_l("Grid chief"), validators=[Optional(), Length(max=50)])
    parent_id = SelectField(_l("Belongs to"), coerce=int, validate_choice=False)
    street_id = SelectField(_l("Street"), coerce=int, validate_choice=False)
