"""The data steward's commands: ``validate``, ``contribute``, ``contributions``, ``withdraw``, ``template``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ppkg.cli.app import app, write
from ppkg.cli.formats import DESCRIBE_FORMATS, REFUSAL_FORMATS, REPORT_FORMATS
from ppkg.errors import EXIT_OK, EXIT_VIOLATIONS, ContributionRejectedError


@app.command("validate")
def validate_command(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Turtle/TriG/N-Triples/N-Quads files or filled CSV templates.")
    ] = None,
    fmt: Annotated[str | None, REPORT_FORMATS.option("Report format (default: text).", "--format", "-f")] = None,
    strict: Annotated[bool, typer.Option(help="Treat warnings as failures.")] = False,
    data_dir: Annotated[
        Path | None, typer.Option(help="Validate against this data directory instead of the shipped data.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the report to this file (format from its extension).", metavar="FILE"
        ),
    ] = None,
) -> None:
    """Check files against the shapes, in the context of the graph (no files: the whole graph).

    On a terminal, a step that takes more than a second shows a progress bar on stderr.

    Exit 0 conforms, 1 violations (or warnings with --strict), 2 unreadable input.
    """
    from ppkg.cli.progress import for_stderr
    from ppkg.steward.api import validate

    fmt = REPORT_FORMATS.choose(fmt, output, "text")
    report = validate(files or [], data_dir=data_dir, strict=strict, progress=for_stderr())
    write(report.serialize(fmt), output)
    raise typer.Exit(EXIT_OK if report.conforms else EXIT_VIOLATIONS)


@app.command("contribute")
def contribute_command(
    files: Annotated[list[Path], typer.Argument(help="The contribution: RDF files or filled CSV templates.")],
    by: Annotated[str, typer.Option("--by", help="Who contributes (recorded as provenance).")],
    source: Annotated[str | None, typer.Option(help="URL the contributed facts come from.")] = None,
    strict: Annotated[bool, typer.Option(help="Refuse warnings too.")] = False,
    data_dir: Annotated[Path | None, typer.Option(help="The data directory to add to.")] = None,
    fmt: Annotated[
        str, REFUSAL_FORMATS.option("Report format when refused (default: text).", "--format", "-f")
    ] = "text",
) -> None:
    """Validate a contribution and merge it into its own named graph, atomically, with provenance.

    Several files, or one with a thousand programs, are one contribution, checked and merged in one step;
    on a terminal, a step that takes more than a second shows a progress bar on stderr.

    Exit 0 merged (or nothing new), 1 refused by validation (nothing written), 2 unreadable input.
    """
    from ppkg.cli.progress import for_stderr
    from ppkg.steward.api import contribute

    try:
        record, report = contribute(
            files, by=by, source=source, data_dir=data_dir, strict=strict, progress=for_stderr()
        )
    except ContributionRejectedError as err:
        write(err.report.serialize(fmt), None)
        typer.echo(f"ppkg: error: {_refusal(err)}", err=True)
        raise typer.Exit(EXIT_VIOLATIONS) from None
    if report.warnings:
        write(report.serialize("text"), None)
    if record is None:
        typer.echo("ppkg: warning: nothing new: every statement is already in the graph; nothing was written", err=True)
        return
    typer.echo(f"ppkg: merged contribution {record.id}: {record.triples} statements into <{record.graph}>")
    typer.echo(f"ppkg: file {record.path}")


UNIQUE_NAME = "https://w3id.org/ppkg/shapes#Program-uniqueNameShape"
"""The shape of the rule "no two programs have the same name"."""


def _refusal(err: ContributionRejectedError) -> str:
    """The refusal line: how many problems and the first, then every program name that clashes, with the
    programs that have it (in a bulk contribution the names that clash, inside it or with the graph, are what
    a steward needs to see at once)."""
    same = _same_names(err)
    return f"{str(err).rstrip('.')}; programs with the same name: {same}" if same else str(err)


def _same_names(err: ContributionRejectedError) -> str:
    """``"x" (program:a, program:b), …``: the program names the duplicate-name rule found, and their programs."""
    from ppkg.rdf.namespaces import compact
    from ppkg.validation.report import ValidationReport

    if not isinstance(err.report, ValidationReport):
        return ""
    clashes: dict[str, set[str]] = {}
    for r in err.report.results:
        if r.source_shape == UNIQUE_NAME and r.value is not None:
            clashes.setdefault(r.value.lower(), set()).add(compact(r.focus_node))
    if not clashes:
        return ""
    return ", ".join(f'"{name}" ({", ".join(sorted(nodes))})' for name, nodes in sorted(clashes.items()))


@app.command("contributions")
def contributions_command(
    data_dir: Annotated[Path | None, typer.Option(help="The data directory.")] = None,
    fmt: Annotated[str, DESCRIBE_FORMATS.option("Output format (default: table).", "--format", "-f")] = "table",
) -> None:
    """List the contributions merged into the data directory."""
    from ppkg.query.tables import render, terminal_width
    from ppkg.steward.store import list_contributions

    records = list_contributions(data_dir)
    if fmt == "json":
        write(json.dumps([r.as_dict() for r in records], indent=2) + "\n", None)
        return
    rows = [[r.id, r.by, r.at, r.input_file, str(r.triples), r.source or ""] for r in records]
    footer = [f"{len(records)} contribution{'s' * (len(records) != 1)}"]
    headers = ["id", "by", "at", "file", "statements", "source"]
    write(render(headers, rows, width=terminal_width(), footer=footer), None)


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
    kind: Annotated[str, typer.Argument(help="program, organization, topic, curriculum, rating or resource.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the CSV to this file.")] = None,
    explain: Annotated[bool, typer.Option(help="Describe the columns instead.")] = False,
) -> None:
    """Print a CSV template for stewards who do not write RDF; fill it and pass it to validate/contribute."""
    from ppkg.steward.templates import describe_template, render

    write(describe_template(kind) + "\n" if explain else render(kind), output)


@app.command("correct")
def correct_command(
    subject: Annotated[
        str,
        typer.Argument(metavar="SUBJECT", help="The thing to correct, by name or IRI (START, program:kentucky-start)."),
    ],
    prop: Annotated[
        str, typer.Argument(metavar="PROPERTY", help="Its property, by name or CURIE (state, ppkg:state).")
    ],
    by: Annotated[str, typer.Option("--by", help="Who corrects (recorded as provenance).")],
    why: Annotated[str, typer.Option("--why", help="Why the statement is wrong (recorded with the correction).")],
    source: Annotated[str, typer.Option("--source", help="URL of the source that supports the correction.")],
    new_value: Annotated[
        str | None,
        typer.Argument(metavar="NEW_VALUE", help="The value that replaces the current one: a name, an IRI or text."),
    ] = None,
    old: Annotated[
        str | None, typer.Option("--old", help="Which value to supersede, when the property has several.")
    ] = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="Withdraw the statement without a replacement (no NEW_VALUE).")
    ] = False,
    strict: Annotated[bool, typer.Option(help="Refuse warnings too.")] = False,
    data_dir: Annotated[Path | None, typer.Option(help="The data directory to correct.")] = None,
    fmt: Annotated[
        str, REFUSAL_FORMATS.option("Report format when refused (default: text).", "--format", "-f")
    ] = "text",
) -> None:
    """Supersede a statement with provenance: the old value stays in its source's graph (ppkg describe shows
    it as history), queries answer with the new one. Withdrawing the correction (ppkg withdraw) restores it.

    Example: ppkg correct START state Tennessee --by "Ada Steward" --why "moved" --source https://example.org/x

    Exit 0 corrected, 1 refused by validation (nothing written), 2 unknown name or bad input.
    """
    from ppkg.errors import ParameterError
    from ppkg.steward.api import correct

    if (new_value is None) == (not remove):
        raise ParameterError("give the new value, or --remove to withdraw the statement without a replacement")
    try:
        done = correct(
            subject, prop, new_value, by=by, why=why, source=source, old=old, data_dir=data_dir, strict=strict
        )
    except ContributionRejectedError as err:
        write(err.report.serialize(fmt), None)
        typer.echo(f"ppkg: error: {err}", err=True)
        raise typer.Exit(EXIT_VIOLATIONS) from None
    if done.report.warnings:
        write(done.report.serialize("text"), None)
    record = done.contribution
    if record is None:
        typer.echo("ppkg: warning: nothing new: this correction is already in the graph; nothing was written", err=True)
        return
    typer.echo(f"ppkg: merged contribution {record.id}: {record.triples} statements into <{record.graph}>")
    typer.echo(f"ppkg: file {record.path}")
    typer.echo(f"ppkg: {done.correction.summary}")
