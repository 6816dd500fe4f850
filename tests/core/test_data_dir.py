"""The data directory holds the SQLite database, the uploaded files and the secret key: every
citizen's data. When minyi creates it (MINYI_DATA_DIR missing), only minyi's user may enter it,
whatever the umask: with the usual 022 the database and the media folders were readable by every
local user."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What a first `minyi migrate` does with the data directory: read the settings, open the database.
FIRST_START = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE first_start (x integer)")
"""


def start(data_dir: Path, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE")}
    env.update(MINYI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="minyi.settings", **variables)
    return subprocess.run(
        [sys.executable, "-c", FIRST_START],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),  # the usual umask: new folders 0755, files 0644
    )


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_new_data_directory_is_private_with_its_secret_key(tmp_path):
    data = tmp_path / "srv" / "data"
    done = start(data)
    assert done.returncode == 0, done.stderr[-2000:]
    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600
    assert (data / "minyi.sqlite3").is_file()


def test_a_new_data_directory_is_private_when_the_secret_key_is_given(tmp_path):
    """With SECRET_KEY set nothing made the folder: SQLite could not create its file in it, and the
    first upload made it with the umask's 0755."""
    data = tmp_path / "data"
    done = start(data, SECRET_KEY="x" * 50)
    assert done.returncode == 0, done.stderr[-2000:]
    assert mode(data) == 0o700 and not (data / "secret_key").exists()


def test_an_existing_data_directory_keeps_its_mode(tmp_path):
    """minyi does not change a folder it did not create (a shared mount has its own rules):
    docs/production.md says to make it 0700."""
    data = tmp_path / "data"
    data.mkdir(mode=0o750)
    data.chmod(0o750)
    done = start(data)
    assert done.returncode == 0, done.stderr[-2000:]
    assert mode(data) == 0o750
