"""`make bench`: a district-year of cases served by gunicorn on loopback, each important page loaded
next to a bare Flask page in the same run.

    BENCH_CASES=600000 python -m portal.figures.bench     # the default size
    BENCH_CASES=20000 BENCH_REQUESTS=300 python -m portal.figures.bench

Steps: build the volume in a scratch instance under /tmp (`init-db`, `seed-demo`,
`seed-volume --cases N`; `BENCH_INSTANCE=/tmp/dir` reuses one already built), start gunicorn (sync
workers, `BENCH_WORKERS`, default the CPU count) on a free 127.0.0.1 port, log in with a session
cookie, then for each page send `BENCH_REQUESTS` requests from `BENCH_CLIENTS` threads (keep-alive,
10 s timeout) and print one line per page:

    <page> requests=… p50_ms=… p95_ms=… max_ms=… req_s=… ratio=…

p50/p95/max are the server's own time per request (gunicorn's access log, microseconds), req_s the
throughput seen by the client, ratio = req_s / the bare page's req_s. Then the workers' peak RSS.
Every process it started is stopped (by its pid), also on errors and Ctrl-C.
"""
from __future__ import annotations

import html
import http.client
import os
import re
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
        self.log = instance / "bench-access.log"
        self.log.write_text("")
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-k", "sync", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--access-logfile", str(self.log), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s",
             "--log-level", "warning", "portal:create_app()"],
            cwd=ROOT, env=_env(instance), start_new_session=True)
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

    def request(self, method: str, path: str, body: dict | None = None, conn=None):
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": self.cookie} if self.cookie else {}
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


def server_times(log: Path, offset: int) -> tuple[list[float], int]:
    """Milliseconds of each request logged since `offset`, and the new offset."""
    with log.open("rb") as f:
        f.seek(offset)
        data = f.read()
    times = []
    for line in data.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[-1].isdigit():
            times.append(int(parts[-1]) / 1000)
    return times, offset + len(data)


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

    add("bare /figures/ping", "figures.ping")
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
    case = db.session.scalar(select(func.max(Case.id)).where(Case.street_id == street))
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


def main() -> int:
    cases = int(os.environ.get("BENCH_CASES", "600000"))
    requests = int(os.environ.get("BENCH_REQUESTS", "500"))
    clients = int(os.environ.get("BENCH_CLIENTS", "8"))
    workers = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
    deep = int(os.environ.get("BENCH_DEEP_PAGE", "200"))
    instance = Path(os.environ.get("BENCH_INSTANCE") or tempfile.mkdtemp(prefix="portal-bench-", dir="/tmp"))
    instance.mkdir(parents=True, exist_ok=True)
    build(instance, cases)
    urls, street_id, case_id = app_facts(instance)
    server = Server(instance, workers)
    try:
        session = Session(server.port)
        session.login("admin")
        todo = pages(urls, session, street_id, case_id, deep)
        # warm up every page (templates compiled, caches filled) before measuring
        for _name, path in todo:
            status, _l, _t = session.request("GET", path)
            if status != 200:
                print(f"# {path}: HTTP {status}", flush=True)
        _times, offset = server_times(server.log, 0)
        print(f"# {cases} cases; gunicorn sync workers={workers} on 127.0.0.1:{server.port}; "
              f"{requests} requests per page from {clients} threads", flush=True)
        bare = None
        for name, path in todo:
            seconds, latencies, errors = load(session, path, requests, clients)
            times, offset = server_times(server.log, offset)
            rate = len(latencies) / seconds if seconds else 0.0
            if bare is None:
                bare = rate
            print(f"{name:32s} {path[:60]:60s} requests={len(latencies)} errors={errors} "
                  f"p50_ms={percentile(times, 50):.2f} p95_ms={percentile(times, 95):.2f} "
                  f"max_ms={max(times or [0]):.2f} client_p95_ms={percentile(latencies, 95) * 1000:.1f} "
                  f"req_s={rate:.0f} ratio={rate / bare:.3f}", flush=True)
        peaks = server.peak_rss_mb()
        print("peak RSS of workers: " + ", ".join(f"pid {p}: {mb:.0f} MB" for p, mb in sorted(peaks.items())),
              flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
