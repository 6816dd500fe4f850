"""The database-backed rate limit and the client address rule."""

from __future__ import annotations

import datetime as dt

from django.test import RequestFactory

from minyi.web import ratelimit
from minyi.web.models import RateCounter


def test_hits_beyond_the_limit_are_refused_until_the_window_turns(db, clock):
    clock.set("2026-11-25 10:05")
    window = dt.timedelta(hours=1)
    assert [ratelimit.hit("submit:1.2.3.4", limit=3, window=window) for _ in range(4)] == [True] * 3 + [False]
    assert ratelimit.hit("submit:5.6.7.8", limit=3, window=window)  # another client counts apart
    assert ratelimit.hourly_limit_lifts_at() == clock.set("2026-11-25 11:00")
    clock.set("2026-11-25 11:00")
    assert ratelimit.hit("submit:1.2.3.4", limit=3, window=window)
    assert ratelimit.forget_before(clock.advance(hours=1)) == 3
    assert RateCounter.objects.count() == 0


def test_the_client_address_trusts_the_proxy_header_only_when_told(settings):
    # The client claims 198.51.100.1; our proxy appended the address it really came from.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
    )
    settings.TRUST_PROXY = False
    assert ratelimit.client_ip(request) == "10.0.0.5"
    settings.TRUST_PROXY = True
    assert ratelimit.client_ip(request) == "203.0.113.9"
    forged = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="<script>")
    assert ratelimit.client_ip(forged) == "10.0.0.5"
    assert ratelimit.client_ip(RequestFactory().get("/", REMOTE_ADDR="")) is None
