"""Query engines: the same SPARQL over pyoxigraph (default, fast) or rdflib (reference).

Both receive the same query text and the same bound terms and return :class:`RawResult` made of
rdflib terms, so everything above this module is engine-neutral. The default graph is the union of
all named graphs.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.query import Result
from rdflib.term import Identifier, Node

from ppkg.errors import PpkgError, QueryError, QuerySyntaxError
from ppkg.rdf.corrections import superseded_quads
from ppkg.rdf.io import GraphFile, load_into, loadable, quiet_rdflib
from ppkg.rdf.namespaces import PREFIXES
from ppkg.rdf.terms import from_ox, to_ox

Triple = tuple[Identifier, Identifier, Identifier]


@dataclass
class RawResult:
    """What an engine returns: variables and rows of terms (SELECT), triples (CONSTRUCT/DESCRIBE) or a boolean."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Identifier | None, ...]] = field(default_factory=list)
    triples: list[Triple] = field(default_factory=list)
    boolean: bool | None = None


class Engine(Protocol):
    """A SPARQL engine over a loaded dataset."""

    name: str
    runs_in_python: bool
    """Whether queries are evaluated by Python code (then a timer signal can interrupt them)."""

    def execute(self, query: str, form: str, bindings: Mapping[str, Node]) -> RawResult:
        """Run a read-only query with the given variables bound to terms."""
        ...


class OxigraphEngine:
    """pyoxigraph's in-memory store: the default, 30× to 10,000× faster than rdflib's.

    The store's default graph holds the set union of all named graphs (materialised by
    :meth:`merge_default_graph`), so a triple stated by two sources matches once, as in rdflib.
    """

    name = "oxigraph"
    runs_in_python = False

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    @classmethod
    def from_files(cls, files: Iterable[GraphFile], *, merge: bool = True) -> OxigraphEngine:
        """Load RDF files into a fresh in-memory store (``merge``: and build the union default graph)."""
        store = ox.Store()
        for f in loadable(files):
            load_into(store, f.path, f.graph)
        engine = cls(store)
        if merge:
            engine.merge_default_graph()
        return engine

    def merge_default_graph(self) -> None:
        """Make the default graph the set union of the named graphs (copied inside the store, in Rust),
        minus the statements that corrections supersede (:mod:`ppkg.rdf.corrections`): the current view."""
        for graph in list(self.store.named_graphs()):
            triples = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
            if triples:
                self.store.load(triples, format=ox.RdfFormat.N_TRIPLES)
        for quad in superseded_quads(self.store):
            self.store.remove(quad)

    def execute(self, query: str, form: str, bindings: Mapping[str, Node]) -> RawResult:
        """Run the query with SEP-0007 substitutions for the bound variables."""
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): to_ox(v) for k, v in bindings.items()
        }
        try:
            result = self.store.query(
                query,
                prefixes=PREFIXES,
                substitutions=substitutions or None,
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
        rows = [tuple(from_ox(solution[v]) for v in variables) for solution in result]
        return RawResult(form, variables=variables, rows=rows)


class RdflibEngine:
    """rdflib's own SPARQL engine over a :class:`rdflib.Dataset`: the reference implementation."""

    name = "rdflib"
    runs_in_python = True

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def execute(self, query: str, form: str, bindings: Mapping[str, Node]) -> RawResult:
        """Run the query with ``initBindings`` for the bound variables."""
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql import prepareQuery

        from ppkg.query.safety import raised_recursion_limit

        init = {k: v for k, v in bindings.items() if isinstance(v, Identifier)}
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
        if result.type == "ASK":
            return RawResult(form, boolean=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            graph = result.graph if result.graph is not None else Graph()
            return RawResult(form, triples=list(graph))  # type: ignore[arg-type]
        variables = [str(v) for v in (result.vars or [])]
        rows: list[tuple[Identifier | None, ...]] = [
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
