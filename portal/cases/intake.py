"""Taking in a case: `intake` checks who files it where, numbers it (`next_case_number`), gives
it a tracking code and appends its first event (state `new`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from portal import audit
from portal import permissions as perm
from portal.cases import signals
from portal.cases.errors import MAX_DESCRIPTION, InvalidInput, NotAllowed, clean_text, load_instance
from portal.cases.models import CHANNELS, Case, new_tracking_code
from portal.cases.states import CASE_MOVES, RESIDENT, actor_id, actor_role, moves
from portal.cases.transitions import append_event
from portal.duties.models import Matter
from portal.extensions import db, lazy_gettext as _l
from portal.org.models import Community, Grid
from portal.timeutil import to_local, utcnow

def next_case_number(street, now: datetime) -> str:
    """The street's next human case number for the (Beijing) day: QT-20261123-0007."""
    prefix = f"{street.code.upper()}-{to_local(now):%Y%m%d}-"
    last = db.session.scalar(
        select(Case.number).where(Case.number >= prefix, Case.number < prefix + "~")
        .order_by(func.length(Case.number).desc(), Case.number.desc()).limit(1))
    sequence = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"



def intake(actor, *, channel: str, community, description: str, address: str = "", grid=None,
           reporter_name: str = "", reporter_phone: str = "", contact_consent: bool = False,
           matter=None, district_level: bool = False, now: datetime | None = None) -> Case:
    """Take in a case (state `new`) with its first event; residents pass `actor=None`.

    `community`, `grid` and `matter` are instances or ids. Photos are stored afterwards with
    `uploads.store_photos(files, "report", case=case, uploaded_by=actor)`.
    """
    now = now or utcnow()
    role = actor_role(actor)
    if role not in moves(CASE_MOVES, None, "intake")[0].roles:
        raise NotAllowed()
    if channel not in CHANNELS:
        raise InvalidInput(_l("Choose a channel."), "channel")
    if role == RESIDENT and channel != "resident_web":
        raise NotAllowed()
    community = load_instance(Community, community, "community", _l("Choose a community."))
    if not community.active:
        raise InvalidInput(_l("Choose a community."), "community")
    if role in perm.STREET_ROLES and community.street_id != actor.street_id:
        raise NotAllowed(_l("This case is outside your scope."))
    if role == perm.GRID_WORKER and community.id != actor.community_id:
        raise NotAllowed(_l("This case is outside your scope."))
    if grid not in (None, ""):
        grid = load_instance(Grid, grid, "grid", _l("Choose a grid of the community."))
        if grid.community_id != community.id:
            raise InvalidInput(_l("Choose a grid of the community."), "grid")
    else:
        grid = None
    if matter not in (None, ""):
        matter = load_instance(Matter, matter, "matter", _l("Choose an item of the responsibility list."))
    else:
        matter = None
    if district_level and role != perm.DISTRICT_ADMIN:
        raise NotAllowed()
    text = clean_text(description, "description", required=True, limit=MAX_DESCRIPTION,
                 message=_l("Describe the problem."))
    case = Case(
        number=next_case_number(community.street, now), tracking_code=new_tracking_code(), channel=channel,
        reporter_name=clean_text(reporter_name, "reporter_name", limit=50),
        reporter_phone=clean_text(reporter_phone, "reporter_phone", limit=30),
        contact_consent=bool(contact_consent), street_id=community.street_id, community=community,
        grid=grid, address=clean_text(address, "address", limit=200), description=text, matter=matter,
        state="new", district_level=bool(district_level), created_by_id=actor_id(actor),
        created_at=now, updated_at=now)
    with db.session.no_autoflush:
        while db.session.scalar(select(Case.id).where(Case.tracking_code == case.tracking_code)):
            case.tracking_code = new_tracking_code()
    db.session.add(case)
    event = append_event(case, "intake", actor, None, "new", now, data={"channel": channel})
    audit.record("case.intake", case, actor=actor if role != RESIDENT else None,
                 channel=channel, street_id=case.street_id, community_id=community.id)
    db.session.flush()
    signals.case_transition.send(case, event=event, action="intake", from_state=None, to_state="new",
                                 assignment=None, actor=actor)
    return case
