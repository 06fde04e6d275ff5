"""Factories for the duties tests: find items by code, add an item to another street's list."""
import pytest
from sqlalchemy import select

from portal.duties import services
from portal.duties.models import Matter
from portal.extensions import db
from portal.org.models import Department, Street


@pytest.fixture
def matter_id(app):
    """`matter_id("CS-ZF-001")`: the id of a demo item."""
    def get(code: str) -> int:
        with app.app_context():
            found = db.session.scalar(select(Matter.id).where(Matter.code == code))
            assert found is not None, code
            return found

    return get


@pytest.fixture
def make_matter(app):
    """Add an item to a list (`street="hy"`, or None for the district's) and return its id."""
    def make(code: str, *, street: str | None = "hy", title: str = "测试事项", lead: str | None = "cgzf",
             public: bool = True, **extra) -> int:
        with app.app_context():
            owner = db.session.scalar(select(Street.id).where(Street.code == street)) if street else None
            lead_id = db.session.scalar(select(Department.id).where(Department.code == lead)) if lead else None
            values = {"code": code, "title": title, "kind": "duty", "category": "key_work", "scenario": "",
                      "lead_department_id": lead_id, "cooperating": [], "legal_basis": "", "sign_limit": 1,
                      "complete_limit": 3, "limit_unit": "days", "public": public,
                      "public_title": title if public else "", **extra}
            matter = services.create_matter(values, owner, actor=None)
            db.session.commit()
            return matter.id

    return make
