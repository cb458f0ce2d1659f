"""Rendering layer of chainrule.viz: model, layout, SVG, DOT, PNG, stepper page."""

from __future__ import annotations

import ast
import json
import random
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from chainrule.viz import layout as layout_mod
from chainrule.viz.dot import to_dot
from chainrule.viz.layout import layout, text_width
from chainrule.viz.model import VEdge, VGraph, VNode
from chainrule.viz.png import render_png
from chainrule.viz.stepper_page import stepper_html
from chainrule.viz.svg import render_svg

SVG = "{http://www.w3.org/2000/svg}"
NASTY = 'a<b & "c" > \'d\' </script>'


def small_graph(rankdir: str = "BT") -> VGraph:
    """a=3, b=4, c=a*b, d=a+b, e=c+d, plus a saved tensor, a constant and x*x."""
    return VGraph(
        [
            VNode("a", "a", "AccumulateGrad", ["data 3.0", "grad 5.0"], "leaf"),
            VNode("b", "b", "AccumulateGrad", ["data 4.0"], "leaf"),
            VNode("c", "c = a * b", "MulBackward0", ["[[1. 2.]\n [3. 4.]]"]),
            VNode("d", "d = a + b", "AddBackward0"),
            VNode("e", "e", "AddBackward0", ["data 19.0"], "output"),
            VNode("s", "self", "saved", kind="saved"),
            VNode("k", NASTY, "", ["\tx\x00y"], "nograd"),
            VNode("two", "2", kind="const"),
            VNode("sq", "b*b", "MulBackward0"),
        ],
        [
            VEdge("a", "c"), VEdge("b", "c"), VEdge("a", "d"), VEdge("b", "d"),
            VEdge("c", "e"), VEdge("d", "e"), VEdge("s", "c", "saved"), VEdge("k", "e", NASTY),
            VEdge("two", "sq", "other"), VEdge("b", "sq"), VEdge("b", "sq"), VEdge("sq", "e"),
        ],
        rankdir,
    )


def random_dag(n: int, seed: int = 0) -> VGraph:
    rng = random.Random(seed)
    nodes = [VNode(f"n{i}", f"node {i}", "MulBackward0", ["shape (3,)"]) for i in range(n)]
    edges = [VEdge(f"n{j}", f"n{i}") for i in range(1, n) for j in {rng.randrange(i) for _ in range(2)}]
    return VGraph(nodes, edges)


def chain(n: int) -> VGraph:
    return VGraph([VNode(f"n{i}", f"n{i}") for i in range(n)], [VEdge(f"n{i}", f"n{i + 1}") for i in range(n - 1)])


# ---- model ---------------------------------------------------------------------------

def test_model_validation():
    with pytest.raises(ValueError, match="kind"):
        VNode("x", "x", kind="weird")
    with pytest.raises(ValueError, match="rankdir"):
        VGraph([], [], "UP")
    with pytest.raises(ValueError, match="duplicate"):
        VGraph([VNode("x", "x"), VNode("x", "y")], []).check()
    with pytest.raises(ValueError, match="unknown node 'z'"):
        VGraph([VNode("x", "x")], [VEdge("x", "z")]).check()
    assert VNode("x", "x").lines == [] and VNode("x", "x").kind == "op"


# ---- layout --------------------------------------------------------------------------

def _overlap(p, q) -> bool:
    return p.x < q.x + q.w and q.x < p.x + p.w and p.y < q.y + q.h and q.y < p.y + p.h


