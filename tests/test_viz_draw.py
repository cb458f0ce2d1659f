"""chainrule.viz.draw and chainrule.viz.stepper on real autograd graphs, checked against torch."""

from __future__ import annotations

import re
import struct
import sys
import xml.etree.ElementTree as ET

import pytest
import torch

import chainrule
import chainrule.viz as viz
from chainrule.autograd.engine import add_trace_hook
from chainrule.viz.graph_walk import brief_text
from chainrule.viz.layout import layout

# ---- the seed graphs, built the same way with either library ----------------------------


def abcde(lib):
    a = lib.tensor(3.0, requires_grad=True)
    b = lib.tensor(4.0, requires_grad=True)
    c = a * b
    d = a + b
    e = c + d
    return e, locals()


def sigmoid_chain(lib):
    x = lib.tensor(3.0, requires_grad=True)
    a = -x
    b = lib.exp(a)
    c = 1 + b
    y = 1 / c
    return y, locals()


def bce_neuron(lib):
    x = lib.tensor(6.7)
    y = lib.tensor(0.0)
    w = lib.tensor(1.0, requires_grad=True)
    b = lib.tensor(0.0, requires_grad=True)
    z = w * x + b
    y_pred = lib.sigmoid(z)
    p = lib.clamp(y_pred, 1e-8, 1 - 1e-8)
    loss = -(y * lib.log(p) + (1 - y) * lib.log(1 - p))
    return loss, locals()


def linear_model(lib):
    inputs = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    targets = lib.tensor([[2.0], [6.0]])
    weights = lib.tensor([[0.1], [0.2]], requires_grad=True)
    bias = lib.tensor([0.3], requires_grad=True)
    predictions = inputs @ weights + bias
    loss = lib.mean((predictions - targets) ** 2)
    return loss, locals()


SEEDS = [abcde, sigmoid_chain, bce_neuron, linear_model]


def torch_walk(root):
    """torch's graph in the order draw walks it (depth first, inputs left to right):
    [(node name, [indexes of its inputs])]."""
    order, index, stack = [], {}, [root.grad_fn]
    while stack:
        fn = stack.pop()
        if id(fn) in index:
            continue
        index[id(fn)] = len(order)
        order.append(fn)
        stack.extend(c for c, _ in reversed(fn.next_functions) if c is not None and id(c) not in index)
    return [(type(fn).__name__, [index[id(c)] for c, _ in fn.next_functions if c is not None]) for fn in order]


def structure(graph):
    """The same description of a drawn graph (its leaf and op boxes only)."""
    boxes = [n for n in graph.nodes if n.kind not in ("saved", "const")]
    index = {n.id: i for i, n in enumerate(boxes)}
    inputs = {n.id: [] for n in boxes}
    for e in graph.edges:
        if e.src in index:
            inputs[e.dst].append(index[e.src])
    return [(n.subtitle, inputs[n.id]) for n in boxes]


def by_title(graph):
    return {n.title: n for n in graph.nodes}


def numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


# ---- draw ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=lambda f: f.__name__)
def test_draw_matches_torch_graph(seed):
    root, names = seed(chainrule)
    troot, _ = seed(torch)
    graph = viz.draw(root, names=names).graph
    assert structure(graph) == torch_walk(troot)
    assert len([n for n in graph.nodes if n.kind in ("leaf", "op", "output")]) == len(torch_walk(troot))
    assert [n.kind for n in graph.nodes].count("output") == 1
    for n in graph.nodes:
        if n.kind in ("leaf", "op", "output"):
            assert n.title  # a name, an op name, or "tensor"


def test_titles_values_and_grads():
    e, names = abcde(chainrule)
    before = by_title(viz.draw(e, names=names).graph)
    assert set(before) == {"a", "b", "c", "d", "e"}
    assert (before["c"].subtitle, before["d"].subtitle, before["a"].subtitle) == (
        "MulBackward0", "AddBackward0", "AccumulateGrad")
    assert before["e"].kind == "output" and before["a"].kind == "leaf" and before["c"].kind == "op"
    assert before["a"].lines == ["value 3", "shape scalar float32"]  # no grad before backward
    assert before["e"].lines[0] == "value 19" and before["c"].lines[0] == "value 12"
    e.backward()
    after = by_title(viz.draw(e, names=names).graph)
    assert after["a"].lines == ["value 3", "grad 5", "shape scalar float32"]
    assert after["b"].lines[1] == "grad 4"


