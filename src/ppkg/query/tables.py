"""Results laid out for reading: a table that fits the terminal, or one record per row when none can.

What the table view shows of a result (``csv``/``json`` keep every column):

- IRI columns are left out: a column that has a ``…Label`` column beside it, and, when the result has
  labels, a column whose values are all IRIs (a result without labels shows its IRIs as compact names);
- columns with no value on any row are left out;
- a column with the same value on every row is shown once, above the table, as ``name: value``;
- the columns get at least their longest word, so no word is split across lines; when the columns
  cannot all get that (or a minimum readable width) within the terminal, each row is printed as a record
  (``── 1 ──`` then ``column: value`` lines, wrapped at word boundaries);
- control characters (terminal escape sequences among them) are shown as visible escapes such as
  ``\\x1b``, never sent to the terminal; lines never end in spaces.

The width is ``COLUMNS`` when set, else the terminal's width when printing to one, else the content's
natural width (a pipe or a file gets rows that are never wrapped).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

import pyoxigraph as ox

from ppkg.rdf.namespaces import compact
from ppkg.rdf.terms import OxTerm, is_number, to_ox
from ppkg.rdf.text import visible

if TYPE_CHECKING:
    from rdflib.term import Identifier


MIN_READABLE = 12
"""The narrowest a column of text may get in a table (a column whose values are all shorter keeps their width)."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts that make a spreadsheet evaluate a CSV cell as a formula (OWASP CSV injection)."""

_WORD = re.compile(r"\S+")


def terminal_width(stream: TextIO | None = None) -> int | None:
    """The width to lay text out for: ``COLUMNS`` when set, the terminal's when ``stream`` (stdout) is one.

    ``None`` means no limit: the content's natural width (output to a pipe or a file).
    """
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    stream = sys.stdout if stream is None else stream
    try:
        if stream.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return None


def cell_text(term: OxTerm | Identifier | None) -> str:
    """The table text of a term: IRIs as compact ``prefix:local`` names, control characters escaped."""
    if term is None:
        return ""
    term = to_ox(term)
    if isinstance(term, ox.NamedNode):
        return visible(compact(term.value))
    return visible(term.value)


def spreadsheet_safe(term: OxTerm | Identifier | None) -> str:
    """The CSV/TSV text of a term: text that a spreadsheet would run as a formula gets a leading ``'``.

    Text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a single
    quote (the OWASP advice against CSV injection); numbers (``-3``) and IRIs are written as they are.
    """
    if term is None:
        return ""
    term = to_ox(term)
    text = term.value
    if isinstance(term, ox.Literal) and text.startswith(FORMULA_PREFIXES) and not is_number(term):
        return "'" + text
    return text


def table_columns(variables: Sequence[str], rows: Sequence[Sequence[OxTerm | Identifier | None]]) -> list[int]:
    """Indexes of the columns the table view shows (in the table, or above it when constant).

    Left out: columns with no value, ``?x`` beside ``?xLabel``, and, in a result that has ``…Label``
    columns (every catalogued query), the columns whose values are all IRIs. A result without labels keeps
    its IRIs, shown as compact names (``program:kentucky-start``).
    """
    names = set(variables)
    labelled = any(v.endswith("Label") for v in variables)
    filled = [i for i in range(len(variables)) if any(row[i] is not None for row in rows)]
    return [
        i
        for i in filled
        if f"{variables[i]}Label" not in names
        and not (labelled and all(_is_node(row[i]) for row in rows if row[i] is not None))
    ] or filled


def _is_node(term: OxTerm | Identifier | None) -> bool:
    """Whether ``term`` is an IRI or a blank node."""
    return term is not None and isinstance(to_ox(term), (ox.NamedNode, ox.BlankNode))


def render_result(
    variables: Sequence[str], rows: Sequence[Sequence[OxTerm | Identifier | None]], *, width: int | None = None
) -> str:
    """A query result as text: a table (or records) and the row count (what ``--format table`` prints)."""
    count = f"{len(rows)} row{'' if len(rows) == 1 else 's'}"
    if not rows:
        return count + "\n"
    columns = table_columns(variables, rows)
    return render(
        [variables[i] for i in columns],
        [[cell_text(row[i]) for i in columns] for row in rows],
        width=width,
        footer=[count],
    )


def render(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int | None = None,
    title: Sequence[str] = (),
    footer: Sequence[str] = (),
) -> str:
    """Rows of cell texts as a table that fits ``width`` (``None``: no limit), else as records.

    Empty columns are left out and constant ones (on two rows or more) are shown once above the table.
    ``title`` lines come first and ``footer`` lines last; every line is wrapped to ``width``.
    """
    headers = [visible(h, newlines=False) for h in headers]
    rows = [[visible(c) for c in row] for row in rows]
    keep = [i for i in range(len(headers)) if any(row[i].strip() for row in rows)]
    constant = [i for i in keep if len(rows) > 1 and len({row[i] for row in rows}) == 1]
    table = [i for i in keep if i not in constant]
    out = [line for text in title for line in _wrap(visible(text), width)]
    if constant:
        out += _pairs([(headers[i], rows[0][i]) for i in constant], width)
    if table:
        if out:
            out.append("")
        out += _table_or_records([headers[i] for i in table], [[row[i] for i in table] for row in rows], width)
    out += [line for text in footer for line in _wrap(visible(text), width)]
    return "".join(line.rstrip() + "\n" for line in out)


