from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.duties.labels import CATEGORY_LABELS, KIND_LABELS, LIMIT_UNIT_LABELS
from portal.extensions import lazy_gettext as _l


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (kinder than a multi-select on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MatterForm(FlaskForm):
    """An item of the list; `version` carries the version the user saw (optimistic locking)."""

    code = StringField(_l("Code"), validators=[
        DataRequired(), Length(max=32),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only."))])
    title = StringField(_l("Item title"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()))
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))
    scenario = TextAreaField(_l("Trigger scenario and standard"), validators=[Optional(), Length(max=4000)])
    lead_department_id = SelectField(_l("Lead department"), coerce=int, validate_choice=False)
    cooperating = CheckboxesField(_l("Cooperating departments"), coerce=int, validate_choice=False)
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional(), Length(max=4000)])
    sign_limit = IntegerField(_l("Sign-for limit"), validators=[InputRequired()])
    complete_limit = IntegerField(_l("Completion limit"), validators=[InputRequired()])
    limit_unit = SelectField(_l("Limit unit"), choices=list(LIMIT_UNIT_LABELS.items()))
    public = BooleanField(_l("Public: residents see it on the public page"))
    public_title = StringField(_l("Title for residents"), validators=[Optional(), Length(max=120)])
    version = HiddenField()

    def values(self) -> dict:
        return {
            "code": self.code.data.strip(), "title": self.title.data.strip(), "kind": self.kind.data,
            "category": self.category.data, "scenario": (self.scenario.data or "").strip(),
            "lead_department_id": self.lead_department_id.data or None,
            "cooperating": sorted(set(self.cooperating.data or [])),
            "legal_basis": (self.legal_basis.data or "").strip(), "sign_limit": self.sign_limit.data,
            "complete_limit": self.complete_limit.data, "limit_unit": self.limit_unit.data,
            "public": bool(self.public.data), "public_title": (self.public_title.data or "").strip(),
        }


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"))
