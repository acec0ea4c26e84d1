"""Diagrams that always render: every diagram within mermaid's limits, every table and foreign key
drawn once, on hand-made graphs and on GitLab's schema from the corpus."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from conftest import CORPUS, corpus_files
from erd_sample import shop_model, star_model
from test_erd import parse_mermaid

from schemalint.erd import MERMAID_MAX_EDGES, MERMAID_MAX_TEXT, render_mermaid
from schemalint.erdfit import Diagram, find_hubs, fit_mermaid, split_mermaid
from schemalint.graph import fk_graph, split_graph
from schemalint.model import Model
from schemalint.sources.load import load


def assert_complete(graph: nx.MultiDiGraph, diagrams: list[Diagram]) -> None:
    """Each diagram parses and fits; each table is drawn in full once; each foreign key once."""
    full: list[str] = []
    edges: list[tuple[str, str, str]] = []
    qualify = len({n.split(".", 1)[0] for n in graph}) > 1
    for diagram in diagrams:
        assert len(diagram.text) <= MERMAID_MAX_TEXT, (diagram.name, len(diagram.text))
        parsed = parse_mermaid(diagram.text)
        assert len(parsed.relationships) <= MERMAID_MAX_EDGES, diagram.name
        assert len(parsed.relationships) == diagram.edges, diagram.name
        if len(diagrams) > 1 and diagram.name.endswith("overview"):
            continue
        names = {n if qualify else n.split(".", 1)[1]: n for n in graph}
        full += [names[name] for name in parsed.entities if names[name] in diagram.tables]
        assert {names[name] for name in parsed.entities} == {*diagram.tables, *diagram.references}
        edges += [(names[left], names[right], label) for left, _, right, label in parsed.relationships]
    assert sorted(full) == sorted(graph)
    expected = sorted(
        (e["fk"].parent, e["fk"].child, ", ".join(e["fk"].columns)) for *_, e in graph.edges(data=True)
    )
    assert sorted(edges) == expected


def test_a_graph_that_fits_is_one_diagram() -> None:
    graph = fk_graph(shop_model())
    diagrams = fit_mermaid(graph, columns="all")
    assert [d.name for d in diagrams] == ["diagram"]
    assert diagrams[0].text == render_mermaid(graph, columns="all")
    assert_complete(graph, diagrams)


def test_too_many_edges_make_hub_parts_and_an_overview() -> None:
    graph = fk_graph(star_model(MERMAID_MAX_EDGES + 1, 0))
    assert find_hubs(graph) == {"public.hubs"}
    diagrams = fit_mermaid(graph, columns="keys")
    assert diagrams[0].name == "overview" and diagrams[1].name == "hubs"
    assert diagrams[0].replaces == (len(render_mermaid(graph)), MERMAID_MAX_EDGES + 1)
    assert_complete(graph, diagrams)
    # the hub is a reference (its key only) in the parts that use it
    part = parse_mermaid(diagrams[2].text)
    assert part.entities["hubs"] == [("bigint", "id", ("PK",))]
    assert diagrams[2].references == ("public.hubs",)
    assert "parts" in diagrams[0].size and "tables (+1 referenced)" in diagrams[2].size


def test_too_many_characters_are_split_and_a_name_prefixes_the_common_parts() -> None:
    graph = fk_graph(star_model(100, 30))
    assert len(render_mermaid(graph, columns="all")) > MERMAID_MAX_TEXT
    diagrams = fit_mermaid(graph, columns="all", name="public.hubs")
    assert [d.name for d in diagrams[:2]] == ["public.hubs.overview", "public.hubs.hubs"]
    assert_complete(graph, diagrams)


def test_split_parts_that_fit_stay_whole() -> None:
    graph = fk_graph(shop_model())
    diagrams, too_large = split_mermaid(split_graph(graph, "component"), columns="keys")
    assert too_large == []
    assert [d.name for d in diagrams] == ["public.orders", "public.categories", "unrelated"]


def test_the_result_does_not_depend_on_the_model_order() -> None:
    model = star_model(MERMAID_MAX_EDGES + 1, 3)
    shuffled = Model(tables=dict(reversed(list(model.tables.items()))))
    first = fit_mermaid(fk_graph(model), columns="all")
    second = fit_mermaid(fk_graph(shuffled), columns="all")
    assert [(d.name, d.text) for d in first] == [(d.name, d.text) for d in second]


# --- GitLab: 1,401 tables, 2,315 foreign keys; one diagram of 428,248 characters before splitting

gitlab_only = pytest.mark.skipif(not (CORPUS / "load.py").is_file(), reason="../shared/corpus is absent")


@pytest.fixture(scope="module")
def gitlab(tmp_path_factory: pytest.TempPathFactory) -> Model:
    files = corpus_files("gitlab", None, tmp_path_factory.mktemp("render"))
    return load(str(files[0])).model


@pytest.mark.corpus
@gitlab_only
@pytest.mark.parametrize("columns", ["keys", "all", "none"])
def test_gitlab_every_mode_renders(gitlab: Model, columns: str) -> None:
    graph = fk_graph(gitlab)
    whole = fit_mermaid(graph, columns=columns)  # type: ignore[arg-type]
    assert len(whole) > 1
    assert {"public.namespaces", "public.projects", "public.users"} <= set(whole[1].tables)  # hubs
    assert_complete(graph, whole)
    for by in ("component", "schema"):
        diagrams, too_large = split_mermaid(split_graph(graph, by), columns=columns)  # type: ignore[arg-type]
        assert too_large, by
        for name, part in split_graph(graph, by).items():
            assert_complete(part, [d for d in diagrams if d.name in _names_of(diagrams, name, part)])


def _names_of(diagrams: list[Diagram], name: str, part: nx.MultiDiGraph) -> set[str]:
    """The diagrams a --split part became: itself, or its overview, hubs, parts and unrelated."""
    tables = set(part)
    return {
        d.name
        for d in diagrams
        if d.name in (name, f"{name}.overview") or (d.tables and set(d.tables) <= tables)
    }


@pytest.mark.corpus
@gitlab_only
def test_gitlab_neighbourhood_of_a_hub_renders(gitlab: Model, tmp_path: Path) -> None:
    # the hint the document used to give: 212,669 characters in one diagram
    graph = fk_graph(gitlab, tables=["namespaces"], depth=1)
    assert len(render_mermaid(graph)) > MERMAID_MAX_TEXT
    assert_complete(graph, fit_mermaid(graph, columns="keys"))


def test_erd_command_splits_a_diagram_that_cannot_fit_and_says_so(tmp_path: Path) -> None:
    from test_cli import run

    children = [
        f"CREATE TABLE child_{n:03d} (id bigint PRIMARY KEY, hub_id bigint NOT NULL REFERENCES hubs (id));"
        for n in range(MERMAID_MAX_EDGES + 1)
    ]
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE hubs (id bigint PRIMARY KEY);\n" + "\n".join(children), encoding="utf-8")
    done = run("erd", str(schema), "-o", str(tmp_path / "out" / "schema.mmd"))
    assert done.returncode == 0, done.stderr
    assert "501 relationships; mermaid (and GitHub) render at most 50,000 characters" in done.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written[:2] == ["schema.hubs.mmd", "schema.mmd"] and len(written) == 2 + 9  # 501 children / 60
    assert "schema.mmd: 10 parts, 9 relationships" in done.stderr
    printed = run("erd", str(schema), "--columns", "none")
    assert printed.stdout.startswith("%% overview: 10 parts") and printed.stdout.count("erDiagram") == 11
    fits = run("erd", str(schema), "--table", "child_00*", "--depth", "1")
    assert fits.stderr == "" and fits.stdout.startswith("erDiagram")
