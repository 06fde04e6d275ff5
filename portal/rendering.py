"""One helper decides between a full page and the fragment an HTMX request asked for.

Both answers are made without werkzeug's header lookups that miss (each raises and catches an
exception, a few microseconds): HTMX's headers are read from the WSGI environ, and the
answer is made as a new HTML response with its Vary header added, not looked up first."""
from flask import current_app, render_template, request


def wants_fragment() -> bool:
    """An HTMX request that is neither boosted navigation nor a history restore (flask-htmx's
    `htmx`, `htmx.boosted` and `htmx.history_restore_request`, read from the environ)."""
    environ = request.environ
    return (environ.get("HTTP_HX_REQUEST") == "true" and environ.get("HTTP_HX_BOOSTED") != "true"
            and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true")


def _html(body: str, http_status: int):
    """A new HTML response of `body` that varies on HX-Request (page and fragment share a URL)."""
    response = current_app.response_class(body, status=http_status, content_type="text/html; charset=utf-8")
    response.headers.add("Vary", "HX-Request")
    return response


def render(page: str, fragment: str | None = None, /, *, http_status: int = 200, **context):
    """Render `page`, or only `fragment` (a template the page includes) for HTMX requests.

    Both answers share one URL, so the response varies on HX-Request.
    """
    template = fragment if fragment and wants_fragment() else page
    return _html(render_template(template, **context), http_status)


def render_fragment(fragment: str, /, *, http_status: int = 200, **context):
    """Render a fragment that only exists as an HTMX answer (e.g. an inline form)."""
    return _html(render_template(fragment, **context), http_status)
