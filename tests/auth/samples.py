from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db


def _chief(app):
    return {"user_id": db.session.scalar(select(User.id).where(User.username == "chief"))}


SAMPLES = {
    "auth.edit_user": {"kwargs": _chief},
    "auth.reset_password": {"kwargs": _chief},
}
