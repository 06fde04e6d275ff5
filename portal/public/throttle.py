"""Per-client limits for what anyone may do without logging in (send reports, try codes).

A client is its address plus a signed cookie holding a random id: each cookie gets its own
allowance, clients without a valid cookie share one allowance per address, and every address has a
ceiling (`IP_FACTOR` allowances) so rotating cookies does not lift the limit. Hits are rows of
`PublicThrottle` (the database, so several server processes share them).

    wait = throttle.blocked("lookup")      # None, or seconds until the client may try again
    throttle.hit("lookup")                 # count one attempt (commits on its own)
"""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select

from portal.extensions import db
from portal.public.models import PublicThrottle
from portal.timeutil import utcnow

CLIENT_COOKIE = "portal_client"
COOKIE_SALT = "public-client"
COOKIE_MAX_AGE = 365 * 24 * 3600
IP_FACTOR = 10                      # one address may hold this many clients' allowances
KEEP = timedelta(days=1)            # rows older than the longest window are deleted


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# scope -> (attempts, window); override with app.config["PUBLIC_LIMITS"] = {scope: (count, seconds)}.
DEFAULT_LIMITS = {
    "report": Limit(5, 600),        # five reports accepted (or caught by the bots' trap) in ten minutes
    "report_attempt": Limit(20, 600),   # twenty reports processed (photos decoded), accepted or not
    "lookup": Limit(10, 600),       # ten wrong tracking codes in ten minutes
}


def limit_for(scope: str) -> Limit:
    configured = current_app.config.get("PUBLIC_LIMITS", {}).get(scope)
    return Limit(*configured) if configured else DEFAULT_LIMITS[scope]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=COOKIE_SALT)


def client_id() -> str | None:
    """The id of this browser's signed client cookie, or None when it has none (or a forged one)."""
    if "public_client_id" not in g:
        value = request.cookies.get(CLIENT_COOKIE, "")
        try:
            token = _serializer().loads(value) if value else None
        except BadSignature:
            token = None
        g.public_client_id = token if isinstance(token, str) and 0 < len(token) <= 40 else None
    return g.public_client_id


def ensure_client_cookie(response):
    """Give a browser without a valid client cookie a new one (after_request of the area)."""
    if client_id() is None and not g.get("public_cookie_set"):
        g.public_cookie_set = True
        response.set_cookie(CLIENT_COOKIE, _serializer().dumps(secrets.token_hex(16)), max_age=COOKIE_MAX_AGE,
                            httponly=True, samesite="Lax", secure=request.is_secure)
    return response


def _keys(scope: str) -> list[tuple[str, int]]:
    limit = limit_for(scope)
    address = (request.remote_addr or "unknown")[:45]
    cid = client_id()
    own = f"{scope}:c:{cid}" if cid else f"{scope}:n:{address}"
    return [(own, limit.count), (f"{scope}:ip:{address}", limit.count * IP_FACTOR)]


def blocked(scope: str, now: datetime | None = None) -> int | None:
    """Seconds until this client may try `scope` again, or None when it may now."""
    now = now or utcnow()
    window = timedelta(seconds=limit_for(scope).seconds)
    wait = 0.0
    for key, allowed in _keys(scope):
        # The allowed-th newest hit in the window: once it leaves the window, one more try is free.
        pivot = db.session.scalar(
            select(PublicThrottle.at).where(PublicThrottle.key == key, PublicThrottle.at > now - window)
            .order_by(PublicThrottle.at.desc()).offset(allowed - 1).limit(1))
        if pivot is not None:
            wait = max(wait, (pivot + window - now).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else None


def hit(scope: str, now: datetime | None = None) -> None:
    """Count one attempt of this client, in a transaction of its own (it stays counted whatever
    happens to the rest of the request), and drop rows nobody needs any more."""
    now = now or utcnow()
    keys = _keys(scope)
    db.session.rollback()
    was_write = g.get("write_request", False)
    g.write_request = True          # even on GET: take the write lock up front (SQLite)
    for key, _allowed in keys:
        db.session.add(PublicThrottle(key=key, at=now))
    db.session.execute(delete(PublicThrottle).where(PublicThrottle.at < now - KEEP))
    db.session.commit()
    g.write_request = was_write


def minutes(seconds: int) -> int:
    """Whole minutes to tell a person to wait (at least one)."""
    return max(1, math.ceil(seconds / 60))
