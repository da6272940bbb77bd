"""The ``ppkg`` command line.

Exit codes: 0 success; 1 the data does not conform to the shapes (``validate``/``contribute``);
2 bad input: an unknown query, topic or other value, an unsafe or malformed query, an unreadable file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from ppkg import __version__
from ppkg.errors import EXIT_INPUT, PpkgError

app = typer.Typer(
    name="ppkg",
    help="A knowledge graph of parent partner programs in child welfare: query, validate, contribute.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    typer.echo(f"ppkg: error: {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ppkg {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """A knowledge graph of parent partner programs in child welfare."""


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        _fail(f"{output}: cannot write: {err.strerror}")


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            _fail(f"--param expects key=value, got {pair!r}")
        params[key.strip()] = value
    return params


@app.command("queries")
def queries_command(
    tag: Annotated[str | None, typer.Option(help="Only queries with this tag.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List the catalogued queries with their parameters."""
    from ppkg.catalogue import Catalogue

    try:
        specs = [s for s in Catalogue() if tag is None or tag in s.tags]
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    if fmt == "json":
        doc = [
            {
                "name": s.name,
                "title": s.title,
                "summary": s.summary,
                "tags": list(s.tags),
                "params": [
                    {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                    for p in s.params
                ],
            }
            for s in specs
        ]
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    if fmt != "table":
        _fail(f"unknown format {fmt!r}: use table or json")
    from rich.console import Console
    from rich.table import Table

    table = Table(header_style="bold", pad_edge=False)
    table.add_column("name", no_wrap=True)
    table.add_column("title / summary", overflow="fold")
    table.add_column("parameters", overflow="fold")
    for s in specs:
        params = ", ".join(f"{p.name} ({p.type}{'' if p.default is None else f'={p.default}'})" for p in s.params)
        table.add_row(s.name, f"{s.title}\n{s.summary}", params or "-")
    Console(width=140, color_system=None).print(table)


@app.command("query")
def query_command(
    name: Annotated[str | None, typer.Argument(help="A catalogued query (see `ppkg queries`).")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="key=value for a query parameter; repeatable.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Run the SPARQL in this file instead ('-' reads stdin).")
    ] = None,
    sparql: Annotated[str | None, typer.Option("--sparql", help="Run this SPARQL text instead.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, tsv, json, jsonl; turtle, json-ld, nt for graphs.")
    ] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    data: Annotated[list[Path] | None, typer.Option("--data", help="Also load this RDF file; repeatable.")] = None,
    engine: Annotated[str, typer.Option(help="In-process engine: oxigraph or rdflib.")] = "oxigraph",
) -> None:
    """Run a catalogued query by name, or your own SPARQL (--file, --sparql)."""
    import ppkg

    chosen = [x for x in (name, file, sparql) if x is not None]
    if len(chosen) != 1:
        _fail("give exactly one of: a query NAME, --file FILE or --sparql TEXT")
    params = _parse_params(param or [])
    try:
        kg = ppkg.load(*(data or []), engine=engine)
        if name is not None:
            result = kg.run(name, **params)
        else:
            if params:
                _fail("--param applies to catalogued queries; bind values in your own SPARQL with VALUES")
            if file is not None:
                text = _read_query_file(file)
            else:
                text = sparql or ""
            result = kg.query(text)
        _write(result.serialize(fmt), output)
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    except ValueError as err:
        _fail(str(err))


def _read_query_file(file: Path) -> str:
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        _fail(f"{file}: no such file")
    except (OSError, UnicodeDecodeError) as err:
        _fail(f"{file}: cannot read: {err}")


def main() -> None:
    """Entry point of the ``ppkg`` console script."""
    app()
