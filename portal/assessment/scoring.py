"""The monthly assessment: the scoring rule's versions, each assignment's marks, the 100-point
scores per unit and department, and the lines that explain every point lost.

How a month is scored (the rule page says the same in the user's language):

- Which assignments: those of whistles (一哨一考) blown in the month (Asia/Shanghai, by
  `Case.whistled_at`), except returned or cancelled ones. A unit is scored on its own assignments;
  a department on all assignments of its units.
- Marks per assignment, each between 0 and 1, or None when there is nothing to judge yet:
  * sign-for: 1 signed for within the limit; 0 signed late, or not signed and past the limit;
    None while not signed and still within the limit.
  * completion: the same with the first result and the completion limit.
  * satisfaction: the resident's rating of the case: very satisfied 1, basically satisfied
    `basically_percent`/100, not satisfied 0; not rated: None (neither gained nor lost).
  * street rating: the weighted mean of the four dimensions, each star worth a fifth; None while
    the rating is owed.
- Points: the street's share (a unit's, or a department's) goes to the street rating; the rest is
  split over sign-for, completion and satisfaction by their weights. A part nobody could be judged
  in this month is left out and the others are scaled up to 100.
- Each judged assignment carries an equal share of its part's points and loses
  share × (1 − mark). The score is 100 minus the points lost; every loss is a line that names its
  case, so the lines add up to exactly what was lost.
- The rule in force for a month is the latest version whose `effective_from` is not after it.
- A year's score is the mean of its monthly scores, weighted by the assignments behind each.

Rankings read each unit's monthly counts (`portal.assessment.tallies`: one grouped query per
month, stored and kept fresh); a unit's month page reads its assignments one by one (one query) to
explain every point. Both go through the whistle index on `case(whistle_filed, whistled_at)`, and
the tests check that they agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, distinct, func, literal, or_, select
from sqlalchemy import case as sql_case

from portal import audit
from portal import permissions as perm
from portal.assessment.models import DIMENSIONS, ScoringRule, WhistleRating
from portal.cases.models import INACTIVE_ASSIGNMENT_STATES, Assignment, Case, Satisfaction
from portal.extensions import db
from portal.org.models import Department, Unit
from portal.timeutil import LOCAL_TZ, local_to_utc, to_local, utcnow

PARTS = ("street", "sign", "completion", "satisfaction")

MIN_UNIT_STREET_SHARE = 60        # the street's rating: at least 60% of a stationed unit's score
MIN_DEPARTMENT_STREET_SHARE = 30  # and at least 30% of a department's
EPOCH = date(2000, 1, 1)          # effective_from of the first version: every month before it

DEFAULTS = {
    "unit_street_share": 60,
    "department_street_share": 30,
    "sign_weight": 30,
    "completion_weight": 40,
    "satisfaction_weight": 30,
    "efficiency_weight": 25,
    "cooperation_weight": 25,
    "professionalism_weight": 25,
    "responsibility_weight": 25,
    "basically_percent": 60,
}
WEIGHT_FIELDS = tuple(DEFAULTS)


# --- periods ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A month (`2026-05`) or a year (`2026`) in local time."""

    start: date               # the first day
    kind: str = "month"       # month / year

    @classmethod
    def parse(cls, text: str | None, default: date | None = None) -> "Period":
        text = (text or "").strip()
        try:
            if len(text) == 4 and text.isdigit():
                return cls(date(int(text), 1, 1), "year")
            if len(text) == 7 and text[4] == "-":
                return cls(date(int(text[:4]), int(text[5:]), 1), "month")
        except ValueError:
            pass
        today = default or datetime.now(LOCAL_TZ).date()
        return cls(today.replace(day=1), "month")

    @property
    def label(self) -> str:
        return f"{self.start:%Y}" if self.kind == "year" else f"{self.start:%Y-%m}"

    @property
    def end(self) -> date:
        """The first day after the period."""
        if self.kind == "year":
            return date(self.start.year + 1, 1, 1)
        return next_month(self.start)

    def months(self) -> list[date]:
        if self.kind == "month":
            return [self.start]
        return [date(self.start.year, m, 1) for m in range(1, 13)]

    def bounds_utc(self) -> tuple[datetime, datetime]:
        return (local_to_utc(datetime.combine(self.start, datetime.min.time())),
                local_to_utc(datetime.combine(self.end, datetime.min.time())))

    @property
    def previous(self) -> "Period":
        if self.kind == "year":
            return Period(date(self.start.year - 1, 1, 1), "year")
        return Period((self.start - timedelta(days=1)).replace(day=1), "month")

    @property
    def next(self) -> "Period":
        return Period(self.end, self.kind)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def local_month(value: datetime) -> date:
    return to_local(value).date().replace(day=1)


