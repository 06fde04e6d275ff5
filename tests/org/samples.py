from sqlalchemy import select

from portal.extensions import db
from portal.org.models import Street

SAMPLES = {
    "org.entries": {"kwargs": lambda app: {"kind_name": "street"}},
    "org.create": {"kwargs": lambda app: {"kind_name": "community"}},
    "org.edit": {"kwargs": lambda app: {"kind_name": "street",
                                        "obj_id": db.session.scalar(select(Street.id).limit(1))}},
    "org.row": {"kwargs": lambda app: {"kind_name": "street",
                                       "obj_id": db.session.scalar(select(Street.id).limit(1))}},
}
