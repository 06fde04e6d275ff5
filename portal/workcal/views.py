from datetime import date

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import extract, select

from portal import permissions as perm
from portal.audit import record
from portal.extensions import db
from portal.formutil import switch
from portal.rendering import render
from portal.timeutil import local_today
from portal.workcal import bp
from portal.workcal.forms import OverrideForm
from portal.workcal.models import CalendarYear, HolidayOverride
from portal.workcal.rules import package_knows

admin_only = perm.roles_required(perm.DISTRICT_ADMIN)


def _year_arg() -> int:
    year = request.args.get("year", type=int) or local_today().year
    return min(max(year, 2000), 2100)


@bp.route("/")
@admin_only
def overrides():
    """Show a year's holiday overrides and whether the year is known."""
    year = _year_arg()
    rows = db.session.scalars(select(HolidayOverride).where(
        extract("year", HolidayOverride.day) == year).order_by(HolidayOverride.day)).all()
    marker = db.session.get(CalendarYear, year)
    return render("workcal/overrides.html", year=year, rows=rows, form=OverrideForm(),
                  package_knows=package_knows(year), complete=bool(marker and marker.complete))


@bp.route("/overrides", methods=["POST"])
@admin_only
def add_override():
    """Set one day as a holiday or a make-up workday."""
    form = OverrideForm()
    if form.validate_on_submit():
        row = db.session.get(HolidayOverride, form.day.data) or HolidayOverride(day=form.day.data)
        row.is_workday = form.is_workday.data == "1"
        row.name = form.name.data or ""
        db.session.add(row)
        record("calendar.override_set", object_type="holiday_override", object_id=None,
               day=form.day.data.isoformat(), is_workday=row.is_workday, name=row.name)
        db.session.commit()
        flash(_("%(day)s saved.", day=form.day.data.isoformat()), "success")
        return redirect(url_for("workcal.overrides", year=form.day.data.year))
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("workcal.overrides"))


@bp.route("/overrides/<day>/delete", methods=["POST"])
@admin_only
def delete_override(day: str):
    """Remove an override; the day follows the national calendar again."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        parsed = None
    row = db.session.get(HolidayOverride, parsed) if parsed else None
    perm.require(row is not None)
    db.session.delete(row)
    record("calendar.override_removed", object_type="holiday_override", object_id=None, day=day)
    db.session.commit()
    flash(_("%(day)s removed.", day=day), "success")
    return redirect(url_for("workcal.overrides", year=parsed.year))


@bp.route("/years/<int:year>", methods=["POST"])
@admin_only
def mark_year(year: int):
    """Mark a year's holidays as entered in full (or not)."""
    perm.require(2000 <= year <= 2100)
    marker = db.session.get(CalendarYear, year) or CalendarYear(year=year)
    marker.complete = switch("complete")
    db.session.add(marker)
    record("calendar.year_marked", object_type="calendar_year", object_id=year, complete=marker.complete)
    db.session.commit()
    return redirect(url_for("workcal.overrides", year=year))
