"""Commands that show the graph: ``similar``, ``gaps``, ``plot`` and ``site``."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ppkg.cli.app import ExtraData, OutputFile, app, write
from ppkg.cli.formats import DESCRIBE_FORMATS
from ppkg.query.tables import render, terminal_width


def _width(output: Path | None) -> int | None:
    return terminal_width(sys.stdout if output is None else io.StringIO())


def _list(labels: tuple[str, ...]) -> str:
    return ", ".join(labels) or "-"


@app.command("similar")
def similar_command(
    program: Annotated[
        str, typer.Argument(help="A program by name, alternative name, slug or IRI.", show_default=False)
    ],
    top: Annotated[int, typer.Option("--top", "-n", help="Show at most this many programs.", min=1)] = 10,
    fmt: Annotated[str | None, DESCRIBE_FORMATS.option("Output format (default: table).", "--format", "-f")] = None,
    output: OutputFile = None,
    data: ExtraData = None,
) -> None:
    """Programs whose training is most like PROGRAM's, with the topics they share and the ones they do not.

    Similarity is the weighted Jaccard index of the programs' training topics and their broader topics (a
    named topic weighs 1, its broader topic 1/2, the next 1/4).
    """
    import ppkg

    fmt = DESCRIBE_FORMATS.choose(fmt, output, "table")
    kg = ppkg.load(*(data or []))
    ranked = kg.similar(program, top=top)
    iri = kg.resolve("program", program)
    if fmt == "json":
        doc = {"program": str(iri), "label": kg.label(iri), "similar": [s.as_dict() for s in ranked]}
        write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", output)
        return
    rows = [
        [
            str(i),
            s.label,
            f"{s.score:.2f}",
            _list(s.shared),
            _list(s.shared_broader),
            _list(s.only_this),
            _list(s.only_other),
        ]
        for i, s in enumerate(ranked, start=1)
    ]
    headers = ["#", "program", "similarity", "both name", "both under", f"only {kg.label(iri)}", "only the other"]
    title = [f"Programs whose training is most like {kg.label(iri)}'s"]
    footer = [f"{len(ranked)} program{'' if len(ranked) == 1 else 's'}"]
    write(render(headers, rows, width=_width(output), title=title, footer=footer), output)


@app.command("gaps")
def gaps_command(
    program: Annotated[
        str, typer.Argument(help="A program by name, alternative name, slug or IRI.", show_default=False)
    ],
    min_programs: Annotated[
        int, typer.Option("--min-programs", "-m", help="List topics at least this many other programs train on.", min=1)
    ] = 3,
    fmt: Annotated[str | None, DESCRIBE_FORMATS.option("Output format (default: table).", "--format", "-f")] = None,
    output: OutputFile = None,
    data: ExtraData = None,
) -> None:
    """Training topics other programs train on and PROGRAM does not, with the programs that do.

    A topic counts as covered when the program trains on it or on a narrower topic.
    """
    import ppkg

    fmt = DESCRIBE_FORMATS.choose(fmt, output, "table")
    kg = ppkg.load(*(data or []))
    found = kg.gaps(program, min_programs=min_programs)
    iri = kg.resolve("program", program)
    if fmt == "json":
        doc = {"program": str(iri), "label": kg.label(iri), "gaps": [g.as_dict() for g in found]}
        write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", output)
        return
    rows = [[g.label, str(len(g.programs)), ", ".join(g.programs)] for g in found]
    title = [f"Topics at least {min_programs} other programs train on and {kg.label(iri)} does not"]
    footer = [f"{len(found)} topic{'' if len(found) == 1 else 's'}"]
    write(
        render(["topic", "programs", "trained on by"], rows, width=_width(output), title=title, footer=footer), output
    )


@app.command("plot")
def plot_command(
    kind: Annotated[
        str,
        typer.Argument(
            help="heatmap (programs × topics), topics (programs per topic) or network (similarity and lineage).",
            show_default=False,
            metavar="KIND",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The picture to write: FILE.png or FILE.svg.", metavar="FILE"),
    ],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="png or svg (default: from the extension).")] = None,
    data: ExtraData = None,
) -> None:
    """Draw a picture of the graph with matplotlib, as PNG or SVG."""
    import ppkg
    from ppkg.present.plots import plot

    kg = ppkg.load(*(data or []))
    picture = plot(kg.topic_sets, kg.to_networkx("lineage"), kind.strip().lower(), output, fmt and fmt.strip().lower())
    typer.echo(f"wrote {picture.path}: {picture.alt}")


@app.command("site")
def site_command(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="The directory to write the site into (new, empty, or a site built before).",
            metavar="DIR",
        ),
    ],
    data: ExtraData = None,
) -> None:
    """Build the browsable static site of the graph: a page per program, topic, role, framework, organization,
    rating level and source document (at the path of its IRI, with its statements as JSON-LD), the query
    catalogue with current answers, the ontology and the pictures. Open DIR/index.html; no server needed.

    `ppkg serve --site DIR` serves it, and answers the IRIs' paths (/id/...) with the page, Turtle or JSON-LD.
    """
    import ppkg

    report = ppkg.load(*(data or [])).site(output)
    typer.echo(f"wrote {report.pages} pages to {report.directory}; open {report.directory / 'index.html'}")
