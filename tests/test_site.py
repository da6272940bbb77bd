"""The static site (``ppkg site``), its IRIs on ``ppkg serve``, and the pages in a real browser.

The site of the shipped graph is built once per module. On disk: a page per thing at the path of its IRI,
what each kind of page shows (checked against the seeds and the catalogue), JSON-LD equal to what
``ppkg describe`` gives, every internal link and anchor resolving, one ``h1`` per page, alt text on every
image, no external assets, byte-identical rebuilds. Served: content negotiation on ``/id/...`` through a real
server. In headless Chromium: pages render (a screenshot of more than one colour), links open pages, the
JSON-LD in the browser's DOM parses back to the described triples.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
from rdflib import Graph, Literal, URIRef

import ppkg
from ppkg.present.site.build import MARKER
from ppkg.serve.server import SparqlServer
from tests.browser import Browser, browser, serve_directory  # noqa: F401  (browser: a fixture)
from tests.conftest import ppkg_command, tree_digest

Run = Callable[..., subprocess.CompletedProcess[str]]
ID = "https://w3id.org/ppkg/id/"
IOWA = f"{ID}program/iowa-parent-partner-approach"
IOWA_PAGE = "id/program/iowa-parent-partner-approach.html"


class Page(HTMLParser):
    """What the tests read from a page: links, images, ids, h1s, JSON-LD scripts, external assets."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.assets: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.ids: set[str] = set()
        self.h1: list[str] = []
        self.jsonld: list[str] = []
        self.title = ""
        self._in: str | None = None
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "a" and a.get("href") is not None:
            self.links.append(str(a["href"]))
        if tag in ("link", "img", "script", "iframe", "source") and (a.get("href") or a.get("src")):
            self.assets.append(str(a.get("href") or a.get("src")))
        if tag == "img":
            self.images.append(a)
        if tag == "h1" or tag == "title" or (tag == "script" and a.get("type") == "application/ld+json"):
            self._in, self._text = tag, []

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            text = "".join(self._text)
            if tag == "h1":
                self.h1.append(" ".join(text.split()))
            elif tag == "title":
                self.title = text
            else:
                self.jsonld.append(text)
            self._in = None


def path_of(iri: str) -> str:
    """The page of an instance IRI, in the site."""
    return f"id/{iri.removeprefix(ID)}.html"


def page(site: Path, path: str) -> Page:
    return Page((site / path).read_text(encoding="utf-8"))


def described(kg: ppkg.KnowledgeGraph, iri: str) -> set[tuple[str, str, str]]:
    """The statements ``ppkg describe`` gives for ``iri``, as (subject, predicate, object) strings."""
    _, facts = kg.describe(iri)
    return {(f.value, f.predicate, iri) if f.incoming else (iri, f.predicate, f.value) for f in facts}


def as_strings(graph: Graph) -> set[tuple[str, str, str]]:
    return {(str(s), str(p), str(o)) for s, p, o in graph}


def jsonld_triples(text: str) -> set[tuple[str, str, str]]:
    return as_strings(Graph().parse(data=text, format="json-ld"))


