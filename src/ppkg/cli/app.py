"""The Typer application every command registers on, and the few helpers commands share."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from ppkg.errors import EXIT_INPUT, EXIT_OK

app = typer.Typer(
    name="ppkg",
    help="A knowledge graph of parent partner programs in child welfare: query, validate, contribute.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


OutputFile = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file; without --format its extension picks the format.", metavar="FILE"
    ),
]
"""The ``-o FILE`` option of the commands that write a result."""

ExtraData = Annotated[
    list[Path] | None, typer.Option("--data", help="Also load this RDF file; repeatable.", metavar="FILE")
]
"""The ``--data FILE`` option of the commands that load the graph."""


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print ``ppkg: error: message`` on stderr and exit with ``code``."""
    typer.echo(f"ppkg: error: {message}", err=True)
    raise typer.Exit(code)


def write(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output``, or to stdout.

    When the program reading stdout stops early (``ppkg query … | head``), the rest is dropped quietly and the
    command ends with exit 0: the reader chose to stop, nothing failed.
    """
    if output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
            raise typer.Exit(EXIT_OK) from None
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        fail(f"{output}: cannot write: {err.strerror}")


def _version(value: bool) -> None:
    if value:
        from ppkg import __version__

        typer.echo(f"ppkg {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """A knowledge graph of parent partner programs in child welfare."""
