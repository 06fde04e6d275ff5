"""`make bench`: a district-year of cases served by gunicorn on loopback, each important page loaded
next to a bare Flask page in the same run.

    BENCH_CASES=600000 python -m portal.figures.bench     # the default size
    BENCH_CASES=20000 BENCH_REQUESTS=300 python -m portal.figures.bench

Steps: build the volume in a scratch instance under /tmp (`init-db`, `seed-demo`,
`seed-volume --cases N`; `BENCH_INSTANCE=/tmp/dir` reuses one already built), start gunicorn (sync
workers, `BENCH_WORKERS`, default one per CPU: the pages are CPU-bound, the database local) on a
free 127.0.0.1 port, log in
with a session cookie, then load each page with `BENCH_CLIENTS` (8) keep-alive connections: wrk
(Debian's package `wrk`) for `BENCH_SECONDS` (5) per page when it is installed, else Python threads
sending `BENCH_REQUESTS` (500) requests, which saturate long before the server does on a small
machine. One line per page:

    <page> requests=… p50_ms=… p95_ms=… max_ms=… req_s=… ratio=…

The yardstick is a bare Flask app (one route, no hooks) served by the same workers beside the
portal (`portal.figures.bench_wsgi`), loaded for BENCH_BARE_SECONDS (2) before the first page and
after each page: a page's ratio is over the mean of the two loads around it, so a machine whose
speed drifts during the run skews no page. Its line comes first; the next is the portal's own
`/figures/ping`, which goes through the portal's hooks and does nothing else: its ratio is what the
portal's request handling alone leaves of the bare page.

Then the writes: one unit chief per client (BENCH_CLIENTS, units with the most open work) posts
the next step on its own cases (sign for → check in → log progress, over HTMX with the CSRF header
and the case version from the last answer) for BENCH_WRITE_SECONDS (10); no case is shared, so
409s should be 0. One line: `writes changes_s=… ok=… conflicts=… errors=… locked=… lost=…`
(locked: "database is locked" in answers or gunicorn's error log; lost: successes without exactly
one new CaseEvent, counted in SQL). Then `writes ratio=…`: changes per second over the bare page's
req_s, next to the issue's 800 changes/s over its machine's bare 7,000 req/s, so a machine slower or
faster than that one can be compared. BENCH_ONLY=pages|writes runs just one part (writes: with the
bare page loaded before and after, for the ratio).

p50/p95/max are the server's own time per request (kept in memory by gunicorn hooks,
`portal.figures.bench_server`: an access log would cost more than the bare page), req_s the
throughput seen by the client, ratio = req_s / the bare page's req_s. Then the workers' peak RSS.
Every process it started is stopped (by its pid), also on errors and Ctrl-C.
"""
from __future__ import annotations

import html
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
BARE_PATH = "/bare/"                   # the bare Flask app beside the portal (bench_wsgi)
BIN = Path(sys.executable).parent
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
NEXT = re.compile(r'href="([^"]*[?&](?:amp;)?after=[^"]*)"')


def _env(instance: Path) -> dict:
    env = dict(os.environ)
    env["PORTAL_INSTANCE_PATH"] = str(instance)
    env.pop("PORTAL_DATABASE_URL", None)
    return env


def _flask(instance: Path, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "portal", *args], cwd=ROOT, env=_env(instance), check=True)


