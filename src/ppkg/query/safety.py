r"""The query guard: a query is read-only and answers from the loaded graph, decided on the parsed query.

Both engines ppkg uses, and any endpoint a query is sent to, follow ``SERVICE`` to any address, and
rdflib loads the IRI of a ``FROM`` clause (``file://`` included). :func:`check_query` refuses such
queries, and SPARQL Update, before any engine sees them:

1. Limits, before any parser sees the text: at most :data:`MAX_QUERY_LENGTH` characters, and brackets
   ``( [ {`` nested at most :data:`MAX_NESTING` deep (a parser recursing 10,000 levels crashes the process).
2. The text is read the way SPARQL 1.1 (§19.2) says it is read: ``\uXXXX`` escapes are expanded first
   (with rdflib's own ``expandUnicodeEscapes``), and a carriage return becomes a line feed, so that every
   parser that later reads it (rdflib's, Oxigraph's, a remote endpoint's) sees the same text; the
   engines run this normalised text (:attr:`CheckedQuery.text`).
3. A token scan refuses early: ``SERVICE``, ``LOAD``, ``FROM`` or an update verb as a keyword (not in a
   string, an IRI, a comment, a ``?variable`` or a prefixed name such as ``ppkg:load``; but a prefix
   named ``service:`` or ``from:`` is refused, as ``SERVICE:x`` reads as ``SERVICE :x``). It also guards
   the engines whose parser is not rdflib's.
4. The decision: rdflib's parser and algebra (``parseQuery``/``translateQuery``, with the ppkg prefixes).
   Refused: a ``ServiceGraphPattern`` anywhere (nested in ``OPTIONAL``, ``UNION``, ``MINUS``, ``GRAPH``,
   ``FILTER EXISTS`` or a sub-select), a dataset clause (``FROM``/``FROM NAMED``), and text that parses
   as an update rather than a query. The query form and the projection come from the parse.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ppkg.errors import ParameterError, QuerySyntaxError, UnsafeQueryError
from ppkg.rdf.namespaces import PREFIXES
from ppkg.rdf.text import nearest

if TYPE_CHECKING:
    from pyparsing import ParseBaseException

MAX_QUERY_LENGTH = 1_000_000
"""The longest query text, in characters, that is parsed at all."""

MAX_NESTING = 64
"""The deepest nesting of brackets ``(``, ``[`` and ``{`` (outside strings and comments) a query may have."""

_PARSE_RECURSION_LIMIT = 20_000
"""Python's recursion limit while rdflib parses (its parser recurses about 30 frames per bracket)."""

_FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "AskQuery": "ASK", "DescribeQuery": "DESCRIBE"}
_UPDATE_VERBS = ("INSERT", "DELETE", "DROP", "CLEAR", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING")
_UPDATE_OPERATIONS = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
}
_HINT = "ppkg answers from the loaded graph only"


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed :func:`check_query`: the text to run, its form and its projection."""

    text: str
    """The normalised text (escapes expanded, line ends as LF): what the engines run."""
    form: str
    """``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE``."""
    projection: tuple[str, ...] | None
    """The names a SELECT query projects, in order; ``None`` for ``SELECT *`` and the other forms."""


def check_query(query: str) -> CheckedQuery:
    """Check that ``query`` is one read-only SPARQL query that reaches nothing outside the loaded graph.

    Raises :class:`~ppkg.errors.UnsafeQueryError` (``SERVICE``, ``FROM``, ``LOAD``, an update) or
    :class:`~ppkg.errors.QuerySyntaxError` (too long, nested too deeply, not valid SPARQL), each one line.
    The result is cached per text, so a catalogued query is parsed once per process.
    """
    if not isinstance(query, str):
        raise QuerySyntaxError(f"a SPARQL query is text, not {type(query).__name__}")
    return _check_cached(query) if len(query) <= _CACHED_LENGTH else _check(query)


def check_read_only(query: str) -> str:
    """Check ``query`` like :func:`check_query`; return its form (``SELECT``, ``CONSTRUCT``, ``ASK``, ``DESCRIBE``)."""
    return check_query(query).form


def unprojected(query: str | CheckedQuery, names: Collection[str]) -> list[str]:
    """Those of ``names`` that a SELECT query binds but does not project (``SELECT *`` projects all).

    Pre-binding follows SEP-0007, which binds only projected variables of the outer query; the
    projection is the parsed query's.
    """
    checked = query if isinstance(query, CheckedQuery) else check_query(query)
    if checked.form != "SELECT" or checked.projection is None:
        return []
    return sorted(n for n in names if n not in checked.projection)


# -- normalising -----------------------------------------------------------------------------------


def normalize_query(query: str) -> str:
    r"""The text as SPARQL reads it: ``\uXXXX`` escapes expanded (SPARQL 1.1 §19.2) and CR/CRLF made LF.

    Raises :class:`~ppkg.errors.QuerySyntaxError` for an escape that is not a character, and for escapes
    that expand to further escapes (engines would disagree on how often to expand them).
    """
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes, expandUnicodeEscapes_re

    try:
        text = expandUnicodeEscapes(query)
    except ValueError as err:
        raise QuerySyntaxError(f"SPARQL syntax error: {_one_line(err)}") from None
    if match := expandUnicodeEscapes_re.search(text):
        raise QuerySyntaxError(
            f"SPARQL syntax error: an escape expands to another escape ({match.group(0)}); write the character itself"
        )
    if match := re.search(r"[\ud800-\udfff]", text):
        raise QuerySyntaxError(
            f"SPARQL syntax error: \\u{ord(match.group(0)):04X} is not a character (a lone surrogate)"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- the token scan --------------------------------------------------------------------------------

_ECHAR = r"""\\[tbnrf"'\\]"""
_STRING = (
    rf'"""(?:"{{0,2}}(?:[^"\\]|{_ECHAR}))*"""'
    rf"|'''(?:'{{0,2}}(?:[^'\\]|{_ECHAR}))*'''"
    rf'|"(?:[^"\\\n]|{_ECHAR})*"'
    rf"|'(?:[^'\\\n]|{_ECHAR})*'"
)
_PN_LOCAL_ESC = r"""\\[_~.\-!$&'()*+,;=/?#@%]"""


def _lexer(iri_chars: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?P<esc>{_PN_LOCAL_ESC})|(?P<comment>#[^\n]*)|(?P<string>{_STRING})|(?P<iri><[{iri_chars}]*>)",
    )


# Two readings of "<": as the start of an IRI wherever one could be, and also never when the would-be IRI
# holds a quote (in `FILTER(?x<'>')` the "<" is an operator). A keyword must be hidden in both to pass.
_LEXERS = (
    _lexer(r"^<>\"{}|^`\\\x00-\x20"),
    _lexer(r"^<>\"'{}|^`\\\x00-\x20"),
)

_TOKEN = re.compile(
    r"(?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]*)"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    rf"|(?P<pname>(?P<prefix>[^\W\d_][\w.\-]*)?:(?:[\w.:%\-\u00b7]|{_PN_LOCAL_ESC})*)"
    r"|(?P<bnode>_:[\w.\-\u00b7]*)"
    r"|(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<word>[^\W\d_]\w*)"
)
_REFUSED = {"SERVICE", "LOAD", "FROM", *_UPDATE_VERBS}
_FROM_IRI = re.compile(r"FROM\s+(?:NAMED\s+)?(<[^<>\s]*>)", re.IGNORECASE)


def _blank(token: str) -> str:
    return re.sub(r"[^\n]", " ", token)


def _lex(text: str, lexer: re.Pattern[str]) -> tuple[str, str]:
    """``(code, code_and_iris)``: the text with comments, strings and IRIs blanked (positions kept), and
    the same with IRIs kept (brackets inside an IRI count towards the nesting, to stay on the safe side)."""
    code: list[str] = []
    code_and_iris: list[str] = []
    last = 0
    for match in lexer.finditer(text):
        start, end = match.span()
        code.append(text[last:start])
        code_and_iris.append(text[last:start])
        token = match.group(0)
        kind = match.lastgroup
        code.append(token if kind == "esc" else _blank(token))
        code_and_iris.append(token if kind in ("esc", "iri") else _blank(token))
        last = end
    code.append(text[last:])
    code_and_iris.append(text[last:])
    return "".join(code), "".join(code_and_iris)


def blank_tokens(query: str) -> str:
    """Replace strings, IRIs and comments by spaces of the same length (positions stay valid)."""
    return _lex(query, _LEXERS[0])[0]


def nesting_depth(query: str) -> int:
    """The deepest nesting of ``(``, ``[`` and ``{`` outside strings and comments (IRIs included)."""
    return max(_depth(_lex(query, lexer)[1]) for lexer in _LEXERS)


def _depth(code: str) -> int:
    depth = deepest = 0
    for char in re.findall(r"[()\[\]{}]", code):
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def _scan(text: str, code: str) -> None:
    """Refuse the first keyword that reaches outside or changes the graph."""
    for match in _TOKEN.finditer(code):
        kind = match.lastgroup
        if kind == "word":
            word = match.group(0).upper()
        elif kind == "pname" and (match.group("prefix") or "").upper() in ("SERVICE", "FROM"):
            word = match.group("prefix").upper()  # `SERVICE:x` is SERVICE with the IRI `:x`
        else:
            continue
        if word in _REFUSED:
            raise UnsafeQueryError(_refusal(word, text, match.start()))


def _refusal(word: str, text: str, position: int) -> str:
    where = _where(text, position)
    if word == "SERVICE":
        return f"SERVICE is not allowed ({where}): it would send the query to another endpoint; {_HINT}"
    if word == "LOAD":
        return f"LOAD is not allowed ({where}): it would read a file or URL; {_HINT}"
    if word == "FROM":
        if match := _FROM_IRI.match(text, position):
            iri = match.group(1)
            return (
                f"FROM {iri} is not allowed ({where}): ppkg never loads graphs from URLs or files; "
                f"use GRAPH {iri} {{ ... }} to read one loaded graph"
            )
        return f"FROM is not allowed ({where}): use GRAPH <iri> {{ ... }} to read one loaded graph"
    return f"SPARQL Update ({word}) is not allowed ({where}): queries are read-only"


def _where(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"line {line}, column {column}"


# -- the parse -------------------------------------------------------------------------------------

_recursion_lock = threading.Lock()
_parse_lock = threading.Lock()
_recursion_users = 0
_recursion_before = 0


@contextmanager
def raised_recursion_limit(limit: int = _PARSE_RECURSION_LIMIT) -> Iterator[None]:
    """Raise Python's recursion limit to ``limit`` while any thread parses; restore it after the last one.

    rdflib's SPARQL parser recurses about 30 frames per bracket, so a query nested :data:`MAX_NESTING`
    deep needs more than Python's default of 1,000. Use it around parsing only, not evaluation.
    """
    global _recursion_users, _recursion_before
    with _recursion_lock:
        if _recursion_users == 0:
            _recursion_before = sys.getrecursionlimit()
            sys.setrecursionlimit(max(limit, _recursion_before))
        _recursion_users += 1
    try:
        yield
    finally:
        with _recursion_lock:
            _recursion_users -= 1
            if _recursion_users == 0:
                sys.setrecursionlimit(_recursion_before)


def _check(query: str) -> CheckedQuery:
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"the query is {len(query):,} characters long; the limit is {MAX_QUERY_LENGTH:,}")
    text = normalize_query(query)
    if (depth := nesting_depth(text)) > MAX_NESTING:
        raise QuerySyntaxError(f"the query nests brackets {depth} deep; the limit is {MAX_NESTING}")
    codes = [_lex(text, lexer)[0] for lexer in _LEXERS]
    for code in codes:
        _scan(text, code)
    try:
        with _parse_lock, raised_recursion_limit():  # pyparsing's packrat cache is not thread-safe
            return _parse(text, codes[0])
    except RecursionError:
        raise QuerySyntaxError(f"the query nests too deeply to parse; the limit is {MAX_NESTING} brackets") from None


_CACHED_LENGTH = 100_000
"""Checks of texts up to this length are cached (256 of them): catalogued queries are parsed once per process."""
_check_cached = lru_cache(maxsize=256)(_check)


def _parse(text: str, code: str) -> CheckedQuery:
    from pyparsing import ParseBaseException, ParseResults
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except ParseBaseException as err:
        _refuse_update(text)
        raise QuerySyntaxError(_syntax_message(err, text)) from None
    except ValueError as err:
        raise QuerySyntaxError(f"SPARQL syntax error: {_one_line(err)}") from None
    _refuse_reaching_out(parsed, text)
    try:
        algebra = translateQuery(parsed, initNs=PREFIXES).algebra
    except Exception as err:  # rdflib raises a bare Exception for an unknown prefix, among others
        raise QuerySyntaxError(_translate_message(err, text, code)) from None
    _refuse_reaching_out(algebra, text)
    node = parsed[1] if isinstance(parsed, ParseResults) and len(parsed) > 1 else None
    form = _FORMS.get(getattr(node, "name", ""), "")
    if not form or node is None:
        raise QuerySyntaxError("not a SPARQL query: expected SELECT, CONSTRUCT, ASK or DESCRIBE")
    projection: tuple[str, ...] | None = None
    if form == "SELECT" and "projection" in node:
        projection = tuple(str(v) for v in dict.get(algebra, "PV", ()))
    return CheckedQuery(text=text, form=form, projection=projection)


def _refuse_update(text: str) -> None:
    """Raise :class:`UnsafeQueryError` if ``text`` (which is not a query) parses as a SPARQL Update."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        update = parseUpdate(text)
    except (ParseBaseException, ValueError):
        return
    operations = [getattr(op, "name", "") for op in (dict.get(update, "request") or [])]
    if not operations:
        raise QuerySyntaxError("not a SPARQL query: expected SELECT, CONSTRUCT, ASK or DESCRIBE")
    verb = _UPDATE_OPERATIONS.get(operations[0], operations[0])
    if verb == "LOAD":
        raise UnsafeQueryError(f"LOAD is not allowed: it would read a file or URL; {_HINT}")
    raise UnsafeQueryError(f"SPARQL Update ({verb}) is not allowed: queries are read-only")


def _refuse_reaching_out(tree: object, text: str) -> None:
    """Walk a parse tree or algebra; refuse a ``ServiceGraphPattern`` or a ``DatasetClause`` anywhere in it."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Identifier

    stack: list[object] = [tree]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                target = dict.get(node, "term")
                shown = f" {target.n3()}" if isinstance(target, Identifier) else ""
                raise UnsafeQueryError(
                    f"SERVICE{shown} is not allowed: it would send the query to another endpoint; {_HINT}"
                )
            if node.name == "DatasetClause":
                iri = dict.get(node, "default") or dict.get(node, "named")
                shown = f"<{iri}>" if iri is not None else "<iri>"
                raise UnsafeQueryError(
                    f"FROM {shown} is not allowed: ppkg never loads graphs from URLs or files; "
                    f"use GRAPH {shown} {{ ... }} to read one loaded graph"
                )
            stack.extend(dict.values(node))
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


def _syntax_message(err: ParseBaseException, text: str) -> str:
    """One line: where rdflib's parser stopped, and what it found there."""
    where = f"line {err.lineno}, column {err.col}"
    rest = text[err.loc :].strip()
    if not rest:
        return f"SPARQL syntax error at {where}: the query ends too early (is a '}}', ')' or ']' missing?)"
    found = rest.split("\n", 1)[0]
    found = found if len(found) <= 30 else found[:29] + "…"
    if "SelectQuery | ConstructQuery" in str(err.msg):
        return (
            f"SPARQL syntax error at {where}: unexpected {found!r}; a query is PREFIX and BASE lines, "
            "then SELECT, CONSTRUCT, ASK or DESCRIBE"
        )
    return f"SPARQL syntax error at {where}: unexpected {found!r}"


def _translate_message(err: Exception, text: str, code: str) -> str:
    message = _one_line(err)
    if match := re.match(r"Unknown namespace prefix\s*:\s*(\S*)", message):
        prefix = match.group(1)
        position = next(
            (
                m.start()
                for m in _TOKEN.finditer(code)
                if m.lastgroup == "pname" and (m.group("prefix") or "") == prefix
            ),
            None,
        )
        where = f" at {_where(text, position)}" if position is not None else ""
        close = nearest(prefix, PREFIXES, n=1)
        hint = f"; did you mean '{close[0]}:'?" if close else ""
        return f"SPARQL syntax error{where}: unknown prefix '{prefix}'{hint}"
    return f"SPARQL syntax error: {message}"


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text or type(err).__name__


# -- IRIs and URLs ---------------------------------------------------------------------------------

_IRI = re.compile(r'<([^<>"{}|^`\\\x00-\x20]*)>')


def check_iri(value: str) -> str:
    """Return ``value`` if it is a usable absolute IRI; raise ``ParameterError`` otherwise."""
    if not _IRI.fullmatch(f"<{value}>") or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise ParameterError(f"not a valid absolute IRI: {value!r}")
    return value


_HTTP_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def is_http_url(value: str) -> bool:
    """True for an absolute http(s) URL without characters an IRI may not contain."""
    return bool(_HTTP_URL.fullmatch(value))  # fullmatch: "$" alone would accept a trailing newline
