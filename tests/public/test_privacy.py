"""Public pages never show a reporter's full name or phone number, nor an internal note (all seeded cases)."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.cases.models import Case, CaseEvent
from portal.extensions import db

CSRF = re.compile(r'(<meta name="csrf-token" content=")[^"]*|(name="csrf_token" value=")[^"]*')


def _pages(client, codes) -> dict[str, str]:
    pages = {}
    for url in ["/public/", "/public/issues.json", "/public/issues.csv", "/public/figures", "/public/data"]:
        pages[url] = client.get(url).get_data(as_text=True)
    page, last = 1, None
    while page == 1 or page <= last:
        html = client.get(f"/public/issues?page={page}").get_data(as_text=True)
        pages[f"/public/issues?page={page}"] = html
        found = re.search(r"共 (\d+) 页", html)
        last = int(found.group(1)) if found else 1
        page += 1
    for code in codes:
        response = client.get(f"/public/track/{code}")
        assert response.status_code == 200, code
        pages[code] = response.get_data(as_text=True)
    return {url: CSRF.sub(r"\1\2", text) for url, text in pages.items()}


def test_no_public_page_shows_a_reporter_or_an_internal_note(app, client):
    with app.app_context():
        cases = db.session.scalars(select(Case).order_by(Case.id)).all()
        people = [(c.reporter_name, c.reporter_phone) for c in cases]
        codes = [c.tracking_code for c in cases if c.tracking_code]
        notes = {e.note.strip() for e in db.session.scalars(select(CaseEvent).where(CaseEvent.note != ""))}
    assert len(codes) == len(cases) >= 30
    assert sum(1 for name, phone in people if name and phone) >= 10
    assert notes
    app.config["PUBLIC_LIMITS"] = {}           # the defaults: every code here is right, so none counts
    pages = _pages(client, codes)
    leaks = []
    for url, text in pages.items():
        for name, phone in people:
            if len(name) > 1 and name in text:
                leaks.append((url, name))
            digits = "".join(ch for ch in phone if ch.isdigit())
            if phone and (phone in text or (digits and digits in re.sub(r"\D", "", text))):
                leaks.append((url, phone))
        for note in notes:
            if note in text:
                leaks.append((url, note))
    assert leaks == []


def test_masked_reporters_are_shown_to_the_code_holder(app, client):
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reporter_name == "黄志强"))
        code = case.tracking_code
    html = client.get(f"/public/track/{code}").get_data(as_text=True)
    assert "黄**" in html and "132****9900" in html