def build(instance: Path, cases: int) -> None:
    marker = instance / f".bench-{cases}"
    if marker.exists():
        print(f"# reusing {instance} ({cases} cases)", flush=True)
        _flask(instance, "init-db")          # migrations added since it was built
        return
    started = time.monotonic()
    _flask(instance, "init-db")
    _flask(instance, "seed-demo")
    _flask(instance, "seed-volume", "--cases", str(cases))
    marker.touch()
    print(f"# built {cases} cases in {time.monotonic() - started:.0f}s", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, instance: Path, workers: int):
        self.port = free_port()
        self.times = instance / "bench-times"
        shutil.rmtree(self.times, ignore_errors=True)
        self.times.mkdir()
        self.errors = instance / "bench-error.log"
        self.errors.write_text("")
        env = _env(instance)
        env["BENCH_TIMES"] = str(self.times)
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "python:portal.figures.bench_server", "-k", "sync",
             "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "--error-logfile", str(self.errors), "--capture-output",
             os.environ.get("BENCH_APP", "portal.figures.bench_wsgi:create()")],
            cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/figures/ping")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def server_times(self) -> dict[str, list[float]]:
        """Milliseconds per request by "METHOD /uri", from every worker (after `stop`)."""
        merged: dict[str, list[float]] = {}
        for path in self.times.glob("*.json"):
            for key, values in json.loads(path.read_text(encoding="utf-8")).items():
                merged.setdefault(key, []).extend(v * 1000 for v in values)
        return merged

    def worker_pids(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def peak_rss_mb(self) -> dict[int, float]:
        peaks = {}
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = int(line.split()[1]) / 1024
            except OSError:
                pass
        return peaks

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)     # the master stops its workers
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Session:
    """A logged-in client: the session cookie, reused by every load thread."""

    def __init__(self, port: int):
        self.port, self.cookie = port, ""

    def request(self, method: str, path: str, body: dict | None = None, conn=None, headers: dict | None = None):
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("portal_session="):
                self.cookie = value.split(";", 1)[0]
        if own:
            conn.close()
        return response.status, response.getheader("Location"), text

    def login(self, username: str, password: str = "portal-demo") -> None:
        _status, _loc, page = self.request("GET", "/auth/login")
        token = CSRF.search(page).group(1)
        status, location, _ = self.request("POST", "/auth/login", {
            "csrf_token": token, "username": username, "password": password})
        if status != 302 or "login" in (location or ""):
            raise RuntimeError(f"login as {username} failed ({status})")


def load(session: Session, path: str, requests: int, clients: int) -> tuple[float, list[float], int]:
    """Send `requests` GETs of `path` from `clients` threads; (seconds, client latencies, errors)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(requests))

    def work():
        conn = http.client.HTTPConnection("127.0.0.1", session.port, timeout=10)
        headers = {"Cookie": session.cookie}
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", session.port, timeout=10)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok
        conn.close()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, errors[0]


WRK = shutil.which("wrk")
WRK_RATE = re.compile(r"Requests/sec:\s+([0-9.]+)")
WRK_TOTAL = re.compile(r"(\d+) requests in ([0-9.]+)(m?s|m)\b")
WRK_BAD = re.compile(r"Non-2xx or 3xx responses: (\d+)")
WRK_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def wrk_load(session: Session, path: str, seconds: float, clients: int) -> tuple[float, int, int]:
    """`clients` keep-alive connections of wrk (two threads) on `path` for `seconds`:
    (requests per second, requests, errors)."""
    out = subprocess.run(
        [WRK, "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds:g}s", "--timeout", "10s",
         "-H", f"Cookie: {session.cookie}", f"http://127.0.0.1:{session.port}{path}"],
        capture_output=True, text=True, check=True).stdout
    rate = float(WRK_RATE.search(out).group(1))
    total = WRK_TOTAL.search(out)
    bad = WRK_BAD.search(out)
    socket_errors = WRK_ERRORS.search(out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return rate, int(total.group(1)) if total else 0, errors


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def deep_page(session: Session, path: str, pages: int) -> str:
    """Follow the list's "next" link to page `pages` (keyset paging); the deepest path reached."""
    current = path
    for _ in range(pages - 1):
        _s, _l, text = session.request("GET", current)
        links = [html.unescape(h) for h in NEXT.findall(text)]
        forward = [h for h in links if "before=" not in h]
        if not forward:
            break
        current = forward[-1]
    return current


def pages(app_urls: dict, session: Session, street_id: int, case_id: int, deep: int) -> list[tuple[str, str]]:
    """(name, path) of the pages to load; pages of areas not installed are left out."""
    found = []

    def add(name, endpoint, **args):
        url = app_urls.get(endpoint)
        if url:
            found.append((name, url + (("?" + urlencode(args)) if args else "")))

    add("portal /figures/ping", "figures.ping")
    add("dashboard (district)", "dashboard.index")
    add("dashboard (one street)", "dashboard.index", street=street_id)
    add("case list", "cases.index")
    add("case list filtered", "cases.index", state="in_progress", street=street_id)
    if "cases.index" in app_urls:
        base = app_urls["cases.index"]
        found.append((f"case list page {deep}", deep_page(session, base, deep)))
        found.append((f"case list filtered page {deep}",
                      deep_page(session, base + "?" + urlencode({"state": "closed", "street": street_id}), deep)))
    if "cases.detail" in app_urls:
        found.append(("case detail", app_urls["cases.detail"].replace("0", str(case_id))))
    add("queue", "cases.queue")
    add("whistle register", "cases.register")
    add("assessment", "assessment.index")
    add("public figures", "public.figures")
    add("public list", "public.issues")
    add("responsibility list", "duties.index")
    if "roster.week" in app_urls:
        found.append(("roster week", app_urls["roster.week"]))
    add("meetings", "meetings.index")
    return found


