"""The guarding front of ``ppkg serve``: the HTTP server clients talk to, in front of the Oxigraph engine.

It answers only the SPARQL Protocol's read side: ``GET``/``POST`` on ``/query`` (and ``/sparql``), reads of
``/store``, and the query page with its assets. Each query is checked by ppkg's guard
(:func:`ppkg.query.safety.check_query`, run in worker processes: :mod:`ppkg.serve.guard`) before the
engine sees it, so ``SERVICE``, ``LOAD``, ``FROM`` and SPARQL Update are refused for every caller; the
engine runs the text as the guard read it (escapes expanded). Each answer is bounded in time (a late
answer is an error, never a short one) and in size (buffered up to the cap, then sent with its length),
and a query the engine cannot cancel is ended by restarting the engine.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import shutil
import socket
import socketserver
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

from ppkg.serve.backend import Engine, Lease, human_size
from ppkg.serve.guard import GuardFailedError, GuardPool, GuardTimeoutError

QUERY_PATHS = ("/query", "/sparql")
"""Paths that take SPARQL queries (``/sparql`` is where the Oxigraph query page sends them)."""
PAGE_PATHS = ("/", "/yasgui.min.js", "/yasgui.min.css", "/logo.svg")
"""The query page and its assets, passed through from the engine."""
VOID_PATH = "/.well-known/void"
"""The dataset description (DCAT/VoID, :mod:`ppkg.rdf.dataset`), at the well-known path the VoID guide names."""
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")
CANCELLED = b"The SPARQL operation has been cancelled"
"""What the Oxigraph server appends to a ``200`` answer when its own time limit cancels the query."""

_SPOOL_IN_MEMORY = 4 << 20
_CHUNK = 1 << 16
_TAIL = 256
_MAX_FIELDS = 64


@dataclass(frozen=True)
class Limits:
    """What one request may use: seconds, answer bytes, request bytes, and queries at once."""

    timeout_s: float
    max_result_bytes: int
    max_request_bytes: int = 1 << 20
    max_concurrent: int = 32
    kill_grace_s: float = 5.0


class RefusalError(Exception):
    """An answer with an error status and a one-line ``text/plain`` reason."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


class _LostError(Exception):
    """The engine went away while answering (it is being restarted)."""


class Front(ThreadingHTTPServer):
    """A threaded HTTP server on an already listening socket, answering through ``engine``."""

    daemon_threads = True
    block_on_close = False
    site: Path | None = None
    """The directory of a site built by ``ppkg site``, served beside the endpoint (:func:`answer_site`)."""

    def __init__(
        self,
        listener: socket.socket,
        engine: Engine,
        guard: GuardPool,
        limits: Limits,
        workdir: Path,
        *,
        loopback_only: bool,
        host_names: frozenset[str],
    ) -> None:
        self.address_family = listener.family
        socketserver.TCPServer.__init__(self, listener.getsockname()[:2], _Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = listener
        self.server_address = listener.getsockname()
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])
        self.engine = engine
        self.guard = guard
        self.limits = limits
        self.workdir = workdir
        self.loopback_only = loopback_only
        self.host_names = host_names
        self.slots = threading.BoundedSemaphore(limits.max_concurrent)

    def handle_error(self, request: object, client_address: object) -> None:
        """Errors are answered per request; nothing is printed."""


def timeout_message(limits: Limits) -> str:
    """The one line a client gets when its query runs past the time limit."""
    return f"the query did not finish within {limits.timeout_s:g} s (the server's time limit); narrow it or add a LIMIT"


