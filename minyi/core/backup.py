"""Backup and restore of one deployment: the database and the files beside it (docs/production.md).

A backup is a folder of three files:

    database.dump      PostgreSQL: `pg_dump -Fc` (custom format, for pg_restore)
    database.sqlite3   SQLite: a copy made with SQLite's online backup API
    files.tar          the uploaded files (media/) and the classifier models (models/) of MINYI_DATA_DIR
    manifest.json      when, from which database, the migrations applied, the rows of every table and
                       the SHA-256 of the two other files

Both are safe while the servers and workers run. On PostgreSQL the row counts are taken inside the
very snapshot pg_dump dumps (`pg_export_snapshot` + `pg_dump --snapshot`); on SQLite they are counted
in the copy. So the manifest describes exactly what was saved, and a restore can prove it restored
all of it. The database is saved before the files: every attachment row saved has its file (a file
is written before its row commits), at worst the tar holds a few files whose rows came later.

A backup holds every citizen's data, so only the user who runs `minyi backup` may read it: the folder
it creates is 0700, and each file is created 0600 (never made private afterwards, which would leave a
moment where another user could open it). A folder that others may write to is refused, by `backup`
(given an existing folder) and by `restore`, as is a file of the backup others may write to: another
user could have replaced the database and its manifest together, and the checksums would agree.

The SECRET_KEY is not in the backup: keep it with the deployment's other secrets (without it users
must log in again; no stored data depends on it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

from minyi.core import clock

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files.tar"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


class BackupError(Exception):
    """The backup or restore cannot be done as asked; the message says what to change."""


def file_roots() -> dict[str, Path]:
    """The folders saved with the database, by their name inside files.tar."""
    return {"media": Path(settings.MEDIA_ROOT), "models": Path(settings.DATA_DIR) / "models"}


def _private(path: Path):
    """A new file, open for writing, that only its owner may read from its first byte."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE), "wb")


def _refuse_if_others_may_write(folder: Path, *, files: bool) -> None:
    """BackupError if `folder` (and with `files`, anything in it) may be written by other users than
    its owner (group or others)."""
    for path in [folder, *(sorted(folder.iterdir()) if files else [])]:
        mode = path.stat().st_mode & 0o777
        if not mode & 0o022:
            continue
        problem = (
            f"{path} is writable by other users than its owner (mode {mode:04o}): one of them could "
            "replace the backup's database and its manifest together."
        )
        if files:
            raise BackupError(
                f"{problem} Check where the backup came from, then make it private "
                f"(chmod 700 {folder} && chmod 600 {folder}/*) and restore again."
            )
        raise BackupError(f"{problem} Make it private (chmod 700 {folder}) or give a new folder.")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _latest_migrations(rows) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in rows:
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


# PostgreSQL ----------------------------------------------------------------------------------------


