"""What a change answers over HTMX, and how it takes the write lock.

A unit's change comes back as its card (in place, `HX-Retarget`) plus, out of band, the case head
and the new timeline entry; progress logged without moving the case comes back without the card.
Everyone else, and every change with photos, gets the whole case body. The case is read before
the write lock; a change made by someone else in between is refused as stale by the version check
of the UPDATE."""
from __future__ import annotations

import re

from sqlalchemy import event, text as sql

from portal.extensions import db
from tests.cases.helpers import assert_unbroken, dispatched_case
from tests.cases.test_pages import act, assignment_id, events, make, photo, version  # noqa: F401

make = make  # the fixture, re-exported for this module


def body(response) -> str:
    return response.get_data(as_text=True)


def test_a_units_sign_for_answers_its_card_the_head_and_the_new_entry(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    response = act(app, client_as("unit_chief"), case_id, "sign_for", on=a, htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == f"#assignment-{a}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    page = body(response)
    assert 'id="case-body"' not in page and 'id="facts"' not in page      # not the whole body
    assert page.count('<article class="card assignment"') == 1 and f'id="assignment-{a}"' in page
    assert 'data-action="check_in"' in page                                  # the next step is offered
    head = re.search(r'<header id="case-head"[^>]*>', page).group(0)
    assert 'hx-swap-oob="true"' in head
    assert f'data-case-version="{version(app, case_id)}"' in head
    assert "已签收" in page.split('<header id="case-head"', 1)[1].split("</header>", 1)[0]
    assert re.search(r'<ol hx-swap-oob="beforeend:#timeline-list"><li id="event-\d+" data-event="sign_for"', page)
    assert events(app, case_id)[-1] == "sign_for"


def test_progress_that_moves_nothing_answers_only_the_head_and_the_entry(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    chief = client_as("unit_chief")
    for action in ("sign_for", "check_in"):
        assert act(app, chief, case_id, action, on=a, htmx=True).status_code == 200
    response = act(app, chief, case_id, "log_progress", {"note": "已联系物业 <b>明早</b> 清理"}, on=a, htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Reswap"] == "none" and "HX-Retarget" not in response.headers
    page = body(response)
    assert "<article" not in page
    assert f'data-case-version="{version(app, case_id)}"' in page
    assert 'data-event="log_progress"' in page
    assert "已联系物业 &lt;b&gt;明早&lt;/b&gt; 清理" in page                 # the note, escaped
    # the next progress posts the version from the head and is not stale
    response = act(app, chief, case_id, "log_progress", {"note": "已清理"}, on=a, htmx=True)
    assert response.status_code == 200
    assert events(app, case_id)[-2:] == ["log_progress", "log_progress"]
    with app.app_context():
        assert_unbroken(case_id)


def test_progress_that_moves_the_case_brings_the_card_back(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    chief = client_as("unit_chief")
    assert act(app, chief, case_id, "sign_for", on=a, htmx=True).status_code == 200
    response = act(app, chief, case_id, "log_progress", {"note": "先电话联系了"}, on=a, htmx=True)
    assert response.status_code == 200                                     # accepted → in progress
    assert response.headers["HX-Retarget"] == f"#assignment-{a}"
    head = body(response).split('<header id="case-head"', 1)[1].split("</header>", 1)[0]
    assert "处置中" in head                                                # the head shows the new state


def test_the_office_and_changes_with_photos_get_the_whole_body(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    chief = client_as("unit_chief")
    for action in ("sign_for", "check_in"):
        act(app, chief, case_id, action, on=a, htmx=True)
    response = chief.htmx("POST", f"/cases/{case_id}/assignments/{a}/act/submit_result",
                          {"version": version(app, case_id), "result": "已清理完毕", "photos": photo()})
    assert response.status_code == 200
    assert 'id="case-body"' in body(response) and "HX-Retarget" not in response.headers
    response = act(app, client_as("street_secretary"), case_id, "verify", on=a, htmx=True)
    assert response.status_code == 200
    assert 'id="case-body"' in body(response) and "HX-Retarget" not in response.headers


def test_without_htmx_a_unit_is_redirected_to_the_page(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    response = act(app, client_as("unit_chief"), case_id, "sign_for", on=a)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cases/{case_id}")


def _statements(app):
    seen = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda c, cur, stmt, *a: seen.append(stmt.split()[0:3]))
    return seen


def test_the_write_lock_is_taken_after_the_reads_and_held_to_the_commit(app, make, client_as):
    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    chief = client_as("unit_chief")
    chief.csrf()
    current = version(app, case_id)
    seen = _statements(app)
    response = chief.htmx("POST", f"/cases/{case_id}/assignments/{a}/act/sign_for", {"version": current})
    assert response.status_code == 200
    words = [" ".join(s) for s in seen]
    immediate = words.index("BEGIN IMMEDIATE")
    assert "BEGIN" in words[:immediate]                                       # the reads: a plain BEGIN
    assert any(w.startswith("SELECT") for w in words[:immediate])            # the user and the case
    assert not any(w.startswith(("UPDATE", "INSERT", "DELETE")) for w in words[:immediate])
    assert any(w.startswith("UPDATE") for w in words[immediate:])


def test_a_change_made_between_the_read_and_the_lock_is_refused_as_stale(app, make, client_as, monkeypatch):
    """Someone else's change lands after this request read the case and before it took the write
    lock: the UPDATE's version check refuses it (409), and only the other change is recorded."""
    from portal.cases import views

    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    seen = version(app, case_id)
    staff = client_as("unit_staff")
    staff.csrf()
    taken = views.begin_write

    def someone_else_first():
        with app.app_context():
            engine = db.engine
        with engine.begin() as conn:       # another connection signs for it and commits
            conn.execute(sql('UPDATE "case" SET version = version + 1 WHERE id = :id'), {"id": case_id})
        taken()

    monkeypatch.setattr(views, "begin_write", someone_else_first)
    response = staff.htmx("POST", f"/cases/{case_id}/assignments/{a}/act/sign_for", {"version": seen})
    assert response.status_code == 409
    assert 'class="flash flash-warning"' in body(response)
    assert "sign_for" not in events(app, case_id)
    assert version(app, case_id) == seen + 1