class _Handler(BaseHTTPRequestHandler):
    server: Front
    protocol_version = "HTTP/1.1"
    server_version = "ppkg-serve"
    sys_version = ""
    timeout = 60
    _started = 0.0

    def log_message(self, format: str, *args: object) -> None:
        """No access log."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

    # --- routing -------------------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        self._started = time.monotonic()
        try:
            try:
                self._route(method)
            except RefusalError as refusal:
                self._send_text(refusal.status, refusal.message, refusal.headers, head=method == "HEAD")
            except (TimeoutError, ConnectionError):
                raise
            except Exception as err:  # one line for the client, never a traceback
                self._send_text(500, f"internal error: {type(err).__name__}: {err}", head=method == "HEAD")
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    def _route(self, method: str) -> None:
        self._check_host()
        path, _, query_string = self.path.partition("?")
        if path in QUERY_PATHS:
            self._query(method, query_string)
        elif path == "/update":
            raise RefusalError(403, "SPARQL Update is not allowed: this endpoint is read-only")
        elif path == "/store":
            if method not in ("GET", "HEAD"):
                raise RefusalError(403, "the Graph Store of this endpoint is read-only: only GET and HEAD are allowed")
            params = self._params(query_string)
            unknown = sorted(set(params) - {"graph", "default"})
            if unknown:
                raise RefusalError(400, f"unsupported Graph Store parameter: {unknown[0]}")
            target = "/store" + (f"?{urllib.parse.urlencode(params, doseq=True)}" if params else "")
            self._forward(method, "GET", target, None, self._accept())
        elif path in PAGE_PATHS:
            if method not in ("GET", "HEAD"):
                raise RefusalError(405, f"{method} is not allowed on {path}", {"Allow": "GET, HEAD"})
            self._forward(method, "GET", path, None, self._accept())
        elif path == VOID_PATH:
            _answer_void(self, method)
        elif path.startswith(ID_PATH) or self.server.site is not None:
            answer_site(self, method, path)
        else:
            raise RefusalError(404, f"not found: {path} (the SPARQL endpoint is /query)")

    def _query(self, method: str, query_string: str) -> None:
        if method in ("GET", "HEAD"):
            params = self._params(query_string)
            if not params:  # the SPARQL service description
                self._forward(method, "GET", "/query", None, self._accept())
                return
        elif method == "POST":
            self._check_origin()
            params = self._body_params()
        else:
            raise RefusalError(405, f"{method} is not allowed on a SPARQL endpoint", {"Allow": "GET, HEAD, POST"})
        text = self._guard(self._query_text(params))
        self._forward(method, "POST", "/query", text.encode("utf-8"), self._accept())

    # --- checks ----------------------------------------------------------------------------------------

    def _check_host(self) -> None:
        """On a loopback-only endpoint, refuse requests for other host names (DNS rebinding)."""
        host = self.headers.get("Host")
        if host is None or not self.server.loopback_only:
            return
        name = host.strip()
        if name.startswith("["):
            name = name[1 : name.find("]")] if "]" in name else name
        elif name.count(":") == 1:
            name = name.rsplit(":", 1)[0]
        name = name.lower()
        if name in self.server.host_names:
            return
        try:
            if ipaddress.ip_address(name).is_loopback:
                return
        except ValueError:
            pass
        raise RefusalError(403, f"Host {host!r} refused: this endpoint answers only on loopback addresses")

    def _check_origin(self) -> None:
        """Refuse a POST that a page of another origin sends (a cross-site form)."""
        origin = self.headers.get("Origin")
        if origin is None:
            return
        own = f"http://{self.headers.get('Host', '')}".lower()
        if origin.strip().lower() != own:
            raise RefusalError(
                403,
                f"cross-origin POST refused (Origin {origin.strip()}): this endpoint takes POSTs only from "
                "its own page or from clients that are not browsers",
            )

    def _guard(self, text: str) -> str:
        """The text to run, as the guard read it; refuse what reaches outside the graph or changes it."""
        limits = self.server.limits
        try:
            verdict = self.server.guard.check(text, self._started + limits.timeout_s)
        except GuardTimeoutError:
            raise RefusalError(503, timeout_message(limits)) from None
        except GuardFailedError as err:
            raise RefusalError(500, f"the query could not be checked: {err}") from None
        if verdict.refusal is not None or verdict.text is None:
            raise RefusalError(400, verdict.refusal or "the query was refused")
        return verdict.text

    # --- reading the request ---------------------------------------------------------------------------

    def _params(self, text: str) -> dict[str, list[str]]:
        try:
            return urllib.parse.parse_qs(
                text, keep_blank_values=True, strict_parsing=False, errors="strict", max_num_fields=_MAX_FIELDS
            )
        except UnicodeDecodeError:
            raise RefusalError(400, "the request parameters are not UTF-8") from None
        except ValueError:
            raise RefusalError(400, f"too many request parameters (at most {_MAX_FIELDS})") from None

    def _body_params(self) -> dict[str, list[str]]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise RefusalError(411, "send the query with a Content-Length, not chunked")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            raise RefusalError(411, "a POST needs a Content-Length")
        try:
            length = int(length_text)
        except ValueError:
            raise RefusalError(400, f"invalid Content-Length: {length_text!r}") from None
        limit = self.server.limits.max_request_bytes
        if length < 0 or length > limit:
            raise RefusalError(413, f"the request is larger than the server's limit of {human_size(limit)}")
        body = self.rfile.read(length)
        if len(body) != length:
            raise ConnectionResetError("the client closed the connection")
        media_type = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise RefusalError(400, "the request body is not UTF-8") from None
        if media_type == "application/sparql-query":
            return {"query": [text]}
        if media_type == "application/x-www-form-urlencoded":
            return self._params(text)
        if media_type == "application/sparql-update":
            raise RefusalError(403, "SPARQL Update is not allowed: this endpoint is read-only")
        raise RefusalError(
            415,
            f"unsupported Content-Type {media_type or '(none)'!r}: send application/sparql-query "
            "or application/x-www-form-urlencoded",
        )

    def _query_text(self, params: Mapping[str, list[str]]) -> str:
        if "update" in params:
            raise RefusalError(403, "SPARQL Update is not allowed: this endpoint is read-only")
        for name in DATASET_PARAMS:
            if name in params:
                raise RefusalError(
                    400, f"{name} is not allowed: the endpoint answers from its own graph (use GRAPH <iri> {{ ... }})"
                )
        queries = params.get("query", [])
        if not queries:
            raise RefusalError(400, "missing the query parameter")
        if len(queries) > 1:
            raise RefusalError(400, "more than one query parameter")
        return queries[0]

    def _accept(self) -> str:
        return self.headers.get("Accept", "*/*")

    # --- answering -------------------------------------------------------------------------------------

    def _forward(self, client_method: str, method: str, target: str, body: bytes | None, accept: str) -> None:
        limits = self.server.limits
        deadline = self._started + limits.timeout_s
        if not self.server.slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise RefusalError(
                503, f"the server is busy ({limits.max_concurrent} queries running); try again", {"Retry-After": "1"}
            )
        try:
            status, media_type, spool, size = self._fetch(method, target, body, accept, deadline)
        finally:
            self.server.slots.release()
        with spool:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(size))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if client_method != "HEAD":
                spool.seek(0)
                shutil.copyfileobj(spool, self.wfile, _CHUNK)

    def _fetch(
        self, method: str, target: str, body: bytes | None, accept: str, deadline: float
    ) -> tuple[int, str, IO[bytes], int]:
        engine = self.server.engine
        after = 0
        for _attempt in range(2):
            lease = engine.acquire(deadline, after)
            if lease is None:
                if engine.fatal is not None:
                    raise RefusalError(503, engine.fatal)
                raise RefusalError(
                    503, "the SPARQL engine is restarting and was not back in time; try again", {"Retry-After": "1"}
                )
            flight: list[int] = []  # the engine's token for this request, once it reached the engine
            try:
                return self._exchange(lease, method, target, body, accept, deadline, flight)
            except _LostError:
                # a request that never reached the engine (connection refused) is always retried
                retry_after = engine.lost(lease, flight[0], deadline) if flight else lease.generation
                if retry_after is None:
                    break
                after = retry_after
            finally:
                for token in flight:
                    engine.end(token)
        raise RefusalError(
            503,
            "the SPARQL engine stopped while answering (it is being restarted); try again",
            {"Retry-After": "1"},
        )

    def _exchange(
        self,
        lease: Lease,
        method: str,
        target: str,
        body: bytes | None,
        accept: str,
        deadline: float,
        flight: list[int],
    ) -> tuple[int, str, IO[bytes], int]:
        limits = self.server.limits
        headers = {"Accept": accept, "Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/sparql-query; charset=utf-8"
        conn: http.client.HTTPConnection | None = http.client.HTTPConnection(
            "127.0.0.1", lease.port, timeout=max(0.01, deadline - time.monotonic())
        )
        assert conn is not None
        sock: socket.socket | None = None
        response: http.client.HTTPResponse | None = None
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY, dir=str(self.server.workdir))
        try:
            conn.connect()
            flight.append(self.server.engine.begin(lease))
            conn.request(method, target, body=body, headers=headers)
            sock = conn.sock
            _set_deadline(sock, deadline)
            response = conn.getresponse()
            size = 0
            tail = b""
            while True:
                _set_deadline(sock, deadline)
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limits.max_result_bytes:
                    raise RefusalError(
                        507,
                        f"the answer is larger than the server's limit of {human_size(limits.max_result_bytes)}; "
                        "narrow the query or add a LIMIT",
                    )
                spool.write(chunk)
                tail = (tail + chunk)[-_TAIL:]
            if time.monotonic() > deadline or (response.status == 200 and CANCELLED in tail):
                raise RefusalError(503, timeout_message(limits))
            media_type = response.getheader("Content-Type", "application/octet-stream")
            return response.status, media_type, spool, size
        except TimeoutError:
            spool.close()
            if sock is not None:
                _watch(self.server.engine, lease, conn, sock, deadline + limits.kill_grace_s, limits.kill_grace_s)
                conn = None
            raise RefusalError(503, timeout_message(limits)) from None
        except RefusalError:
            spool.close()
            raise
        except (OSError, http.client.HTTPException):
            spool.close()
            raise _LostError from None
        finally:
            if conn is not None:
                if response is not None:
                    response.close()
                conn.close()

    def _send_text(
        self, status: int, message: str, headers: Mapping[str, str] | None = None, head: bool = False
    ) -> None:
        body = (" ".join(message.split()) + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.close_connection = True
        if not head:
            self.wfile.write(body)


def _set_deadline(sock: socket.socket | None, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    if sock is not None:
        sock.settimeout(remaining)


def _watch(
    engine: Engine, lease: Lease, conn: http.client.HTTPConnection, sock: socket.socket, kill_at: float, grace: float
) -> None:
    """Keep reading an abandoned answer; if the engine is still on it at ``kill_at``, restart the engine."""

    def run() -> None:
        try:
            while True:
                _set_deadline(sock, kill_at)
                if not sock.recv(_CHUNK):
                    return
        except TimeoutError:
            engine.kill(lease, f"a query was still running {grace:g} s after its time limit")
        except OSError:
            pass
        finally:
            conn.close()
            sock.close()

    threading.Thread(target=run, name="ppkg-serve-watch", daemon=True).start()


# --- the dataset description at /.well-known/void ----------------------------------------------------------

VOID_MEDIA_TYPES = {"text/turtle": "turtle", "application/ld+json": "jsonld", "application/n-triples": "nt"}
"""What ``/.well-known/void`` answers in, by ``Accept`` (Turtle when any type will do)."""
_HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def void_media_type(accept: str) -> str | None:
    """The media type of :data:`VOID_MEDIA_TYPES` that ``accept`` prefers (the first listed among equals;
    Turtle for a wildcard), or ``None`` when it accepts none of them."""
    best: tuple[float, int, str] | None = None
    for position, item in enumerate(accept.split(",")):
        media_range, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media_range = media_range.lower()
        if quality <= 0:
            continue
        if media_range in VOID_MEDIA_TYPES:
            chosen = media_range
        elif media_range in ("*/*", "text/*"):
            chosen = "text/turtle"
        elif media_range == "application/*":
            chosen = "application/ld+json"
        else:
            continue
        if best is None or (quality, -position) > (best[0], best[1]):
            best = (quality, -position, chosen)
    return best[2] if best is not None else None


def _answer_void(handler: _Handler, method: str) -> None:
    """Answer ``/.well-known/void``: the dataset description built from the engine's named graphs, with this
    endpoint's query URL as its ``void:sparqlEndpoint``."""
    from rdflib import Graph

    from ppkg.rdf.dataset import SUMMARY_QUERY, describe_dataset, serialize_description

    if method not in ("GET", "HEAD"):
        raise RefusalError(405, f"{method} is not allowed on {VOID_PATH}", {"Allow": "GET, HEAD"})
    media_type = void_media_type(handler.headers.get("Accept") or "*/*")
    if media_type is None:
        raise RefusalError(406, f"the dataset description is served as {', '.join(VOID_MEDIA_TYPES)}")
    server = handler.server
    deadline = handler._started + server.limits.timeout_s
    if not server.slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise RefusalError(503, f"the server is busy ({server.limits.max_concurrent} queries running); try again")
    try:
        status, _, spool, _ = handler._fetch(
            "POST", "/query", SUMMARY_QUERY.encode("utf-8"), "application/n-triples", deadline
        )
    finally:
        server.slots.release()
    with spool:
        spool.seek(0)
        answer = spool.read()
    if status != 200:
        raise RefusalError(502, f"the dataset description could not be built: the engine answered {status}")
    host = handler.headers.get("Host", "").strip()
    if not _HOST_HEADER.match(host):
        host = f"{server.server_name}:{server.server_port}"
    summary = Graph().parse(data=answer.decode("utf-8"), format="nt")
    description = describe_dataset(summary, endpoint=f"http://{host}/query")
    body = serialize_description(description, VOID_MEDIA_TYPES[media_type]).encode("utf-8")
    handler.send_response(200)
    handler.send_header("Content-Type", f"{media_type}; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Vary", "Accept")
    handler.send_header("X-Content-Type-Options", "nosniff")
    handler.end_headers()
    if method != "HEAD":
        handler.wfile.write(body)


