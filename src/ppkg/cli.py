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
from ppkg.errors import EXIT_INPUT, EXIT_VIOLATIONS, PpkgError

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
    timeout: Annotated[float, typer.Option(help="Time limit in seconds for the query (and for --reason).")] = 30.0,
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
            kg = ppkg.load(
                *(data or []), engine=engine, reason=reason, reason_timeout=max(timeout, 1.0), timeout=timeout
            )
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
    import signal

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
    from ppkg.publish import publish

    try:
        count = publish(ppkg.load(*(data or [])), store, timeout=timeout)
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    typer.echo(f"ppkg: published {count:,} quads to {store}")


@app.command("validate")
def validate_command(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Turtle/TriG/N-Triples/N-Quads files or filled CSV templates.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or turtle.")] = "text",
    strict: Annotated[bool, typer.Option(help="Treat warnings as failures.")] = False,
    data_dir: Annotated[
        Path | None, typer.Option(help="Validate against this data directory instead of the shipped data.")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
) -> None:
    """Check files against the shapes, in the context of the graph (no files: the whole graph).

    Exit 0 conforms, 1 violations (or warnings with --strict), 2 unreadable input.
    """
    from ppkg.stewardship import validate

    if fmt not in ("text", "json", "turtle"):
        _fail(f"unknown format {fmt!r}: use text, json or turtle")
    try:
        report = validate(files or [], data_dir=data_dir, strict=strict)
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    _write(report.serialize(fmt), output)
    raise typer.Exit(0 if report.conforms else EXIT_VIOLATIONS)


@app.command("contribute")
def contribute_command(
    files: Annotated[list[Path], typer.Argument(help="The contribution: RDF files or filled CSV templates.")],
    by: Annotated[str, typer.Option("--by", help="Who contributes (recorded as provenance).")],
    source: Annotated[str | None, typer.Option(help="URL the contributed facts come from.")] = None,
    strict: Annotated[bool, typer.Option(help="Refuse warnings too.")] = False,
    data_dir: Annotated[Path | None, typer.Option(help="The data directory to add to.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Report format when refused: text or json.")] = "text",
) -> None:
    """Validate a contribution and merge it into its own named graph, atomically, with provenance.

    Exit 0 merged (or nothing new), 1 refused by validation (nothing written), 2 unreadable input.
    """
    from ppkg.contributions import ContributionRejectedError
    from ppkg.stewardship import contribute

    try:
        record, report = contribute(files, by=by, source=source, data_dir=data_dir, strict=strict)
    except ContributionRejectedError as err:
        _write(err.report.serialize(fmt), None)
        typer.echo(f"ppkg: {err}", err=True)
        raise typer.Exit(EXIT_VIOLATIONS) from None
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    if report.warnings:
        _write(report.serialize("text"), None)
    if record is None:
        typer.echo("ppkg: nothing new: every statement is already in the graph; nothing was written", err=True)
        return
    typer.echo(f"ppkg: merged contribution {record.id}: {record.triples} statements into <{record.graph}>")
    typer.echo(f"ppkg: file {record.path}")


@app.command("contributions")
def contributions_command(
    data_dir: Annotated[Path | None, typer.Option(help="The data directory.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List the contributions merged into the data directory."""
    from ppkg.contributions import list_contributions

    try:
        records = list_contributions(data_dir)
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    if fmt == "json":
        doc = [
            {
                "id": r.id,
                "graph": r.graph,
                "by": r.by,
                "at": r.at,
                "file": r.input_file,
                "sha256": r.sha256,
                "source": r.source,
                "statements": r.triples,
            }
            for r in records
        ]
        _write(json.dumps(doc, indent=2) + "\n", None)
        return
    from rich.table import Table

    table = Table(header_style="bold", pad_edge=False)
    for column in ("id", "by", "at", "file", "statements", "source"):
        table.add_column(column, overflow="fold", no_wrap=column in ("id", "at"))
    for r in records:
        table.add_row(r.id, r.by, r.at, r.input_file, str(r.triples), r.source or "")
    _write(_render(table) + f"{len(records)} contribution{'s' * (len(records) != 1)}\n", None)


@app.command("withdraw")
def withdraw_command(
    contribution_id: Annotated[str, typer.Argument(help="The id `ppkg contributions` shows.")],
    data_dir: Annotated[Path | None, typer.Option(help="The data directory.")] = None,
) -> None:
    """Remove one contribution (refused if other data depends on it)."""
    from ppkg.contributions import withdraw

    try:
        record = withdraw(contribution_id, data_dir)
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    typer.echo(f"ppkg: withdrew contribution {record.id} ({record.triples} statements)")


@app.command("template")
def template_command(
    kind: Annotated[str, typer.Argument(help="program, curriculum, rating or resource.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the CSV to this file.")] = None,
    explain: Annotated[bool, typer.Option(help="Describe the columns instead.")] = False,
) -> None:
    """Print a CSV template for stewards who do not write RDF; fill it and pass it to validate/contribute."""
    from ppkg.template import describe_template, render

    try:
        text = describe_template(kind) + "\n" if explain else render(kind)
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    _write(text, output)


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
