"""Deterministic synthetic data for ppkg benchmarks, in the model of the shipped data.

``python benchmarks/generate.py --programs N --out DIR`` writes ``DIR/synthetic.trig``: one named graph
``id:graph/synthetic`` (a ``prov:Entity`` derived from the ``ppkg:SourceDocument`` ``id:source/synthetic``)
holding N ``ppkg:Program`` nodes, each with

* a unique ``rdfs:label``, a ``dcterms:description``, a ``ppkg:state`` (one of the 51 shipped states), a
  ``ppkg:setting`` (community provider, court or child welfare agency) and ``ppkg:employsRole
  id:role/parent-partner`` (a node of the *shipped data*, not of the vocabularies);
* a generated ``ppkg:Organization`` in the same state that operates it;
* a ``ppkg:TrainingCurriculum`` with 8–17 ``ppkg:CurriculumItem`` nodes (verbatim text, label, position and
  one ``ppkg:coversTopic``); topics are drawn Zipf-like from the shipped training-topic scheme, ranked by how
  often the shipped curricula use them;
* for about 60 % of programs, a CEBC ``ppkg:EvidenceRating`` (level 1–5 or NR, rated by the shipped
  ``id:organization/cebc``, dated, derived from the synthetic source).

Program 1 is always in California and rated 3 (Promising), so every size has a hit for that rating.
The graph refers to shipped nodes, so it is valid only together with the shipped data: ``--with-shipped``
copies the shipped ``data/*.trig`` into DIR, which then works as ``ppkg.load(data_dir=DIR)``.

``--contribution FILE`` writes one extra, valid program (Turtle) for contribution-validation benchmarks
(``--contribution-programs N``: N of them, with unique names, for a bulk contribution); it refers only to
shipped nodes, so it is valid against the shipped data with or without the synthetic graph.
``--check`` validates shipped + synthetic with the shipped shapes and compares a catalogued query against the
shipped graph.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

SEED = 20261123
"""Default random seed: the same seed and size always give byte-identical files."""

ID = "https://w3id.org/ppkg/id/"
SYNTHETIC_GRAPH = f"{ID}graph/synthetic"
SYNTHETIC_SOURCE = f"{ID}source/synthetic"
CONTRIBUTION_SOURCE = f"{ID}source/cebc-parent-partner-topic-area"
"""A shipped source document the contributed rating is derived from."""

ZIPF_EXPONENT = 1.0
RATED_SHARE = 0.6
RATING_LEVELS = (("1", 0.05), ("2", 0.12), ("3", 0.28), ("4", 0.15), ("5", 0.05), ("nr", 0.35))
"""CEBC levels (slug of ``id:scale/cebc/<slug>``) and how often synthetic ratings use them."""

SETTINGS = {
    "community-provider": ("Family Resource Center", "frc", "a community-based provider"),
    "court": ("Juvenile Dependency Court", "court", "the dependency court"),
    "child-welfare-agency": ("Department of Children and Family Services", "agency", "the county child welfare agency"),
}
"""Setting slug → (organization kind, short slug word for its IRI, description phrase)."""
PLACES = (
    "Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Gum", "Hazel", "Ironwood", "Juniper", "Larch", "Maple",
    "Oak", "Pine", "Quince", "Redwood", "Spruce", "Tamarack", "Walnut", "Willow", "Aspen", "Buckeye", "Cypress",
    "Hemlock", "Linden", "Magnolia", "Poplar", "Sycamore", "Tupelo", "Yew",
)  # fmt: skip
PROGRAM_KINDS = (
    "Parent Partner Program", "Parent Mentor Program", "Family Mentor Program", "Peer Parent Program",
    "Parents for Parents", "Parent Ally Network", "Peer Partner Initiative", "Parent Advocate Program",
)  # fmt: skip
ROLE_TITLES = ("parent partners", "parent mentors", "family mentors", "parent allies", "peer mentors")
ITEM_WORDINGS = ("{}", "Introduction to {}", "{} training", "{} in practice", "Working with families: {}")

PREFIXES = {
    "ppkg": "https://w3id.org/ppkg/ontology#",
    "id": ID,
    "program": f"{ID}program/",
    "organization": f"{ID}organization/",
    "curriculum": f"{ID}curriculum/",
    "rating": f"{ID}rating/",
    "state": f"{ID}state/",
    "setting": f"{ID}setting/",
    "topic": f"{ID}topic/",
    "scale": f"{ID}scale/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
}


# -- the shipped vocabulary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A training topic of the shipped scheme: its slug and the names an item may use for it."""

    slug: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """What the generator draws from: topics in popularity order (most used first) and state codes."""

    topics: tuple[Topic, ...]
    states: tuple[str, ...]

    def zipf_weights(self) -> list[float]:
        """Weight ``1 / rank^s`` for the topic of each rank."""
        return [1.0 / (rank**ZIPF_EXPONENT) for rank in range(1, len(self.topics) + 1)]