# --- the site and the IRIs' paths (/id/...) ----------------------------------------------------------------

ID_PATH = "/id/"
"""Where the instances' IRIs (``https://w3id.org/ppkg/id/...``) are answered, with content negotiation."""
SITE_MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
"""What the site's files are served as, by extension (other files are not served)."""
THING_MEDIA_TYPES = ("text/html", "text/turtle", "application/ld+json")
"""What ``/id/...`` answers in, by ``Accept``: the page (with a site), Turtle, JSON-LD."""


def negotiate(accept: str, offers: tuple[str, ...]) -> str | None:
    """The type of ``offers`` that ``accept`` prefers: highest quality, then the most specific range, then the
    first offered; ``None`` when it accepts none of them."""
    best: tuple[float, int, int, str] | None = None
    for item in accept.split(","):
        media_range, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media_range = media_range.lower()
        for position, offer in enumerate(offers):
            if media_range == offer:
                specificity = 2
            elif media_range == f"{offer.split('/')[0]}/*":
                specificity = 1
            elif media_range == "*/*":
                specificity = 0
            else:
                continue
            candidate = (quality, specificity, -position, offer)
            if quality > 0 and (best is None or candidate > best):
                best = candidate
    return best[3] if best is not None else None


def describe_query(iri: str) -> str:
    """The statements about ``iri`` in every named graph (what ``ppkg describe`` lists), as a CONSTRUCT."""
    return (
        f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} "
        f"WHERE {{ {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} UNION {{ GRAPH ?h {{ ?s ?q <{iri}> }} }} }}"
    )


