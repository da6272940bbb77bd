"""A misbehaving SPARQL endpoint on 127.0.0.1 (free port) for the remote-client cases.

Each path is one way a server can answer badly; ``{bad}/PATH`` in a case selects it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = Callable[[BaseHTTPRequestHandler], None]


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def html_200(handler: BaseHTTPRequestHandler) -> None:
    """A web page where a SPARQL result should be."""
    _send(handler, 200, b"<html><body>Welcome</body></html>", "text/html")


def redirect_ftp(handler: BaseHTTPRequestHandler) -> None:
    """A redirect to another scheme."""
    handler.send_response(302)
    handler.send_header("Location", "ftp://127.0.0.1/results.json")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def trickle(handler: BaseHTTPRequestHandler) -> None:
    """A valid answer sent one byte a second (a read timeout per read never fires)."""
    body = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'
    handler.send_response(200)
    handler.send_header("Content-Type", "application/sparql-results+json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    for byte in body:
        try:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
        except OSError:
            return
        time.sleep(1)


RESULTS_JSON = "application/sparql-results+json"


def _json(body: bytes) -> Answer:
    """An answer of status 200 with ``body`` as SPARQL results JSON."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        _send(handler, 200, body, RESULTS_JSON)

    return answer


def redirect_file(handler: BaseHTTPRequestHandler) -> None:
    """A redirect to a local file."""
    handler.send_response(302)
    handler.send_header("Location", "file:///etc/passwd")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def endless(handler: BaseHTTPRequestHandler) -> None:
    """A well-formed beginning of SPARQL results JSON that never ends (no Content-Length), until the client leaves."""
    handler.send_response(200)
    handler.send_header("Content-Type", RESULTS_JSON)
    handler.end_headers()
    row = b'{"x": {"type": "literal", "value": "' + b"a" * 4000 + b'"}},'
    chunk = row * 16
    try:
        handler.wfile.write(b'{"head": {"vars": ["x"]}, "results": {"bindings": [')
        while True:
            handler.wfile.write(chunk)
    except OSError:
        return
    finally:
        handler.close_connection = True


def gigabyte(handler: BaseHTTPRequestHandler) -> None:
    """A Content-Length of 1 GiB announced up front (the body never comes)."""
    handler.send_response(200)
    handler.send_header("Content-Type", RESULTS_JSON)
    handler.send_header("Content-Length", str(1 << 30))
    handler.end_headers()
    handler.close_connection = True


def not_http(handler: BaseHTTPRequestHandler) -> None:
    """Bytes that are not an HTTP response at all."""
    handler.wfile.write(b"NOT HTTP\r\n\r\n")
    handler.close_connection = True


def empty_200(handler: BaseHTTPRequestHandler) -> None:
    """What Oxigraph's server sends when its time limit cancels a query: status 200, an empty body."""
    _send(handler, 200, b"", RESULTS_JSON)


def timeout_500(handler: BaseHTTPRequestHandler) -> None:
    """A server error saying the query timed out."""
    _send(handler, 500, b"Query evaluation timed out after 30 s\n", "text/plain")


def cut_off(handler: BaseHTTPRequestHandler) -> None:
    """A 200 whose JSON stops in the middle (a server that cancelled the query while streaming)."""
    _send(handler, 200, b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "lit', RESULTS_JSON)


ROUTES: dict[str, Answer] = {
    "/html": html_200,
    "/redirect-ftp": redirect_ftp,
    "/redirect-file": redirect_file,
    "/trickle": trickle,
    "/endless": endless,
    "/gigabyte": gigabyte,
    "/not-http": not_http,
    "/empty-200": empty_200,
    "/timeout-500": timeout_500,
    "/cut-off": cut_off,
    "/no-results": _json(b'{"head": {}}'),
    "/bindings-not-a-list": _json(b'{"head": {"vars": ["x"]}, "results": {"bindings": {"x": 1}}}'),
    "/value-without-type": _json(b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"value": "a"}}]}}'),
    "/invalid-json": _json(b'{"head": {"vars": ["x"]}, "results": {"bindings": [}'),
    "/boolean-as-string": _json(b'{"head": {}, "boolean": "false"}'),
    "/boolean-for-select": _json(b'{"head": {}, "boolean": true}'),
    "/rows-for-ask": _json(b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'),
    "/one-row": _json(
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "ok"}}]}}'
    ),
}


class _Handler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        route = ROUTES.get(self.path.split("?", 1)[0])
        if route is None:
            _send(self, 404, b"no such route", "text/plain")
        else:
            route(self)

    do_GET = _answer  # noqa: N815 (the http.server naming)
    do_POST = _answer  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:
        return


class BadServer:
    """The misbehaving endpoint, served from a thread until :meth:`close`."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="bad-endpoint", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
