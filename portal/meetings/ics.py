"""iCalendar (RFC 5545) export of meetings: escaped text, folded lines, UTC times."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable

from portal.meetings.models import Meeting
from portal.timeutil import utcnow

PRODID = "-//Whistle & Report portal//Joint meetings//ZH"


def escape_text(value: str) -> str:
    """TEXT values: backslash, semicolon, comma and newlines are escaped (RFC 5545 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return "".join(ch for ch in value if ch == "\t" or ord(ch) >= 0x20 and ord(ch) != 0x7f)


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out, current, size = [], [], 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with one space
        if size + width > limit:
            out.append("".join(current))
            current, size = [], 0
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n ".join(out)


def utc_stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def event_lines(meeting: Meeting, url: str, kind_label: str, now: datetime) -> list[str]:
    description = [meeting.purpose] if meeting.purpose else []
    for number, item in enumerate(meeting.agenda, start=1):
        description.append(f"{number}. {item.title}")
    description.append(url)
    return [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.id}@whistle-portal",
        f"DTSTAMP:{utc_stamp(now)}",
        f"DTSTART:{utc_stamp(meeting.starts_at)}",
        f"DTEND:{utc_stamp(meeting.ends_at)}",
        f"SEQUENCE:{meeting.version}",
        f"SUMMARY:{escape_text(f'[{kind_label}] {meeting.title}')}",
        f"LOCATION:{escape_text(meeting.place)}",
        f"DESCRIPTION:{escape_text(chr(10).join(description))}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if meeting.state == 'cancelled' else 'CONFIRMED'}",
        "END:VEVENT",
    ]


def calendar(meetings: Iterable[Meeting], url_for_meeting: Callable[[Meeting], str],
             kind_label: Callable[[Meeting], str], name: str = "") -> str:
    now = utcnow()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for meeting in meetings:
        lines += event_lines(meeting, url_for_meeting(meeting), str(kind_label(meeting)), now)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
