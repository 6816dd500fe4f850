"""Backup and restore exactly as docs/production.md tells it: `minyi backup DIR`, then into a new
database and a new data directory `minyi restore DIR`, then the restored app serves the case.

On SQLite the restore goes into a new file; on PostgreSQL into a new database (the test database's
name + "_restore", created and dropped here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from minyi.cases.models import Attachment, CaseEvent
from minyi.core.backup import row_counts
from tests import images
from tests.cases.helpers import do, new_case

PHOTO = images.png((64, 64), noise=True)  # random pixels: every byte value, any mangling shows

# Run in the restored deployment: the row counts (before anything writes a session), then the case
# page and the attachment as the dispatcher sees them.
CHECK = """
import json, sys, django
django.setup()
from django.test import Client
from minyi.core.backup import row_counts
from tests import images
from minyi.org.models import User
counts = row_counts()
client = Client()
client.force_login(User.objects.get(username="dispatcher"))
page = client.get("/console/cases/%(case)d/")
got = client.get("/console/attachments/%(attachment)d/")
sys.stdout.write(json.dumps({
    "counts": counts,
    "page": [page.status_code, "%(number)s" in page.content.decode()],
    "attachment": [got.status_code, b"".join(got.streaming_content).hex()],
}))
"""


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = settings.DATA_DIR / "media"
    return settings.DATA_DIR


def a_replied_case_with_a_photo(world):
    case = do(new_case(world.operator, category="010101"), "accept", world.dispatcher)
    case = do(do(case, "assign", world.dispatcher), "sign_for", world.heating_handler)
    photo = SimpleUploadedFile("现场照片.png", PHOTO, content_type="image/png")
    return do(case, "reply", world.heating_handler, note="已修复", attachments=[photo])


@pytest.fixture
def fresh_database(tmp_path):
    """DATABASE_URL of a new, empty database of the same kind as the test database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    params = connection.settings_dict
    name = f"{params['NAME']}_restore"
    admin = {"dbname": "postgres", "user": params["USER"], "host": params["HOST"], "port": params["PORT"]}
    if params.get("PASSWORD"):
        admin["password"] = params["PASSWORD"]
    with psycopg.connect(**admin, autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    yield f"postgres://{params['USER']}{password}@{params['HOST']}:{params['PORT']}/{name}"
    with psycopg.connect(**admin, autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def minyi(*args: str, database_url: str, data_dir: Path, script: str | None = None):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MINYI_DATA_DIR": str(data_dir),
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "minyi.settings",
    }
    argv = [sys.executable, "-c", script] if script else [sys.executable, "-m", "minyi", *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)


def test_backup_then_restore_into_a_new_database_gives_back_every_row_and_file(
    tx_world, clock, data_dir, fresh_database, tmp_path
):
    case = a_replied_case_with_a_photo(tx_world)
    attachment = Attachment.objects.get(case=case)
    saved = attachment.file.read()  # the photo as stored: re-encoded without its metadata
    assert CaseEvent.objects.filter(case=case).count() == 5
    (data_dir / "models" / "classifier").mkdir(parents=True)
    (data_dir / "models" / "classifier" / "v1.joblib").write_bytes(b"model")

    call_command("backup", str(tmp_path / "backup"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["tables"] == row_counts()  # nothing wrote meanwhile: the counts are the database's
    assert manifest["tables"]["cases_caseevent"] == CaseEvent.objects.count()
    assert manifest["files"]["count"] == 2 and manifest["migrations"]["core"] == "0001_initial"

    restored = tmp_path / "restored-data"
    done = minyi("restore", str(tmp_path / "backup"), database_url=fresh_database, data_dir=restored)
    assert done.returncode == 0, done.stderr
    assert "every table's rows match the manifest" in done.stdout
    assert (restored / "media" / attachment.file.name).read_bytes() == saved
    assert (restored / "models" / "classifier" / "v1.joblib").read_bytes() == b"model"

    values = {"case": case.pk, "attachment": attachment.pk, "number": case.tracking_number}
    checked = minyi(database_url=fresh_database, data_dir=restored, script=CHECK % values)
    assert checked.returncode == 0, checked.stderr
    seen = json.loads(checked.stdout)
    assert seen["counts"] == manifest["tables"]
    assert seen["page"] == [200, True]
    assert seen["attachment"] == [200, saved.hex()]

    # A second restore into the now filled database is refused and changes nothing.
    again = minyi("restore", str(tmp_path / "backup"), database_url=fresh_database, data_dir=restored)
    assert again.returncode != 0 and "restore into a new, empty database" in again.stderr
    recount = minyi(database_url=fresh_database, data_dir=restored, script=CHECK % values)
    assert json.loads(recount.stdout)["counts"]["cases_caseevent"] == manifest["tables"]["cases_caseevent"]


def test_a_damaged_backup_is_refused_before_anything_changes(tx_world, clock, data_dir, tmp_path):
    a_replied_case_with_a_photo(tx_world)
    call_command("backup", str(tmp_path / "backup"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    before = row_counts()
    with (tmp_path / "backup" / "files.tar").open("ab") as f:
        f.write(b"garbage")
    with pytest.raises(CommandError, match="differs from the checksum"):
        call_command("restore", str(tmp_path / "backup"), "--force")
    assert row_counts() == before
    (tmp_path / "backup" / "manifest.json").unlink()
    with pytest.raises(CommandError, match="has no manifest.json"):
        call_command("restore", str(tmp_path / "backup"))


def test_a_restore_into_a_filled_database_is_refused(tx_world, data_dir, tmp_path):
    call_command("backup", str(tmp_path / "backup"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    with pytest.raises(CommandError, match="already has .* tables"):
        call_command("restore", str(tmp_path / "backup"))


def test_a_backup_never_writes_into_a_folder_that_holds_something(db, data_dir, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="not an empty folder"):
        call_command("backup", str(tmp_path / "old"))
    assert (tmp_path / "old" / "manifest.json").read_text() == "{}"


def test_a_sqlite_backup_inside_a_transaction_is_refused_instead_of_waiting_forever(db, data_dir, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("pg_dump reads its own snapshot; only SQLite's backup API waits for our lock")
    with pytest.raises(CommandError, match="cannot run inside a transaction"):
        call_command("backup", str(tmp_path / "backup"))


def test_a_backup_is_readable_by_its_owner_alone_from_its_first_byte(transactional_db, data_dir, tmp_path,
                                                                     monkeypatch):  # fmt: skip
    """Every citizen's data is in it: the folder minyi creates is 0700 and each file 0600, created so
    (not changed afterwards, which would leave a moment where another user could open it)."""
    (data_dir / "media").mkdir(parents=True)
    (data_dir / "media" / "photo.png").write_bytes(b"a photo")
    changed = []
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: changed.append(args))
    monkeypatch.setattr(Path, "chmod", lambda *args, **kwargs: changed.append(args))
    previous = os.umask(0)  # even without a protective umask
    try:
        call_command("backup", str(tmp_path / "new" / "backup"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    finally:
        os.umask(previous)

    dest = tmp_path / "new" / "backup"
    assert dest.stat().st_mode & 0o777 == 0o700
    modes = {path.name: path.stat().st_mode & 0o777 for path in dest.iterdir()}
    assert len(modes) == 3 and set(modes.values()) == {0o600}, modes
    assert changed == []


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o703])
def test_a_backup_into_a_folder_others_may_write_is_refused(db, data_dir, tmp_path, mode):
    """Another user could replace the files it writes (the database, its manifest) before a restore."""
    dest = tmp_path / "shared"
    dest.mkdir()
    dest.chmod(mode)
    with pytest.raises(CommandError, match=r"writable by other users .*chmod 700"):
        call_command("backup", str(dest))
    assert not any(dest.iterdir())


def test_a_backup_into_a_private_or_read_only_for_others_folder_is_made(transactional_db, data_dir, tmp_path):
    for mode in (0o700, 0o755):
        dest = tmp_path / f"made-{mode:o}"
        dest.mkdir()
        dest.chmod(mode)
        call_command("backup", str(dest), stdout=open(os.devnull, "w"))  # noqa: SIM115
        assert (dest / "manifest.json").is_file()


@pytest.mark.parametrize(
    ("name", "mode"),
    [("", 0o777), ("", 0o775), ("manifest.json", 0o666), ("files.tar", 0o620), ("db", 0o602)],
)
def test_a_restore_of_a_backup_others_may_write_is_refused_before_anything_changes(
    tx_world, clock, data_dir, tmp_path, name, mode
):
    """Someone could have swapped the database and its manifest: their checksums would agree."""
    a_replied_case_with_a_photo(tx_world)
    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=open(os.devnull, "w"))  # noqa: SIM115
    before = row_counts()
    database = next(path.name for path in backup.iterdir() if path.name.startswith("database."))
    target = backup / {"": "", "db": database}.get(name, name)
    target.chmod(mode)
    with pytest.raises(CommandError, match=r"writable by other users .*chmod"):
        call_command("restore", str(backup), "--force")
    assert row_counts() == before
    target.chmod(0o700 if target.is_dir() else 0o600)  # made private: on to the next check
    with pytest.raises(CommandError, match="already has .* tables"):
        call_command("restore", str(backup))
