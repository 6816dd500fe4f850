"""`minyi backup DEST`: the database and the uploaded files into a new folder (see minyi/core/backup.py).

minyi backup /srv/backups/minyi-$(date +%F-%H%M)
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minyi.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc, or SQLite's online backup) and the files into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("dest", type=Path, help="A new (or empty) folder for this backup.")

    def handle(self, *args, dest: Path, **options):
        try:
            manifest = backup(dest=dest.expanduser().resolve())
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Backed up {sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables "
            f"({manifest['database']['vendor']}) and {manifest['files']['count']} files to {dest}."
        )