def app_facts(instance: Path) -> tuple[dict, int, int]:
    """The URLs of the pages (from the app's url map) and a street and a case to show."""
    code = r"""
import json
from flask import url_for
from sqlalchemy import select, func
from portal import create_app
from portal.extensions import db
app = create_app()
urls = {}
with app.test_request_context():
    from portal.org.models import Street
    from portal.cases.models import Case
    street = db.session.scalar(select(Street.id).where(Street.code == "qt"))
    # a closed case: a whole history to show, and one the write test never touches
    case = db.session.scalar(select(func.max(Case.id)).where(Case.street_id == street, Case.state == "closed"))
    center = None
    try:
        from portal.roster.models import Center
        center = db.session.scalar(select(Center.id).where(Center.street_id == street))
    except Exception:
        pass
    for rule in app.url_map.iter_rules():
        e = rule.endpoint
        try:
            if not rule.arguments:
                urls[e] = url_for(e)
            elif e == "cases.detail":
                urls[e] = url_for(e, case_id=0)
            elif e == "roster.week" and center:
                urls[e] = url_for(e, center_id=center)
        except Exception:
            pass
print(json.dumps({"urls": urls, "street": street, "case": case}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(instance), check=True,
                         capture_output=True, text=True).stdout
    import json

    facts = json.loads(out.strip().splitlines()[-1])
    return facts["urls"], facts["street"], facts["case"]


# --- writes: unit chiefs working their own assignments, 8 at a time ---------------------------------

VERSION = re.compile(r'data-case-version="(\d+)"')
# The next action a unit chief takes on an assignment in this state (log_progress can repeat).
NEXT_ACTION = {"dispatched": "sign_for", "accepted": "check_in", "on_site": "log_progress",
               "sent_back": "log_progress"}
NEXT_STATE = {"sign_for": "accepted", "check_in": "on_site"}


def _app_json(instance: Path, code: str):
    import json

    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(instance), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def write_targets(instance: Path, clients: int, per_client: int) -> list[dict]:
    """One unit chief per client (the units with the most open work first) and, for each, cases
    with an open assignment of the chief's unit; no case is given to two clients."""
    code = f"""
import json
from flask import url_for
from sqlalchemy import select, func
from portal import create_app
from portal.extensions import db
from portal.auth.models import User
from portal.cases.models import Assignment, Case
app = create_app()
out, taken = [], set()
with app.test_request_context():
    chiefs = db.session.execute(
        select(User.username, User.unit_id, func.count(Assignment.id)).join(Assignment, Assignment.unit_id == User.unit_id)
        .where(User.role == "unit_chief", User.active, Assignment.state.in_(("dispatched", "accepted", "on_site", "sent_back")))
        .group_by(User.id).order_by(func.count(Assignment.id).desc(), User.username)).all()
    used_units = set()
    for username, unit_id, _n in chiefs:
        if len(out) == {clients} or unit_id in used_units:
            continue
        used_units.add(unit_id)
        rows = db.session.execute(
            select(Assignment.id, Assignment.state, Case.id, Case.version).join(Case, Case.id == Assignment.case_id)
            .where(Assignment.unit_id == unit_id, Assignment.state.in_(("dispatched", "accepted", "on_site", "sent_back")),
                   Case.state.in_(("dispatched", "accepted", "in_progress")))
            .order_by(Case.id.desc()).limit({per_client} * 4)).all()
        work = []
        for aid, state, cid, version in rows:
            if cid in taken or len(work) == {per_client}:
                continue
            taken.add(cid)
            work.append({{"case": cid, "assignment": aid, "state": state, "version": version,
                          "url": url_for("cases.act_on", case_id=cid, assignment_id=aid, action="ACTION"),
                          "page": url_for("cases.detail", case_id=cid)}})
        out.append({{"user": username, "work": work}})
print(json.dumps(out))
"""
    return _app_json(instance, code)


