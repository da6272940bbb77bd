"""Query results as Python values, and their text forms (table, CSV, TSV, JSON, JSON Lines, RDF)."""

from __future__ import annotations

import csv
import io
import json
from collections import namedtuple
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from ppkg.query.engines import RawResult
from ppkg.rdf.namespaces import compact, new_graph
from ppkg.rdf.terms import to_python

SELECT_FORMATS = ("table", "csv", "tsv", "json", "jsonl")
"""Output formats for SELECT and ASK results. ``json`` is SPARQL 1.1 Query Results JSON."""
GRAPH_FORMATS = ("turtle", "json-ld", "nt", "xml", "trig")
"""Output formats for CONSTRUCT and DESCRIBE results."""


class QueryResult:
    """The answer to a query.

    Iterating a SELECT result yields rows as named tuples of Python values (``str`` for IRIs and
    text, ``int``, ``Decimal``, ``datetime.date``… for typed literals, ``None`` when unbound).
    ``terms`` keeps the rdflib terms. CONSTRUCT/DESCRIBE results carry ``graph``; ASK ``boolean``.
    """

    def __init__(self, raw: RawResult, bound: Iterable[str] = ()) -> None:
        self.form = raw.form
        self.bound = frozenset(bound)
        self.variables: list[str] = list(raw.variables)
        self.terms: list[tuple[Identifier | None, ...]] = list(raw.rows)
        self.boolean = raw.boolean
        self.graph: Graph | None = None
        if raw.form in ("CONSTRUCT", "DESCRIBE"):
            self.graph = new_graph()
            for triple in raw.triples:
                self.graph.add(triple)
        fields = self.variables or ["value"]
        self._row_type = namedtuple("Row", fields, rename=True)  # type: ignore[misc]

    def __iter__(self) -> Iterator[Any]:
        for row in self.terms:
            yield self._row_type(*(to_python(t) for t in row))

    def __len__(self) -> int:
        if self.graph is not None:
            return len(self.graph)
        return len(self.terms)

    def __bool__(self) -> bool:
        if self.boolean is not None:
            return self.boolean
        return len(self) > 0

    @property
    def rows(self) -> list[Any]:
        """All rows as named tuples of Python values."""
        return list(self)

    def dicts(self) -> list[dict[str, Any]]:
        """All rows as ``{variable: Python value}`` dicts."""
        return [dict(zip(self.variables, (to_python(t) for t in row), strict=True)) for row in self.terms]

    def column(self, name: str) -> list[Any]:
        """The Python values of one variable, in row order."""
        i = self.variables.index(name)
        return [to_python(row[i]) for row in self.terms]

    def to_dataframe(self) -> Any:
        """A pandas ``DataFrame`` of the rows (needs pandas: ``pip install 'ppkg[dataframe]'``)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_dataframe() needs pandas: pip install 'ppkg[dataframe]'") from None
        return pd.DataFrame(self.dicts(), columns=self.variables)

    # -- text forms ---------------------------------------------------------------------------------

    def to_sparql_json(self) -> dict[str, Any]:
        """The SPARQL 1.1 Query Results JSON document."""
        if self.boolean is not None:
            return {"head": {}, "boolean": self.boolean}
        bindings = []
        for row in self.terms:
            b = {v: _json_term(t) for v, t in zip(self.variables, row, strict=True) if t is not None}
            bindings.append(b)
        return {"head": {"vars": self.variables}, "results": {"bindings": bindings}}

    def serialize(self, fmt: str = "table") -> str:
        """Render the result as text in one of :data:`SELECT_FORMATS` or :data:`GRAPH_FORMATS`."""
        if self.graph is not None:
            if fmt not in GRAPH_FORMATS:
                raise ValueError(f"a {self.form} result is a graph: use --format {'|'.join(GRAPH_FORMATS)}")
            return self.graph.serialize(format=fmt)
        if fmt not in SELECT_FORMATS:
            raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(SELECT_FORMATS)}")
        if fmt == "json":
            return json.dumps(self.to_sparql_json(), indent=2, ensure_ascii=False) + "\n"
        if self.boolean is not None:
            return ("true" if self.boolean else "false") + "\n"
        if fmt == "jsonl":
            return "".join(json.dumps(d, ensure_ascii=False, default=str) + "\n" for d in self.dicts())
        if fmt in ("csv", "tsv"):
            buf = io.StringIO()
            writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
            writer.writerow(self.variables)
            for row in self.terms:
                writer.writerow(["" if t is None else str(t) for t in row])
            return buf.getvalue()
        return self.to_table()

    def table_columns(self) -> list[int]:
        """Indexes of the columns a table shows: not the bound parameters, and not ``?x`` beside ``?xLabel``."""
        shown = set(self.variables)
        return [i for i, v in enumerate(self.variables) if v not in self.bound and f"{v}Label" not in shown]

    def to_table(self) -> str:
        """A plain-text table (what ``--format table`` prints): labels shown, IRIs compacted.

        Columns of bound parameters and IRI columns that have a ``…Label`` column beside them are left
        out; ``csv``/``json`` keep every column.
        """
        from rich.table import Table

        columns = self.table_columns()
        table = Table(show_lines=False, header_style="bold", pad_edge=False)
        for i in columns:
            table.add_column(self.variables[i], overflow="fold")
        for row in self.terms:
            table.add_row(*(_cell(row[i]) for i in columns))
        return render_text(table, f"{len(self.terms)} row{'s' if len(self.terms) != 1 else ''}")


def render_text(*renderables: object) -> str:
    """Rich renderables (tables, text) as plain text, as wide as the terminal."""
    import shutil

    from rich.console import Console

    console = Console(
        width=shutil.get_terminal_size((160, 24)).columns, record=True, file=io.StringIO(), color_system=None
    )
    for renderable in renderables:
        console.print(renderable)
    return console.export_text()


def _cell(term: Identifier | None) -> str:
    """Table text of a term: IRIs as compact ``prefix:local`` names where a ppkg prefix fits."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact(str(term))
    return str(term)


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "literal", "value": str(term)}
