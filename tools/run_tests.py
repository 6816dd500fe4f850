"""Run the test suite on SQLite, then on PostgreSQL if one is reachable.

PostgreSQL: DATABASE_URL if it names one, else the local server (127.0.0.1:5432, user postgres).
With MINYI_REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable PostgreSQL is an error, so CI cannot
pass on SQLite alone. Extra arguments go to pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/minyi"
NO_TESTS_COLLECTED = 5


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url and not url.startswith(("postgres://", "postgresql://")):
        return None
    url = url or LOCAL_POSTGRES
    try:
        import psycopg

        dsn = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(dsn, connect_timeout=3):
            return url
    except Exception as exc:  # unreachable for any reason: report it and go on with SQLite
        print(f"PostgreSQL at {url} is not reachable: {exc}", file=sys.stderr)
        return None


def pytest(label: str, env: dict[str, str], args: list[str]) -> int:
    print(f"\n=== test suite on {label} ===", flush=True)
    code = subprocess.call([sys.executable, "-m", "pytest", *args], env=env)
    return 0 if code == NO_TESTS_COLLECTED else code


def main() -> int:
    args = sys.argv[1:]
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    failures = pytest("SQLite", base, args)
    url = postgres_url()
    if url:
        failures |= pytest("PostgreSQL", {**base, "DATABASE_URL": url}, args)
    elif os.environ.get("MINYI_REQUIRE_POSTGRES") == "1":
        print("MINYI_REQUIRE_POSTGRES=1 but PostgreSQL is not reachable", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
