"""Times are stored in UTC (naive datetimes in the database) and shown in Asia/Shanghai.

Asia/Shanghai has been UTC+8 all year since China ended daylight saving time in September 1991:
stored times from 1992 on are shown by adding eight hours, which costs a fifth of asking the zone
database and of `strftime` (a list page shows fifty times). Earlier or aware times go through the
zone database.
"""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
FIXED_OFFSET_SINCE = datetime(1992, 1, 1)       # UTC+8 without daylight saving time from here on
_OFFSET = timedelta(hours=8)


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime, the form stored in the database."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_local(value: datetime | None) -> datetime | None:
    """Convert a stored naive-UTC datetime to an aware Asia/Shanghai datetime."""
    if value is None:
        return None
    if value.tzinfo is None:
        if value >= FIXED_OFFSET_SINCE:
            return (value + _OFFSET).replace(tzinfo=LOCAL_TZ)
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(LOCAL_TZ)


def local_iso(value: datetime | None) -> str:
    """A stored UTC datetime as an ISO 8601 local time with its offset, for `<time datetime>`:
    `to_local(value).isoformat()` ("2026-11-20T11:04:05+08:00"), written without the zone
    database for stored times from 1992 on (a case page has a dozen). "" for None."""
    if value is None:
        return ""
    if value.tzinfo is None and value >= FIXED_OFFSET_SINCE:
        return (value + _OFFSET).isoformat() + "+08:00"
    return to_local(value).isoformat()


def local_to_utc(value: datetime) -> datetime:
    """Convert a naive Asia/Shanghai datetime (as typed in a form) to naive UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def local_today() -> date:
    """Today's date in Asia/Shanghai."""
    return datetime.now(LOCAL_TZ).date()


def format_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored UTC datetime for display in Asia/Shanghai."""
    if fmt == "%Y-%m-%d %H:%M" and value is not None and value.tzinfo is None and value >= FIXED_OFFSET_SINCE:
        return (value + _OFFSET).isoformat(" ", "minutes")         # the same text, without strftime
    local = to_local(value)
    return local.strftime(fmt) if local else ""


def format_deadline(value: datetime | None, with_time: bool = True) -> str:
    """A deadline for display: one that falls at local midnight is the end of the day before, and
    is shown as that day's 24:00 ("2026-11-17 24:00", or "2026-11-17" without the time), not as the
    next day's 00:00, which reads as a day more than the limit gives."""
    local = to_local(value)
    if local is None:
        return ""
    if local.hour == local.minute == local.second == local.microsecond == 0:
        day = (local - timedelta(days=1)).date().isoformat()
        return f"{day} 24:00" if with_time else day
    return format_local(value) if with_time else local.date().isoformat()
