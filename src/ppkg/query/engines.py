"""Query engines: the same SPARQL over pyoxigraph (default, fast) or rdflib (reference).

Both receive the same query text and the same bound terms and return a :class:`RawResult`, so everything
above this module is engine-neutral. Oxigraph's rows stay pyoxigraph terms (rdflib is not imported to run
a query on it); a :class:`RawResult` gives them as rdflib terms only when asked. The default graph is the union of
all named graphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol, TypeAlias

import pyoxigraph as ox

from ppkg.errors import PpkgError, QueryError, QuerySyntaxError
from ppkg.rdf.compiled import OpenGraph, in_memory
from ppkg.rdf.io import GraphFile, quiet_rdflib
from ppkg.rdf.namespaces import PREFIXES
from ppkg.rdf.terms import OxTerm, from_ox, to_ox
from ppkg.rdf.union import AS_STORED, UnionView, rearranged

if TYPE_CHECKING:
    from rdflib import Dataset
    from rdflib.query import Result
    from rdflib.term import Identifier, Node

Triple: TypeAlias = tuple["Identifier", "Identifier", "Identifier"]
Row: TypeAlias = tuple["Identifier | None", ...]
OxRow: TypeAlias = tuple[OxTerm | None, ...]
Bound: TypeAlias = "Node | OxTerm"
"""A value bound to a query variable: a pyoxigraph term or an rdflib term."""


class RawResult:
    """What an engine returns: variables and rows of terms (SELECT), triples (CONSTRUCT/DESCRIBE) or a boolean.

    An engine gives its rows as pyoxigraph terms (``ox_rows``, Oxigraph and endpoints) or as rdflib terms
    (``rows``, rdflib's engine); each form is made from the other on first read and kept.
    """

    def __init__(
        self,
        form: str,
        variables: Iterable[str] = (),
        rows: Iterable[Row] | None = None,
        triples: Iterable[Triple] = (),
        boolean: bool | None = None,
        *,
        ox_rows: Iterable[OxRow] | None = None,
    ) -> None:
        self.form = form
        self.variables: list[str] = list(variables)
        self.triples: list[Triple] = list(triples)
        self.boolean = boolean
        self._rows = None if rows is None else list(rows)
        self._ox_rows = None if ox_rows is None else list(ox_rows)
        if self._rows is None and self._ox_rows is None:
            self._ox_rows = []

    @property
    def ox_rows(self) -> list[OxRow]:
        """The rows as pyoxigraph terms (``None`` where a variable is unbound)."""
        if self._ox_rows is None:
            rows = self._rows or []
            self._ox_rows = [tuple(None if t is None else to_ox(t) for t in row) for row in rows]
        return self._ox_rows

    @property
    def rows(self) -> list[Row]:
        """The rows as rdflib terms (converted on first read: this imports rdflib)."""
        if self._rows is None:
            self._rows = [tuple(from_ox(t) for t in row) for row in self.ox_rows]
        return self._rows

    def __repr__(self) -> str:
        size = len(self._ox_rows if self._ox_rows is not None else self._rows or [])
        return f"<RawResult {self.form} variables={self.variables} rows={size} boolean={self.boolean}>"


class Engine(Protocol):
    """A SPARQL engine over a loaded dataset."""

    name: str
    runs_in_python: bool
    """Whether queries are evaluated by Python code (then a timer signal can interrupt them)."""

    def execute(self, query: str, form: str, bindings: Mapping[str, Bound]) -> RawResult:
        """Run a read-only query with the given variables bound to terms."""
        ...


class OxigraphEngine:
    """A pyoxigraph store, on disk or in memory: the default, 30× to 10,000× faster than rdflib's.

    The store holds each named graph once; a query's default graph is their set union without the statements
    corrections supersede, read as :class:`~ppkg.rdf.union.UnionView` says (so a statement stated by two
    sources matches once, as in rdflib). A store given without a ``union`` is queried as it is: its own
    default graph.
    """

    name = "oxigraph"
    runs_in_python = False

    def __init__(self, store: ox.Store, union: UnionView | None = None) -> None:
        self.store = store
        self.union = union if union is not None else AS_STORED

    @classmethod
    def of(cls, graph: OpenGraph) -> OxigraphEngine:
        """The engine of an opened graph (a persistent store or an in-memory one)."""
        return cls(graph.store, graph.union)

    @classmethod
    def from_files(cls, files: Iterable[GraphFile]) -> OxigraphEngine:
        """Load RDF files into a fresh in-memory store."""
        return cls.of(in_memory(list(files)))

    def add_graph(self, graph: str, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        """Add a named graph of triples (an in-memory store: inferences) and read the union anew."""
        name = ox.NamedNode(graph)
        self.store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in triples)  # type: ignore[arg-type]
        self.union = rearranged(self.store)

    def execute(self, query: str, form: str, bindings: Mapping[str, Bound]) -> RawResult:
        """Run the query with SEP-0007 substitutions for the bound variables."""
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): to_ox(v) for k, v in bindings.items()
        }
        try:
            result = self.store.query(
                query,
                prefixes=PREFIXES,
                substitutions=substitutions or None,
                **self.union.options(),
            )
            return self._raw(result, form)  # solutions are computed (and can fail) while they are read
        except PpkgError:
            raise
        except SyntaxError as err:
            raise QuerySyntaxError(oxigraph_syntax_message(err)) from None
        except Exception as err:  # the engine's boundary: network, OS and evaluation errors become one line
            raise engine_error(err) from None

    @staticmethod
    def _raw(result: ox.QueryBoolean | ox.QueryTriples | ox.QuerySolutions, form: str) -> RawResult:
        if isinstance(result, ox.QueryBoolean):
            return RawResult(form, boolean=bool(result))
        if isinstance(result, ox.QueryTriples):
            triples = [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in result]
            return RawResult(form, triples=triples)  # type: ignore[arg-type]
        variables = [v.value for v in result.variables]
        count = len(variables)
        rows: list[OxRow] = [tuple(solution[i] for i in range(count)) for solution in result]
        return RawResult(form, variables=variables, ox_rows=rows)


class RdflibEngine:
    """rdflib's own SPARQL engine over a :class:`rdflib.Dataset`: the reference implementation."""

    name = "rdflib"
    runs_in_python = True

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def execute(self, query: str, form: str, bindings: Mapping[str, Bound]) -> RawResult:
        """Run the query with ``initBindings`` for the bound variables."""
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql import prepareQuery

        from ppkg.query.safety import raised_recursion_limit

        init = {k: t for k, v in bindings.items() if (t := from_ox(v)) is not None}  # as rdflib terms
        try:
            with quiet_rdflib():
                with raised_recursion_limit():  # the parser recurses ~30 frames per bracket; evaluation does not
                    prepared = prepareQuery(query, initNs=PREFIXES)
                result = self.dataset.query(prepared, initBindings=init)
                return self._raw(result, form)  # a SELECT is evaluated while its rows are read
        except PpkgError:
            raise
        except ParseBaseException as err:
            raise QuerySyntaxError(f"SPARQL syntax error at line {err.lineno}, column {err.col}") from None
        except Exception as err:  # the engine's boundary: network, OS and evaluation errors become one line
            raise engine_error(err) from None

    @staticmethod
    def _raw(result: Result, form: str) -> RawResult:
        from rdflib import Graph

        if result.type == "ASK":
            return RawResult(form, boolean=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            graph = result.graph if result.graph is not None else Graph()
            return RawResult(form, triples=list(graph))  # type: ignore[arg-type]
        variables = [str(v) for v in (result.vars or [])]
        rows: list[Row] = [
            tuple(row[v] for v in variables)  # type: ignore[index, call-overload, misc]
            for row in result
        ]
        return RawResult(form, variables=variables, rows=rows)


# -- errors: whatever an engine raises becomes one readable line ------------------------------------


def engine_error(err: BaseException) -> QueryError:
    """The one-line :class:`~ppkg.errors.QueryError` for an error an engine raised while running a query."""
    if isinstance(err, RecursionError):
        return QueryError("the query failed: it recurses too deeply for this engine (a long path or a deep list?)")
    if isinstance(err, MemoryError):
        return QueryError("the query failed: out of memory")
    import http.client  # only when something failed: a query that works never pays for the import
    import urllib.error

    if isinstance(err, urllib.error.HTTPError):
        return QueryError(f"the query failed: a request it made was answered HTTP {err.code} {err.reason}")
    if isinstance(err, (OSError, http.client.HTTPException)):
        reason = getattr(err, "reason", None) or getattr(err, "strerror", None) or _one_line(err)
        return QueryError(f"the query failed: network or file error: {' '.join(str(reason).split())}")
    return QueryError(f"the query failed: {type(err).__name__}: {_one_line(err)}")


def oxigraph_syntax_message(err: SyntaxError) -> str:
    """Oxigraph's syntax error as one short line: where, and the tokens it expected (without character ranges)."""
    text = _one_line(err)
    match = re.match(r"error at (\d+):(\d+): (.*)", text)
    if match is None:
        return f"SPARQL syntax error: {text}"
    line, column, detail = match.groups()
    head, sep, alternatives = detail.partition("expected one of ")
    if sep:
        kept = [a for a in re.split(r", (?=\S)", alternatives) if not a.startswith("[")]
        if kept == ["Prefix not found"]:
            detail = "unknown prefix"
        elif kept:
            detail = f"{head}expected one of {', '.join(kept)}"
    if len(detail) > 160:
        detail = detail[:159] + "…"
    return f"SPARQL syntax error at line {line}, column {column}: {detail}"


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__
