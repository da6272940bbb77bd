"""Output formats of the commands: the choices ``--help`` shows, their other spellings, and the format an
``--output`` file's extension implies."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ppkg.cli.app import fail
from ppkg.rdf.terms import term_text

if TYPE_CHECKING:
    from ppkg.query.results import QueryResult

_RDF_ALIASES = {"ttl": "turtle", "jsonld": "json-ld", "ntriples": "nt", "n-triples": "nt", "rdfxml": "xml"}


@dataclass(frozen=True)
class Choices:
    """The values one option accepts (formats, engines…): canonical names in help order, aliases, file extensions."""

    names: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)
    extensions: Mapping[str, str] = field(default_factory=dict)
    kind: str = "format"

    @property
    def metavar(self) -> str:
        """``[a|b|c]``, as ``--help`` shows it."""
        return "[" + "|".join(self.names) + "]"

    def parse(self, value: str) -> str:
        """The canonical name of ``value`` (any case, any alias); a usage error (exit 2) otherwise."""
        key = value.strip().lower()
        key = self.aliases.get(key, key)
        if key not in self.names:
            raise typer.BadParameter(f"unknown {self.kind} {value!r}; use one of {', '.join(self.names)}")
        return key

    def option(self, help_text: str, *flags: str, metavar: str = "FORMAT", list_choices: bool = True) -> Any:
        """A ``typer.Option`` that accepts these choices (any case, their aliases), completes them, and
        (with ``list_choices``) lists them in ``--help`` after ``help_text``."""
        return typer.Option(
            *flags,
            parser=self.parse,
            metavar=metavar,
            autocompletion=self.complete,
            help=f"{help_text} One of: {', '.join(self.names)}." if list_choices else help_text,
            show_default=False,
        )

    def complete(self, incomplete: str) -> list[str]:
        """The names that begin with ``incomplete`` (shell completion)."""
        return [n for n in self.names if n.startswith(incomplete.lower())]

    def choose(self, fmt: str | None, output: Path | None, default: str) -> str:
        """The format to write: ``--format`` when given, else the one ``output``'s extension names, else
        ``default``. An output file whose extension names no format is an error (exit 2)."""
        if fmt is not None:
            return fmt
        if output is None:
            return default
        return self.from_extension(output)

    def from_extension(self, output: Path) -> str:
        """The format ``output``'s extension names; an error (exit 2) when it names none."""
        suffix = output.suffix.lower()
        if suffix in self.extensions:
            return self.extensions[suffix]
        known = ", ".join(sorted(self.extensions))
        fail(
            f"cannot tell the format of {output} from its extension {suffix or '(none)'}: "
            f"give --format ({', '.join(self.names)}) or name the file {known}"
        )


SELECT_FORMATS = Choices(
    ("table", "csv", "tsv", "json", "jsonl"),
    extensions={".txt": "table", ".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "jsonl"},
)
"""Formats of a SELECT or ASK result."""

GRAPH_FORMATS = Choices(
    ("turtle", "json-ld", "nt", "xml", "trig"),
    aliases=_RDF_ALIASES,
    extensions={
        ".ttl": "turtle",
        ".jsonld": "json-ld",
        ".json": "json-ld",
        ".nt": "nt",
        ".xml": "xml",
        ".rdf": "xml",
        ".trig": "trig",
    },
)
"""Formats of a CONSTRUCT or DESCRIBE result (a graph)."""

QUERY_FORMATS = Choices(
    SELECT_FORMATS.names + GRAPH_FORMATS.names,
    aliases=_RDF_ALIASES,
    extensions={**GRAPH_FORMATS.extensions, **SELECT_FORMATS.extensions},
)
"""What ``ppkg query --format`` accepts; which apply depends on the result (see :func:`result_format`)."""

EXPORT_FORMATS = Choices(
    ("trig", "turtle", "nquads", "nt", "jsonld"),
    aliases={"ttl": "turtle", "json-ld": "jsonld", "nq": "nquads", "n-quads": "nquads", "ntriples": "nt"},
    extensions={
        ".trig": "trig",
        ".ttl": "turtle",
        ".nq": "nquads",
        ".nt": "nt",
        ".jsonld": "jsonld",
        ".json": "jsonld",
    },
)
"""Formats of ``ppkg export``."""

CATALOGUE_FORMATS = Choices(
    ("table", "json", "markdown"),
    aliases={"md": "markdown"},
    extensions={".txt": "table", ".json": "json", ".md": "markdown"},
)
"""Formats of ``ppkg queries``."""

DESCRIBE_FORMATS = Choices(("table", "json"), extensions={".txt": "table", ".json": "json"})
"""Formats of ``ppkg describe`` and ``ppkg contributions``."""

REPORT_FORMATS = Choices(
    ("text", "json", "turtle"),
    aliases={"ttl": "turtle", "txt": "text"},
    extensions={".txt": "text", ".json": "json", ".ttl": "turtle"},
)
"""Formats of a validation report (``ppkg validate``)."""

REFUSAL_FORMATS = Choices(("text", "json"), aliases={"txt": "text"})
"""Formats of the report ``ppkg contribute`` prints when it refuses a contribution."""


CSV_FORMULAS = Choices(("quote", "keep"), kind="--csv-formulas choice")
"""What ``ppkg query --csv-formulas`` does with csv/tsv text that a spreadsheet would run as a formula."""


def delimited(result: QueryResult, fmt: str, *, keep_formulas: bool = False) -> str:
    """``result`` as ``csv`` or ``tsv``: text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a CR gets a
    leading ``'`` (see :func:`ppkg.query.tables.spreadsheet_safe`), unless ``keep_formulas``."""
    if result.boolean is not None or not keep_formulas:
        return result.serialize(fmt)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
    writer.writerow(result.variables)
    writer.writerows([term_text(term) for term in row] for row in result.ox_rows)
    return buf.getvalue()


def result_format(fmt: str | None, output: Path | None, is_graph: bool) -> str:
    """The format to write a query result in: ``--format``, else ``output``'s extension, else ``table``
    (``turtle`` for a graph); an error (exit 2) when the format does not fit the result."""
    formats = GRAPH_FORMATS if is_graph else SELECT_FORMATS
    if fmt is None and output is not None:
        fmt = formats.from_extension(output) if output.suffix.lower() in formats.extensions else None
        if fmt is None:
            QUERY_FORMATS.from_extension(output)  # an unknown extension: the error names every format
            kind = "a graph (CONSTRUCT/DESCRIBE)" if is_graph else "a table of rows (SELECT/ASK)"
            fail(f"{output}: the result is {kind}; name the file {', '.join(sorted(formats.extensions))}")
    fmt = fmt or formats.names[0]
    if fmt not in formats.names:
        kind = "a graph (CONSTRUCT/DESCRIBE)" if is_graph else "a table of rows (SELECT/ASK)"
        fail(f"--format {fmt} does not fit this result: it is {kind}; use one of {', '.join(formats.names)}")
    return fmt
