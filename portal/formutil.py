"""Small checks the areas' forms share: a date inside a sensible window, a hidden 0/1 switch."""
from __future__ import annotations

from datetime import date

from flask import abort, request
from wtforms.validators import ValidationError

from portal.extensions import lazy_gettext as _l
from portal.timeutil import local_today


def date_window(back: int, ahead: int) -> tuple[date, date]:
    """From 1 January `back` years before this (Beijing) year to 31 December `ahead` years after it."""
    year = local_today().year
    return date(year - back, 1, 1), date(year + ahead, 12, 31)


def within_years(back: int, ahead: int):
    """A WTForms validator: the date lies in `date_window(back, ahead)` (an empty date is left alone)."""

    def check(form, field):
        if field.data is None:
            return
        first, last = date_window(back, ahead)
        if not first <= field.data <= last:
            raise ValidationError(_l("Give a date between %(first)s and %(last)s.",
                                     first=first.isoformat(), last=last.isoformat()))

    return check


def switch(name: str) -> bool:
    """The value of a hidden on/off field ("1" or "0") a toggle button posts; anything else is a 400."""
    value = request.form.get(name)
    if value not in ("0", "1"):
        abort(400)
    return value == "1"
