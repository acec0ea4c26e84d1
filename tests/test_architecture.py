"""The import-linter contracts name every module of the package: a new top-level module or
package must be placed in the layers (pyproject's [tool.importlinter]), never slip past them."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "schemalint"


def _top_level() -> set[str]:
    names = {f"schemalint.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    names |= {f"schemalint.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")}
    return names


def _contracts() -> dict[str, dict[str, list[str]]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_the_model_layer_contract_names_every_other_module() -> None:
    contract = _contracts()["model and normalisation import nothing of ours outside them"]
    placed = set(contract["source_modules"]) | set(contract["forbidden_modules"])
    assert _top_level() - placed == set()
    assert placed - _top_level() == set()  # and no module that is gone


def test_the_rules_contract_names_every_module_outside_the_rules_layers() -> None:
    contract = _contracts()["rules import only model, statements, normalisation, findings, errors and rules"]
    allowed = set(
        _contracts()["model and normalisation import nothing of ours outside them"]["source_modules"]
    )
    allowed |= {"schemalint.rules", "schemalint.findings", "schemalint.errors"}
    assert _top_level() - allowed - set(contract["forbidden_modules"]) == set()
    assert set(contract["forbidden_modules"]) - _top_level() == set()
