"""The case page reads what it shows in a fixed number of statements, however long its history.

The user, then the case and its assignments (the rules decide on them) come as plain rows made
records (`portal.database.adopt`), one statement each; the names around them
(place, matter and departments, units, who signed and checked in, presses), the timeline and
the photos come as plain rows, one statement each (`portal.cases.page`)."""
from __future__ import annotations

import re

from sqlalchemy import event

from portal.extensions import db
from tests.cases.helpers import unit
from tests.cases.test_pages import act, assignment_id, demo_case, make, new_case, text  # noqa: F401

make = make  # the fixture, re-exported for this module


def card_of(page: str, assignment_id: int) -> str:
    return page.split(f'id="assignment-{assignment_id}"', 1)[1].split("</article>", 1)[0]


def page_statements(app, client, case_id: int) -> tuple[str, list[str]]:
    seen = []

    def keep(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", keep)
    try:
        response = client.get(f"/cases/{case_id}")
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", keep)
    assert response.status_code == 200
    return text(response), [s for s in seen if s.lstrip().upper().startswith("SELECT")]


def test_a_page_shows_its_units_and_presses_in_a_fixed_number_of_reads(app, make, client_as):
    case_id = make(lambda: new_case(level=3, matter_code="CS-ZF-001"))
    with app.app_context():
        fgs, pcs, xfz = (unit(c) for c in ("qt-fgs", "qt-pcs", "qt-xfz"))
        names = [(u.name, u.department.name) for u in (fgs, pcs, xfz)]
        ids = [u.id for u in (fgs, pcs, xfz)]
    secretary = client_as("street_secretary")
    assert act(app, secretary, case_id, "whistle",
               {"kind": "tough", "lead": ids[0], "cooperating": ids[1:]}).status_code == 303
    whistled, first = page_statements(app, secretary, case_id)
    for name, department in names:
        assert name in whistled and department in whistled
    chief = client_as("unit_chief")             # qt-zfd's chief: not on this case
    assert chief.get(f"/cases/{case_id}").status_code == 404

    overdue = demo_case(app, "书香苑平房区")     # a demo case with an overdue unit
    gzs = assignment_id(app, overdue, "qt-gzs")
    before, reads = page_statements(app, secretary, overdue)
    for _ in range(2):
        assert act(app, secretary, overdue, "press", {"note": "请尽快签收。"}, on=gzs).status_code == 303
    after, more = page_statements(app, secretary, overdue)
    pressed = [int(re.search(r"已督办(\d+)次", card_of(html, gzs)).group(1)) for html in (before, after)]
    assert pressed[1] == pressed[0] + 2                           # the presses, counted
    assert after.count('<li id="event-') == before.count('<li id="event-') + 2
    assert len(more) == len(reads) == len(first)                   # more history, no more reads
    assert len(more) <= 9       # user, case, assignments, the five of `page.load`, the frame's street


def test_who_signed_and_checked_in_is_named_on_the_card(app, make, client_as):
    from tests.cases.helpers import dispatched_case

    case_id = make(lambda: dispatched_case())
    a = assignment_id(app, case_id, "qt-zfd")
    chief = client_as("unit_chief")
    for action in ("sign_for", "check_in"):
        assert act(app, chief, case_id, action, on=a).status_code == 303
    page = text(client_as("street_dispatcher").get(f"/cases/{case_id}"))
    card = card_of(page, a)
    assert re.search(r"派驻机构负责人 刘洋于 [\d-]+ [\d:]+ 签收", card)
    assert re.search(r"派驻机构负责人 刘洋于 [\d-]+ [\d:]+ 到场报到", card)