# --- the rule and its versions ---------------------------------------------------------------

class RuleInvalid(ValueError):
    """The weights break the rule's constraints; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def default_rule() -> ScoringRule:
    """Version 1 as the portal ships it (not stored until the first change)."""
    return ScoringRule(number=1, effective_from=EPOCH, reason="", **DEFAULTS)


def stored_rules() -> list[ScoringRule]:
    return list(db.session.scalars(select(ScoringRule).order_by(ScoringRule.number)))


def rule_versions() -> list[ScoringRule]:
    """Every version, the first one first (the shipped default when nothing is stored)."""
    return stored_rules() or [default_rule()]


def current_rule() -> ScoringRule:
    return rule_versions()[-1]


def rule_for(month: date, versions: list[ScoringRule] | None = None) -> ScoringRule:
    """The latest version in force for `month` (effective from that month or before)."""
    versions = versions or rule_versions()
    in_force = [r for r in versions if r.effective_from <= month]
    return max(in_force, key=lambda r: r.number) if in_force else versions[0]


def validate_rule(values: dict[str, int | None], reason: str, effective_from: date | None):
    """Field -> message (lazily translated) for each broken constraint."""
    from flask_babel import lazy_gettext as _

    errors: dict[str, str] = {}
    for name in WEIGHT_FIELDS:
        value = values.get(name)
        if value is None or not isinstance(value, int) or not 0 <= value <= 100:
            errors[name] = _("Give a whole number from 0 to 100.")
    if "unit_street_share" not in errors and values["unit_street_share"] < MIN_UNIT_STREET_SHARE:
        errors["unit_street_share"] = _("The street's rating is at least %(n)s%% of a stationed unit's score.",
                                        n=MIN_UNIT_STREET_SHARE)
    if ("department_street_share" not in errors
            and values["department_street_share"] < MIN_DEPARTMENT_STREET_SHARE):
        errors["department_street_share"] = _("The street's rating is at least %(n)s%% of a department's score.",
                                              n=MIN_DEPARTMENT_STREET_SHARE)
    auto = ("sign_weight", "completion_weight", "satisfaction_weight")
    if not any(f in errors for f in auto) and sum(values[f] for f in auto) != 100:
        errors["sign_weight"] = _("Sign-for, completion and satisfaction must add up to 100.")
    dims = tuple(f"{d}_weight" for d in DIMENSIONS)
    if not any(f in errors for f in dims) and sum(values[f] for f in dims) != 100:
        errors["efficiency_weight"] = _("The four dimensions must add up to 100.")
    if "basically_percent" not in errors and values["basically_percent"] >= 100:
        errors["basically_percent"] = _("\u201cBasically satisfied\u201d earns less than \u201cvery satisfied\u201d.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the rule changes.")
    elif len(reason) > 500:
        errors["reason"] = _("Use at most 500 characters.")
    if effective_from is None:
        errors["effective_from"] = _("Choose the first month the version scores.")
    return errors


def change_rule(actor, values: dict[str, int], *, reason: str, effective_from: date,
                based_on: int | None = None, now: datetime | None = None) -> ScoringRule:
    """Store a new version of the rule (the caller commits). Raises RuleInvalid, or
    `StaleRule` when someone changed the rule since `based_on` was read."""
    from flask_babel import lazy_gettext as _

    now = now or utcnow()
    effective_from = effective_from.replace(day=1) if effective_from else None
    errors = validate_rule(values, reason, effective_from)
    previous = current_rule()
    if based_on is not None and int(based_on) != previous.number:
        raise StaleRule(previous.number)
    if not errors and all(getattr(previous, f) == values[f] for f in WEIGHT_FIELDS) \
            and previous.effective_from == effective_from:
        errors["reason"] = _("Nothing changed: the weights and the month are those of the current version.")
    if errors:
        raise RuleInvalid(errors)
    if previous.id is None:   # the shipped default becomes version 1 on record before it changes
        previous.reason = "default"
        db.session.add(previous)
        db.session.flush()
        audit.record("assessment.rule_created", previous, actor=actor, number=1,
                     **{f: getattr(previous, f) for f in WEIGHT_FIELDS})
    rule = ScoringRule(number=previous.number + 1, effective_from=effective_from, reason=reason.strip(),
                       created_by_id=actor.id if actor is not None else None, created_at=now,
                       **{f: values[f] for f in WEIGHT_FIELDS})
    db.session.add(rule)
    db.session.flush()
    diff = audit.changes(previous, [*WEIGHT_FIELDS, "effective_from"],
                         {**values, "effective_from": effective_from})
    audit.record("assessment.rule_changed", rule, actor=actor, number=rule.number,
                 effective_from=f"{effective_from:%Y-%m}", reason=rule.reason, changes=diff)
    return rule


class StaleRule(Exception):
    def __init__(self, current: int):
        super().__init__(current)
        self.current = current


def part_points(rule: ScoringRule, share: int) -> dict[str, float]:
    """The nominal points of each part for a street share."""
    rest = 100 - share
    return {
        "street": float(share),
        "sign": rest * rule.sign_weight / 100,
        "completion": rest * rule.completion_weight / 100,
        "satisfaction": rest * rule.satisfaction_weight / 100,
    }


# --- marks per assignment --------------------------------------------------------------------

_COLUMNS = (
    Assignment.id, Assignment.case_id, Case.number, Case.whistled_at, Assignment.unit_id,
    Unit.street_id, Unit.department_id, Assignment.role, Assignment.signed_at, Assignment.sign_deadline,
    Assignment.first_submitted_at, Assignment.complete_deadline, Satisfaction.level,
    WhistleRating.rated_at, *(getattr(WhistleRating, d) for d in DIMENSIONS),
)


@dataclass
class Marks:
    """What one assignment earned in each part (None: not judged) and why."""

    assignment_id: int
    case_id: int
    case_number: str
    month: date
    unit_id: int
    street_id: int
    department_id: int
    role: str
    sign: float | None
    sign_note: str
    sign_delay: timedelta | None
    completion: float | None
    completion_note: str
    completion_delay: timedelta | None
    satisfaction: float | None
    satisfaction_note: str
    street: float | None
    street_note: str
    stars: dict[str, int] | None

    def mark(self, part: str) -> float | None:
        return getattr(self, part)

    def note(self, part: str) -> str:
        return getattr(self, f"{part}_note")


def _timing(done_at, deadline, now) -> tuple[float | None, str, timedelta | None]:
    if done_at is not None:
        return (1.0, "on_time", None) if done_at <= deadline else (0.0, "late", done_at - deadline)
    if now > deadline:
        return 0.0, "overdue", now - deadline
    return None, "pending", None


def street_mark(stars: dict[str, int], rule: ScoringRule) -> float:
    weights = rule.dimension_weights()
    return sum(weights[d] * stars[d] / 5 for d in DIMENSIONS) / sum(weights.values())


def marks_from_row(row, rule: ScoringRule, now: datetime, month: date | None = None) -> Marks:
    (a_id, case_id, number, whistled_at, unit_id, street_id, department_id, role, signed_at, sign_deadline,
     first_submitted_at, complete_deadline, level, rated_at, *stars) = row
    sign, sign_note, sign_delay = _timing(signed_at, sign_deadline, now)
    completion, completion_note, completion_delay = _timing(first_submitted_at, complete_deadline, now)
    satisfaction = {"very": 1.0, "basically": rule.basically_percent / 100, "not": 0.0}.get(level)
    star_map = dict(zip(DIMENSIONS, stars)) if rated_at is not None else None
    street = street_mark(star_map, rule) if star_map else None
    return Marks(
        assignment_id=a_id, case_id=case_id, case_number=number, month=month or local_month(whistled_at),
        unit_id=unit_id, street_id=street_id, department_id=department_id, role=role,
        sign=sign, sign_note=sign_note, sign_delay=sign_delay,
        completion=completion, completion_note=completion_note, completion_delay=completion_delay,
        satisfaction=satisfaction, satisfaction_note=level or "unrated",
        street=street, street_note="rated" if star_map else "owed", stars=star_map)


def _scoped(query, period: Period, *, street_id: int | None = None, unit_id: int | None = None,
            department_id: int | None = None, case_id: int | None = None):
    """The period's whistle assignments (joined to their case, unit, satisfaction and rating)."""
    start, end = period.bounds_utc()
    query = (query.select_from(Assignment)
             .join(Case, Case.id == Assignment.case_id)
             .join(Unit, Unit.id == Assignment.unit_id)
             .outerjoin(Satisfaction, Satisfaction.case_id == Case.id)
             .outerjoin(WhistleRating, WhistleRating.assignment_id == Assignment.id)
             .where(Case.whistle_filed.is_(True), Case.whistled_at >= start, Case.whistled_at < end,
                    Assignment.state.not_in(INACTIVE_ASSIGNMENT_STATES)))
    if street_id is not None:
        query = query.where(Unit.street_id == street_id)
    if unit_id is not None:
        query = query.where(Assignment.unit_id == unit_id)
    if department_id is not None:
        query = query.where(Unit.department_id == department_id)
    if case_id is not None:
        query = query.where(Assignment.case_id == case_id)
    return query


