"""The residents' forms. Every text field refuses markup: residents write plain words."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, MultipleFileField, RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from portal.cases.models import SATISFACTION_LEVELS
from portal.extensions import lazy_gettext as _l

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]|javascript\s*:", re.IGNORECASE)


def plain_words(form, field) -> None:
    """Refuse text that looks like web page code (tags or script links)."""
    if field.data and _MARKUP.search(field.data):
        # No angle brackets in the message itself: lazy texts reach templates unescaped.
        raise ValidationError(_l("Please write in plain words, without web page code or angle brackets."))


def phone_number(form, field) -> None:
    text = (field.data or "").strip()
    if not text:
        return
    digits = sum(ch.isdigit() for ch in text)
    if any(not (ch.isdigit() or ch in " -+()") for ch in text) or not 7 <= digits <= 15:
        raise ValidationError(_l("Enter a phone number of 7 to 15 digits, or leave it empty."))


class ReportForm(FlaskForm):
    # matter and community are <select>s with option groups, rendered by the template.
    matter = StringField(_l("What kind of problem is it?"),
                         validators=[DataRequired(message=_l("Choose what kind of problem it is."))])
    description = TextAreaField(
        _l("Describe the problem"),
        validators=[DataRequired(message=_l("Please describe the problem.")), Length(max=2000), plain_words])
    community = StringField(_l("Which community is it in?"),
                            validators=[DataRequired(message=_l("Choose the community where the problem is."))])
    address = StringField(_l("Where exactly? (street, building, a landmark)"),
                          validators=[Optional(), Length(max=200), plain_words])
    photos = MultipleFileField(_l("Photos (up to 3, optional)"))
    reporter_name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=50), plain_words])
    reporter_phone = StringField(_l("Your phone number (optional)"),
                                 validators=[Optional(), Length(max=30), phone_number])
    contact_consent = BooleanField(_l("The street may call me about this report."))
    # A field people never see: only programs fill it in.
    homepage = StringField(_l("Leave this field empty"))

    def validate_contact_consent(self, field) -> None:
        if field.data and not (self.reporter_phone.data or "").strip():
            raise ValidationError(_l("Give a phone number so the street can call you, or untick this box."))


class LookupForm(FlaskForm):
    code = StringField(_l("Tracking code"),
                       validators=[DataRequired(message=_l("Enter the tracking code.")), Length(max=40)])


class RatingForm(FlaskForm):
    # Any other value gets the same words as no choice (WTForms' own would say "not a valid choice").
    level = RadioField(_l("How satisfied are you with the result?"), choices=list(SATISFACTION_LEVELS.items()),
                       validate_choice=False,
                       validators=[DataRequired(message=_l("Choose how satisfied you are.")),
                                   AnyOf(list(SATISFACTION_LEVELS), message=_l("Choose how satisfied you are."))])
    comment = TextAreaField(_l("Anything you want to add (optional)"),
                            validators=[Optional(), Length(max=500), plain_words])
    reopen = BooleanField(_l("The problem is not solved: please handle it again"))
    reason = TextAreaField(_l("What is still wrong?"), validators=[Optional(), Length(max=500), plain_words])

    def validate_reopen(self, field) -> None:
        if field.data and self.level.data != "not":
            raise ValidationError(_l("Only a \u201cnot satisfied\u201d rating can ask for the case to be handled again."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Not an inline validator: Optional() ends the reason's own chain when it is left blank.
        if self.reopen.data and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, _l("Say what is still wrong, so the street knows what to do.")]
            valid = False
        return valid
