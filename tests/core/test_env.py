"""Settings from the environment: typed, with clear errors."""

from __future__ import annotations

import pytest

from minyi.core.env import EnvError, env_bool, env_float, env_int, env_list, env_secret


def test_env_bool(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(EnvError, match="X_FLAG"):
        env_bool("X_FLAG")
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", True) is True


def test_env_int(monkeypatch):
    monkeypatch.setenv("X_N", "12")
    assert env_int("X_N", 1) == 12
    monkeypatch.setenv("X_N", "twelve")
    with pytest.raises(EnvError, match="whole number"):
        env_int("X_N", 1)
    monkeypatch.setenv("X_N", "0")
    with pytest.raises(EnvError, match="at least 1"):
        env_int("X_N", 5, minimum=1)


def test_env_list(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,,")
    assert env_list("X_HOSTS") == ["a.example", "b.example"]


def test_secret_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_KEY_FILE", str(secret))
    assert env_secret("X_KEY", file_variable="X_KEY_FILE") == "s3cret"
    monkeypatch.setenv("X_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(EnvError, match="X_KEY_FILE"):
        env_secret("X_KEY", file_variable="X_KEY_FILE")


def test_settings_defaults(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)


def test_a_wrong_working_hours_setting_stops_start_up(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "MINYI_WORKING_HOURS": "9-18", "MINYI_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import minyi.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "MINYI_WORKING_HOURS" in result.stderr


def test_env_float(monkeypatch):
    monkeypatch.setenv("X_F", "0.25")
    assert env_float("X_F", 0.5, minimum=0.0, maximum=1.0) == 0.25
    monkeypatch.setenv("X_F", "1.5")
    with pytest.raises(EnvError, match="between 0.0 and 1.0"):
        env_float("X_F", 0.5, minimum=0.0, maximum=1.0)
    monkeypatch.setenv("X_F", "viel")
    with pytest.raises(EnvError, match="must be a number"):
        env_float("X_F", 0.5)
    monkeypatch.delenv("X_F")
    assert env_float("X_F", 0.5) == 0.5
