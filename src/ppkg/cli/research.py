"""The researcher's commands: ``queries``, ``query``, ``describe`` and ``export``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ppkg.cli.app import app, fail, write
from ppkg.query.limits import DEFAULT_QUERY_TIMEOUT


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(f"--param expects key=value, got {pair!r}")
        params[key.strip()] = value
    return params


def _read_query_file(file: Path) -> str:
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{file}: no such file")
    except (OSError, UnicodeDecodeError) as err:
        fail(f"{file}: cannot read: {err}")


@app.command("queries")
def queries_command(
    tag: Annotated[str | None, typer.Option(help="Only queries with this tag.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or markdown.")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """List the catalogued queries with their parameters."""
    from rich.table import Table

    from ppkg.query.catalogue import Catalogue, render_markdown
    from ppkg.query.results import render_text

    catalogue = Catalogue()
    specs = [s for s in catalogue if tag is None or tag in s.tags]
    if fmt == "markdown":
        write(render_markdown(catalogue), output)
        return
    if fmt == "json":
        write(json.dumps([s.as_dict() for s in specs], indent=2, ensure_ascii=False) + "\n", output)
        return
    if fmt != "table":
        fail(f"unknown format {fmt!r}: use table, json or markdown")
    table = Table(header_style="bold", pad_edge=False)
    table.add_column("name", no_wrap=True)
    table.add_column("title / summary", overflow="fold")
    table.add_column("parameters", overflow="fold")
    for s in specs:
        params = ", ".join(f"{p.name} ({p.type}{'' if p.default is None else f'={p.default}'})" for p in s.params)
        table.add_row(s.name, f"{s.title}\n{s.summary}", params or "-")
    write(render_text(table), output)


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
    timeout: Annotated[
        float, typer.Option(help="Time limit in seconds for the query (and for --reason).")
    ] = DEFAULT_QUERY_TIMEOUT,
    reason: Annotated[
        str | None, typer.Option(help="Add inferred triples first: rdfs or owlrl (in-process only).")
    ] = None,
) -> None:
    """Run a catalogued query by name, or your own SPARQL (--file, --sparql)."""
    import ppkg

    chosen = [x for x in (name, file, sparql) if x is not None]
    if len(chosen) != 1:
        fail("give exactly one of: a query NAME, --file FILE or --sparql TEXT")
    params = _parse_params(param or [])
    if endpoint is not None and (data or reason):
        fail("--data and --reason apply to the in-process graph, not to --endpoint")
    if endpoint is not None:
        kg = ppkg.connect(endpoint, timeout=timeout)
    else:
        kg = ppkg.load(*(data or []), engine=engine, reason=reason, reason_timeout=max(timeout, 1.0), timeout=timeout)
    if name is not None:
        result = kg.run(name, **params)
    else:
        if params:
            fail("--param applies to catalogued queries; bind values in your own SPARQL with VALUES")
        text = _read_query_file(file) if file is not None else (sparql or "")
        result = kg.query(text)
    write(result.serialize(fmt), output)


@app.command("describe")
def describe_command(
    thing: Annotated[str, typer.Argument(help="A program, topic, role… by label, slug or IRI.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Print everything the graph states about one thing, with the source of each statement."""
    from rich.table import Table

    import ppkg
    from ppkg.query.results import render_text
    from ppkg.rdf.namespaces import compact

    if fmt not in ("table", "json"):
        fail(f"unknown format {fmt!r}: use table or json")
    kg = ppkg.load()
    iri, facts = kg.describe(thing)
    if fmt == "json":
        doc = {"iri": str(iri), "label": kg.label(iri), "facts": [f.as_dict() for f in facts]}
        write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", None)
        return
    table = Table(title=f"{kg.label(iri)}  <{iri}>", header_style="bold", pad_edge=False, title_justify="left")
    table.add_column("property", overflow="fold")
    table.add_column("value", overflow="fold")
    table.add_column("source", overflow="fold")
    for f in facts:
        value = f.value_label or (compact(f.value) if f.value.startswith("http") else f.value)
        prop = f"← {f.predicate_label}" if f.incoming else f.predicate_label
        table.add_row(prop, value, f.source)
    write(render_text(table), None)


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

    write(ppkg.load(*(data or [])).export(fmt, graph), output)
