"""The words the assessment shows (message ids in English, shown in Chinese)."""
from portal import punctuation
from portal.extensions import lazy_gettext as _l

DIMENSION_LABELS = {
    "efficiency": _l("Reporting efficiency"),        # 报到效率
    "cooperation": _l("Cooperation"),                # 配合度
    "professionalism": _l("Professionalism"),        # 专业性
    "responsibility": _l("Sense of responsibility"),  # 担当意识
}
DIMENSION_HINTS = {
    "efficiency": _l("Signed for, turned up and reported back quickly."),
    "cooperation": _l("Worked with the street and the other units."),
    "professionalism": _l("Handled the problem competently and by the rules."),
    "responsibility": _l("Took on the problem instead of passing it on."),
}
STAR_LABELS = {
    1: _l("1 star: poor"),
    2: _l("2 stars: below expectations"),
    3: _l("3 stars: acceptable"),
    4: _l("4 stars: good"),
    5: _l("5 stars: excellent"),
}

# The four parts of a monthly score.
PART_LABELS = {
    "street": _l("Street rating"),
    "sign": _l("On-time sign-for"),
    "completion": _l("On-time completion"),
    "satisfaction": _l("Resident satisfaction"),
}

# Why an assignment earned what it earned in a part (see `scoring.Marks`).
NOTE_LABELS = {
    "on_time": _l("on time"),
    "late": _l("past the limit"),
    "overdue": _l("not done, past the limit"),
    "pending": _l("still within the limit"),
    "very": _l("very satisfied"),
    "basically": _l("basically satisfied"),
    "not": _l("not satisfied"),
    "unrated": _l("not rated by the resident"),
    "rated": _l("rated"),
    "owed": _l("rating still owed"),
}

RATING_STATES = {
    "owed": _l("Rating owed"),
    "rated": _l("Rated"),
    "corrected": _l("Corrected"),
}

# Why points were lost, as one reason per part and mark (a department page sums its lines by these).
LOSS_REASONS = {
    ("street", "rated"): _l("Street rating below five stars"),
    ("sign", "late"): _l("Signed for past the limit"),
    ("sign", "overdue"): _l("Not signed for, past the limit"),
    ("completion", "late"): _l("Result reported past the limit"),
    ("completion", "overdue"): _l("No result, past the limit"),
    ("satisfaction", "basically"): _l("Resident basically satisfied"),
    ("satisfaction", "not"): _l("Resident not satisfied"),
}


def words() -> dict:
    """The labels a line needs, translated once per request (an export writes thousands of lines)."""
    from flask import g
    from flask_babel import get_locale
    from flask_babel import gettext as _

    cache = g.setdefault("assessment_words", {})
    locale = str(get_locale())
    if locale not in cache:
        cache[locale] = {
            "part": {k: str(v) for k, v in PART_LABELS.items()},
            "note": {k: str(v) for k, v in NOTE_LABELS.items()},
            "dimension": {k: str(v) for k, v in DIMENSION_LABELS.items()},
            "reason": {k: str(v) for k, v in LOSS_REASONS.items()},
            "late": _("%(h)s h past the limit"),    # formatted below
            # the punctuation between the pieces (`portal.punctuation`)
            "labelled": str(punctuation.LABELLED), "noted": str(punctuation.NOTED),
            "items": str(punctuation.ITEMS),
        }
    return cache[locale]


def loss_reason(part: str, note: str, texts: dict | None = None) -> str:
    """The reason a part lost points (the part and its mark's note when no reason is written)."""
    texts = texts or words()
    reason = texts["reason"].get((part, note))
    if reason is not None:
        return reason
    return texts["labelled"] % {"label": texts["part"][part], "text": texts["note"].get(note, note)}


def why(line, texts: dict | None = None) -> str:
    """Why one assignment lost points in one part (a `scoring.Line`), in the user's language: the
    stars of the street's rating, how late a sign-for or a result was, the resident's rating."""
    from portal.assessment.models import DIMENSIONS

    texts = texts or words()
    m = line.marks
    if line.part == "street":
        stars = punctuation.fold(texts["items"], (f"{texts['dimension'][d]} {m.stars[d]}/5" for d in DIMENSIONS))
        return texts["labelled"] % {"label": texts["part"]["street"], "text": stars}
    text = texts["labelled"] % {"label": texts["part"][line.part], "text": texts["note"].get(m.note(line.part), "")}
    if line.part in ("sign", "completion"):
        delay = m.sign_delay if line.part == "sign" else m.completion_delay
        if delay:
            late = texts["late"] % {"h": "%.1f" % (delay.total_seconds() / 3600)}
            text = texts["noted"] % {"text": text, "note": late}
    return text
