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
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ppkg.errors import CatalogueError, UnknownQueryError
from ppkg.rdf import shipped
from ppkg.rdf.text import nearest

PARAM_TYPES = (
    "topic",
    "program",
    "rating",
    "state",
    "setting",
    "role",
    "organization",
    "framework",
    "iri",
    "string",
    "int",
    "date",
)
"""The parameter types a ``#+ params`` entry may declare."""

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader where libyaml is available

_HEADER_KEYS = {"title", "summary", "description", "params", "tags", "cq"}
_PARAM_KEYS = {"name", "type", "default", "description", "required"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
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
    """Return the YAML mapping of the leading ``#+`` lines of a query file."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and not line.startswith("#"):
            break
    if not lines:
        raise CatalogueError(f"{path}: no '#+' header (title, summary, params, tags)")
    try:
        header = yaml.load("\n".join(lines), Loader=_SafeLoader)
    except yaml.YAMLError as err:
        raise CatalogueError(f"{path}: the '#+' header is not valid YAML: {err}") from None
    if not isinstance(header, dict):
        raise CatalogueError(f"{path}: the '#+' header must be a YAML mapping")
    return header


def _param(entry: Any, path: Path, text: str) -> Param:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{path}: each entry of 'params' must be a mapping")
    unknown = set(entry) - _PARAM_KEYS
    if unknown:
        raise CatalogueError(f"{path}: unknown param key(s) {sorted(unknown)}")
    for key in ("name", "type", "description"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise CatalogueError(f"{path}: param {entry.get('name', '?')!r} needs a non-empty {key!r}")
    name, ptype = entry["name"], entry["type"]
    if not _NAME.match(name):
        raise CatalogueError(f"{path}: param name {name!r} must be lower_snake_case")
    if ptype not in PARAM_TYPES:
        raise CatalogueError(f"{path}: param {name!r} has unknown type {ptype!r}; use one of {PARAM_TYPES}")
    if not re.search(rf"[?$]{name}\b", text):
        raise CatalogueError(f"{path}: param {name!r} is not a variable of the query")
    default = entry.get("default")
    if default is not None and not isinstance(default, (str, int)):
        raise CatalogueError(f"{path}: default of {name!r} must be a string or integer")
    required = entry.get("required", False)
    if not isinstance(required, bool):
        raise CatalogueError(f"{path}: 'required' of {name!r} must be true or false")
    return Param(
        name=name,
        type=ptype,
        description=entry["description"].strip(),
        default=None if default is None else str(default),
        required=required,
    )


def _str_list(value: Any, key: str, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{path}: {key!r} must be a list of strings")
    return tuple(value)


def load_query(path: Path) -> QuerySpec:
    """Read one ``.rq`` file and check its header."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CatalogueError(f"{path}: cannot read: {err}") from None
    header = parse_header(text, path)
    unknown = set(header) - _HEADER_KEYS
    if unknown:
        raise CatalogueError(f"{path}: unknown header key(s) {sorted(unknown)}")
    for key in ("title", "summary"):
        if not isinstance(header.get(key), str) or not header[key].strip():
            raise CatalogueError(f"{path}: header needs a non-empty {key!r}")
    for key in ("params", "tags"):
        if key not in header:
            raise CatalogueError(f"{path}: header needs {key!r} (an empty list is fine for params)")
    if not _SLUG.match(path.stem):
        raise CatalogueError(f"{path}: query file names must be lowercase-hyphenated slugs")
    params_raw = header.get("params") or []
    if not isinstance(params_raw, list):
        raise CatalogueError(f"{path}: 'params' must be a list")
    params = tuple(_param(p, path, text) for p in params_raw)
    if len({p.name for p in params}) != len(params):
        raise CatalogueError(f"{path}: two params share a name")
    description = header.get("description", "")
    return QuerySpec(
        name=path.stem,
        title=header["title"].strip(),
        summary=" ".join(header["summary"].split()),
        description=description.strip() if isinstance(description, str) else "",
        text=text,
        path=path,
        params=params,
        tags=_str_list(header.get("tags"), "tags", path),
        cq=_str_list(header.get("cq"), "cq", path),
        header=header,
    )


class Catalogue:
    """The catalogued queries of a directory, by name, in name order."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or shipped.queries_dir()
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
            self._specs[name] = load_query(self._paths[name])
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
