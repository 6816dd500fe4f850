"""docs/settings.md lists every environment variable minyi reads (STYLE: one page lists them all)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# env_str("NAME" …), env_secret(…, file_variable="NAME_FILE"), os.environ.get("NAME"), os.environ["NAME"],
# os.getenv("NAME"). Writes (os.environ.setdefault, assignments) are not reads of a setting.
READS = re.compile(
    r"""\benv_\w+\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|\bfile_variable\s*=\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|\bos\.environ\.get\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|\bos\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\](?!\s*=[^=])"""
    r"""|\bos\.getenv\(\s*["']([A-Z][A-Z0-9_]*)["']"""
)


def variables_read(folders: tuple[str, ...] = ("minyi", "tools")) -> dict[str, str]:
    """Each variable read by the code, with one place that reads it."""
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for match in READS.finditer(path.read_text(encoding="utf-8")):
                name = next(group for group in match.groups() if group)
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def documented() -> set[str]:
    return set(
        re.findall(
            r"`([A-Z][A-Z0-9_]*)(?:=[^`]*)?`", (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
        )
    )


def test_the_scan_finds_reads_of_every_kind():
    found = variables_read()
    # One of each form, so a broken pattern cannot make the next test pass by finding nothing.
    for name in ("DATABASE_URL", "SECRET_KEY_FILE", "HOST", "MINYI_HEALTH_TOKEN", "NPM_CONFIG_REGISTRY"):
        assert name in found
    assert "DJANGO_SETTINGS_MODULE" not in found  # only ever set, never read as a setting


def test_every_variable_read_is_in_docs_settings_md():
    missing = {name: where for name, where in variables_read().items() if name not in documented()}
    assert missing == {}, f"add these to docs/settings.md: {missing}"
