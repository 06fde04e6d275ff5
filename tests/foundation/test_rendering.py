"""A page or, for HTMX, the fragment it asked for: one URL, answers that vary on HX-Request."""
import pytest


@pytest.mark.parametrize("headers, fragment", [
    ({}, False),
    ({"HX-Request": "true"}, True),
    ({"HX-Request": "false"}, False),
    ({"HX-Request": "true", "HX-Boosted": "true"}, False),                   # boosted navigation
    ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),   # history restore
])
def test_htmx_requests_get_the_fragment_and_navigation_the_whole_page(client_for, headers, fragment):
    response = client_for("dispatcher").get("/cases/?state=new", headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("<html" not in body) is fragment and 'id="case-table"' in body
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers.getlist("Vary") == ["HX-Request, Cookie"]
    assert response.headers["Cache-Control"] == "no-store"


def test_plain_functions_run_as_they_are_and_everything_else_as_flask_decides(app):
    import functools

    from flask import Flask

    def plain():
        return "ok"

    async def coroutine():
        return "ok"

    assert app.ensure_sync(plain) is plain                      # no inspection, no wrapper
    for other in (coroutine, functools.partial(coroutine), app.make_response):
        try:
            expected = Flask.ensure_sync(app, other)
        except RuntimeError as error:                           # no async support installed
            with pytest.raises(RuntimeError, match=str(error)[:20]):
                app.ensure_sync(other)
        else:
            ours = app.ensure_sync(other)
            assert (ours is other) is (expected is other)
