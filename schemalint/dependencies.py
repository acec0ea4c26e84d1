"""The dependency index of a model: what depends on what, as PostgreSQL's pg_depend records it.

``dependency_graph(model)`` is a networkx DiGraph whose nodes are ``Ref``
(kind, qualified name) and whose edges go from the dependent object to the
object it references, with attribute ``deptype``:

- ``"n"`` normal: dropping the referenced object needs CASCADE, which drops the dependant;
- ``"a"`` auto: the dependant goes with the referenced object (an index with its column, a
  trigger or policy with its table, a sequence with the column that owns it, a column with its
  relation, a default with its column);
- ``"i"`` internal: the dependant is a part of the referenced object's implementation (the
  index of a primary key or unique constraint, the expression of a generated column).

When two reasons join the same pair, the strongest kind wins (i over a over n), as a CHECK
constraint's auto dependency on its columns outlives its normal one.

Refs name objects as the model keys them, unquoted: ``("table", "public.orders")``,
``("column", "public.orders.total")`` (a table's, a view's or a materialized view's column),
``("view", …)`` (views and materialized views), ``("index", "public.orders_pkey")``,
``("constraint", "public.orders.orders_user_id_fkey")`` (a domain's CHECK:
``"public.posint.posint_check"``), ``("trigger", "public.orders.trg")``, ``("policy", …)``,
``("function", "public.f(integer)")``, ``("sequence", …)``, ``("type", "public.mood")`` (enums
and domains; a table's row type is its table), ``("default", "public.orders.id")`` (a column's
default or generation expression, the pg_attrdef of PostgreSQL), and ``("enum_value",
"public.mood:'ok'")``, which PostgreSQL does not track but RENAME VALUE needs.

What is covered: view and materialized view → the relations and columns its query reads, the
functions it calls and the types it casts to; trigger → table, function, UPDATE OF columns and
WHEN columns; constraint → its columns (auto), a foreign key → the referenced columns and the
unique index that backs them; index → its columns and the columns of its expressions and
predicate (the table itself when no key is a plain column), or → its constraint (internal);
default → sequences (nextval), functions, types, enum values; generation expression → the
columns it reads; column → its relation (auto) and its type (enums, domains, row types);
domain → its base type; domain CHECK → its domain; policy → its table (auto), the columns,
tables and functions its expressions read; sequence → the column that owns it (auto); function
→ its argument and result types; a partition → its parent (auto), an inheritance child → its
parents (normal).

Not covered (PostgreSQL does not record them either, or the model does not hold them):
function bodies, composite types other than row types, collations
and operator classes, extensions. Canonical text drops schemas from relations, functions and
sequences and qualifiers from column references, so names are resolved as a search path would:
the object's own schema, then ``public``, then the only object of that name; a column name
resolves to every relation the query reads that has such a column.

``dependents`` and ``referenced`` read a graph, ``drop_order`` and ``creation_order`` order its nodes;
``qualified_definition`` writes a view's query with the names it resolves schema-qualified;
``direct_dependents`` answers "what depends on X" from the model without building the graph
(it parses only expressions that mention X's name), and ``dependent_edges`` the same,
transitively, for what a DROP needs.
Model layer: imports the model, the normalisation helpers and networkx; nothing else of ours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:  # networkx (90 ms to import) is loaded when a graph is built, not by replay's
    import networkx as nx  # start-up: a migration that drops nothing with CASCADE never needs it

from schemalint.depscan import (
    EMPTY,
    Mentions,
    expression_mentions,
    identifier_path,
    index_key,
    query_mentions,
    split_top_level,
)
from schemalint.exprnorm import qualified_query
from schemalint.model import Column, Constraint, Function, Index, Model, Policy, Table, Trigger, View
from schemalint.typenorm import quote_ident

RefKind = Literal[
    "table",
    "column",
    "view",
    "index",
    "constraint",
    "trigger",
    "policy",
    "function",
    "sequence",
    "type",
    "enum_value",
    "default",
]
DepType = Literal["n", "a", "i"]
_STRENGTH = {"n": 0, "a": 1, "i": 2}


class Ref(NamedTuple):
    """One object of the model: its kind and its qualified name (unquoted)."""

    kind: RefKind
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


Edge = tuple[Ref, Ref, DepType]


def add_edge(graph: nx.DiGraph, dependent: Ref, referenced: Ref, deptype: DepType) -> None:
    """Add one dependency; of two kinds for the same pair the stronger stays; no self-loops."""
    if dependent == referenced:
        return
    data = graph.get_edge_data(dependent, referenced)
    if data is None or _STRENGTH[deptype] > _STRENGTH[data["deptype"]]:
        graph.add_edge(dependent, referenced, deptype=deptype)


def graph_from_edges(edges: Iterable[Edge]) -> nx.DiGraph:
    import networkx as nx

    graph = nx.DiGraph()
    for dependent, referenced, deptype in edges:
        add_edge(graph, dependent, referenced, deptype)
    return graph


def dependency_graph(model: Model) -> nx.DiGraph:
    """The dependency index of a model (see the module docstring). O(size of the model)."""
    graph = graph_from_edges(_Builder(model).edges())
    for kind, names in (
        ("table", model.tables),
        ("view", model.views),
        ("function", model.functions),
        ("sequence", model.sequences),
        ("type", {**model.enums, **model.domains}),
    ):
        graph.add_nodes_from(Ref(kind, name) for name in names)  # type: ignore[arg-type]
    return graph


def direct_dependents(model: Model, ref: Ref) -> list[tuple[Ref, DepType]]:
    """The objects that depend on ``ref`` directly, without building the whole graph: only
    expressions whose text mentions ``ref``'s last name are parsed. Sorted."""
    return sorted((dependent, deptype) for dependent, _, deptype in _edges_into(model, {ref}))


