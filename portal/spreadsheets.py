"""Cells for CSV and XLSX exports that a spreadsheet will not run as formulas (CSV injection)."""
from __future__ import annotations

from typing import Any

# A cell starting with one of these is read as a formula (or a DDE call) by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """Prefix text that would start a formula with an apostrophe; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """Undo `safe_cell`, so an exported file re-imports to the same text."""
    if value.startswith("'") and value[1:2] and value[1] in "".join(FORMULA_START):
        return value[1:]
    return value