def write_counts(instance: Path, case_ids: list[int]) -> tuple[int, int]:
    """(events, sum of versions) of these cases, counted in SQL."""
    code = f"""
import json
from sqlalchemy import func, select
from portal import create_app
from portal.extensions import db
from portal.cases.models import Case, CaseEvent
ids = {case_ids!r}
with create_app().app_context():
    events = db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.case_id.in_(ids)))
    versions = db.session.scalar(select(func.sum(Case.version)).where(Case.id.in_(ids)))
print(json.dumps([events, versions]))
"""
    events, versions = _app_json(instance, code)
    return int(events), int(versions or 0)


WRITE_SCRIPT = r"""
-- Written by portal/figures/bench.py: each wrk thread is one unit chief with one connection,
-- posting the next step on its own cases in turn, the case version taken from the last answer.
local clients = %(clients)s
local NEXT_ACTION = {dispatched = "sign_for", accepted = "check_in", on_site = "log_progress",
                     sent_back = "log_progress"}
local NEXT_STATE = {sign_for = "accepted", check_in = "on_site"}
local threads, made = {}, 0

function setup(thread)
  made = made + 1
  thread:set("id", made)
  table.insert(threads, thread)
end

function init(args)
  me = clients[id]
  i, ok, conflicts, errors, locked = 0, 0, 0, 0, 0
end

function request()
  i = i + 1
  item = me.work[(i - 1) %% #me.work + 1]
  action = NEXT_ACTION[item.state]
  local body = "version=" .. item.version
  if action == "log_progress" then body = body .. "&note=bench+progress+" .. i end
  return wrk.format("POST", item.url .. action, {["Cookie"] = me.cookie, ["X-CSRFToken"] = me.token,
    ["HX-Request"] = "true", ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end

function response(status, headers, body)
  local v = body:match('data%%-case%%-version="(%%d+)"')
  if status == 200 then
    ok = ok + 1
    item.state = NEXT_STATE[action] or item.state
    item.version = v and tonumber(v) or item.version + 1
  elseif status == 409 then
    conflicts = conflicts + 1
    if v then item.version = tonumber(v) end
  else
    errors = errors + 1
    if body:find("database is locked", 1, true) then locked = locked + 1 end
  end
end

function done(summary, latency, requests)
  local t = {ok = 0, conflicts = 0, errors = 0, locked = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format("COUNTS ok=%%d conflicts=%%d errors=%%d locked=%%d\n", t.ok, t.conflicts, t.errors, t.locked))
end
"""


