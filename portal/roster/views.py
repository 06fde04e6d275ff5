from datetime import date, timedelta

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal import permissions as perm
from portal.audit import changes, record
from portal.auth.models import User
from portal.extensions import db
from portal.org.models import Department, Street, Unit
from portal.rendering import render, render_fragment, wants_fragment
from portal.roster import bp, export, rules
from portal.roster.forms import (
    LEAVE_LABELS, MEMBERSHIP_LABELS, AssessmentForm, ButtonForm, CellForm, CenterForm, LeaveForm, LogForm,
    MemberForm, SelfCheckForm,
)
from portal.roster.models import (
    CORE, MEMBERSHIP_KINDS, ON_CALL, STATIONED, Assessment, Attendance, Center, Leave, Member,
)
from portal.timeutil import local_today, utcnow
from portal.workcal.rules import WorkCalendar

ADMIN, SECRETARY, DISPATCHER = perm.DISTRICT_ADMIN, perm.STREET_SECRETARY, perm.STREET_DISPATCHER
CHIEF, STAFF, GRID = perm.UNIT_CHIEF, perm.UNIT_STAFF, perm.GRID_WORKER

managers = perm.roles_required(ADMIN, SECRETARY)
street_readers = perm.roles_required(ADMIN, SECRETARY, DISPATCHER)
readers_and_chiefs = perm.roles_required(ADMIN, SECRETARY, DISPATCHER, CHIEF)


# --- loaders -----------------------------------------------------------------------------------

def _center(center_id: int, *, manage: bool = False, chiefs: bool = False) -> Center:
    """Load a center the user may read (chiefs: the one in their street), or manage; 404 otherwise."""
    center = rules.load_center(center_id)
    perm.require(center is not None)
    if manage:
        perm.require(rules.can_manage(current_user, center))
    elif chiefs and current_user.role == CHIEF:
        perm.require(center.street_id == current_user.street_id)
    else:
        perm.require(rules.can_read_center(current_user, center))
    return center


