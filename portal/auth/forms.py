from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from portal import permissions as perm
from portal.extensions import lazy_gettext as _l

MIN_PASSWORD = 12
MAX_PASSWORD = 128

ROLE_LABELS = {
    perm.DISTRICT_ADMIN: _l("District platform admin"),
    perm.STREET_SECRETARY: _l("Street party secretary"),
    perm.STREET_DISPATCHER: _l("Street command-center dispatcher"),
    perm.UNIT_CHIEF: _l("Dispatched unit chief"),
    perm.UNIT_STAFF: _l("Unit staff"),
    perm.GRID_WORKER: _l("Grid worker"),
}


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def strong_password(form, field):
    value = field.data or ""
    if len(value) < MIN_PASSWORD:
        raise ValidationError(_l("Use at least %(n)d characters.", n=MIN_PASSWORD))
    if len(value) > MAX_PASSWORD:
        raise ValidationError(_l("Use at most %(n)d characters.", n=MAX_PASSWORD))
    if not value.strip():
        raise ValidationError(_l("A password of spaces only is not allowed."))
    if value.lower() in {"password1234", "123456789012", "portal-demo1"}:
        raise ValidationError(_l("This password is too common."))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[EqualTo("new", message=_l("The two passwords differ."))])


class ResetPasswordForm(FlaskForm):
    new = PasswordField(_l("New password"), validators=[DataRequired(), strong_password])


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(min=2, max=40),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only."))])
    display_name = StringField(_l("Person's name"), validators=[DataRequired(), Length(max=50)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30),
                        Regexp(r"^[0-9+\- ]*$", message=_l("Digits, spaces, + and - only."))])
    role = SelectField(_l("Role"), choices=[(k, v) for k, v in ROLE_LABELS.items()])
    street_id = SelectField(_l("Street"), coerce=int, validate_choice=False)
    unit_id = SelectField(_l("Unit"), coerce=int, validate_choice=False)
    community_id = SelectField(_l("Community"), coerce=int, validate_choice=False)
    password = PasswordField(_l("Initial password"), validators=[Optional(), strong_password])

    def validate_street_id(self, field):
        if self.role.data in perm.STREET_ROLES and not field.data:
            raise ValidationError(_l("Choose the user's street."))

    def validate_unit_id(self, field):
        if self.role.data in perm.UNIT_ROLES and not field.data:
            raise ValidationError(_l("Choose the user's unit."))

    def validate_community_id(self, field):
        if self.role.data == perm.GRID_WORKER and not field.data:
            raise ValidationError(_l("Choose the user's community."))
