"""`minyi restore SRC`: a backup of `minyi backup` into an empty database and data directory, then
`migrate` (a backup of an older version is brought up to this one).

    createdb minyi_restored        # empty: do not run migrate before the restore
    DATABASE_URL=postgres://…/minyi_restored MINYI_DATA_DIR=/srv/minyi-restored minyi restore /srv/backups/X
"""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from minyi.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup of `minyi backup` into an empty database and data directory, then migrate."

    def add_arguments(self, parser):
        parser.add_argument("src", type=Path, help="The folder `minyi backup` wrote.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even though the database or the data directory is not empty (replaces them).",
        )

    def handle(self, *args, src: Path, force: bool, **options):
        try:
            manifest = restore(src=src.expanduser().resolve(), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored {sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables and "
            f"{manifest['files']['count']} files of the backup made at {manifest['created_at']}; "
            "every table's rows match the manifest. Now migrating:"
        )
        call_command("migrate", interactive=False, verbosity=max(1, options["verbosity"]))
