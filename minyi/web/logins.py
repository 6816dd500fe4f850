"""Login limits (登录限制): how often passwords may be tried, per account, per address and per device.

A lockout per (user name, address) let five wrong passwords from an office's shared address lock a
named colleague out, and let anyone lock out a user they could name. The limits instead are:

- **per account, from any address**: the first `LOGIN_ACCOUNT_FREE_FAILURES` wrong passwords in a
  row cost nothing; after that an attempt must wait `LOGIN_ACCOUNT_DELAY_SECONDS` after the last
  wrong password, doubled with each further one up to `LOGIN_ACCOUNT_MAX_DELAY_SECONDS`. An attempt
  during the wait is refused before its password is compared and is not counted: guessing cannot go
  faster than the delay. The right password starts the count over; so does a day without a wrong one.
- **trusted devices** (受信任设备, OWASP's "device cookie"): the delay alone would let someone
  elsewhere keep a named user out for good, with one wrong password each time it ends. So a browser
  where a user has logged in gets a device cookie for that user: signed with the secret key and the
  user's password hash (another user's cookie, an edited one, or one from before a password change
  does not fit), HttpOnly, kept `LOGIN_DEVICE_DAYS`; a browser shared in shifts keeps one for each
  of its last few users. An attempt with a fitting cookie for the user name it tries is not held
  back by the account's delay and is not counted against the account (the owner's typos neither
  slow down nor start over anyone else's count); it is counted against its address and against the
  device, and `LOGIN_DEVICE_FAILURE_LIMIT` wrong passwords in a row from the device void its
  exemption (a stolen laptop gets that many quick guesses, then the account's delay like anyone);
  only a right password, which brings a new cookie, makes the browser trusted again. The right
  password from a trusted device starts the device's count over, not the account's: a guesser's
  delays and the alert below go on while the owner works. Attempts without such a cookie keep the
  rules above.
- **per address, for any user names**: `LOGIN_ADDRESS_FAILURE_LIMIT` wrong passwords, each within
  `LOGIN_LOCKOUT_MINUTES` of the one before, lock the address until `LOGIN_LOCKOUT_MINUTES` after
  the last one (trusted devices' wrong passwords count too). A trusted device is not held by the
  lockout of its address, only by its own limit: anyone sharing an office's address (NAT) could
  otherwise lock the whole office out of its usual browsers. Logging into one's own account does not
  clear the count.
- **an alert**: when an existing account reaches `LOGIN_ACCOUNT_ALERT_FAILURES` wrong passwords in a
  row, the holders of the administrator role get one in-app notification; the next comes only after
  the count has started over. Refused attempts do not count, but the count outlasts the delays, so
  a guesser who waits each one out brings the alert within about 35 minutes with the defaults.

Several servers share the counts (one `LoginFailures` row per account, per address and per device
that has failed). An attempt locks the address's row, then its device's, then the account's
(`SELECT … FOR UPDATE`, always in that order), checks them and counts itself as a wrong password in
advance, and commits before its password is compared; the right password takes the count back. So
attempts sent at once see each other, and no more passwords are compared than the limits allow.
Django's `authenticate()` meets all this through `LimitedModelBackend`; `LoginLimitsMiddleware`
turns a refusal into a 429 page that says until when, and hands out the device cookie.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core import signing
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

ACCOUNT, ADDRESS, DEVICE = LoginFailures.Kind.ACCOUNT, LoginFailures.Kind.ADDRESS, LoginFailures.Kind.DEVICE
# An account's wrong passwords are forgotten after a day without one (an address's after the lockout, a
# device's once its cookie has expired).
ACCOUNT_MEMORY = dt.timedelta(days=1)
NAME_LENGTH = LoginFailures._meta.get_field("name").max_length
DEVICE_COOKIE = "minyi_device"
# A browser keeps the device cookies of its last few users (a seat of the centre used in shifts).
DEVICES_PER_BROWSER = 5
DEVICE_SALT = "minyi.web.logins.device"


@dataclass(frozen=True)
class Refusal:
    """Why an attempt was refused before its password was compared, and until when."""

    kind: str  # ACCOUNT: the account's delay runs; ADDRESS: the address is locked
    until: dt.datetime


@dataclass(frozen=True)
class Attempt:
    """An attempt let through to the password check, counted as a wrong password in advance."""

    username: str
    address: str | None
    # The trusted device's id when its cookie exempted the attempt from the account's delay.
    device: str | None


def account_delay(failures: int) -> dt.timedelta:
    """How long an account waits after its `failures`-th wrong password in a row."""
    beyond = failures - settings.MINYI_LOGIN_ACCOUNT_FREE_FAILURES
    if beyond < 0:
        return dt.timedelta(0)
    seconds = settings.MINYI_LOGIN_ACCOUNT_DELAY_SECONDS * 2 ** min(beyond, 32)
    return dt.timedelta(seconds=min(seconds, settings.MINYI_LOGIN_ACCOUNT_MAX_DELAY_SECONDS))


def _lockout() -> dt.timedelta:
    return dt.timedelta(minutes=settings.MINYI_LOGIN_LOCKOUT_MINUTES)


def _device_lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.MINYI_LOGIN_DEVICE_DAYS)


def _memory(kind: str) -> dt.timedelta:
    return {ACCOUNT: ACCOUNT_MEMORY, ADDRESS: _lockout(), DEVICE: _device_lifetime()}[kind]


def _refused_until(row: LoginFailures) -> dt.datetime | None:
    """The end of the row's delay or lockout, or None when it has none (it may lie in the past)."""
    if row.last_failure_at is None or row.kind == DEVICE:  # a device's limit only ends its exemption
        return None
    if row.kind == ACCOUNT:
        if row.failures < settings.MINYI_LOGIN_ACCOUNT_FREE_FAILURES:
            return None
        return row.last_failure_at + account_delay(row.failures)
    if row.failures < settings.MINYI_LOGIN_ADDRESS_FAILURE_LIMIT:
        return None
    return row.last_failure_at + _lockout()


