"""Chinese is the default language, so every message the code uses must have a Chinese text."""
import pytest

from portal import i18n


@pytest.mark.parametrize("area", i18n.areas())
def test_every_message_has_a_chinese_translation(area):
    assert i18n.missing(area, "zh") == []


def test_no_message_is_translated_two_ways_across_areas():
    """Flask-Babel merges every area's catalog, so one English text must mean one Chinese text."""
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for area in i18n.areas():
        po_path = i18n.catalog_dir(area) / "zh" / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            continue
        with po_path.open("rb") as fh:
            for message in read_po(fh):
                if not message.id or not message.string or not isinstance(message.id, str):
                    continue
                if message.id in seen and seen[message.id][1] != message.string:
                    clashes.append((message.id, seen[message.id], (area, message.string)))
                seen.setdefault(message.id, (area, message.string))
    assert clashes == []


def test_vocabularies_are_shown_in_the_language_of_the_request_or_the_forced_one(app):
    from flask import session
    from flask_babel import force_locale

    from portal.cases.models import CASE_STATES
    from portal.extensions import translated_vocabularies

    vocabularies = {"states": CASE_STATES}
    with app.test_request_context("/"):
        assert translated_vocabularies(vocabularies)["states"]["closed"] == "已结案"
        with force_locale("en"):
            assert translated_vocabularies(vocabularies)["states"]["closed"] == "Closed"
        assert translated_vocabularies(vocabularies)["states"]["closed"] == "已结案"
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert translated_vocabularies(vocabularies)["states"]["closed"] == "Closed"


def test_every_templates_messages_are_in_its_areas_catalog():
    """A template's messages are extracted into the catalog of its folder's area, or the core's for
    top-level templates and folders of no area (errors/): none is left out of every catalog."""
    from babel.messages.extract import extract_from_file

    extracted = {area: {i18n._msgid(m) for m in i18n.extract(area) if m.id} for area in i18n.areas()}
    left_out = []
    for path in sorted(i18n.TEMPLATES.rglob("*.html")):
        relative = path.relative_to(i18n.TEMPLATES).as_posix()
        for _line, message, _comments, _context in extract_from_file(
                "jinja2", str(path), keywords=i18n.KEYWORDS, options={"extensions": ""}):
            msgid = message if isinstance(message, str) else message[0]
            if msgid not in extracted[i18n.template_area(relative)]:
                left_out.append((relative, msgid))
    assert left_out == []
    assert i18n.template_area("errors/error.html") == i18n.CORE
    assert "Back to the home page" in extracted[i18n.CORE]
