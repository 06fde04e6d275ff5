"""The words the UI uses for kinds and states (message ids in English, shown in Chinese)."""
from portal.extensions import lazy_gettext as _l

KIND_LABELS = {
    "district": _l("District joint meeting"),
    "party_building": _l("Party-building joint meeting"),
    "special": _l("Special meeting"),
    "consultation": _l("Community consultation day"),
}
STATE_LABELS = {
    "planned": _l("Planned"),
    "held": _l("Held"),
    "minutes_approved": _l("Minutes approved"),
    "cancelled": _l("Cancelled"),
}
STATE_BADGES = {"planned": "badge-info", "held": "badge-warn", "minutes_approved": "badge-ok",
                "cancelled": "badge-off"}
RSVP_LABELS = {
    "pending": _l("No reply yet"),
    "confirmed": _l("Attendance confirmed"),
    "apologies": _l("Apologies sent"),
}
ATTENDANCE_LABELS = {
    "present": _l("Present"),
    "absent_excused": _l("Absent with reason"),
    "absent_unexcused": _l("Absent without reason"),
}
RESOLUTION_LABELS = {
    "assigned": _l("Assigned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
}
RESOLUTION_BADGES = {"assigned": "badge-info", "in_progress": "badge-warn", "done": "badge-done"}
UPDATE_LABELS = {
    "progress": _l("Progress"),
    "done": _l("Done"),
    "press": _l("Pressed (督办)"),
}
LIGHT_LABELS = {
    "green": _l("On track"),
    "yellow": _l("Due soon"),
    "red": _l("Overdue"),
}
ACTION_LABELS = {
    "hold": _l("Mark as held"),
    "cancel": _l("Cancel the meeting"),
    "approve_minutes": _l("Approve the minutes"),
}
RULE_MESSAGES = {
    "state": _l("This is not possible in the meeting's current state."),
    "kind": _l("You may not convene this kind of meeting."),
    "ends_before_start": _l("The end must be after the start."),
    "community_required": _l("Choose the community for a consultation day."),
    "reason_required": _l("Give a reason."),
    "attendee_required": _l("Say who attends."),
    "minutes_empty": _l("Write the minutes before approving them."),
    "note_required": _l("Say what the correction changes."),
    "answer": _l("Choose an answer."),
    "status": _l("Choose an attendance status."),
    "deadline_required": _l("Give a deadline: working days or a date."),
    "deadline_past": _l("The deadline must be in the future."),
    "text_required": _l("Write something."),
    "not_overdue": _l("Only overdue resolutions can be pressed."),
    "case_not_found": _l("No case with this number in the meeting's street."),
}
