from __future__ import annotations

import json
from math import ceil

from flask import abort, current_app, flash, make_response, redirect, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal import permissions as perm
from portal.cases import rules, uploads
from portal.cases.models import SATISFACTION_LEVELS, Attachment
from portal.extensions import db
from portal.figures import rates
from portal.public import bp, labels, services, throttle
from portal.public.forms import LookupForm, RatingForm, ReportForm
from portal.public.masking import mask_name, mask_phone, mask_text
from portal.rendering import render
from portal.timeutil import format_local, utcnow


@bp.after_request
def _client_cookie(response):
    if response.mimetype == "text/html":
        throttle.ensure_client_cookie(response)
    return response


def _private(response):
    """A page or photo reached through a tracking code: never cached, never a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the core keeps a view's own policy
    return response


# --- home --------------------------------------------------------------------------------------

@bp.route("/")
@perm.public
def index():
    """Show the residents' home page: report a problem, follow a report, see what the street does."""
    return render("public/index.html", lookup_form=LookupForm(formdata=None))


# --- report (随手拍) ------------------------------------------------------------------------------

def _report_page(form: ReportForm, http_status: int = 200, *, notice: str | None = None,
                 photos_lost: bool = False):
    matter_options = [(label, options) for _code, label, options in services.matter_groups()]
    community_options = [(street.name, [(str(c.id), c.name) for c in communities])
                          for street, communities in services.community_groups()]
    response = render("public/report.html", form=form, matter_options=matter_options,
                      community_options=community_options, not_sure=services.NOT_SURE,
                      notice=notice, photos_lost=photos_lost, max_photos=services.MAX_PHOTOS,
                      http_status=http_status)
    response.headers["Cache-Control"] = "no-store"      # it may hold the name and phone typed
    return response


def _add_error(field, message) -> None:
    # str(): a lazy text counts as safe markup in templates (it has __html__); a plain one is escaped.
    field.errors = [*field.errors, str(message)]


@bp.route("/report", methods=["GET", "POST"])
@perm.public
def report():
    """Take a resident's report of a problem and give them its tracking code."""
    form = ReportForm()
    if request.method == "GET":
        return _report_page(form)
    files = request.files.getlist("photos")
    photos_lost = any(f.filename for f in files)
    wait = throttle.blocked("report") or throttle.blocked("report_attempt")
    if wait is not None:
        return _report_page(form, 429, photos_lost=photos_lost, notice=_(
            "You have sent several reports in a short time. Please wait %(n)d minutes, then send this "
            "one again: what you typed is still here.", n=throttle.minutes(wait)))
    if form.homepage.data:
        throttle.hit("report")
        return _report_page(form, 422, photos_lost=photos_lost,
                            notice=_("The report could not be sent. Please check it and send it again."))
    if not form.validate():
        return _report_page(form, 422, photos_lost=photos_lost)     # a resident's slip does not count
    # Every report whose photos are decoded counts as an attempt (decoding is the costly part);
    # only an accepted one counts as a report, so a resident whose phone photo is refused can try
    # again without losing their allowance.
    throttle.hit("report_attempt")
    data = services.Report(
        matter=form.matter.data, description=form.description.data, community=form.community.data,
        address=form.address.data or "", reporter_name=form.reporter_name.data or "",
        reporter_phone=form.reporter_phone.data or "", contact_consent=bool(form.contact_consent.data))
    try:
        case, photos = services.submit_report(data, files)
    except uploads.InvalidUpload as error:
        db.session.rollback()
        _add_error(form.photos, error.message)
        return _report_page(form, 422, photos_lost=photos_lost)
    except rules.CaseError as error:
        db.session.rollback()
        field = getattr(form, error.field, None) if error.field else None
        if field is not None and field.name != "csrf_token":
            _add_error(field, error.message)
            return _report_page(form, 422, photos_lost=photos_lost)
        return _report_page(form, 422, photos_lost=photos_lost, notice=str(error.message))
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        uploads.discard(photos)
        raise
    throttle.hit("report")
    flash(_("Thank you. Your report has been received. Write down or print the tracking code below: "
            "with it you can follow your report here."), "success")
    return redirect(url_for("public.case", code=case.tracking_code))


