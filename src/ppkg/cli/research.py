"""The researcher's commands: ``queries``, ``query``, ``describe`` and ``export``."""

from __future__ import annotations

import io
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from ppkg.cli.app import ExtraData, OutputFile, app, fail, write
from ppkg.cli.completion import complete_param, complete_query_name
from ppkg.cli.formats import (
    CATALOGUE_FORMATS,
    CSV_FORMULAS,
    DESCRIBE_FORMATS,
    EXPORT_FORMATS,
    QUERY_FORMATS,
    Choices,
    delimited,
    result_format,
)
from ppkg.query.limits import DEFAULT_QUERY_TIMEOUT
from ppkg.query.safety import MAX_QUERY_LENGTH
from ppkg.query.tables import render, terminal_width
from ppkg.rdf.io import read_regular
from ppkg.rdf.text import visible

if TYPE_CHECKING:
    import ppkg
    from ppkg.query.catalogue import QuerySpec

ENGINE_CHOICES = Choices(("oxigraph", "rdflib"), kind="engine")
REASON_CHOICES = Choices(("rdfs", "owlrl"), kind="reasoning profile")

QUERY_EPILOG = """Examples:

  ppkg query programs-by-training-topic -p topic="motivational interviewing"

  ppkg query programs-by-rating -p rating=promising -o promising.csv

  ppkg query --sparql "SELECT ?name WHERE { ?p a ppkg:Program ; rdfs:label ?name }"

`ppkg query NAME --help` lists that query's parameters; `ppkg queries` lists the queries."""


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
    try:  # a regular file only (a FIFO or /dev/zero would never end), size-capped before reading
        return read_regular(file, 4 * MAX_QUERY_LENGTH).decode("utf-8")
    except UnicodeDecodeError as err:
        fail(f"{file}: cannot read: {err}")


def _width(output: Path | None) -> int | None:
    """The width to lay a table out for: the terminal's on stdout, ``COLUMNS`` (or none) in a file."""
    return terminal_width(sys.stdout if output is None else io.StringIO())


def _print_notes(result: object) -> None:
    for note in getattr(result, "notes", None) or []:
        typer.echo(f"ppkg: note: {visible(str(note), newlines=False)}", err=True)


def query_help(spec: QuerySpec, width: int | None = None) -> str:
    """What ``ppkg query NAME --help`` and ``ppkg queries NAME`` print: a query's title, summary,
    parameters (name, type, default, description) and an example."""
    width = min(width or 100, 100)
    fill = textwrap.TextWrapper(width=width, break_on_hyphens=False, break_long_words=False)
    out = [f"{spec.name}: {spec.title}", "", *fill.wrap(spec.summary)]
    if spec.description:
        out += ["", *fill.wrap(" ".join(spec.description.split()))]
    out.append("")
    if spec.params:
        out.append("Parameters (--param NAME=VALUE):")
        key = max(len(p.name) for p in spec.params) + 4
        indent = " " * key
        for p in spec.params:
            kind = p.type + (", required" if p.required else "")
            default = f"; default: {p.default}" if p.default is not None else "; default: none"
            out.append(f"  {p.name.ljust(key - 2)}{kind}{default}")
            out += textwrap.wrap(
                p.description, width=width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
            )
    else:
        out.append("Parameters: none.")
    example = " ".join(f"--param {p.name}={_shell_word(p.default)}" for p in spec.params if p.default is not None)
    out += ["", "Example:", f"  ppkg query {spec.name} {example}".rstrip(), ""]
    facts = [f"Tags: {', '.join(spec.tags) or '-'}."]
    if spec.cq:
        facts.insert(0, f"Competency questions: {', '.join(spec.cq)}.")
    out += fill.wrap(" ".join(facts))
    out.append("Output, engine and endpoint options: ppkg query --help")
    return "".join(visible(line).rstrip() + "\n" for line in out)


def _shell_word(value: str) -> str:
    """``value`` as one shell word: as it is when plain, else in double quotes."""
    if re.fullmatch(r"[\w.,:/@%+-]+", value):
        return value
    return '"' + re.sub(r'(["\\$`])', r"\\\1", value) + '"'


def _first_argument(command: TyperCommand, args: list[str]) -> str | None:
    """The first positional argument of ``args`` (skipping options and their values)."""
    takes_value = {
        flag
        for param in command.params
        if param.param_type_name == "option" and not getattr(param, "is_flag", False)
        for flag in param.opts
    }
    tokens = iter(args)
    for token in tokens:
        if token == "--":
            return next(tokens, None)
        if token.startswith("-") and token != "-":
            if "=" not in token and token in takes_value:
                next(tokens, None)
            continue
        return token
    return None


class QueryCommand(TyperCommand):
    """``ppkg query``: ``ppkg query NAME --help`` prints the catalogued query's own help."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Print a catalogued query's help when ``--help`` follows its name; otherwise parse as usual."""
        before = args[: args.index("--")] if "--" in args else args
        if "--help" in before:
            from ppkg.query.catalogue import Catalogue

            name = _first_argument(self, args)
            catalogue = Catalogue()
            if name is not None and name in catalogue:
                typer.echo(query_help(catalogue.get(name), terminal_width()), nl=False)
                ctx.exit(0)
        return super().parse_args(ctx, args)


