"""Query results as Python values, and their text forms (table, CSV, TSV, JSON, JSON Lines, RDF).

A result keeps the rows as the engine gave them (pyoxigraph terms from Oxigraph and from endpoints). Python
values are made from them when rows are read; rdflib terms only when :attr:`QueryResult.terms` is read; the
text forms are written straight from the pyoxigraph terms. Printing a SELECT result imports no rdflib.

pyoxigraph's own result serialisers are not used for ``csv``/``tsv``/``json``: they write other bytes than
ppkg's formats (CRLF line ends and no spreadsheet-formula quoting in CSV, compact JSON), and the solutions
they serialise are read once, by the engine.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import namedtuple
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ppkg.query.engines import OxRow, RawResult, Row
from ppkg.query.tables import spreadsheet_safe
from ppkg.rdf.namespaces import compact
from ppkg.rdf.terms import XSD, XSD_STRING, OxTerm, ox_python, term_text, to_python

if TYPE_CHECKING:
    import pandas as pd
    from rdflib import Graph
    from rdflib.term import Identifier

SELECT_FORMATS = ("table", "csv", "tsv", "json", "jsonl")
"""Output formats for SELECT and ASK results. ``json`` is SPARQL 1.1 Query Results JSON."""
GRAPH_FORMATS = ("turtle", "json-ld", "nt", "xml", "trig")
"""Output formats for CONSTRUCT and DESCRIBE results."""


class QueryResult:
    """The answer to a query.

    Iterating a SELECT result yields rows as named tuples of Python values (``str`` for IRIs and
    text, ``int``, ``Decimal``, ``datetime.date``… for typed literals, ``None`` when unbound).
    ``terms`` gives the rows as rdflib terms, ``ox_rows`` as pyoxigraph terms. CONSTRUCT/DESCRIBE
    results carry ``graph`` (an rdflib graph); ASK ``boolean``.
    ``notes`` holds one-line remarks on the answer (the command line prints them after the result).
    In a notebook a result shows as an HTML table.
    """

    def __init__(self, raw: RawResult, bound: Iterable[str] = ()) -> None:
        self.form = raw.form
        self.bound = frozenset(bound)
        self.variables: list[str] = list(raw.variables)
        self._raw = raw
        self.boolean = raw.boolean
        self.notes: list[str] = []
        self.graph: Graph | None = None
        if raw.form in ("CONSTRUCT", "DESCRIBE"):
            from ppkg.rdf.namespaces import new_graph

            self.graph = new_graph()
            for triple in raw.triples:
                self.graph.add(triple)
        fields = self.variables or ["value"]
        self._row_type = namedtuple("Row", fields, rename=True)  # type: ignore[misc]

    @property
    def terms(self) -> list[Row]:
        """The rows as rdflib terms (``None`` where a variable is unbound); made on first read."""
        return self._raw.rows

    @property
    def ox_rows(self) -> list[OxRow]:
        """The rows as pyoxigraph terms, as the engine answered (no rdflib involved)."""
        return self._raw.ox_rows

    def __iter__(self) -> Iterator[Any]:
        for row in self.ox_rows:
            yield self._row_type(*(ox_python(t) for t in row))

    def __len__(self) -> int:
        if self.graph is not None:
            return len(self.graph)
        return len(self.ox_rows)

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
        return [dict(zip(self.variables, (ox_python(t) for t in row), strict=True)) for row in self.ox_rows]

    def column(self, name: str) -> list[Any]:
        """The Python values of one variable, in row order."""
        i = self.variables.index(name)
        return [ox_python(row[i]) for row in self.ox_rows]

    def frame_columns(self) -> list[str]:
        """The variables in the order :meth:`to_dataframe` and the notebook view give them: the query's
        order, except that an IRI column ``x`` that has a ``xLabel`` column moves to the end."""
        labelled = [v for v in self.variables if f"{v}Label" in self.variables]
        return [v for v in self.variables if v not in labelled] + labelled

    def to_dataframe(self) -> pd.DataFrame:
        """A pandas ``DataFrame`` of the rows (needs pandas: ``pip install 'ppkg[dataframe]'``).

        Columns are typed by their literals: whole numbers (``xsd:integer`` and its kinds) as
        ``int64`` (``Int64`` when some are missing), ``xsd:decimal``/``double``/``float`` as
        ``float64``, ``xsd:date``/``dateTime`` as ``datetime64``, ``xsd:boolean`` as ``bool``
        (``boolean`` when some are missing); IRIs and text as strings. A column mixing kinds keeps
        Python values. Column order: :meth:`frame_columns`.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_dataframe() needs pandas: pip install 'ppkg[dataframe]'") from None
        columns = self.frame_columns()
        index = {v: i for i, v in enumerate(self.variables)}
        data = {v: _series(pd, [row[index[v]] for row in self.terms]) for v in columns}
        return pd.DataFrame(data, columns=columns)

    def __repr__(self) -> str:
        if self.boolean is not None:
            return f"<QueryResult {self.form} {'true' if self.boolean else 'false'}>"
        if self.graph is not None:
            return f"<QueryResult {self.form} {_count(len(self.graph), 'triple')}>"
        shown = self.frame_columns()
        names = ", ".join(shown[:4]) + (", …" if len(shown) > 4 else "")
        return f"<QueryResult {self.form} {_count(len(self.ox_rows), 'row')}: {names}>"

    def _repr_html_(self) -> str:
        """The notebook view: an HTML table of the first rows (IRIs compacted; every value escaped)."""
        if self.boolean is not None:
            return f"<p><code>{'true' if self.boolean else 'false'}</code></p>"
        if self.graph is not None:
            lines = self.graph.serialize(format="turtle").splitlines()
            more = f"\n# … {len(lines) - HTML_ROWS} more lines" if len(lines) > HTML_ROWS else ""
            body = html.escape("\n".join(lines[:HTML_ROWS]) + more)
            return f"<p>{_count(len(self.graph), 'triple')}</p><pre>{body}</pre>"
        columns = self.frame_columns()
        index = [self.variables.index(v) for v in columns]
        head = "".join(f"<th>{html.escape(v)}</th>" for v in columns)
        rows = self.ox_rows
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_text(row[i]))}</td>" for i in index) + "</tr>"
            for row in rows[:HTML_ROWS]
        )
        if len(rows) > HTML_ROWS:
            body += f'<tr><td colspan="{len(columns)}">… {_count(len(rows) - HTML_ROWS, "more row")}</td></tr>'
        notes = "".join(f"<p>{html.escape(note)}</p>" for note in self.notes)
        caption = html.escape(_count(len(rows), "row"))
        return f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}"

    # -- text forms ---------------------------------------------------------------------------------

    def to_sparql_json(self) -> dict[str, Any]:
        """The SPARQL 1.1 Query Results JSON document."""
        if self.boolean is not None:
            return {"head": {}, "boolean": self.boolean}
        bindings = []
        for row in self.ox_rows:
            b = {v: _json_term(t) for v, t in zip(self.variables, row, strict=True) if t is not None}
            bindings.append(b)
        return {"head": {"vars": self.variables}, "results": {"bindings": bindings}}

    def serialize(self, fmt: str = "table") -> str:
        """Render the result as text in one of :data:`SELECT_FORMATS` or :data:`GRAPH_FORMATS`.

        In ``csv``/``tsv`` a text value that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
        return gets a leading ``'`` so spreadsheets do not run it as a formula; ``json``/``jsonl`` keep
        every value exactly.
        """
        if self.graph is not None:
            if fmt not in GRAPH_FORMATS:
                raise ValueError(f"a {self.form} result is a graph: use --format {'|'.join(GRAPH_FORMATS)}")
            from ppkg.rdf.export import serialize_graph

            return serialize_graph(self.graph, fmt)
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
            for row in self.ox_rows:
                writer.writerow([spreadsheet_safe(t) for t in row])
            return buf.getvalue()
        return self.to_table()

    def table_columns(self) -> list[int]:
        """Indexes of the columns the table view shows (see :func:`ppkg.query.tables.table_columns`)."""
        from ppkg.query.tables import table_columns

        return table_columns(self.variables, self.ox_rows)

    def to_table(self, width: int | None = None) -> str:
        """A plain-text table (what ``--format table`` prints), laid out by :mod:`ppkg.query.tables`.

        ``width`` in terminal cells (``None``: ``COLUMNS``, else the terminal's width, else no limit).
        IRI columns, empty columns and ``?x`` beside ``?xLabel`` are left out, constant columns are shown
        once above the table, and a result too wide for ``width`` is shown one record per row;
        ``csv``/``json`` keep every column. An ASK result is ``true`` or ``false``.
        """
        from ppkg.query.tables import render_result, terminal_width

        if self.boolean is not None:
            return ("true" if self.boolean else "false") + "\n"
        return render_result(self.variables, self.ox_rows, width=terminal_width() if width is None else width)


