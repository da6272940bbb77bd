"""Writing the static site: one page per thing, the kinds, the query catalogue, the ontology and the pictures.

The pages are Jinja2 templates (``templates/``) with one small stylesheet; nothing is fetched from elsewhere,
so the site works offline. Each thing's page embeds its statements as JSON-LD. The same graph gives the same
bytes: everything is sorted, and the pictures are drawn deterministically (:mod:`ppkg.present.plots`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from rdflib import URIRef
from rdflib.term import Identifier

from ppkg.errors import ParameterError, PpkgError
from ppkg.present.plots import KINDS as PLOT_KINDS
from ppkg.present.plots import plot
from ppkg.present.site.jsonld import script_safe, to_jsonld
from ppkg.present.site.model import KINDS, SiteModel, Thing, graph_sources, read_model
from ppkg.present.site.paths import ONTOLOGY_PAGE, term_anchor, up
from ppkg.present.source import Source
from ppkg.present.topics import TopicSets
from ppkg.present.views import to_networkx
from ppkg.query.catalogue import Catalogue
from ppkg.query.describe import Fact
from ppkg.rdf.namespaces import ONTOLOGY_GRAPH, PPKG, compact, local_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
MARKER = ".ppkg-site"
"""The file that marks a directory as a site ppkg built (and may replace)."""
MAX_ANSWER_ROWS = 50
"""Rows of each catalogued query's answer shown on the catalogue page."""

ONTOLOGY_TERMS = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
_OWL = "http://www.w3.org/2002/07/owl#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
_TERM_KINDS = (
    (f"{_OWL}Class", "classes", "Classes", "class"),
    (f"{_OWL}ObjectProperty", "object-properties", "Object properties", "object property"),
    (f"{_OWL}DatatypeProperty", "datatype-properties", "Datatype properties", "datatype property"),
    (f"{_OWL}AnnotationProperty", "annotation-properties", "Annotation properties", "annotation property"),
)


@dataclass(frozen=True)
class SiteReport:
    """What :func:`build_site` wrote: the directory, its number of HTML pages, and the pictures' alt texts."""

    directory: Path
    pages: int
    pictures: tuple[tuple[str, str], ...]
    """Each picture's path in the site and its alt text."""


@dataclass
class _Term:
    iri: str
    anchor: str
    label: str
    kind: str
    definition: str = ""
    domain: tuple[str, ...] = ()
    range: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()


def _iris(props: dict[str, list[str]], key: str) -> tuple[str, ...]:
    return tuple(sorted(v for v in props.get(key, []) if v.startswith("http")))