def _device_name(device: str, username: str) -> str:
    # The id first: cutting a long user name never makes two devices one. The name lets an
    # administrator find a user's devices in the admin's list.
    return f"{device} {username}"[:NAME_LENGTH]


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


def attempt_begins(*, username: str, address: str | None, device: str | None = None) -> Refusal | Attempt:
    """Before a password is compared: a refusal while the address is locked or the account's delay
    runs (nothing is counted then), else the attempt, counted in advance as a wrong password for the
    address and for the account, or for the device instead of the account when `device` (the id of a
    device cookie that fits `username`) has failed fewer than LOGIN_DEVICE_FAILURE_LIMIT times in a
    row. `attempt_succeeded` takes it back. `address` None (no request) leaves the address out."""
    now = clock.now()
    with transaction.atomic():
        rows = {}
        for kind, name in ((ADDRESS, address), (DEVICE, device and _device_name(device, username))):
            if name is not None:
                rows[kind] = _locked_row(kind, name[:NAME_LENGTH])
        if DEVICE in rows and rows[DEVICE].failures >= settings.MINYI_LOGIN_DEVICE_FAILURE_LIMIT:
            del rows[DEVICE]  # the device guessed too often: the account's delay applies again
        if DEVICE not in rows:
            rows[ACCOUNT] = _locked_row(ACCOUNT, username[:NAME_LENGTH])
        for row in rows.values():
            if row.last_failure_at is not None and row.last_failure_at + _memory(row.kind) <= now:
                row.failures, row.alerted_at = 0, None
            if row.kind == ADDRESS and DEVICE in rows:
                # A trusted device is held by its own limit, not by its address's lockout: else anyone
                # on an office's shared address (NAT) could lock the whole office out of its own
                # browsers with twenty wrong passwords. Its attempt still counts for the address.
                continue
            until = _refused_until(row)
            if until is not None and now < until:
                return Refusal(row.kind, until)
        for row in rows.values():
            row.failures += 1
            row.last_failure_at = now
            row.save(update_fields=["failures", "last_failure_at", "alerted_at"])
    return Attempt(username=username, address=address, device=device if DEVICE in rows else None)


def attempt_failed(attempt: Attempt) -> None:
    """The password was wrong (already counted): alert the administrators once per series."""
    from minyi.notifications.models import Notification
    from minyi.notifications.services import notify, role_holders
    from minyi.org.roles import Role

    if attempt.device is not None:
        return  # counted against the device, which is what limits it
    username = attempt.username
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
        ) % {"username": username, "count": row.failures, "address": attempt.address or "?"}
        url = reverse("admin:web_loginfailures_changelist") + "?" + urlencode({"q": username})
        notify(
            role_holders(Role.ADMINISTRATOR), kind=Notification.Kind.LOGIN_FAILURES, message=message, url=url
        )


