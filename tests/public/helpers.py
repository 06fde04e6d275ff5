"""Factories for the residents' portal tests: report form data, photos, cases moved by staff."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from portal.cases import rules, uploads
from portal.cases.models import Case
from portal.duties.models import Matter
from portal.extensions import db
from portal.org.models import Community
from tests.cases.helpers import unit, unit_user, user


def jpeg(size=(80, 60), color=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def ids(app, community: str = "qt-tlx", matter: str = "CS-ZF-013") -> tuple[str, str]:
    with app.app_context():
        c = db.session.scalar(select(Community.id).where(Community.code == community))
        m = db.session.scalar(select(Matter.id).where(Matter.code == matter)) if matter else None
        return str(c), str(m) if m else "other"


def report_form(app, **overrides) -> dict:
    community, matter = ids(app)
    data = {
        "matter": matter, "community": community, "description": "铜铃巷口共享单车乱停，堵住了盲道。",
        "address": "铜铃巷口", "reporter_name": "王秀英", "reporter_phone": "13987654321",
        "contact_consent": "y", "homepage": "",
    }
    data.update(overrides)
    return data


def case_by_code(code: str) -> Case:
    return db.session.scalar(select(Case).where(Case.tracking_code == code))


def code_from(response) -> str:
    location = response.headers["Location"]
    assert "/public/track/" in location, location
    return location.rsplit("/", 1)[1]


def resident_case(description: str = "铜铃巷口共享单车乱停。", **fields) -> Case:
    """A resident's web report in 青檀街道 (no photos), flushed."""
    community = db.session.scalar(select(Community).where(Community.code == fields.pop("community", "qt-tlx")))
    matter = db.session.scalar(select(Matter).where(Matter.code == fields.pop("matter", "CS-ZF-013")))
    return rules.intake(None, channel="resident_web", community=community, description=description,
                        matter=matter, reporter_name=fields.pop("reporter_name", "欧阳建国"),
                        reporter_phone=fields.pop("reporter_phone", "13700001234"), **fields)


def dispatch(case: Case, unit_code: str = "qt-zfd") -> None:
    rules.transition(case, "triage", user("dispatcher"), level=2)
    rules.transition(case, "dispatch", user("dispatcher"), "内部备注：王科长说先别急", unit=unit(unit_code))


def work(case: Case, *, photo: bool = True, public_note: str = "单车已清走，盲道已恢复通行。") -> None:
    """Sign for, check in, submit a result (with a photo marked public), verify and close."""
    a = [x for x in case.assignments if x.state == "dispatched"][-1]
    chief = unit_user(a.unit.code)
    rules.transition(case, "sign_for", chief, assignment=a)
    rules.transition(case, "check_in", chief, assignment=a)
    attachments = []
    if photo:
        from werkzeug.datastructures import FileStorage

        attachments = uploads.store_photos([FileStorage(io.BytesIO(jpeg(color=(40, 160, 60))), "after.jpg")],
                                           "after", case=case, uploaded_by=chief, public=True)
    rules.transition(case, "submit_result", chief, "内部：与商户老板张大伟沟通", assignment=a,
                     result="已清理", attachments=attachments)
    rules.transition(case, "verify", user("dispatcher"), assignment=a)
    rules.transition(case, "close", user("dispatcher"), public_note=public_note)


def closed_case(**fields) -> Case:
    case = resident_case(**fields)
    dispatch(case)
    work(case)
    return case