class _Writer:
    def __init__(self, model: SiteModel, out: Path) -> None:
        import jinja2  # imported on first use

        self.model = model
        self.out = out
        self.pages = 0
        self.kind_files: dict[str, str] = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.globals.update(
            href=self.href,
            label=model.label,
            shown=self.shown,
            kind_href=self.kind_href,
            kind_name=self.kind_name,
            sources=self.sources,
            fact_row=self.fact_row,
        )

    # --- links ---------------------------------------------------------------------------------------

    def href(self, iri: str, root: str) -> str | None:
        """The relative link from a page (whose way to the root is ``root``) to ``iri``'s page, if it has one."""
        thing = self.model.things.get(iri)
        if thing is not None:
            return root + thing.path
        anchor = term_anchor(iri)
        if anchor is not None and iri in self.terms:
            return f"{root}{ONTOLOGY_PAGE}#{anchor}"
        return None

    def shown(self, iri: str) -> str:
        """How a value is shown: its label, else the IRI made short."""
        return self.model.labels.get(iri) or compact(iri)

    def kind_name(self, cls: str) -> str:
        for iri, _, heading in KINDS:
            if iri == cls:
                return heading
        return self.model.labels.get(cls) or compact(cls) if cls else "Other things"

    def kind_href(self, cls: str, root: str) -> str:
        return f"{root}kinds/{self.kind_files[cls]}"

    def sources(self, graphs: Iterable[str], root: str) -> list[tuple[str, str | None]]:
        """Each named graph as (its source's titles, the link to its page)."""
        return [("; ".join(graph_sources(g, self.model.graph_titles)), self.href(g, root)) for g in graphs]

    def _link(self, iri: str, text: str, root: str) -> str:
        target = self.href(iri, root)
        if target is not None:
            return f'<a href="{escape(target)}">{escape(text)}</a>'
        if iri.startswith(("http://", "https://")):
            return f'<a class="external" href="{escape(iri)}">{escape(text)}</a>'
        return str(escape(text))

    def fact_row(self, fact: Fact, root: str) -> Markup:
        """One statement as a table row: the property, the value (the thing, for an incoming one), the sources.

        Written here rather than in the template: a 10,000-program site has 160,000 pages of these rows."""
        prop = (
            self._link(fact.predicate, fact.predicate_label, root)
            if term_anchor(fact.predicate)
            else escape(fact.predicate_label)
        )
        if fact.value_label is not None or fact.value.startswith(("http://", "https://")):
            value = self._link(fact.value, fact.value_label or self.shown(fact.value), root)
        else:
            value = str(escape(fact.value))
        if fact.history:
            value += f' <span class="note">({escape(fact.history)})</span>'
        cited = "; ".join(
            f'<a href="{escape(target)}">{escape(text)}</a>' if target else str(escape(text))
            for text, target in self.sources(fact.graphs, root)
        )
        cells = (value, prop) if fact.incoming else (prop, value)
        return Markup(f"<tr><td>{cells[0]}</td><td>{cells[1]}</td><td>{cited}</td></tr>")

    # --- writing -------------------------------------------------------------------------------------

    def write(self, path: str, template: str, **context: Any) -> None:
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        html = self.env.get_template(template).render(root=up(path), here=path, **context)
        target.write_text(html, encoding="utf-8", newline="\n")
        self.pages += 1

    def kinds(self) -> None:
        named = {iri: file for iri, file, _ in KINDS}
        for cls in self.model.by_class:
            if cls in named:
                self.kind_files[cls] = f"{named[cls]}.html"
            elif cls:
                slug = compact(cls).replace(":", "-") if compact(cls) != cls else local_name(cls)
                self.kind_files[cls] = f"{''.join(c if c.isalnum() or c in '-_' else '-' for c in slug)}.html"
            else:
                self.kind_files[cls] = "other.html"
        for iri, file, _ in KINDS:  # the main kinds have a page even when the graph has none of them
            self.kind_files.setdefault(iri, f"{file}.html")
        for cls, file in sorted(self.kind_files.items(), key=lambda kv: kv[1]):
            self.write(
                f"kinds/{file}",
                "kind.html",
                title=self.kind_name(cls),
                cls=cls,
                members=self.model.by_class.get(cls, []),
            )

    def thing(self, thing: Thing) -> None:
        model = self.model
        sets = model.sets
        extra: dict[str, Any] = {}
        if str(PPKG.Program) in thing.classes:
            extra["curricula"] = model.curricula.get(thing.iri, [])
            extra["ratings"] = model.ratings.get(thing.iri, [])
        if thing.iri in sets.topic_labels:
            extra["topic"] = {
                "direct": self.topic_programs.get(thing.iri, []),
                "under": self.under_programs.get(thing.iri, []),
                "broader": sorted(sets.broader.get(thing.iri, ()), key=model.sort_key),
                "narrower": sorted(self.narrower.get(thing.iri, ()), key=model.sort_key),
            }
        if str(PPKG.RatingLevel) in thing.classes:
            extra["rated"] = sorted(self.rated.get(thing.iri, []), key=lambda r: model.sort_key(r.program))
        jsonld = script_safe(to_jsonld(thing.triples))
        self.write(thing.path, "thing.html", title=thing.label, thing=thing, jsonld=jsonld, **extra)

    def prepare(self) -> None:
        sets = self.model.sets
        topic_programs: dict[str, list[str]] = defaultdict(list)
        under: dict[str, set[str]] = defaultdict(set)
        for program, topics in sets.programs.items():
            for topic in topics:
                topic_programs[topic].append(program)
                for broader in sets.ancestors(topic):
                    if broader != topic:
                        under[broader].add(program)
        key = self.model.sort_key
        self.topic_programs = {t: sorted(ps, key=key) for t, ps in topic_programs.items()}
        self.under_programs = {t: sorted(ps - set(topic_programs.get(t, ())), key=key) for t, ps in under.items()}
        self.narrower: dict[str, set[str]] = defaultdict(set)
        for narrower, broader_topics in sets.broader.items():
            for b in broader_topics:
                self.narrower[b].add(narrower)
        self.rated: dict[str, list[Any]] = defaultdict(list)
        for ratings in self.model.ratings.values():
            for rating in ratings:
                if rating.level is not None:
                    self.rated[rating.level].append(rating)
        self.terms: dict[str, _Term] = {}

    def ontology(self, source: Source) -> None:
        facts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        header: dict[str, list[str]] = defaultdict(list)
        for s, p, o in source.query(ONTOLOGY_TERMS).terms:
            if not isinstance(s, URIRef) or o is None:
                continue
            facts[str(s)][str(p)].append(str(o))
            if str(p) == _RDF_TYPE and str(o) == f"{_OWL}Ontology":
                header["iri"].append(str(s))
        for iri, props in facts.items():
            anchor = term_anchor(iri)
            if anchor is None:
                continue
            for type_iri, _, _, kind in _TERM_KINDS:
                if type_iri in props[_RDF_TYPE]:
                    self.terms[iri] = _Term(
                        iri=iri,
                        anchor=anchor,
                        label=min(props.get(f"{_RDFS}label", [anchor])),
                        kind=kind,
                        definition=" ".join(
                            sorted(props.get(_SKOS_DEFINITION, []) or props.get(f"{_RDFS}comment", []))
                        ),
                        domain=_iris(props, f"{_RDFS}domain"),
                        range=_iris(props, f"{_RDFS}range"),
                        parents=_iris(props, f"{_RDFS}subClassOf") + _iris(props, f"{_RDFS}subPropertyOf"),
                    )
                    break
        ontology = header["iri"][0] if header["iri"] else ""
        about = facts.get(ontology, {})
        self._ontology_page = {
            "iri": ontology,
            "title": min(about.get("http://purl.org/dc/terms/title", ["The ppkg ontology"])),
            "description": " ".join(about.get("http://purl.org/dc/terms/description", [])),
            "version": " ".join(about.get(f"{_OWL}versionInfo", [])),
            "license": sorted(about.get("http://purl.org/dc/terms/license", [])),
        }

    def ontology_page(self) -> None:
        groups = []
        for _, section, heading, kind in _TERM_KINDS:
            members = sorted(
                (t for t in self.terms.values() if t.kind == kind), key=lambda t: (t.label.casefold(), t.iri)
            )
            groups.append((section, heading, members))
        page = self._ontology_page
        self.write(
            ONTOLOGY_PAGE, "ontology.html", title=page["title"], ontology=page, groups=groups,
            instances={cls: len(m) for cls, m in self.model.by_class.items()},
        )  # fmt: skip

    def queries(self, source: Source, catalogue: Catalogue) -> None:
        entries = []
        for spec in catalogue:
            answer: dict[str, Any] = {"variables": [], "rows": [], "count": 0, "error": None}
            try:
                result = source.run(spec.name)
                answer["variables"] = list(result.variables)
                answer["count"] = len(result.terms)
                answer["rows"] = [list(row) for row in result.terms[:MAX_ANSWER_ROWS]]
            except PpkgError as err:
                answer["error"] = str(err)
            entries.append((spec, answer))
        self.write("queries.html", "queries.html", title="The query catalogue", entries=entries, cell=self.cell)

    def cell(self, term: Identifier | None, root: str) -> tuple[str, str | None]:
        """A value in a query's answer: its text, and a link when it is a thing with a page."""
        if term is None:
            return "", None
        if isinstance(term, URIRef):
            return self.shown(str(term)), self.href(str(term), root)
        return str(term), None

    def pictures(self, source: Source) -> tuple[tuple[str, str], ...]:
        drawn = []
        skipped = []
        lineage = to_networkx(source, "lineage")
        for kind in PLOT_KINDS:
            path = f"plots/{kind}.svg"
            (self.out / "plots").mkdir(exist_ok=True)
            try:
                picture = plot(self.model.sets, lineage, kind, self.out / path, "svg")
            except ParameterError as err:
                skipped.append((kind, str(err)))
                continue
            drawn.append((path, picture.alt))
        self.write("plots.html", "plots.html", title="Pictures of the graph", drawn=drawn, skipped=skipped)
        return tuple(drawn)

    def index(self) -> None:
        kinds = [(cls, heading, len(self.model.by_class.get(cls, []))) for cls, _, heading in KINDS]
        named = {cls for cls, _, _ in KINDS}
        others = [(cls, len(members)) for cls, members in self.model.by_class.items() if cls not in named]
        others.sort(key=lambda kv: self.kind_name(kv[0]).casefold())
        self.write(
            "index.html", "index.html", title="Parent partner programs in child welfare", kinds=kinds, others=others,
            programs=self.model.by_class.get(str(PPKG.Program), []), count=len(self.model.things),
        )  # fmt: skip