@app.command("queries")
def queries_command(
    name: Annotated[
        str | None,
        typer.Argument(help="Show this query's details.", autocompletion=complete_query_name, show_default=False),
    ] = None,
    tag: Annotated[str | None, typer.Option(help="Only queries with this tag.", metavar="TAG")] = None,
    fmt: Annotated[str | None, CATALOGUE_FORMATS.option("Output format (default: table).", "--format", "-f")] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (format from its extension).", metavar="FILE"),
    ] = None,
) -> None:
    """List the catalogued queries, or show one query's title, summary and parameters."""
    from ppkg.query.catalogue import Catalogue, render_markdown

    fmt = CATALOGUE_FORMATS.choose(fmt, output, "table")
    catalogue = Catalogue()
    if name is not None:
        spec = catalogue.get(name)
        if fmt == "markdown":
            fail("--format markdown renders the whole catalogue: leave out NAME")
        if fmt == "json":
            write(json.dumps(spec.as_dict(), indent=2, ensure_ascii=False) + "\n", output)
        else:
            write(query_help(spec, _width(output)), output)
        return
    specs = [s for s in catalogue if tag is None or tag in s.tags]
    if fmt == "markdown":
        write(render_markdown(catalogue), output)
        return
    if fmt == "json":
        write(json.dumps([s.as_dict() for s in specs], indent=2, ensure_ascii=False) + "\n", output)
        return
    rows = [[s.name, s.title, ", ".join(p.name for p in s.params) or "-"] for s in specs]
    footer = [f"{len(specs)} quer{'y' if len(specs) == 1 else 'ies'}; details: ppkg queries NAME"]
    write(render(["name", "title", "parameters"], rows, width=_width(output), footer=footer), output)


@app.command("query", cls=QueryCommand, epilog=QUERY_EPILOG)
def query_command(
    name: Annotated[
        str | None,
        typer.Argument(
            help="A catalogued query (see `ppkg queries`; `ppkg query NAME --help` for its parameters).",
            autocompletion=complete_query_name,
            show_default=False,
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="A query parameter as NAME=VALUE (a label, code or IRI); repeatable.",
            metavar="NAME=VALUE",
            autocompletion=complete_param,
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Run the SPARQL in this file instead ('-' reads stdin).", metavar="FILE"),
    ] = None,
    sparql: Annotated[
        str | None, typer.Option("--sparql", help="Run this SPARQL text instead.", metavar="TEXT")
    ] = None,
    fmt: Annotated[
        str | None,
        QUERY_FORMATS.option(
            "One of: table (default), csv, tsv, json (SPARQL results JSON), jsonl; for CONSTRUCT/DESCRIBE: turtle "
            "(default), json-ld, nt, xml, trig. Any case; ttl, jsonld and ntriples work too. In csv/tsv, text that "
            "begins with = + - @ (or a tab or CR) gets a leading ' so that spreadsheets do not run it as a formula "
            "(see --csv-formulas).",
            "--format",
            "-f",
            list_choices=False,
        ),
    ] = None,
    output: OutputFile = None,
    data: ExtraData = None,
    engine: Annotated[
        str, ENGINE_CHOICES.option("In-process engine (default: oxigraph).", "--engine", metavar=ENGINE_CHOICES.metavar)
    ] = "oxigraph",
    csv_formulas: Annotated[
        str,
        CSV_FORMULAS.option(
            "In csv/tsv output: quote (default) writes text that begins with = + - @, a tab or a CR with a leading "
            "' so spreadsheets show it instead of running it; keep writes it exactly (only for files no spreadsheet "
            "opens).",
            "--csv-formulas",
            metavar=CSV_FORMULAS.metavar,
            list_choices=False,
        ),
    ] = "quote",
    endpoint: Annotated[
        str | None, typer.Option(help="Run on this SPARQL 1.1 endpoint instead of in-process.", metavar="URL")
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            help="Time limit in seconds for the query (and for --reason); with --endpoint, for the whole answer.",
            metavar="SECONDS",
        ),
    ] = DEFAULT_QUERY_TIMEOUT,
    max_result_size: Annotated[
        str | None,
        typer.Option(
            "--max-result-size",
            help="With --endpoint: the largest answer read, e.g. 500M or 2G (default 100M); a larger one is an error.",
            metavar="SIZE",
            show_default=False,
        ),
    ] = None,
    reason: Annotated[
        str | None,
        REASON_CHOICES.option(
            "Add inferred triples first (in-process only).", "--reason", metavar=REASON_CHOICES.metavar
        ),
    ] = None,
) -> None:
    """Run a catalogued query by name, or your own SPARQL (--file, --sparql)."""
    import ppkg

    chosen = [x for x in (name, file, sparql) if x is not None]
    if len(chosen) != 1:
        fail("give exactly one of: a query NAME, --file FILE or --sparql TEXT")
    if fmt is None and output is not None:
        QUERY_FORMATS.from_extension(output)  # an output file that names no format fails before the query runs
    params = _parse_params(param or [])
    if endpoint is not None and (data or reason):
        fail("--data and --reason apply to the in-process graph, not to --endpoint")
    if max_result_size is not None and endpoint is None:
        fail("--max-result-size applies to --endpoint; in-process results are not read from the network")
    if endpoint is not None:
        kg = _remote(endpoint, timeout, max_result_size)
    else:
        kg = ppkg.load(*(data or []), engine=engine, reason=reason, reason_timeout=max(timeout, 1.0), timeout=timeout)
    if name is not None:
        result = kg.run(name, **params)
    else:
        if params:
            fail("--param applies to catalogued queries; bind values in your own SPARQL with VALUES")
        text = _read_query_file(file) if file is not None else (sparql or "")
        result = kg.query(text)
    chosen_format = result_format(fmt, output, result.graph is not None)
    if chosen_format == "table":
        write(result.to_table(width=_width(output)), output)
    elif chosen_format in ("csv", "tsv"):
        write(delimited(result, chosen_format, keep_formulas=csv_formulas == "keep"), output)
    else:
        write(result.serialize(chosen_format), output)
    _print_notes(result)