def test_unnamed_nodes_take_the_op_name():
    y, _ = sigmoid_chain(chainrule)
    graph = viz.draw(y).graph
    assert [n.title for n in graph.nodes] == ["mul", "reciprocal", "add", "exp", "neg", "tensor"]
    assert graph.nodes[0].kind == "output" and graph.nodes[0].lines[0] == "value 0.9526"
    assert graph.nodes[1].lines == []  # an intermediate nobody named: no value to show


def test_linear_model_values_and_grads_match_torch():
    loss, names = linear_model(chainrule)
    tloss, tnames = linear_model(torch)
    loss.backward()
    tloss.backward()
    boxes = by_title(viz.draw(loss, names=names).graph)
    assert boxes["loss"].subtitle == "MeanBackward0" and boxes["predictions"].subtitle == "AddBackward0"
    assert boxes["mm"].subtitle == "MmBackward0"
    for name in ("inputs", "weights", "bias"):
        value, grad, shape = boxes[name].lines
        assert numbers(value) == pytest.approx(tnames[name].detach().flatten().tolist(), rel=1e-3)
        assert numbers(grad) == pytest.approx(tnames[name].grad.flatten().tolist(), rel=1e-3)
        assert shape == f"shape {'×'.join(map(str, tnames[name].shape))} float32"
    assert numbers(boxes["loss"].lines[0]) == pytest.approx([tloss.item()], rel=1e-3)
    assert boxes["predictions"].lines[0] == "value [[0.8], [1.4]]"


def test_big_tensors_are_summarised():
    w = chainrule.arange(12.0).reshape(3, 4).requires_grad_()
    (w * 2).sum().backward()
    leaf = by_title(viz.draw(w * 2, names={"w": w}).graph)["w"]
    assert leaf.lines == ["value shape 3×4 float32, min 0, max 11", "grad min 2, max 2"]
    assert brief_text(w) == "3×4 [0, 1, 2, …]"


def test_names_from_locals_inside_a_function():
    def model():
        a = chainrule.tensor(2.0, requires_grad=True)
        hidden = a.exp()
        _private = hidden * 3
        out = _private.sin()
        note = "not a tensor"  # locals() carries it; draw must ignore it
        return viz.draw(out, names=locals())

    titles = [n.title for n in model().graph.nodes]
    assert titles == ["out", "mul", "hidden", "a"]  # "_private" is ignored


def test_names_from_tensor_dict_and_pairs():
    e, names = abcde(chainrule)
    graph = viz.draw(e, names={names["a"]: "alpha", names["c"]: "product"}).graph
    assert [n.title for n in graph.nodes] == ["add", "product", "alpha", "tensor", "add"]
    pairs = [("first", names["a"]), ("second", names["b"]), ("first_again", names["a"])]
    graph = viz.draw(e, names=pairs).graph
    assert {n.title for n in graph.nodes if n.kind == "leaf"} == {"first", "second"}


def test_named_constant_is_drawn_and_unnamed_ones_are_skipped():
    loss, names = bce_neuron(chainrule)
    graph = viz.draw(loss, names=names).graph
    const = {n.title: n for n in graph.nodes if n.kind == "const"}
    assert {t: n.lines[0] for t, n in const.items()} == {"x": "value 6.7", "y": "value 0"}
    # Each feeds the mul that saved it; (1 - y) is a constant nobody named: not drawn.
    subtitles = {n.id: n.subtitle for n in graph.nodes}
    assert sorted(subtitles[e.dst] for e in graph.edges if e.src in {n.id for n in const.values()}) == [
        "MulBackward0", "MulBackward0"]
    assert not [n for n in viz.draw(loss).graph.nodes if n.kind == "const"]
    # Saved tensors are listed under the names their inputs have in the drawing.
    saved = [n.lines for n in viz.draw(loss, names=names, show_saved=True).graph.nodes if n.kind == "saved"]
    assert ["p: scalar float32, 4 B"] in saved and ["y: scalar float32, 4 B"] in saved


