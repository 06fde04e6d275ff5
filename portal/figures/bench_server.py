"""gunicorn settings for `make bench` (`gunicorn -c python:portal.figures.bench_server`).

Each worker keeps the server time of every request in memory, by method and URI, and writes them
to `$BENCH_TIMES/<pid>.json` when it exits. An access log would do the same job but costs more
than a bare Flask page itself (Python's logging formats and writes a line per request), which would
flatter every ratio the benchmark prints.
"""
from __future__ import annotations

import json
import os
import time
from collections import defaultdict

_times: dict[str, list[float]] = defaultdict(list)


def pre_request(worker, req):
    req.bench_started = time.perf_counter()


def post_request(worker, req, environ, resp):
    started = getattr(req, "bench_started", None)
    if started is not None:
        _times[f"{req.method} {req.uri}"].append(time.perf_counter() - started)


def worker_exit(server, worker):
    folder = os.environ.get("BENCH_TIMES")
    if folder:
        with open(os.path.join(folder, f"{os.getpid()}.json"), "w", encoding="utf-8") as f:
            json.dump(_times, f)
