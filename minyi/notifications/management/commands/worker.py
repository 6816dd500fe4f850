import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from minyi.core import clock, health
from minyi.notifications.worker import run_once

log = logging.getLogger("minyi.worker")


class Command(BaseCommand):
    help = "Scan deadlines, send notifications and calendar reminders; repeat every MINYI_WORKER_INTERVAL s."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Do one round and exit (for cron and tests).")
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help="Seconds between rounds (with --once: how often cron runs it, for the heartbeat).",
        )

    def handle(self, *args, once: bool = False, interval: int | None = None, **options):
        interval = interval or settings.MINYI_WORKER_INTERVAL
        started_at = clock.now()
        if once:
            self.stdout.write(self.format(run_once()))
            health.record_heartbeat(interval=interval, started_at=started_at)
            return
        stopping = False

        def stop(signum, frame):  # finish the round, then leave
            nonlocal stopping
            stopping = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not stopping:
                # A database restart or a locked SQLite file must not end the worker: log, reconnect
                # and try again next round. Nothing is lost: every claim commits with its alerts.
                close_old_connections()
                try:
                    result = run_once()
                    health.record_heartbeat(interval=interval, started_at=started_at)
                except DatabaseError:
                    log.exception("this round failed; the next one retries in %d s", interval)
                    result = {}
                if any(result.values()):
                    self.stdout.write(self.format(result))
                deadline = time.monotonic() + interval
                while not stopping and time.monotonic() < deadline:
                    time.sleep(0.5)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @staticmethod
    def format(result: dict[str, int]) -> str:
        return " ".join(f"{k}={v}" for k, v in result.items())