def _cell_len(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _longest_word(text: str) -> int:
    return max((_cell_len(w) for w in _WORD.findall(text)), default=0)


def _longest_line(text: str) -> int:
    return max((_cell_len(line) for line in text.split("\n")), default=0)


def _overhead(columns: int) -> int:
    """Border and padding cells of a table of ``columns`` columns (outer borders, `` │ `` between columns)."""
    return 3 * columns - 1


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None) -> list[int] | None:
    """Widths for the columns of a table within ``width`` cells, or ``None`` when no readable table fits.

    Each column gets its natural width when all fit; otherwise at least its longest word (and
    :data:`MIN_READABLE`), and the room left goes to the columns that need it, narrowest first.
    """
    natural = [max([_longest_line(h)] + [_longest_line(r[i]) for r in rows]) for i, h in enumerate(headers)]
    if width is None or sum(natural) + _overhead(len(headers)) <= width:
        return natural
    room = width - _overhead(len(headers))
    minimum = [
        max(_longest_word(h), min(n, MIN_READABLE), *(_longest_word(r[i]) for r in rows))
        for i, (h, n) in enumerate(zip(headers, natural, strict=True))
    ]
    if sum(minimum) > room:
        return None
    low, high = 0, max(natural)
    while low < high:  # the largest cap such that every column gets min(natural, max(minimum, cap))
        mid = (low + high + 1) // 2
        if sum(min(n, max(m, mid)) for n, m in zip(natural, minimum, strict=True)) <= room:
            low = mid
        else:
            high = mid - 1
    widths = [min(n, max(m, low)) for n, m in zip(natural, minimum, strict=True)]
    spare = room - sum(widths)
    for i in sorted(range(len(widths)), key=lambda i: (-natural[i], i)):
        if spare and widths[i] < natural[i]:
            widths[i] += 1
            spare -= 1
    return widths


def _table_or_records(headers: list[str], rows: list[list[str]], width: int | None) -> list[str]:
    widths = column_widths(headers, rows, width)
    if widths is None:
        return _records(headers, rows, width)
    return _draw(headers, rows, widths)


def _draw(headers: list[str], rows: list[list[str]], widths: list[int]) -> list[str]:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(header_style="bold", pad_edge=False)
    for header, w in zip(headers, widths, strict=True):
        table.add_column(Text(header), width=w, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    buffer = io.StringIO()
    console = Console(
        width=sum(widths) + _overhead(len(widths)),
        file=buffer,
        color_system=None,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
    )
    console.print(table)
    return buffer.getvalue().splitlines()


def _records(headers: list[str], rows: list[list[str]], width: int | None) -> list[str]:
    out: list[str] = []
    for number, row in enumerate(rows, start=1):
        if out:
            out.append("")
        out.append(f"── {number} ──")
        out += _pairs([(h, c) for h, c in zip(headers, row, strict=True) if c.strip()], width)
    return out


def _pairs(pairs: list[tuple[str, str]], width: int | None) -> list[str]:
    """``name: value`` lines, values aligned and wrapped at word boundaries (long words only when longer)."""
    if not pairs:
        return []
    key = max(_cell_len(name) for name, _ in pairs) + 2
    if width is not None and width - key < 24:  # too narrow to align: a hanging indent instead
        key = 4
    out: list[str] = []
    for name, value in pairs:
        lead = f"{name}: "
        first = lead.ljust(key) if _cell_len(lead) <= key else lead
        paragraphs = value.split("\n")
        for n, paragraph in enumerate(paragraphs):
            out += _wrap(paragraph, width, first if n == 0 else " " * key, " " * key)
    return out


def _wrap(text: str, width: int | None, first: str = "", rest: str = "") -> list[str]:
    """``first + text`` wrapped to ``width`` at word boundaries, continued after ``rest``; a word is split
    only when it is longer than a whole line."""
    if width is None or _cell_len(first + text) <= width:
        return [first + text]
    words = text.split()
    if first.strip() and words and len(first) + len(words[0]) > width and len(rest) < len(first):
        return [first.rstrip(), *_wrap(text, width, rest, rest)]  # the value starts on the next line
    wrapper = textwrap.TextWrapper(
        width=max(width, len(first) + 1, len(rest) + 1),
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=True,
    )
    return wrapper.wrap(text) or [first]
