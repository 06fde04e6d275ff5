"""The words the assessment shows (message ids in English, shown in Chinese)."""
from flask_babel import lazy_gettext as _l

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