def _lua(value) -> str:
    """A Lua literal of JSON-like data (strings, numbers, lists, dicts)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _wrk_writes(clients: list[tuple[Session, str, list[dict]]], seconds: float, script: Path) -> tuple[dict, list[str]]:
    data = [{"cookie": session.cookie, "token": token,
             "work": [{"url": w["url"].replace("ACTION", ""), "state": w["state"], "version": w["version"]}
                      for w in work]} for session, token, work in clients]
    script.write_text(WRITE_SCRIPT % {"clients": _lua(data)})
    port = clients[0][0].port
    out = subprocess.run([WRK, "-t", str(len(clients)), "-c", str(len(clients)), "-d", f"{seconds:g}s",
                          "--timeout", "15s", "-s", str(script), f"http://127.0.0.1:{port}/"],
                         capture_output=True, text=True, check=True).stdout
    found = re.search(r"COUNTS ok=(\d+) conflicts=(\d+) errors=(\d+) locked=(\d+)", out)
    counts = dict(zip(("ok", "conflicts", "errors", "locked"), map(int, found.groups())))
    socket_errors = WRK_ERRORS.search(out)
    if socket_errors:
        counts["errors"] += sum(map(int, socket_errors.groups()))
    return counts, []


def _python_writes(clients: list[tuple[Session, str, list[dict]]], seconds: float) -> tuple[dict, list[str]]:
    counts = {"ok": 0, "conflicts": 0, "errors": 0, "locked": 0}
    samples: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def work(session: Session, token: str, items: list[dict]):
        conn = http.client.HTTPConnection("127.0.0.1", session.port, timeout=15)
        headers = {"HX-Request": "true", "X-CSRFToken": token}
        mine = dict.fromkeys(counts, 0)
        i = 0
        while time.perf_counter() < stop_at:
            item = items[i % len(items)]
            i += 1
            action = NEXT_ACTION[item["state"]]
            body = {"version": item["version"]}
            if action == "log_progress":
                body["note"] = f"bench progress {i}"
            try:
                status, _loc, text = session.request("POST", item["url"].replace("ACTION", action), body,
                                                     conn=conn, headers=headers)
            except (OSError, http.client.HTTPException) as error:
                mine["errors"] += 1
                with lock:
                    samples.append(f"{type(error).__name__}: {error}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", session.port, timeout=15)
                continue
            found = VERSION.search(text)
            if status == 200:
                mine["ok"] += 1
                item["state"] = NEXT_STATE.get(action, item["state"])
                item["version"] = int(found.group(1)) if found else item["version"] + 1
            elif status == 409:
                mine["conflicts"] += 1
                if found:
                    item["version"] = int(found.group(1))
            else:
                mine["errors"] += 1
                mine["locked"] += "database is locked" in text
                with lock:
                    samples.append(f"HTTP {status} {item['url'].replace('ACTION', action)}: {text[:200]!r}")
        conn.close()
        with lock:
            for k, v in mine.items():
                counts[k] += v

    threads = [threading.Thread(target=work, args=client) for client in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts, samples


def write_load(server: "Server", instance: Path, clients: int, seconds: float,
               per_client: int = 20) -> tuple[str, float]:
    """`clients` unit chiefs post their next step (sign for, check in, log progress) on their own
    cases over HTMX for `seconds` (wrk when installed, else Python threads); then check in SQL that
    every success left exactly one event and moved the case's version by one."""
    targets = [t for t in write_targets(instance, clients, per_client) if t["work"]]
    if not targets:
        return "writes skipped: no open assignments of a unit chief", 0.0
    case_ids = [w["case"] for t in targets for w in t["work"]]
    chiefs = []
    for t in targets:
        session = Session(server.port)
        session.login(t["user"])
        _s, _l, page = session.request("GET", t["work"][0]["page"])      # warm up, and the CSRF token
        chiefs.append((session, CSRF.search(page).group(1), t["work"]))
    events_before, versions_before = write_counts(instance, case_ids)
    error_log_offset = server.errors.stat().st_size
    started = time.perf_counter()
    if WRK:
        counts, samples = _wrk_writes(chiefs, seconds, instance / "bench-writes.lua")
    else:
        counts, samples = _python_writes(chiefs, seconds)
    elapsed = time.perf_counter() - started
    events_after, versions_after = write_counts(instance, case_ids)
    with server.errors.open("rb") as f:
        f.seek(error_log_offset)
        log_text = f.read().decode("utf-8", "replace")
    counts["locked"] += log_text.count("database is locked")
    counts["errors"] += log_text.count("Traceback")
    new_events = events_after - events_before
    lost = max(0, counts["ok"] - new_events)
    # wrk stops at the deadline without reading the answers still on their way: changes made
    # whose answer nobody read (at most one per client)
    unread = max(0, new_events - counts["ok"])
    for line in samples[:5]:
        print(f"# {line}", flush=True)
    if versions_after - versions_before != new_events:
        print(f"# versions moved by {versions_after - versions_before}, events by {new_events}", flush=True)
    rate = counts["ok"] / elapsed
    return (f"writes changes_s={rate:.0f} ok={counts['ok']} conflicts={counts['conflicts']} "
            f"errors={counts['errors']} locked={counts['locked']} lost={lost} unread_answers={unread} "
            f"(clients={len(targets)} cases={len(case_ids)} seconds={elapsed:.1f} "
            f"generator={'wrk' if WRK else 'python'})"), rate


