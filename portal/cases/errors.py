"""How the case rules refuse: the exceptions views map to HTTP, and the checks on typed input.

Each exception has `.status` and a translatable `.message` (and `.field`, the form field, when
there is one): `NotAllowed` → 403, `StaleVersion` → 409 (show the current state), `InvalidInput` →
422 (show `exc.message` next to `exc.field`). On any of them the caller rolls back
(`db.session.rollback()`) and discards uploaded photos (`portal.cases.uploads.discard`).
"""
from __future__ import annotations


from portal.extensions import db, lazy_gettext as _l


# --- errors ------------------------------------------------------------------------------------


class CaseError(Exception):
    """A refused action; `message` is translatable and meant for the user."""

    status = 400
    default_message = _l("This action cannot be done.")

    def __init__(self, message=None, field: str | None = None):
        self.message = message if message is not None else self.default_message
        self.field = field
        super().__init__(self.message)


class NotAllowed(CaseError):
    """The actor's role, scope or the case's state does not allow the action (403)."""

    status = 403
    default_message = _l("You may not do this with this case in its current state.")


class StaleVersion(CaseError):
    """Someone changed the case since the user saw it (409)."""

    status = 409
    default_message = _l("This case has changed in the meantime. Here is its current state; "
                         "please check and try again.")


class InvalidInput(CaseError):
    """The input is missing or wrong (422); `field` names the form field when there is one."""

    status = 422
    default_message = _l("Please check the input.")



# --- input -------------------------------------------------------------------------------------

MAX_DESCRIPTION = 2000
MAX_REASON = 500


def clean_text(value, field: str, *, required: bool = False, limit: int = MAX_REASON,
          message=None) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise InvalidInput(message or _l("This field is required."), field)
    if len(text) > limit:
        raise InvalidInput(_l("Use at most %(n)d characters.", n=limit), field)
    return text


def load_instance(model, value, field: str, message):
    """A model instance from an instance or an id; InvalidInput when missing."""
    if isinstance(value, model):
        return value
    try:
        obj = db.session.get(model, int(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise InvalidInput(message, field)
    return obj

