"""Words the interface shows for the list's codes (kinds, categories, units, fields, actions)."""
from portal.extensions import lazy_gettext as _l

KIND_LABELS = {
    "duty": _l("Street duty"),
    "shared": _l("Shared item"),
    "whistle": _l("Whistle item"),
}
CATEGORY_LABELS = {
    "enforcement": _l("Integrated enforcement"),
    "key_work": _l("Key work"),
    "emergency": _l("Emergency response"),
    "fallback": _l("Fallback responsibility"),
}
LIMIT_UNIT_LABELS = {"days": _l("working days"), "hours": _l("hours")}

# Every field a revision can name, in the order the history shows them.
FIELD_LABELS = {
    "code": _l("Code"),
    "title": _l("Item title"),
    "kind": _l("Kind"),
    "category": _l("Category"),
    "scenario": _l("Trigger scenario and standard"),
    "lead_department_id": _l("Lead department"),
    "cooperating": _l("Cooperating departments"),
    "legal_basis": _l("Legal basis"),
    "sign_limit": _l("Sign-for limit"),
    "complete_limit": _l("Completion limit"),
    "limit_unit": _l("Limit unit"),
    "public": _l("Public"),
    "public_title": _l("Title for residents"),
    "active": _l("Status"),
}
ACTION_LABELS = {
    "created": _l("Item added"),
    "updated": _l("Item edited"),
    "retired": _l("Retired"),
    "restored": _l("Item restored"),
    "imported": _l("Item imported"),
}
SORT_LABELS = {
    "code": _l("Code"),
    "title": _l("Item title"),
    "kind": _l("Kind"),
    "category": _l("Category"),
    "sign_limit": _l("Sign-for limit"),
    "complete_limit": _l("Completion limit"),
    "updated_at": _l("Last changed"),
}
