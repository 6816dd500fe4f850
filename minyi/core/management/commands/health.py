"""`minyi health`: the monitoring report of /healthz?detail=1 as JSON, for cron or a Nagios check.

Exit code 0 ok, 1 degraded (a worker stale or missing, background work behind), 2 down (no database).
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from minyi.core.health import EXIT_CODES, health_report


class Command(BaseCommand):
    help = "Print the health report (database, worker heartbeat, queue lag); exit 0 ok, 1 degraded, 2 down."

    def handle(self, *args, **options):
        report = health_report()
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        code = EXIT_CODES[report["status"]]
        if code:
            sys.exit(code)
