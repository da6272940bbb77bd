"""Commands that serve the graph beyond one process: ``serve`` and ``publish``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ppkg.cli.app import app


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 7878,
    timeout: Annotated[int, typer.Option(help="Per-query time limit in seconds.")] = 30,
    data: Annotated[list[Path] | None, typer.Option("--data", help="Also serve this RDF file; repeatable.")] = None,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint (the Oxigraph server) until interrupted."""
    import signal

    import ppkg
    from ppkg.serve.server import SparqlServer

    server = SparqlServer(ppkg.load(*(data or [])).files, host=host, port=port or None, timeout_s=timeout)
    server.start()

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    typer.echo(f"ppkg: SPARQL endpoint at {server.query_url} (read-only; Ctrl-C stops it)", err=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@app.command("publish")
def publish_command(
    store: Annotated[str, typer.Option(help="Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store.")],
    data: Annotated[list[Path] | None, typer.Option("--data", help="Also publish this RDF file; repeatable.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the store.")] = 120.0,
) -> None:
    """Push the graph (every named graph, and their union as the default graph) to a SPARQL Graph Store."""
    import ppkg
    from ppkg.serve.publish import publish

    count = publish(ppkg.load(*(data or [])).files, store, timeout=timeout)
    typer.echo(f"ppkg: published {count:,} quads to {store}")
