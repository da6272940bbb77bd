"""``ppkg publish``: push the graph to a SPARQL 1.1 Graph Store (for example an Oxigraph server).

The dataset is sent as N-Quads in one ``POST`` to the store's Graph Store Protocol endpoint: every
named graph keeps its name, and the default graph carries the union of the named graphs, so the same
catalogued queries give the same answers there as in-process.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable

import pyoxigraph as ox

from ppkg.errors import EndpointError
from ppkg.query.engines import OxigraphEngine
from ppkg.query.safety import is_http_url
from ppkg.rdf.io import GraphFile


def publish(files: Iterable[GraphFile], store_url: str, *, timeout: float = 120.0) -> int:
    """Send every quad of the graph built from ``files`` to ``store_url``; return how many quads were sent."""
    if not is_http_url(store_url):
        raise EndpointError(f"not an http(s) Graph Store URL: {store_url!r}")
    engine = OxigraphEngine.from_files(files)
    body = engine.store.dump(format=ox.RdfFormat.N_QUADS) or b""
    request = urllib.request.Request(
        store_url, data=body, method="POST", headers={"Content-Type": "application/n-quads"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as err:
        detail = err.read().decode(errors="replace").strip().splitlines()
        raise EndpointError(f"{store_url}: HTTP {err.code} {err.reason}{': ' + detail[0] if detail else ''}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
        raise EndpointError(f"{store_url}: cannot reach the store: {getattr(err, 'reason', err)}") from None
    return len(engine.store)
