"""Sample URL arguments for the meetings area's GET routes, inside the demo users' scope."""
from sqlalchemy import select

from portal.extensions import db
from portal.meetings.demo import CONSULTATION_TITLE, HELD_TITLE, PLANNED_TITLE
from portal.meetings.models import Meeting, Resolution


def _meeting(title):
    return lambda app: {"meeting_id": db.session.scalar(select(Meeting.id).where(Meeting.title == title))}


def _chief_resolution(app):
    from portal.auth.models import User

    chief = db.session.scalar(select(User).where(User.username == "chief"))
    return {"resolution_id": db.session.scalar(
        select(Resolution.id).where(Resolution.unit_id == chief.unit_id).order_by(Resolution.id))}


# The street's meetings: the grid worker's community only sees consultation days (404 here), and
# the district admin convenes district meetings only (403 on the street's edit pages).
STREET_MEETING = {"grid_worker": 404}
CONVENER_PAGE = {"district_admin": 403}

SAMPLES = {
    "meetings.detail": {"kwargs": _meeting(PLANNED_TITLE), "expect": STREET_MEETING},
    "meetings.meeting_ics": {"kwargs": _meeting(PLANNED_TITLE), "expect": STREET_MEETING},
    "meetings.print_minutes": {"kwargs": _meeting(CONSULTATION_TITLE)},
    "meetings.edit": {"kwargs": _meeting(PLANNED_TITLE), "expect": CONVENER_PAGE},
    # approved minutes: a correction form for the convener
    "meetings.minutes": {"kwargs": _meeting(HELD_TITLE), "expect": CONVENER_PAGE},
    "meetings.resolution": {"kwargs": _chief_resolution, "expect": {"grid_worker": 404}},
}
