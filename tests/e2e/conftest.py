"""Browser tests: Playwright driving Debian's Chromium against the app served on loopback.

Without /usr/bin/chromium these tests are skipped, unless PORTAL_REQUIRE_BROWSER=1 (as in CI),
which turns a missing browser into a usage error for the whole run.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = Path("/usr/bin/chromium")
E2E_DIR = Path(__file__).resolve().parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_PASSWORD = "portal-demo"


def browser_required() -> bool:
    return os.environ.get("PORTAL_REQUIRE_BROWSER", "").strip() not in ("", "0")


def pytest_collection_modifyitems(config, items):
    """Skip (or refuse to run) the tests under tests/e2e when Chromium is not installed."""
    if CHROMIUM.exists():
        return
    e2e_items = [item for item in items if E2E_DIR in Path(str(item.path)).resolve().parents]
    if not e2e_items:
        return
    if browser_required():
        raise pytest.UsageError(
            f"PORTAL_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: "
            "apt-get install -y chromium fonts-noto-cjk")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (browser tests skipped)")
    for item in e2e_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # `--browser-channel` does not find Debian's Chromium; never `playwright install`.
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(pytestconfig):
    """Same value as pytest-playwright's fallback `base_url`, as a plain function.

    Theirs is a method of a plugin object, which pytest 9 reports with a deprecation warning
    from pytest's own module, so the project's "warnings are errors" setting would fail every test.
    """
    try:
        ini = pytestconfig.getini("base_url")
    except ValueError:
        ini = None
    return pytestconfig.getoption("--base-url", None) or ini or None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


class _QuietHandler(WSGIRequestHandler):
    """Do not print a line per request; errors are still logged."""

    def log_request(self, code="-", size="-"):
        pass


@pytest.fixture
def live_server(app):
    """Serve the test's `app` on 127.0.0.1 (a free port) in a daemon thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def login_as(page, live_server):
    """`login_as("chief")` logs the test's page in through the login form and returns the page.

    Pass `page=` to log in another page (e.g. one from a second browser context).
    """

    def login(username: str, password: str = DEMO_PASSWORD, *, page=page):
        page.goto(f"{live_server}/auth/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main form button[type=submit]")
        try:
            page.wait_for_url(lambda url: urlsplit(url).path != "/auth/login", timeout=10_000)
        except Exception as exc:  # a Playwright TimeoutError: say why the login failed
            errors = page.locator(".field-error, .flash-error").all_inner_texts()
            raise AssertionError(f"login as {username!r} failed: {errors or 'still on the login page'}") from exc
        return page

    return login