def assessed_rows(period: Period, **scope):
    """The period's whistle assignments as plain rows: one query, no ORM objects."""
    return db.session.execute(_scoped(select(*_COLUMNS), period, **scope)
                              .order_by(Case.whistled_at, Assignment.id)).all()


def _month_index(period: Period):
    """value -> index of its month in `period.months()` (UTC bounds, no time zone per row)."""
    from bisect import bisect_right

    bounds = [local_to_utc(datetime.combine(next_month(m), datetime.min.time())) for m in period.months()[:-1]]
    return lambda value: bisect_right(bounds, value)


def period_marks(period: Period, *, now: datetime | None = None, versions=None, **scope) -> list[Marks]:
    now = now or utcnow()
    versions = versions or rule_versions()
    months = period.months()
    rules = [rule_for(m, versions) for m in months]
    index = _month_index(period)
    marks = []
    for row in assessed_rows(period, **scope):
        i = index(row[3])
        marks.append(marks_from_row(row, rules[i], now, months[i]))
    return marks


# --- tallies: what a score needs, from marks or from one grouped query ------------------------

@dataclass
class Tally:
    """Per part: how many assignments were judged and the sum of their marks."""

    assignments: int = 0
    cases: int = 0
    judged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PARTS, 0))
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PARTS, 0.0))


