"""What `make bench` serves (`gunicorn 'portal.figures.bench_wsgi:create()'`): the portal, with a
bare Flask app beside it at `/bare/`.

The bare app is the yardstick of every ratio the benchmark prints: one route answering "ok", with
none of the portal's hooks (session guard, access rules, locale, security headers). The portal's
own `/figures/ping` goes through all of them, so it is measured too, as the portal's cost of a
request that does nothing.
"""
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from portal.figures.bench import BARE_PATH


def bare_app() -> Flask:
    bare = Flask("bare")

    @bare.get("/")
    def hello():
        return "ok"

    return bare


def with_bare(portal) -> DispatcherMiddleware:
    """`portal` answering every path but `/bare/`, which the bare app answers."""
    return DispatcherMiddleware(portal, {BARE_PATH.rstrip("/"): bare_app()})


def create() -> DispatcherMiddleware:
    from wsgi import app        # the portal as gunicorn serves it in production

    return with_bare(app)
