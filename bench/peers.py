"""The peer tools, in their own virtualenv (bench/.venv-peers) so that their pins never fight ours.

migra 3.0 (the last release, 2022) needs SQLAlchemy 1.x and psycopg2; on Python 3.11
``migra psycopg2-binary "sqlalchemy<2"`` installs and runs (SQLAlchemy 1.4.54).
"""

from __future__ import annotations

import json
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
    schemalint: tuple[str, ...]
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


def schemalint_argv() -> tuple[str, ...]:
    """How to run schemalint: the main venv's entry point, else its Python importing the checkout.

    The fallback lets the harness run before ``pip install -e .`` has been done; its start-up cost is
    that of the entry point script (one interpreter, the same imports).
    """
    script = REPO / ".venv" / "bin" / "schemalint"
    if script.exists():
        return (str(script),)
    python = REPO / ".venv" / "bin" / "python"
    code = f"import sys; sys.path.insert(0, {str(REPO)!r}); from schemalint.cli import main; sys.exit(main())"
    return (str(python if python.exists() else sys.executable), "-c", code)


def tools() -> Tools:
    ensure_peers()
    return Tools(
        schemalint=schemalint_argv(),
        squawk=VENV / "bin" / "squawk",
        sqlfluff=VENV / "bin" / "sqlfluff",
        migra=VENV / "bin" / "migra",
        pg_dump=PG_BIN / "pg_dump",
        psql=PG_BIN / "psql",
        versions=_versions(),
    )