def tally_marks(marks: list[Marks]) -> Tally:
    tally = Tally(assignments=len(marks), cases=len({m.case_id for m in marks}))
    for m in marks:
        for k in PARTS:
            value = m.mark(k)
            if value is not None:
                tally.judged[k] += 1
                tally.sums[k] += value
    return tally


def _bucket(period: Period):
    """SQL: the index of an assignment's month within the period (by its whistle's time)."""
    months = period.months()
    if len(months) == 1:
        return literal(0)
    bounds = [local_to_utc(datetime.combine(next_month(m), datetime.min.time())) for m in months[:-1]]
    return sql_case(*[(Case.whistled_at < b, i) for i, b in enumerate(bounds)], else_=len(months) - 1)


def _aggregate(period: Period, group, now: datetime, **scope):
    """One grouped query: per (group, month) the counts a Tally is made of."""
    def count_if(condition):
        return func.sum(sql_case((condition, 1), else_=0))

    signed = Assignment.signed_at.is_not(None)
    submitted = Assignment.first_submitted_at.is_not(None)
    rated = WhistleRating.rated_at.is_not(None)
    bucket = _bucket(period).label("bucket")
    columns = [
        group.label("subject"), bucket, func.count(), func.count(distinct(Assignment.case_id)),
        count_if(or_(signed, Assignment.sign_deadline < now)),
        count_if(and_(signed, Assignment.signed_at <= Assignment.sign_deadline)),
        count_if(or_(submitted, Assignment.complete_deadline < now)),
        count_if(and_(submitted, Assignment.first_submitted_at <= Assignment.complete_deadline)),
        count_if(Satisfaction.level.is_not(None)), count_if(Satisfaction.level == "very"),
        count_if(Satisfaction.level == "basically"), count_if(rated),
        *[func.sum(sql_case((rated, getattr(WhistleRating, d)), else_=0)) for d in DIMENSIONS],
    ]
    query = _scoped(select(*columns), period, **scope).group_by(group, bucket)
    return db.session.execute(query).all()


