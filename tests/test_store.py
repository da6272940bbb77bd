"""The persistent store (``<data dir>/.ppkg-store``): the same answers as the files read into memory and as
rdflib, one copy of each named graph, updated with every change, and never read while stale.

Parity is checked where the union is hard: a statement stated by two graphs (the shipped source documents
repeat some; a contribution below repeats one more) must count once, and a statement a correction superseded
must not count at all, for queries whose answers depend on multiplicity (``COUNT(*)``, no ``DISTINCT``) too.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

import ppkg
from ppkg.query.catalogue import Catalogue
from ppkg.query.engines import OxigraphEngine
from ppkg.rdf.compiled import STORE_DIR, generations, in_memory, sync
from ppkg.rdf.datadir import graph_files
from ppkg.rdf.union import arrange, fresh_shares, graph_sizes
from ppkg.steward.api import correct
from ppkg.steward.store import list_contributions, withdraw

from .conftest import ppkg_command

STATE_OF = "SELECT ?l WHERE { ?p a ppkg:Program ; rdfs:label ?l ; ppkg:state ?s . ?s rdfs:label ?sl }"

REPEAT = """<https://w3id.org/ppkg/id/graph/repeat> {
<https://w3id.org/ppkg/id/program/kentucky-start> <http://www.w3.org/2000/01/rdf-schema#label> "START"@en .
}
"""
"""A source graph that states again a name the shipped data states (a contribution would leave it out)."""

MULTIPLICITY = {
    "all statements": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "labels, not distinct": "SELECT ?l WHERE { ?x rdfs:label ?l }",
    "states, not distinct": STATE_OF,
    "per predicate": "SELECT ?p (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "per graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "sum of positions": "SELECT (SUM(?n) AS ?total) WHERE { ?i ppkg:position ?n }",
}


def rows(kg: ppkg.KnowledgeGraph, sparql: str) -> Counter[tuple[str, ...]]:
    """The rows of a query as a multiset of strings (blank nodes, which differ between loads, as ``_``)."""
    result = kg.query(sparql)
    return Counter(
        tuple("_" if v is not None and v.__class__.__name__ == "BNode" else str(v) for v in r) for r in result
    )


@pytest.fixture
def corrected(data_dir: Path) -> Path:
    """A data directory with a repeated statement and a correction (START moved to Tennessee)."""
    (data_dir / "repeat.trig").write_text(REPEAT, encoding="utf-8")
    correct(
        "START",
        "state",
        "TN",
        by="Ada Steward",
        why="START moved its office",
        source="https://example.org/start",
        data_dir=data_dir,
    )
    return data_dir


def test_the_store_answers_as_memory_and_rdflib_where_the_union_is_hard(corrected: Path) -> None:
    stored = ppkg.load(data_dir=corrected)
    memory = ppkg.load(data_dir=corrected, store=False)
    reference = ppkg.load(data_dir=corrected, engine="rdflib", store=False)
    assert stored.store_directory == corrected
    for name, sparql in MULTIPLICITY.items():
        expected = rows(reference, sparql)
        assert rows(stored, sparql) == expected, name
        assert rows(memory, sparql) == expected, name
    states = rows(stored, STATE_OF.replace("?l WHERE", "?l ?sl WHERE"))
    assert states[("START", "Tennessee")] == 1
    assert ("START", "Kentucky") not in states  # superseded: in its source graph, not in the union


def test_every_catalogued_query_answers_the_same_from_the_store(corrected: Path) -> None:
    stored = ppkg.load(data_dir=corrected)
    memory = ppkg.load(data_dir=corrected, store=False)
    reference = ppkg.load(data_dir=corrected, engine="rdflib", store=False)
    for spec in Catalogue():
        answer = rows(stored, spec.text)
        assert answer == rows(memory, spec.text), spec.name
        if spec.name != "fact-provenance":  # it prints values with STR(): rdflib writes the decimal 30 as "30.0"
            assert answer == rows(reference, spec.text), spec.name


def test_the_store_holds_each_graph_once(corrected: Path) -> None:
    graph = in_memory(graph_files(corrected))
    assert graph.union.separate == ()  # every graph is small: all are read through the merged copy
    store = graph.store
    sizes = graph_sizes(store)
    view = arrange(store, sizes, fresh_shares(store, sizes), separate_min=0)  # the sharing rule alone
    counts = Counter(q.graph_name for q in store.quads_for_pattern(None, None, None))
    copied = counts.pop(ox.DefaultGraph(), 0)
    merged = {ox.NamedNode(g) for g in view.merged}
    assert view.separate and merged  # the sources repeat each other; a correction supersedes
    assert copied <= sum(n for g, n in counts.items() if g in merged)  # only those graphs are copied, once
    largest = max(counts, key=lambda g: counts[g])
    assert largest not in merged  # of two graphs that repeat a statement, the smaller one is copied
    reference = ppkg.load(data_dir=corrected, engine="rdflib", store=False)
    engine = ppkg.KnowledgeGraph(engine=OxigraphEngine(store, view))
    for sparql in MULTIPLICITY.values():
        assert rows(engine, sparql) == rows(reference, sparql)


def test_rebuilding_gives_the_same_store(data_dir: Path) -> None:
    files = graph_files(data_dir)
    first = sync(data_dir, files, force=True)
    dump_first = canonical(data_dir)
    manifest_first = (data_dir / STORE_DIR / str(first.generation) / "manifest.json").read_bytes()
    second = sync(data_dir, files, force=True)
    assert second.generation != first.generation
    assert canonical(data_dir) == dump_first
    assert (data_dir / STORE_DIR / str(second.generation) / "manifest.json").read_bytes() == manifest_first
    assert [p.name for p in generations(data_dir)] == [second.generation]  # the old one is removed


def canonical(data_dir: Path) -> list[str]:
    """The current generation's statements as sorted N-Quads, blank node labels replaced."""
    current = (data_dir / STORE_DIR / "CURRENT").read_text().strip()
    store = ox.Store.read_only(str(data_dir / STORE_DIR / current / "oxigraph"))
    text = store.dump(format=ox.RdfFormat.N_QUADS).decode()
    return sorted(re.sub(r"_:[A-Za-z0-9]+", "_:b", line) for line in text.splitlines())


