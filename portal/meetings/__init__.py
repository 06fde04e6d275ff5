"""Joint meetings (联席会议): convene, agenda, attendance, minutes, resolutions followed to the end."""
from flask import Blueprint
from markdown_it import MarkdownIt
from markupsafe import Markup

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

# CommonMark with raw HTML off: every tag a user types is shown as text. Links keep
# markdown-it's own scheme check (no javascript:, vbscript:, file:, data:). Images are off:
# minutes are text, and a picture URL would only leak who read them.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def render_minutes(text: str) -> Markup:
    """Minutes in Markdown as HTML; raw HTML is escaped by the renderer, never passed through."""
    return Markup(_MD.render(text or ""))


from portal.meetings import models, views  # noqa: E402,F401


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.inbox import register_kind
    from portal.web import register_nav

    app.jinja_env.filters["minutes_html"] = render_minutes
    register_nav("meetings.index", _l("Joint meetings"),
                 perm.ALL_STAFF - {perm.UNIT_STAFF}, order=40)
    register_nav("meetings.register", _l("Resolutions"), perm.ALL_STAFF, order=41)
    register_kind("meeting_invitation", _l("Meeting invitation"))
    _describe_audit()
    register_kind("meeting_changed", _l("Meeting changed"))
    register_kind("meeting_cancelled", _l("Meeting cancelled"))
    register_kind("resolution_assigned", _l("Resolution assigned"))
    register_kind("resolution_pressed", _l("Resolution pressed"))


def _describe_audit() -> None:
    from flask_babel import lazy_gettext as _l

    from portal.audit.present import describe
    from portal.org.models import Unit

    describe("meeting", actions={
        "planned": _l("Meeting planned"), "updated": _l("Meeting changed"), "replied": _l("Invitation answered"),
        "attendance": _l("Attendance recorded"), "member_added": _l("Unit invited"),
        "member_removed": _l("Unit taken off the meeting"), "agenda_added": _l("Agenda item added"),
        "agenda_moved": _l("Agenda item moved"), "agenda_removed": _l("Agenda item removed"),
        "case_linked": _l("Case put on the agenda"), "case_unlinked": _l("Case taken off the agenda"),
        "minutes_saved": _l("Minutes saved"), "minutes_corrected": _l("Minutes corrected"),
        "standing_added": _l("Standing member added"), "standing_removed": _l("Standing member removed"),
    }, objects={"meeting": (_l("Meeting"), "meetings.detail", "meeting_id")},
        keys={"title": _l("Title"), "number": _l("Case number"), "revision": _l("Revision"), "unit_id": _l("Unit")},
        records={"unit_id": Unit.name})
    describe("resolution", actions={"given": _l("Resolution given")},
             objects={"resolution": (_l("Resolution"), "meetings.resolution", "resolution_id")})
