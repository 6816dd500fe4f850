"""API keys: created by the command and shown once, stored hashed, revocable, scoped by roles."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from minyi.api import keys
from minyi.api.models import ApiKey
from minyi.org.roles import Role, Scope
from tests.api.conftest import DEMAND, Api


def run(*args) -> str:
    out = io.StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_key_once_and_stores_only_its_hash(world):
    output = run("create", "--name", "sms-gateway", "--channel", "mobile")
    raw = next(line for line in output.splitlines() if line.startswith("minyi_"))
    key = ApiKey.objects.get(name="sms-gateway")
    assert raw not in (key.key_hash, key.prefix) and key.key_hash == keys._digest(raw)
    assert key.signing_secret and key.signing_secret in output  # the webhook secret, shown once too
    assert key.user.role_scopes == {Role.INTEGRATION: Scope.OWN}
    assert not key.user.has_usable_password()  # the account cannot log in to the console
    assert "sms-gateway" in run("list") and raw not in run("list")


def test_a_unit_key_acts_as_the_units_handler(world):
    run("create", "--name", "heating-sys", "--unit", world.heating.name)
    key = ApiKey.objects.get(name="heating-sys")
    assert key.user.unit == world.heating and key.user.role_scopes == {Role.UNIT_HANDLER: Scope.UNIT}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "nothing"], "--channel"),
        (["--name", "bad name!", "--channel", "wechat"], "letters|字母"),
        (["--name", "x", "--channel", "pigeon"], "pigeon"),
        (["--name", "x", "--role", "emperor"], "emperor"),
        (["--name", "x", "--role", "administrator"], "administrator|管理员"),
        (["--name", "x", "--role", "integration:all"], "--channel"),  # no integration beyond its own
        (["--name", "x", "--channel", "wechat", "--role", "leader:own"], "--channel"),
        (["--name", "x", "--role", "grid_worker"], "grid_worker"),  # its default scope is the area
        (["--name", "x", "--unit", "不存在的单位"], "不存在的单位"),
    ],
)
def test_bad_arguments_say_what_to_fix_and_create_nothing(world, args, message):
    with pytest.raises(CommandError, match=message):
        run("create", *args)
    assert not ApiKey.objects.exists()


def test_a_revoked_or_wrong_key_is_refused(world, client):
    _key, raw = keys.create_key("leader-screen", roles=["leader"])
    assert Api(raw).get("cases/").status_code == 200
    run("revoke", "leader-screen")
    refused = Api(raw).get("cases/")
    assert refused.status_code == 401 and refused.json()["code"] == "not_authenticated"
    assert Api(raw[:-1] + ("A" if raw[-1] != "A" else "B")).get("cases/").status_code == 401
    assert Api().get("cases/").status_code == 401  # no key at all


def test_an_api_key_account_cannot_log_in_to_the_console(world, client):
    key, _raw = keys.create_key("wechat-front", channel="wechat")
    response = client.post("/console/login/", {"username": key.user.username, "password": ""})
    assert "_auth_user_id" not in client.session and response.status_code == 200


def test_rotating_a_key_keeps_the_account_and_its_cases(world, clock):
    key, old = keys.create_key("wechat-front", channel="wechat")
    case_id = Api(old).post("cases/", DEMAND).json()["id"]
    output = run("rotate", "wechat-front")
    new = next(line for line in output.splitlines() if line.startswith("minyi_"))
    assert Api(old).get(f"cases/{case_id}/").status_code == 401
    assert Api(new).get(f"cases/{case_id}/").status_code == 200
    assert ApiKey.objects.get(pk=key.pk).signing_secret != key.signing_secret