@pytest.mark.parametrize("rankdir", ["BT", "TB", "LR", "RL"])
def test_layout_geometry(rankdir):
    g = small_graph(rankdir)
    lay = layout(g)
    boxes = list(lay.boxes.values())
    assert {b.node.id for b in boxes} == {n.id for n in g.nodes}
    for i, p in enumerate(boxes):
        assert 0 <= p.x and p.x + p.w <= lay.width and 0 <= p.y and p.y + p.h <= lay.height
        assert all(not _overlap(p, q) for q in boxes[i + 1:]), p.node.id
        for text, font in p.rows:  # measured text fits its box
            assert text_width(text, font) <= p.w
    assert [r.edge for r in lay.routes] == g.edges
    for r in lay.routes:
        s, d = lay.boxes[r.edge.src], lay.boxes[r.edge.dst]
        (x0, y0), (x1, y1) = r.points[0], r.points[-1]
        # Data flows along the rank direction: leaves first, consumers later.
        if rankdir == "BT":
            assert s.y + s.h <= d.y or s.y >= d.y + d.h
            assert y0 == pytest.approx(s.y) and y1 == pytest.approx(d.y + d.h) and y0 > y1
        elif rankdir == "TB":
            assert y0 == pytest.approx(s.y + s.h) and y1 == pytest.approx(d.y) and y0 < y1
        elif rankdir == "LR":
            assert x0 == pytest.approx(s.x + s.w) and x1 == pytest.approx(d.x) and x0 < x1
        else:
            assert x0 == pytest.approx(s.x) and x1 == pytest.approx(d.x + d.w) and x0 > x1
        assert s.x <= x0 <= s.x + s.w or s.y <= y0 <= s.y + s.h
    # The two parallel b -> sq edges (b*b) are drawn apart.
    parallel = [r.points for r in lay.routes if (r.edge.src, r.edge.dst) == ("b", "sq")]
    assert parallel[0] != parallel[1]


def test_layout_places_leaf_next_to_consumer():
    # A leaf used only by the last op sits one rank below it, not at the bottom.
    g = chain(6)
    g.nodes.append(VNode("w", "w", kind="leaf"))
    g.edges.append(VEdge("w", "n5"))
    lay = layout(g)
    assert lay.boxes["w"].y == pytest.approx(lay.boxes["n4"].y)


def test_layout_rejects_cycles_and_handles_empty():
    with pytest.raises(ValueError, match="cycle"):
        layout(VGraph([VNode("x", "x"), VNode("y", "y")], [VEdge("x", "y"), VEdge("y", "x")]))
    lay = layout(VGraph([], []))
    assert lay.boxes == {} and lay.routes == [] and lay.width > 0