def _slug_of(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _shipped_topic_usage() -> Counter[str]:
    """How many shipped curriculum items cover each topic (slug → count)."""
    from rdflib import Dataset, URIRef

    from ppkg.rdf import shipped

    covers = URIRef(PREFIXES["ppkg"] + "coversTopic")
    usage: Counter[str] = Counter()
    for path in shipped.data_files():
        dataset = Dataset()
        dataset.parse(path, format="trig")
        usage.update(_slug_of(str(o)) for _, _, o, _ in dataset.quads((None, covers, None, None)))
    return usage


def load_vocabulary(seed: int = SEED) -> Vocabulary:
    """Read topics and states from the shipped vocabularies; rank topics by shipped usage (ties: seeded)."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF, SKOS

    from ppkg.rdf import shipped

    vocab_dir = shipped.root() / "ontology" / "vocab"
    topics_graph = Graph().parse(vocab_dir / "training-topics.ttl", format="turtle")
    topic_class = URIRef(PREFIXES["ppkg"] + "TrainingTopic")
    topics = []
    for iri in sorted(topics_graph.subjects(RDF.type, topic_class), key=str):
        pref = str(topics_graph.value(iri, SKOS.prefLabel))
        alts = sorted(str(a) for a in topics_graph.objects(iri, SKOS.altLabel) if len(str(a)) > 3)
        topics.append(Topic(_slug_of(str(iri)), (pref, *alts)))
    usage = _shipped_topic_usage()
    tiebreak = random.Random(seed)
    tiebreak.shuffle(topics)  # ties in usage get a seeded, not alphabetical, order
    topics.sort(key=lambda t: -usage[t.slug])
    states_graph = Graph().parse(vocab_dir / "states.ttl", format="turtle")
    state_class = URIRef(PREFIXES["ppkg"] + "State")
    states = sorted(_slug_of(str(s)) for s in states_graph.subjects(RDF.type, state_class))
    return Vocabulary(tuple(topics), tuple(states))


# -- one program --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One curriculum item: verbatim text and the topic it covers."""

    text: str
    topic: str


@dataclass(frozen=True)
class Rating:
    """A CEBC evidence rating: level slug and date."""

    level: str
    rated_on: date


@dataclass(frozen=True)
class ProgramSpec:
    """Everything written about one synthetic program."""

    slug: str
    label: str
    state: str
    setting: str
    organization: str
    organization_label: str
    role_title: str | None
    items: tuple[Item, ...]
    rating: Rating | None


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by ``-``."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def pick_topics(rng: random.Random, vocab: Vocabulary, count: int) -> list[Topic]:
    """``count`` distinct topics, drawn Zipf-like by popularity rank."""
    weights = vocab.zipf_weights()
    chosen: dict[str, Topic] = {}
    while len(chosen) < count:
        topic = rng.choices(vocab.topics, weights=weights)[0]
        chosen.setdefault(topic.slug, topic)
    return list(chosen.values())


def make_items(rng: random.Random, vocab: Vocabulary) -> tuple[Item, ...]:
    """8–17 curriculum items, each worded from one of its topic's names."""
    items = []
    for topic in pick_topics(rng, vocab, rng.randint(8, 17)):
        text = rng.choice(ITEM_WORDINGS).format(rng.choice(topic.names))
        items.append(Item(text[0].upper() + text[1:], topic.slug))
    return tuple(items)


def make_rating(rng: random.Random, force_level: str | None = None) -> Rating:
    """A rating at a level drawn from :data:`RATING_LEVELS` (or ``force_level``), dated 2012–2025."""
    levels, weights = zip(*RATING_LEVELS, strict=True)
    level = force_level or rng.choices(levels, weights=weights)[0]
    return Rating(level, date(2012, 1, 1) + timedelta(days=rng.randrange(14 * 365)))


def make_program(rng: random.Random, vocab: Vocabulary, number: int, prefix: str = "syn") -> ProgramSpec:
    """Program ``number`` (1-based). Program 1 is in California and rated 3 (Promising).

    Slugs are kept short (``syn-<place>-<number>``) so that 10,000 programs stay well under ppkg's 50 MB limit
    per data file; labels are unique because they carry the number (and, outside ``syn``, the prefix).
    """
    place = rng.choice(PLACES)
    label = f"{place} {rng.choice(PROGRAM_KINDS)} {number}"
    if prefix != "syn":  # a different name space of labels, so no clash with the synthetic programs
        label = f"{prefix.title()} {label}"
    setting = rng.choice(sorted(SETTINGS))
    state = "ca" if number == 1 else rng.choice(vocab.states)
    org_kind, org_word, _ = SETTINGS[setting]
    rated = number == 1 or rng.random() < RATED_SHARE
    return ProgramSpec(
        slug=f"{prefix}-{slugify(place)}-{number}",
        label=label,
        state=state,
        setting=setting,
        organization=f"{prefix}-{slugify(place)}-{org_word}-{number}",
        organization_label=f"{place} {org_kind} {number}",
        role_title=rng.choice(ROLE_TITLES) if rng.random() < 0.5 else None,
        items=make_items(rng, vocab),
        rating=make_rating(rng, "3" if number == 1 else None) if rated else None,
    )


# -- Turtle -------------------------------------------------------------------------------------------------


def literal(text: str, lang: str | None = None) -> str:
    """A Turtle string literal (optionally language-tagged)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def statements(subject: str, pairs: Sequence[tuple[str, str]]) -> str:
    """One Turtle subject block: ``subject p1 o1 ; p2 o2 .``."""
    body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
    return f"{subject} {body} .\n"


def item_iri(program: ProgramSpec, position: int) -> str:
    """``curriculum:<program>\\/item-NN`` (the ``/`` escaped, as Turtle needs)."""
    return f"curriculum:{program.slug}\\/item-{position:02d}"


def program_block(p: ProgramSpec) -> str:
    """The program node itself."""
    setting_text = SETTINGS[p.setting][2]
    pairs = [
        ("a", "ppkg:Program"),
        ("rdfs:label", literal(p.label, "en")),
        ("dcterms:description", literal(f"A synthetic parent partner program run by {setting_text}.", "en")),
        ("ppkg:state", f"state:{p.state}"),
        ("ppkg:setting", f"setting:{p.setting}"),
        ("ppkg:operatedBy", f"organization:{p.organization}"),
        ("ppkg:employsRole", "id:role\\/parent-partner"),
        ("ppkg:hasCurriculum", f"curriculum:{p.slug}"),
    ]
    if p.role_title:
        pairs.append(("ppkg:localRoleTitle", literal(p.role_title)))
    return statements(f"program:{p.slug}", pairs)


def organization_block(p: ProgramSpec) -> str:
    """The organization that operates the program, in the same state."""
    pairs = [
        ("a", "ppkg:Organization"),
        ("rdfs:label", literal(p.organization_label, "en")),
        ("ppkg:state", f"state:{p.state}"),
    ]
    return statements(f"organization:{p.organization}", pairs)


def curriculum_blocks(p: ProgramSpec) -> str:
    """The curriculum and its items, in source order."""
    items = ",\n        ".join(item_iri(p, i) for i in range(1, len(p.items) + 1))
    text = statements(
        f"curriculum:{p.slug}",
        [
            ("a", "ppkg:TrainingCurriculum"),
            ("rdfs:label", literal(f"Training curriculum of {p.label}", "en")),
            ("ppkg:hasItem", items),
        ],
    )
    for position, item in enumerate(p.items, start=1):
        pairs = [
            ("a", "ppkg:CurriculumItem"),
            ("rdfs:label", literal(item.text, "en")),
            ("ppkg:verbatimText", literal(item.text)),
            ("ppkg:position", str(position)),
            ("ppkg:coversTopic", f"topic:{item.topic}"),
        ]
        text += statements(item_iri(p, position), pairs)
    return text


def rating_block(p: ProgramSpec, source: str) -> str:
    """The program's CEBC rating, derived from ``source`` (empty when it has none)."""
    if p.rating is None:
        return ""
    pairs = [
        ("a", "ppkg:EvidenceRating"),
        ("rdfs:label", literal(f"CEBC rating of {p.label}", "en")),
        ("ppkg:ratedProgram", f"program:{p.slug}"),
        ("ppkg:ratingLevel", f"scale:cebc\\/{p.rating.level}"),
        ("ppkg:ratingScale", "scale:cebc"),
        ("ppkg:ratedBy", "organization:cebc"),
        ("ppkg:ratingDate", f'"{p.rating.rated_on.isoformat()}"^^xsd:date'),
        ("prov:wasDerivedFrom", f"<{source}>"),
    ]
    return statements(f"rating:cebc-{p.slug}", pairs)


def program_turtle(p: ProgramSpec, source: str) -> str:
    """Every statement about one program: program, organization, curriculum, items and rating."""
    return "\n".join(
        filter(None, [program_block(p), organization_block(p), curriculum_blocks(p), rating_block(p, source)])
    )


def prefix_lines() -> str:
    """The ``@prefix`` declarations."""
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items()) + "\n"


