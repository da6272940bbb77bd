"""Commands that serve the graph beyond one process: ``serve`` and ``publish``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ppkg.cli.app import app


@app.command("serve")
def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to listen on (loopback only, unless --allow-remote).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 7878,
    timeout: Annotated[float, typer.Option(help="Per-query time limit in seconds.")] = 30.0,
    max_result_size: Annotated[
        str, typer.Option(help="Largest answer sent, e.g. 100M; a larger one is an error.")
    ] = "100M",
    max_memory: Annotated[
        str, typer.Option(help="Memory the query engine may use, e.g. 4G; past it, it is restarted.")
    ] = "4G",
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a --host that other machines can reach.")
    ] = False,
    data: Annotated[list[Path] | None, typer.Option("--data", help="Also serve this RDF file; repeatable.")] = None,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint until interrupted.

    Queries with SERVICE, LOAD or FROM and updates are refused for every caller; each query has a time
    limit and a size limit; the query engine (the Oxigraph server) runs under a memory limit and is
    restarted if it dies.
    """
    import signal

    import ppkg
    from ppkg.serve.server import SparqlServer, human_size, parse_size

    server = SparqlServer(
        ppkg.load(*(data or [])).files,
        host=host,
        port=port,
        timeout_s=timeout,
        allow_remote=allow_remote,
        max_result_bytes=parse_size(max_result_size, "--max-result-size"),
        max_memory=parse_size(max_memory, "--max-memory"),
        on_event=lambda line: typer.echo(f"ppkg: {line}", err=True),
    )

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    try:
        server.start()
        if not server.loopback:
            typer.echo(
                f"ppkg: warning: listening on {host}: anyone who can reach this machine on port {server.port} "
                "can query the graph",
                err=True,
            )
        typer.echo(
            f"ppkg: SPARQL endpoint at {server.query_url} (read-only; SERVICE refused; {timeout:g} s and "
            f"{human_size(server.max_result_bytes)} per query; Ctrl-C stops it)",
            err=True,
        )
        typer.echo(f"ppkg: query page at {server.base_url}/", err=True)
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