def _site_file(site: Path, path: str) -> Path | None:
    """The file of the site that ``path`` names, if it is one the site serves (never outside the site)."""
    parts = path.strip("/").split("/")
    if not path.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None
    target = site.joinpath(*parts)
    if target.suffix not in SITE_MEDIA_TYPES:
        return None
    try:
        resolved = target.resolve(strict=True)
    except OSError:
        return None
    return resolved if resolved.is_file() and resolved.is_relative_to(site.resolve()) else None


def _send_body(handler: _Handler, method: str, media_type: str, body: bytes) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", media_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Vary", "Accept")
    handler.send_header("X-Content-Type-Options", "nosniff")
    handler.end_headers()
    if method != "HEAD":
        handler.wfile.write(body)


def _description(handler: _Handler, iri: str) -> str:
    """The statements about ``iri`` as N-Triples, from the engine."""
    server = handler.server
    deadline = handler._started + server.limits.timeout_s
    if not server.slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise RefusalError(503, f"the server is busy ({server.limits.max_concurrent} queries running); try again")
    try:
        status, _, spool, _ = handler._fetch(
            "POST", "/query", describe_query(iri).encode("utf-8"), "application/n-triples", deadline
        )
    finally:
        server.slots.release()
    with spool:
        spool.seek(0)
        answer = spool.read()
    if status != 200:
        raise RefusalError(502, f"the description of {iri} could not be built: the engine answered {status}")
    return answer.decode("utf-8")


