"""Login limits (登录限制): how often passwords may be tried, per account and per address.

A lockout per (user name, address) let five wrong passwords from an office's shared address lock a
named colleague out, and let anyone lock out a user they could name. The limits instead are:

- **per account, from any address**: the first `LOGIN_ACCOUNT_FREE_FAILURES` wrong passwords in a
  row cost nothing; after that an attempt must wait `LOGIN_ACCOUNT_DELAY_SECONDS` after the last
  wrong password, doubled with each further one up to `LOGIN_ACCOUNT_MAX_DELAY_SECONDS`. An attempt
  during the wait is refused before its password is compared and is not counted: guessing cannot go
  faster than the delay, and someone elsewhere keeps the owner out for one delay at most each time.
  The right password starts the count over; so does a day without a wrong one.
- **per address, for any user names**: `LOGIN_ADDRESS_FAILURE_LIMIT` wrong passwords, each within
  `LOGIN_LOCKOUT_MINUTES` of the one before, lock the address until `LOGIN_LOCKOUT_MINUTES` after
  the last one. Logging into one's own account does not clear the count.
- **an alert**: when an existing account reaches `LOGIN_ACCOUNT_ALERT_FAILURES` wrong passwords in a
  row, the holders of the administrator role get one in-app notification; the next comes only after
  the count has started over.

Several servers share the counts (one `LoginFailures` row per account and per address). An attempt
locks the address's row and then the account's (`SELECT … FOR UPDATE`, always in that order), checks
them and counts itself as a wrong password in advance, and commits before its password is compared;
the right password takes the count back. So attempts sent at once see each other, and no more
passwords are compared than the limits allow. Django's `authenticate()` meets all this through
`LimitedModelBackend`; `LoginRefusalMiddleware` turns a refusal into a 429 page that says until when.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from minyi.core import clock
from minyi.web.models import LoginFailures
from minyi.web.ratelimit import client_ip

ACCOUNT, ADDRESS = LoginFailures.Kind.ACCOUNT, LoginFailures.Kind.ADDRESS
# An account's wrong passwords are forgotten after a day without one (an address's after the lockout).
ACCOUNT_MEMORY = dt.timedelta(days=1)
NAME_LENGTH = LoginFailures._meta.get_field("name").max_length


@dataclass(frozen=True)
class Refusal:
    """Why an attempt was refused before its password was compared, and until when."""

    kind: str  # ACCOUNT: the account's delay runs; ADDRESS: the address is locked
    until: dt.datetime


def account_delay(failures: int) -> dt.timedelta:
    """How long an account waits after its `failures`-th wrong password in a row."""
    beyond = failures - settings.MINYI_LOGIN_ACCOUNT_FREE_FAILURES
    if beyond < 0:
        return dt.timedelta(0)
    seconds = settings.MINYI_LOGIN_ACCOUNT_DELAY_SECONDS * 2 ** min(beyond, 32)
    return dt.timedelta(seconds=min(seconds, settings.MINYI_LOGIN_ACCOUNT_MAX_DELAY_SECONDS))


def _lockout() -> dt.timedelta:
    return dt.timedelta(minutes=settings.MINYI_LOGIN_LOCKOUT_MINUTES)


def _memory(kind: str) -> dt.timedelta:
    return ACCOUNT_MEMORY if kind == ACCOUNT else _lockout()


def _refused_until(row: LoginFailures) -> dt.datetime | None:
    """The end of the row's delay or lockout, or None when it has none (it may lie in the past)."""
    if row.last_failure_at is None:
        return None
    if row.kind == ACCOUNT:
        if row.failures < settings.MINYI_LOGIN_ACCOUNT_FREE_FAILURES:
            return None
        return row.last_failure_at + account_delay(row.failures)
    if row.failures < settings.MINYI_LOGIN_ADDRESS_FAILURE_LIMIT:
        return None
    return row.last_failure_at + _lockout()


def _locked_row(kind: str, name: str) -> LoginFailures:
    """The row of `kind` and `name`, locked until the end of the caller's transaction (created if new)."""
    rows = LoginFailures.objects.select_for_update()
    row = rows.filter(kind=kind, name=name).first()
    if row is None:
        try:
            with transaction.atomic():
                row = LoginFailures.objects.create(kind=kind, name=name)
        except IntegrityError:  # another attempt created it first
            row = rows.get(kind=kind, name=name)
    return row


