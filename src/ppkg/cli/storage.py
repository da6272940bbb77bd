"""``ppkg store status`` and ``ppkg store rebuild``: the persistent store of a data directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ppkg.cli.app import app, write

store_app = typer.Typer(
    help="The persistent store of a data directory: see it, or build it again.", no_args_is_help=True
)
app.add_typer(store_app, name="store")

DataDir = Annotated[Path | None, typer.Option(help="The data directory (default: $PPKG_DATA_DIR).", show_default=False)]


@store_app.command("status")
def status_command(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Show the store: where it is, its generation, its size, and whether it matches the files."""
    from ppkg.graph import store_status

    state = store_status(data_dir)
    if as_json:
        write(json.dumps(state.as_dict(), indent=2) + "\n", None)
        return
    if not state.exists:
        write(f"store: {state.directory}\nstate: not built yet (the first query builds it)\n", None)
        return
    lines = [
        f"store: {state.directory}",
        f"generation: {state.generation}",
        f"state: {'up to date' if state.fresh else 'stale (the next query brings it up to date)'}",
        f"statements: {state.statements:,} in {state.graphs:,} named graphs from {state.files:,} files",
        f"on disk: {state.bytes_on_disk / 1e6:,.1f} MB",
        f"graphs read through the merged copy: {len(state.merged)}",
        *(f"changed: {line}" for line in state.stale),
    ]
    write("\n".join(lines) + "\n", None)


@store_app.command("rebuild")
def rebuild_command(data_dir: DataDir = None) -> None:
    """Build the store again from the files (queries keep reading the old one until the new one is ready)."""
    from ppkg.cli.progress import for_stderr
    from ppkg.graph import rebuild_store

    state = rebuild_store(data_dir, progress=for_stderr())
    typer.echo(
        f"ppkg: rebuilt {state.directory} ({state.generation}): {state.statements:,} statements "
        f"in {state.graphs:,} graphs",
        err=True,
    )
