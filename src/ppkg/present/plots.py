"""Pictures of the graph (matplotlib, PNG or SVG): the program × topic coverage heatmap, the topic
frequency bar chart, and the network of programs linked by lineage and by similar training.

Every figure grows with what it shows (a fixed size per row and column), so labels keep a readable size at
12 programs and at 200. Output is deterministic: no dates in the files, a fixed SVG id salt and fixed layout
seeds. In SVG the labels stay text (``svg.fonttype: none``), so they can be searched and read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ppkg.errors import ParameterError
from ppkg.present.similarity import similar
from ppkg.present.topics import TopicSets

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure

KINDS = ("heatmap", "topics", "network")
"""What :func:`plot` draws: ``heatmap`` (program × topic coverage), ``topics`` (how many programs train on each
topic), ``network`` (programs linked by lineage and by their most similar training)."""
FORMATS = ("png", "svg")
"""The picture formats."""

CELL = 0.17
"""Inches per heatmap row and column (and per bar)."""
FONT = 8.0
"""Label font size in points."""
DPI = 110
MAX_PROGRAMS = 500
"""The most programs the heatmap and the network draw (a row or a node each); the bar chart has no limit."""
BLUE = "#1f5f99"
PALE = "#a9c7e4"
ORANGE = "#c2571a"
GREY = "#8a8a8a"


@dataclass(frozen=True)
class Picture:
    """A drawn figure: what it shows, in words (the alt text of the site), and where it was written."""

    kind: str
    path: Path
    alt: str


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib as mpl

    with mpl.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "ppkg",
            "font.family": "DejaVu Sans",
            "font.size": FONT,
            "axes.titlesize": FONT + 3,
            "axes.titleweight": "bold",
        }
    ):
        yield


def _save(fig: Figure, path: Path, fmt: str) -> None:
    metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else {"Software": None}
    try:
        fig.savefig(path, format=fmt, dpi=DPI, metadata=metadata, bbox_inches="tight", pad_inches=0.15)
    except OSError as err:
        raise ParameterError(f"{path}: cannot write: {err.strerror or err}") from None


def _format(path: Path, fmt: str | None) -> str:
    if fmt is None:
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise ParameterError(
                f"cannot tell the picture format of {path} from its extension {path.suffix or '(none)'}: "
                f"name the file .png or .svg, or give --format ({', '.join(FORMATS)})"
            )
    if fmt not in FORMATS:
        raise ParameterError(f"unknown picture format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


def _topic_order(sets: TopicSets) -> list[str]:
    """The topics some curriculum names, grouped under their top topic, groups and members by how many
    programs name them (most first), then by label."""
    named: dict[str, int] = {}
    for topics in sets.programs.values():
        for t in topics:
            named[t] = named.get(t, 0) + 1

    def top(t: str) -> str:
        chain = sets.ancestors(t)
        return max(chain, key=lambda a: (chain[a], a))

    groups: dict[str, list[str]] = {}
    for t in named:
        groups.setdefault(top(t), []).append(t)
    group_size = {g: sum(named[t] for t in members) for g, members in groups.items()}
    order: list[str] = []
    for g in sorted(groups, key=lambda g: (-group_size[g], sets.label(g).casefold())):
        order += sorted(groups[g], key=lambda t: (-named[t], sets.label(t).casefold(), t))
    return order


def heatmap(sets: TopicSets) -> tuple[Figure, str]:
    """Programs (rows) × the topics their curricula name (columns, grouped by top topic): a dark cell where the
    program names the topic, a pale one where it names a narrower topic of it."""
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    programs = sorted(sets.programs, key=lambda p: (sets.label(p).casefold(), p))
    topics = _topic_order(sets)
    cells = [[0.0] * len(topics) for _ in programs]
    for i, p in enumerate(programs):
        rolled = sets.weights(p)
        for j, t in enumerate(topics):
            cells[i][j] = 1.0 if t in sets.programs[p] else (0.5 if t in rolled else 0.0)
    # the cells get exactly CELL inches each; the margins leave room for the labels (the tight bounding box
    # of the saved picture trims what they do not use)
    left, top, edge = 3.4, 3.0, 0.3
    plot_w, plot_h = CELL * len(topics), CELL * len(programs)
    width, height = left + plot_w + edge, top + plot_h + edge
    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((left / width, edge / height, plot_w / width, plot_h / height))
    ax.imshow(
        cells, cmap=ListedColormap(["#ffffff", PALE, BLUE]), vmin=0, vmax=1, aspect="auto", interpolation="nearest"
    )
    ax.set_xticks(range(len(topics)), [sets.label(t) for t in topics], rotation=90)
    ax.set_yticks(range(len(programs)), [sets.label(p) for p in programs])
    # cell borders as two line collections (a minor tick per line costs a second per hundred rows)
    ax.vlines([x - 0.5 for x in range(1, len(topics))], -0.5, len(programs) - 0.5, color="#e4e4e4", linewidth=0.5)
    ax.hlines([y - 0.5 for y in range(1, len(programs))], -0.5, len(topics) - 0.5, color="#e4e4e4", linewidth=0.5)
    ax.tick_params(which="major", length=2)
    ax.xaxis.tick_top()
    ax.set_title(f"Training topics of {len(programs)} programs (dark: named; pale: a narrower topic named)", pad=12)
    alt = (
        f"Heatmap of {len(programs)} programs by the {len(topics)} training topics their curricula name; "
        "a dark cell where a program's curriculum names the topic"
    )
    return fig, alt


def topic_bars(sets: TopicSets) -> tuple[Figure, str]:
    """How many programs train on each topic, rolled up (a broad topic counts every program that names it or a
    narrower topic), most common first; the darker part of each bar names the topic itself."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rolled: dict[str, int] = {}
    direct: dict[str, int] = {}
    for p, topics in sets.programs.items():
        for t in sets.weights(p):
            rolled[t] = rolled.get(t, 0) + 1
        for t in topics:
            direct[t] = direct.get(t, 0) + 1
    order = sorted(rolled, key=lambda t: (-rolled[t], sets.label(t).casefold(), t))
    fig = Figure(figsize=(8.0, max(3.0, 1.6 + CELL * len(order))))
    ax = fig.add_subplot()
    ys = list(range(len(order)))
    ax.barh(ys, [rolled[t] for t in order], color=PALE, label="the topic or a narrower one")
    ax.barh(ys, [direct.get(t, 0) for t in order], color=BLUE, label="the topic itself")
    ax.set_yticks(ys, [sets.label(t) for t in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlabel("programs whose curriculum covers the topic")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"Training topics across {len(sets.programs)} programs")
    alt = f"Bar chart of the {len(order)} training topics by how many of {len(sets.programs)} programs train on them"
    if order:
        alt += f"; most common: {sets.label(order[0])} ({rolled[order[0]]} programs)"
    return fig, alt


def network(sets: TopicSets, lineage: nx.DiGraph, neighbours: int = 2) -> tuple[Figure, str]:
    """Programs linked to their ``neighbours`` most similar programs (grey, thicker when more alike) and by
    lineage (orange arrows: based on, affiliate of, grew out of)."""
    import networkx as nx
    from matplotlib.figure import Figure

    g = nx.Graph()
    for p in sets.programs:
        g.add_node(p, label=sets.label(p))
    for p in sorted(sets.programs):
        for s in similar(sets, p, top=neighbours):
            if not g.has_edge(p, s.program) or g.edges[p, s.program]["weight"] < s.score:
                g.add_edge(p, s.program, weight=s.score)
    lineage_edges = []
    for a, b, data in sorted(lineage.edges(data=True)):
        if lineage.nodes[a].get("kind") == "organization" or lineage.nodes[b].get("kind") == "organization":
            continue
        for n in (a, b):
            if n not in g:
                g.add_node(n, label=lineage.nodes[n]["label"])
        lineage_edges.append((a, b, data["label"]))
    nodes = sorted(g.nodes)
    size = max(6.0, min(40.0, 1.2 * len(nodes) ** 0.5 * 2.2))
    layout_graph = nx.Graph()
    layout_graph.add_nodes_from(nodes)
    layout_graph.add_weighted_edges_from(sorted((a, b, d["weight"]) for a, b, d in g.edges(data=True)))
    layout_graph.add_edges_from((a, b, {"weight": 1.0}) for a, b, _ in lineage_edges)
    pos = nx.spring_layout(layout_graph, seed=20261123, k=1.6 / max(1, len(nodes)) ** 0.5, iterations=200)
    fig = Figure(figsize=(size, size * 0.8))
    ax = fig.add_subplot()
    ax.set_axis_off()
    sim_edges = sorted(g.edges(data=True))
    nx.draw_networkx_edges(
        g, pos, ax=ax, edgelist=[(a, b) for a, b, _ in sim_edges],
        width=[0.5 + 4 * d["weight"] for _, _, d in sim_edges], edge_color=GREY, alpha=0.6,
    )  # fmt: skip
    lineage_graph = nx.DiGraph()
    lineage_graph.add_edges_from((a, b) for a, b, _ in lineage_edges)
    nx.draw_networkx_edges(
        lineage_graph, pos, ax=ax, edge_color=ORANGE, width=2.0, arrows=True, arrowsize=14, node_size=300
    )
    in_sets = [n for n in nodes if n in sets.programs]
    others = [n for n in nodes if n not in sets.programs]
    nx.draw_networkx_nodes(g, pos, ax=ax, nodelist=in_sets, node_size=120, node_color=BLUE)
    nx.draw_networkx_nodes(g, pos, ax=ax, nodelist=others, node_size=120, node_color=ORANGE, node_shape="s")
    for n in nodes:
        x, y = pos[n]
        ax.annotate(g.nodes[n]["label"], (x, y), xytext=(0, 7), textcoords="offset points", ha="center", fontsize=FONT)
    for a, b, label in lineage_edges:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        ax.annotate(
            label, ((xa + xb) / 2, (ya + yb) / 2), xytext=(0, -11), textcoords="offset points", ha="center",
            fontsize=FONT - 1, color=ORANGE, style="italic",
        )  # fmt: skip
    ax.set_title(f"{len(in_sets)} programs linked to their {neighbours} most similar (grey) and by lineage (orange)")
    ax.margins(0.12)
    alt = (
        f"Network of {len(in_sets)} programs, each linked to the {neighbours} programs whose training is most "
        f"like its own, with {len(lineage_edges)} lineage links (based on, affiliate of, grew out of) in orange"
    )
    return fig, alt


def plot(sets: TopicSets, lineage: nx.DiGraph, kind: str, path: str | Path, fmt: str | None = None) -> Picture:
    """Draw ``kind`` (:data:`KINDS`) into ``path`` as PNG or SVG (from ``fmt``, else the file's extension)."""
    path = Path(path)
    if kind not in KINDS:
        raise ParameterError(f"unknown plot {kind!r}; use one of {', '.join(KINDS)}")
    chosen = _format(path, fmt)
    if not sets.programs:
        raise ParameterError("no program in the graph has a training curriculum: there is nothing to plot")
    if kind != "topics" and len(sets.programs) > MAX_PROGRAMS:
        raise ParameterError(
            f"the {kind} draws at most {MAX_PROGRAMS} programs and the graph has {len(sets.programs)} with a "
            "curriculum; the topics chart summarises any number"
        )
    with _style():
        if kind == "heatmap":
            fig, alt = heatmap(sets)
        elif kind == "topics":
            fig, alt = topic_bars(sets)
        else:
            fig, alt = network(sets, lineage)
        _save(fig, path, chosen)
    return Picture(kind, path, alt)
