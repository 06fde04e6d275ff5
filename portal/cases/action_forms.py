"""The forms of the case page's actions (one per action of `states.ACTIONS`).

They render the fields and keep what was typed after a refusal; the view reads only the fields
an action offers (`offered(action)`) and the rules validate them. Every form posts the case version it
was rendered with in `version`.
"""
from __future__ import annotations

import functools

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField, MultipleFileField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from portal.cases.models import WHISTLE_KINDS
from portal.extensions import lazy_gettext as _l

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    version = HiddenField()


class NoteForm(ActionForm):
    note = TextAreaField(_l("Internal note (optional)"))


class CloseForm(NoteForm):
    public_note = TextAreaField(_l("Text for the resident (optional)"))


class ReasonForm(ActionForm):
    reason = TextAreaField(_l("Reason"))


class PublicReasonForm(ReasonForm):
    public_note = TextAreaField(_l("Text for the resident (optional)"))


class TriageForm(NoteForm):
    level = RadioField(_l("Level"), validate_choice=False)


class OnSpotForm(ActionForm):
    before = MultipleFileField(_l("Photos before handling"))
    after = MultipleFileField(_l("Photos after handling"))
    note = TextAreaField(_l("What was done"))
    public_note = TextAreaField(_l("Text for the resident (optional)"))


class DispatchForm(NoteForm):
    unit = SelectField(_l("Responsible unit"), validate_choice=False)


class WhistleForm(NoteForm):
    kind = RadioField(_l("Kind of whistle"), choices=list(WHISTLE_KINDS.items()), validate_choice=False)
    lead = SelectField(_l("Lead unit"), validate_choice=False)
    cooperating = _Checkboxes(_l("Cooperating units"), validate_choice=False)


class AdjudicateForm(WhistleForm):
    decision = RadioField(_l("Decision"), validate_choice=False, choices=[
        ("redispatch", _l("Dispatch to another unit")), ("whistle", _l("Blow a whistle"))])
    unit = SelectField(_l("Unit to dispatch to"), validate_choice=False)


class MergeForm(NoteForm):
    into = StringField(_l("Number of the original case"))


class CheckInForm(NoteForm):
    lat = HiddenField()
    lng = HiddenField()
    accuracy = HiddenField()
    photos = MultipleFileField(_l("On-site photo (optional)"))


class ProgressForm(ActionForm):
    note = TextAreaField(_l("What was done"))


class ResultForm(NoteForm):
    result = TextAreaField(_l("Result"))
    photos = MultipleFileField(_l("Result photos"))


FORMS: dict[str, type[ActionForm]] = {
    "triage": TriageForm,
    "handle_on_spot": OnSpotForm,
    "dispatch": DispatchForm,
    "whistle": WhistleForm,
    "adjudicate": AdjudicateForm,
    "merge": MergeForm,
    "reject": PublicReasonForm,
    "sign_for": NoteForm,
    "check_in": CheckInForm,
    "log_progress": ProgressForm,
    "submit_result": ResultForm,
    "return": ReasonForm,
    "verify": NoteForm,
    "send_back": ReasonForm,
    "close": CloseForm,
    "press": NoteForm,
    "force_close": PublicReasonForm,
}

# The photo fields of an action and the attachment kind each one stores.
PHOTO_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "handle_on_spot": (("before", "before"), ("after", "after")),
    "check_in": (("photos", "check_in"),),
    "submit_result": (("photos", "result"),),
}


@functools.cache
def offered(action: str) -> frozenset[str]:
    """The names of the fields the action's form offers (everything else posted is ignored)."""
    form_class = FORMS[action]
    return frozenset(name for name in dir(form_class)
                     if not name.startswith("_") and hasattr(getattr(form_class, name), "field_class"))