def answer_site(handler: _Handler, method: str, path: str) -> None:
    """Answer a path of the site (``--site``) or of an IRI: ``/id/...`` gives the page, Turtle or JSON-LD by
    ``Accept`` (406 for other types, 404 for a thing the graph does not hold); other paths give the site's files."""
    from rdflib import Graph

    from ppkg.present.site import thing_iri
    from ppkg.present.site.jsonld import to_jsonld
    from ppkg.rdf.namespaces import new_graph

    site = handler.server.site
    if method not in ("GET", "HEAD"):
        raise RefusalError(405, f"{method} is not allowed on {path}", {"Allow": "GET, HEAD"})
    if not path.startswith(ID_PATH) or path.endswith(".html"):
        found = _site_file(site, path) if site is not None else None
        if found is None:
            raise RefusalError(404, f"not found: {path} (the SPARQL endpoint is /query)")
        _send_body(handler, method, SITE_MEDIA_TYPES[found.suffix], found.read_bytes())
        return
    iri = thing_iri(path[len(ID_PATH) :])
    if iri is None:
        raise RefusalError(404, f"not found: {path} is not the path of a ppkg IRI")
    offers = THING_MEDIA_TYPES if site is not None else THING_MEDIA_TYPES[1:]
    media_type = negotiate(handler.headers.get("Accept") or "*/*", offers)
    if media_type is None:
        raise RefusalError(406, f"{iri} is served as {', '.join(offers)}")
    if media_type == "text/html":
        assert site is not None
        page = _site_file(site, f"{path}.html")
        if page is None:
            raise RefusalError(404, f"not found: the graph has no page for {iri}")
        _send_body(handler, method, SITE_MEDIA_TYPES[".html"], page.read_bytes())
        return
    described = Graph().parse(data=_description(handler, iri), format="nt")
    if len(described) == 0:
        raise RefusalError(404, f"not found: the graph states nothing about {iri}")
    if media_type == "text/turtle":
        graph = new_graph()
        for triple in described:
            graph.add(triple)
        body = graph.serialize(format="turtle")
    else:
        body = to_jsonld(described, indent=2) + "\n"
    _send_body(handler, method, f"{media_type}; charset=utf-8", body.encode("utf-8"))