def test_a_changed_file_is_seen_by_the_next_query(
    data_dir: Path, run_ppkg: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    assert "START" in ppkg.load(data_dir=data_dir).query(STATE_OF).column("l")
    status = ppkg.store_status(data_dir)
    assert status.exists and status.fresh and status.generation == "gen-000001"
    source = next(data_dir.glob("*.trig"))
    text = source.read_text(encoding="utf-8")
    (data_dir / "extra.trig").write_text(
        "<https://w3id.org/ppkg/id/graph/extra> { <https://w3id.org/ppkg/id/program/kentucky-start> "
        '<http://www.w3.org/2000/01/rdf-schema#comment> "added by hand" . }\n',
        encoding="utf-8",
    )
    stale = ppkg.store_status(data_dir)
    assert not stale.fresh and stale.stale == ("+ extra.trig",)
    found = ppkg.load(data_dir=data_dir).query("SELECT ?c WHERE { ?p rdfs:comment ?c FILTER(?c = 'added by hand') }")
    assert found.column("c") == ["added by hand"]
    assert ppkg.store_status(data_dir).generation == "gen-000002"
    source.write_text(text, encoding="utf-8")  # rewritten with the same bytes: the hash says unchanged
    assert ppkg.store_status(data_dir).fresh
    shown = run_ppkg("store", "status", "--data-dir", str(data_dir))
    assert shown.returncode == 0 and "state: up to date" in shown.stdout, shown.stderr


def test_contribute_and_withdraw_update_the_store(
    data_dir: Path, run_ppkg: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    ppkg.load(data_dir=data_dir).query("ASK { ?s ?p ?o }")  # builds the store
    contribution = data_dir.parent / "tn.ttl"
    contribution.write_text(TENNESSEE, encoding="utf-8")
    added = run_ppkg("contribute", str(contribution), "--by", "Ada Steward", "--data-dir", str(data_dir))
    assert added.returncode == 0, added.stderr
    assert ppkg.store_status(data_dir).fresh  # updated by the contribution itself
    assert "Volunteer Parents" in names_in(data_dir)
    [entry] = json.loads(run_ppkg("contributions", "--data-dir", str(data_dir), "--format", "json").stdout)
    assert run_ppkg("withdraw", entry["id"], "--data-dir", str(data_dir)).returncode == 0
    assert ppkg.store_status(data_dir).fresh
    assert "Volunteer Parents" not in names_in(data_dir)


TENNESSEE = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/ppkg/id/program/volunteer-parents> a ppkg:Program ;
    rdfs:label "Volunteer Parents"@en ;
    dcterms:description "Parents who have been through the system mentor parents in it now."@en ;
    ppkg:state <https://w3id.org/ppkg/id/state/tn> ;
    ppkg:employsRole <https://w3id.org/ppkg/id/role/parent-partner> .
"""


def names_in(data_dir: Path) -> list[str]:
    """Program names, as the installed ``ppkg query`` prints them from the data directory's store."""
    done = subprocess.run(
        [
            *ppkg_command(),
            "query",
            "--sparql",
            "SELECT ?l WHERE { ?p a ppkg:Program ; rdfs:label ?l }",
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PPKG_DATA_DIR": str(data_dir)},
        check=True,
    )
    return done.stdout.splitlines()[1:]


@pytest.mark.parametrize("stage", ["store-copied", "store-updated", "store-published"])
def test_a_kill_while_the_store_is_updated_never_gives_wrong_answers(data_dir: Path, stage: str) -> None:
    ppkg.load(data_dir=data_dir).query("ASK { ?s ?p ?o }")  # builds the store
    contribution = data_dir.parent / "tn.ttl"
    contribution.write_text(TENNESSEE, encoding="utf-8")
    env = {**os.environ, "PPKG_TEST_PAUSE_AT": stage}
    with subprocess.Popen(
        [*ppkg_command(), "contribute", str(contribution), "--by", "Ada", "--data-dir", str(data_dir)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as writer:
        assert writer.stderr is not None
        assert writer.stderr.readline().strip() == f"ppkg: paused at {stage}"
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert "Volunteer Parents" in names_in(data_dir)  # the file landed: the store is brought up to date
    assert ppkg.store_status(data_dir).fresh
    memory = ppkg.load(data_dir=data_dir, store=False)
    assert sorted(names_in(data_dir)) == sorted(
        memory.query("SELECT ?l WHERE { ?p a ppkg:Program ; rdfs:label ?l }").column("l")
    )


def test_withdrawing_a_correction_restores_the_value_in_the_store(corrected: Path) -> None:
    assert ppkg.store_status(corrected).fresh
    [correction] = [c for c in list_contributions(corrected) if c.triples > 1]
    withdraw(correction.id, corrected)
    states = rows(ppkg.load(data_dir=corrected), STATE_OF.replace("?l WHERE", "?l ?sl WHERE"))
    assert states[("START", "Kentucky")] == 1
    assert ("START", "Tennessee") not in states
    assert states == rows(ppkg.load(data_dir=corrected, store=False), STATE_OF.replace("?l WHERE", "?l ?sl WHERE"))


def test_the_name_index_is_kept_with_the_store(data_dir: Path) -> None:
    env = {**os.environ, "PPKG_DATA_DIR": str(data_dir)}
    command = [*ppkg_command(), "query", "programs-by-training-topic", "--param", "topic=mandated reporting"]
    first = subprocess.run([*command, "--format", "csv"], capture_output=True, text=True, env=env, check=True)
    [generation] = list(generations(data_dir))
    kept = sorted(p.name for p in generation.glob("labels-*.json"))
    assert kept == ["labels-1-topic.json"]
    again = subprocess.run([*command, "--format", "csv"], capture_output=True, text=True, env=env, check=True)
    assert again.stdout == first.stdout and len(first.stdout.splitlines()) > 2
