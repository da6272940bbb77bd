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
    site: Annotated[
        Path | None,
        typer.Option(
            help="Also serve this site (built by `ppkg site -o DIR`) and its pages at /id/... paths.", metavar="DIR"
        ),
    ] = None,
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
        site=site,
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
        if server.site is not None:
            typer.echo(f"ppkg: site at {server.base_url}/index.html; IRIs at {server.base_url}/id/...", err=True)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@app.command("publish")
def publish_command(
    store: Annotated[
        str,
        typer.Option(
            help="Graph Store Protocol URL, e.g. http://127.0.0.1:8890/sparql-graph-crud (Virtuoso) or "
            "http://127.0.0.1:7878/store (Oxigraph)."
        ),
    ],
    endpoint: Annotated[
        str | None,
        typer.Option(help="The store's SPARQL query URL, used to check what it holds (default: from --store)."),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(help="User name for a store that needs one; the password is read from PPKG_STORE_PASSWORD."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the graphs that would be replaced and removed; change nothing.")
    ] = False,
    data: Annotated[list[Path] | None, typer.Option("--data", help="Also publish this RDF file; repeatable.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each answer of the store.")] = 120.0,
) -> None:
    """Replace ppkg's graphs in a SPARQL Graph Store with the local ones, remove the withdrawn ones, and check.

    Each named graph is replaced (Graph Store Protocol PUT); ppkg graphs the store holds that no longer
    exist locally are deleted; afterwards the store is asked how many statements each graph holds, and
    any difference is an error (exit 2).
    """
    import os
    import sys

    import ppkg
    from ppkg.cli.app import fail
    from ppkg.serve.publish import PASSWORD_VARIABLE, publish, summary

    password = os.environ.get(PASSWORD_VARIABLE)
    if user is not None and password is None:
        fail(f"--user {user} needs the password in the environment variable {PASSWORD_VARIABLE}")
    files = ppkg.load(*(data or [])).files
    if dry_run:
        plan = publish(files, store, endpoint=endpoint, user=user, password=password, timeout=timeout, dry_run=True)
        for line in plan.lines():
            typer.echo(line)
        typer.echo(
            f"ppkg: dry run: would replace {len(plan.replaced)} graphs and remove {len(plan.removed)} in {store}",
            err=True,
        )
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("publishing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("statements"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("publish", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = publish(
            files, store, endpoint=endpoint, user=user, password=password, timeout=timeout, progress=advance
        )
    for graph in result.removed:
        typer.echo(f"removed <{graph}>")
    if result.superseded:
        typer.echo(
            f"ppkg: warning: this store's default graph is the union of its named graphs, so queries there "
            f"still see the {result.superseded:,} statements that corrections supersede",
            err=True,
        )
    typer.echo(f"ppkg: {summary(result)}")