def _remote(endpoint: str, timeout: float, max_result_size: str | None) -> ppkg.KnowledgeGraph:
    """The graph on ``endpoint``: ``timeout`` bounds each whole answer, ``max_result_size`` its size."""
    import ppkg
    from ppkg.serve.server import parse_size

    limit = None if max_result_size is None else parse_size(max_result_size, "--max-result-size")
    return ppkg.connect(endpoint, timeout=timeout, max_answer_bytes=limit)


@app.command("describe")
def describe_command(
    thing: Annotated[str, typer.Argument(help="A program, topic, role… by label, slug or IRI.", show_default=False)],
    fmt: Annotated[str | None, DESCRIBE_FORMATS.option("Output format (default: table).", "--format", "-f")] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (format from its extension).", metavar="FILE"),
    ] = None,
) -> None:
    """Print everything the graph states about one thing, with the source of each statement."""
    import ppkg
    from ppkg.rdf.namespaces import compact

    fmt = DESCRIBE_FORMATS.choose(fmt, output, "table")
    kg = ppkg.load()
    iri, facts = kg.describe(thing)
    if fmt == "json":
        doc = {"iri": str(iri), "label": kg.label(iri), "facts": [f.as_dict() for f in facts]}
        write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", output)
        return
    numbers: dict[str, int] = {}
    for f in facts:
        for source in f.sources:
            numbers.setdefault(source, len(numbers) + 1)
    rows = []
    for f in facts:
        value = f.value_label or (compact(f.value) if f.value.startswith("http") else f.value)
        if f.history:  # a corrected statement: superseded (still in its source's graph), or the new value
            value = f"{value} ({f.history})"
        prop = f"← {f.predicate_label}" if f.incoming else f.predicate_label
        cited = f.source if len(numbers) == 1 else ", ".join(f"[{numbers[s]}]" for s in f.sources)
        rows.append([prop, value, cited])
    legend = [f"[{n}] {source}" for source, n in numbers.items()] if len(numbers) > 1 else []
    count = f"{len(facts)} statement{'' if len(facts) == 1 else 's'}"
    title = [f"{kg.label(iri)}  <{iri}>"]
    text = render(["property", "value", "source"], rows, width=_width(output), title=title, footer=[*legend, count])
    write(text, output)


@app.command("export")
def export_command(
    fmt: Annotated[
        str | None,
        EXPORT_FORMATS.option("RDF syntax (default: trig; ttl, json-ld, nq, ntriples work too).", "--format", "-f"),
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option(help="Only this named graph (IRI or short name such as cdss-peer-partners).", metavar="GRAPH"),
    ] = None,
    output: OutputFile = None,
    data: ExtraData = None,
    describe: Annotated[
        bool,
        typer.Option(
            "--describe",
            help="Write the dataset description instead (DCAT/VoID: named graphs, triple counts, sources, "
            "licence, version); turtle by default, jsonld or nt with --format.",
        ),
    ] = False,
) -> None:
    """Export the whole graph, or one source graph, deterministically; or describe the dataset (--describe)."""
    import ppkg

    if describe:
        from ppkg.rdf.dataset import SUMMARY_QUERY, describe_dataset, serialize_description

        if graph is not None:
            fail("--describe describes the whole dataset: leave out --graph")
        fmt = EXPORT_FORMATS.choose(fmt, output, "turtle")
        summary = ppkg.load(*(data or [])).query(SUMMARY_QUERY).graph
        assert summary is not None  # a CONSTRUCT answers with a graph
        write(serialize_description(describe_dataset(summary), fmt), output)
        return
    fmt = EXPORT_FORMATS.choose(fmt, output, "trig")
    write(ppkg.load(*(data or [])).export(fmt, graph), output)
