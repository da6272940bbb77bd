"""Running ppkg's queries on any SPARQL 1.1 endpoint, with bounds on what the endpoint can make ppkg do.

Bound parameters travel as a ``VALUES`` block of terms serialised in N-Triples syntax (pyoxigraph's, or
rdflib's ``n3()`` for rdflib terms; both escape literals, and neither makes a malformed IRI), placed at the
start of the outermost ``WHERE`` group, so they constrain the query exactly where in-process binding does for
ppkg's catalogued queries. The
ppkg prefixes are declared in front of the query text. Nothing is sent unless the user names an
endpoint.

The request is one SPARQL 1.1 Protocol POST made with :mod:`urllib.request` (SPARQLWrapper, the usual
client, offers only a per-read timeout and reads answers whole, so it cannot give these bounds), bounded so
that a misbehaving endpoint cannot hang or flood the caller:

- ``timeout`` covers the whole answer (connecting, the headers and every byte of the body): a watchdog
  shuts the connection down when the time is up, so an endpoint sending a byte a second is cut off too;
- the answer is read up to ``max_answer_bytes`` (:data:`DEFAULT_MAX_ANSWER_BYTES`), never further;
- no redirect is followed (a POST cannot be redirected faithfully, and a redirect may point at
  ``ftp://`` or ``file://``): the error names where the endpoint points;
- the answer is parsed by Oxigraph's own SPARQL results and RDF parsers, chosen by its media type; an
  empty, cut-off or wrongly shaped answer, a web page, or a result of the wrong form (a boolean for a
  ``SELECT``) is an :class:`~ppkg.errors.EndpointError`, never an empty result.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import Message
from typing import IO, Any

import pyoxigraph as ox

from ppkg.errors import EndpointError, QuerySyntaxError, QueryTimeoutError
from ppkg.query.engines import Bound, OxRow, RawResult
from ppkg.query.safety import blank_tokens, is_http_url
from ppkg.rdf.namespaces import sparql_prologue
from ppkg.rdf.terms import OX_TERMS, from_ox
from ppkg.rdf.text import visible

DEFAULT_TIMEOUT = 30.0
"""Seconds the whole answer of an endpoint may take (connecting, waiting and reading)."""

DEFAULT_MAX_ANSWER_BYTES = 100 * 1024 * 1024
"""The largest answer, in bytes, read from an endpoint (100 MiB); a larger one is an error, never cut short."""

_WHERE_OPEN = re.compile(r"(?<![\w?$:])WHERE\s*\{", re.IGNORECASE)
_GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
_ACCEPT = {
    "results": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
    "graph": "application/n-triples, text/turtle;q=0.9",
}
_GRAPH_MEDIA_TYPES = ("application/n-triples", "text/turtle", "text/plain")
_CHUNK = 1 << 16


def inject_values(query: str, bindings: Mapping[str, Bound]) -> str:
    """Return ``query`` with a ``VALUES`` block for ``bindings`` at the start of its outer ``WHERE`` group."""
    if not bindings:
        return query
    names = sorted(bindings)
    try:
        row = " ".join(str(term) if isinstance(term, OX_TERMS) else term.n3() for term in (bindings[n] for n in names))
    except Exception as err:  # rdflib raises a bare Exception for IRIs it cannot serialise
        raise QuerySyntaxError(f"cannot send a bound value to an endpoint: {err}") from None
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }} "
    masked = blank_tokens(query)
    match = _WHERE_OPEN.search(masked) or re.search(r"\{", masked)
    if match is None:
        raise QuerySyntaxError("cannot bind parameters: the query has no WHERE group")
    return query[: match.end()] + block + query[match.end() :]


class RemoteEngine:
    """A SPARQL 1.1 endpoint reached over HTTP(S), within a time and a size bound per answer."""

    name = "remote"
    runs_in_python = False

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        if not is_http_url(endpoint):
            raise EndpointError(f"not an http(s) endpoint URL: {endpoint!r}")
        if not timeout > 0:
            raise EndpointError(f"the endpoint timeout must be more than 0 seconds, not {timeout!r}")
        if max_answer_bytes < 1:
            raise EndpointError(f"the largest answer must be at least 1 byte, not {max_answer_bytes!r}")
        self.endpoint = endpoint
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes

    def execute(self, query: str, form: str, bindings: Mapping[str, Bound]) -> RawResult:
        """Send the query with its bindings as ``VALUES``; read and parse the endpoint's answer."""
        text = sparql_prologue() + inject_values(query, bindings)
        graph = form in _GRAPH_FORMS
        body, media_type = self._fetch(text, _ACCEPT["graph" if graph else "results"])
        if not body.strip():
            raise self._error(
                "the endpoint sent an empty answer (it may have cancelled the query at its own time limit)"
            )
        if media_type == "text/html":
            raise self._error(
                "the endpoint answered with a web page (text/html), not SPARQL results: "
                "is this the endpoint's query URL?"
            )
        return self._graph(body, form, media_type) if graph else self._results(body, form, media_type)

    # -- the request ------------------------------------------------------------------------------------

    def _fetch(self, text: str, accept: str) -> tuple[bytes, str]:
        """POST the query; the answer's body (at most :attr:`max_answer_bytes`) and its media type."""
        request = urllib.request.Request(
            self.endpoint,
            data=urllib.parse.urlencode({"query": text}).encode("utf-8"),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            method="POST",
        )
        watchdog = _Watchdog(self.timeout)
        opener = urllib.request.build_opener(
            _NoRedirect(), _WatchedHTTPHandler(watchdog), _WatchedHTTPSHandler(watchdog)
        )
        try:
            with opener.open(request, timeout=self.timeout) as response:
                self._check_length(response.headers)
                body = self._read(response)
                if watchdog.expired:  # the watchdog ended the read: what arrived is not the whole answer
                    raise self._timeout()
                return body, response.headers.get_content_type()
        except (EndpointError, QueryTimeoutError):
            raise
        except urllib.error.HTTPError as err:
            with err:
                raise self._http_error(err) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as err:
            # URLError/OSError: refused, reset, unreachable, timed out; HTTPException: not an HTTP answer
            if watchdog.expired or isinstance(err, TimeoutError) or isinstance(_reason(err), TimeoutError):
                raise self._timeout() from None
            if isinstance(err, http.client.HTTPException) and not isinstance(err, http.client.RemoteDisconnected):
                raise self._error(f"not an HTTP answer: {_first_line(err)}") from None
            raise self._error(f"cannot reach the endpoint: {_first_line(_reason(err))}") from None
        finally:
            watchdog.cancel()

    def _check_length(self, headers: Message) -> None:
        declared = headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > self.max_answer_bytes:
            raise self._too_large(f"{_size(int(declared))}, more than the limit of {_size(self.max_answer_bytes)}")

    def _read(self, response: IO[bytes]) -> bytes:
        """The body, read in pieces (so the watchdog can end it) and never past the size limit."""
        chunks: list[bytes] = []
        size = 0
        read1 = getattr(response, "read1", response.read)
        while chunk := read1(_CHUNK):
            size += len(chunk)
            if size > self.max_answer_bytes:
                raise self._too_large(f"more than the limit of {_size(self.max_answer_bytes)}")
            chunks.append(chunk)
        return b"".join(chunks)

    # -- the answer -------------------------------------------------------------------------------------

    def _results(self, body: bytes, form: str, media_type: str) -> RawResult:
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        if results_format is None:
            raise self._error(f"the answer is {media_type}, not SPARQL results (JSON, XML, CSV or TSV)")
        try:
            parsed = ox.parse_query_results(body, format=results_format)
            if isinstance(parsed, ox.QueryBoolean):
                if form != "ASK":
                    raise self._error(f"the endpoint answered a {form} query with a yes/no (ASK) result")
                return RawResult(form, boolean=bool(parsed))
            if form == "ASK":
                raise self._error("the endpoint answered an ASK query with rows, not a yes/no result")
            variables = [v.value for v in parsed.variables]
            count = len(variables)
            rows: list[OxRow] = [tuple(solution[i] for i in range(count)) for solution in parsed]
        except (SyntaxError, ValueError, TypeError) as err:
            raise self._malformed(err) from None
        return RawResult(form, variables=variables, ox_rows=rows)

    def _graph(self, body: bytes, form: str, media_type: str) -> RawResult:
        if media_type not in _GRAPH_MEDIA_TYPES:
            raise self._error(f"the answer is {media_type}, not an RDF graph (N-Triples or Turtle)")
        rdf_format = ox.RdfFormat.TURTLE if media_type == "text/turtle" else ox.RdfFormat.N_TRIPLES
        try:
            triples = [
                (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in ox.parse(body, rdf_format)
            ]
        except (SyntaxError, ValueError, TypeError) as err:
            raise self._malformed(err) from None
        return RawResult(form, triples=triples)  # type: ignore[arg-type]

    # -- errors: one line each, naming the endpoint -----------------------------------------------------

    def _error(self, message: str) -> EndpointError:
        return EndpointError(f"{visible(self.endpoint, newlines=False)}: {message}")

    def _timeout(self) -> QueryTimeoutError:
        return QueryTimeoutError(
            f"{visible(self.endpoint, newlines=False)}: timed out: no complete answer within {self.timeout:g} s "
            "(raise the limit with --timeout)"
        )

    def _too_large(self, how: str) -> EndpointError:
        return self._error(
            f"the answer is too large ({how}); narrow the query or add a LIMIT, or raise the limit with "
            "--max-result-size"
        )

    def _malformed(self, err: BaseException) -> EndpointError:
        message = _first_line(err)
        if "end of file" in message.lower():
            message += " (the answer stops early: the endpoint may have cut it off at its own time limit)"
        return self._error(f"malformed answer: {message}")

    def _http_error(self, err: urllib.error.HTTPError) -> EndpointError:
        if 300 <= err.code < 400:
            target = err.headers.get("Location", "") if err.headers else ""
            where = f" to {visible(target, newlines=False)!r}" if target else ""
            return self._error(
                f"the endpoint redirects (HTTP {err.code}){where}; ppkg follows no redirects: "
                "give the endpoint's own http(s) URL"
            )
        try:
            detail = [line.strip() for line in err.read(4096).decode(errors="replace").splitlines() if line.strip()]
        except (OSError, http.client.HTTPException):
            detail = []
        reason = f": {visible(detail[0][:300], newlines=False)}" if detail else ""
        return self._error(f"HTTP {err.code} {err.reason}{reason}")


# -- bounded HTTP ------------------------------------------------------------------------------------------


class _Watchdog:
    """Shuts the watched sockets down once ``seconds`` have passed (a blocked read then returns at once)."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down when the time is up (at once if it already is)."""
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shutdown(sock)

    def cancel(self) -> None:
        """Stop the timer (the answer is complete, or failed otherwise)."""
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _watched(base: type[http.client.HTTPConnection], watchdog: _Watchdog) -> Any:
    """A subclass of ``base`` whose socket ``watchdog`` watches from the moment it connects."""

    class Watched(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            super().connect()
            watchdog.watch(self.sock)

    return Watched


class _WatchedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._connection = _watched(http.client.HTTPConnection, watchdog)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class _WatchedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._connection = _watched(http.client.HTTPSConnection, watchdog)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Follows no redirect: the 3xx answer becomes an :class:`urllib.error.HTTPError` naming its target."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> None:
        return None


def _reason(err: BaseException) -> object:
    return getattr(err, "reason", None) or err


def _first_line(err: object) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return visible(lines[0][:300], newlines=False) if lines else type(err).__name__


def _size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"
