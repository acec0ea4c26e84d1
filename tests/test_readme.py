"""The README's Quick start works as written.

A system Python (Debian, Ubuntu, Homebrew) refuses `pip install .` outside a virtual
environment (PEP 668, `externally-managed-environment`), so the quick start makes one
first. A slow test runs the block, as written, in a copy of this checkout with a PATH
that has a plain `python3` and the system's tools but no virtual environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import checkout_files

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def section(heading: str) -> str:
    """The text of a README section, from its heading to the next heading of any level."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#+ |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no section {heading!r}"
    return match.group(1)


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def test_quick_start_makes_a_virtual_environment_first() -> None:
    quick = section("Quick start")
    first = code_blocks(quick, "sh")[0]
    commands = [c.strip() for line in first.splitlines() for c in line.split("&&") if c.strip()]
    assert commands[:2] == ["python3 -m venv .venv", ". .venv/bin/activate"], commands
    assert "pip install ." in commands
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert required == ">=3.11"
    assert "Python 3.11 or newer" in quick and "externally-managed-environment" in quick


def _copy_of_the_checkout(destination: Path) -> Path:
    for name in checkout_files():
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination / name)
    return destination


@pytest.mark.slow
def test_quick_start_runs_as_written(tmp_path: Path) -> None:
    checkout = _copy_of_the_checkout(tmp_path / "schemalint")
    plain = tmp_path / "bin"  # python3 is an interpreter outside any virtual environment
    plain.mkdir()
    (plain / "python3").symlink_to(getattr(sys, "_base_executable", sys.executable))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PIP_BREAK_SYSTEM_PACKAGES", "PIP_USER", "PYTHONHOME")
    }
    env["PATH"] = os.pathsep.join([str(plain), "/usr/bin", "/bin"])
    block = code_blocks(section("Quick start"), "sh")[0]
    done = subprocess.run(
        ["bash", "-e", "-c", block], cwd=checkout, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "No findings" in done.stdout
    for table in ("tenants", "users", "orders"):
        assert table in done.stdout
    installed = checkout / ".venv" / "bin" / "schemalint"
    assert installed.exists()