def tally_counts(counts, rule: ScoringRule) -> Tally:
    """A Tally from raw counts (`models.COUNT_COLUMNS` order), under `rule`."""
    (assignments, cases, sign_judged, sign_ok, completion_judged, completion_ok, satisfaction_judged, very,
     basically, rated, *stars) = counts
    weights = rule.dimension_weights()
    street = sum(weights[d] * (s or 0) for d, s in zip(DIMENSIONS, stars)) / 5 / sum(weights.values())
    return Tally(
        assignments=assignments, cases=cases,
        judged={"street": rated, "sign": sign_judged, "completion": completion_judged,
                "satisfaction": satisfaction_judged},
        sums={"street": street, "sign": float(sign_ok), "completion": float(completion_ok),
              "satisfaction": very + basically * rule.basically_percent / 100})


# --- scores ----------------------------------------------------------------------------------

@dataclass
class Part:
    key: str
    nominal: float          # the rule's points
    points: float = 0.0     # after leaving out the parts with nothing to judge
    judged: int = 0
    marks_sum: float = 0.0
    lost: float = 0.0

    @property
    def included(self) -> bool:
        return self.points > 0

    @property
    def mean(self) -> float | None:
        return self.marks_sum / self.judged if self.judged else None

    @property
    def earned(self) -> float:
        return self.points - self.lost


@dataclass
class Line:
    """Points one assignment lost in one part."""

    marks: Marks
    part: str
    lost: float


@dataclass
class Score:
    """A unit's or a department's score for one month."""

    month: date
    rule: ScoringRule
    share: int
    parts: dict[str, Part]
    lines: list[Line]
    assignments: int
    cases: int
    value: float | None     # None: nothing could be judged

    @property
    def lost(self) -> float:
        return sum(p.lost for p in self.parts.values())