def dependent_edges(model: Model, refs: Iterable[Ref]) -> list[Edge]:
    """The edges of the graph into ``refs`` and into what depends on them, transitively (the
    strongest kind of each pair), without building the whole graph: one pass over the model for
    each level of dependants, parsing only the expressions that mention a name of that level.
    Enough to answer DROP: what depends on the dropped objects, and how, costs what they have."""
    found: list[Edge] = []
    seen = set(refs)
    level = set(seen)
    while level:
        edges = _edges_into(model, level)
        found.extend(edges)
        level = {dependent for dependent, _, _ in edges} - seen
        seen |= level
    return found


def _edges_into(model: Model, refs: set[Ref]) -> list[Edge]:
    """The edges whose referenced end is one of ``refs``, the strongest of each pair."""
    mentions = frozenset(_bare_name(ref) for ref in refs)
    strongest: dict[tuple[Ref, Ref], DepType] = {}
    for dependent, referenced, deptype in _Builder(model, mentions).edges():
        if referenced not in refs or dependent == referenced:
            continue
        known = strongest.get((dependent, referenced))
        if known is None or _STRENGTH[deptype] > _STRENGTH[known]:
            strongest[dependent, referenced] = deptype
    return [(dependent, referenced, deptype) for (dependent, referenced), deptype in strongest.items()]


def dependents(graph: nx.DiGraph, ref: Ref, *, recursive: bool = True) -> list[Ref]:
    """What depends on ``ref`` (directly, or through others when recursive), in the order
    PostgreSQL drops them for DROP … CASCADE: every object before the objects it depends on."""
    import networkx as nx

    if ref not in graph:
        return []
    found = set(nx.ancestors(graph, ref)) if recursive else set(graph.predecessors(ref))
    return drop_order(graph, found)


def referenced(graph: nx.DiGraph, ref: Ref, *, recursive: bool = True) -> list[Ref]:
    """What ``ref`` depends on (directly, or through others when recursive), in the order they
    must be created: every object after the objects it depends on."""
    import networkx as nx

    if ref not in graph:
        return []
    found = set(nx.descendants(graph, ref)) if recursive else set(graph.successors(ref))
    return list(reversed(drop_order(graph, found)))


def creation_order(graph: nx.DiGraph, nodes: Iterable[Ref] | None = None) -> list[Ref]:
    """Every object after the objects it depends on; of the objects free to come next, the first
    by kind and name."""
    return drop_order(graph.reverse(copy=False), nodes)


