from __future__ import annotations

import pytest

from minyi.api.keys import create_key


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded photos go to a fresh folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English (the msgids), so the assertions hold whatever the catalogue says."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def open311_settings(settings):
    settings.MINYI_OPEN311_JURISDICTION = ""
    settings.MINYI_OPEN311_PUBLIC_READ = True


@pytest.fixture
def wechat_key(world):
    """An integration's key on the WeChat channel: registers demands, reads the cases it registered."""
    return create_key("wechat-front", channel="wechat")[1]


@pytest.fixture
def heating_key(world):
    """The heating company's own system, acting as a handler of 热力公司."""
    return create_key("heating-sys", unit=world.heating)[1]


@pytest.fixture
def centre_key(world):
    """A reporting screen of the centre that may read every case."""
    return create_key("centre-screen", roles=["leader"])[1]
