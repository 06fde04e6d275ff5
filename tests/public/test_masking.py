"""Names and phone numbers as public pages show them."""
import pytest

from portal.public.masking import mask_name, mask_phone, mask_text, shorten


@pytest.mark.parametrize("name, masked", [
    ("张三", "张*"),
    ("张三丰", "张**"),
    ("欧阳娜娜", "欧阳**"),     # compound surname stays whole
    ("司马相如", "司马**"),
    ("诸葛亮", "诸葛*"),
    ("欧阳", "欧*"),            # a compound surname alone is still masked
    ("张", "*"),                # one character: nothing of it is shown
    (" 李  四 ", "李*"),        # stray spaces do not count
    ("John Smith", "J***"),
    ("", ""),
    (None, ""),
])
def test_names(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("phone, masked", [
    ("13812345678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("010-62345678", "010****5678"),
    ("0531-87654321", "053*****4321"),
    ("6234567", "*****67"),     # a short local number keeps only two digits
    ("12345", "*****"),
    ("12", "**"),
    ("电话", ""),
    ("", ""),
    (None, ""),
])
def test_phones(phone, masked):
    assert mask_phone(phone) == masked


def test_no_masked_form_contains_the_original():
    for name in ("张三", "欧阳娜娜", "王"):
        assert name not in mask_name(name) or len(name) == 1 and mask_name(name) == "*"
    for phone in ("13812345678", "6234567", "010-62345678"):
        digits = "".join(ch for ch in phone if ch.isdigit())
        assert digits not in mask_phone(phone)


def test_phone_numbers_inside_text_are_masked():
    text = "请打13812345678或010-6234 5678联系，3号楼12单元"
    assert mask_text(text) == "请打138****5678或010****5678联系，3号楼12单元"


def test_shorten_cuts_long_text_on_one_line():
    assert shorten("一二三\n四五", 10) == "一二三 四五"
    assert shorten("一" * 80, 60) == "一" * 59 + "…"
