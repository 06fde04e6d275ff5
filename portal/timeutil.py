"""Times are stored in UTC (naive datetimes in the database) and shown in Asia/Shanghai."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime, the form stored in the database."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_local(value: datetime | None) -> datetime | None:
    """Convert a stored naive-UTC datetime to an aware Asia/Shanghai datetime."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(LOCAL_TZ)


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
    local = to_local(value)
    return local.strftime(fmt) if local else ""