def drop_order(graph: nx.DiGraph, nodes: Iterable[Ref] | None = None) -> list[Ref]:
    """Dependants before what they reference; a cycle (a column whose default calls a function
    that returns its table's rows) is kept together, its members by name."""
    import networkx as nx

    sub = graph if nodes is None else graph.subgraph(set(nodes))
    if nx.is_directed_acyclic_graph(sub):
        return list(nx.lexicographical_topological_sort(sub, key=lambda r: (r.kind, r.name)))
    condensed = nx.condensation(sub)
    members = condensed.graph["mapping"]
    groups: dict[int, list[Ref]] = defaultdict(list)
    for node, group in members.items():
        groups[group].append(node)
    order = nx.lexicographical_topological_sort(condensed, key=lambda g: min(groups[g]))
    return [node for group in order for node in sorted(groups[group])]


def qualified_definition(model: Model, view: View) -> str:
    """The view's query with the relations, functions and types it names schema-qualified, resolved
    as the dependency index resolves them (the view's schema, then ``public``, then the only one)."""
    builder = _Builder(model)

    def resolve(kind: str, name: str, nargs: int) -> str | None:
        found: str | None = None
        if kind == "relation":
            found = builder._pick(builder.relations.get(name, []), view.schema)
        elif kind == "function":
            function = builder._function(view.schema, "", name, nargs)
            found = None if function is None else function.qualname
        else:
            found = builder._pick(builder.types.get(name, []), view.schema)
        return None if found is None else found.partition(".")[0]

    return qualified_query(view.definition, resolve)


def _bare_name(ref: Ref) -> str:
    if ref.kind == "enum_value":
        return ref.name.partition(":")[2].strip("'")
    name = ref.name.partition("(")[0] if ref.kind == "function" else ref.name
    return name.rpartition(".")[2]


def type_ref(model: Model, canonical: str) -> Ref | None:
    """The user type a canonical type spelling names (``public.mood[]``), or None (built-in)."""
    text = canonical.strip()
    if text.upper().startswith("SETOF "):
        text = text[6:]
    while text.endswith("[]"):
        text = text[:-2]
    if text.endswith(")") and not text.endswith('")'):
        text = text[: text.rfind("(")]
    path = identifier_path(text)
    if len(path) != 2:
        return None
    name = f"{path[0]}.{path[1]}"
    if name in model.enums or name in model.domains:
        return Ref("type", name)
    if name in model.tables:
        return Ref("table", name)
    if name in model.views:
        return Ref("view", name)
    return None


def _result_types(returns: str) -> list[str]:
    """The types of a function's result: ``TABLE(id integer, m public.mood)`` → its columns'."""
    if not returns.upper().startswith("TABLE("):
        return [returns]
    types = []
    for item in split_top_level(returns[6:-1]):
        if item.startswith('"'):
            end = item.index('"', 1)
            while item[end + 1 : end + 2] == '"':
                end = item.index('"', end + 2)
            types.append(item[end + 1 :].strip())
        else:
            types.append(item.partition(" ")[2].strip())
    return types