def score(tally: Tally | list[Marks], rule: ScoringRule, share: int, month: date,
          marks: list[Marks] | None = None) -> Score:
    """The 100-point score under `rule` with the street's `share`; given the assignments' `marks`
    (a list instead of a tally means both), also the lines that explain every point lost."""
    if isinstance(tally, list):
        marks, tally = tally, tally_marks(tally)
    nominal = part_points(rule, share)
    parts = {k: Part(k, nominal[k]) for k in PARTS}
    active = [k for k in PARTS if tally.judged[k] and nominal[k] > 0]
    total = sum(nominal[k] for k in active)
    for k in active:
        part = parts[k]
        part.points = nominal[k] * 100 / total
        part.judged, part.marks_sum = tally.judged[k], tally.sums[k]
        part.lost = part.points * (part.judged - part.marks_sum) / part.judged
    lines: list[Line] = []
    for m in marks or []:
        for k in active:
            value = m.mark(k)
            if value is not None and value < 1:
                lines.append(Line(m, k, parts[k].points / parts[k].judged * (1 - value)))
    lines.sort(key=lambda line: (line.marks.case_number, line.marks.assignment_id, PARTS.index(line.part)))
    value = 100 - sum(parts[k].lost for k in active) if active else None
    return Score(month=month, rule=rule, share=share, parts=parts, lines=lines,
                 assignments=tally.assignments, cases=tally.cases, value=value)


@dataclass
class YearScore:
    """A year: the monthly scores, and their mean weighted by the assignments behind each."""

    months: list[Score]
    assignments: int
    cases: int
    value: float | None

    @property
    def rules(self) -> list[ScoringRule]:
        seen = {}
        for s in self.months:
            seen.setdefault(s.rule.number, s.rule)
        return [seen[n] for n in sorted(seen)]


def year_score(scores: list[Score]) -> YearScore:
    scored = [s for s in scores if s.value is not None]
    weight = sum(s.assignments for s in scored)
    value = sum(s.value * s.assignments for s in scored) / weight if weight else None
    return YearScore(months=scores, assignments=sum(s.assignments for s in scores),
                     cases=sum(s.cases for s in scores), value=value)


def score_marks(marks: list[Marks], period: Period, share_of, versions=None):
    """Score (a month) or YearScore from the assignments' marks, with every line."""
    versions = versions or rule_versions()
    by_month: dict[date, list[Marks]] = {}
    for m in marks:
        by_month.setdefault(m.month, []).append(m)
    if period.kind == "month":
        rule = rule_for(period.start, versions)
        return score(by_month.get(period.start, []), rule, share_of(rule), period.start)
    scores = []
    for month in sorted(by_month):
        rule = rule_for(month, versions)
        scores.append(score(by_month[month], rule, share_of(rule), month))
    return year_score(scores)


def unit_share(rule: ScoringRule) -> int:
    return rule.unit_street_share


def department_share(rule: ScoringRule) -> int:
    return rule.department_street_share


# --- rankings in a user's scope ----------------------------------------------------------------

@dataclass
class Ranked:
    subject: object          # a Unit or a Department
    result: object           # Score or YearScore
    rank: int | None = None

    @property
    def value(self) -> float | None:
        return self.result.value


@dataclass
class Assessment:
    period: Period
    units: list[Ranked]
    departments: list[Ranked]
    versions: list[ScoringRule] = field(default_factory=list)

    @property
    def rules_used(self) -> list[ScoringRule]:
        if self.period.kind == "month":
            return [rule_for(self.period.start, self.versions)]
        numbers = {rule_for(m, self.versions).number for m in self.period.months()}
        return [r for r in self.versions if r.number in numbers]


def sees_departments(user) -> bool:
    """Departments span every street: only the district platform sees their scores."""
    return user.role == perm.DISTRICT_ADMIN


def scope_filter(user) -> dict:
    """The `assessed_rows` scope of a user: district all, a street its units, a unit itself."""
    if user.role == perm.DISTRICT_ADMIN:
        return {}
    if user.role in perm.STREET_ROLES:
        return {"street_id": user.street_id if user.street_id is not None else -1}
    if user.role in perm.UNIT_ROLES:
        return {"unit_id": user.unit_id if user.unit_id is not None else -1}
    return {"unit_id": -1}


def visible_units(user) -> list[Unit]:
    query = select(Unit).where(Unit.active).order_by(Unit.street_id, Unit.code)
    scope = scope_filter(user)
    if "street_id" in scope:
        query = query.where(Unit.street_id == scope["street_id"])
    if "unit_id" in scope:
        query = query.where(Unit.id == scope["unit_id"])
    return list(db.session.scalars(query))


