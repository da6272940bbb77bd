"""``ppkg publish``: replace ppkg's graphs in a SPARQL 1.1 Graph Store, then ask the store what it holds.

Each local named graph is sent with a Graph Store Protocol ``PUT ?graph=IRI`` (which replaces the graph);
a large graph goes as a ``PUT`` of its first part and ``POST`` s (appends) of the rest, every statement
with a blank node in the first part. ppkg's graphs (IRIs under ``https://w3id.org/ppkg/id/graph/``) that
the store holds but the local data no longer has (a withdrawn contribution) are deleted.

The default graph: stores differ. In Virtuoso (and Fuseki with ``unionDefaultGraph``) it is a view of all
named graphs; in Oxigraph it is a graph of its own. ppkg asks the store which (it puts a one-statement
probe graph, asks whether the default graph sees it, and deletes it) and, where the default graph is a
graph of its own, replaces it with the current view (the union of the named graphs minus the statements
that corrections supersede), which is what the catalogued queries read in-process.

Afterwards it asks the store, through its SPARQL query endpoint, how many statements each graph holds, and
raises :class:`~ppkg.errors.EndpointError` unless every count equals the local one. An answer that is not
the protocol's (an HTML page with status 200, for instance) is an error too. Nothing is sent anywhere but
the URLs given.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from ppkg.errors import EndpointError
from ppkg.query.engines import OxigraphEngine
from ppkg.query.safety import is_http_url
from ppkg.rdf.io import GraphFile
from ppkg.rdf.namespaces import ID
from ppkg.rdf.union import materialise

PPKG_GRAPHS = str(ID["graph/"])
"""Graphs whose IRI starts with this are ppkg's: publish replaces them and removes those no longer local."""

CHUNK_TRIPLES = 50_000
"""Statements per request for a large graph (the first part is a ``PUT``, the rest ``POST`` s)."""

PASSWORD_VARIABLE = "PPKG_STORE_PASSWORD"
"""The environment variable ``ppkg publish --user`` reads the store's password from."""

_QUERY_ENDPOINTS = (  # the Graph Store path a store uses -> its SPARQL query path
    ("/sparql-graph-crud-auth", "/sparql-auth"),  # Virtuoso, authenticated
    ("/sparql-graph-crud", "/sparql"),  # Virtuoso
    ("/store", "/query"),  # Oxigraph server
    ("/data", "/query"),  # Fuseki
    ("/rdf-graphs/service", ""),  # GraphDB, RDF4J
)

Progress = Callable[[int, int], None]
"""Called with (statements sent so far, statements to send)."""


@dataclass(frozen=True)
class GraphCount:
    """A graph, the statements it holds locally, and what the store says it holds after publishing."""

    graph: str
    local: int
    store: int | None = None


@dataclass(frozen=True)
class Publication:
    """What :func:`publish` did (or, with ``dry_run``, would do)."""

    store_url: str
    query_url: str
    replaced: list[GraphCount]
    removed: list[str]
    default: str
    """``"union"`` (the store's default graph is the union of its named graphs), ``"replaced"`` (ppkg put the
    current view there), or ``"unknown"`` (a dry run does not ask)."""
    superseded: int = 0
    """Statements superseded by corrections that a union default graph still shows."""
    dry_run: bool = False
    statements: int = field(default=0)

    def lines(self) -> list[str]:
        """The plan (dry run) or the result, one line per graph, then a summary line."""
        verb = ("replace", "remove") if self.dry_run else ("replaced", "removed")
        out = [f"{verb[0]} <{g.graph}> ({g.local:,} statements)" for g in self.replaced]
        out += [f"{verb[1]} <{g}>" for g in self.removed]
        return out