def provenance_turtle(programs: int) -> str:
    """The graph's own description and its source document (with a generated publisher)."""
    graph = statements(
        f"<{SYNTHETIC_GRAPH}>",
        [
            ("a", "prov:Entity"),
            ("rdfs:label", literal(f"Synthetic benchmark data: {programs} programs", "en")),
            ("prov:wasDerivedFrom", f"<{SYNTHETIC_SOURCE}>"),
        ],
    )
    source = statements(
        f"<{SYNTHETIC_SOURCE}>",
        [
            ("a", "ppkg:SourceDocument"),
            ("rdfs:label", literal("Synthetic benchmark source", "en")),
            ("dcterms:title", literal(f"ppkg benchmark data, {programs} synthetic programs", "en")),
            ("dcterms:publisher", "organization:ppkg-benchmarks"),
            ("schema:url", "<https://w3id.org/ppkg>"),
            ("ppkg:seedFile", literal(f"synthetic-{programs}.txt")),
        ],
    )
    publisher = statements(
        "organization:ppkg-benchmarks",
        [("a", "ppkg:Organization"), ("rdfs:label", literal("ppkg benchmark generator", "en"))],
    )
    return "\n".join([graph, source, publisher])


def synthetic_programs(programs: int, seed: int = SEED, vocab: Vocabulary | None = None) -> Iterable[ProgramSpec]:
    """Programs 1…``programs``, deterministic for a seed."""
    vocab = vocab or load_vocabulary(seed)
    rng = random.Random(seed)
    for number in range(1, programs + 1):
        yield make_program(rng, vocab, number)


