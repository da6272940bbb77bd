"""Static checks that keep a read-only query from reaching the network or the file system.

Both engines ppkg uses would follow ``SERVICE`` to any URL, and rdflib would load the IRI of a
``FROM``/``LOAD`` clause. ppkg refuses such queries before they run, as well as SPARQL Update. The
check works on the query text with its comments, strings and IRIs blanked out, so a keyword inside a
string literal (``"load"``) or a variable named ``?service`` does not trip it.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from ppkg.errors import ParameterError, UnsafeQueryError

_STRING_OR_IRI_OR_COMMENT = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long double-quoted string
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"  # long single-quoted string
    r'|"(?:[^"\\\n]|\\.)*"'  # double-quoted string
    r"|'(?:[^'\\\n]|\\.)*'"  # single-quoted string
    r'|<[^<>"{}|^`\\\x00-\x20]*>'  # IRI reference
    r"|#[^\n]*",  # comment
    re.DOTALL,
)
_IRI = re.compile(r'<([^<>"{}|^`\\\x00-\x20]*)>')

_FORBIDDEN = {
    "SERVICE": "SERVICE would send the query to another endpoint",
    "LOAD": "LOAD would read a file or URL",
}
_UPDATE = ("INSERT", "DELETE", "DROP", "CLEAR", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


def _keyword(word: str) -> re.Pattern[str]:
    # a keyword, not a ?variable, $variable, prefixed name (pre:word or word:local) or part of a longer word
    return re.compile(rf"(?<![\w?$:]){word}(?![\w:-])", re.IGNORECASE)


_KEYWORDS = {w: _keyword(w) for w in (*_FORBIDDEN, *_UPDATE, *_FORMS, "FROM")}
_FROM_CLAUSE = re.compile(r"(?<![\w?$:])FROM(?![\w:-])\s*(?:NAMED\s*)?(\x00\d+\x00)", re.IGNORECASE)


def mask(query: str) -> tuple[str, list[str]]:
    """Blank out strings, IRIs and comments; return the masked text and the IRIs in order.

    Each IRI is replaced by ``\\x00<n>\\x00`` so that clauses can still be matched to their IRI.
    """
    iris: list[str] = []

    def repl(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("<"):
            iris.append(token[1:-1])
            return f"\x00{len(iris) - 1}\x00"
        if token.startswith("#"):
            return " "
        return '""'

    return _STRING_OR_IRI_OR_COMMENT.sub(repl, query), iris


def blank_tokens(query: str) -> str:
    """Replace strings, IRIs and comments by spaces of the same length (positions stay valid)."""
    return _STRING_OR_IRI_OR_COMMENT.sub(lambda m: " " * len(m.group(0)), query)


def query_form(query: str) -> str:
    """Return ``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE`` (the first form keyword in the text)."""
    masked, _ = mask(query)
    positions = [(m.start(), form) for form in _FORMS if (m := _KEYWORDS[form].search(masked))]
    if not positions:
        raise UnsafeQueryError("not a SPARQL query: expected SELECT, CONSTRUCT, ASK or DESCRIBE")
    return min(positions)[1]


def check_read_only(query: str) -> str:
    """Refuse updates, ``SERVICE``, ``LOAD`` and ``FROM`` clauses.

    ``FROM`` is refused because rdflib would fetch its IRI; ``GRAPH <iri> { … }`` selects a loaded
    graph instead.

    Returns the query form. Raises :class:`~ppkg.errors.UnsafeQueryError` with one readable line.
    """
    masked, iris = mask(query)
    for word, why in _FORBIDDEN.items():
        if _KEYWORDS[word].search(masked):
            raise UnsafeQueryError(f"{word} is not allowed: {why}; ppkg answers from the loaded graph only")
    form_positions = [(m.start(), f) for f in _FORMS if (m := _KEYWORDS[f].search(masked))]
    update_positions = [(m.start(), w) for w in _UPDATE if (m := _KEYWORDS[w].search(masked))]
    if update_positions and (not form_positions or min(update_positions) < min(form_positions)):
        word = min(update_positions)[1]
        raise UnsafeQueryError(f"SPARQL Update ({word}) is not allowed: queries are read-only")
    if not form_positions:
        raise UnsafeQueryError("not a SPARQL query: expected SELECT, CONSTRUCT, ASK or DESCRIBE")
    if match := _FROM_CLAUSE.search(masked):
        iri = iris[int(match.group(1).strip("\x00"))]
        raise UnsafeQueryError(
            f"FROM <{iri}> is not allowed: ppkg never loads graphs from URLs or files; "
            f"use GRAPH <{iri}> {{ ... }} to read one loaded graph"
        )
    if _KEYWORDS["FROM"].search(masked):
        raise UnsafeQueryError("FROM is not allowed; use GRAPH <iri> { ... } to read one loaded graph")
    return min(form_positions)[1]


def check_iri(value: str) -> str:
    """Return ``value`` if it is a usable absolute IRI; raise ``ParameterError`` otherwise."""
    if not _IRI.fullmatch(f"<{value}>") or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise ParameterError(f"not a valid absolute IRI: {value!r}")
    return value


_SELECT_CLAUSE = re.compile(
    r"(?<![\w?$:])SELECT(?![\w:-])(.*?)(?:(?<![\w?$:])WHERE(?![\w:-])|\{)", re.IGNORECASE | re.DOTALL
)


def unprojected(query: str, names: Collection[str]) -> list[str]:
    """Those of ``names`` that a SELECT query binds but does not project (``SELECT *`` projects all).

    Pre-binding follows SEP-0007, which binds only projected variables of the outer query.
    """
    masked, _ = mask(query)
    match = _SELECT_CLAUSE.search(masked)
    if match is None:
        return []
    projection = match.group(1)
    if re.search(r"(?<![\w?$])\*", projection):
        return []
    projected = {m.group(1) for m in re.finditer(r"[?$](\w+)", projection)}
    return sorted(n for n in names if n not in projected)


_HTTP_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def is_http_url(value: str) -> bool:
    """True for an absolute http(s) URL without characters an IRI may not contain."""
    return bool(_HTTP_URL.match(value))