class GraphStore:
    """A SPARQL 1.1 Graph Store and its query endpoint, reached with urllib (optionally with credentials)."""

    def __init__(
        self,
        store_url: str,
        *,
        query_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        if not is_http_url(store_url):
            raise EndpointError(f"not an http(s) Graph Store URL: {store_url!r}")
        if query_url is not None and not is_http_url(query_url):
            raise EndpointError(f"not an http(s) SPARQL endpoint URL: {query_url!r}")
        self.store_url = store_url
        self.query_url = query_url or query_endpoint_of(store_url)
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = []
        if user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (self.store_url, self.query_url):
                passwords.add_password(None, url, user, password or "")
            handlers += [
                urllib.request.HTTPDigestAuthHandler(passwords),
                urllib.request.HTTPBasicAuthHandler(passwords),
            ]
        self._opener = urllib.request.build_opener(*handlers)

    # -- Graph Store Protocol ----------------------------------------------------------------------------

    def _graph_url(self, graph: str | None) -> str:
        query = urllib.parse.urlencode({"graph": graph} if graph is not None else {"default": ""})
        separator = "&" if urllib.parse.urlsplit(self.store_url).query else "?"
        return f"{self.store_url}{separator}{query}"

    def send(self, method: str, graph: str | None, body: bytes | None = None) -> None:
        """``PUT``/``POST`` N-Triples to, or ``DELETE``, one graph (``None``: the default graph)."""
        headers = {"Content-Type": "application/n-triples"} if body is not None else {}
        request = urllib.request.Request(self._graph_url(graph), data=body, method=method, headers=headers)
        status, content_type, answer = self._open(request, self.store_url, store=True)
        if status == 404 and method == "DELETE":
            return
        html = _is_html(content_type, answer)
        if status in (200, 201, 204) and not html:
            return
        if status >= 300 and status not in (404, 405, 501):  # the store's own complaint about the request
            detail = _text_of(answer)
            raise EndpointError(f"{self.store_url}: HTTP {status} to {method}{': ' + detail if detail else ''}")
        what = "an HTML page" if status < 300 else f"HTTP {status}"
        raise EndpointError(
            f"{self.store_url}: answered {method} with {what}, not a Graph Store Protocol answer "
            "(is this the store's Graph Store URL, e.g. …/sparql-graph-crud or …/store?)"
        )

    # -- SPARQL query endpoint ---------------------------------------------------------------------------

    def select(self, query: str) -> list[dict[str, str]]:
        """Run a SELECT on the store's query endpoint; the rows as {variable: lexical value}."""
        body = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(
            self.query_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
        )
        status, _, answer = self._open(request, self.query_url)
        try:
            doc = json.loads(answer)
            bindings = doc["results"]["bindings"]
            return [{k: str(v["value"]) for k, v in b.items()} for b in bindings]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise EndpointError(
                f"{self.query_url}: HTTP {status} but not SPARQL JSON results (is this the store's SPARQL "
                "query endpoint? name it with --endpoint)"
            ) from None

    def ask(self, query: str) -> bool:
        """Run an ASK on the store's query endpoint."""
        body = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(
            self.query_url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
        )
        _, _, answer = self._open(request, self.query_url)
        try:
            value = json.loads(answer)["boolean"]
        except (ValueError, KeyError, TypeError):
            raise EndpointError(f"{self.query_url}: not a SPARQL JSON boolean answer to ASK") from None
        return bool(value)

    def ppkg_graphs(self) -> dict[str, int]:
        """ppkg's graphs in the store and how many statements each holds."""
        rows = self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{PPKG_GRAPHS}")) }} GROUP BY ?g'
        )
        return {row["g"]: int(row["n"]) for row in rows if "g" in row and "n" in row}

    def default_count(self) -> int:
        """How many statements the store's default graph holds."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"]) if rows and "n" in rows[0] else 0

    def default_is_union(self) -> bool:
        """Whether the store's default graph shows what its named graphs hold (asked with a probe graph)."""
        probe = f"{PPKG_GRAPHS}publish-probe"
        subject = f"urn:uuid:{uuid.uuid4()}"
        self.send("PUT", probe, f'<{subject}> <http://www.w3.org/2000/01/rdf-schema#comment> "probe" .\n'.encode())
        try:
            return self.ask(f"ASK {{ <{subject}> ?p ?o }}")
        finally:
            self.send("DELETE", probe)

    def _open(self, request: urllib.request.Request, url: str, *, store: bool = False) -> tuple[int, str, bytes]:
        """Send a request; its status, content type and body. ``store``: the caller judges error statuses."""
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return int(response.status), str(response.headers.get("Content-Type", "")), response.read()
        except urllib.error.HTTPError as err:
            if err.code in (401, 403):
                hint = f"; give --user and set {PASSWORD_VARIABLE}" if err.code == 401 else ""
                raise EndpointError(f"{url}: HTTP {err.code} {err.reason}: not allowed{hint}") from None
            if store:
                return int(err.code), str(err.headers.get("Content-Type", "")), err.read(65536)
            detail = _text_of(err.read(4096))
            raise EndpointError(f"{url}: HTTP {err.code} {err.reason}{': ' + detail if detail else ''}") from None
        except TimeoutError:
            raise EndpointError(f"{url}: no answer within {self.timeout:g} s") from None
        except (urllib.error.URLError, OSError, ValueError) as err:
            reason = getattr(err, "reason", None) or err
            raise EndpointError(f"{url}: cannot reach the store: {_first_line(reason)}") from None


def query_endpoint_of(store_url: str) -> str:
    """The SPARQL query URL that goes with a Graph Store URL (Virtuoso, Oxigraph, Fuseki, GraphDB paths)."""
    parts = urllib.parse.urlsplit(store_url)
    for store_path, query_path in _QUERY_ENDPOINTS:
        if parts.path.endswith(store_path):
            path = parts.path[: -len(store_path)] + query_path
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    raise EndpointError(
        f"cannot tell the SPARQL query endpoint of the store {store_url} (needed to check what it holds); "
        "name it with --endpoint"
    )