class _Builder:
    """Turns a model into edges. With ``mentions``, expressions and type spellings whose text
    contains none of them are not parsed (their edges are left out): what _edges_into needs."""

    def __init__(self, model: Model, mentions: frozenset[str] | None = None) -> None:
        self.model = model
        self.mentions = mentions
        self.relations: dict[str, list[str]] = defaultdict(list)
        self.columns: dict[str, frozenset[str]] = {}
        self.column_types: dict[str, dict[str, str]] = {}
        for qualname, table in model.tables.items():
            self.relations[table.name].append(qualname)
            self.columns[qualname] = frozenset(c.name for c in table.columns)
            self.column_types[qualname] = {c.name: c.type for c in table.columns}
        for qualname, view in model.views.items():
            self.relations[view.name].append(qualname)
            self.columns[qualname] = frozenset(view.columns)
        self.functions: dict[str, list[Function]] = defaultdict(list)
        for function in model.functions.values():
            self.functions[function.name].append(function)
        self.sequences: dict[str, list[str]] = defaultdict(list)
        for qualname, sequence in model.sequences.items():
            self.sequences[sequence.name].append(qualname)
        self.types: dict[str, list[str]] = defaultdict(list)
        for enum in model.enums.values():
            self.types[enum.name].append(enum.qualname)
        for domain in model.domains.values():
            self.types[domain.name].append(domain.qualname)

    # -- name resolution -------------------------------------------------------------------

    @staticmethod
    def _pick(candidates: list[str], schema: str, written_schema: str = "") -> str | None:
        if written_schema:
            wanted = [c for c in candidates if c.startswith(f"{written_schema}.")]
            return wanted[0] if wanted else None
        for preferred in (schema, "public"):
            for candidate in candidates:
                if candidate.startswith(f"{preferred}."):
                    return candidate
        return candidates[0] if len(candidates) == 1 else None

    def _relation_ref(self, qualname: str) -> Ref:
        return Ref("view" if qualname in self.model.views else "table", qualname)

    def _function(self, schema: str, written: str, name: str, nargs: int) -> Function | None:
        candidates = self.functions.get(name, [])
        if not candidates:
            return None
        chosen = self._pick(sorted({f.schema + "." for f in candidates}), schema, written)
        if chosen is None:
            return None
        same = [f for f in candidates if f"{f.schema}." == chosen]
        if len(same) > 1:
            same = [f for f in same if len(split_top_level(f.identity_args)) == nargs]
        return same[0] if len(same) == 1 else None

    def _sequence(self, text: str, schema: str) -> str | None:
        path = identifier_path(text)
        return self._pick(self.sequences.get(path[-1], []), schema, path[-2] if len(path) > 1 else "")

    def _type(self, written_schema: str, name: str, schema: str) -> Ref | None:
        chosen = self._pick(self.types.get(name, []), schema, written_schema)
        if chosen is not None:
            return Ref("type", chosen)
        relation = self._pick(self.relations.get(name, []), schema, written_schema)
        return None if relation is None else self._relation_ref(relation)

    # -- expressions -----------------------------------------------------------------------

    def _skip(self, *texts: str | None) -> bool:
        if self.mentions is None:
            return False
        return not any(t is not None and m in t for t in texts for m in self.mentions)

    def _type_ref(self, spelled: str) -> Ref | None:
        return None if self._skip(spelled) else type_ref(self.model, spelled)

    def _mention_edges(
        self,
        dependent: Ref,
        mentions: Mentions,
        schema: str,
        own: str | None = None,
        own_deptype: DepType = "n",
        value_type: str | None = None,
    ) -> Iterator[Edge]:
        """Edges of what an expression or query mentions. ``own``: the relation whose columns
        the expression reads unqualified (a CHECK's table), their edges of kind ``own_deptype``;
        ``value_type``: the type its value takes (a default's column type)."""
        # the relations of each scope (a SELECT): a column is the innermost scope's that has it
        scopes: list[list[str]] = [[] for _ in mentions.parents]
        scopes[0] = [own] if own else []
        every: list[str] = [own] if own else []
        for index, written, name in mentions.scoped_relations:
            chosen = self._pick(self.relations.get(name, []), schema, written)
            if chosen is not None:
                scopes[index].append(chosen)
                every.append(chosen)
        every = list(dict.fromkeys(every))
        aliases = dict(mentions.aliases)
        enum_types: set[str] = set()
        used: set[str] = set()
        for index, column in mentions.scoped_columns:
            while True:
                found = [r for r in scopes[index] if column in self.columns.get(r, frozenset())]
                if found or index == 0:
                    break
                index = mentions.parents[index]
            for relation in found:
                used.add(relation)
                deptype = own_deptype if relation == own else "n"
                yield dependent, Ref("column", f"{relation}.{column}"), deptype
                column_type = self.column_types.get(relation, {}).get(column)
                if column_type is not None:
                    enum_types.add(column_type)
        for name in mentions.whole_rows:
            target = aliases.get(name, name)
            for relation in every:
                if relation.rpartition(".")[2] == target and relation not in used:
                    used.add(relation)
                    yield dependent, self._relation_ref(relation), "n"
        for relation in every:
            if relation not in used and relation != own:
                yield dependent, self._relation_ref(relation), "n"
        for written, name, nargs in mentions.functions:
            function = self._function(schema, written, name, nargs)
            if function is not None:
                yield dependent, Ref("function", function.qualname), "n"
                # a constant argument of an enum parameter is that enum's value
                enum_types.update(split_top_level(function.identity_args))
        for written, name in mentions.types:
            user_type = self._type(written, name, schema)
            if user_type is not None:
                yield dependent, user_type, "n"
        for text in mentions.sequences:
            sequence = self._sequence(text, schema)
            if sequence is not None:
                yield dependent, Ref("sequence", sequence), "n"
        if value_type is not None:
            enum_types.add(value_type)
        for spelled in sorted(enum_types):
            enum = type_ref(self.model, spelled)
            if enum is None or enum.name not in self.model.enums:
                continue
            values = mentions.strings & set(self.model.enums[enum.name].values)
            for value in sorted(values):
                yield dependent, Ref("enum_value", f"{enum.name}:'{value}'"), "n"
            if values:
                yield dependent, enum, "n"

    def _expression(
        self,
        dependent: Ref,
        text: str | None,
        schema: str,
        own: str | None = None,
        own_deptype: DepType = "n",
        value_type: str | None = None,
    ) -> Iterator[Edge]:
        if text is None or self._skip(text):
            return
        mentions = expression_mentions(text)
        yield from self._mention_edges(dependent, mentions, schema, own, own_deptype, value_type)

    # -- objects ---------------------------------------------------------------------------

    def edges(self) -> Iterator[Edge]:
        model = self.model
        for qualname, table in model.tables.items():
            yield from self._table(qualname, table)
        for qualname, view in model.views.items():
            ref = Ref("view", qualname)
            for column in view.columns:
                yield Ref("column", f"{qualname}.{column}"), ref, "a"
            if not self._skip(view.definition):
                yield from self._mention_edges(ref, query_mentions(view.definition), view.schema)
            for index in view.indexes:
                yield from self._index(qualname, index)
            for trigger in view.triggers:
                yield from self._trigger(qualname, view.schema, trigger)
        for qualname, domain in model.domains.items():
            ref = Ref("type", qualname)
            base = self._type_ref(domain.type)
            if base is not None:
                yield ref, base, "n"
            yield from self._expression(ref, domain.default, domain.schema)
            for name, check in domain.checks:
                constraint = Ref("constraint", f"{qualname}.{name}")
                yield constraint, ref, "a"
                yield from self._expression(constraint, check, domain.schema)
        for qualname, enum in model.enums.items():
            for value in enum.values:
                yield Ref("enum_value", f"{qualname}:'{value}'"), Ref("type", qualname), "a"
        for qualname, function in model.functions.items():
            ref = Ref("function", qualname)
            arguments = split_top_level(function.identity_args)
            for spelled in (*arguments, *_result_types(function.returns)):
                found = self._type_ref(spelled.removeprefix("VARIADIC "))
                if found is not None:
                    yield ref, found, "n"
        for qualname, sequence in model.sequences.items():
            if sequence.owned_by is not None:
                yield Ref("sequence", qualname), Ref("column", sequence.owned_by), "a"

    def _table(self, qualname: str, table: Table) -> Iterator[Edge]:
        ref = Ref("table", qualname)
        for column in table.columns:
            yield from self._column(qualname, table, ref, column)
        if table.partition_of is not None:
            yield ref, Ref("table", table.partition_of), "a"
        for parent in table.inherits:  # DROP TABLE parent needs CASCADE to drop its children
            yield ref, Ref("table", parent), "n"
        if table.partition_key is not None:  # the key's columns cannot be dropped: internal
            keys = table.partition_key.partition("(")[2].rpartition(")")[0]
            for key in split_top_level(keys):
                path = identifier_path(key)
                if len(path) == 1 and path[0] in self.columns[qualname]:
                    yield Ref("column", f"{qualname}.{path[0]}"), ref, "i"
        for constraint in table.constraints:
            yield from self._constraint(qualname, table, constraint)
        for index in table.indexes:
            yield from self._index(qualname, index)
        for trigger in table.triggers:
            yield from self._trigger(qualname, table.schema, trigger)
        for policy in table.policies:
            yield from self._policy(qualname, table.schema, policy)

    def _column(self, qualname: str, table: Table, ref: Ref, column: Column) -> Iterator[Edge]:
        column_ref = Ref("column", f"{qualname}.{column.name}")
        yield column_ref, ref, "a"
        found = self._type_ref(column.type)
        if found is not None:
            yield column_ref, found, "n"
        if column.default is not None:
            default = Ref("default", column_ref.name)
            yield default, column_ref, "a"
            if found is not None and found.kind == "type":
                yield default, found, "n"
            yield from self._expression(default, column.default, table.schema, value_type=column.type)
        if column.generated is not None:
            default = Ref("default", column_ref.name)
            yield default, column_ref, "i"
            yield from self._expression(default, column.generated, table.schema, own=qualname)

    def _constraint(self, qualname: str, table: Table, constraint: Constraint) -> Iterator[Edge]:
        ref = Ref("constraint", f"{qualname}.{constraint.name}")
        names = self.columns[qualname]
        own = [c for c in constraint.columns if c in names]
        for column in own:
            yield ref, Ref("column", f"{qualname}.{column}"), "a"
        if constraint.kind == "check":
            # parsed when it might mention a target, or when the table might be one: a CHECK that
            # reads none of its table's columns depends on the table
            mentions = (
                EMPTY
                if self._skip(constraint.expression, table.name)
                else expression_mentions(constraint.expression or "")
            )
            if not mentions.columns & names:
                yield ref, Ref("table", qualname), "a"
            yield from self._mention_edges(ref, mentions, table.schema, own=qualname, own_deptype="a")
        elif not own:
            yield ref, Ref("table", qualname), "a"
        if constraint.kind == "foreign key" and constraint.ref_table is not None:
            for column in constraint.ref_columns:
                yield ref, Ref("column", f"{constraint.ref_table}.{column}"), "n"
            index = _referenced_index(self.model.tables.get(constraint.ref_table), constraint.ref_columns)
            if index is not None:
                yield ref, Ref("index", index.qualname), "n"

    def _index(self, relation: str, index: Index) -> Iterator[Edge]:
        ref = Ref("index", index.qualname)
        columns = self.columns.get(relation, frozenset())
        backing = index.constraint is not None
        if backing:  # its plain columns are the constraint's; its expressions are its own
            yield ref, Ref("constraint", f"{relation}.{index.constraint}"), "i"
        plain = False
        for key in (*index.keys, *index.include):
            column = _plain_key(key, columns)
            if column is not None:
                plain = True
                if not backing:
                    yield ref, Ref("column", f"{relation}.{column}"), "a"
            elif not self._skip(key):
                mentions = index_key(key)[1]
                yield from self._mention_edges(ref, mentions, index.schema, relation, "a")
        yield from self._expression(ref, index.predicate, index.schema, own=relation, own_deptype="a")
        if not plain and not backing:
            yield ref, self._relation_ref(relation), "a"

    def _trigger(self, relation: str, schema: str, trigger: Trigger) -> Iterator[Edge]:
        ref = Ref("trigger", f"{relation}.{trigger.name}")
        yield ref, self._relation_ref(relation), "a"
        function = f"{trigger.function}()"
        if function in self.model.functions:
            yield ref, Ref("function", function), "n"
        for column in trigger.update_columns:
            yield ref, Ref("column", f"{relation}.{column}"), "n"
        yield from self._expression(ref, trigger.when, schema, own=relation)

    def _policy(self, relation: str, schema: str, policy: Policy) -> Iterator[Edge]:
        ref = Ref("policy", f"{relation}.{policy.name}")
        yield ref, Ref("table", relation), "a"
        for text in (policy.using, policy.with_check):
            yield from self._expression(ref, text, schema, own=relation)


