"""The query catalogue: one ``.rq`` file per query, described by a ``#+`` YAML header.

A header sits in comment lines at the top of the file, so the file stays valid SPARQL::

    #+ title: Programs by training topic
    #+ summary: Programs whose curriculum covers a topic or any narrower topic.
    #+ params:
    #+   - name: topic
    #+     type: topic
    #+     default: motivational interviewing
    #+     description: A training topic, by any of its labels or its IRI.
    #+ tags: [training]

When a query of a catalogue of one's own (``Catalogue(directory)``) is first read, its header is checked
against ``queries/header.schema.json`` (JSON Schema 2020-12), the one description of what a header may
hold. Three things the schema cannot say are checked too: the file name is a slug, no two params share a
name, and each param is a variable of the query as rdflib parses it (a ``?name`` in a comment does not
count). A problem is one line, ``file: header: <json path>: <what is wrong>``.

The shipped queries are checked the same way by the test suite, so running one reads its header with
the YAML parser only (no jsonschema, no rdflib): a shipped header that does not fit after all is checked
against the schema on the spot, to say why. Likewise a shipped query is not put through the query guard
(:func:`ppkg.query.safety.check_query`, which needs rdflib's parser) when it runs: its form and projection
are read from its text (:func:`read_form`), which the tests compare with the guard's answer for every
shipped query. Queries of one's own catalogue, and any SPARQL a user writes, always go through the guard.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ppkg.errors import CatalogueError, UnknownQueryError
from ppkg.query.safety import CheckedQuery, blank_tokens, check_query
from ppkg.rdf import shipped
from ppkg.rdf.text import nearest

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

HEADER_SCHEMA_FILE = "header.schema.json"
"""The JSON Schema of a ``#+`` header, in the shipped queries directory; every header is checked against it."""


@cache
def header_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) every ``#+`` header must satisfy, read once from the shipped queries directory."""
    schema: dict[str, Any] = json.loads((shipped.queries_dir() / HEADER_SCHEMA_FILE).read_text(encoding="utf-8"))
    return schema


PARAM_TYPES: tuple[str, ...] = tuple(header_schema()["properties"]["params"]["items"]["properties"]["type"]["enum"])
"""The parameter types a ``#+ params`` entry may declare (the ``type`` enum of the header schema)."""

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader where libyaml is available

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Param:
    """One declared parameter of a catalogued query; ``name`` is also the SPARQL variable it binds."""

    name: str
    type: str
    description: str
    default: str | None = None
    required: bool = False

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "required": self.required,
            "description": self.description,
        }


@dataclass(frozen=True)
class QuerySpec:
    """A catalogued query: its name (the file's stem), header and SPARQL text."""

    name: str
    title: str
    summary: str
    text: str
    path: Path
    params: tuple[Param, ...] = ()
    tags: tuple[str, ...] = ()
    cq: tuple[str, ...] = ()
    description: str = ""
    header: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    trusted: bool = field(default=False, compare=False, repr=False)
    """A shipped query: its form and projection are read from its text instead of by the query guard."""

    @property
    def checked(self) -> CheckedQuery:
        """The query as the query guard passes it: the text to run, its form and its projection.

        A shipped query's are read from its text (:func:`read_form`); any other query goes through
        :func:`~ppkg.query.safety.check_query`.
        """
        if self.trusted and (checked := read_form(self.text)) is not None:
            return checked
        return check_query(self.text)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: name, title, summary, tags, competency questions and parameters."""
        return {
            "name": self.name,
            "title": self.title,
            "summary": self.summary,
            "tags": list(self.tags),
            "cq": list(self.cq),
            "params": [p.as_dict() for p in self.params],
        }

    def param(self, name: str) -> Param:
        """The parameter called ``name``."""
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


def parse_header(text: str, path: Path) -> dict[str, Any]:
    """Return the YAML mapping of the leading ``#+`` lines of a query file (not yet checked against the schema)."""
    lines: list[str] = []
    line_numbers: list[int] = []  # the file's line number of each header line, for YAML error positions
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
            line_numbers.append(number)
        elif line.strip() and not line.startswith("#"):
            break
    if not lines:
        raise CatalogueError(f"{path}: no '#+' header (title, summary, params, tags)")
    try:
        header = yaml.load("\n".join(lines), Loader=_SafeLoader)
    except yaml.YAMLError as err:
        raise CatalogueError(_yaml_message(err, path, line_numbers)) from None
    if not isinstance(header, dict):
        raise CatalogueError(f"{path}: header: the '#+' lines must form a YAML mapping")
    return header


