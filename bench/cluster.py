"""A private PostgreSQL 15 cluster for the 1,000-tenant benchmark.

``pg_dump`` takes an ACCESS SHARE lock on every table it dumps, in one
transaction. With the default ``max_locks_per_transaction = 64`` the shared
lock table holds about 7,800 locks, so pg_dump cannot dump the 30,000-table
tenant database at all ("out of shared memory"). To have a baseline, the
benchmark also runs on a cluster of its own, started here with
``max_locks_per_transaction = 512``; both tools then read the same database
on the same server. The cluster's data stays in DATA between runs, and it is
stopped after the benchmark.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peers import PG_BIN

DATA = Path("/var/tmp/schemalint-bench-pg15")
PORT = 55433
SETTINGS = {
    "port": str(PORT),
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": str(DATA),
    "max_locks_per_transaction": "512",
    "fsync": "off",
    "autovacuum": "off",
}
SERVER = f"postgresql://postgres@127.0.0.1:{PORT}/postgres"


def _as_postgres(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a server program as the postgres role (initdb and postgres refuse to run as root)."""
    command = list(args)
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True)


def _running() -> bool:
    return _as_postgres(str(PG_BIN / "pg_ctl"), "status", "-D", str(DATA)).returncode == 0


@contextmanager
def private_server() -> Iterator[str]:
    """Start (initialising when needed) the private cluster; yield its DSN; stop it if we started it."""
    if not (DATA / "PG_VERSION").exists():
        DATA.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            subprocess.run(["chown", "postgres:postgres", str(DATA)], check=True)
        done = _as_postgres(
            str(PG_BIN / "initdb"), "-D", str(DATA), "-U", "postgres", "-A", "trust", "--no-sync"
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb {DATA} failed: {done.stderr.strip()[-300:]}")
    started = False
    if not _running():
        options = " ".join(f"-c {name}={value}" for name, value in SETTINGS.items())
        done = _as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(DATA),
            "-o",
            options,
            "-l",
            str(DATA / "server.log"),
            "-w",
            "start",
        )
        if done.returncode != 0:
            raise RuntimeError(f"cannot start the private cluster in {DATA}: {done.stderr.strip()[-300:]}")
        started = True
    try:
        yield SERVER
    finally:
        if started:
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(DATA), "-m", "fast", "-w", "stop")
