"""Stored UTC times shown in Asia/Shanghai: the fixed +8 hours path agrees with the zone database."""
from datetime import datetime, timedelta, timezone

import pytest

from portal.timeutil import LOCAL_TZ, format_local, local_iso, to_local


def _by_zone_database(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)


@pytest.mark.parametrize("value", [
    datetime(1992, 1, 1, 0, 0),
    datetime(2026, 1, 1, 15, 59, 59),         # 23:59:59 local, New Year's Eve
    datetime(2026, 1, 1, 16, 0),              # midnight local: the next day
    datetime(2026, 2, 28, 16, 30),            # into 1 March
    datetime(2028, 2, 28, 16, 30),            # into 29 February of a leap year
    datetime(2026, 12, 31, 23, 59, 30, 999999),
])
def test_a_stored_time_is_shown_eight_hours_later_as_the_zone_database_says(value):
    local = to_local(value)
    assert local == _by_zone_database(value)
    assert local.utcoffset() == timedelta(hours=8)
    assert local.isoformat() == _by_zone_database(value).isoformat() == local_iso(value)
    assert format_local(value) == _by_zone_database(value).strftime("%Y-%m-%d %H:%M")


def test_times_from_the_years_of_daylight_saving_time_follow_the_zone_database():
    summer_1988 = datetime(1988, 7, 1, 0, 0)          # UTC+9 that summer
    assert to_local(summer_1988).hour == 9
    assert format_local(summer_1988) == "1988-07-01 09:00"
    assert local_iso(summer_1988) == "1988-07-01T09:00:00+09:00"


def test_aware_times_empty_values_and_other_formats():
    aware = datetime(2026, 5, 3, 4, 5, tzinfo=timezone.utc)
    assert format_local(aware) == "2026-05-03 12:05"
    assert to_local(aware) == _by_zone_database(datetime(2026, 5, 3, 4, 5))
    assert format_local(None) == "" and to_local(None) is None and local_iso(None) == ""
    assert local_iso(aware) == "2026-05-03T12:05:00+08:00"
    assert format_local(datetime(2026, 5, 3, 4, 5), "%H:%M") == "12:05"
    assert format_local(datetime(2026, 5, 3, 4, 5), "%Y-%m-%dT%H:%M:%S+08:00") == "2026-05-03T12:05:00+08:00"


def test_a_deadline_at_local_midnight_is_shown_as_the_end_of_the_day_before():
    from portal.timeutil import format_deadline

    midnight_local = datetime(2026, 11, 17, 16, 0)                  # 2026-11-18 00:00 in Beijing
    assert format_deadline(midnight_local) == "2026-11-17 24:00"
    assert format_deadline(midnight_local, False) == "2026-11-17"
    assert format_deadline(datetime(2026, 11, 17, 2, 30)) == "2026-11-17 10:30"
    assert format_deadline(datetime(2026, 12, 31, 16, 0)) == "2026-12-31 24:00"   # the year's last day
    assert format_deadline(None) == ""
