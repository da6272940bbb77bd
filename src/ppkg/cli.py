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


def _render(renderable: object) -> str:
    import io
    import shutil

    from rich.console import Console

    console = Console(
        width=shutil.get_terminal_size((160, 24)).columns, record=True, file=io.StringIO(), color_system=None
    )
    console.print(renderable)
    return console.export_text()


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
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or markdown.")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """List the catalogued queries with their parameters."""
    from ppkg.catalogue import Catalogue, render_markdown

    try:
        catalogue = Catalogue()
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    specs = [s for s in catalogue if tag is None or tag in s.tags]
    if fmt == "markdown":
        _write(render_markdown(catalogue), output)
        return
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
        _write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", output)
        return
    if fmt != "table":
        _fail(f"unknown format {fmt!r}: use table, json or markdown")
    from rich.table import Table

    table = Table(header_style="bold", pad_edge=False)
    table.add_column("name", no_wrap=True)
    table.add_column("title / summary", overflow="fold")
    table.add_column("parameters", overflow="fold")
    for s in specs:
        params = ", ".join(f"{p.name} ({p.type}{'' if p.default is None else f'={p.default}'})" for p in s.params)
        table.add_row(s.name, f"{s.title}\n{s.summary}", params or "-")
    _write(_render(table), output)


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
        str,
        typer.Option("--format", "-f", help="table, csv, tsv, json, jsonl; for graphs turtle, json-ld, nt, xml."),
    ] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    data: Annotated[list[Path] | None, typer.Option("--data", help="Also load this RDF file; repeatable.")] = None,
    engine: Annotated[str, typer.Option(help="In-process engine: oxigraph or rdflib.")] = "oxigraph",
    endpoint: Annotated[str | None, typer.Option(help="Run on this SPARQL 1.1 endpoint instead of in-process.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for --endpoint or for --reason.")] = 30.0,
    reason: Annotated[
        str | None, typer.Option(help="Add inferred triples first: rdfs or owlrl (in-process only).")
    ] = None,
) -> None:
    """Run a catalogued query by name, or your own SPARQL (--file, --sparql)."""
    import ppkg

    chosen = [x for x in (name, file, sparql) if x is not None]
    if len(chosen) != 1:
        _fail("give exactly one of: a query NAME, --file FILE or --sparql TEXT")
    params = _parse_params(param or [])
    if endpoint is not None and (data or reason):
        _fail("--data and --reason apply to the in-process graph, not to --endpoint")
    try:
        if endpoint is not None:
            kg = ppkg.connect(endpoint, timeout=timeout)
        else:
            kg = ppkg.load(*(data or []), engine=engine, reason=reason, reason_timeout=max(timeout, 1.0))
        if name is not None:
            result = kg.run(name, **params)
        else:
            if params:
                _fail("--param applies to catalogued queries; bind values in your own SPARQL with VALUES")
            text = _read_query_file(file) if file is not None else (sparql or "")
            result = kg.query(text)
        _write(result.serialize(fmt), output)
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    except ValueError as err:
        _fail(str(err))


@app.command("describe")
def describe_command(
    thing: Annotated[str, typer.Argument(help="A program, topic, role… by label, slug or IRI.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Print everything the graph states about one thing, with the source of each statement."""
    import ppkg
    from ppkg.describe import describe
    from ppkg.results import compact

    try:
        kg = ppkg.load()
        iri, facts = describe(kg, thing)
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    if fmt == "json":
        doc = {
            "iri": str(iri),
            "label": kg.label(iri),
            "facts": [
                {
                    "direction": "in" if f.incoming else "out",
                    "property": f.predicate,
                    "value": f.value,
                    "valueLabel": f.value_label,
                    "graphs": list(f.graphs),
                    "sources": list(f.sources),
                }
                for f in facts
            ],
        }
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    if fmt != "table":
        _fail(f"unknown format {fmt!r}: use table or json")
    from rich.table import Table

    table = Table(title=f"{kg.label(iri)}  <{iri}>", header_style="bold", pad_edge=False, title_justify="left")
    table.add_column("property", overflow="fold")
    table.add_column("value", overflow="fold")
    table.add_column("source", overflow="fold")
    for f in facts:
        value = f.value_label or (compact(f.value) if f.value.startswith("http") else f.value)
        prop = f"← {f.predicate_label}" if f.incoming else f.predicate_label
        table.add_row(prop, value, f.source)
    _write(_render(table), None)


@app.command("export")
def export_command(
    fmt: Annotated[str, typer.Option("--format", "-f", help="turtle, trig, nquads, nt or jsonld.")] = "trig",
    graph: Annotated[
        str | None, typer.Option(help="Only this named graph (IRI or short name such as cdss-peer-partners).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    data: Annotated[list[Path] | None, typer.Option("--data", help="Also load this RDF file; repeatable.")] = None,
) -> None:
    """Export the whole graph, or one source graph, deterministically."""
    import ppkg
    from ppkg.export import export

    try:
        text = export(ppkg.load(*(data or [])), fmt, graph)
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    except ValueError as err:
        _fail(str(err))
    _write(text, output)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 7878,
    timeout: Annotated[int, typer.Option(help="Per-query time limit in seconds.")] = 30,
    data: Annotated[list[Path] | None, typer.Option("--data", help="Also serve this RDF file; repeatable.")] = None,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint (the Oxigraph server) until interrupted."""
    import ppkg
    from ppkg.server import SparqlServer

    try:
        server = SparqlServer(ppkg.load(*(data or [])).files, host=host, port=port or None, timeout_s=timeout)
        server.start()
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    typer.echo(f"ppkg: SPARQL endpoint at {server.query_url} (read-only; Ctrl-C stops it)", err=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


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
