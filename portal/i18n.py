"""Translations: each area keeps its own catalogs in `portal/<area>/translations`.

Message ids are English; the `zh` catalog is the default UI language and must be complete
(a test checks it). `python -m portal.i18n update` extracts and merges, `compile` builds .mo files.
Per-area catalogs let areas evolve without editing one shared file.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
TEMPLATES = ROOT / "templates"
LOCALES = ("zh", "en")  # "zh" matches the app locale zh_CN (zh_Hans_CN) via gettext fallback
DEFAULT_LOCALE = "zh"
CORE = "core"  # the package's top-level modules and the shared templates


def areas() -> list[str]:
    """Area names: sub-packages of portal/ plus the core."""
    names = sorted(p.name for p in PACKAGE_DIR.iterdir() if (p / "__init__.py").exists())
    return [CORE, *names]


def template_area(path: str) -> str:
    """The area whose catalogs hold the messages of a template (`path` relative to templates/):
    its folder's area, or the core for top-level templates and folders of no area (errors/)."""
    folder, _sep, _name = path.partition("/")
    return folder if _name and folder in areas() else CORE


def catalog_dir(area: str) -> Path:
    return PACKAGE_DIR / "translations" if area == CORE else PACKAGE_DIR / area / "translations"


def translation_directories() -> list[str]:
    return [str(catalog_dir(a)) for a in areas() if catalog_dir(a).is_dir()]


METHOD_MAP = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
            "_l": None, "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}


def _extract_dir(path: Path, top_level_only: bool = False) -> list[tuple[str, str]]:
    found = []
    if not path.is_dir():
        return found
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(path), METHOD_MAP, keywords=KEYWORDS, options_map={"**.html": {"extensions": ""}}
    ):
        if top_level_only and "/" in filename:
            continue
        found.append((filename, message))
    return found


def extract(area: str) -> Catalog:
    """Collect the messages of one area (its Python package and its templates folder)."""
    catalog = Catalog(locale=None, project="whistle-portal")
    if area == CORE:
        sources = _extract_dir(PACKAGE_DIR, top_level_only=True)
        sources += [(f, m) for f, m in _extract_dir(TEMPLATES) if template_area(f) == CORE]
    else:
        sources = _extract_dir(PACKAGE_DIR / area) + _extract_dir(TEMPLATES / area)
    for filename, message in sources:
        if isinstance(message, tuple):
            catalog.add(message[0], locations=[(filename, 0)])
        else:
            catalog.add(message, locations=[(filename, 0)])
    return catalog


def update(area: str) -> None:
    template = extract(area)
    if not len(template):
        return
    for locale in LOCALES:
        po_path = catalog_dir(area) / locale / "LC_MESSAGES" / "messages.po"
        po_path.parent.mkdir(parents=True, exist_ok=True)
        if po_path.exists():
            with po_path.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
        else:
            catalog = Catalog(locale=locale, project="whistle-portal")
        catalog.update(template, no_fuzzy_matching=True)
        if locale == "en":
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        catalog.obsolete.clear()
        with po_path.open("wb") as fh:
            write_po(fh, catalog, omit_header=False, sort_output=True, width=100)


def compile_all() -> None:
    for area in areas():
        for po_path in catalog_dir(area).glob("*/LC_MESSAGES/messages.po"):
            with po_path.open("rb") as fh:
                catalog = read_po(fh)
            with po_path.with_suffix(".mo").open("wb") as fh:
                write_mo(fh, catalog)


def _msgid(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _translated(message) -> bool:
    text = message.string if isinstance(message.string, str) else (message.string or [""])[0]
    return bool(message.id) and bool(text)


def translated_ids(area: str, locale: str) -> set[str]:
    """Message ids the area's own catalog translates."""
    po_path = catalog_dir(area) / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return set()
    with po_path.open("rb") as fh:
        return {_msgid(m) for m in read_po(fh) if _translated(m)}


def missing(area: str, locale: str = DEFAULT_LOCALE) -> list[str]:
    """Message ids used in the area's code that the area's own catalog leaves untranslated.

    Flask-Babel merges every area's catalog, so such a message would show another area's text
    for the same English words, written for another page ("Month" as a roster's 月度汇总 heading a
    column of months); each area translates every message it uses, and a test checks that one
    English text has one Chinese text across areas."""
    return sorted({_msgid(m) for m in extract(area) if m.id} - translated_ids(area, locale))


def apply(path: str, locale: str = DEFAULT_LOCALE) -> None:
    """Fill empty translations from a JSON file `{msgid: text}` into every catalog that uses them."""
    import json

    texts = json.loads(Path(path).read_text(encoding="utf-8"))
    for area in areas():
        po_path = catalog_dir(area) / locale / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        changed = False
        for message in catalog:
            if message.id and not _translated(message) and _msgid(message) in texts:
                if isinstance(message.id, str):
                    message.string = texts[message.id]
                else:
                    plural = texts[_msgid(message)]
                    message.string = tuple([plural] * max(1, len(message.string or ("",))))
                changed = True
        if changed:
            with po_path.open("wb") as fh:
                write_po(fh, catalog, omit_header=False, sort_output=True, width=100)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "compile"
    if command == "update":
        for area in areas():
            update(area)
        compile_all()
    elif command == "apply":
        apply(argv[2], argv[3] if len(argv) > 3 else DEFAULT_LOCALE)
        compile_all()
    elif command == "compile":
        compile_all()
    elif command == "missing":
        status = 0
        for area in areas():
            gaps = missing(area)
            if gaps:
                status = 1
                print(f"[{area}] {len(gaps)} untranslated:")
                for msgid in gaps:
                    print("   ", msgid)
        return status
    else:
        print("usage: python -m portal.i18n [update|compile|missing|apply FILE.json]")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
