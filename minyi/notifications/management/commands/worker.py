import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from minyi.notifications.worker import run_once


class Command(BaseCommand):
    help = "Scan deadlines, send notifications and calendar reminders; repeat every MINYI_WORKER_INTERVAL s."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Do one round and exit (for cron and tests).")
        parser.add_argument("--interval", type=int, default=None, help="Seconds between rounds.")

    def handle(self, *args, once: bool = False, interval: int | None = None, **options):
        interval = interval or settings.MINYI_WORKER_INTERVAL
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            result = run_once()
            if once or any(result.values()):
                self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
            if once:
                return
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.5)
            if stopping:
                return
