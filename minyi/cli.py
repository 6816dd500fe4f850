"""The `minyi` console command: Django's management commands with minyi's settings.

minyi demo            load the demo district (idempotent)
minyi serve           serve the application (gunicorn)
minyi worker          scan deadlines and send notifications
minyi migrate / createsuperuser / shell / check / …   as in Django
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minyi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["minyi", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
