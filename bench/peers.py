"""The peer tools, in their own virtualenv (bench/.venv-peers) so that their pins never fight ours.

migra 3.0 (the last release, 2022) needs SQLAlchemy 1.x and psycopg2; on Python 3.11
``migra psycopg2-binary "sqlalchemy<2"`` installs and runs (SQLAlchemy 1.4.54).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV = BENCH / ".venv-peers"
REQUIREMENTS = ("squawk-cli", "sqlfluff", "migra", "psycopg2-binary", "sqlalchemy<2")
DISTRIBUTIONS = ("squawk-cli", "sqlfluff", "migra", "schemainspect", "sqlalchemy", "psycopg2-binary")
PG_BIN = Path("/usr/lib/postgresql/15/bin")


@dataclass(frozen=True)
class Tools:
    schemalint: Path
    squawk: Path
    sqlfluff: Path
    migra: Path
    pg_dump: Path
    psql: Path
    versions: dict[str, str]


def ensure_peers() -> None:
    """Create bench/.venv-peers and install the peers when the venv is absent."""
    python = VENV / "bin" / "python"
    if python.exists():
        return
    print(f"creating {VENV} and installing {' '.join(REQUIREMENTS)}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)


def _versions() -> dict[str, str]:
    script = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for name in sys.argv[1:]:\n"
        "    try: out[name] = m.version(name)\n"
        "    except m.PackageNotFoundError: out[name] = 'not installed'\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [str(VENV / "bin" / "python"), "-c", script, *DISTRIBUTIONS], capture_output=True, text=True
    )
    versions: dict[str, str] = json.loads(done.stdout) if done.returncode == 0 else {}
    dump = subprocess.run([str(PG_BIN / "pg_dump"), "--version"], capture_output=True, text=True)
    versions["pg_dump"] = dump.stdout.split()[2] if dump.returncode == 0 else "missing"
    return versions


def schemalint_path() -> Path:
    """The schemalint entry point of the main venv (falls back to PATH)."""
    candidate = REPO / ".venv" / "bin" / "schemalint"
    if candidate.exists():
        return candidate
    found = shutil.which("schemalint")
    return Path(found) if found else candidate


def tools() -> Tools:
    ensure_peers()
    return Tools(
        schemalint=schemalint_path(),
        squawk=VENV / "bin" / "squawk",
        sqlfluff=VENV / "bin" / "sqlfluff",
        migra=VENV / "bin" / "migra",
        pg_dump=PG_BIN / "pg_dump",
        psql=PG_BIN / "psql",
        versions=_versions(),
    )