def attempt_succeeded(attempt: Attempt) -> None:
    """The right password: the count of the account (or of the trusted device) starts over; the
    address only gets this attempt back."""
    with transaction.atomic():  # address, then device or account: the order of attempt_begins
        if attempt.address is not None:
            address = attempt.address[:NAME_LENGTH]
            LoginFailures.objects.filter(kind=ADDRESS, name=address, failures__gt=0).update(
                failures=F("failures") - 1
            )
        if attempt.device is not None:
            kind, name = DEVICE, _device_name(attempt.device, attempt.username)
        else:
            kind, name = ACCOUNT, attempt.username[:NAME_LENGTH]
        LoginFailures.objects.filter(kind=kind, name=name).update(
            failures=0, last_failure_at=None, alerted_at=None
        )


# --- the device cookie ------------------------------------------------------------------------------


def _device_signing_salt(user) -> str:
    # The session's hash of the password hash: a new password makes every earlier cookie unfit.
    return f"{DEVICE_SALT}:{user.get_session_auth_hash()}"


def _device_tokens(request: HttpRequest) -> list[str]:
    return [t for t in request.COOKIES.get(DEVICE_COOKIE, "").split("|") if t][:DEVICES_PER_BROWSER]


def _device_in(token: str, user) -> str | None:
    """The device id of `token` if it is a cookie of `user` that has not expired, else None."""
    try:
        data = signing.loads(token, salt=_device_signing_salt(user))
        issued = dt.datetime.fromtimestamp(data["t"], dt.UTC)
        device, owner = str(data["d"]), data["u"]
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None
    if owner != user.pk or not issued <= clock.now() < issued + _device_lifetime():
        return None
    return device


def trusted_device(request: HttpRequest | None, username: str) -> str | None:
    """The id of the device cookie this request carries for the user `username`, or None."""
    if request is None or DEVICE_COOKIE not in request.COOKIES:
        return None
    user_model = get_user_model()
    try:
        user = user_model._default_manager.get_by_natural_key(username)
    except user_model.DoesNotExist:
        return None
    for token in _device_tokens(request):
        device = _device_in(token, user)
        if device is not None:
            return device
    return None


def device_cookie_value(request: HttpRequest, user, device: str | None) -> str:
    """The cookie after `user` logged in: their token first, renewed (a new device id unless `device`,
    the one the attempt was trusted with), then the other users' tokens, the last few only."""
    token = signing.dumps(
        {"u": user.pk, "d": device or secrets.token_urlsafe(12), "t": int(clock.now().timestamp())},
        salt=_device_signing_salt(user),
    )
    others = [t for t in _device_tokens(request) if _device_in(t, user) is None]
    return "|".join([token, *others][:DEVICES_PER_BROWSER])


def forget_stale(now: dt.datetime) -> int:
    """Delete rows that no longer hold anything (the worker calls this)."""
    idle = Q(last_failure_at__isnull=True)
    for kind in (ACCOUNT, ADDRESS, DEVICE):
        idle |= Q(kind=kind, last_failure_at__lte=now - _memory(kind))
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
        attempt = attempt_begins(username=username, address=address, device=trusted_device(request, username))
        if isinstance(attempt, Refusal):
            if request is not None:
                request.login_refusal = attempt
            # Stops authenticate() at once, before any other backend compares the password.
            raise PermissionDenied("login refused by the login limits")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            attempt_failed(attempt)
        else:
            attempt_succeeded(attempt)
            if request is not None:
                request.login_device_cookie = device_cookie_value(request, user, attempt.device)
        return user


def refusal_response(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """429: which limit refused, and until when (also as Retry-After)."""
    context = {"paused": refusal.kind == ACCOUNT, "until": refusal.until}
    response = render(request, "console/locked_out.html", context, status=429)
    response["Retry-After"] = str(max(0, math.ceil((refusal.until - clock.now()).total_seconds())))
    return response


class LoginLimitsMiddleware:
    """Answers a login that the limits refused (console or admin site) with the refusal page, and
    gives a browser where a user has just logged in that user's device cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        refusal = getattr(request, "login_refusal", None)
        if refusal is not None:
            return refusal_response(request, refusal)
        cookie = getattr(request, "login_device_cookie", None)
        if cookie is not None:
            response.set_cookie(
                DEVICE_COOKIE,
                cookie,
                max_age=int(_device_lifetime().total_seconds()),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
