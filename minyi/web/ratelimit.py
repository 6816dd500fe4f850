"""Rate limits for public actions (portal submissions and look-ups) and the client address rule.

Why not django-ratelimit: it needs memcached or Redis for atomic counters, and minyi's embedded
default has neither. A counter row per key and fixed window, incremented by one conditional UPDATE
(inserted by the first hit; a racing insert falls back to the UPDATE), is atomic on SQLite and on
PostgreSQL and shared by every application server. The worker deletes old windows.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from minyi.core import clock
from minyi.web.models import RateCounter


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a trusted reverse proxy (TRUST_PROXY=1) the last
    address of X-Forwarded-For — the one our proxy appended; entries before it are whatever the
    client sent and could be forged to dodge limits. None when there is no valid address. Used by
    the portal's limits and the login lockout (django-axes stores it in an address column)."""
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if settings.TRUST_PROXY:
        candidates.insert(0, request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None


HOUR = dt.timedelta(hours=1)


def window_start(moment: dt.datetime, window: dt.timedelta) -> dt.datetime:
    """The fixed window (counted from the epoch) that `moment` falls in."""
    seconds = int(window.total_seconds())
    return dt.datetime.fromtimestamp(int(moment.timestamp()) // seconds * seconds, tz=dt.UTC)


def hit(key: str, *, limit: int, window: dt.timedelta) -> bool:
    """Count one hit of `key`; False when it exceeds `limit` hits within the current window."""
    start = window_start(clock.now(), window)
    with transaction.atomic():
        rows = RateCounter.objects.filter(key=key, window_start=start)
        if not rows.update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, hits=1)
            except IntegrityError:  # another process inserted the row first
                rows.update(hits=F("hits") + 1)
        hits = rows.values_list("hits", flat=True).first() or 0
    return hits <= limit


def allow(request: HttpRequest, action: str, *, per_hour: int) -> bool:
    """One hit of `action` from this client; False when it made more than `per_hour` in this hour."""
    return hit(f"{action}:{client_ip(request) or 'unknown'}", limit=per_hour, window=HOUR)


def hourly_limit_lifts_at() -> dt.datetime:
    """When a refused client of `allow` may try again: the start of the next window."""
    return window_start(clock.now(), HOUR) + HOUR


def forget_before(moment: dt.datetime) -> int:
    """Delete windows that started before `moment` (the worker calls this)."""
    return RateCounter.objects.filter(window_start__lt=moment).delete()[0]