def write_synthetic(programs: int, out_dir: Path, seed: int = SEED) -> Path:
    """Write ``out_dir/synthetic.trig`` with ``programs`` programs; return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "synthetic.trig"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(f"# ppkg synthetic benchmark data: {programs} programs, seed {seed}. Generated; do not edit.\n")
        handle.write(prefix_lines())
        handle.write(f"<{SYNTHETIC_GRAPH}> {{\n\n")
        handle.write(provenance_turtle(programs) + "\n")
        for program in synthetic_programs(programs, seed):  # not indented inside the graph block: 10 % smaller
            handle.write(program_turtle(program, SYNTHETIC_SOURCE) + "\n")
        handle.write("}\n")
    return path


def copy_shipped_data(out_dir: Path) -> list[Path]:
    """Copy the shipped ``data/*.trig`` into ``out_dir`` (so it works as a ppkg data directory)."""
    from ppkg.rdf import shipped

    out_dir.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy2(path, out_dir / path.name)) for path in shipped.data_files()]


def write_contribution(path: Path, seed: int = SEED, programs: int = 1) -> Path:
    """Write ``programs`` valid new programs (Turtle) that refer only to shipped nodes and to each other.

    One program gives the same file as always; more are numbered 1…N with unique names and IRIs (a bulk
    contribution).
    """
    vocab = load_vocabulary(seed)
    rng = random.Random(seed + 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    if programs == 1:
        header = "# One extra program for ppkg contribution-validation benchmarks. Generated; do not edit.\n"
    else:
        header = f"# {programs} extra programs for ppkg bulk-contribution benchmarks. Generated; do not edit.\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header + prefix_lines())
        for number in range(1, programs + 1):
            program = make_program(rng, vocab, number, prefix="contributed")
            handle.write(("\n" if number > 1 else "") + program_turtle(program, CONTRIBUTION_SOURCE))
    return path


# -- checking -----------------------------------------------------------------------------------------------


def check(data_dir: Path, contribution: Path | None = None) -> bool:
    """Validate shipped + synthetic (and the contribution), and compare a query with the shipped graph."""
    import ppkg
    from ppkg.validation.context import existing_graph, validate_contribution
    from ppkg.validation.shacl import validate_graph

    existing = existing_graph(data_dir)
    report = validate_graph(existing)
    counts = f"{len(report.violations)} violations, {len(report.warnings)} warnings"
    print(f"validate_graph: {len(existing):,} triples, {counts}")
    ok = not report.violations
    for line in report.text().splitlines()[:20] if report.violations else []:
        print("   ", line)
    if contribution is not None:
        from rdflib import Graph

        contrib = validate_contribution(Graph().parse(contribution, format="turtle"), existing)
        print(f"validate_contribution: {len(contrib.violations)} violations, {len(contrib.warnings)} warnings")
        ok = ok and not contrib.violations
    topic = "motivational interviewing"
    shipped_rows = len(ppkg.load().run("programs-by-training-topic", topic=topic).rows)
    synthetic_rows = len(ppkg.load(data_dir=data_dir).run("programs-by-training-topic", topic=topic).rows)
    print(
        f"programs-by-training-topic {topic!r}: shipped {shipped_rows} rows, shipped + synthetic {synthetic_rows} rows"
    )
    return ok and synthetic_rows > shipped_rows


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description="Write deterministic synthetic ppkg data for benchmarks.")
    parser.add_argument("--programs", type=int, help="number of synthetic programs")
    parser.add_argument("--out", type=Path, help="directory to write synthetic.trig into")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--with-shipped", action="store_true", help="also copy the shipped data/*.trig into --out")
    parser.add_argument("--contribution", type=Path, help="write extra valid programs (Turtle) to this file")
    parser.add_argument(
        "--contribution-programs",
        type=int,
        default=1,
        metavar="N",
        help="how many new programs --contribution writes (default 1)",
    )
    parser.add_argument("--check", action="store_true", help="validate the result (needs --with-shipped)")
    args = parser.parse_args(argv)
    if (args.programs is None) != (args.out is None):
        parser.error("--programs and --out go together")
    if args.programs is None and args.contribution is None:
        parser.error("nothing to do: give --programs N --out DIR and/or --contribution FILE")
    if args.programs is not None and args.programs < 1:
        parser.error("--programs must be at least 1")
    if args.contribution_programs < 1:
        parser.error("--contribution-programs must be at least 1")
    if args.contribution_programs != 1 and args.contribution is None:
        parser.error("--contribution-programs needs --contribution FILE")
    if args.check and not (args.out and args.with_shipped):
        parser.error("--check needs --out DIR --with-shipped")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if args.out is not None:
        path = write_synthetic(args.programs, args.out, args.seed)
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
        if args.with_shipped:
            print(f"copied {len(copy_shipped_data(args.out))} shipped data files into {args.out}")
    if args.contribution is not None:
        print(f"wrote {write_contribution(args.contribution, args.seed, args.contribution_programs)}")
    if args.check:
        return 0 if check(args.out, args.contribution) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
