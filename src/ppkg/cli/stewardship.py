"""The data steward's commands: ``validate``, ``contribute``, ``contributions``, ``withdraw``, ``template``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ppkg.cli.app import app, fail, write
from ppkg.errors import EXIT_OK, EXIT_VIOLATIONS, ContributionRejectedError


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
    from ppkg.steward.api import validate

    if fmt not in ("text", "json", "turtle"):
        fail(f"unknown format {fmt!r}: use text, json or turtle")
    report = validate(files or [], data_dir=data_dir, strict=strict)
    write(report.serialize(fmt), output)
    raise typer.Exit(EXIT_OK if report.conforms else EXIT_VIOLATIONS)


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
    from ppkg.steward.api import contribute

    try:
        record, report = contribute(files, by=by, source=source, data_dir=data_dir, strict=strict)
    except ContributionRejectedError as err:
        write(err.report.serialize(fmt), None)
        typer.echo(f"ppkg: {err}", err=True)
        raise typer.Exit(EXIT_VIOLATIONS) from None
    if report.warnings:
        write(report.serialize("text"), None)
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
    from rich.table import Table

    from ppkg.query.results import render_text
    from ppkg.steward.store import list_contributions

    records = list_contributions(data_dir)
    if fmt == "json":
        write(json.dumps([r.as_dict() for r in records], indent=2) + "\n", None)
        return
    table = Table(header_style="bold", pad_edge=False)
    for column in ("id", "by", "at", "file", "statements", "source"):
        table.add_column(column, overflow="fold", no_wrap=column in ("id", "at"))
    for r in records:
        table.add_row(r.id, r.by, r.at, r.input_file, str(r.triples), r.source or "")
    write(render_text(table) + f"{len(records)} contribution{'s' * (len(records) != 1)}\n", None)


@app.command("withdraw")
def withdraw_command(
    contribution_id: Annotated[str, typer.Argument(help="The id `ppkg contributions` shows.")],
    data_dir: Annotated[Path | None, typer.Option(help="The data directory.")] = None,
) -> None:
    """Remove one contribution (refused if other data depends on it)."""
    from ppkg.steward.store import withdraw

    record = withdraw(contribution_id, data_dir)
    typer.echo(f"ppkg: withdrew contribution {record.id} ({record.triples} statements)")


@app.command("template")
def template_command(
    kind: Annotated[str, typer.Argument(help="program, curriculum, rating or resource.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the CSV to this file.")] = None,
    explain: Annotated[bool, typer.Option(help="Describe the columns instead.")] = False,
) -> None:
    """Print a CSV template for stewards who do not write RDF; fill it and pass it to validate/contribute."""
    from ppkg.steward.templates import describe_template, render

    write(describe_template(kind) + "\n" if explain else render(kind), output)
