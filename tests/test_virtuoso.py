"""A second, real triplestore: Virtuoso 7 on 127.0.0.1 (issue 12).

The session fixture :func:`tests.virtuoso.virtuoso` starts ``virtuoso-t`` with a generated configuration in
a temporary directory on free loopback ports and grants SPARQL_UPDATE to its SPARQL user. ``ppkg publish
--store …/sparql-graph-crud`` loads the shipped graph into it (with no other option), and every catalogued
query, run with its defaults through ``--endpoint …/sparql``, must give the same rows in the same order as
in-process, although Virtuoso's default graph is the *bag* union of all its graphs (its own system graphs
included) and caps answers at 10,000 rows. Publishing replaces graphs and removes withdrawn ones, then
counts what the store holds; a URL that is not a Graph Store is an error (exit 2, one line).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import ppkg
from ppkg.query.engines import OxigraphEngine
from ppkg.serve.publish import PPKG_GRAPHS, GraphStore

from .virtuoso import Virtuoso, virtuoso  # noqa: F401  (virtuoso: the session fixture)

Run = Callable[..., subprocess.CompletedProcess[str]]
CATALOGUE = list(ppkg.load().catalogue)
EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
SUMMARY = re.compile(
    r"^ppkg: published (\d+) graphs \(([\d,]+) statements.*the store holds the same count in every graph$"
)

pytestmark = pytest.mark.server


def local_counts(data_dir: Path | None = None) -> dict[str, int]:
    """Statements per named graph of the local data (what the store must hold after a publish)."""
    engine = OxigraphEngine.from_files(ppkg.load(data_dir=data_dir).files)
    counts: dict[str, int] = {}
    for quad in engine.store:
        name = str(getattr(quad.graph_name, "value", ""))
        if name:
            counts[name] = counts.get(name, 0) + 1
    return counts


def publish(
    run_ppkg: Run, server: Virtuoso, data_dir: Path | None = None, *extra: str
) -> subprocess.CompletedProcess[str]:
    env = {"PPKG_DATA_DIR": str(data_dir)} if data_dir else None
    return run_ppkg("publish", "--store", server.store_url, *extra, env=env)


@pytest.fixture(scope="module")
def published(virtuoso: Virtuoso, run_ppkg: Run) -> Virtuoso:  # noqa: F811
    """Virtuoso holding the shipped graph, published with the plain command."""
    done = publish(run_ppkg, virtuoso)
    assert done.returncode == 0, done.stderr
    match = SUMMARY.match(done.stdout.strip().splitlines()[-1])
    assert match, done.stdout
    assert int(match.group(1)) == len(local_counts())
    assert int(match.group(2).replace(",", "")) == sum(local_counts().values())
    return virtuoso


def test_publish_puts_every_graph_with_the_local_count(published: Virtuoso) -> None:
    store = GraphStore(published.store_url)
    assert store.query_url == published.query_url  # derived from …/sparql-graph-crud
    assert store.ppkg_graphs() == local_counts()
    assert store.default_is_union()  # Virtuoso's default graph is a view of all graphs


@pytest.mark.parametrize("spec", CATALOGUE, ids=lambda s: s.name)
def test_every_catalogued_query_is_identical_on_virtuoso(
    kg: ppkg.KnowledgeGraph, published: Virtuoso, spec: ppkg.QuerySpec
) -> None:
    remote = ppkg.connect(published.query_url, timeout=60).run(spec.name)
    local = kg.run(spec.name)
    assert remote.variables == local.variables
    assert remote.terms == local.terms


@pytest.mark.parametrize(
    "args",
    [
        ("role-profile",),  # 3,625 rows on Virtuoso's bag-union default graph before DISTINCT
        ("implementation-considerations",),  # hit the 10,000-row cap
        ("fact-provenance",),  # GRAPH ?g, and a literal as the subject of an OPTIONAL
        ("programs-by-rating", "-p", "rating=NR"),
        ("programs-by-training-topic", "-p", "topic=mandated reporting"),
    ],
    ids=lambda a: a[0],
)
def test_ppkg_query_endpoint_on_virtuoso(run_ppkg: Run, published: Virtuoso, args: tuple[str, ...]) -> None:
    local = run_ppkg("query", *args, "-f", "json")
    remote = run_ppkg("query", *args, "-f", "json", "--endpoint", published.query_url)
    assert local.returncode == 0 and remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    assert json.loads(remote.stdout)["results"]["bindings"]


def test_role_profile_rows_on_virtuoso(published: Virtuoso) -> None:
    rows = ppkg.connect(published.query_url).run("role-profile", role="peer partner")
    assert len(rows) == 17
    assert set(rows.column("roleLabel")) == {"parent partner"}  # "peer partner" is its alias


def test_publish_withdraw_publish_leaves_the_store_equal_to_the_local_graph(
    run_ppkg: Run, published: Virtuoso, data_dir: Path
) -> None:
    store = GraphStore(published.store_url)
    try:
        done = run_ppkg(
            "contribute", str(EXAMPLES / "mentor-moms.ttl"), "--by", "Ada Steward", "--data-dir", str(data_dir)
        )
        assert done.returncode == 0, done.stderr
        contribution = json.loads(run_ppkg("contributions", "--data-dir", str(data_dir), "-f", "json").stdout)[0]["id"]
        graph = f"{PPKG_GRAPHS}contribution/{contribution}"

        first = publish(run_ppkg, published, data_dir)
        assert first.returncode == 0, first.stderr
        assert store.ppkg_graphs() == local_counts(data_dir)
        assert graph in store.ppkg_graphs()
        remote = ppkg.connect(published.query_url)
        assert "Mentor Moms" in remote.run("programs-by-state-or-setting", state="CA").column("programLabel")

        withdrawn = run_ppkg("withdraw", contribution, "--data-dir", str(data_dir))
        assert withdrawn.returncode == 0, withdrawn.stderr
        again = publish(run_ppkg, published, data_dir)
        assert again.returncode == 0, again.stderr
        assert f"removed <{graph}>" in again.stdout.splitlines()
        assert store.ppkg_graphs() == local_counts(data_dir) == local_counts()
        assert "Mentor Moms" not in remote.run("programs-by-state-or-setting", state="CA").column("programLabel")
    finally:
        assert publish(run_ppkg, published).returncode == 0


def test_dry_run_lists_and_changes_nothing(run_ppkg: Run, published: Virtuoso) -> None:
    store = GraphStore(published.store_url)
    stale = f"{PPKG_GRAPHS}contribution/20200101-000000000000"
    store.send(
        "PUT", stale, b'<https://w3id.org/ppkg/id/program/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'
    )
    try:
        before = store.ppkg_graphs()
        done = publish(run_ppkg, published, None, "--dry-run")
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert f"remove <{stale}>" in lines
        assert f"replace <{PPKG_GRAPHS}curation> ({local_counts()[PPKG_GRAPHS + 'curation']:,} statements)" in lines
        assert done.stderr.strip() == (
            f"ppkg: dry run: would replace {len(local_counts())} graphs and remove 1 in {published.store_url}"
        )
        assert store.ppkg_graphs() == before
        real = publish(run_ppkg, published)
        assert real.returncode == 0 and f"removed <{stale}>" in real.stdout
        assert store.ppkg_graphs() == local_counts()
    finally:
        store.send("DELETE", stale)


def test_publish_to_what_is_not_a_graph_store_exits_2(run_ppkg: Run, published: Virtuoso) -> None:
    before = GraphStore(published.store_url).ppkg_graphs()
    # Virtuoso's start page: HTTP 501 to a PUT
    done = run_ppkg("publish", "--store", f"{published.base}/conductor", "--endpoint", published.query_url)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert re.fullmatch(
        r"ppkg: error: \S+/conductor: answered PUT with HTTP 501, not a Graph Store Protocol answer .*\n", done.stderr
    )
    # a path whose query endpoint cannot be told
    unknown = run_ppkg("publish", "--store", f"{published.base}/conductor")
    assert unknown.returncode == 2
    assert "cannot tell the SPARQL query endpoint of the store" in unknown.stderr and "--endpoint" in unknown.stderr
    assert GraphStore(published.store_url).ppkg_graphs() == before


@pytest.mark.parametrize("spec", CATALOGUE, ids=lambda s: s.name)
def test_every_catalogued_select_is_duplicate_safe(spec: ppkg.QuerySpec) -> None:
    """The style rule that makes answers independent of a store's default graph (docs/triplestores.md)."""
    body = "\n".join(line for line in spec.text.splitlines() if not line.lstrip().startswith("#"))
    if not re.search(r"^SELECT\b", body, re.IGNORECASE | re.MULTILINE):
        return  # CONSTRUCT, DESCRIBE and ASK answer with sets
    counts = re.findall(r"COUNT\s*\(\s*(\w*)", body, re.IGNORECASE)
    if "GROUP BY" in body.upper():
        assert all(word.upper() == "DISTINCT" for word in counts), f"{spec.name}: COUNT without DISTINCT"
        assert not re.search(r"\b(SUM|AVG|GROUP_CONCAT)\s*\(", body, re.IGNORECASE), spec.name
    else:
        assert re.search(r"^SELECT\s+DISTINCT\b", body, re.IGNORECASE | re.MULTILINE), f"{spec.name}: not DISTINCT"
