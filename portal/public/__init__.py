"""The residents' portal (居民服务): report an issue (随手拍), follow it by its tracking code, rate
the result, and see the public list, the monthly figures and the open data. No login.

- `services`: the report, the code lookup, the public timeline, the public list and CSV.
- `throttle`: per-client limits kept in the database (`models.PublicThrottle`).
- `masking`: 张* and 138****5678.
"""
from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")

from portal.public import models, views  # noqa: E402,F401


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from portal import permissions as perm
    from portal.web import register_nav

    app.config.setdefault("VISITOR_HOME", "public.index")
    register_nav("public.index", _l("Residents' services"), perm.PUBLIC, order=90)
