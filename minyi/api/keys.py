"""API keys (接口密钥): created by `minyi apikey create`, shown once, stored as a SHA-256, revocable.

A key is `minyi_<id>_<secret>`: the id finds the row, the whole key is compared by its hash. Each key
has its own account (`api-<name>`, no password, no console login) whose roles decide, through the
access module, what the key reaches:

- `--channel wechat`: an integration (对接系统) registering demands from that channel; it follows
  and acts on the cases it registered only, and gets a secret to sign the channel's webhook;
- `--unit 热力公司`: a handling unit's own system, acting as that unit's handler (签收, 答复 …);
- `--role ROLE[:SCOPE]`: any other role, for example `leader` for a reporting screen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from minyi.api.models import ApiKey
from minyi.catalog.choices import Channel
from minyi.core import clock
from minyi.core.errors import InvalidInput, NotFound
from minyi.org.models import RoleGrant, Unit, User
from minyi.org.roles import DEFAULT_SCOPE, Role, Scope

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")
KEY = re.compile(r"^minyi_([0-9a-f]{8})_[A-Za-z0-9_-]{20,}$")
LAST_USED_GRANULARITY = dt.timedelta(minutes=5)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _roles(channel: str, unit: Unit | None, roles: list[str]) -> dict[str, str]:
    """{role: scope} of a new key's account. The scope that counts is the effective one (the role's
    default when none is given): an integration reaches only the cases it registered and needs a
    channel; no key reaches by area (a key is not a person on a beat) or administers."""
    wanted: dict[str, str] = {}
    if channel:
        wanted[Role.INTEGRATION] = Scope.OWN
    if unit is not None:
        wanted[Role.UNIT_HANDLER] = Scope.UNIT
    for item in roles:
        role, _sep, scope = item.partition(":")
        if role not in Role.values:
            raise InvalidInput(
                _("Unknown role “%(role)s”. Known roles: %(known)s.")
                % {"role": role, "known": ", ".join(Role.values)},
                field="role",
            )
        if scope and scope not in Scope.values:
            raise InvalidInput(
                _("Unknown scope “%(scope)s”. Known scopes: %(known)s.")
                % {"scope": scope, "known": ", ".join(Scope.values)},
                field="role",
            )
        wanted[role] = scope or DEFAULT_SCOPE[role]
    if not wanted:
        raise InvalidInput(
            _("Say what the key may do: --channel CHANNEL, --unit UNIT or --role ROLE."), field="role"
        )
    if Role.ADMINISTRATOR in wanted:
        raise InvalidInput(_("An API key cannot be an administrator."), field="role")
    for role, scope in wanted.items():
        if (role == Role.INTEGRATION) != (scope == Scope.OWN) or (role == Role.INTEGRATION and not channel):
            raise InvalidInput(
                _("An integration key is made with --channel and reaches only the cases it registered."),
                field="role",
            )
        if scope in (Scope.UNIT, Scope.UNIT_TREE) and unit is None:
            raise InvalidInput(_("The scope “%(scope)s” needs --unit.") % {"scope": scope}, field="role")
        if scope == Scope.AREA:
            raise InvalidInput(
                _("API keys cannot have the area scope (the default of %(role)s): give :unit or :all.")
                % {"role": role},
                field="role",
            )
    return wanted


def find_unit(value: str) -> Unit:
    """A unit by code or by exact name."""
    unit = Unit.objects.filter(code=value).first() or Unit.objects.filter(name=value).first()
    if unit is None:
        raise InvalidInput(_("There is no unit “%(unit)s”: give its code or exact name.") % {"unit": value})
    return unit


@transaction.atomic
def create_key(
    name: str, *, channel: str = "", unit: Unit | None = None, roles: list[str] = ()
) -> tuple[ApiKey, str]:
    """Create a key and its account. Returns the row and the key, which is shown only this once."""
    name = (name or "").strip()
    if not NAME.match(name):
        raise InvalidInput(
            _("A key name is 1-50 letters, digits, “.”, “_” or “-”, starting with a letter or digit."),
            field="name",
        )
    if channel and channel not in Channel.values:
        raise InvalidInput(
            _("Unknown channel “%(channel)s”. Known channels: %(known)s.")
            % {"channel": channel, "known": ", ".join(Channel.values)},
            field="channel",
        )
    wanted = _roles(channel, unit, list(roles))
    if ApiKey.objects.filter(name=name).exists() or User.objects.filter(username=f"api-{name}").exists():
        raise InvalidInput(_("A key named “%(name)s” exists already: choose another name.") % {"name": name})
    user = User(username=f"api-{name}", full_name=name, unit=unit)
    user.set_unusable_password()
    user.save()
    for role, scope in wanted.items():
        RoleGrant.objects.create(user=user, role=role, scope=scope)
    prefix, raw = _new_secret()
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        key_hash=_digest(raw),
        user=user,
        channel=channel,
        unit=unit,
        signing_secret=secrets.token_urlsafe(32) if channel else "",
        created_at=clock.now(),
    )
    return key, raw


def authenticate(raw: str) -> ApiKey | None:
    """The active key this string is, or None. Constant-time comparison of the hash."""
    match = KEY.match((raw or "").strip())
    if not match:
        return None
    key = ApiKey.objects.select_related("user").filter(prefix=match.group(1), revoked_at=None).first()
    if key is None or not hmac.compare_digest(key.key_hash, _digest(raw.strip())):
        return None
    now = clock.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)  # one write per key every few minutes
    return key


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    return prefix, f"minyi_{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def rotate(name: str) -> tuple[ApiKey, str]:
    """A new key (and signing secret) for the same account: the old key stops working at once, the
    integration keeps its cases (its scope is the cases its account registered)."""
    key = ApiKey.objects.select_for_update().filter(name=name, revoked_at=None).first()
    if key is None:
        raise NotFound(_("There is no active API key named “%(name)s”.") % {"name": name})
    key.prefix, raw = _new_secret()
    key.key_hash = _digest(raw)
    if key.channel:
        key.signing_secret = secrets.token_urlsafe(32)
    key.save(update_fields=["prefix", "key_hash", "signing_secret"])
    return key, raw


@transaction.atomic
def revoke(name: str) -> ApiKey:
    key = ApiKey.objects.select_for_update().filter(name=name).first()
    if key is None:
        raise NotFound(_("There is no API key named “%(name)s”.") % {"name": name})
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
        User.objects.filter(pk=key.user_id).update(is_active=False)
    return key