def _write_site(source: Source, out: Path, sets: TopicSets | None, catalogue: Catalogue | None) -> SiteReport:
    model = read_model(source, sets)
    writer = _Writer(model, out)
    writer.prepare()
    writer.ontology(source)
    (out / "style.css").write_bytes((TEMPLATES / "style.css").read_bytes())
    (out / MARKER).write_text("A site built by `ppkg site`; `ppkg site -o` replaces it.\n", encoding="utf-8")
    writer.kinds()
    for thing in model.things.values():
        writer.thing(thing)
    writer.ontology_page()
    writer.queries(source, catalogue or Catalogue())
    pictures = writer.pictures(source)
    writer.index()
    return SiteReport(out, writer.pages, pictures)


def _check_target(directory: Path) -> None:
    if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
        raise ParameterError(f"{directory}: not a directory; give a new or empty directory for the site")
    if directory.is_dir() and any(directory.iterdir()) and not (directory / MARKER).is_file():
        raise ParameterError(
            f"{directory} is not empty and is not a site ppkg built; give a new or empty directory for the site"
        )


def build_site(
    source: Source,
    directory: str | Path,
    *,
    sets: TopicSets | None = None,
    catalogue: Catalogue | None = None,
) -> SiteReport:
    """Write the static site of ``source`` into ``directory`` (new, empty, or a site built before, which is
    replaced whole once the new one is complete).

    Pages: ``index.html``; one per thing, at the path of its IRI (``id/program/x.html``); one per kind
    (``kinds/``); the query catalogue with each query's current answer (``queries.html``); the ontology, an
    anchor per term (``ontology.html``); the pictures (``plots.html``, ``plots/*.svg``). ``sets`` and
    ``catalogue`` are read from ``source`` (and the shipped queries) when not given.
    """
    directory = Path(directory)
    _check_target(directory)
    parent = directory.resolve().parent
    if not parent.is_dir():
        raise ParameterError(f"{directory}: the directory {parent} does not exist")
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=parent))
    try:
        report = _write_site(source, staging, sets, catalogue)
        os.chmod(staging, 0o755)
        if directory.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{directory.name}-old-", dir=parent))
            directory.rename(old / "site")
            staging.rename(directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SiteReport(directory, report.pages, report.pictures)
