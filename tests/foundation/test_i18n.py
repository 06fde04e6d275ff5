"""Chinese is the default language, so every message the code uses must have a Chinese text."""
import pytest

from portal import i18n


@pytest.mark.parametrize("area", i18n.areas())
def test_every_message_has_a_chinese_translation(area):
    assert i18n.missing(area, "zh") == []
