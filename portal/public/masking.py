"""Masking of personal data on public pages: 张* for names, 138****5678 for phone numbers."""
from __future__ import annotations

import re

# Two-character surnames (复姓): the whole surname stays visible, the given name is masked.
COMPOUND_SURNAMES = frozenset("""
欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫 宗政 濮阳
公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马 公西 颛孙
壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌 微生 公户 公玉
公仪 梁丘 公仲 公上 公门 公山 公坚 左丘 公伯 西门 公祖 第五 公乘 贯丘 公皙 南荣 东里 东宫 仲长
子书 子桑 即墨 达奚 褚师 范姜 张简 陈留 欧侯
""".split())

_DIGIT_RUN = re.compile(r"\+?\d(?:[\s\-]?\d){6,}")


def mask_name(name: str | None) -> str:
    """张三 → 张*, 张三丰 → 张**, 欧阳娜娜 → 欧阳**, 张 → *, John Smith → J***; empty stays empty."""
    name = " ".join((name or "").split())
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if name.isascii():
        return name[0] + "***"
    name = name.replace(" ", "")
    if len(name) == 1:
        return "*"
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[0]
    return surname + "*" * (len(name) - len(surname))


def mask_phone(phone: str | None) -> str:
    """13812345678 → 138****5678; the country code 86 is dropped; short numbers keep at most 2 digits."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    n = len(digits)
    if n == 0:
        return ""
    if n >= 11:
        return digits[:3] + "*" * (n - 7) + digits[-4:]
    if n >= 7:
        return "*" * (n - 2) + digits[-2:]
    return "*" * n


def mask_text(text: str | None) -> str:
    """Free text with every phone-like run of 7 or more digits masked."""
    return _DIGIT_RUN.sub(lambda m: mask_phone(m.group(0)), text or "")


def shorten(text: str | None, limit: int = 60) -> str:
    """The first `limit` characters of a one-line version of the text, with … when cut."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"
