"""`minyi serve`: the web application under gunicorn, optionally with `minyi worker` beside it.

    minyi serve                      gunicorn on HOST:PORT (127.0.0.1:8000) with MINYI_WEB_WORKERS (2)
    minyi serve --port 9000 --workers 4
    minyi serve --with-worker        also run the deadline/notification worker; Ctrl-C stops both

Without --with-worker this process becomes gunicorn (exec), so signals from a terminal or a service
manager reach gunicorn directly. With it, both run as children: Ctrl-C (sent to the whole foreground
process group) or SIGTERM to this process stops the server, and then the worker is stopped too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from minyi.core.env import EnvError, env_int, env_str

WSGI_APPLICATION = "minyi.wsgi:application"
# gunicorn's sync worker, with API and Open311 errors for what gunicorn refuses itself and unread
# bodies read to their end after the answer (web/server.py).
WORKER_CLASS = "minyi.web.server.Worker"
WORKER_STOP_SECONDS = 10


def serve_options(*, host: str | None = None, port: int | None = None, workers: int | None = None):
    """Host, port and worker count: the options given, else HOST, PORT and MINYI_WEB_WORKERS."""
    try:
        host = host or env_str("HOST", "127.0.0.1")
        port = port or env_int("PORT", 8000, minimum=1)
        workers = workers or env_int("MINYI_WEB_WORKERS", 2, minimum=1)
    except EnvError as exc:
        raise CommandError(str(exc)) from None
    if not 1 <= port <= 65535:
        raise CommandError(f"The port must lie between 1 and 65535, got {port}.")
    if workers < 1:
        raise CommandError(f"At least one web worker is needed, got {workers}.")
    return host, port, workers


def gunicorn_argv(*, host: str, port: int, workers: int) -> list[str]:
    """The command line that serves minyi (gunicorn of this Python, so of this virtualenv)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        WSGI_APPLICATION,
        "--bind",
        bind_address(host, port),
        "--workers",
        str(workers),
        "--worker-class",
        WORKER_CLASS,
        "--access-logfile",
        "-",
        # Load the application (minyi.wsgi warms it up) once, before forking the workers.
        "--preload",
        # gunicorn ≥ 27 opens one control socket per user (~/.gunicorn): two servers would collide.
        "--no-control-socket",
    ]


def worker_argv() -> list[str]:
    return [sys.executable, "-m", "minyi", "worker"]


def bind_address(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):  # an IPv6 address needs brackets
        host = f"[{host}]"
    return f"{host}:{port}"


def url(host: str, port: int, path: str = "/") -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("localhost" if host == "::" else host)
    return f"http://{bind_address(shown, port)}{path}"


class Command(BaseCommand):
    help = (
        "Serve minyi with gunicorn (HOST, PORT, MINYI_WEB_WORKERS); --with-worker also runs `minyi worker`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", help="Address to listen on (default: HOST or 127.0.0.1).")
        parser.add_argument("--port", type=int, help="Port (default: PORT or 8000).")
        parser.add_argument(
            "--workers", type=int, help="Web worker processes (default: MINYI_WEB_WORKERS or 2)."
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run `minyi worker` (deadlines, notifications) and stop it with the server.",
        )

    def handle(self, *args, host, port, workers, with_worker, **options):
        host, port, workers = serve_options(host=host, port=port, workers=workers)
        if not settings.DEBUG:
            # Without DEBUG the static files are served from STATIC_ROOT: gather them first.
            call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # the children open their own
        argv = gunicorn_argv(host=host, port=port, workers=workers)
        self.stdout.write(
            f"minyi is served at {url(host, port)}: staff console {url(host, port, '/console/')}, "
            f"administration {url(host, port, '/admin/')} (Ctrl-C stops it)."
        )
        sys.stdout.flush()
        if not with_worker:
            os.execv(argv[0], argv)
        code = self.run_with_worker(argv, worker_argv())
        if code:
            raise CommandError(f"gunicorn stopped with exit code {code}.", returncode=code)

    def run_with_worker(self, server_argv: list[str], worker_cmd: list[str]) -> int:
        worker = subprocess.Popen(worker_cmd)
        try:
            server = subprocess.Popen(server_argv)
        except OSError:
            _stop(worker)
            raise

        stopping = False

        def forward(signum, frame):  # a service manager stops us: stop gunicorn gracefully
            nonlocal stopping
            stopping = True
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)

        previous = signal.signal(signal.SIGTERM, forward)
        try:
            while server.poll() is None:
                try:
                    time.sleep(0.5)
                except KeyboardInterrupt:
                    # Ctrl-C went to the whole process group: gunicorn and the worker are stopping.
                    stopping = True
                    continue
                if not stopping and worker.returncode is None and worker.poll() is not None:
                    self.stderr.write(
                        f"minyi worker exited with code {worker.returncode}; the server keeps running "
                        "without it (deadline alerts and SMS wait until a worker runs)."
                    )
            return server.returncode
        finally:
            signal.signal(signal.SIGTERM, previous)
            _stop(worker)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
