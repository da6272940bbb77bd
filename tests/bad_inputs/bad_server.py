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


ROUTES: dict[str, Answer] = {
    "/html": html_200,
    "/redirect-ftp": redirect_ftp,
    "/trickle": trickle,
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
