"""A visit campaign over the test world (tests/world.py):

2026年冬季民情大走访, 2026-11-01 … 2026-12-31 (the clock stands at 2026-11-25)
├── 东城走访组 (东城街道办): 沈书记 (world.visit_secretary) — 东城社区 (3,200 households;
│   its grids 东城一网格 400 and 东城二网格 380)
└── 西城走访组: 韩书记 (west_secretary, area 西城街道) — 西城一网格 (350 households)
"""

from __future__ import annotations

import pytest

from minyi.org.roles import Role
from tests.visits.helpers import Setup, build_campaign
from tests.world import person


@pytest.fixture
def west_secretary(world):
    return person("visit-west", "韩书记", None, Role.VISIT_SECRETARY, area=world.west)


@pytest.fixture
def setup(world, west_secretary, clock) -> Setup:
    return build_campaign(world, west_secretary)


@pytest.fixture
def english(client, settings):
    """The test client sees the pages in English (the language switch's cookie), so that tests can
    read the English messages whatever the Chinese catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def media(settings, tmp_path):
    """Photos of visits go to a fresh folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
