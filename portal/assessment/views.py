from __future__ import annotations

from flask import current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from portal import permissions as perm
from portal.assessment import bp, export, labels, ratings, scoring
from portal.assessment.forms import RatingForm, RuleForm
from portal.assessment.models import DIMENSIONS, WhistleRating
from portal.cases.models import ASSIGNMENT_ROLES, SATISFACTION_LEVELS, Case
from portal.cases.rules import can_see_case
from portal.extensions import db
from portal.org.models import Department, Unit
from portal.rendering import render
from portal.timeutil import local_today

READERS = (perm.DISTRICT_ADMIN, perm.STREET_SECRETARY, perm.STREET_DISPATCHER, perm.UNIT_CHIEF,
           perm.UNIT_STAFF)
readers = perm.roles_required(*READERS)
raters = perm.roles_required(*ratings.RATERS)


def case_href(case_id: int) -> str | None:
    """The case page, once the cases area has one (else the number is shown without a link)."""
    if "cases.detail" in current_app.view_functions:
        return url_for("cases.detail", case_id=case_id)
    return None


def _common(**context) -> dict:
    from portal.figures import rates as figures

    return {"labels": labels, "dimensions": DIMENSIONS, "case_href": case_href, "scoring": scoring,
            "figures": figures, **context}


def _period():
    return scoring.Period.parse(request.args.get("period"), default=local_today())


# --- the monthly assessment ------------------------------------------------------------------

@bp.route("/")
@readers
def index():
    """Rank the units (and departments, for the district) of the user's scope for a month or year."""
    period = _period()
    result = scoring.assess(current_user, period)
    return render("assessment/index.html", "assessment/_ranking.html",
                  **_common(period=period, result=result,
                            show_departments=scoring.sees_departments(current_user)))


@bp.route("/export.xlsx")
@readers
def export_xlsx():
    """Download the period's ranking and every point lost as an XLSX workbook."""
    period = _period()
    result = scoring.assess(current_user, period)
    body = export.workbook(result, current_user)
    response = make_response(body)
    response.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="assessment-{period.label}.xlsx"'
    return response


@bp.route("/units/<int:unit_id>")
@readers
def unit(unit_id: int):
    """Explain a unit's score: its parts, and every point lost, case by case."""
    unit = db.session.get(Unit, unit_id)
    perm.require(scoring.can_see_unit(current_user, unit))
    period = _period()
    result = scoring.unit_result(unit, period)
    return render("assessment/unit.html", "assessment/_unit_body.html",
                  **_common(unit=unit, period=period, result=result, rates=_unit_rates(unit, period)))


@bp.route("/departments/<int:department_id>")
@readers
def department(department_id: int):
    """Explain a department's score: its parts, its units' scores, and where its points were lost,
    per unit, per reason and case by case (the district platform only: it spans every street)."""
    department = db.session.get(Department, department_id)
    perm.require(scoring.can_see_department(current_user, department))
    period = _period()
    result = scoring.department_result(department, period)
    return render("assessment/department.html", "assessment/_department_body.html",
                  **_common(department=department, period=period, dept=result, result=result.result))


def _unit_rates(unit: Unit, period: scoring.Period):
    from portal.figures import rates

    return rates.monthly_rates(unit_id=unit.id, months=period.months())


@bp.route("/rates")
@readers
def rates():
    """Show the three rates per street and unit for a month, with their definitions."""
    from portal.figures import rates as figures

    period = _period()
    months = period.months()
    scope = scoring.scope_filter(current_user)
    streets = []
    if current_user.role == perm.DISTRICT_ADMIN:
        from sqlalchemy import select

        from portal.org.models import Street

        district = figures.monthly_rates(months=months)
        for street in db.session.scalars(select(Street).where(Street.active).order_by(Street.code)):
            streets.append((street, figures.monthly_rates(street_id=street.id, months=months)))
    else:
        district = None
        if "street_id" in scope:
            street = current_user.street
            streets.append((street, figures.monthly_rates(street_id=street.id, months=months)))
    units = [(u, figures.monthly_rates(unit_id=u.id, months=months)) for u in scoring.visible_units(current_user)]
    return render("assessment/rates.html", None,
                  **_common(period=period, district=district, streets=streets, units=units))


# --- ratings ---------------------------------------------------------------------------------

@bp.route("/ratings")
@readers
def ratings_index():
    """List the ratings owed (to raters) and the ratings given in the user's scope."""
    return render("assessment/ratings.html", None,
                  **_common(owed=ratings.owed_ratings(current_user), given=ratings.given_ratings(current_user),
                            can_rate=current_user.role in ratings.RATERS))


def _rating_or_404(rating_id: int) -> WhistleRating:
    rating = db.session.get(WhistleRating, rating_id)
    perm.require(rating is not None and ratings.can_see(current_user, rating))
    perm.require(ratings.can_rate(current_user, rating), 403)
    return rating


