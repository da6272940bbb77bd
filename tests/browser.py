"""Headless Chromium for the site's tests: the page as the browser built it (``--dump-dom``) and a screenshot.

Chromium runs from its command line, one process per page, with a private profile directory. Pages are served
over HTTP on 127.0.0.1 (:func:`serve_directory`, or a real ``ppkg serve --site``). Without Chromium the tests
that need it are skipped, except under ``CI=true``, where a missing browser is a failure (``.ci/run`` installs
the Debian package ``chromium``).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-sandbox",
    "--no-first-run",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
BOUND_S = 120
"""The most one page may take (a bound against a hung browser, not a measurement)."""


def find_chromium() -> str | None:
    """The Chromium executable, if one is installed."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Browser:
    """Headless Chromium: :meth:`dom` and :meth:`screenshot` of a URL."""

    executable: str
    profile: Path

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(dir=self.profile) as profile:
            result = subprocess.run(
                [self.executable, *FLAGS, f"--user-data-dir={profile}", *args],
                capture_output=True,
                text=True,
                timeout=BOUND_S,
                env={**os.environ, "HOME": profile},
            )
        assert result.returncode == 0, result.stderr[-2000:]
        return result

    def dom(self, url: str) -> str:
        """The page at ``url`` as Chromium built it, serialised (scripts run, the DOM as HTML)."""
        return self._run("--virtual-time-budget=5000", "--dump-dom", url).stdout

    def screenshot(self, url: str, path: Path, width: int = 1200, height: int = 900) -> Path:
        """A PNG of the page at ``url`` in a ``width`` × ``height`` window."""
        self._run(f"--screenshot={path}", f"--window-size={width},{height}", url)
        assert path.is_file(), f"Chromium wrote no screenshot of {url}"
        return path


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Browser:
    """Headless Chromium (skipped when it is not installed, unless ``CI=true``)."""
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is not installed: the browser test of the site needs the Debian package chromium")
        pytest.skip("Chromium is not installed (Debian package chromium)")
    return Browser(executable, tmp_path_factory.mktemp("chromium"))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No access log."""


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """``directory`` over HTTP on a free port of 127.0.0.1 (the standard library's server); its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