def test_show_saved():
    y, names = sigmoid_chain(chainrule)
    graph = viz.draw(y, names=names, show_saved=True).graph
    saved = {e.dst: n for n in graph.nodes if n.kind == "saved" for e in graph.edges if e.src == n.id}
    titles = {n.id: n.title for n in graph.nodes}
    rows = {titles[dst]: n.lines for dst, n in saved.items()}
    assert rows["b"] == ["result: scalar float32, 4 B"]  # exp saves its output
    assert rows["y"] == ["b: scalar float32, 4 B"]  # reciprocal(c) * 1 keeps the 1 for c's grad
    assert "a" not in rows and "c" not in rows  # neg and add save nothing
    y.backward()
    freed = [n.lines for n in viz.draw(y, show_saved=True).graph.nodes if n.kind == "saved"]
    assert freed and all(lines == ["freed by backward"] for lines in freed)


def test_show_rankdir_and_odd_roots():
    e, names = abcde(chainrule)
    graph = viz.draw(e, names=names, show=("value",), rankdir="LR").graph
    assert graph.rankdir == "LR" and by_title(graph)["a"].lines == ["value 3"]
    with pytest.raises(ValueError, match="show"):
        viz.draw(e, show=("colour",))
    both = viz.draw([names["c"], names["d"]], names=names).graph
    assert {n.title for n in both.nodes if n.kind == "output"} == {"c", "d"}
    leaf = viz.draw(names["a"], names=names).graph
    assert [(n.title, n.kind) for n in leaf.nodes] == [("a", "leaf")]
    plain = viz.draw(chainrule.ones(2)).graph
    assert [(n.title, n.kind) for n in plain.nodes] == [("tensor", "nograd")]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_save_every_format(tmp_path):
    e, names = abcde(chainrule)
    e.backward()
    pic = viz.draw(e, names=names)
    assert pic._repr_svg_() == pic.svg and repr(pic) == "<Picture: 5 nodes, 6 edges>"

    root = ET.parse(pic.save(tmp_path / "g.svg")).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    labels = {"".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"a", "MulBackward0", "grad 5"} <= labels

    dot = pic.save(tmp_path / "g.dot").read_text()
    assert dot == pic.source and dot.startswith("digraph chainrule {")
    assert "MulBackward0" in dot and "AccumulateGrad" in dot and "<B>e</B>" in dot

    page = pic.save(tmp_path / "g.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and pic.svg in page

    pytest.importorskip("matplotlib")
    w, h = _png_size(pic.save(tmp_path / "g.png").read_bytes())
    lay = layout(pic.graph)
    assert abs(w - lay.width) <= 2 and abs(h - lay.height) <= 2
    assert _png_size(pic.save(tmp_path / "g2.PNG", scale=2).read_bytes())[0] == pytest.approx(2 * w, abs=3)

    with pytest.raises(ValueError, match=r"\.svg, \.png, \.dot, \.html"):
        pic.save(tmp_path / "g.pdf")


def _chain(n):
    x = chainrule.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.001
    return y


def _wide(n):
    terms = [chainrule.tensor(float(i), requires_grad=True).exp() for i in range(n)]
    while len(terms) > 1:  # a balanced tree of adds: n leaves side by side
        terms = [terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


@pytest.mark.parametrize("build, size", [(_chain, 2000), (_wide, 700)], ids=["chain", "wide"])
def test_big_graphs_draw_without_recursion(build, size):
    """Every box drawn, with no recursion; the time it takes is measured in bench/draw_graphs.py."""
    root = build(size)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # a recursive walk of 2000 nodes would fail here
    try:
        pic = viz.draw(root)
        svg = pic.svg
    finally:
        sys.setrecursionlimit(old)
    assert len(pic.graph.nodes) >= 2000 and svg.count('class="node ') == len(pic.graph.nodes)


# ---- stepper ------------------------------------------------------------------------------


def record(seed, **kw):
    """Run the stepper on a seed graph, with a trace hook of our own watching the engine."""
    root, names = seed(chainrule)
    seen = []
    handle = add_trace_hook(lambda event, node, payload: seen.append(node))
    try:
        st = viz.stepper(root, names=names, **kw)
    finally:
        handle.remove()
    return st, names, seen


@pytest.mark.parametrize("seed", SEEDS, ids=lambda f: f.__name__)
def test_stepper_follows_the_engine(seed):
    st, names, seen = record(seed)
    nodes = {n.id: n for n in st.graph.nodes}
    assert [nodes[s["node"]].subtitle for s in st.steps] == [type(n).__name__ for n in seen]
    assert len({s["node"] for s in st.steps}) == len(st.steps)  # every node runs once

    # The last word on each leaf is autograd's .grad, and it matches torch's.
    troot, tnames = seed(torch)
    troot.backward()
    final = {}
    for s in st.steps:
        final.update(s["leaf_grads"])
    leaves = {n.title: n.id for n in st.graph.nodes if n.kind == "leaf"}
    assert set(final) == set(leaves.values())
    for name, vid in leaves.items():
        assert final[vid] == brief_text(names[name].grad)
        assert numbers(final[vid]) == pytest.approx(tnames[name].grad.flatten().tolist(), rel=1e-3)
    assert "grad" not in " ".join(line for n in st.graph.nodes for line in n.lines)  # drawn before backward


def test_stepper_sentences():
    st, _, _ = record(abcde)
    assert st.steps[0]["text"] == "AddBackward0 (e = c + d) receives ∂e/∂e = 1 and sends ∂e/∂c = 1 to c, ∂e/∂d = 1 to d."
    mul = next(s for s in st.steps if s["text"].startswith("MulBackward0"))
    ids = {n.title: n.id for n in st.graph.nodes}
    assert mul["text"] == ("MulBackward0 (c = a·b) receives ∂e/∂c = 1 and sends 1·b = 4 to a (part of ∂e/∂a), "
                           "1·a = 3 to b (part of ∂e/∂b).")
    assert mul["local"] == "∂c/∂a = b, ∂c/∂b = a" and mul["grad_in"] == "1"
    assert mul["grad_out"] == {ids["a"]: "4", ids["b"]: "3"}
    acc = next(s for s in st.steps if s["node"] == ids["a"])
    assert acc["text"] == "AccumulateGrad for a receives ∂e/∂a = 5 (summed over its 2 uses) and stores it in a.grad."
    assert acc["leaf_grads"] == {ids["a"]: "5"}

    st, _, _ = record(linear_model)
    mm = next(s for s in st.steps if s["text"].startswith("MmBackward0"))
    assert mm["text"].startswith("MmBackward0 (mm = inputs @ weights) receives ∂loss/∂mm = [[-1.2], [-4.6]] "
                                 "and sends ∂loss/∂inputs = ∂loss/∂mm·weightsᵀ = [[-0.12, -0.24], [-0.46, -0.92]]")
    assert mm["local"] == "∂mm/∂inputs = weightsᵀ, ∂mm/∂weights = inputsᵀ"


def test_stepper_existing_and_retained_grads():
    e, names = abcde(chainrule)
    a, c = names["a"], names["c"]
    a.grad = chainrule.tensor(10.0)
    c.retain_grad()
    st = viz.stepper(e, names=names)
    ids = {n.title: n.id for n in st.graph.nodes}
    acc = next(s for s in st.steps if s["node"] == ids["a"])
    assert acc["text"].endswith("adds it to a.grad, which is now 15.")
    assert next(s for s in st.steps if s["node"] == ids["c"])["leaf_grads"] == {ids["c"]: "1"}
    assert f'<tr data-leaf="{ids["a"]}"><td>a</td><td class="grad">10</td>' in st.html


def test_stepper_retain_graph_and_files(tmp_path):
    st, names, _ = record(abcde, retain_graph=True)
    names["e"].backward()  # the graph was kept
    assert names["a"].grad.item() == 10
    st2, names2, _ = record(abcde)
    with pytest.raises(RuntimeError, match="second time"):
        names2["e"].backward()
    page = st.save(tmp_path / "backward.html").read_text(encoding="utf-8")
    assert page == st.html and page.startswith("<!DOCTYPE html>") and "<title>e.backward()</title>" in page
    assert st._repr_html_().startswith("<iframe srcdoc=\"&lt;!DOCTYPE html&gt;")
    assert repr(st2) == f"<Stepper: {len(st2.steps)} steps>"
