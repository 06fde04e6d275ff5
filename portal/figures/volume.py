"""`flask seed-volume --cases N`: a district-year of cases in bulk (the benchmark's data).

Cases are spread over the past 365 days across the demo streets, their communities and grids and
the active items of the responsibility list (a few items take most cases, as in real life); their
states follow their age (recent cases still open, old ones closed, a few stuck and overdue), with
the assignments, deadlines, sign-for and result times, timelines and residents' ratings the rules
would have left. Rows go in with `executemany` in batches, a transaction per batch; then the
summary tables are rebuilt. About 5–6 events per case (600,000 cases: about 3.4 million events).
"""
from __future__ import annotations

import bisect
import json
import random
import time
from datetime import datetime, timedelta
from itertools import accumulate

from sqlalchemy import func, select

from portal.cases.models import TRACKING_ALPHABET, Assignment, Case, CaseEvent, Satisfaction
from portal.duties.models import Matter
from portal.duties.responders import responders
from portal.extensions import db
from portal.org.models import Community, Grid, Street
from portal.timeutil import utcnow

BATCH = 20_000
LOCAL_OFFSET = timedelta(hours=8)     # Asia/Shanghai, no daylight saving
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)

# Target states by the case's age in days: (upper age bound, [(state, weight)]).
# "forced" is a force-closed case; "merged" a duplicate (state rejected).
STATE_MIX = [
    (1, [("new", 14), ("triaged", 8), ("dispatched", 30), ("accepted", 18), ("in_progress", 12),
         ("closed", 18)]),
    (7, [("dispatched", 6), ("accepted", 10), ("in_progress", 18), ("resolved", 10), ("closed", 50),
         ("rejected", 3), ("merged", 1), ("returned", 2)]),
    (30, [("in_progress", 4), ("resolved", 2), ("closed", 85), ("rejected", 3), ("merged", 1),
          ("returned", 1), ("forced", 1), ("reopened", 1)]),
    (10_000, [("closed", 93), ("rejected", 3), ("merged", 1), ("forced", 1.5), ("in_progress", 0.25),
              ("dispatched", 0.1), ("returned", 0.15), ("reopened", 0.2)]),
]
CHANNEL_MIX = [("hotline_12345", 45), ("grid_worker", 25), ("resident_web", 12), ("inspector", 10),
               ("lane_chief", 5), ("social_media", 3)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


class _Plain:
    """Plain attributes (ORM attribute access is too slow for a million reads)."""

    def __init__(self, **values):
        self.__dict__.update(values)


def _picker(rng: random.Random, pairs):
    values = [v for v, _w in pairs]
    cum = list(accumulate(w for _v, w in pairs))
    top = cum[-1]
    return lambda: values[bisect.bisect(cum, rng.random() * top)]


def _ts(value: datetime | None) -> str | None:
    """A datetime as SQLAlchemy stores it in SQLite."""
    return None if value is None else value.isoformat(sep=" ", timespec="microseconds")


CASE_COLS = ("id", "number", "tracking_code", "channel", "reporter_name", "reporter_phone", "contact_consent",
             "street_id", "community_id", "grid_id", "address", "description", "matter_id", "level", "state",
             "district_level", "whistle_kind", "whistled_at", "whistle_filed", "merged_into_id", "reject_reason",
             "forced_closure", "forced_reason", "reopen_count", "created_by_id", "created_at", "closed_at",
             "updated_at", "version")
ASSIGNMENT_COLS = ("id", "case_id", "unit_id", "role", "state", "dispatched_at", "sign_deadline",
                   "complete_deadline", "sign_warn_at", "complete_warn_at", "limit_unit", "deadline_unknown_year",
                   "signed_at", "checked_in_at", "submitted_at", "first_submitted_at", "result", "verified_at",
                   "return_reason", "send_back_reason", "overdue_sign_recorded", "overdue_complete_recorded",
                   "due_soon_notified", "version")
EVENT_COLS = ("id", "case_id", "assignment_id", "at", "actor_id", "action", "from_state", "to_state", "note",
              "public", "data")
SATISFACTION_COLS = ("id", "case_id", "level", "comment", "at", "reopened")
PUBLIC = {"intake", "handle_on_spot", "dispatch", "whistle", "sign_for", "check_in", "close", "force_close",
          "reject", "merge", "reopen", "rate", "adjudicate"}


def _insert_sql(table: str, cols) -> str:
    return f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" for _ in cols)})'


class _Volume:
    def __init__(self, n: int, seed: int, now: datetime):
        self.n, self.now = n, now
        self.rng = rng = random.Random(seed)
        self.streets = [_Plain(id=s.id, code=s.code.upper()) for s in db.session.scalars(
            select(Street).where(Street.active.is_(True)).order_by(Street.id))]
        self.communities = {s.id: [_Plain(id=c.id, name=c.name) for c in db.session.scalars(select(Community).where(
            Community.street_id == s.id, Community.active.is_(True)).order_by(Community.id))] for s in self.streets}
        self.grids = {}
        for c, g in db.session.execute(select(Grid.community_id, Grid.id)):
            self.grids.setdefault(c, []).append(g)
        found = list(db.session.scalars(select(Matter).where(Matter.active.is_(True)).order_by(Matter.id)))
        rng.shuffle(found)
        matters = [_Plain(id=m.id, title=m.public_title or m.title, model=m) for m in found]
        # Zipf-like: the first items of the shuffled list take most of the cases.
        self.matter = _picker(rng, [(m, 1 / (i + 1) ** 1.1) for i, m in enumerate(matters)])
        self.units = {}
        for s in self.streets:
            for m in matters:
                r = responders(m.model, s.id)
                units = [u.id for u in r.units] if r.units else []
                self.units[(s.id, m.id)] = units
        street_units = {}
        for (sid, _mid), units in self.units.items():
            street_units.setdefault(sid, set()).update(units)
        self.any_unit = {sid: sorted(units) for sid, units in street_units.items()}
        self.street = _picker(rng, [(s, w) for s, w in zip(self.streets, (40, 35, 25, 20, 20, 20))])
        self.channel = _picker(rng, CHANNEL_MIX)
        self.mix = [(age, _picker(rng, pairs)) for age, pairs in STATE_MIX]
        self.level_closed = _picker(rng, [(1, 45), (2, 48), (3, 7)])
        self.level_assigned = _picker(rng, [(2, 90), (3, 10)])
        self.kind = _picker(rng, [("routine", 80), ("tough", 15), ("emergency", 5)])
        self.rating = _picker(rng, [("very", 72), ("basically", 20), ("not", 8)])
        self.ids = {name: (db.session.scalar(select(func.max(model.id))) or 0)
                    for name, model in (("case", Case), ("assignment", Assignment), ("event", CaseEvent),
                                        ("satisfaction", Satisfaction))}
        self.sequences: dict[str, int] = {}
        for number in db.session.scalars(select(Case.number)):
            prefix, _sep, seq = number.rpartition("-")
            if seq.isdigit():
                self.sequences[prefix] = max(self.sequences.get(prefix, 0), int(seq))
        self.last_case = {}                       # street id -> an earlier case id (for merges)
        self.rows = {"case": [], "assignment": [], "event": [], "satisfaction": []}

    def next_id(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    def created_times(self):
        """N reception times over the past year, oldest first, busier on weekdays and by day."""
        rng, now = self.rng, self.now
        times = []
        for _ in range(self.n):
            while True:
                t = now - timedelta(seconds=rng.randrange(365 * 86400))
                local = t + LOCAL_OFFSET
                hour_ok = 7 <= local.hour < 22 or rng.random() < 0.15
                weekday_ok = local.weekday() < 5 or rng.random() < 0.6
                if hour_ok and weekday_ok:
                    times.append(t)
                    break
        times.sort()
        return times

    # --- one case ------------------------------------------------------------------------------

    def event(self, case_id, at, action, from_state, to_state, assignment_id=None, data="{}"):
        self.rows["event"].append((self.next_id("event"), case_id, assignment_id, _ts(at), None, action,
                                   from_state, to_state, "", int(action in PUBLIC), data))

    def clip(self, t: datetime, floor: datetime) -> datetime:
        """Never in the future, never before the previous step."""
        return max(floor, min(t, self.now - MINUTE))

    def case(self, created: datetime) -> None:
        rng = self.rng
        age = (self.now - created) / DAY
        target = next(pick for bound, pick in self.mix if age < bound)()
        street = self.street()
        community = rng.choice(self.communities[street.id])
        grids = self.grids.get(community.id) or [None]
        matter = self.matter()
        case_id = self.next_id("case")
        local = created + LOCAL_OFFSET
        prefix = f"{street.code}-{local.year:04d}{local.month:02d}{local.day:02d}"
        seq = self.sequences[prefix] = self.sequences.get(prefix, 0) + 1
        channel = self.channel()
        named = rng.random() < 0.3
        c = {
            "id": case_id, "number": f"{prefix}-{seq:04d}",
            "tracking_code": "".join(rng.choices(TRACKING_ALPHABET, k=12)), "channel": channel,
            "reporter_name": (rng.choice(SURNAMES) + rng.choice(("先生", "女士"))) if named else "",
            "reporter_phone": f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}" if named else "",
            "contact_consent": int(named and rng.random() < 0.7), "street_id": street.id,
            "community_id": community.id, "grid_id": rng.choice(grids),
            "address": f"{community.name}{rng.randint(1, 40)}号楼附近",
            "description": f"{matter.title}（批量演示数据）", "matter_id": matter.id,
            "level": None, "state": "new", "district_level": 0, "whistle_kind": None, "whistled_at": None,
            "whistle_filed": 0, "merged_into_id": None, "reject_reason": "", "forced_closure": 0,
            "forced_reason": "", "reopen_count": 0, "created_by_id": None, "created_at": _ts(created),
            "closed_at": None, "updated_at": None, "version": 1,
        }
        self.event(case_id, created, "intake", None, "new", data=json.dumps({"channel": channel}))
        t = created
        if target == "new":
            if rng.random() < 0.6:
                c["matter_id"] = None
        elif target in ("rejected", "merged"):
            t = self.clip(t + rng.uniform(5, 240) * MINUTE, t)
            into = self.last_case.get(street.id)
            if target == "merged" and into:
                c["merged_into_id"] = into
                c["reject_reason"] = "重复"
                self.event(case_id, t, "merge", "new", "rejected", data=json.dumps({"into_id": into}))
            else:
                c["reject_reason"] = "不属于受理范围"
                self.event(case_id, t, "reject", "new", "rejected", data=json.dumps({"reason": "不属于受理范围"}))
            c["state"] = "rejected"
        else:
            level = self.level_closed() if target == "closed" else (
                rng.choice((1, 2)) if target == "triaged" else self.level_assigned())
            c["level"] = level
            if level == 1 and target == "closed":
                t = self.clip(t + rng.uniform(10, 600) * MINUTE, t)
                self.event(case_id, t, "handle_on_spot", "new", "closed")
                c["state"], c["closed_at"] = "closed", _ts(t)
                self.rate(c, t)
            else:
                t = self.clip(t + rng.uniform(5, 120) * MINUTE, t)
                self.event(case_id, t, "triage", "new", "triaged", data=json.dumps({"level": level}))
                c["state"] = "triaged"
                if target != "triaged":
                    t = self.assigned(c, t, target, street.id, matter.id, level)
        c["updated_at"] = _ts(t)
        self.rows["case"].append(tuple(c[k] for k in CASE_COLS))
        if c["state"] != "rejected":
            self.last_case[street.id] = case_id

    def rate(self, c: dict, closed: datetime, reopen: bool = False) -> None:
        rng = self.rng
        if not reopen and rng.random() > 0.55:
            return
        at = self.clip(closed + rng.uniform(1, 48) * HOUR, closed)
        level = "not" if reopen else self.rating()
        self.rows["satisfaction"].append((self.next_id("satisfaction"), c["id"], level, "", _ts(at), int(reopen)))
        self.event(c["id"], at, "rate", "closed", "closed", data=json.dumps({"level": level}))
        if reopen:
            self.event(c["id"], at, "reopen", "closed", "reopened")
            c["state"], c["closed_at"], c["reopen_count"] = "reopened", None, 1

    def assigned(self, c: dict, t: datetime, target: str, street_id: int, matter_id: int, level: int) -> datetime:
        rng = self.rng
        case_id = c["id"]
        units = list(self.units.get((street_id, matter_id)) or [])
        if not units:
            units = [rng.choice(self.any_unit[street_id])]
        t = self.clip(t + rng.uniform(5, 60) * MINUTE, t)
        emergency = False
        if level == 3:
            c["whistle_kind"] = kind = self.kind()
            emergency = kind == "emergency"
            c["whistled_at"], c["whistle_filed"] = _ts(t), 1
            others = [u for u in self.any_unit[street_id] if u != units[0]]
            chosen = [units[0], *rng.sample(others, min(len(others), rng.randint(1, 3)))]
            roles = ["lead"] + ["cooperating"] * (len(chosen) - 1)
            self.event(case_id, t, "whistle", "triaged", "dispatched", data=json.dumps({"kind": kind}))
        else:
            chosen, roles = [units[0]], ["single"]
            self.event(case_id, t, "dispatch", "triaged", "dispatched")
        c["state"] = "dispatched"
        sign_limit, complete_limit = (HOUR, 3 * HOUR) if emergency else (2 * DAY, 7 * DAY)
        dispatched = t
        assignments = []
        for unit_id, role in zip(chosen, roles):
            sd, cd = dispatched + sign_limit, dispatched + complete_limit
            assignments.append({
                "id": self.next_id("assignment"), "case_id": case_id, "unit_id": unit_id, "role": role,
                "state": "dispatched", "dispatched_at": dispatched, "sign_deadline": sd, "complete_deadline": cd,
                "sign_warn_at": sd - sign_limit / 4, "complete_warn_at": cd - complete_limit / 4,
                "limit_unit": "hours" if emergency else "days", "deadline_unknown_year": 0,
                "signed_at": None, "checked_in_at": None, "submitted_at": None, "first_submitted_at": None,
                "result": "", "verified_at": None, "return_reason": "", "send_back_reason": "",
                "overdue_sign_recorded": 0, "overdue_complete_recorded": 0, "due_soon_notified": 0, "version": 1})
        limit = sign_limit

        def late(base: datetime, span: timedelta, on_time: float) -> datetime:
            share = rng.uniform(0.05, 0.95) if rng.random() < on_time else rng.uniform(1.05, 2.5)
            return base + span * share

        if target == "returned":
            a = assignments[0]
            t = self.clip(late(t, limit, 0.9), t)
            a["state"], a["return_reason"] = "returned", "不属于本单位职责"
            for other in assignments[1:]:
                other["state"] = "cancelled"
            self.event(case_id, t, "return", "dispatched", "returned", a["id"])
            c["state"] = "returned"
        elif target == "forced":
            t = self.clip(t + rng.uniform(10, 30) * DAY, t)
            for a in assignments:
                a["state"] = "cancelled"
            self.event(case_id, t, "force_close", "dispatched", "closed")
            c.update(state="closed", forced_closure=1, forced_reason="纳入专项整治", closed_at=_ts(t))
        elif target != "dispatched":
            order = {"accepted": 1, "in_progress": 2, "resolved": 3, "closed": 4, "reopened": 4}[target]
            start = t
            for a in assignments:          # sign for, in order of the units
                t = self.clip(late(start, limit, 0.9), t)
                a["signed_at"], a["state"] = t, "accepted"
                self.event(case_id, t, "sign_for", c["state"], "accepted", a["id"])
                c["state"] = "accepted"
            if order >= 2:
                for a in assignments:
                    if rng.random() < 0.3:
                        t = self.clip(t + rng.uniform(0.5, 6) * HOUR, t)
                        a["checked_in_at"], a["state"] = t, "on_site"
                        self.event(case_id, t, "check_in", c["state"], "in_progress", a["id"])
                        c["state"] = "in_progress"
                if c["state"] != "in_progress":
                    t = self.clip(t + rng.uniform(0.5, 12) * HOUR, t)
                    self.event(case_id, t, "log_progress", c["state"], "in_progress", assignments[0]["id"])
                    c["state"] = "in_progress"
            if order >= 3:
                for a in assignments:
                    t = self.clip(max(t, late(dispatched, complete_limit, 0.92)), t)
                    a["submitted_at"] = a["first_submitted_at"] = t
                    a["state"], a["result"] = "submitted", "已处置完毕"
                    last = a is assignments[-1]
                    self.event(case_id, t, "submit_result", "in_progress", "resolved" if last else "in_progress",
                               a["id"])
                c["state"] = "resolved"
            if order >= 4:
                for a in assignments:
                    t = self.clip(t + rng.uniform(0.5, 24) * HOUR, t)
                    a["verified_at"], a["state"] = t, "done"
                    self.event(case_id, t, "verify", "resolved", "resolved", a["id"])
                t = self.clip(t + rng.uniform(1, 30) * MINUTE, t)
                self.event(case_id, t, "close", "resolved", "closed")
                c["state"], c["closed_at"] = "closed", _ts(t)
                self.rate(c, t, reopen=target == "reopened")
        for a in assignments:
            self.rows["assignment"].append(tuple(
                _ts(a[k]) if isinstance(a[k], datetime) else a[k] for k in ASSIGNMENT_COLS))
        return t

    # --- writing ----------------------------------------------------------------------------------

    def flush(self) -> None:
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        for table, cols, key in (("case", CASE_COLS, "case"), ("assignment", ASSIGNMENT_COLS, "assignment"),
                                 ("case_event", EVENT_COLS, "event"),
                                 ("satisfaction", SATISFACTION_COLS, "satisfaction")):
            if self.rows[key]:
                cursor.executemany(_insert_sql(table, cols), self.rows[key])
            self.rows[key] = []
        cursor.close()
        db.session.commit()


def seed_volume(n: int, *, seed: int = 2026, now: datetime | None = None, echo=None) -> dict[str, int]:
    """Add `n` cases (with assignments, events and ratings) over the year before `now`; rebuild the
    summaries. Returns the counts added."""
    from portal.figures.tally import rebuild

    if db.session.get_bind().dialect.name != "sqlite":
        raise NotImplementedError("seed-volume writes SQLite rows directly")
    started = time.monotonic()
    now = (now or utcnow()).replace(microsecond=0)
    v = _Volume(n, seed, now)
    before = dict(v.ids)
    db.session.commit()
    # A big page cache for this connection: the unique and secondary indexes take random inserts.
    db.session.execute(db.text("PRAGMA cache_size=-400000"))
    for i, created in enumerate(v.created_times(), 1):
        v.case(created)
        if i % BATCH == 0:
            v.flush()
            if echo:
                echo(f"  {i} cases ({time.monotonic() - started:.0f}s)")
    v.flush()
    rebuild()
    db.session.commit()
    if echo:
        echo(f"  summaries rebuilt ({time.monotonic() - started:.0f}s)")
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()
    return {f"{name}s": v.ids[name] - before[name] for name in before}
