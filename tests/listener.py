"""A loopback listener: a real TCP server on 127.0.0.1 that stands for "outside" and records every connection.

Tests point whatever could reach out (a SERVICE clause, a JSON-LD context, a source URL) at it and assert it saw
zero connections; control tests show it does see a client that is asked to connect.
"""

from __future__ import annotations

import socket
import threading
import time

HTTP_503 = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Listener:
    """A TCP server on 127.0.0.1 (free port) that records every connection and every byte, then answers ``reply``."""

    def __init__(self, reply: bytes = HTTP_503) -> None:
        self.reply = reply
        self.received: list[bytes] = []  # one entry per accepted connection
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port: int = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="loopback-listener", daemon=True)
        self._thread.start()

    @property
    def connections(self) -> int:
        """How many connections were accepted so far."""
        return len(self.received)

    def wait_for_connection(self, timeout: float) -> bool:
        """Whether a connection arrives within ``timeout`` seconds (for control tests)."""
        deadline = time.monotonic() + timeout
        while not self.received and time.monotonic() < deadline:
            time.sleep(0.05)
        return bool(self.received)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                self.received.append(b"")
                conn.settimeout(2)
                data = b""
                try:
                    while b"\r\n\r\n" not in data or len(data) < _expected_length(data):
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                        self.received[-1] = data
                    conn.sendall(self.reply)
                except OSError:
                    pass

    def close(self) -> None:
        """Stop accepting and close the socket."""
        self._stop.set()
        self._thread.join(5)
        self._server.close()


def _expected_length(data: bytes) -> int:
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return len(head) + 4 + int(value.strip())
    return len(head) + 4
