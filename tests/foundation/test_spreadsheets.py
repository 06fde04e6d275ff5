from portal.spreadsheets import safe_cell, unescape_cell


def test_formula_cells_are_neutralised_and_restored():
    for text in ("=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\nx"):
        assert safe_cell(text) == "'" + text
        assert unescape_cell(safe_cell(text)) == text
    assert safe_cell("群租整治") == "群租整治" and safe_cell(5) == 5
    assert unescape_cell("'普通文字") == "'普通文字"
