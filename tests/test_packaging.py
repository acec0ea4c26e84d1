"""The wheel, installed into a fresh virtual environment, works as the README's quick start says.

One module-scoped fixture builds the wheel from the checkout (`python -m build
--wheel`), creates a new venv, and pip-installs the wheel with its dependencies
from the package index; the tests then run that venv's `schemalint` from a
directory outside the checkout, so nothing of the checkout (its rules/ directory,
its configuration, an editable install) can stand in for what the wheel ships.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    workdir: Path  # an empty directory outside the checkout to run commands in

    @property
    def bin(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin")

    def schemalint(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return subprocess.run(
            [str(self.bin / "schemalint"), *args],
            cwd=self.workdir, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip


def _run(command: list[str], cwd: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (
        f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("packaging")
    dist = base / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)], ROOT, 600)
    wheels = sorted(dist.glob("schemalint-*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {dist}, found {[w.name for w in wheels]}"
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], base, 300)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    _run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheels[0])],
        base,
        900,
    )
    workdir = base / "work"
    workdir.mkdir()
    yield Installed(wheels[0], venv, workdir)


def test_wheel_ships_the_standard_pack_and_the_catalog_queries(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert "schemalint/packs/standard.yaml" in names
    shipped = zipfile.ZipFile(installed.wheel).read("schemalint/packs/standard.yaml")
    assert shipped == (ROOT / "rules" / "standard.yaml").read_bytes()
    queries = {p.name for p in (ROOT / "schemalint" / "sources" / "queries").glob("*.sql")}
    assert queries, "the checkout has no catalog queries to compare with"
    assert {f"schemalint/sources/queries/{q}" for q in queries} <= names
    assert not any(n.startswith(("tests/", "bench/", "examples/")) for n in names), sorted(names)[:20]


def test_installed_package_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    done = subprocess.run(
        [str(installed.bin / "python"), "-c", "import schemalint, sys; print(schemalint.__file__)"],
        cwd=installed.workdir, capture_output=True, text=True, check=True,
    )  # fmt: skip
    location = Path(done.stdout.strip()).resolve()
    assert location.is_relative_to(installed.venv.resolve()), location


def test_rules_lists_the_standard_pack(installed: Installed) -> None:
    done = installed.schemalint("rules")
    assert done.returncode == 0, done.stderr
    codes = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    assert {"N001", "M001"} <= codes, done.stdout


def test_lint_clean_examples_exits_0(installed: Installed) -> None:
    done = installed.schemalint("lint", str(EXAMPLES / "migrations"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout


def test_lint_bad_examples_exits_1(installed: Installed) -> None:
    done = installed.schemalint("lint", str(EXAMPLES / "bad-migrations"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "N001" in done.stdout and "Traceback" not in done.stderr


def test_inspect_json_has_the_example_tables(installed: Installed) -> None:
    done = installed.schemalint("inspect", str(EXAMPLES / "migrations"), "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    names = {table["name"] for table in document["model"]["tables"].values()}
    assert names == {"tenants", "users", "orders"}


def test_inspect_text_quick_start(installed: Installed) -> None:
    done = installed.schemalint("inspect", str(EXAMPLES / "migrations"))
    assert done.returncode == 0, done.stderr
    for table in ("tenants", "users", "orders"):
        assert table in done.stdout