def _member(member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    perm.require(member is not None and rules.can_read_member(current_user, member))
    return member


def _day_arg(name: str = "day") -> date:
    value = request.args.get(name, "")
    if not value:
        return local_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


def _street_center() -> Center | None:
    return db.session.scalar(select(Center).where(Center.street_id == (current_user.street_id or -1)))


def _errors_to_flash(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


# --- landing, composition, settings ----------------------------------------------------------------

@bp.route("/")
@perm.roles_required(ADMIN, SECRETARY, DISPATCHER, CHIEF, STAFF)
def index():
    """Open the part of the roster the user works with."""
    if current_user.role in (CHIEF,):
        center = _street_center()
        if center is not None:
            return redirect(url_for("roster.day", center_id=center.id))
    if current_user.role in (CHIEF, STAFF):
        return redirect(url_for("roster.me"))
    return redirect(url_for("roster.composition"))


@bp.route("/composition")
@street_readers
def composition():
    """Show the 1+5+N picture of each visible center, with its warnings (the district: side by side)."""
    centers = rules.visible_centers(current_user)
    street_id = request.args.get("street", type=int)
    if street_id is not None:
        centers = [c for c in centers if c.street_id == street_id]
        perm.require(bool(centers))
    today = local_today()
    pictures = [rules.composition(rules.load_center(c.id), today) for c in centers]
    with_center = {c.street_id for c in rules.visible_centers(current_user)}
    if current_user.role == ADMIN:
        missing = db.session.scalars(select(Street).where(Street.active, Street.id.not_in(with_center))
                                     .order_by(Street.code)).all()
    elif current_user.role == SECRETARY and current_user.street_id not in with_center:
        missing = [current_user.street]
    else:
        missing = []
    return render("roster/composition.html", pictures=pictures, missing=missing, today=today,
                  form=ButtonForm(), center=pictures[0].center if len(pictures) == 1 else None)


@bp.route("/streets/<int:street_id>/center", methods=["POST"])
@managers
def setup(street_id: int):
    """Open the street's center with the default 1+5+N departments."""
    street = db.get_or_404(Street, street_id)
    perm.require(perm.can_see_street(current_user, street.id) and street.active)
    if ButtonForm().validate_on_submit():
        center = rules.ensure_center(street)
        record("roster.center_created", center, street=street.id)
        db.session.commit()
        flash(_("%(name)s is set up.", name=center.name), "success")
    return redirect(url_for("roster.composition"))


@bp.route("/centers/<int:center_id>/settings", methods=["GET", "POST"])
@managers
def settings(center_id: int):
    """Name the center and choose which departments are its core, stationed and on-call parts."""
    center = _center(center_id, manage=True)
    form = CenterForm(obj=center) if request.method == "GET" else CenterForm()
    departments = db.session.scalars(select(Department).where(Department.active).order_by(Department.code)).all()
    current = {cd.department_id: cd.kind for cd in center.departments}
    if form.validate_on_submit():
        kinds = {}
        for department in departments:
            value = request.form.get(f"kind-{department.id}", "")
            kinds[department.id] = value if value in MEMBERSHIP_KINDS else None
        values = {"name": form.name.data.strip(), "address": (form.address.data or "").strip(),
                  "phone": (form.phone.data or "").strip()}
        diff = changes(center, list(values), values)
        for key, value in values.items():
            setattr(center, key, value)
        kind_diff = rules.set_department_kinds(center, kinds)
        if diff or kind_diff:
            record("roster.center_updated", center, changes=diff, departments=kind_diff)
        db.session.commit()
        flash(_("%(name)s saved.", name=center.name), "success")
        return redirect(url_for("roster.composition", street=center.street_id))
    return render("roster/settings.html", form=form, center=center, departments=departments,
                  current=current, kind_labels=rules.KIND_LABELS, http_status=422 if form.errors else 200)


def _member_form(center: Center, member: Member | None) -> MemberForm:
    form = MemberForm(obj=member) if request.method == "GET" else MemberForm()
    if request.method == "GET" and member is not None:
        form.unit_id.data = member.unit_id or 0
        form.user_id.data = member.user_id or 0
    if request.method == "GET" and member is None:
        form.start_date.data = local_today()
    form.department_id.choices = [(d.id, d.short_name or d.name) for d in db.session.scalars(
        select(Department).where(Department.active).order_by(Department.code))]
    form.unit_id.choices = [(0, _("— none (district department) —"))] + [
        (u.id, u.name) for u in db.session.scalars(
            select(Unit).where(Unit.street_id == center.street_id, Unit.active).order_by(Unit.code))]
    form.user_id.choices = [(0, _("— no login —"))] + [
        (u.id, f"{u.display_name} ({u.username})") for u in db.session.scalars(
            select(User).where(User.street_id == center.street_id, User.active,
                               User.role.in_(tuple(perm.UNIT_ROLES))).order_by(User.username))]
    return form


def _member_values(form: MemberForm, center: Center, member: Member | None):
    """The form's values after the roster's own checks, or None with the errors on the form."""
    departments = {c[0] for c in form.department_id.choices}
    units = {c[0] for c in form.unit_id.choices}
    users = {c[0] for c in form.user_id.choices}
    ok = True
    if form.department_id.data not in departments:
        form.department_id.errors.append(_("Choose an active entry from the list."))
        ok = False
    if form.unit_id.data not in units:
        form.unit_id.errors.append(_("Choose an active entry from the list."))
        ok = False
    elif form.unit_id.data and db.session.get(Unit, form.unit_id.data).department_id != form.department_id.data:
        form.unit_id.errors.append(_("The unit belongs to another department."))
        ok = False
    if form.user_id.data not in users:
        form.user_id.errors.append(_("Choose an active entry from the list."))
        ok = False
    elif form.user_id.data:
        taken = db.session.scalar(select(Member.id).where(
            Member.user_id == form.user_id.data, Member.id != (member.id if member else -1),
            (Member.end_date.is_(None)) | (Member.end_date >= local_today())))
        if taken:
            form.user_id.errors.append(_("This login already belongs to another member."))
            ok = False
    if form.end_date.data and form.end_date.data < form.start_date.data:
        form.end_date.errors.append(_("The end cannot be before the start."))
        ok = False
    if not ok:
        return None
    return {"name": form.name.data.strip(), "phone": (form.phone.data or "").strip(),
            "post": (form.post.data or "").strip(), "kind": form.kind.data,
            "department_id": form.department_id.data, "unit_id": form.unit_id.data or None,
            "user_id": form.user_id.data or None, "start_date": form.start_date.data,
            "end_date": form.end_date.data}


@bp.route("/centers/<int:center_id>/members/new", methods=["GET", "POST"])
@managers
def member_new(center_id: int):
    """Add a person to the center's roster."""
    center = _center(center_id, manage=True)
    form = _member_form(center, None)
    if form.validate_on_submit():
        values = _member_values(form, center, None)
        if values:
            member = Member(center_id=center.id, **values)
            db.session.add(member)
            record("roster.member_added", member, center=center.id, kind=member.kind,
                   department=member.department_id, unit=member.unit_id, user=member.user_id)
            db.session.commit()
            flash(_("%(name)s added to the roster.", name=member.name), "success")
            return redirect(url_for("roster.composition", street=center.street_id))
    return render("roster/member_form.html", form=form, center=center, member=None,
                  http_status=422 if form.errors else 200)


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@managers
def member_edit(member_id: int):
    """Change a member's details, or end their time on the roster."""
    member = _member(member_id)
    center = _center(member.center_id, manage=True)
    form = _member_form(center, member)
    if form.validate_on_submit():
        values = _member_values(form, center, member)
        if values:
            diff = changes(member, list(values), values)
            for key, value in values.items():
                setattr(member, key, value)
            if diff:
                record("roster.member_updated", member, changes=diff)
            db.session.commit()
            flash(_("%(name)s saved.", name=member.name), "success")
            return redirect(url_for("roster.composition", street=center.street_id))
    return render("roster/member_form.html", form=form, center=center, member=member,
                  http_status=422 if form.errors else 200)


# --- the week grid -------------------------------------------------------------------------------

def _week_context(center: Center, start: date) -> dict:
    end = start + timedelta(days=6)
    members = rules.schedulable(center, start, end)
    calendar = WorkCalendar.load()
    days = rules.days_between(start, end)
    return {"center": center, "start": start, "days": days, "members": members,
            "entries": rules.schedule_map([m.id for m in members], start, end),
            "workdays": {d: calendar.is_workday(d) for d in days},
            "unknown_year": bool(calendar.unknown_years), "shifts": rules.SHIFTS,
            "editable": rules.can_manage(current_user, center), "form": ButtonForm(),
            "today": local_today()}


@bp.route("/centers/<int:center_id>/week")
@street_readers
def week(center_id: int):
    """Show the week's duty schedule (值班表); the secretary edits it cell by cell."""
    center = _center(center_id)
    start = rules.week_start(_day_arg("start"))
    return render("roster/week.html", "roster/_week.html", **_week_context(center, start))


def _cell_context(member: Member, day: date, entry=None, form=None) -> dict:
    if entry is None:
        entry = rules.schedule_map([member.id], day, day).get((member.id, day))
    return {"member": member, "day": day, "entry": entry, "shifts": rules.SHIFTS, "editable": True,
            "form": form, "workday": WorkCalendar.load().is_workday(day), "today": local_today(), "conflict": False}


@bp.route("/cells/<int:member_id>/<day>", methods=["GET", "POST"])
@managers
def cell(member_id: int, day: str):
    """Edit one cell of the schedule in place: choose a shift, and it is saved."""
    member = _member(member_id)
    center = _center(member.center_id, manage=True)
    the_day = _parse_day(day)
    perm.require(member.kind in (CORE, STATIONED))
    form = CellForm()
    form.shift.choices = [("", _("— off —"))] + [(s.code, s.label) for s in rules.SHIFTS.values()]
    if request.method == "GET":
        context = _cell_context(member, the_day)
        if request.args.get("show") == "1":
            if not wants_fragment():
                return redirect(url_for("roster.week", center_id=center.id,
                                        start=rules.week_start(the_day).isoformat()))
            return render_fragment("roster/_cell.html", **context)
        entry = context["entry"]
        form.shift.data = entry.shift if entry else ""
        form.version.data = str(entry.version if entry else 0)
        context["form"] = form
        if wants_fragment():
            return render_fragment("roster/_cell_form.html", **context)
        return render("roster/cell.html", **context)
    if not form.validate_on_submit():
        return render_fragment("roster/_cell_form.html", http_status=422, **_cell_context(member, the_day, form=form))
    try:
        entry = rules.set_shift(member, the_day, form.shift.data or "", form.seen_version())
        record("roster.shift_set", member, day=the_day.isoformat(), shift=form.shift.data or None)
        db.session.commit()
    except (rules.Conflict, IntegrityError, StaleDataError):
        db.session.rollback()
        return _cell_conflict(member, the_day, form)
    except rules.RosterError as error:
        db.session.rollback()
        form.shift.errors.append(error.message)
        return render_fragment("roster/_cell_form.html", http_status=422,
                               **_cell_context(member, the_day, form=form))
    if wants_fragment():
        return render_fragment("roster/_cell.html", **_cell_context(member, the_day, entry=entry))
    return redirect(url_for("roster.week", center_id=center.id, start=rules.week_start(the_day).isoformat()))


def _cell_conflict(member: Member, day: date, form: CellForm):
    """Someone else changed the cell: 409 with what it holds now, and the form with the user's choice
    and the current version (saving again now overwrites deliberately)."""
    member = db.session.get(Member, member.id)
    context = {**_cell_context(member, day, form=form), "conflict": True}
    form.version.data = str(context["entry"].version if context["entry"] else 0)
    if wants_fragment():
        return render_fragment("roster/_cell_form.html", http_status=409, **context)
    flash(_("This record was changed by someone else; the current state is shown."), "warning")
    return render("roster/cell.html", http_status=409, **context)


@bp.route("/centers/<int:center_id>/week/copy", methods=["POST"])
@managers
def copy_week(center_id: int):
    """Replace this week's schedule with last week's."""
    center = _center(center_id, manage=True)
    start = rules.week_start(_parse_day(request.form.get("start", "")))
    if ButtonForm().validate_on_submit():
        written = rules.copy_week(center, start)
        record("roster.week_copied", center, start=start.isoformat(), cells=written)
        db.session.commit()
        flash(_("Last week's schedule copied: %(n)d shifts.", n=written), "success")
    return redirect(url_for("roster.week", center_id=center.id, start=start.isoformat()))


@bp.route("/centers/<int:center_id>/week/fill", methods=["POST"])
@managers
def fill_week(center_id: int):
    """Give every core and stationed member a day shift on the week's working days."""
    center = _center(center_id, manage=True)
    start = rules.week_start(_parse_day(request.form.get("start", "")))
    if ButtonForm().validate_on_submit():
        written = rules.fill_working_days(center, start, WorkCalendar.load())
        record("roster.week_filled", center, start=start.isoformat(), cells=written)
        db.session.commit()
        flash(_("Day shifts added on working days: %(n)d.", n=written), "success")
    return redirect(url_for("roster.week", center_id=center.id, start=start.isoformat()))


# --- the day view and check-ins ------------------------------------------------------------------

@bp.route("/centers/<int:center_id>/day")
@readers_and_chiefs
def day(center_id: int):
    """Show a day against the schedule: who came, when, who logged it (chiefs: their unit)."""
    center = _center(center_id, chiefs=True)
    the_day = _day_arg()
    members = rules.members_in_scope(current_user, center, the_day)
    by_day = rules.statuses(members, the_day, the_day, rules.local_now())
    rows = [(m, by_day[(m.id, the_day)]) for m in members if (m.id, the_day) in by_day]
    if current_user.role != CHIEF:
        rows = [(m, s) for m, s in rows if m.kind != ON_CALL or s.attended]
    today = local_today()
    can_log = {m.id for m, _s in rows if rules.can_log_for(current_user, m)
               and today - timedelta(days=rules.LOG_WINDOW_DAYS) <= the_day <= today}
    return render("roster/day.html", "roster/_day.html", center=center, the_day=the_day, rows=rows,
                  can_log=can_log, today=today)


def _log_form_defaults(form: LogForm, member: Member) -> Attendance | None:
    now = rules.local_now()
    current = rules.attendance_for(member, now.date())
    form.day.data = now.date()
    form.clock.data = now.time().replace(second=0, microsecond=0)
    form.action.data = "out" if current is not None and current.check_out_at is None else "in"
    form.version.data = str(current.version if current else 0)
    return current


@bp.route("/members/<int:member_id>/log", methods=["GET", "POST"])
@perm.roles_required(CHIEF)
def member_log(member_id: int):
    """Log a check-in or check-out for one of the chief's own people."""
    member = _member(member_id)
    perm.require(rules.can_log_for(current_user, member))
    form = LogForm()
    status = 200
    if request.method == "GET":
        current = _log_form_defaults(form, member)
    elif form.validate_on_submit():
        the_day, clock = form.day.data, form.clock.data
        shift = rules.scheduled_shift(member, the_day)
        at = rules.moment_on(the_day, clock, shift)
        try:
            if form.action.data == "in":
                done = rules.check_in(member, at, current_user, reason=form.reason.data or "",
                                      seen_version=form.seen_version())
            else:
                done = rules.check_out(member, at, current_user, day=the_day, reason=form.reason.data or "",
                                       seen_version=form.seen_version())
            record(f"roster.checked_{form.action.data}", done, member=member.id, day=the_day.isoformat(),
                   at=at.isoformat(timespec="minutes"), logged_by="chief",
                   reason=(form.reason.data or "").strip() or None)
            db.session.commit()
        except (rules.Conflict, StaleDataError, IntegrityError):
            db.session.rollback()
            status = 409
            flash(_("This record was changed by someone else; the current state is shown."), "warning")
            current = rules.attendance_for(db.session.get(Member, member_id), the_day)
            form.version.data = str(current.version if current else 0)
        except rules.RosterError as error:
            db.session.rollback()
            form.reason.errors.append(error.message)
            status = 422
            current = rules.attendance_for(member, the_day)
        else:
            flash(_("%(what)s for %(name)s recorded.", what=_("Check-in") if form.action.data == "in"
                    else _("Check-out"), name=member.name), "success")
            return redirect(url_for("roster.day", center_id=member.center_id, day=the_day.isoformat()))
        member = db.session.get(Member, member_id)
    else:
        status = 422
        current = rules.attendance_for(member, form.day.data) if form.day.data else None
    return render("roster/log.html", form=form, member=member, current=current, http_status=status)


@bp.route("/me")
@perm.roles_required(CHIEF, STAFF)
def me():
    """Check in and out yourself, from a phone."""
    today = local_today()
    member = rules.linked_member(current_user, today)
    context = {"member": member, "today": today, "form": SelfCheckForm(), "status": None, "open": None}
    if member is not None:
        context.update(_me_context(member, context["form"]))
    return render("roster/me.html", **context)


def _me_context(member: Member, form: SelfCheckForm) -> dict:
    now_utc = utcnow()
    today = rules.local_now(now_utc).date()
    open_record = rules.open_attendance(member, now_utc)
    if open_record is not None and open_record.check_out_at is not None:
        open_record = None
    today_record = rules.attendance_for(member, today)
    status = rules.statuses([member], today, today, rules.local_now(now_utc)).get((member.id, today))
    shown = open_record or today_record
    form.version.data = str(shown.version if shown else 0)
    recent_first = today - timedelta(days=6)
    recent = rules.statuses([member], recent_first, today, rules.local_now(now_utc))
    return {"status": status, "open": open_record, "today_record": today_record,
            "recent": [recent[(member.id, d)] for d in reversed(rules.days_between(recent_first, today))
                       if (member.id, d) in recent]}


@bp.route("/me", methods=["POST"])
@perm.roles_required(CHIEF, STAFF)
def me_check():
    """Check yourself in or out now (with the phone's location when it gave one)."""
    now_utc = utcnow()
    today = rules.local_now(now_utc).date()
    member = rules.linked_member(current_user, today)
    perm.require(member is not None)
    form = SelfCheckForm()
    action = request.form.get("action")
    status = 422
    if action in ("in", "out") and form.validate_on_submit():
        try:
            if action == "in":
                done = rules.check_in(member, now_utc, current_user, now_utc=now_utc,
                                      reason=form.reason.data or "", seen_version=form.seen_version(),
                                      lat=form.lat.data, lng=form.lng.data, accuracy=form.accuracy.data)
            else:
                done = rules.check_out(member, now_utc, current_user, now_utc=now_utc,
                                       reason=form.reason.data or "", seen_version=form.seen_version())
            record(f"roster.checked_{action}", done, member=member.id, day=done.day.isoformat(),
                   logged_by="self", located=form.lat.data is not None)
            db.session.commit()
        except (rules.Conflict, StaleDataError, IntegrityError):
            db.session.rollback()
            status = 409
            flash(_("This record was changed by someone else; the current state is shown."), "warning")
        except rules.RosterError as error:
            db.session.rollback()
            form.reason.errors.append(error.message)
        else:
            flash(_("Checked in at %(time)s.", time=rules.local_now(now_utc).strftime("%H:%M")) if action == "in"
                  else _("Checked out at %(time)s.", time=rules.local_now(now_utc).strftime("%H:%M")), "success")
            return redirect(url_for("roster.me"))
    member = db.session.get(Member, member.id)
    context = {"member": member, "today": today, "form": form}
    version_typed = form.version.data
    context.update(_me_context(member, form))
    if status == 422:
        form.version.data = version_typed
    return render("roster/me.html", http_status=status, **context)


# --- leave ---------------------------------------------------------------------------------------

@bp.route("/centers/<int:center_id>/leave", methods=["GET", "POST"])
@street_readers
def leave(center_id: int):
    """List the center's leave; the secretary enters leave beforehand, with its type and approver."""
    center = _center(center_id)
    editable = rules.can_manage(current_user, center)
    today = local_today()
    form = LeaveForm()
    members = rules.active_members(center, today)
    form.member_id.choices = [(m.id, f"{m.name} · {m.unit.name if m.unit else m.department.name}")
                              for m in members]
    status = 200
    if request.method == "POST":
        perm.require(editable)
        status = 422
        if form.validate_on_submit():
            member = next((m for m in members if m.id == form.member_id.data), None)
            start, end = form.start_date.data, form.end_date.data
            error = None
            if member is None:
                form.member_id.errors.append(_("Choose an active entry from the list."))
            elif end < start:
                form.end_date.errors.append(_("The end cannot be before the start."))
            elif start < today:
                form.start_date.errors.append(_("Leave is entered beforehand: it cannot start in the past."))
            elif db.session.scalar(select(Leave.id).where(Leave.member_id == member.id,
                                                          Leave.start_date <= end, Leave.end_date >= start)):
                error = _("%(name)s already has leave in that period.", name=member.name)
                form.start_date.errors.append(error)
            else:
                row = Leave(member_id=member.id, kind=form.kind.data, start_date=start, end_date=end,
                            approver=form.approver.data.strip(), note=(form.note.data or "").strip(),
                            entered_by_id=current_user.id)
                db.session.add(row)
                record("roster.leave_entered", row, member=member.id, kind=row.kind,
                       start=start.isoformat(), end=end.isoformat(), approver=row.approver)
                db.session.commit()
                flash(_("Leave for %(name)s entered.", name=member.name), "success")
                return redirect(url_for("roster.leave", center_id=center.id))
    elif not form.approver.data:
        form.approver.data = current_user.display_name
    ids = [m.id for m in center.members]
    rows = db.session.scalars(select(Leave).where(Leave.member_id.in_(ids),
                                                  Leave.end_date >= today - timedelta(days=31))
                              .order_by(Leave.start_date.desc())).all() if ids else []
    return render("roster/leave.html", center=center, form=form, rows=rows, editable=editable,
                  today=today, leave_labels=LEAVE_LABELS, cancel_form=ButtonForm(), http_status=status)


@bp.route("/leave/<int:leave_id>/cancel", methods=["POST"])
@managers
def leave_cancel(leave_id: int):
    """Withdraw leave that has not started yet."""
    row = db.get_or_404(Leave, leave_id)
    center = _center(row.member.center_id, manage=True)
    if ButtonForm().validate_on_submit():
        if row.start_date <= local_today():
            flash(_("Leave that has started is part of the record and stays."), "error")
        else:
            record("roster.leave_withdrawn", row, member=row.member_id, start=row.start_date.isoformat(),
                   end=row.end_date.isoformat())
            db.session.delete(row)
            db.session.commit()
            flash(_("Leave withdrawn."), "success")
    return redirect(url_for("roster.leave", center_id=center.id))


# --- the month ----------------------------------------------------------------------------------

def _month_members(center: Center, year: int, month: int) -> list[Member]:
    first, last = rules.month_bounds(year, month)
    members = [m for m in center.members if m.kind in (CORE, STATIONED) and m.start_date <= last
               and (m.end_date is None or m.end_date >= first)]
    if not rules.can_read_center(current_user, center):
        members = [m for m in members if rules.can_read_member(current_user, m)]
    return members


def _sees_assessments() -> bool:
    return current_user.role in (ADMIN, SECRETARY, CHIEF)


@bp.route("/centers/<int:center_id>/month")
@readers_and_chiefs
def month(center_id: int):
    """Show the month per person and per unit, with the secretary's assessments."""
    center = _center(center_id, chiefs=True)
    year, month_no = rules.parse_month(request.args.get("month"), local_today())
    summary = rules.month_summary(_month_members(center, year, month_no), year, month_no)
    first = date(year, month_no, 1)
    previous = (first - timedelta(days=1)).strftime("%Y-%m")
    following = (first + timedelta(days=32)).strftime("%Y-%m")
    return render("roster/month.html", "roster/_month.html", center=center, summary=summary,
                  previous=previous, following=following, sees_assessments=_sees_assessments(),
                  can_assess=current_user.role == SECRETARY and current_user.street_id == center.street_id)


@bp.route("/centers/<int:center_id>/month.xlsx")
@readers_and_chiefs
def month_xlsx(center_id: int):
    """Download the month's summary as a spreadsheet."""
    center = _center(center_id, chiefs=True)
    year, month_no = rules.parse_month(request.args.get("month"), local_today())
    summary = rules.month_summary(_month_members(center, year, month_no), year, month_no)
    data = export.month_workbook(center, summary, with_assessments=_sees_assessments())
    return send_file(data, as_attachment=True, download_name=f"roster-{center.street.code}-{summary.key}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/members/<int:member_id>/assessment/<month_key>", methods=["GET", "POST"])
@perm.roles_required(SECRETARY)
def assess(member_id: int, month_key: str):
    """Score a core or stationed member's month (0–100) with a comment."""
    member = _member(member_id)
    perm.require(rules.can_manage(current_user, member.center) and member.kind in (CORE, STATIONED))
    year, month_no = rules.parse_month(month_key, local_today())
    perm.require(rules.month_key(year, month_no) == month_key)
    existing = db.session.scalar(select(Assessment).where(Assessment.member_id == member.id,
                                                          Assessment.month == month_key))
    form = AssessmentForm(obj=existing) if request.method == "GET" else AssessmentForm()
    if request.method == "GET":
        form.version.data = str(existing.version if existing else 0)
    status, conflict = 200, False
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            values = {"score": form.score.data, "comment": (form.comment.data or "").strip()}
            try:
                if (existing.version if existing else 0) != form.seen_version():
                    raise rules.Conflict()
                if existing is None:
                    existing = Assessment(member_id=member.id, month=month_key, **values)
                    db.session.add(existing)
                    diff = {k: [None, v] for k, v in values.items()}
                else:
                    diff = changes(existing, list(values), values)
                    for key, value in values.items():
                        setattr(existing, key, value)
                existing.assessed_by_id = current_user.id
                record("roster.assessed", existing, member=member.id, month=month_key, changes=diff)
                db.session.commit()
            except (rules.Conflict, StaleDataError, IntegrityError):
                db.session.rollback()
                status = 409
                flash(_("This record was changed by someone else; the current state is shown."), "warning")
                existing = db.session.scalar(select(Assessment).where(Assessment.member_id == member_id,
                                                                      Assessment.month == month_key))
                member = db.session.get(Member, member_id)
                conflict = True
                # The user's input stays in the form; saving again now overwrites deliberately.
                form.version.data = str(existing.version if existing else 0)
            else:
                flash(_("Assessment of %(name)s saved.", name=member.name), "success")
                return redirect(url_for("roster.month", center_id=member.center_id, month=month_key))
    return render("roster/assess.html", form=form, member=member, month_key=month_key, existing=existing,
                  conflict=conflict, http_status=status)


# --- who is on duty now, who to call -------------------------------------------------------------

@bp.route("/on-call")
@perm.roles_required(*perm.ROLES)
def on_call():
    """Who is on duty at the center now, and whom to call for a department (linked from whistles)."""
    centers = rules.visible_centers(current_user) if current_user.role == ADMIN else [_street_center()]
    centers = [c for c in centers if c is not None]
    street_id = request.args.get("street", type=int)
    center = None
    if centers:
        center = next((c for c in centers if c.street_id == street_id), None) if street_id else centers[0]
        perm.require(center is not None)
        center = rules.load_center(center.id)
    department = None
    department_id = request.args.get("department", type=int)
    if department_id:
        department = db.session.get(Department, department_id)
        perm.require(department is not None)
    now = utcnow()
    context = {"centers": centers, "center": center, "department": department, "now": now}
    if center is not None:
        context["on_duty"] = rules.on_duty_now(center, now)
        kinds = sorted(center.departments, key=lambda cd: (rules.KIND_ORDER[cd.kind], cd.department_id))
        context["departments"] = [cd.department for cd in kinds]
        context["calls"] = ([rules.who_to_call(center, department, now)] if department is not None else
                            [rules.who_to_call(center, cd.department, now) for cd in kinds
                             if cd.kind == ON_CALL])
    return render("roster/on_call.html", "roster/_on_call.html", kind_labels=rules.KIND_SHORT, **context)


@bp.context_processor
def _roster_context():
    return {"status_labels": rules.STATUS_LABELS, "membership_labels": MEMBERSHIP_LABELS,
            "kind_short": rules.KIND_SHORT, "roster_timedelta": timedelta}