def _pg_environment() -> dict[str, str]:
    """libpq's variables for pg_dump/pg_restore, from Django's connection settings (DATABASE_URL)."""
    params = connection.settings_dict
    env = {**os.environ}
    for variable, value in (
        ("PGDATABASE", params["NAME"]),
        ("PGUSER", params.get("USER")),
        ("PGPASSWORD", params.get("PASSWORD")),
        ("PGHOST", params.get("HOST")),
        ("PGPORT", params.get("PORT")),
        ("PGSSLMODE", params.get("OPTIONS", {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client of the server's major version "
            "(Debian: postgresql-client-15)."
        )
    return found


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, env=_pg_environment(), capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{what} failed (exit code {done.returncode}): {done.stderr.strip()[-2000:]}")


def _pg_backup(target: Path) -> tuple[dict[str, int], dict[str, str]]:
    from psycopg import IsolationLevel, sql

    pg_dump = _pg_tool("pg_dump")
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        raw.isolation_level = IsolationLevel.REPEATABLE_READ
        raw.read_only = True
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
            tables = [row[0] for row in cursor.fetchall()]
            counts = {}
            for table in tables:
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                counts[table] = cursor.fetchone()[0]
            migrations = {}
            if "django_migrations" in counts:
                cursor.execute("SELECT app, name FROM django_migrations")
                migrations = _latest_migrations(cursor.fetchall())
            # pg_dump sees exactly this transaction's snapshot while the transaction stays open.
            # It writes into the private file made here (it would create its own readable by all).
            _private(target).close()
            _run([pg_dump, "-Fc", f"--snapshot={snapshot}", "-f", str(target)], "pg_dump")
        raw.rollback()
    finally:
        raw.close()
    return counts, migrations


def _pg_restore(source: Path, *, force: bool) -> None:
    argv = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction"]
    argv += ["--exit-on-error", "--clean", "--if-exists"] if force else ["--exit-on-error"]
    connection.close()
    _run([*argv, "-d", connection.settings_dict["NAME"], str(source)], "pg_restore")


# SQLite --------------------------------------------------------------------------------------------


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_counts(db: sqlite3.Connection) -> tuple[dict[str, int], dict[str, str]]:
    tables = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {t: db.execute(f"SELECT count(*) FROM {_quoted(t)}").fetchone()[0] for t in tables}
    migrations = (
        _latest_migrations(db.execute("SELECT app, name FROM django_migrations"))
        if "django_migrations" in counts
        else {}
    )
    return counts, migrations


def _sqlite_backup(target: Path) -> tuple[dict[str, int], dict[str, str]]:
    if connection.in_atomic_block:
        # The backup would wait for this very transaction's lock, forever.
        raise BackupError("A SQLite backup cannot run inside a transaction: run `minyi backup` on its own.")
    connection.ensure_connection()
    _private(target).close()  # SQLite takes an empty file as a new database and keeps its mode
    copy = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent state even while other processes write.
        connection.connection.backup(copy)
        return _sqlite_counts(copy)
    finally:
        copy.close()


def _sqlite_restore(source: Path) -> None:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("The database is in memory: set DATABASE_URL to a SQLite file to restore into.")
    connection.close()
    original, target = sqlite3.connect(source), sqlite3.connect(name)
    try:
        original.backup(target)  # replaces the whole target database in one step
    finally:
        original.close()
        target.close()


# Files ---------------------------------------------------------------------------------------------


def _tar_files(target: Path) -> dict[str, int]:
    count = size = 0
    with _private(target) as raw, tarfile.open(fileobj=raw, mode="w") as tar:
        for arcname, root in file_roots().items():
            if not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=f"{arcname}/{path.relative_to(root).as_posix()}", recursive=False)
                    count += 1
                    size += path.stat().st_size
    return {"count": count, "bytes": size}


def _untar_files(source: Path) -> int:
    roots = file_roots()
    count = 0
    with tarfile.open(source) as tar:
        for member in tar.getmembers():
            top, _, rest = member.name.partition("/")
            if top not in roots or not rest or not member.isfile():
                raise BackupError(
                    f"{FILES} holds {member.name!r}, which is not a file under media/ or models/."
                )
            member.name = rest
            # The "data" filter refuses absolute paths, "..", links out of the folder and device files.
            tar.extract(member, roots[top], filter="data")
            count += 1
    return count


def _has_files(root: Path) -> bool:
    return root.is_dir() and any(p.is_file() for p in root.rglob("*"))


# The two operations --------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """Rows of every table of the current database (as `backup` writes them into the manifest)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def backup(*, dest: Path, now: dt.datetime | None = None) -> dict:
    """Write a backup of the database and the files into `dest` (a new or empty folder)."""
    now = now or clock.now()
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(f"minyi backs up PostgreSQL and SQLite, not {vendor}.")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty folder: give a new folder for each backup.")
    if dest.exists():
        _refuse_if_others_may_write(dest, files=False)
    dest.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    dump = dest / DUMPS[vendor]
    counts, migrations = _pg_backup(dump) if vendor == "postgresql" else _sqlite_backup(dump)
    files = _tar_files(dest / FILES)
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "database": {"vendor": vendor, "file": dump.name, "sha256": _sha256(dump)},
        "files": {"file": FILES, "sha256": _sha256(dest / FILES), **files},
        "migrations": migrations,
        "tables": counts,
    }
    with _private(dest / MANIFEST) as f:
        f.write((json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    return manifest


def read_manifest(src: Path) -> dict:
    """The manifest of a backup folder, after checking that its files are complete and unchanged."""
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{src} has no {MANIFEST}: give the folder that `minyi backup` wrote.") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{src / MANIFEST} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{src / MANIFEST} is not a backup manifest of format {FORMAT}.")
    for part in ("database", "files"):
        path = src / manifest[part]["file"]
        if not path.is_file():
            raise BackupError(f"{path} is missing: the backup is incomplete.")
        if _sha256(path) != manifest[part]["sha256"]:
            raise BackupError(f"{path} differs from the checksum in the manifest: the backup is damaged.")
    return manifest


@contextlib.contextmanager
def _reported(step: str) -> Iterator[None]:
    try:
        yield
    except BackupError:
        raise
    except Exception as exc:
        raise BackupError(f"{step}: {exc}") from exc


def restore(*, src: Path, force: bool = False) -> dict:
    """Restore a backup into this (empty) database and data directory, then check every table's rows
    against the manifest; returns the manifest. Checks all it can before it changes anything."""
    if src.is_dir():
        _refuse_if_others_may_write(src, files=True)
    manifest = read_manifest(src)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"The backup is of a {vendor} database and DATABASE_URL names a {connection.vendor} one: "
            "restore into the same kind of database."
        )
    if not force:
        tables = connection.introspection.table_names()
        if tables:
            raise BackupError(
                f"The database {connection.settings_dict['NAME']} already has {len(tables)} tables: restore "
                "into a new, empty database (do not run migrate first), or add --force to replace it."
            )
        for name, root in file_roots().items():
            if _has_files(root):
                raise BackupError(
                    f"{root} already holds files: restore into an empty data directory, or add --force "
                    f"to write the backup's {name} files over it."
                )
    with _reported("restoring the database"):
        if vendor == "postgresql":
            _pg_restore(src / manifest["database"]["file"], force=force)
        else:
            _sqlite_restore(src / manifest["database"]["file"])
    with _reported("restoring the files"):
        _untar_files(src / FILES)
    counts = row_counts()
    differ = {
        table: (rows, counts.get(table))
        for table, rows in manifest["tables"].items()
        if counts.get(table) != rows
    }
    if differ:
        shown = ", ".join(f"{t}: {want} saved, {got} restored" for t, (want, got) in sorted(differ.items()))
        raise BackupError(f"The restored database differs from the manifest ({shown}).")
    return manifest