def can_see_unit(user, unit: Unit | None) -> bool:
    if unit is None:
        return False
    if user.role == perm.DISTRICT_ADMIN:
        return True
    if user.role in perm.STREET_ROLES:
        return user.street_id is not None and unit.street_id == user.street_id
    if user.role in perm.UNIT_ROLES:
        return user.unit_id == unit.id
    return False


def _rank(rows: list[Ranked]) -> list[Ranked]:
    """Best first; equal scores (to one decimal) share a rank; unscored rows come last."""
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0), -r.result.assignments,
                             getattr(r.subject, "code", "")))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row.value is None:
            continue
        key = round(row.value, 1)
        if key != previous:
            rank, previous = position, key
        row.rank = rank
    return rows


def _from_counts(by_month: dict[date, tuple], period: Period, share_of, versions):
    """Score (a month) or YearScore from counts per month."""
    scores = []
    for month in period.months():
        counts = by_month.get(month)
        if counts is None and period.kind == "year":
            continue
        rule = rule_for(month, versions)
        tally = tally_counts(counts, rule) if counts is not None else Tally()
        scores.append(score(tally, rule, share_of(rule), month))
    return scores[0] if period.kind == "month" else year_score(scores)


def _add(a: tuple | None, b: tuple) -> tuple:
    return b if a is None else tuple(x + y for x, y in zip(a, b))


def _scope_unit_ids(user) -> set[int] | None:
    scope = scope_filter(user)
    if not scope:
        return None
    if "unit_id" in scope:
        return {scope["unit_id"]}
    return set(db.session.scalars(select(Unit.id).where(Unit.street_id == scope["street_id"])))


def assess(user, period: Period, *, now: datetime | None = None) -> Assessment:
    """The period's ranking of the units (and departments, for the district) the user may see,
    from the stored monthly tallies (see `portal.assessment.tallies`)."""
    from portal.assessment.tallies import month_counts

    now = now or utcnow()
    versions = rule_versions()
    counts = month_counts(period.months(), now, unit_ids=_scope_unit_ids(user))
    by_unit: dict[int, dict[date, tuple]] = {}
    for month, units in counts.items():
        for unit_id, c in units.items():
            by_unit.setdefault(unit_id, {})[month] = c
    units = visible_units(user)
    known = {u.id for u in units}
    units += [db.session.get(Unit, uid) for uid in by_unit if uid not in known]   # inactive units with work
    unit_rows = [Ranked(u, _from_counts(by_unit.get(u.id, {}), period, unit_share, versions)) for u in units]
    department_rows = []
    if sees_departments(user):
        department_of = dict(db.session.execute(select(Unit.id, Unit.department_id)).all())
        by_department: dict[int, dict[date, tuple]] = {}
        for unit_id, months in by_unit.items():
            target = by_department.setdefault(department_of[unit_id], {})
            for month, c in months.items():
                target[month] = _add(target.get(month), c)
        departments = db.session.scalars(select(Department).order_by(Department.code)).all()
        department_rows = [Ranked(d, _from_counts(by_department[d.id], period, department_share, versions))
                           for d in departments if d.id in by_department]
    return Assessment(period, _rank(unit_rows), _rank(department_rows), versions)


def unit_result(unit: Unit, period: Period, *, now: datetime | None = None):
    """One unit's Score for a month with every line behind it (from its assignments), or its
    YearScore (from the monthly tallies)."""
    versions = rule_versions()
    if period.kind == "year":
        from portal.assessment.tallies import month_counts

        counts = month_counts(period.months(), now or utcnow(), unit_ids={unit.id})
        return _from_counts({m: c[unit.id] for m, c in counts.items() if unit.id in c}, period,
                            unit_share, versions)
    marks = period_marks(period, now=now, versions=versions, unit_id=unit.id)
    return score_marks(marks, period, unit_share, versions)


# --- a department's page: its score, its units, and where its points went -----------------------

