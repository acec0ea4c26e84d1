"""The corpus beside the checkout (../shared/corpus): its path, its load.py as a module, an entry's files."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def load_module() -> ModuleType:
    """../shared/corpus/load.py as a module (loaded once)."""
    if "corpus_load" in sys.modules:
        return sys.modules["corpus_load"]
    spec = importlib.util.spec_from_file_location("corpus_load", CORPUS / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_load"] = module
    spec.loader.exec_module(module)
    return module


def entry_files(
    name: str, variant: str | None, render: Path, *, only: str = "target", database: str | None = None
) -> list[Path]:
    """An entry's files in apply order, as `load.py files` lists them (templates rendered into render)."""
    command = [sys.executable, str(CORPUS / "load.py"), "files", name]
    command += ["--variant", variant] if variant else []
    command += ["--database", database] if database else []
    command += ["--render", str(render), "--only", only, "--expand-includes"]
    listed = subprocess.run(command, capture_output=True, text=True, check=True)
    return [Path(line) for line in listed.stdout.splitlines() if line.strip()]
