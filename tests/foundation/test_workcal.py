"""Deadlines count Chinese working days: holidays, make-up workdays, unknown years."""
from datetime import datetime

from portal.timeutil import local_to_utc, to_local
from portal.workcal.rules import WorkCalendar, deadline


def at(local: str) -> datetime:
    return local_to_utc(datetime.fromisoformat(local))


def local(utc: datetime) -> str:
    return to_local(utc).strftime("%Y-%m-%d %H:%M")


def test_five_working_days_over_a_weekend():
    cal = WorkCalendar()
    # Friday 2025-11-14 10:00 -> Mon..Fri 17..21 -> ends at 24:00 on Friday the 21st
    result = cal.add_working_days(at("2025-11-14 10:00"), 5)
    assert local(result.at) == "2025-11-22 00:00" and not result.unknown_year


def test_national_day_holiday_is_skipped():
    cal = WorkCalendar()
    # 2025: Oct 1-8 off, Sept 28 (Sun) and Oct 11 (Sat) are make-up workdays.
    result = cal.add_working_days(at("2025-09-30 09:00"), 2)
    assert local(result.at) == "2025-10-11 00:00"  # Oct 9 and Oct 10
    result = cal.add_working_days(at("2025-09-30 09:00"), 3)
    assert local(result.at) == "2025-10-12 00:00"  # the make-up Saturday Oct 11 counts


def test_spring_festival_2026_and_its_make_up_saturday():
    cal = WorkCalendar()
    # 2026 Spring Festival: Feb 15-23 off; Feb 14 (Sat) and Feb 28 (Sat) are workdays.
    result = cal.add_working_days(at("2026-02-13 16:00"), 1)
    assert local(result.at) == "2026-02-15 00:00"  # Saturday Feb 14 is a make-up workday
    result = cal.add_working_days(at("2026-02-14 16:00"), 1)
    assert local(result.at) == "2026-02-25 00:00"  # next working day after the holiday is Feb 24


def test_emergency_hours_run_through_the_night():
    result = deadline(at("2026-03-06 22:30"), 3, "hours")
    assert local(result.at) == "2026-03-07 01:30"


def test_year_the_package_does_not_know_is_flagged_and_overrides_apply():
    cal = WorkCalendar()
    result = cal.add_working_days(at("2026-12-30 10:00"), 3)
    assert result.unknown_year  # reaches into 2027
    assert local(result.at) == "2027-01-05 00:00"  # Dec 31, Jan 1 (Fri, plain weekday), Jan 4
    cal = WorkCalendar(overrides={datetime(2027, 1, 1).date(): False}, complete_years={2027})
    result = cal.add_working_days(at("2026-12-30 10:00"), 3)
    assert not result.unknown_year
    assert local(result.at) == "2027-01-06 00:00"


def test_admin_enters_a_holiday_and_confirms_the_year(client_for, app):
    admin = client_for("admin")
    page = admin.get("/calendar/?year=2027").get_data(as_text=True)
    assert "没有内置" in page
    admin.post_form("/calendar/overrides", {"day": "2027-01-01", "is_workday": "0", "name": "元旦"})
    admin.post_form("/calendar/years/2027", {"complete": "1"})
    with app.app_context():
        cal = WorkCalendar.load()
        result = cal.add_working_days(at("2026-12-30 10:00"), 3)
    assert not result.unknown_year and local(result.at) == "2027-01-06 00:00"


def test_bad_override_date_gets_a_message(client_for):
    response = client_for("admin").post_form("/calendar/overrides", {"day": "2027-13-45", "is_workday": "0"},
                                             follow_redirects=True)
    assert "有效日期" in response.get_data(as_text=True)


def test_override_dates_stay_near_today_and_the_year_switch_is_0_or_1(client_for, app):
    from portal.timeutil import local_today
    from portal.workcal.models import CalendarYear, HolidayOverride

    admin = client_for("admin")
    year = local_today().year
    for day in ("1900-01-01", "2999-12-31", f"{year + 6}-01-01", f"{year - 6}-12-31"):
        response = admin.post_form("/calendar/overrides", {"day": day, "is_workday": "0", "name": "远"},
                                   follow_redirects=True)
        assert f"{year - 5}-01-01" in response.get_data(as_text=True), day   # the message names the window
    assert admin.post_form("/calendar/overrides", {"day": f"{year + 5}-12-31", "is_workday": "0"}).status_code == 302
    assert admin.post_form(f"/calendar/years/{year + 1}", {"complete": "yes"}).status_code == 400
    with app.app_context():
        from portal.extensions import db

        assert [o.day.isoformat() for o in db.session.query(HolidayOverride).all()
                if o.name == "远"] == []
        assert db.session.get(CalendarYear, year + 1) is None