def can_see_department(user, department: Department | None) -> bool:
    """A department's score spans every street (its units' cases in all of them): the district only."""
    return department is not None and sees_departments(user)


@dataclass
class Loss:
    """What one line cost the department in the period's score: its own points in a month; in a
    year, weighted as the month weighs in the year's mean (so a year's losses add up too)."""

    line: Line
    month: date
    lost: float

    @property
    def reason(self) -> tuple[str, str]:
        return self.line.part, self.line.marks.note(self.line.part)


@dataclass
class UnitPart:
    """One of the department's units: its own score (the unit's street share) and what its cases
    cost the department's score."""

    unit: Unit
    result: object          # Score or YearScore
    losses: list[Loss]

    @property
    def lost(self) -> float:
        return sum(loss.lost for loss in self.losses)


@dataclass
class Reason:
    """The department's losses for one reason (a part and the mark's note)."""

    part: str
    note: str
    losses: list[Loss]

    @property
    def lost(self) -> float:
        return sum(loss.lost for loss in self.losses)

    @property
    def cases(self) -> int:
        return len({loss.line.marks.case_id for loss in self.losses})

    @property
    def months(self) -> list[date]:
        return sorted({loss.month for loss in self.losses})


@dataclass
class DepartmentResult:
    department: Department
    period: Period
    result: object          # Score (a month) or YearScore (a year), under the department's share
    units: list[UnitPart]
    reasons: list[Reason]
    losses: list[Loss]
    rules: list[ScoringRule]

    @property
    def lost(self) -> float:
        return sum(loss.lost for loss in self.losses)

    @property
    def unit_by_id(self) -> dict[int, Unit]:
        return {p.unit.id: p.unit for p in self.units}

    @property
    def shares(self) -> list[int]:
        """The street's share of the department's score under the period's rules."""
        return sorted({r.department_street_share for r in self.rules})


def losses_of(result) -> list[Loss]:
    """Every line behind a Score or a YearScore with what it cost that score (see `Loss`)."""
    if isinstance(result, Score):
        return [Loss(line, result.month, line.lost) for line in result.lines]
    scored = [s for s in result.months if s.value is not None]
    total = sum(s.assignments for s in scored)
    return [Loss(line, s.month, line.lost * s.assignments / total) for s in scored for line in s.lines]


def department_result(department: Department, period: Period, *, now: datetime | None = None) -> DepartmentResult:
    """A department's score for a month or a year from the assignments of all its units (one
    query), every line behind it, the units' own scores, and the losses per unit and reason."""
    versions = rule_versions()
    marks = period_marks(period, now=now, versions=versions, department_id=department.id)
    result = score_marks(marks, period, department_share, versions)
    rules = [result.rule] if period.kind == "month" else result.rules or [rule_for(period.start, versions)]
    losses = losses_of(result)

    by_unit: dict[int, list[Marks]] = {}
    for m in marks:
        by_unit.setdefault(m.unit_id, []).append(m)
    units = [u for u in department.units if u.active or u.id in by_unit]
    units += [db.session.get(Unit, uid) for uid in by_unit if uid not in {u.id for u in units}]
    unit_losses: dict[int, list[Loss]] = {}
    for loss in losses:
        unit_losses.setdefault(loss.line.marks.unit_id, []).append(loss)
    parts = [UnitPart(u, score_marks(by_unit.get(u.id, []), period, unit_share, versions), unit_losses.get(u.id, []))
             for u in units]
    parts.sort(key=lambda p: (-round(p.lost, 6), p.result.value is None, p.unit.street.code, p.unit.code))

    by_reason: dict[tuple[str, str], list[Loss]] = {}
    for loss in losses:
        by_reason.setdefault(loss.reason, []).append(loss)
    reasons = [Reason(part, note, items) for (part, note), items in by_reason.items()]
    reasons.sort(key=lambda r: (-round(r.lost, 6), PARTS.index(r.part), r.note))
    return DepartmentResult(department, period, result, parts, reasons, losses, rules)