def _yaml_message(err: yaml.YAMLError, path: Path, line_numbers: list[int]) -> str:
    """One line: the file line of the YAML problem, and what the problem is."""
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    where = f"{path}"
    if mark is not None and 0 <= mark.line < len(line_numbers):
        where = f"{path}:{line_numbers[mark.line]}"
    context = getattr(err, "context", None)
    context_mark = getattr(err, "context_mark", None)
    if context and context_mark is not None and 0 <= context_mark.line < len(line_numbers):
        context = f"{context} that starts on line {line_numbers[context_mark.line]}"
    detail = f"{context}: {problem}" if context else problem
    return f"{where}: header: not valid YAML: {' '.join(str(detail).split())}"


@cache
def _validator() -> Validator:
    from jsonschema import Draft202012Validator  # imported on first use: it costs tens of milliseconds

    return Draft202012Validator(header_schema())


def check_header(header: dict[str, Any], path: Path) -> None:
    """Raise :class:`CatalogueError` (``file: header: <json path>: <problem>``) unless ``header`` fits the schema."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(header))
    if error is not None:
        raise CatalogueError(f"{path}: header: {error.json_path}: {' '.join(error.message.split())}")


def query_variables(text: str, path: Path) -> set[str]:
    """The names of the variables of a SPARQL query, read from rdflib's parse of it (so comments do not count)."""
    from pyparsing import ParseBaseException, ParseResults
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    try:
        parsed = parseQuery(text)
    except (ParseBaseException, ValueError) as err:
        raise CatalogueError(f"{path}: not valid SPARQL: {' '.join(str(err).split())}") from None
    names: set[str] = set()
    stack: list[object] = [parsed]
    while stack:
        node = stack.pop()
        if isinstance(node, Variable):
            names.add(str(node))
        elif isinstance(node, CompValue):
            stack.extend(node.values())
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(node)
    return names


