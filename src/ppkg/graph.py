"""The :class:`KnowledgeGraph`: the shipped graph (and any extra files), queryable by name or by SPARQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ppkg.errors import ParameterError
from ppkg.progress import SILENT, Progress
from ppkg.query.catalogue import Catalogue, QuerySpec
from ppkg.query.engines import Bound, Engine, OxigraphEngine, RdflibEngine
from ppkg.query.limits import DEFAULT_QUERY_TIMEOUT, run_with_timeout
from ppkg.query.names import LabelIndex
from ppkg.query.notes import broader_topic_note
from ppkg.query.params import ParamValue, bind_params, bind_terms
from ppkg.query.reasoning import DEFAULT_TIMEOUT as DEFAULT_REASON_TIMEOUT
from ppkg.query.reasoning import PROFILES, infer
from ppkg.query.remote import inject_values
from ppkg.query.results import QueryResult
from ppkg.query.safety import CheckedQuery, check_query, unprojected
from ppkg.rdf.compiled import OpenGraph, StoreStatus, open_store, sync
from ppkg.rdf.compiled import status as store_state
from ppkg.rdf.datadir import graph_files, own_data_directory
from ppkg.rdf.io import GraphFile, check_input, load_dataset, syntax_of
from ppkg.rdf.terms import as_term

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Dataset, Graph, URIRef
    from rdflib.term import Identifier

    from ppkg.present.similarity import Gap, Similarity
    from ppkg.present.site import SiteReport
    from ppkg.present.topics import TopicSets
    from ppkg.query.describe import Fact

ENGINES = ("oxigraph", "rdflib")
"""The in-process engines: ``oxigraph`` (default, fast) and ``rdflib`` (reference)."""


class KnowledgeGraph:
    """The parent partner program knowledge graph.

    Holds the ontology, vocabularies and data as named graphs; the default graph of every query is
    their union. Queries run on ``engine`` (``"oxigraph"`` by default, or ``"rdflib"``); the rdflib
    :class:`~rdflib.Dataset` is always available as :attr:`dataset`.
    """

    def __init__(
        self,
        files: Sequence[GraphFile] = (),
        *,
        engine: str | Engine = "oxigraph",
        reason: str | None = None,
        reason_timeout: float = DEFAULT_REASON_TIMEOUT,
        timeout: float | None = DEFAULT_QUERY_TIMEOUT,
        store: Path | None = None,
    ) -> None:
        if reason is not None and reason not in PROFILES:
            raise ParameterError(f"unknown reasoning profile {reason!r}; use one of {', '.join(PROFILES)}")
        self.files = list(files)
        self.reason = reason
        self.reason_timeout = reason_timeout
        self.timeout = timeout
        self.store_directory = store if reason is None else None
        """The data directory whose persistent store answers queries (``None``: the files are read into memory)."""
        self._given_engine: Engine | None = None
        self._opened: OpenGraph | None = None
        if isinstance(engine, str):
            if engine not in ENGINES:
                raise ParameterError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
            self.engine_name = engine
        else:
            self._given_engine = engine
            self.engine_name = engine.name
        self._catalogue: Catalogue | None = None

    # -- stores -------------------------------------------------------------------------------------

    @cached_property
    def dataset(self) -> Dataset:
        """The graph as an rdflib :class:`~rdflib.Dataset`; its default graph is what queries see: the union of
        the named graphs without the statements corrections supersede.

        With reasoning on, the inferred triples are in the named graph :data:`INFERENCE_GRAPH`.
        """
        if self._given_engine is not None:
            raise ParameterError("a graph on a remote endpoint has no local dataset")
        from ppkg.rdf.namespaces import INFERENCE_GRAPH

        dataset = load_dataset(self.files)
        if self.inferred is not None:
            target = dataset.graph(INFERENCE_GRAPH)
            for triple in self.inferred:
                target.add(triple)
                dataset.default_graph.add(triple)  # the default graph is the current view, not a live union
        return dataset

    @cached_property
    def _oxigraph(self) -> OxigraphEngine:
        """The Oxigraph store of the files: the data directory's persistent store (brought up to date first),
        or an in-memory one; reasoning reads it, then :attr:`engine` adds any inferences to it."""
        if self.store_directory is not None:
            self._opened = open_store(self.store_directory, self.files)
            return OxigraphEngine.of(self._opened)
        return OxigraphEngine.from_files(self.files)

    @cached_property
    def inferred(self) -> Graph | None:
        """The triples reasoning adds (``None`` when reasoning is off)."""
        if self.reason is None:
            return None
        nquads = self._oxigraph.store.dump(format=ox.RdfFormat.N_QUADS) or b""
        return infer(nquads, self.reason, timeout=self.reason_timeout)

    @cached_property
    def engine(self) -> Engine:
        """The engine queries run on."""
        if self._given_engine is not None:
            return self._given_engine
        if self.engine_name == "rdflib":
            return RdflibEngine(self.dataset)
        inferred = self.inferred  # computed from the asserted store before the store is extended below
        oxigraph = self._oxigraph
        if inferred is not None:
            from ppkg.rdf.namespaces import INFERENCE_GRAPH

            oxigraph.add_graph(str(INFERENCE_GRAPH), inferred)
        return oxigraph

    @cached_property
    def labels(self) -> LabelIndex:
        """The names of things, for :meth:`resolve` (each kind indexed once, on first use; with a persistent
        store, once per generation of the store, which keeps the index beside it)."""
        engine = self.engine
        opened = self._opened if self._given_engine is None and self.engine_name == "oxigraph" else None
        return LabelIndex(engine, cache=opened.cached if opened is not None else None)

    @property
    def catalogue(self) -> Catalogue:
        """The catalogued queries."""
        if self._catalogue is None:
            self._catalogue = Catalogue()
        return self._catalogue

    # -- querying -----------------------------------------------------------------------------------

    def query(self, sparql: str | CheckedQuery, **bindings: Any) -> QueryResult:
        """Run read-only SPARQL, with ``bindings`` bound to variables of the same name.

        Values that are rdflib (or pyoxigraph) terms are bound as they are; other Python values become
        literals (pass :class:`rdflib.URIRef` to bind an IRI). The text goes through the query guard
        (:func:`~ppkg.query.safety.check_query`), which reads it with rdflib's SPARQL parser; ppkg's own
        queries come as a :class:`~ppkg.query.safety.CheckedQuery` (see :func:`~ppkg.query.catalogue.read_form`)
        and run as they are. A variable the query does not select is bound by
        a ``VALUES`` block at the start of its ``WHERE`` group, the others as pre-bound variables; both
        give the same answer on every engine. The ppkg prefixes are pre-declared.

        >>> import ppkg
        >>> kg = ppkg.load()
        >>> oregon = kg.query("SELECT ?l WHERE { ?p ppkg:state ?s ; rdfs:label ?l }", s=ppkg.ID["state/or"])
        >>> oregon.column("l")
        ['Morrison Child & Family Services']
        """
        terms: dict[str, Bound] = {k: as_term(v) for k, v in bindings.items()}
        if loose := unprojected(sparql, terms):
            values = {k: terms.pop(k) for k in loose}
            if isinstance(sparql, CheckedQuery):
                sparql = dataclasses.replace(sparql, text=inject_values(sparql.text, values))
            else:
                sparql = inject_values(sparql, values)
        return self._execute(sparql, terms)

    def run(self, name: str, **params: ParamValue) -> QueryResult:
        """Run the catalogued query ``name`` with its parameters.

        A parameter takes the Python value that fits its type (``int``, ``datetime.date``, a ``URIRef``
        or a name for a thing) or its text as typed on the command line; ``None`` means its default.
        :attr:`QueryResult.notes` says, for a topic, which broader topic reaches more programs.

        >>> import ppkg
        >>> kg = ppkg.load()
        >>> sorted(r.programLabel for r in kg.run("programs-by-rating", rating="promising"))
        ['Iowa Parent Partner Approach', 'Parents Anonymous']
        """
        spec = self.catalogue.get(name)
        bindings: dict[str, Bound] = dict(bind_terms(spec, params, lambda: self.labels))
        checked = spec.checked  # a shipped query's form and projection are known without parsing it
        if loose := unprojected(checked, bindings):
            text = inject_values(checked.text, {k: bindings.pop(k) for k in loose})
            checked = dataclasses.replace(checked, text=text) if spec.trusted else check_query(text)
        result = self._execute(checked, bindings)
        for param in spec.params:
            if param.type == "topic" and isinstance(topic := bindings.get(param.name), ox.NamedNode):
                if note := broader_topic_note(self, topic):
                    result.notes.append(note)
        return result

    def bind(self, spec: QuerySpec, params: Mapping[str, object]) -> dict[str, Identifier]:
        """Resolve the parameter values of a catalogued query (typed or as text) to terms."""
        return bind_params(spec, params, lambda: self.labels)

    def resolve(self, kind: str, value: str) -> URIRef:
        """The IRI of the thing of ``kind`` that ``value`` names (a name, a unique prefix or word, or an IRI).

        ``kind`` is ``topic``, ``program``, ``rating``, ``state``, ``setting``, ``role``,
        ``organization``, ``framework``, ``scale`` or ``thing`` (anything with a name).
        """
        from rdflib import URIRef

        return URIRef(self.labels.resolve_iri(kind, value))

    def label(self, iri: str) -> str:
        """The display label of an entity."""
        return self.labels.label(str(iri))

    def describe(self, thing: str) -> tuple[URIRef, list[Fact]]:
        """Everything the graph states about ``thing`` (a name, slug or IRI), each with its sources."""
        from ppkg.query.describe import facts_about

        iri = self.resolve("thing", thing)
        return iri, facts_about(self, iri)

    # -- presenting ---------------------------------------------------------------------------------

    @cached_property
    def topic_sets(self) -> TopicSets:
        """Every program's training topics as sets, with the topic hierarchy (read once, by two catalogued
        queries: ``program-topics`` and ``topic-hierarchy``)."""
        from ppkg.present.topics import TopicSets

        return TopicSets.of(self)

    def to_networkx(self, view: str = "topics", *, rollup: bool = False) -> nx.Graph:
        """One view of the graph as a networkx graph: ``topics`` (program–topic, bipartite; ``rollup`` adds the
        broader topics), ``lineage`` (based on / affiliate of / grew out of) or ``roles`` (roles, functions,
        frameworks). Nodes are IRIs with ``label``, ``iri`` and ``kind``; edges carry their source ``graph``.

        >>> import ppkg
        >>> g = ppkg.load().to_networkx("lineage")
        >>> g.nodes[str(ppkg.ID["program/kentucky-start"])]["label"]
        'START'
        """
        from ppkg.present.views import to_networkx as view_of

        return view_of(self, view, rollup=rollup, sets=self.topic_sets if view == "topics" else None)

    def similar(self, program: str, top: int | None = 10) -> list[Similarity]:
        """Programs ranked by how alike their training is to ``program``'s (weighted Jaccard over topics and
        their broader topics), each with the shared and differing topics; at most ``top``.

        >>> import ppkg
        >>> ppkg.load().similar("Iowa Parent Partner Approach", top=1)[0].label
        'NorthCare'
        """
        from ppkg.present.similarity import similar as rank_similar

        iri = self.resolve("program", program)
        return rank_similar(self.topic_sets, str(iri), self.label(iri), top)

    def gaps(self, program: str, min_programs: int = 3) -> list[Gap]:
        """Topics that at least ``min_programs`` other programs train on and ``program`` does not (neither the
        topic nor a narrower one), most common first, each with the programs that do."""
        from ppkg.present.similarity import gaps as find_gaps

        iri = self.resolve("program", program)
        return find_gaps(self.topic_sets, str(iri), self.label(iri), min_programs)

    def site(self, directory: str | Path) -> SiteReport:
        """Write the browsable static site of the graph into ``directory`` (new, empty, or a site built before):
        a page per thing at the path of its IRI (``id/program/x.html``) with its statements as JSON-LD, the
        query catalogue with current answers, the ontology, the pictures. Works offline; the same graph gives
        the same bytes."""
        from ppkg.present.site import build_site  # Jinja2 and the templates are loaded on first use

        return build_site(self, directory, sets=self.topic_sets, catalogue=self.catalogue)

    def export(self, fmt: str = "trig", graph: str | None = None) -> str:
        """The whole graph, or one named graph, as Turtle, TriG, N-Quads, N-Triples or JSON-LD."""
        from ppkg.rdf.export import export as export_dataset

        return export_dataset(self.dataset, fmt, graph)

    def _execute(self, sparql: str | CheckedQuery, bindings: Mapping[str, Bound]) -> QueryResult:
        # the guard, on every engine (remote too): refuses SERVICE, FROM, LOAD and updates on the parsed query;
        # engines run the checked text, which every parser reads the same way (a shipped query comes checked)
        checked = sparql if isinstance(sparql, CheckedQuery) else check_query(sparql)
        if missing := unprojected(checked, bindings):
            raise ParameterError(
                f"bound variable ?{missing[0]} must be selected: add it to the SELECT clause (SEP-0007 binding)"
            )
        engine = self.engine
        raw = run_with_timeout(
            lambda: engine.execute(checked.text, checked.form, bindings),
            self.timeout,
            runs_in_python=engine.runs_in_python,
        )
        return QueryResult(raw, bound=bindings)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph files={len(self.files)} engine={self.engine_name!r}>"


def load(
    *extra: str | Path,
    engine: str = "oxigraph",
    shipped_data: bool = True,
    data_dir: str | Path | None = None,
    reason: str | None = None,
    reason_timeout: float = DEFAULT_REASON_TIMEOUT,
    timeout: float | None = DEFAULT_QUERY_TIMEOUT,
    store: bool = True,
) -> KnowledgeGraph:
    """Load the shipped knowledge graph, plus any extra RDF files.

    TriG and N-Quads files keep their own named graphs; a Turtle or N-Triples file goes into the named
    graph ``https://w3id.org/ppkg/id/graph/local/<file stem>``. ``reason`` (``"rdfs"`` or ``"owlrl"``)
    adds the entailed triples in a separate named graph, computed once, bounded by ``reason_timeout``.
    ``data_dir`` replaces the shipped data directory (source graphs plus ``contributions/``). Each query
    may take at most ``timeout`` seconds (``None``: no limit).

    A data directory of your own (``data_dir``, else ``$PPKG_DATA_DIR``) is answered from its persistent
    store in ``<data dir>/.ppkg-store/`` (:mod:`ppkg.rdf.compiled`), built on first use and brought up to
    date whenever a file changes, so a large graph is not read again for every query; ``store=False`` reads
    the files into memory instead, as happens for the shipped data, extra files and reasoning.
    """
    files = graph_files(data_dir) if shipped_data else []
    directory = own_data_directory(data_dir) if shipped_data and store and not extra else None
    files += files_of(extra)
    return KnowledgeGraph(
        files, engine=engine, reason=reason, reason_timeout=reason_timeout, timeout=timeout, store=directory
    )


def connect(endpoint: str, *, timeout: float = 30.0, max_answer_bytes: int | None = None) -> KnowledgeGraph:
    """A :class:`KnowledgeGraph` whose queries run on a remote SPARQL 1.1 endpoint.

    The endpoint must hold the ppkg graph with its default graph as the union of the named graphs
    (``ppkg serve`` starts such an endpoint). Catalogued queries, parameters and results work as
    in-process. ``timeout`` bounds each whole answer (seconds); ``max_answer_bytes`` caps its size
    (default :data:`~ppkg.query.remote.DEFAULT_MAX_ANSWER_BYTES`).
    """
    from ppkg.query.remote import DEFAULT_MAX_ANSWER_BYTES, RemoteEngine

    remote = RemoteEngine(endpoint, timeout=timeout, max_answer_bytes=max_answer_bytes or DEFAULT_MAX_ANSWER_BYTES)
    return KnowledgeGraph(engine=remote, timeout=None)  # the remote engine enforces its own deadline


def _extra_file(path: Path) -> GraphFile:
    check_input(path)  # a URL, a directory, a FIFO or a device is refused before anything is opened
    if syntax_of(path).quads:
        return GraphFile(path, None)
    from ppkg.rdf.namespaces import ID

    return GraphFile(path, str(ID[f"graph/local/{path.stem}"]))


def files_of(paths: Iterable[str | Path]) -> list[GraphFile]:
    """Graph files for user-supplied paths (TriG/N-Quads keep their graphs; others get one each)."""
    return [_extra_file(Path(p)) for p in paths]


def _store_directory(data_dir: str | Path | None) -> Path:
    directory = own_data_directory(data_dir)
    if directory is None:
        raise ParameterError(
            "the shipped data is read into memory and has no store: pass --data-dir DIR (or set PPKG_DATA_DIR)"
        )
    return directory


def store_status(data_dir: str | Path | None = None) -> StoreStatus:
    """The persistent store of a data directory (``data_dir``, else ``$PPKG_DATA_DIR``): its generation, its
    size, and whether it matches the files (see :mod:`ppkg.rdf.compiled`)."""
    directory = _store_directory(data_dir)
    return store_state(directory, graph_files(directory))


def rebuild_store(data_dir: str | Path | None = None, *, progress: Progress = SILENT) -> StoreStatus:
    """Build the persistent store of a data directory again from its files (a new generation, swapped in
    atomically; readers of the old one are not disturbed)."""
    directory = _store_directory(data_dir)
    return sync(directory, graph_files(directory), progress=progress, force=True)
