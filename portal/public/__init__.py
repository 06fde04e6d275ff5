"""The residents' portal (居民服务): report an issue (随手拍), follow it by its tracking code, rate
the result, and see the public list, the monthly figures and the open data. No login.

- `services`: the report, the code lookup, the public timeline, the public list and CSV.
- `throttle`: per-client limits kept in the database (`models.PublicThrottle`).
- `masking`: 张* and 138****5678.
"""
from flask import Blueprint, g

bp = Blueprint("public", __name__, url_prefix="/public")

from portal.public import models, views  # noqa: E402,F401


def _referrer_policy(response):
    """Pages that carry a tracking code in their address never send it on as a referrer."""
    if g.get("public_no_referrer"):
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.web import register_nav

    app.config.setdefault("VISITOR_HOME", "public.index")
    register_nav("public.index", _l("Residents' services"), perm.PUBLIC, order=90)
    # The core's security headers set Referrer-Policy for every response; Flask runs the app's
    # after_request functions last-registered first, so this one goes first in the list to run last.
    app.after_request_funcs.setdefault(None, []).insert(0, _referrer_policy)