# --- follow a report by its tracking code ------------------------------------------------------

def _lookup_page(form: LookupForm, http_status: int = 200, notice: str | None = None):
    return _private(render("public/lookup.html", form=form, notice=notice, http_status=http_status))


def _throttled_notice(wait: int) -> str:
    return _("Too many wrong tracking codes were tried from this device. Please wait %(n)d minutes "
             "and try again.", n=throttle.minutes(wait))


def _case_for_code(code: str):
    """(case, None) for a known code, else (None, the answer): throttled, or no such code."""
    form = LookupForm(formdata=None, code=code)
    wait = throttle.blocked("lookup")
    if wait is not None:
        return None, _lookup_page(form, 429, _throttled_notice(wait))
    case = services.find_by_code(code)
    if case is None:
        throttle.hit("lookup")
        return None, _lookup_page(form, 404, _("No report has this tracking code. Check the code and try "
                                              "again: it has 12 letters and digits."))
    return case, None


@bp.route("/track", methods=["GET", "POST"])
@perm.public
def lookup():
    """Ask for a tracking code and open the report it belongs to."""
    form = LookupForm()
    if request.method == "POST":
        if not form.validate():
            return _lookup_page(form, 422)
        case, refusal = _case_for_code(form.code.data)
        if refusal is not None:
            return refusal
        return redirect(url_for("public.case", code=case.tracking_code))
    return _lookup_page(form)


def _case_context(case, rating_form: RatingForm | None = None) -> dict:
    return {
        "case": case,
        "state_label": labels.STATE_LABELS[case.state],
        "state_badge": labels.BADGES[labels.state_group(case.state)],
        "category": services.matter_label(case.matter),
        "description": mask_text(case.description),
        "reporter_name": mask_name(case.reporter_name),
        "reporter_phone": mask_phone(case.reporter_phone),
        "timeline": services.timeline(case),
        "loose_photos": services.loose_photos(case),
        "can_rate": services.can_rate(case),
        "can_reopen": services.can_reopen(case),
        "rating_form": rating_form or RatingForm(formdata=None),
        "satisfaction_label": (SATISFACTION_LEVELS.get(case.satisfaction.level)
                               if case.satisfaction is not None else None),
    }


@bp.route("/track/<code>")
@perm.public
def case(code: str):
    """Show a report's state and public timeline to whoever holds its tracking code."""
    found, refusal = _case_for_code(code)
    if refusal is not None:
        return refusal
    if found.tracking_code != code:
        return redirect(url_for("public.case", code=found.tracking_code))
    return _private(render("public/case.html", **_case_context(found)))


@bp.route("/track/<code>/photos/<int:attachment_id>")
@perm.public
def photo(code: str, attachment_id: int):
    """Send a photo staff marked public, to whoever holds the case's tracking code."""
    found, refusal = _case_for_code(code)
    if refusal is not None:
        abort(refusal.status_code)
    attachment = db.session.get(Attachment, attachment_id)
    perm.require(attachment is not None and attachment.case_id == found.id and attachment.public)
    path = uploads.photo_path(attachment)
    perm.require(path.is_file())
    return _private(send_file(path, mimetype=attachment.content_type, max_age=0))