@bp.route("/ratings/<int:rating_id>", methods=["GET", "POST"])
@raters
def rate(rating_id: int):
    """Rate a unit's part in a closed whistle (once), or correct the rating with a reason."""
    rating = _rating_or_404(rating_id)
    correcting = not rating.is_owed
    form = RatingForm()
    if request.method == "GET":
        form.version.data = rating.version
        if correcting:
            for d in DIMENSIONS:
                getattr(form, d).data = str(getattr(rating, d))
            form.comment.data = rating.comment
    error = None
    status = 200
    if request.method == "POST":
        if form.validate():
            if str(rating.version) != (form.version.data or ""):
                return _rating_conflict(rating, form)
            try:
                ratings.rate(rating, current_user, {d: getattr(form, d).data for d in DIMENSIONS},
                             form.comment.data, reason=form.reason.data, correct=correcting)
                db.session.commit()
            except StaleDataError:
                return _rating_conflict(rating, form)
            except ratings.RatingError as exc:
                db.session.rollback()
                rating = db.session.get(WhistleRating, rating_id)
                if exc.field and hasattr(form, exc.field):
                    getattr(form, exc.field).errors = [str(exc.message)]
                else:
                    error = str(exc.message)
                status = exc.status
            else:
                flash(_("Rating saved: %(unit)s, whistle %(number)s.", unit=rating.unit.name,
                        number=rating.case.number), "success")
                return redirect(url_for("assessment.case_ratings", case_id=rating.case_id))
        else:
            status = 422
    return render("assessment/rate.html", None, http_status=status,
                  **_common(rating=rating, form=form, correcting=correcting, error=error,
                            roles=ASSIGNMENT_ROLES))


def _rating_conflict(rating: WhistleRating, form: RatingForm):
    """Someone else rated meanwhile: 409 with the current rating and the user's input kept."""
    db.session.rollback()
    rating = db.session.get(WhistleRating, rating.id)
    form.version.data = rating.version  # saving again now is a deliberate correction
    return render("assessment/rate.html", None, http_status=409,
                  **_common(rating=rating, form=form, correcting=not rating.is_owed, roles=ASSIGNMENT_ROLES,
                            error=_("Someone else rated this unit meanwhile; the current rating is shown. "
                                    "Your input is kept in the form.")))


@bp.route("/cases/<int:case_id>/ratings")
@perm.login_required
def case_ratings(case_id: int):
    """Show a case's whistle ratings and automatic marks (a unit sees only its own).

    The case page loads this fragment with hx-get; roles without access to ratings get it empty.
    """
    case = db.session.get(Case, case_id)
    perm.require(case is not None and can_see_case(current_user, case))
    items = ratings.case_ratings(case, current_user)
    marks = _case_marks(case) if current_user.role in ratings.READERS else {}
    return render("assessment/case_ratings.html", "assessment/_case_ratings.html",
                  **_common(case=case, items=items, marks=marks, roles=ASSIGNMENT_ROLES,
                            satisfaction_levels=SATISFACTION_LEVELS,
                            readable=current_user.role in ratings.READERS,
                            can_rate={r.id: ratings.can_rate(current_user, r) for r in items}))


def _case_marks(case: Case) -> dict[int, scoring.Marks]:
    """The automatic marks of the case's assignments (for a whistle), by assignment id."""
    if not case.whistle_filed or case.whistled_at is None:
        return {}
    period = scoring.Period(scoring.local_month(case.whistled_at), "month")
    scope = scoring.scope_filter(current_user)
    return {m.assignment_id: m for m in scoring.period_marks(period, case_id=case.id, **scope)}


# --- the scoring rule ------------------------------------------------------------------------

@bp.route("/rule")
@perm.login_required
def rule():
    """Show the scoring rule in force, how it is applied, and every version with who, when, why."""
    versions = scoring.rule_versions()
    return render("assessment/rule.html", None,
                  **_common(current=versions[-1], versions=list(reversed(versions)),
                            in_force=scoring.rule_for(local_today().replace(day=1), versions),
                            can_edit=current_user.role == perm.DISTRICT_ADMIN,
                            mins=(scoring.MIN_UNIT_STREET_SHARE, scoring.MIN_DEPARTMENT_STREET_SHARE)))


@bp.route("/rule/edit", methods=["GET", "POST"])
@perm.roles_required(perm.DISTRICT_ADMIN)
def edit_rule():
    """Change the weights: a new version of the rule, with the month it scores from and why."""
    current = scoring.current_rule()
    form = RuleForm()
    status, error, conflict = 200, None, False
    if request.method == "GET":
        for name in scoring.WEIGHT_FIELDS:
            getattr(form, name).data = getattr(current, name)
        form.effective_from.data = local_today().replace(day=1)
        form.based_on.data = current.number
    elif not (form.based_on.data or "").isdigit():
        # The form does not say which version it changes: no out-of-date check is possible.
        form.validate()  # the fields' own messages, if any, as well
        status, conflict = 400, True
        error = _("The form did not say which version of the rule it changes. The current version is shown "
                  "below; check your values and save again.")
        form.based_on.data = current.number
    elif form.validate():
        values = {name: getattr(form, name).data for name in scoring.WEIGHT_FIELDS}
        try:
            new = scoring.change_rule(current_user, values, reason=form.reason.data,
                                      effective_from=form.effective_from.data, based_on=int(form.based_on.data))
            db.session.commit()
        except scoring.RuleInvalid as exc:
            db.session.rollback()
            for name, message in exc.errors.items():
                getattr(form, name).errors = [str(message)]
            status = 422
        except scoring.StaleRule:
            db.session.rollback()
            current = scoring.current_rule()
            form.based_on.data = current.number  # saving again now builds on the current version
            status, conflict = 409, True
            error = _("Someone changed the rule meanwhile. The current version is shown below; your values "
                      "are kept in the form: check them and save again.")
        else:
            flash(_("Version %(n)s of the scoring rule is saved.", n=new.number), "success")
            return redirect(url_for("assessment.rule"), 303)
    else:
        status = 422
    return render("assessment/rule_form.html", None, http_status=status,
                  **_common(form=form, current=current, error=error, conflict=conflict,
                            mins=(scoring.MIN_UNIT_STREET_SHARE, scoring.MIN_DEPARTMENT_STREET_SHARE)))