def test_layout_has_no_recursion():
    tree = ast.parse(Path(layout_mod.__file__).read_text())
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            calls = {c.func.id for c in ast.walk(fn) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
            assert fn.name not in calls, f"{fn.name} is recursive"


@pytest.mark.parametrize("graph", [random_dag(2000), chain(2000)], ids=["random-dag", "chain"])
def test_layout_2000_nodes_without_recursion(graph):
    """Every box placed and edge routed; how long it takes is measured in bench/draw_graphs.py."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # a recursive walk over 2000 nodes would blow up here
    try:
        lay = layout(graph)
    finally:
        sys.setrecursionlimit(old)
    assert len(lay.boxes) == 2000 and len(lay.routes) == len(graph.edges)


# ---- SVG -----------------------------------------------------------------------------

def test_svg_structure_and_escaping():
    g = small_graph()
    text = render_svg(g)
    root = ET.fromstring(text)  # well-formed XML despite NASTY labels and control characters
    assert root.tag == f"{SVG}svg" and float(root.get("width")) > 0
    nodes = root.findall(f".//{SVG}g[@class]")
    by_id = {e.get("id"): e for e in nodes if e.get("id", "").startswith("node-")}
    assert set(by_id) == {f"node-{n.id}" for n in g.nodes}
    for n in g.nodes:
        group = by_id[f"node-{n.id}"]
        assert group.get("class") == f"node {n.kind}" and group.get("data-id") == n.id
        assert group.find(f"{SVG}rect") is not None
    texts = ["".join(t.itertext()) for t in by_id["node-k"].iter(f"{SVG}text")]
    assert texts == [NASTY, "    xy"]
    assert [t.get("class") for t in by_id["node-c"].iter(f"{SVG}text")] == ["title", "subtitle", "line", "line"]
    edges = [e for e in nodes if e.get("class") == "edge"]
    assert [(e.get("data-src"), e.get("data-dst")) for e in edges] == [(e.src, e.dst) for e in g.edges]
    assert all(e.find(f"{SVG}path").get("d").startswith("M") for e in edges)
    assert NASTY in ["".join(t.itertext()) for e in edges for t in e.iter(f"{SVG}text")]
    assert {m.get("id") for m in root.iter(f"{SVG}marker")} == {"cr-arrow", "cr-arrow-hot"}
    assert "marker-end: url(#cr-arrow)" in text and "stroke-dasharray" in text


# ---- DOT -----------------------------------------------------------------------------

def test_dot_structure():
    g = small_graph()
    text = to_dot(g)
    assert text.startswith("digraph chainrule {") and text.rstrip().endswith("}")
    assert "rankdir=BT" in text
    assert len(re.findall(r"^  n\d+ \[label=", text, re.M)) == len(g.nodes)
    assert len(re.findall(r"^  n\d+ -> n\d+", text, re.M)) == len(g.edges)
    assert "<B>c = a * b</B>" in text and "MulBackward0" in text and "dashed" in text
    assert "a&lt;b &amp; &quot;c&quot; &gt; 'd' &lt;/script&gt;" in text
    assert NASTY not in text and "\x00" not in text
    assert '"#dbeafe"' in text  # leaf colour, as in the SVG


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_dot_parses_with_graphviz():
    out = subprocess.run(["dot", "-Tsvg"], input=to_dot(small_graph()), capture_output=True, text=True, check=True)
    assert "<svg" in out.stdout and "MulBackward0" in out.stdout


# ---- PNG -----------------------------------------------------------------------------

def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def test_png(tmp_path):
    pytest.importorskip("matplotlib")
    g = small_graph()
    lay = layout(g)
    path = tmp_path / "g.png"
    render_png(g, path)
    w, h = _png_size(path)
    assert abs(w - lay.width) <= 2 and abs(h - lay.height) <= 2
    import matplotlib.image

    pixels = matplotlib.image.imread(path)
    assert pixels.shape[:2] == (h, w) and pixels[..., :3].min() < 0.5  # something dark was drawn
    render_png(g, tmp_path / "big.png", scale=2)
    assert _png_size(tmp_path / "big.png")[0] == pytest.approx(2 * w, abs=3)


def test_png_without_matplotlib(monkeypatch, tmp_path):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes any matplotlib import fail
    with pytest.raises(ImportError, match=re.escape("pip install chainrule[png]")):
        render_png(small_graph(), tmp_path / "g.png")


# ---- stepper page (static checks; tests/test_browser_stepper.py drives it) ------------

def _steps():
    return [
        {"node": "e", "text": "e = c + d " + NASTY, "grad_in": "1.0", "local": "1, 1",
         "grad_out": {"c": "1.0", "d": "1.0"}, "leaf_grads": {}},
        {"node": "c", "text": "mul", "grad_in": "1.0", "local": "b, a",
         "grad_out": {"a": "4.0", "b": "3.0"}, "leaf_grads": {"a": "4.0", "b": "3.0"}},
    ]


def test_stepper_html_is_self_contained():
    page = stepper_html(small_graph(), _steps(), title=NASTY, initial_leaf_grads={"a": "0.0"})
    assert page.startswith("<!DOCTYPE html>") and "{{" not in page
    # Only the SVG namespace looks like a URL; nothing is loaded from anywhere.
    assert set(re.findall(r"https?://[^\s\"']+", page)) == {"http://www.w3.org/2000/svg"}
    assert not re.search(r"<(link|img|iframe)\b|(?<![-\w])src=|@import", page)
    match = re.search(r'<script type="application/json" id="steps">(.*?)</script>', page, re.S)
    data = json.loads(match.group(1))
    assert "</" not in match.group(1)
    assert [s["node"] for s in data["steps"]] == ["e", "c"] and data["steps"][0]["text"].endswith(NASTY)
    assert data["initial"] == {"a": "0.0"}
    assert page.count("<svg") == 1 and 'id="node-e"' in page
    for needed in ('id="prev"', 'id="next"', 'id="counter"', 'id="explain"', 'id="leaf-grads"'):
        assert needed in page
    rows = re.findall(r'<tr data-leaf="([^"]+)"><td>[^<]*</td><td class="grad">([^<]*)</td>', page)
    assert rows == [("a", "0.0"), ("b", "None")]
    assert f"<title>{NASTY}</title>" not in page


def test_stepper_html_rejects_unknown_nodes():
    with pytest.raises(ValueError, match="unknown node 'zz'"):
        stepper_html(small_graph(), [{"node": "zz"}])
    with pytest.raises(ValueError, match="grad_out"):
        stepper_html(small_graph(), [{"node": "e", "grad_out": {"zz": "1"}}])
