"""Every diagram schemalint writes renders: mermaid's own parse, limits and drawing in headless
Chromium, as GitHub would.

The diagrams: `erd` in every mode (columns all/keys/none; one diagram, --split component,
--split schema) and `doc` in every --columns mode, for the examples, the template's own SQL and
GitLab's schema from the corpus; for GitLab also the `erd --table T --depth 1` neighbourhood of
every table the document names (its hubs and the tables its parts are named after). Each distinct
diagram text is checked once (modes share parts). tests/mermaid_render.cjs starts Chromium once,
loads mermaid once per worker page and, per diagram, runs `mermaid.parse`, mermaid's configured
limits (maxTextSize 50,000 characters; maxEdges 500, counted from mermaid's parse: mermaid itself
applies it to flowcharts only) and the full `mermaid.render`; mermaid draws "Maximum text size
in diagram exceeded" instead of failing, so the SVG is searched for its error texts too.

.ci/run installs Debian's `chromium` and `@mermaid-js/mermaid-cli` (npm, into .ci/node;
puppeteer's own browser download skipped), whose puppeteer and mermaid the script uses; the tests
skip, saying why, only where they (or node) are absent. Measured times: docs/diagrams.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_files
from test_cli import run

from schemalint.erd import Columns
from schemalint.erdfit import fit_mermaid, split_mermaid
from schemalint.graph import fk_graph, split_graph
from schemalint.model import Model
from schemalint.sources.load import load

ROOT = Path(__file__).resolve().parent.parent
RENDER = Path(__file__).resolve().parent / "mermaid_render.cjs"
COLUMNS: tuple[Columns, ...] = ("all", "keys", "none")


def _tools() -> tuple[Path, Path, Path] | str:
    """(node, the mermaid-cli package, chromium), or why they cannot be used."""
    node = shutil.which("node")
    if node is None:
        return "node is not installed (.ci/run installs npm, which brings it, with apt-get)"
    mmdc = os.environ.get("SCHEMALINT_MMDC") or ROOT / ".ci" / "node" / "node_modules" / ".bin" / "mmdc"
    if not Path(mmdc).is_file():
        found = shutil.which("mmdc")
        if found is None:
            return "mermaid-cli is not installed (.ci/run installs it into .ci/node with npm)"
        mmdc = found
    package = Path(mmdc).resolve().parent.parent  # .bin/mmdc links to @mermaid-js/mermaid-cli/src/cli.js
    if not (package / "package.json").is_file():
        return f"{mmdc} is not mermaid-cli's src/cli.js (no package.json beside src/)"
    chromium = os.environ.get("SCHEMALINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).is_file():
        return "chromium is not installed (.ci/run installs Debian's chromium with apt-get)"
    return Path(node), package, Path(chromium)


TOOLS = _tools()
needs_mermaid = pytest.mark.skipif(isinstance(TOOLS, str), reason=str(TOOLS))


def erd_diagrams(model: Model) -> dict[str, str]:
    """Every diagram `erd` writes for a model in every mode, keyed by mode and name."""
    graph = fk_graph(model)
    found: dict[str, str] = {}
    for columns in COLUMNS:
        for diagram in fit_mermaid(graph, columns=columns):
            found[f"erd {columns} {diagram.name}"] = diagram.text
        for by in ("component", "schema"):
            diagrams, _ = split_mermaid(split_graph(graph, by), columns=columns)
            for diagram in diagrams:
                found[f"erd --split {by} {columns} {diagram.name}"] = diagram.text
    return found


def doc_diagrams(source: str, tmp_path: Path) -> tuple[dict[str, str], str]:
    """Every diagram of `doc` in every --columns mode, keyed by mode and number; and the
    document of the default mode (every column)."""
    found: dict[str, str] = {}
    documents = {}
    for columns in COLUMNS:
        document = tmp_path / f"schema-{columns}.md"
        done = run("doc", source, "-o", str(document), "--columns", columns)
        assert done.returncode == 0, done.stderr
        documents[columns] = document.read_text(encoding="utf-8")
        blocks = re.findall(r"^```mermaid\n(.*?)^```", documents[columns], re.M | re.S)
        assert blocks
        found |= {f"doc --columns {columns} {n}": text for n, text in enumerate(blocks, start=1)}
    return found, documents["all"]


def named_tables(document: str) -> list[str]:
    """The tables a split ER section names: its hubs and the tables its parts are named after."""
    erd = document[document.index("## 2. ER Diagram") : document.index("<!-- schemalint:end erd -->")]
    hubs = re.search(r"the tables most tables reference \(([^)]*)\)", erd)
    names = re.findall(r"`([^`]+)`", hubs.group(1)) if hubs else []
    for name in re.findall(r"^### (\S+) \(", erd, re.M):
        if name not in ("Overview", "hubs") and not re.fullmatch(r"unrelated(-\d+)?|hubs-\d+", name):
            names.append(name)
    return names


def neighbourhood_diagrams(model: Model, tables: list[str]) -> dict[str, str]:
    """`erd --table T --depth 1` (keys, erd's default) for each table."""
    found: dict[str, str] = {}
    for table in tables:
        for diagram in fit_mermaid(fk_graph(model, tables=[table], depth=1), columns="keys"):
            found[f"erd --table {table} --depth 1 {diagram.name}"] = diagram.text
    return found


def render_all(diagrams: dict[str, str], tmp_path: Path, timeout: float = 600) -> dict[str, float]:
    """Check and draw each distinct diagram once; fail naming every one that mermaid refuses or
    does not draw within ``timeout`` seconds (the slowest of GitLab's took 70 s on two cores
    shared with other work). Returns the times measured (seconds): all, browser and mermaid
    start, the slowest diagram."""
    assert not isinstance(TOOLS, str)
    node, package, chromium = TOOLS
    first_name: dict[str, str] = {}  # a diagram is named by the first mode that wrote it
    for name, text in diagrams.items():
        first_name.setdefault(text, name)
    distinct = list(first_name)
    listing = tmp_path / "diagrams.json"
    listing.write_text(json.dumps(distinct), encoding="utf-8")
    jobs = len(os.sched_getaffinity(0))
    started = time.monotonic()
    done = subprocess.run(
        [str(node), str(RENDER), str(package), str(chromium), str(listing), str(jobs), str(timeout)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in done.stdout.splitlines()]
    summary = results.pop()
    results.sort(key=lambda r: r["index"])
    assert summary["done"] == len(distinct)
    assert [r["index"] for r in results] == list(range(len(distinct)))
    failures = [
        f"{first_name[distinct[r['index']]]}: {' '.join(r['error'].split())}" for r in results if r["error"]
    ]
    if failures:
        raise AssertionError(
            "\n".join([f"{len(failures)} of {len(distinct)} diagrams do not render:", *failures])
        )
    return {
        "seconds": time.monotonic() - started,
        "setup": summary["setup_ms"] / 1000,
        "slowest": max(r["ms"] for r in results) / 1000,
    }


@needs_mermaid
def test_every_diagram_of_the_examples_and_the_template_renders(tmp_path: Path) -> None:
    diagrams: dict[str, str] = {}
    for source in (ROOT / "examples" / "migrations", ROOT / "examples" / "template" / "schema.sql"):
        diagrams |= {f"{source.name} {k}": v for k, v in erd_diagrams(load(str(source)).model).items()}
        diagrams |= {f"{source.name} {k}": v for k, v in doc_diagrams(str(source), tmp_path)[0].items()}
    render_all(diagrams, tmp_path)


@pytest.mark.corpus
@needs_mermaid
@pytest.mark.skipif(not (CORPUS / "load.py").is_file(), reason="../shared/corpus is absent")
def test_every_gitlab_diagram_renders(tmp_path: Path) -> None:
    """Every mode of `erd` and `doc`, and the neighbourhoods of the tables the document names:
    419 distinct diagrams. About 900 s of CPU, two workers: 38 min on two cores shared with
    other work, about 9 min estimated on CI's (docs/diagrams.md)."""
    source = str(corpus_files("gitlab", None, tmp_path / "render")[0])
    model = load(source).model
    diagrams, document = doc_diagrams(source, tmp_path)
    tables = named_tables(document)
    assert {"public.namespaces", "public.projects", "public.users"} <= set(tables)
    diagrams |= erd_diagrams(model) | neighbourhood_diagrams(model, tables)
    assert len(set(diagrams.values())) > 400
    times = render_all(diagrams, tmp_path)
    print(f"{len(set(diagrams.values()))} diagrams rendered: {times}")


@needs_mermaid
def test_a_diagram_mermaid_refuses_fails_the_render(tmp_path: Path) -> None:
    refused = {
        "too long": "erDiagram\n"
        + "".join(f"    table_{n:05d} {{\n        bigint id PK\n    }}\n" for n in range(1500)),
        "too many edges": "erDiagram\n" + "".join(f'    a ||--o{{ b{n} : "x"\n' for n in range(501)),
        "broken": "erDiagram\n    a ||--o{ b :\n",
        # parses, and fails only when drawn: d3-sankey refuses a cycle
        "a cycle": "sankey-beta\n\na,b,1\nb,a,1\n",
    }
    expected = {
        "too long": "Maximum text size in diagram exceeded: 67510 characters",
        "too many edges": "Edge limit exceeded: 501 edges, mermaid's maxEdges is 500",
        "broken": "mermaid.parse: Parse error on line 2",
        "a cycle": "mermaid.render: circular link",
    }
    with pytest.raises(AssertionError) as refusal:
        render_all(refused | {"fine": 'erDiagram\n    a ||--o{ b : "x"\n'}, tmp_path)
    failures = str(refusal.value).splitlines()
    assert failures[0] == "4 of 5 diagrams do not render:"
    for (name, message), failure in zip(expected.items(), failures[1:], strict=True):
        assert failure.startswith(f"{name}: {message}"), failure

    with pytest.raises(AssertionError, match="1 of 1 diagrams do not render:\nlate: not drawn within 0 s"):
        (tmp_path / "late").mkdir()
        render_all({"late": 'erDiagram\n    a ||--o{ b : "x"\n'}, tmp_path / "late", timeout=0)