HTML_ROWS = 50
"""How many rows (or Turtle lines) the notebook view shows."""

_WHOLE = {
    XSD + t
    for t in (
        "integer int long short byte nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger "
        "unsignedLong unsignedInt unsignedShort unsignedByte"
    ).split()
}
_REAL = {XSD + "decimal", XSD + "double", XSD + "float"}
_DATES = {XSD + "date", XSD + "dateTime", XSD + "dateTimeStamp"}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _text(term: OxTerm | None) -> str:
    return compact(term.value) if isinstance(term, ox.NamedNode) else term_text(term)


def _series(pd: Any, terms: list[Identifier | None]) -> Any:
    """A pandas Series of one column's terms, typed by their datatypes (see ``to_dataframe``)."""
    from rdflib import Literal

    present = [t for t in terms if t is not None]
    kinds = {
        str(t.datatype) if isinstance(t, Literal) and t.datatype is not None and not t.ill_typed else None
        for t in present
    }
    missing = len(present) < len(terms)
    if present and kinds <= _WHOLE:
        return pd.Series([None if t is None else int(t) for t in terms], dtype="Int64" if missing else "int64")
    if present and kinds <= _WHOLE | _REAL:
        return pd.Series([float("nan") if t is None else float(t) for t in terms], dtype="float64")
    if present and kinds <= {XSD + "boolean"}:
        values = [None if t is None else bool(to_python(t)) for t in terms]
        return pd.Series(values, dtype="boolean" if missing else "bool")
    values = [to_python(t) for t in terms]
    if present and kinds <= _DATES:
        try:
            return pd.Series(pd.to_datetime(values))
        except (ValueError, TypeError):
            pass
    return pd.Series(values, dtype=None if present else object)


def _json_term(term: OxTerm) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out
