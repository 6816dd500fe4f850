"""Rate limits for public actions (portal submissions and look-ups), the client address rule and the
browser's id.

Why not django-ratelimit: it needs memcached or Redis for atomic counters, and minyi's embedded
default has neither. A counter row per key and fixed window, incremented by one conditional UPDATE
(inserted by the first hit; a racing insert falls back to the UPDATE), is atomic on SQLite and on
PostgreSQL and shared by every application server. The worker deletes old windows.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
from dataclasses import dataclass

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
    the portal's limits and the login limits (web/logins.py)."""
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


def hit(key: str, *, limit: int, window: dt.timedelta, at: dt.datetime | None = None) -> bool:
    """Count one hit of `key`; False when it exceeds `limit` hits within the window of `at` (now).
    The count read back is this hit's own: on PostgreSQL the UPDATE holds the row until commit, so no
    other hit is counted in between."""
    start = window_start(at or clock.now(), window)
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


def refund(key: str, *, window: dt.timedelta, at: dt.datetime) -> None:
    """Take back one hit of `key` counted at `at`: for an attempt counted in advance that turned out
    not to be what the limit counts (a right query code)."""
    start = window_start(at, window)
    RateCounter.objects.filter(key=key, window_start=start, hits__gt=0).update(hits=F("hits") - 1)


@dataclass(frozen=True)
class Limit:
    """At most `most` hits of `key` per hour; `who` says whose hits they are (for the refusal)."""

    key: str
    most: int
    who: str


@dataclass(frozen=True)
class Refused:
    who: str
    retry_at: dt.datetime


def charge(*limits: Limit) -> Refused | None:
    """One hit against each limit in turn, stopping at the first that refuses it: later limits are
    not charged for a refused hit, so a browser that keeps sending past its own limit does not use up
    the ceiling of the address it shares with its neighbours."""
    for limit in limits:
        if not hit(limit.key, limit=limit.most, window=HOUR):
            return Refused(limit.who, hourly_limit_lifts_at())
    return None


def hourly_limit_lifts_at() -> dt.datetime:
    """When a refused hit of an hourly limit may be tried again: the start of the next window."""
    return window_start(clock.now(), HOUR) + HOUR


BROWSER_ID = "minyi_browser"


def browser_id(request: HttpRequest) -> str:
    """A random id of this browser, kept in its session (created on first use). It survives the new
    session key a login or a portal proof gives; a browser that drops its cookies gets a new one, so
    limits per browser always come with a ceiling per address."""
    value = request.session.get(BROWSER_ID)
    if not isinstance(value, str) or not value:
        value = request.session[BROWSER_ID] = secrets.token_urlsafe(16)
    return value


def forget_before(moment: dt.datetime) -> int:
    """Delete windows that started before `moment` (the worker calls this)."""
    return RateCounter.objects.filter(window_start__lt=moment).delete()[0]