def attempt_begins(*, username: str, address: str | None) -> Refusal | None:
    """Before a password is compared: a refusal while the address is locked or the account's delay
    runs (nothing is counted then), else None, with this attempt counted as a wrong password for both
    (`attempt_succeeded` takes it back). `address` None (no request) leaves the address out."""
    now = clock.now()
    with transaction.atomic():
        rows = []
        for kind, name in ((ADDRESS, address), (ACCOUNT, username)):
            if name is None:
                continue
            row = _locked_row(kind, name[:NAME_LENGTH])
            if row.last_failure_at is not None and row.last_failure_at + _memory(kind) <= now:
                row.failures, row.alerted_at = 0, None
            until = _refused_until(row)
            if until is not None and now < until:
                return Refusal(kind, until)
            rows.append(row)
        for row in rows:
            row.failures += 1
            row.last_failure_at = now
            row.save(update_fields=["failures", "last_failure_at", "alerted_at"])
    return None


def attempt_failed(*, username: str, address: str | None) -> None:
    """The password was wrong (already counted): alert the administrators once per series."""
    from minyi.notifications.models import Notification
    from minyi.notifications.services import notify, role_holders
    from minyi.org.roles import Role

    user_model = get_user_model()
    with transaction.atomic():
        row = (
            LoginFailures.objects.select_for_update()
            .filter(
                kind=ACCOUNT,
                name=username[:NAME_LENGTH],
                failures__gte=settings.MINYI_LOGIN_ACCOUNT_ALERT_FAILURES,
                alerted_at__isnull=True,
            )
            .first()
        )
        # Made-up names alert nobody: guessing names must not flood the administrators.
        if row is None or not user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).exists():
            return
        row.alerted_at = clock.now()
        row.save(update_fields=["alerted_at"])
        message = _(
            "Account “%(username)s” has had %(count)d wrong passwords in a row, the last from "
            "%(address)s: someone may be guessing its password. Its logins are slowed down meanwhile; "
            "check with its owner."
        ) % {"username": username, "count": row.failures, "address": address or "?"}
        url = reverse("admin:web_loginfailures_changelist") + "?" + urlencode({"q": username})
        notify(
            role_holders(Role.ADMINISTRATOR), kind=Notification.Kind.LOGIN_FAILURES, message=message, url=url
        )


def attempt_succeeded(*, username: str, address: str | None) -> None:
    """The right password: the account's count starts over; the address only gets this attempt back."""
    with transaction.atomic():  # address first, then account: the order of attempt_begins
        if address is not None:
            LoginFailures.objects.filter(kind=ADDRESS, name=address[:NAME_LENGTH], failures__gt=0).update(
                failures=F("failures") - 1
            )
        LoginFailures.objects.filter(kind=ACCOUNT, name=username[:NAME_LENGTH]).update(
            failures=0, last_failure_at=None, alerted_at=None
        )


def forget_stale(now: dt.datetime) -> int:
    """Delete rows that no longer hold anything (the worker calls this)."""
    idle = Q(last_failure_at__isnull=True)
    idle |= Q(kind=ACCOUNT, last_failure_at__lte=now - ACCOUNT_MEMORY)
    idle |= Q(kind=ADDRESS, last_failure_at__lte=now - _lockout())
    return LoginFailures.objects.filter(idle).delete()[0]


class LimitedModelBackend(ModelBackend):
    """Django's password check within the login limits; the only backend that checks passwords."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        username = str(username)
        address = (client_ip(request) or "unknown") if request is not None else None
        refusal = attempt_begins(username=username, address=address)
        if refusal is not None:
            if request is not None:
                request.login_refusal = refusal
            # Stops authenticate() at once, before any other backend compares the password.
            raise PermissionDenied("login refused by the login limits")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            attempt_failed(username=username, address=address)
        else:
            attempt_succeeded(username=username, address=address)
        return user


def refusal_response(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """429: which limit refused, and until when (also as Retry-After)."""
    context = {"paused": refusal.kind == ACCOUNT, "until": refusal.until}
    response = render(request, "console/locked_out.html", context, status=429)
    response["Retry-After"] = str(max(0, math.ceil((refusal.until - clock.now()).total_seconds())))
    return response


class LoginRefusalMiddleware:
    """Answers a login that the limits refused (console or admin site) with the refusal page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        refusal = getattr(request, "login_refusal", None)
        return response if refusal is None else refusal_response(request, refusal)
