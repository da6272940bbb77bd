"""Plots: valid PNG and SVG files of sensible size, labels present as text in the SVG, deterministic bytes,
legible at 12 programs and at 200 (a synthetic graph from benchmarks/generate.py)."""

from __future__ import annotations

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

import ppkg
from ppkg.present.plots import CELL, DPI, plot

Run = Callable[..., subprocess.CompletedProcess[str]]
ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG, read from its IHDR chunk (after checking the signature)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def svg_texts(path: Path) -> list[str]:
    """Every text of an SVG (it must parse as XML)."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return [" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("kind", ["heatmap", "topics", "network"])
def test_each_plot_as_png_and_svg(kg: ppkg.KnowledgeGraph, tmp_path: Path, kind: str) -> None:
    lineage = kg.to_networkx("lineage")
    png = plot(kg.topic_sets, lineage, kind, tmp_path / f"{kind}.png")
    width, height = png_size(png.path)
    assert 500 <= width <= 4000 and 300 <= height <= 4000
    svg = plot(kg.topic_sets, lineage, kind, tmp_path / f"{kind}.svg")
    texts = svg_texts(svg.path)
    if kind != "topics":  # the programs are labelled
        assert {"Iowa Parent Partner Approach", "NorthCare", "Parents for Parents"} <= set(texts)
    if kind != "network":  # the topics are labelled
        assert {"motivational interviewing", "mandated reporting", "cultural competency"} <= set(texts)
    if kind == "network":  # lineage is drawn and named
        assert {"National START Model", "affiliate of", "based on", "grew out of"} <= set(texts)
    assert png.alt and png.alt == svg.alt
    again = plot(kg.topic_sets, lineage, kind, tmp_path / f"again-{kind}.svg")
    assert again.path.read_bytes() == svg.path.read_bytes()  # deterministic


def test_heatmap_grows_with_the_programs_so_labels_keep_their_size(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--programs", "200", "--out", str(tmp_path / "data"),
         "--with-shipped"],
        check=True, capture_output=True,
    )  # fmt: skip
    big = ppkg.load(data_dir=tmp_path / "data")
    assert len(big.topic_sets.programs) == 208
    picture = plot(big.topic_sets, big.to_networkx("lineage"), "heatmap", tmp_path / "heatmap.png")
    _, height = png_size(picture.path)
    assert height >= 208 * CELL * DPI  # a row of CELL inches per program: an 8-point label fits each row
    svg = plot(big.topic_sets, big.to_networkx("lineage"), "heatmap", tmp_path / "heatmap.svg")
    texts = set(svg_texts(svg.path))
    assert {"Iowa Parent Partner Approach", "Alder Family Mentor Program 55", "Yew Peer Partner Initiative 33"} <= texts


def test_cli_plot(run_ppkg: Run, tmp_path: Path) -> None:
    out = tmp_path / "topics.svg"
    done = run_ppkg("plot", "topics", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out}: Bar chart of the 81 training topics")
    assert "child welfare system knowledge" in svg_texts(out)
    png = tmp_path / "picture"
    assert run_ppkg("plot", "network", "-o", str(png), "--format", "png").returncode == 0
    assert png_size(png)[0] > 500


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plot", "heat", "-o", "x.png"], "unknown plot 'heat'; use one of heatmap, topics, network"),
        (["plot", "topics", "-o", "x.gif"], "cannot tell the picture format of x.gif from its extension .gif"),
        (["plot", "topics", "-o", "x.png", "--format", "jpeg"], "unknown picture format 'jpeg'; use one of png, svg"),
        (["plot", "topics", "-o", "missing/x.png"], "missing/x.png: cannot write: No such file or directory"),
    ],
)
def test_cli_plot_errors(run_ppkg: Run, tmp_path: Path, args: list[str], message: str) -> None:
    done = run_ppkg(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"ppkg: error: {message}\n" or done.stderr.startswith(f"ppkg: error: {message}")
    assert list(tmp_path.iterdir()) == []
