from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded photos go to a fresh folder, so a test can see that nothing was written."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english(settings):
    """Pages in English (the msgids), so the assertions hold whatever the catalogue says."""
    settings.LANGUAGE_CODE = "en"
