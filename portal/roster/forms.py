from flask_wtf import FlaskForm
from wtforms import (
    DateField, FloatField, HiddenField, IntegerField, SelectField, StringField, TextAreaField, TimeField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from portal.extensions import lazy_gettext as _l
from portal.formutil import within_years
from portal.roster.models import LEAVE_KINDS, MEMBERSHIP_KINDS

LEAVE_YEARS = 2  # leave is entered for this year or the next two

LEAVE_LABELS = {
    "annual": _l("Annual leave"), "sick": _l("Sick leave"), "personal": _l("Personal leave"),
    "official": _l("Official business"), "compensatory": _l("Time off in lieu"),
}
MEMBERSHIP_LABELS = {
    "core": _l("Core (urban-management enforcement team)"), "stationed": _l("Stationed (full time at the center)"),
    "on_call": _l("On call (named contact)"),
}


class ButtonForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons and hand-read fields."""


class VersionedForm(FlaskForm):
    version = HiddenField(default="0")

    def seen_version(self) -> int:
        try:
            return int(self.version.data or 0)
        except ValueError:
            return -1


class CenterForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Duty phone"), validators=[Optional(), Length(max=30)])


class MemberForm(FlaskForm):
    name = StringField(_l("Person's name"), validators=[DataRequired(), Length(max=50)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    post = StringField(_l("Post"), validators=[Optional(), Length(max=50)])
    kind = SelectField(_l("Membership"), choices=[(k, MEMBERSHIP_LABELS[k]) for k in MEMBERSHIP_KINDS])
    department_id = SelectField(_l("Department"), coerce=int, validate_choice=False)
    unit_id = SelectField(_l("Unit"), coerce=int, validate_choice=False)
    user_id = SelectField(_l("Login (optional)"), coerce=int, validate_choice=False)
    start_date = DateField(_l("From"), validators=[DataRequired(message=_l("Give a valid date."))])
    end_date = DateField(_l("Until (empty: open-ended)"), validators=[Optional()])


class CellForm(VersionedForm):
    shift = SelectField(_l("Shift"), validate_choice=False)


class LogForm(VersionedForm):
    action = SelectField(_l("Record"), choices=[("in", _l("Check-in")), ("out", _l("Check-out"))],
                         validators=[AnyOf(("in", "out"), message=_l("Choose check-in or check-out."))],
                         validate_choice=False)
    day = DateField(_l("Duty date"), validators=[DataRequired(message=_l("Give a valid date."))])
    clock = TimeField(_l("Time"), validators=[DataRequired(message=_l("Give a valid time."))])
    reason = TextAreaField(_l("Reason (required when late or logged afterwards)"),
                           validators=[Optional(), Length(max=200)])


class SelfCheckForm(VersionedForm):
    reason = TextAreaField(_l("Reason (when late)"), validators=[Optional(), Length(max=200)])
    lat = FloatField(validators=[Optional(), NumberRange(-90, 90)])
    lng = FloatField(validators=[Optional(), NumberRange(-180, 180)])
    accuracy = IntegerField(validators=[Optional(), NumberRange(0, 100000)])


class LeaveForm(FlaskForm):
    member_id = SelectField(_l("Person"), coerce=int, validate_choice=False)
    kind = SelectField(_l("Type"), choices=[(k, LEAVE_LABELS[k]) for k in LEAVE_KINDS])
    start_date = DateField(_l("From"), validators=[DataRequired(message=_l("Give a valid date.")),
                                                   within_years(0, LEAVE_YEARS)])
    end_date = DateField(_l("Until"), validators=[DataRequired(message=_l("Give a valid date.")),
                                                  within_years(0, LEAVE_YEARS)])
    approver = StringField(_l("Approved by"), validators=[DataRequired(), Length(max=50)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class AssessmentForm(VersionedForm):
    score = IntegerField(_l("Score (0–100)"), validators=[
        InputRequired(message=_l("Give a score from 0 to 100.")),
        NumberRange(0, 100, message=_l("Give a score from 0 to 100."))])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])
