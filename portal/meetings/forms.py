from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, ValidationError

from portal.extensions import lazy_gettext as _l
from portal.formutil import within_years
from portal.meetings.labels import ATTENDANCE_LABELS

DT_FORMAT = "%Y-%m-%dT%H:%M"
RESOLUTION_YEARS = 3  # a due date lies in this year or the next three


class MeetingForm(FlaskForm):
    kind = SelectField(_l("Kind"), validate_choice=True)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    starts_at = DateTimeLocalField(_l("Starts"), format=DT_FORMAT,
                                   validators=[DataRequired(message=_l("Give a valid date and time."))])
    ends_at = DateTimeLocalField(_l("Ends"), format=DT_FORMAT,
                                 validators=[DataRequired(message=_l("Give a valid date and time."))])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=120)])
    community_id = SelectField(_l("Community (consultation day)"), coerce=int, validate_choice=False)
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=2000)])
    case_number = StringField(_l("Case to take up (number)"), validators=[Optional(), Length(max=64)])
    version = HiddenField()


class ReplyForm(FlaskForm):
    answer = SelectField(_l("Answer"), choices=[("confirmed", _l("We will attend")),
                                                ("apologies", _l("We send apologies"))],
                         validators=[AnyOf(("confirmed", "apologies"),
                                           message=_l("Choose whether your unit attends or sends apologies."))],
                         validate_choice=False)
    attendee = StringField(_l("Who attends"), validators=[Optional(), Length(max=100)])
    reason = StringField(_l("Reason for apologies"), validators=[Optional(), Length(max=300)])


class AttendanceForm(FlaskForm):
    status = SelectField(_l("Attendance"), choices=list(ATTENDANCE_LABELS.items()))
    attendee = StringField(_l("Who was present"), validators=[Optional(), Length(max=100)])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class TransitionForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    version = HiddenField()


class MinutesForm(FlaskForm):
    body = TextAreaField(_l("Minutes (Markdown)"), validators=[Optional(), Length(max=50000)])
    note = StringField(_l("What the correction changes"), validators=[Optional(), Length(max=300)])
    version = HiddenField()


class AgendaForm(FlaskForm):
    title = StringField(_l("Agenda item"), validators=[DataRequired(), Length(max=200)])
    presenter_unit_id = SelectField(_l("Presenter unit"), coerce=int, validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def validate_presenter_unit_id(self, field):
        # The choices are the meeting's active member units (the view sets them): another street's
        # unit, or one taken off the meeting or deactivated since the page was loaded, is refused.
        if (field.data or 0) not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a unit of this meeting."))


class MemberForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int, validate_choice=False)


class ResolutionForm(FlaskForm):
    text = TextAreaField(_l("Resolution"), validators=[DataRequired(), Length(max=2000)])
    unit_id = SelectField(_l("Given to"), coerce=int, validate_choice=False)
    days = IntegerField(_l("Deadline in working days"), validators=[Optional(), NumberRange(min=1, max=250)])
    due_date = DateField(_l("or a date"), validators=[Optional(), within_years(0, RESOLUTION_YEARS)])


class ProgressForm(FlaskForm):
    text = TextAreaField(_l("Progress"), validators=[DataRequired(message=_l("Write the progress made.")),
                                                     Length(max=2000)])
    version = HiddenField()


class DoneForm(FlaskForm):
    result = TextAreaField(_l("Result"), validators=[DataRequired(message=_l("Write the result.")),
                                                     Length(max=2000)])
    version = HiddenField()


class PressForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
    version = HiddenField()
