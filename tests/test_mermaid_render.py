"""Every diagram schemalint writes renders: mermaid-cli in headless Chromium, as GitHub would.

The diagrams: `erd` in every mode (columns all/keys/none; one diagram, --split component,
--split schema) and every diagram of `doc`, for the examples and the template's own SQL;
for GitLab's schema from the corpus, those of `doc`, `erd` and `erd --split component`. .ci/run installs Debian's `chromium` and
`@mermaid-js/mermaid-cli` (npm, into .ci/node; puppeteer's own browser download skipped);
the test skips, saying why, only where they are absent. mermaid does not fail on a diagram
over its text limit: it draws "Maximum text size in diagram exceeded" instead, so every SVG
is searched for mermaid's error texts as well as the exit code checked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_files
from test_cli import run

from schemalint.erdfit import fit_mermaid, split_mermaid
from schemalint.graph import fk_graph, split_graph
from schemalint.sources.load import load

ROOT = Path(__file__).resolve().parent.parent
ERRORS = (
    "Maximum text size in diagram exceeded",
    "Syntax error in text",
    "Edge limit exceeded",
    "Parse error",
)


def _mmdc() -> tuple[Path, Path] | str:
    """(mmdc, chromium), or why they cannot be used."""
    mmdc = os.environ.get("SCHEMALINT_MMDC") or ROOT / ".ci" / "node" / "node_modules" / ".bin" / "mmdc"
    if not Path(mmdc).is_file():
        found = shutil.which("mmdc")
        if found is None:
            return "mermaid-cli is not installed (.ci/run installs it into .ci/node with npm)"
        mmdc = found
    chromium = os.environ.get("SCHEMALINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        return "chromium is not installed (.ci/run installs Debian's chromium with apt-get)"
    return Path(mmdc), Path(chromium)


TOOLS = _mmdc()
needs_mermaid = pytest.mark.skipif(isinstance(TOOLS, str), reason=str(TOOLS))


def erd_diagrams(
    source: str,
    columns_modes: tuple[str, ...] = ("all", "keys", "none"),
    splits: tuple[str, ...] = ("component", "schema"),
) -> dict[str, str]:
    """Every diagram `erd` writes for a source in the given modes, keyed by mode and name."""
    graph = fk_graph(load(source).model)
    found: dict[str, str] = {}
    for columns in columns_modes:
        for diagram in fit_mermaid(graph, columns=columns):  # type: ignore[arg-type]
            found[f"erd {columns} {diagram.name}"] = diagram.text
        for by in splits:
            diagrams, _ = split_mermaid(split_graph(graph, by), columns=columns)  # type: ignore[arg-type]
            for diagram in diagrams:
                found[f"erd --split {by} {columns} {diagram.name}"] = diagram.text
    return found


def doc_diagrams(source: str, tmp_path: Path) -> dict[str, str]:
    document = tmp_path / "schema.md"
    done = run("doc", source, "-o", str(document))
    assert done.returncode == 0, done.stderr
    blocks = re.findall(r"^```mermaid\n(.*?)^```", document.read_text(encoding="utf-8"), re.M | re.S)
    assert blocks
    return {f"doc {n}": text for n, text in enumerate(blocks, start=1)}


def render_all(diagrams: dict[str, str], tmp_path: Path) -> None:
    """Render each distinct diagram once; fail naming every one that mermaid refuses."""
    assert not isinstance(TOOLS, str)
    mmdc, chromium = TOOLS
    distinct = dict.fromkeys(diagrams.values())
    names = {text: [n for n, t in diagrams.items() if t == text] for text in distinct}
    config = tmp_path / "puppeteer.json"
    config.write_text(
        json.dumps({"executablePath": str(chromium), "args": ["--no-sandbox"]}), encoding="utf-8"
    )
    page = tmp_path / "diagrams.md"
    page.write_text("".join(f"```mermaid\n{text}```\n\n" for text in distinct), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run(
        [str(mmdc), "-p", str(config), "-i", str(page), "-o", str(out / "diagrams.md"), "-e", "svg"],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    failures = []
    for number, text in enumerate(distinct, start=1):
        svg = (out / f"diagrams-{number}.svg").read_text(encoding="utf-8")
        for error in ERRORS:
            if error in svg:
                failures.append(f"{names[text][0]}: {error}")
    assert not failures, failures
    assert len(list(out.glob("diagrams-*.svg"))) == len(distinct)


@needs_mermaid
def test_every_diagram_of_the_examples_and_the_template_renders(tmp_path: Path) -> None:
    diagrams: dict[str, str] = {}
    for source in (ROOT / "examples" / "migrations", ROOT / "examples" / "template" / "schema.sql"):
        diagrams |= {f"{source.name} {k}": v for k, v in erd_diagrams(str(source)).items()}
        diagrams |= {f"{source.name} {k}": v for k, v in doc_diagrams(str(source), tmp_path).items()}
    render_all(diagrams, tmp_path)


@pytest.mark.corpus
@needs_mermaid
@pytest.mark.skipif(not (CORPUS / "load.py").is_file(), reason="../shared/corpus is absent")
def test_gitlabs_diagrams_render(tmp_path: Path) -> None:
    """`doc` (every column), `erd` (keys) and `erd --split component`: 99 distinct diagrams,
    5-10 minutes. Every mode renders the same kind of parts, each 3-10 s on two cores, so all
    340 distinct diagrams would take an hour; the other modes' diagrams are checked for size
    and syntax (parsed back) in test_erdfit.py."""
    source = str(corpus_files("gitlab", None, tmp_path / "render")[0])
    diagrams = erd_diagrams(source, ("keys",), ("component",)) | doc_diagrams(source, tmp_path)
    assert len(diagrams) > 100
    render_all(diagrams, tmp_path)


@needs_mermaid
def test_a_diagram_mermaid_refuses_fails_the_render(tmp_path: Path) -> None:
    too_long = "erDiagram\n" + "".join(
        f"    table_{n:05d} {{\n        bigint id PK\n    }}\n" for n in range(1500)
    )
    with pytest.raises(AssertionError, match="Maximum text size in diagram exceeded"):
        (tmp_path / "long").mkdir()
        render_all({"too long": too_long}, tmp_path / "long")
    with pytest.raises(AssertionError, match="Parse error"):
        (tmp_path / "broken").mkdir()
        render_all({"broken": "erDiagram\n    a ||--o{ b :\n"}, tmp_path / "broken")
