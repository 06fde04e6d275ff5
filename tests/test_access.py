"""Every route against every role: the declared access table is what the server enforces.

Each area lists sample arguments for its GET routes with URL parameters in `tests/<area>/samples.py`
(`SAMPLES = {endpoint: {"kwargs": callable(app) -> dict, "expect": {role: status}}}`), pointing at
objects inside the demo users' scope. A route missing from both tables fails this test.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from portal import create_app, permissions as perm
from tests.conftest import DEMO_BY_ROLE

DUMMY = {"integer": 999999, "int": 999999, "default": "x", "string": "x", "path": "x"}


def _load_samples() -> dict:
    samples = {}
    for path in sorted(Path(__file__).parent.glob("*/samples.py")):
        spec = importlib.util.spec_from_file_location(f"samples_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        samples.update(module.SAMPLES)
    return samples


SAMPLES = _load_samples()


def _rules():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "INSTANCE_PATH": "/tmp/portal-access-probe"})
    return app, sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint)


_APP, RULES = _rules()
TABLE = perm.access_table(_APP)


def _allowed(access, role: str) -> bool:
    return access in (perm.PUBLIC, perm.LOGGED_IN) or role in access


def _dummy_url(rule) -> str:
    values = {arg: DUMMY.get(type(rule._converters[arg]).__name__.replace("Converter", "").lower(), "x")
              for arg in rule.arguments}
    with _APP.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def test_every_route_declares_its_access():
    undeclared = [endpoint for endpoint, access in TABLE.items() if access is None]
    assert undeclared == []


def test_every_parameterised_get_route_has_a_sample():
    missing = [r.endpoint for r in RULES
               if r.arguments and "GET" in r.methods and r.endpoint != "static"
               and TABLE[r.endpoint] != perm.PUBLIC and r.endpoint not in SAMPLES]
    assert missing == []


@pytest.mark.parametrize("role", perm.ROLES)
def test_roles_outside_the_declaration_get_403(client_as, role):
    client = client_as(role)
    failures = []
    for rule in RULES:
        access = TABLE[rule.endpoint]
        if rule.endpoint == "static" or _allowed(access, role):
            continue
        method = _method(rule)
        headers = {"X-CSRFToken": client.csrf()} if method != "GET" else {}
        response = client.open(_dummy_url(rule), method=method, headers=headers)
        if response.status_code != 403:
            failures.append((rule.endpoint, response.status_code))
    assert failures == []


def test_visitors_are_sent_to_login(client):
    failures = []
    for rule in RULES:
        if rule.endpoint == "static" or TABLE[rule.endpoint] == perm.PUBLIC:
            continue
        method = _method(rule)
        headers = {"X-CSRFToken": client.csrf()} if method != "GET" else {}
        response = client.open(_dummy_url(rule), method=method, headers=headers)
        if response.status_code != 302 or "/auth/login" not in response.headers.get("Location", ""):
            failures.append((rule.endpoint, response.status_code))
    assert failures == []


@pytest.mark.parametrize("role", perm.ROLES)
def test_allowed_roles_get_their_pages(app, client_as, role):
    client = client_as(role)
    failures = []
    for rule in RULES:
        access = TABLE[rule.endpoint]
        if rule.endpoint == "static" or "GET" not in rule.methods or not _allowed(access, role):
            continue
        sample = SAMPLES.get(rule.endpoint)
        if rule.arguments:
            if sample is None:
                continue  # public parameterised pages are covered by their area's tests
            with app.app_context():
                kwargs = sample["kwargs"](app)
        else:
            kwargs = {}
        expected = (sample or {}).get("expect", {}).get(role)
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **kwargs)
        response = client.get(url)
        ok = response.status_code == expected if expected else response.status_code in (200, 302)
        if not ok:
            failures.append((rule.endpoint, url, response.status_code))
    assert failures == []
