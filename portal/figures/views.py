"""The definitions of the rates, and a bare page the benchmark compares every page with."""
from flask import make_response

from portal import permissions as perm
from portal.figures import bp
from portal.figures.rates import DEFINITIONS, LABELS, RATES, UNIT_DEFINITIONS
from portal.rendering import render


@bp.get("/definitions")
@perm.login_required
def definitions():
    """Show how the response, resolution and satisfaction rates are computed."""
    return render("figures/definitions.html", rates=RATES, labels=LABELS, definitions=DEFINITIONS,
                  unit_definitions=UNIT_DEFINITIONS)


@bp.get("/ping")
@perm.public
def ping():
    """Answer "ok": the bare Flask page of the benchmark (no database, no template)."""
    response = make_response("ok")
    response.mimetype = "text/plain"
    return response
