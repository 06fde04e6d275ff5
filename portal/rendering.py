"""One helper decides between a full page and the fragment an HTMX request asked for."""
from flask import make_response, render_template

from portal.extensions import htmx


def wants_fragment() -> bool:
    """An HTMX request that is neither boosted navigation nor a history restore."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, fragment: str | None = None, /, *, http_status: int = 200, **context):
    """Render `page`, or only `fragment` (a template the page includes) for HTMX requests.

    Both answers share one URL, so the response varies on HX-Request.
    """
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), http_status)
    response.vary.add("HX-Request")
    return response


def render_fragment(fragment: str, /, *, http_status: int = 200, **context):
    """Render a fragment that only exists as an HTMX answer (e.g. an inline form)."""
    response = make_response(render_template(fragment, **context), http_status)
    response.vary.add("HX-Request")
    return response