def main() -> int:
    cases = int(os.environ.get("BENCH_CASES", "600000"))
    requests = int(os.environ.get("BENCH_REQUESTS", "500"))           # per page, without wrk
    page_seconds = float(os.environ.get("BENCH_SECONDS", "5"))        # per page, with wrk
    clients = int(os.environ.get("BENCH_CLIENTS", "8"))
    workers = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
    deep = int(os.environ.get("BENCH_DEEP_PAGE", "200"))
    write_seconds = float(os.environ.get("BENCH_WRITE_SECONDS", "10"))
    only = os.environ.get("BENCH_ONLY", "")          # "pages" or "writes": run just that part
    instance = Path(os.environ.get("BENCH_INSTANCE") or tempfile.mkdtemp(prefix="portal-bench-", dir="/tmp"))
    instance.mkdir(parents=True, exist_ok=True)
    build(instance, cases)
    urls, street_id, case_id = app_facts(instance)
    server = Server(instance, workers)
    try:
        session = Session(server.port)
        session.login("admin")
        todo = pages(urls, session, street_id, case_id, deep) if only != "writes" else []
        # warm up every page (templates compiled, caches filled) before measuring
        for _name, path in [("bare Flask app", BARE_PATH), *todo]:
            status, _l, _t = session.request("GET", path)
            if status != 200:
                print(f"# {path}: HTTP {status}", flush=True)
        generator = (f"wrk, {clients} connections for {page_seconds:g} s per page" if WRK else
                     f"Python threads ({clients}), {requests} requests per page; install wrk for truer figures")
        print(f"# {cases} cases; gunicorn sync workers={workers} on 127.0.0.1:{server.port}; load: {generator}",
              flush=True)
        bare_seconds = float(os.environ.get("BENCH_BARE_SECONDS", "2"))

        def measure(path: str, seconds: float) -> tuple[float, int, int, str]:
            if WRK:
                rate, sent, errors = wrk_load(session, path, seconds, clients)
                return rate, sent, errors, ""
            took, latencies, errors = load(session, path, requests, clients)
            return ((len(latencies) / took if took else 0.0), len(latencies), errors,
                    f" client_p95_ms={percentile(latencies, 95) * 1000:.1f}")

        # Each page is bracketed by short loads of the bare page, and its ratio is over their mean:
        # a machine whose speed drifts during the run (shared hosts do) skews no page's ratio.
        bare_rates = [measure(BARE_PATH, bare_seconds)[0]]
        loaded = []
        for name, path in todo:
            if path == BARE_PATH:
                continue
            # As a browser would: the newest session cookie (the session's "last seen" moves on
            # once a minute, and a stale one would have every request sign and send a new cookie).
            session.request("GET", path)
            rate, sent, errors, client_p95 = measure(path, page_seconds)
            bare_rates.append(measure(BARE_PATH, bare_seconds)[0])
            yardstick = (bare_rates[-2] + bare_rates[-1]) / 2
            loaded.append((name, path, rate, sent, errors, client_p95, yardstick))
            print(f"# {name}: {rate:.0f} req/s (bare page {yardstick:.0f} req/s)", flush=True)
        wrote, write_rate = write_load(server, instance, clients, write_seconds) if only != "pages" else ("", 0.0)
        if wrote:
            bare_rates.append(measure(BARE_PATH, bare_seconds)[0])
        peaks = server.peak_rss_mb()
    finally:
        server.stop()
    times = server.server_times()
    bare = sum(bare_rates) / len(bare_rates)
    measured = times.get(f"GET {BARE_PATH}", [])
    print(f"{'bare Flask app':32s} {BARE_PATH:60s} loads={len(bare_rates)} p50_ms={percentile(measured, 50):.2f} "
          f"p95_ms={percentile(measured, 95):.2f} req_s={bare:.0f} (from {min(bare_rates):.0f} to "
          f"{max(bare_rates):.0f}) ratio=1.000", flush=True)
    for name, path, rate, sent, errors, client_p95, yardstick in loaded:
        measured = times.get(f"GET {path}", [])          # (with the one warm-up request)
        print(f"{name:32s} {path[:60]:60s} requests={sent} errors={errors} "
              f"p50_ms={percentile(measured, 50):.2f} p95_ms={percentile(measured, 95):.2f} "
              f"max_ms={max(measured or [0]):.2f}{client_p95} req_s={rate:.0f} ratio={rate / yardstick:.3f}",
              flush=True)
    if wrote:
        print(wrote, flush=True)
        # The 800 changes/s are for a machine whose bare page serves 7,000 req/s: the same
        # share of this machine's bare page (loaded just before and after the writes) compares.
        around = (bare_rates[-2] + bare_rates[-1]) / 2
        print(f"writes ratio={write_rate / around:.3f} (changes_s / bare req_s {around:.0f}; 800 at a bare "
              f"7,000 req/s is {800 / 7000:.3f}, here {800 / 7000 * around:.0f} changes/s)", flush=True)
    print("peak RSS of workers: " + ", ".join(f"pid {p}: {mb:.0f} MB" for p, mb in sorted(peaks.items())),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
