"""The vendored htmx and portal.js, in the browser, without the app.

Pages come from a routed fake origin that sends the portal's CSP (`script-src 'self'`),
so these tests also show that nothing needs an inline script.
"""
from __future__ import annotations

from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "static"
ORIGIN = "http://127.0.0.1:9"  # loopback is a secure context (geolocation); all routed, never reached
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="csrf-token" content="token-1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}'>
<link rel="stylesheet" href="/static/css/portal.css">
<script src="/static/vendor/htmx.min.js" defer></script>
<script src="/static/js/portal.js" defer></script>
</head><body hx-boost="true"><main id="main" class="container">
<div id="slot"><form id="f" hx-post="/save" hx-target="#slot"><input name="name">
  <button type="submit" class="btn">Save</button></form></div>
<form id="confirm-htmx" hx-post="/delete" hx-target="#slot" data-confirm="Really delete?">
  <button type="submit" class="btn btn-danger">Delete</button></form>
<form id="confirm-plain" method="post" action="/plain" hx-boost="false" data-confirm="Really send?">
  <button type="submit" class="btn">Send</button></form>
<form id="geo"><input type="hidden" name="lat"><input type="hidden" name="lng">
  <input type="hidden" name="accuracy"><button type="button" data-geolocate data-msg-done="Got it">Locate</button>
  <span data-geo-status></span></form>
</main>
<div id="htmx-error" role="alert" hidden data-msg-403="No permission" data-msg-409="Changed meanwhile"
  data-msg-422="Fix the fields" data-msg-5xx="Server trouble" data-msg-network="Offline"></div>
</body></html>"""


@pytest.fixture
def fake_portal(page):
    """Serve PAGE and static/ under ORIGIN; `responses[path] = (status, body)` scripts the server."""
    requests: list[dict] = []
    responses: dict[str, tuple[int, str]] = {}

    def handle(route):
        req = route.request
        path = req.url[len(ORIGIN):]
        if path.startswith("/static/"):
            file = STATIC / path[len("/static/"):]
            ctype = "text/css" if file.suffix == ".css" else "text/javascript"
            return route.fulfill(status=200, body=file.read_bytes(), content_type=ctype)
        requests.append({"path": path, "method": req.method, "headers": req.headers})
        if path == "/":
            return route.fulfill(status=200, body=PAGE, content_type="text/html",
                                 headers={"Content-Security-Policy": CSP})
        status, body = responses.get(path, (200, "<p>ok</p>"))
        return route.fulfill(status=status, body=body, content_type="text/html")

    page.route(f"{ORIGIN}/**", handle)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))  # uncaught exceptions, CSP refusals
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => window.htmx && document.documentElement.classList.contains('js')")
    return page, requests, responses, errors


def test_vendored_htmx_version(page):
    page.goto("about:blank")
    page.add_script_tag(path=str(STATIC / "vendor" / "htmx.min.js"))
    assert page.evaluate("() => htmx.version").startswith("2.0.11")


def test_csrf_header_and_error_handling(fake_portal):
    page, requests, responses, errors = fake_portal
    toast = page.locator("#htmx-error")

    responses["/save"] = (500, "<p>trace</p>")
    page.click("#f button")
    page.wait_for_selector("#htmx-error:not([hidden])")
    assert toast.inner_text() == "Server trouble"
    assert page.locator("#f").count() == 1  # a 500 is not swapped
    assert requests[-1]["headers"]["x-csrftoken"] == "token-1"
    toast.click()
    assert toast.is_hidden()

    responses["/save"] = (422, '<form id="f2"><p class="field-error">Name is required</p></form>')
    page.click("#f button")
    page.wait_for_selector("#f2 .field-error")
    assert toast.is_hidden()

    responses["/save"] = (409, '<p id="changed">Someone changed this</p>')
    page.evaluate("() => htmx.ajax('POST', '/save', {target: '#slot'})")
    page.wait_for_selector("#changed")
    assert toast.is_visible() and toast.inner_text() == "Changed meanwhile"

    responses["/save"] = (200, '<p id="fine">saved</p>')
    page.evaluate("() => htmx.ajax('POST', '/save', {target: '#slot'})")
    page.wait_for_selector("#fine")
    assert toast.is_hidden()
    assert errors == []


def test_data_confirm(fake_portal):
    page, requests, responses, errors = fake_portal
    answers = iter([False, True, False])
    page.on("dialog", lambda d: d.accept() if next(answers) else d.dismiss())

    page.click("#confirm-htmx button")          # declined: no request
    page.wait_for_timeout(300)
    assert not any(r["path"] == "/delete" for r in requests)
    page.click("#confirm-htmx button")          # accepted: the htmx request goes out
    page.wait_for_selector("#slot >> text=ok")
    assert [r["method"] for r in requests if r["path"] == "/delete"] == ["POST"]

    page.click("#confirm-plain button")         # plain form, declined: no navigation
    page.wait_for_timeout(300)
    assert not any(r["path"] == "/plain" for r in requests)
    assert page.url == f"{ORIGIN}/"


def test_geolocate_fills_hidden_fields(fake_portal):
    page, *_ = fake_portal
    page.context.grant_permissions(["geolocation"], origin=ORIGIN)
    page.context.set_geolocation({"latitude": 39.9042, "longitude": 116.4074, "accuracy": 12})
    page.click("[data-geolocate]")
    page.wait_for_function("() => document.querySelector('#geo [name=lat]').value !== ''")
    assert page.input_value("#geo [name=lat]") == "39.904200"
    assert page.input_value("#geo [name=lng]") == "116.407400"
    assert page.input_value("#geo [name=accuracy]") == "12"
    assert page.inner_text("[data-geo-status]").startswith("Got it")