@pytest.fixture(scope="module")
def site(kg: ppkg.KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the shipped graph."""
    directory = tmp_path_factory.mktemp("site") / "site"
    report = kg.site(directory)
    assert report.directory == directory and report.pages > 400
    return directory


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, Page]:
    """Every HTML page of the site, by its path in the site."""
    return {p.relative_to(site).as_posix(): page(site, p.relative_to(site).as_posix()) for p in site.rglob("*.html")}


# --- 4. the static site ------------------------------------------------------------------------------------


def test_every_kind_of_thing_has_a_page_at_the_path_of_its_iri(site: Path, kg: ppkg.KnowledgeGraph) -> None:
    programs = kg.query("SELECT ?p WHERE { ?p a ppkg:Program }").column("p")
    assert len(programs) == 12
    for iri in programs:
        assert (site / path_of(iri)).is_file(), iri
    for path, h1 in [
        (IOWA_PAGE, "Iowa Parent Partner Approach"),
        ("id/topic/mandated-reporting.html", "mandated reporting"),
        ("id/role/parent-partner.html", "parent partner"),
        ("id/organization/cebc.html", "CEBC"),
        ("id/scale/cebc/3.html", "Promising Research Evidence"),
        ("id/source/cebc-parent-partner-topic-area.html", None),
        ("queries.html", "The query catalogue"),
        ("ontology.html", "ppkg: the parent partner program ontology"),
        ("plots.html", "Pictures of the graph"),
        ("index.html", "Parent partner programs in child welfare"),
    ]:
        found = page(site, path)
        assert len(found.h1) == 1, path
        if h1 is not None:
            assert found.h1 == [h1], path
    frameworks = kg.query("SELECT ?f WHERE { ?f a ppkg:PracticeFramework }").column("f")
    assert frameworks and all((site / path_of(f)).is_file() for f in frameworks)
    index = page(site, "index.html")
    for kind in ("programs", "topics", "roles", "frameworks", "organizations", "rating-levels", "sources"):
        assert f"kinds/{kind}.html" in index.links
    assert {link for link in index.links if link.startswith("id/program/")} == {path_of(p) for p in programs}


def test_program_page_has_the_curriculum_item_by_item_ratings_and_sources(site: Path, kg: ppkg.KnowledgeGraph) -> None:
    text = (site / IOWA_PAGE).read_text(encoding="utf-8")
    curriculum = text[text.index('<section id="curriculum">') : text.index('<section id="ratings">')]
    items = re.findall(r'<li value="(\d+)"><a href="[^"]+">([^<]+)</a>', curriculum)
    expected = kg.run("program-curriculum", program="Iowa Parent Partner Approach")
    assert [(int(n), t) for n, t in items] == sorted({(r.position, r.itemLabel) for r in expected})
    assert items[0] == ("1", "Building a Better Future") and items[-1] == ("11", "Substance use")
    third = curriculum[curriculum.index('<li value="3">') : curriculum.index('<li value="4">')]
    assert re.findall(r'topic/[a-z-]+\.html">([^<]+)<', third) == ["boundaries", "safety"]
    ratings = text[text.index('<section id="ratings">') : text.index('<section id="statements">')]
    assert re.findall(r"<td>(.*?)</td>", ratings)[:3] == [
        '<a href="../../id/organization/cebc.html">CEBC</a>',
        '<a href="../../id/scale/cebc/3.html">Promising Research Evidence</a>',
        "current, date unknown",
    ]
    assert "CEBC: Parent Partner Programs for Families Involved in the Child Welfare System" in ratings
    statements = text[text.index('<section id="statements">') :]
    # every statement names its source, linked to the page of the named graph that states it
    rows = re.findall(r"<tr><td>.*?</td></tr>", statements)
    assert len(rows) == len(kg.describe(IOWA)[1])
    assert all(re.search(r'<td><a href="../../id/graph/[a-z-]+\.html">[^<]+</a>', row) for row in rows)
    assert "What training models exist for new parent partners to become effective advocates?" in statements


def test_topic_page_lists_the_programs_that_train_on_it_and_the_hierarchy(site: Path, kg: ppkg.KnowledgeGraph) -> None:
    sets = kg.topic_sets
    topic = f"{ID}topic/mandated-reporting"
    text = (site / "id/topic/mandated-reporting.html").read_text(encoding="utf-8")
    programs = text[text.index('<section id="programs">') : text.index('<section id="hierarchy">')]
    listed = set(re.findall(r'href="../../id/program/([a-z-]+)\.html"', programs))
    expected = {p.removeprefix(f"{ID}program/") for p, topics in sets.programs.items() if topic in topics}
    assert listed == expected and "iowa-parent-partner-approach" in listed
    hierarchy = text[text.index('<section id="hierarchy">') :]
    broader = {b.removeprefix(f"{ID}topic/") for b in sets.broader[topic]}
    assert broader and all(f'href="../../id/topic/{b}.html"' in hierarchy for b in broader)


def test_rating_level_page_lists_the_programs_rated_at_it(site: Path, kg: ppkg.KnowledgeGraph) -> None:
    text = (site / "id/scale/cebc/3.html").read_text(encoding="utf-8")
    rated = text[text.index('<section id="rated">') : text.index('<section id="statements">')]
    names = re.findall(r'program/[a-z-]+\.html">([^<]+)</a>', rated)
    assert names == sorted(r.programLabel for r in kg.run("programs-by-rating", rating="promising"))
    assert names == ["Iowa Parent Partner Approach", "Parents Anonymous"]


def test_every_page_embeds_the_statements_describe_gives_as_json_ld(
    pages: dict[str, Page], kg: ppkg.KnowledgeGraph
) -> None:
    things = {path: p for path, p in pages.items() if path.startswith("id/")}
    assert len(things) > 400
    for path, found in things.items():
        assert len(found.jsonld) == 1, path
        iri = ID + path.removeprefix("id/").removesuffix(".html")
        assert jsonld_triples(found.jsonld[0]) == described(kg, iri), path
    document = json.loads(pages[IOWA_PAGE].jsonld[0])
    assert document["@context"]["schema"] == "https://schema.org/"
    assert document["@context"]["ppkg"] == "https://w3id.org/ppkg/ontology#"


def test_json_ld_keeps_datatypes_and_languages(pages: dict[str, Page]) -> None:
    graph = Graph().parse(data=pages[IOWA_PAGE].jsonld[0], format="json-ld")
    label = graph.value(URIRef(IOWA), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    assert label == Literal("Iowa Parent Partner Approach", lang="en")
    item = "id/curriculum/iowa-parent-partner-approach/item-01.html"
    position = (
        Graph()
        .parse(data=pages[item].jsonld[0], format="json-ld")
        .value(
            URIRef(ID + item.removesuffix(".html").removeprefix("id/")),
            URIRef("https://w3id.org/ppkg/ontology#position"),
        )
    )
    assert isinstance(position, Literal) and position.toPython() == 1


def test_query_catalogue_page_has_each_query_with_its_text_and_current_answer(
    site: Path, kg: ppkg.KnowledgeGraph
) -> None:
    text = (site / "queries.html").read_text(encoding="utf-8")
    found = page(site, "queries.html")
    names = kg.catalogue.names
    assert len(names) > 15 and set(names) <= found.ids
    section = text[text.index('<section id="programs-by-rating">') :]
    section = section[: section.index("</section>")]
    assert "ppkg:ratingLevel" in section  # the query's text
    assert "2 rows." in section
    assert '<a href="id/program/iowa-parent-partner-approach.html">Iowa Parent Partner Approach</a>' in section
    assert '<a href="id/program/parents-anonymous.html">Parents Anonymous</a>' in section


def test_ontology_page_has_an_anchor_per_term_with_label_definition_domain_and_range(
    site: Path, kg: ppkg.KnowledgeGraph
) -> None:
    terms = kg.query(
        "SELECT DISTINCT ?t WHERE { GRAPH <https://w3id.org/ppkg/id/graph/ontology> { ?t a ?k } "
        "FILTER(?k IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty)) "
        "FILTER(STRSTARTS(STR(?t), 'https://w3id.org/ppkg/ontology#')) }"
    ).column("t")
    found = page(site, "ontology.html")
    anchors = {t.removeprefix("https://w3id.org/ppkg/ontology#") for t in terms}
    assert len(anchors) > 100 and anchors <= found.ids
    text = (site / "ontology.html").read_text(encoding="utf-8")
    program = text[text.index('<section class="term" id="hasCurriculum">') :]
    program = program[: program.index("</section>")]
    definition = kg.query("SELECT ?d WHERE { ppkg:hasCurriculum skos:definition ?d }").column("d")[0]
    assert definition in program
    assert '<dt>domain</dt><dd><a href="ontology.html#Program">' in program
    assert '<dt>range</dt><dd><a href="ontology.html#TrainingCurriculum">' in program
    # a statement's property links to its term on the ontology page
    assert '<a href="../../ontology.html#hasCurriculum">has curriculum</a>' in (site / IOWA_PAGE).read_text()


def test_pictures_are_svg_with_alt_text(site: Path) -> None:
    found = page(site, "plots.html")
    assert [img["src"] for img in found.images] == ["plots/heatmap.svg", "plots/topics.svg", "plots/network.svg"]
    for img in found.images:
        assert img["alt"] and len(str(img["alt"])) > 40
        assert (site / str(img["src"])).read_bytes().startswith(b"<?xml")
    assert "Heatmap of 8 programs" in str(found.images[0]["alt"])


def test_every_internal_link_and_anchor_resolves_one_h1_and_no_external_asset(
    site: Path, pages: dict[str, Page]
) -> None:
    checked = 0
    for path, found in pages.items():
        assert len(found.h1) == 1, path
        assert found.title.endswith(" · ppkg"), path
        for asset in found.assets:
            assert not re.match(r"[a-z]+:|//", asset), f"{path} loads {asset} from elsewhere"
        for img in found.images:
            assert img.get("alt"), f"{path}: an image without alt text"
        for href in found.links + found.assets:
            if re.match(r"[a-z]+:", href):
                continue
            target, fragment = urldefrag(urljoin(f"http://site/{path}", href))
            target_path = target.removeprefix("http://site/")
            assert (site / target_path).is_file(), f"{path} links to missing {href}"
            if fragment:
                assert fragment in pages[target_path].ids, f"{path} links to missing anchor {href}"
            checked += 1
    assert checked > 10_000


def test_two_builds_are_byte_identical_and_a_rebuild_replaces_the_site(
    site: Path, kg: ppkg.KnowledgeGraph, tmp_path: Path
) -> None:
    again = kg.site(tmp_path / "again")
    assert tree_digest(again.directory) == tree_digest(site)
    (again.directory / "id" / "stale.html").write_text("left from an older build")
    kg.site(again.directory)
    assert not (again.directory / "id" / "stale.html").exists()
    assert tree_digest(again.directory) == tree_digest(site)


def test_ppkg_site_writes_the_site_and_refuses_a_directory_that_is_not_one(run_ppkg: Run, tmp_path: Path) -> None:
    target = tmp_path / "out"
    done = run_ppkg("site", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(
        rf"wrote \d+ pages to {re.escape(str(target))}; open {re.escape(str(target))}/index.html\n", done.stdout
    )
    assert (target / IOWA_PAGE).is_file() and (target / MARKER).is_file()
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    refused = run_ppkg("site", "-o", str(other))
    assert refused.returncode == 2
    assert refused.stderr == (
        f"ppkg: error: {other} is not empty and is not a site ppkg built; give a new or empty directory for the site\n"
    )
    assert [p.name for p in other.iterdir()] == ["mine.txt"]


# --- 5. IRIs that resolve on ppkg serve -------------------------------------------------------------------


def fetch(url: str, accept: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read()


@pytest.fixture(scope="module")
def served(kg: ppkg.KnowledgeGraph, site: Path) -> Iterator[SparqlServer]:
    with SparqlServer(kg.files, site=site) as server:
        yield server


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.server
def test_iri_paths_answer_the_page_turtle_or_json_ld_by_accept(
    served: SparqlServer, site: Path, kg: ppkg.KnowledgeGraph
) -> None:
    url = f"{served.base_url}/id/program/iowa-parent-partner-approach"
    for accept in ("text/html", BROWSER_ACCEPT):
        status, media_type, body = fetch(url, accept)
        assert (status, media_type) == (200, "text/html; charset=utf-8")
        assert body == (site / IOWA_PAGE).read_bytes()
    expected = described(kg, IOWA)
    status, media_type, body = fetch(url, "text/turtle")
    assert (status, media_type) == (200, "text/turtle; charset=utf-8")
    assert as_strings(Graph().parse(data=body.decode(), format="turtle")) == expected
    status, media_type, body = fetch(url, "application/ld+json")
    assert (status, media_type) == (200, "application/ld+json; charset=utf-8")
    assert jsonld_triples(body.decode()) == expected
    status, _, body = fetch(url, "text/turtle;q=0.5, application/ld+json")
    assert body.lstrip().startswith(b"{")
    status, _, body = fetch(url, "image/png")
    assert (status, body) == (
        406,
        f"{IOWA} is served as text/html, text/turtle, application/ld+json\n".encode(),
    )
    for accept in ("text/html", "text/turtle"):
        status, _, body = fetch(f"{served.base_url}/id/program/no-such-program", accept)
        assert status == 404 and body.startswith(b"not found: the graph ") and b"no-such-program" in body


@pytest.mark.server
def test_the_site_is_served_and_nothing_outside_it(served: SparqlServer, site: Path) -> None:
    for path, media_type in [
        ("/index.html", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/plots/heatmap.svg", "image/svg+xml"),
        (f"/{IOWA_PAGE}", "text/html; charset=utf-8"),
    ]:
        status, found_type, body = fetch(served.base_url + path, "*/*")
        assert (status, found_type, body) == (200, media_type, (site / path.lstrip("/")).read_bytes())
    for path in ("/../../etc/passwd", "/%2e%2e/etc/passwd", f"/{MARKER}", "/id/../index.html", "/nothing.html"):
        status, _, body = fetch(served.base_url + path, "*/*")
        assert status == 404, path
    status, _, body = fetch(f"{served.base_url}/", "text/html")
    assert status == 200 and b"Oxigraph" in body  # the query page stays at /


@pytest.mark.server
def test_ppkg_serve_with_site_answers_iris(site: Path, tmp_path: Path, run_ppkg: Run) -> None:
    process = subprocess.Popen(
        [*ppkg_command(), "serve", "--port", "0", "--site", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert process.stderr is not None
    try:
        lines = [process.stderr.readline() for _ in range(3)]
        match = re.fullmatch(r"ppkg: site at (http://127\.0\.0\.1:\d+)/index\.html; IRIs at \1/id/\.\.\.\n", lines[2])
        assert match, lines
        status, media_type, body = fetch(f"{match.group(1)}/id/topic/mandated-reporting", "text/turtle")
        assert (status, media_type) == (200, "text/turtle; charset=utf-8")
        assert b"mandated reporting" in body
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    refused = run_ppkg("serve", "--port", "0", "--site", str(tmp_path))
    assert (refused.returncode, refused.stderr) == (
        2,
        f"ppkg: error: --site {tmp_path}: not a site built by `ppkg site -o DIR`\n",
    )


# --- 6. in a real browser ----------------------------------------------------------------------------------


SAMPLE = [
    "index.html",
    IOWA_PAGE,
    "id/topic/mandated-reporting.html",
    "id/scale/cebc/3.html",
    "id/organization/cebc.html",
    "kinds/programs.html",
    "queries.html",
    "ontology.html",
    "plots.html",
]


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    with serve_directory(site) as url:
        yield url


def colours(png: Path) -> int:
    from PIL import Image

    with Image.open(png) as image:
        found = image.convert("RGB").getcolors(maxcolors=1 << 16)
    return len(found) if found is not None else 1 << 16


@pytest.mark.parametrize("path", SAMPLE)
def test_page_renders_in_chromium(browser: Browser, site_url: str, path: str, tmp_path: Path) -> None:  # noqa: F811
    shot = browser.screenshot(f"{site_url}/{path}", tmp_path / "page.png")
    assert colours(shot) > 1, f"{path} rendered blank"
    dom = Page(browser.dom(f"{site_url}/{path}"))
    assert len(dom.h1) == 1 and dom.title.endswith(" · ppkg")
    assert all(img.get("alt") for img in dom.images)


def test_links_open_pages_and_json_ld_parses_back_in_chromium(
    browser: Browser,  # noqa: F811
    site_url: str,
    kg: ppkg.KnowledgeGraph,
) -> None:
    dom = Page(browser.dom(f"{site_url}/{IOWA_PAGE}"))
    assert dom.h1 == ["Iowa Parent Partner Approach"]
    assert jsonld_triples(dom.jsonld[0]) == described(kg, IOWA)
    internal = sorted({urldefrag(urljoin(f"{site_url}/{IOWA_PAGE}", h))[0] for h in dom.links if "://" not in h})
    assert len(internal) > 20
    sample = internal[:: max(1, len(internal) // 6)]
    for url in sample:
        opened = Page(browser.dom(url))
        assert len(opened.h1) == 1 and opened.title.endswith(" · ppkg"), url


@pytest.mark.server
def test_chromium_opens_an_iri_path_on_ppkg_serve(browser: Browser, served: SparqlServer, tmp_path: Path) -> None:  # noqa: F811
    url = f"{served.base_url}/id/program/iowa-parent-partner-approach"
    dom = Page(browser.dom(url))
    assert dom.h1 == ["Iowa Parent Partner Approach"]
    assert colours(browser.screenshot(url, tmp_path / "served.png")) > 1