def _plain_key(key: str, columns: frozenset[str]) -> str | None:
    """The column an index key names (``email``, ``primary``, ``camelCase DESC``), or None for an
    expression. Index.keys spells a column key by its bare name, as pg_attribute has it."""
    if key in columns:
        return key
    for column in columns:
        if key.startswith(f"{column} "):
            name, _ = index_key(quote_ident(column) + key[len(column) :])
            if name == column:
                return column
    return None


def _referenced_index(table: Table | None, columns: tuple[str, ...]) -> Index | None:
    """The unique index a foreign key to ``columns`` of ``table`` uses, as PostgreSQL picks it:
    a unique, non-partial, immediate index on exactly those columns; the primary key's first,
    then unique constraints' in model order, then other unique indexes by name."""
    if table is None:
        return None
    wanted = set(columns)
    deferrable = {c.name for c in table.constraints if c.deferrable}
    candidates = [
        index
        for index in table.indexes
        if index.unique
        and index.predicate is None
        and index.constraint not in deferrable
        and set(index.keys) == wanted
        and len(index.keys) == len(wanted)
    ]
    order = {c.name: position for position, c in enumerate(table.constraints)}
    primary = table.primary_key
    candidates.sort(
        key=lambda i: (
            0 if primary is not None and i.constraint == primary.name else 1 if i.constraint else 2,
            order.get(i.constraint or "", 0),
            i.name,
        )
    )
    return candidates[0] if candidates else None