def load_query(path: Path, *, check: bool = True) -> QuerySpec:
    """Read one ``.rq`` file and check it: the header against the schema, the name, and that params are variables.

    ``check=False`` (the shipped queries, which the tests check) reads the header without checking it, and
    checks it only when it cannot be read as a header; the spec is then ``trusted`` (see :class:`QuerySpec`).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CatalogueError(f"{path}: cannot read: {err}") from None
    if not _SLUG.match(path.stem):
        raise CatalogueError(f"{path}: query file names must be lowercase-hyphenated slugs, like 'programs-by-rating'")
    header = parse_header(text, path)
    if check:
        check_header(header, path)
        return _spec(path, text, header, check=True)
    try:
        return _spec(path, text, header, check=False)
    except (KeyError, TypeError, AttributeError, ValueError):
        check_header(header, path)  # says what is wrong, in the schema's words
        raise CatalogueError(f"{path}: header: does not fit {HEADER_SCHEMA_FILE}") from None


def _spec(path: Path, text: str, header: dict[str, Any], *, check: bool) -> QuerySpec:
    params = tuple(
        Param(
            name=p["name"],
            type=p["type"],
            description=p["description"].strip(),
            default=None if p.get("default") is None else str(p["default"]),
            required=p.get("required", False),
        )
        for p in header["params"]
    )
    names = [p.name for p in params]
    if duplicates := sorted({n for n in names if names.count(n) > 1}):
        raise CatalogueError(f"{path}: header: $.params: {duplicates[0]!r} is declared twice")
    if params and check:
        variables = query_variables(text, path)
        for i, p in enumerate(params):
            if p.name not in variables:
                raise CatalogueError(f"{path}: header: $.params[{i}].name: {p.name!r} is not a variable of the query")
    return QuerySpec(
        name=path.stem,
        title=header["title"].strip(),
        summary=" ".join(header["summary"].split()),
        description=header.get("description", "").strip(),
        text=text,
        path=path,
        params=params,
        tags=tuple(header["tags"]),
        cq=tuple(header.get("cq", ())),
        header=header,
        trusted=not check,
    )


_FORM = re.compile(r"(?<![\w?$:])(SELECT|CONSTRUCT|ASK|DESCRIBE)(?![\w:-])", re.IGNORECASE)
_PROJECTION_TOKEN = re.compile(
    r"[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+|[()*]|(?<![\w?$:])AS(?![\w:-])", re.IGNORECASE
)
_CLAUSE_END = re.compile(r"\{|(?<![\w?$:])(?:WHERE|FROM)(?![\w:-])", re.IGNORECASE)


def read_form(text: str) -> CheckedQuery | None:
    """The form and projection of a trusted query, read from its text without a SPARQL parser (``None`` when
    the text needs normalising first: escapes or carriage returns; then the guard reads it).

    The form is the first query keyword outside strings, IRIs and comments; a SELECT's projection is its
    variables outside brackets and the ``AS ?name`` of its expressions, up to ``WHERE`` or ``{``. The
    tests check that this equals :func:`~ppkg.query.safety.check_query`'s answer for every shipped query.
    """
    if "\\u" in text or "\\U" in text or "\r" in text:
        return None
    code = blank_tokens(text)
    match = _FORM.search(code)
    if match is None:
        return None
    form = match.group(1).upper()
    if form != "SELECT":
        return CheckedQuery(text=text, form=form, projection=None)
    end = _CLAUSE_END.search(code, match.end())
    clause = code[match.end() : end.start() if end else len(code)]
    names: list[str] = []
    depth, after_as = 0, False
    for token in _PROJECTION_TOKEN.findall(clause):
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif token == "*":
            if depth == 0:
                return CheckedQuery(text=text, form=form, projection=None)
        elif token.upper() == "AS":
            after_as = True
        elif depth == 0 or after_as:
            names.append(token[1:])
            after_as = False
    return CheckedQuery(text=text, form=form, projection=tuple(names))


class Catalogue:
    """The catalogued queries of a directory, by name, in name order."""

    def __init__(self, directory: Path | None = None, *, check: bool | None = None) -> None:
        self.directory = directory or shipped.queries_dir()
        self.check = self.directory != shipped.queries_dir() if check is None else check
        """Whether each query is checked when first read (see the module; default: unless shipped)."""
        self._paths = {p.stem: p for p in sorted(self.directory.glob("*.rq"))}
        self._specs: dict[str, QuerySpec] = {}

    def __iter__(self) -> Iterator[QuerySpec]:
        return iter([self.get(name) for name in self._paths])

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, name: object) -> bool:
        return name in self._paths

    def get(self, name: str) -> QuerySpec:
        """The query called ``name`` (its file is read on first use); an unknown name raises with the nearest."""
        if name not in self._specs:
            if name not in self._paths:
                raise UnknownQueryError(name, nearest(name, list(self._paths)))
            self._specs[name] = load_query(self._paths[name], check=self.check)
        return self._specs[name]

    @property
    def names(self) -> list[str]:
        """All query names."""
        return list(self._paths)


def render_markdown(catalogue: Catalogue) -> str:
    """The query catalogue as a Markdown page (``docs/queries.md`` is this, generated)."""
    out = [
        "# Query catalogue",
        "",
        "Generated from the `#+` headers of `queries/*.rq` by `ppkg queries --format markdown`; do not edit.",
        "Run a query with `ppkg query NAME --param key=value`, or `kg.run(NAME, key=value)` in Python.",
        "",
        "| query | question | competency questions |",
        "|---|---|---|",
    ]
    for spec in catalogue:
        out.append(f"| [`{spec.name}`](#{spec.name}) | {spec.title} | {', '.join(spec.cq) or '-'} |")
    for spec in catalogue:
        out += ["", f"## {spec.name}", "", f"**{spec.title}.** {spec.summary}", ""]
        if spec.description:
            out += [" ".join(spec.description.split()), ""]
        if spec.params:
            out += ["| parameter | type | default | description |", "|---|---|---|---|"]
            for p in spec.params:
                default = "-" if p.default is None else f"`{p.default}`"
                required = " (required)" if p.required else ""
                out.append(f"| `{p.name}` | {p.type}{required} | {default} | {p.description} |")
            out.append("")
        example = " ".join(f'--param {p.name}="{p.default}"' for p in spec.params if p.default is not None)
        out += ["```", f"ppkg query {spec.name} {example}".rstrip(), "```", ""]
        out.append(f"Tags: {', '.join(spec.tags)}. File: `queries/{spec.path.name}`.")
    return "\n".join(out) + "\n"