@bp.route("/track/<code>/rate", methods=["POST"])
@perm.public
def rate(code: str):
    """Record the resident's rating of a closed case; "not satisfied" may reopen it once."""
    found, refusal = _case_for_code(code)
    if refusal is not None:
        return refusal
    target = url_for("public.case", code=found.tracking_code)
    if not services.can_rate(found):
        flash(_("This report cannot be rated now: it is not closed, or it has been rated already."), "info")
        return redirect(target, 303)
    form = RatingForm()
    valid = form.validate()
    if valid and form.reopen.data and not services.can_reopen(found):
        _add_error(form.reopen, _("This report has already been handled a second time; it cannot be "
                                  "reopened again."))
        valid = False
    if not valid:
        return _private(render("public/case.html", **_case_context(found, form), http_status=422))
    try:
        rules.rate_case(found, form.level.data, form.comment.data or "", reopen=bool(form.reopen.data),
                        reason=form.reason.data or "")
        db.session.commit()
    except (rules.CaseError, IntegrityError) as error:
        db.session.rollback()
        message = error.message if isinstance(error, rules.CaseError) else _("This case has already been rated.")
        flash(str(message), "error")
        return redirect(target, 303)
    if form.reopen.data:
        flash(_("Thank you. The street will handle your report again; you can follow it here."), "success")
    else:
        flash(_("Thank you for your rating."), "success")
    return redirect(target, 303)


# --- the public list and open data -------------------------------------------------------------

def _filters():
    streets = services.active_streets()
    code = request.args.get("street", "")
    street = next((s for s in streets if s.code == code), None)
    group = request.args.get("state", "")
    return streets, street, group if group in labels.STATE_GROUPS else ""


@bp.route("/issues")
@perm.public
def issues():
    """List recent issues by street and state, without any personal data."""
    streets, street, group = _filters()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    page = min(page, services.MAX_PAGES)
    total, more_than = services.count_issues(street, group)
    cases = services.public_issues(street, group, page=page)
    pages = max(1, ceil(total / services.PAGE_SIZE))
    return render("public/issues.html", "public/_issues.html", streets=streets, street=street, group=group,
                  groups=labels.STATE_GROUPS, rows=[services.issue_row(c) for c in cases], total=total,
                  more_than=more_than, page=page, pages=pages, badges=labels.BADGES)


def _export_rows() -> list[dict]:
    _streets, street, group = _filters()
    cases = services.public_issues(street, group, page=1, per_page=services.EXPORT_LIMIT)
    return [services.issue_row(c) for c in cases]


@bp.route("/issues.json")
@perm.public
def issues_json():
    """Give the public list as open data in JSON."""
    rows = _export_rows()
    payload = {
        "generated_at": format_local(utcnow(), "%Y-%m-%dT%H:%M:%S+08:00"),
        "fields": [{"name": name, "description": str(doc)} for name, doc in labels.OPEN_DATA_FIELDS],
        "count": len(rows),
        "items": rows,
    }
    response = current_app.response_class(json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                                          mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/issues.csv")
@perm.public
def issues_csv():
    """Give the public list as open data in CSV (UTF-8 with a byte-order mark)."""
    response = make_response(services.issues_csv(_export_rows()))
    response.content_type = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=public-issues.csv"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/data")
@perm.public
def open_data():
    """Describe the open data: where it is and what every field means."""
    return render("public/data.html", fields=labels.OPEN_DATA_FIELDS)


# --- figures -----------------------------------------------------------------------------------

FIGURE_MONTHS = (3, 6, 12)


@bp.route("/figures")
@perm.public
def figures():
    """Show each street's response, resolution and satisfaction rates by month, with how they are computed."""
    streets, street, _group = _filters()
    count = request.args.get("months", 6, type=int)
    count = count if count in FIGURE_MONTHS else 6
    months = rates.last_months(count)[::-1]            # newest first
    shown = [street] if street is not None else streets
    tables = [(s, rates.monthly_rates(street_id=s.id, months=months)) for s in shown]
    return render("public/figures.html", "public/_figures.html", streets=streets, street=street,
                  tables=tables, count=count, choices=FIGURE_MONTHS, definitions=rates.DEFINITIONS,
                  rate_labels=rates.LABELS)