def publish(
    files: Iterable[GraphFile],
    store_url: str,
    *,
    endpoint: str | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 120.0,
    dry_run: bool = False,
    progress: Progress | None = None,
    chunk: int = CHUNK_TRIPLES,
) -> Publication:
    """Replace ppkg's graphs in the store with the local ones, remove the stale ones, and verify the counts.

    ``endpoint`` is the store's SPARQL query URL (default: derived from ``store_url``); ``dry_run`` only
    asks the store which ppkg graphs it holds and returns the plan. Raises :class:`EndpointError` when
    the store cannot be reached, answers outside the protocol, or holds other counts afterwards.
    """
    store = GraphStore(store_url, query_url=endpoint, user=user, password=password, timeout=timeout)
    engine = OxigraphEngine.from_files(files)
    graphs = sorted(str(g.value) for g in engine.store.named_graphs() if isinstance(g, ox.NamedNode))
    local = {g: len(list(engine.store.quads_for_pattern(None, None, None, ox.NamedNode(g)))) for g in graphs}
    remote = store.ppkg_graphs()
    stale = sorted(g for g in remote if g not in local)
    replaced = [GraphCount(g, local[g]) for g in graphs]
    if dry_run:
        return Publication(store_url, store.query_url, replaced, stale, "unknown", dry_run=True)

    total = sum(local.values())
    sent = 0
    if progress:
        progress(0, total)
    for graph in graphs:
        for number, body in enumerate(_parts(engine.store, ox.NamedNode(graph), chunk)):
            store.send("PUT" if number == 0 else "POST", graph, body)
            sent += body.count(b"\n")
            if progress:
                progress(sent, total)
        if local[graph] == 0:
            store.send("PUT", graph, b"")
    for graph in stale:
        store.send("DELETE", graph)

    materialise(engine.store, engine.union)
    current = len(list(engine.store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    superseded = 0
    if store.default_is_union():
        default = "union"
        union = {
            (q.subject, q.predicate, q.object)
            for g in graphs
            for q in engine.store.quads_for_pattern(None, None, None, ox.NamedNode(g))
        }
        superseded = len(union) - current
    else:
        default = "replaced"
        for number, body in enumerate(_parts(engine.store, ox.DefaultGraph(), chunk)):
            store.send("PUT" if number == 0 else "POST", None, body)

    counted = store.ppkg_graphs()
    checked = [GraphCount(g, local[g], counted.get(g, 0)) for g in graphs]
    wrong = [c for c in checked if c.store != c.local]
    left = [g for g in counted if g not in local]
    if wrong:
        first = wrong[0]
        more = f" (and {len(wrong) - 1} other graphs differ)" if len(wrong) > 1 else ""
        raise EndpointError(
            f"{store_url}: after publishing, the store holds {first.store:,} statements in <{first.graph}>, "
            f"not {first.local:,}{more}"
        )
    if left:
        raise EndpointError(f"{store_url}: after publishing, the store still holds the removed graph <{left[0]}>")
    if default == "replaced":
        held = store.default_count()
        if held != current:
            raise EndpointError(
                f"{store_url}: after publishing, the store's default graph holds {held:,} statements, not {current:,}"
            )
    return Publication(store_url, store.query_url, checked, stale, default, superseded, statements=total)


def _parts(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph, size: int) -> Iterator[bytes]:
    """The graph as N-Triples in parts of at most ``size`` statements (every blank-node statement in the first)."""
    with_blank: list[str] = []
    plain: list[str] = []
    for quad in store.quads_for_pattern(None, None, None, graph):
        line = f"{quad.subject} {quad.predicate} {quad.object} .\n"
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            with_blank.append(line)
        else:
            plain.append(line)
    plain.sort()
    first = max(size - len(with_blank), 0)
    yield "".join(sorted(with_blank) + plain[:first]).encode("utf-8")
    for start in range(first, len(plain), size):
        yield "".join(plain[start : start + size]).encode("utf-8")


def _is_html(content_type: str, body: bytes) -> bool:
    head = body.lstrip()[:200].lower()
    return bool(head) and ("html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html", b"<?xml")))


def _text_of(body: bytes) -> str:
    """The first meaningful line of an error body (an HTML page's text, without its markup)."""
    import re

    text = re.sub(r"<[^>]+>", "\n", body.decode(errors="replace"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("<!")]
    meaningful = [line for line in lines if not re.fullmatch(r"(?i)(error|\d{3}.*|virtuoso.*)", line)]
    return (meaningful or lines or [""])[0][:300]


def _first_line(err: object) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def summary(publication: Publication) -> str:
    """The one-line result of a publish."""
    removed = f", removed {len(publication.removed)}" if publication.removed else ""
    return (
        f"published {len(publication.replaced)} graphs ({publication.statements:,} statements{removed}) to "
        f"{publication.store_url}; the store holds the same count in every graph"
    )
