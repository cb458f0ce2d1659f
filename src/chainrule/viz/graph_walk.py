"""Walk an autograd graph (from tensors' grad_fn) into a VGraph.

One VNode per leaf tensor (reached through its AccumulateGrad) and one per
op node.  Non-leaf tensors are not reachable from grad_fn, so the tensors the
caller knows about (roots and named tensors) are attached to the op node that
made them: they give it its title and its value/grad/shape lines.

The walk uses an explicit stack: graphs can be chains of many thousands of ops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import Tensor
from ..autograd.graph import AccumulateGrad
from .model import VEdge, VGraph, VNode

SHOW = ("value", "grad", "shape")
SMALL = 6  # tensors with at most this many elements are shown in full


# ---- text of values ----------------------------------------------------------------------

def number(v) -> str:
    """A scalar with 4 significant digits: 1, 0.9988, 6.701, 1.235e+05."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return f"{v:.4g}"


def dims(t: Tensor) -> str:
    return "×".join(str(n) for n in t.shape) or "scalar"


def _full(t: Tensor) -> str:
    # array2string lays out nesting without recursion of ours; runs of
    # whitespace (row breaks, padding) collapse to keep it on one line.
    text = np.array2string(np.asarray(t.detach().tolist()), separator=", ", formatter={"all": number})
    return " ".join(text.split())


def _range(t: Tensor) -> str:
    if t.is_complex():
        return "complex"
    d = t.detach()
    return f"min {number(d.min().item())}, max {number(d.max().item())}"


def value_text(t: Tensor) -> str:
    """A box line: the values of a small tensor, the shape and range of a big one."""
    if t.numel() <= SMALL:
        return _full(t)
    return f"shape {dims(t)} {t.dtype.name}, {_range(t)}"


def brief_text(t: Tensor | None) -> str:
    """A stepper panel value: a small tensor in full, a big one as shape and first values."""
    if t is None:
        return "None"
    if t.numel() <= SMALL:
        return _full(t)
    head = ", ".join(number(v) for v in t.detach().reshape(-1)[:3].tolist())
    return f"{dims(t)} [{head}, …]"


def tensor_lines(t: Tensor, show) -> list[str]:
    big = t.numel() > SMALL
    lines = []
    if "value" in show:
        lines.append("value " + value_text(t))
    grad = t._grad  # not .grad: that warns for non-leaves, and a retained grad is wanted here
    if "grad" in show and grad is not None:
        lines.append("grad " + (_range(grad) if big else _full(grad)))  # its shape is the tensor's
    if "shape" in show and not ("value" in show and big):
        lines.append(f"shape {dims(t)} {t.dtype.name}")
    return lines


def _bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def saved_lines(node, labels: list[str]) -> list[str]:
    """One row per tensor an op node saved for backward (empty when it saved none).
    labels[i] names input i, as the drawing does."""
    op = type(node).op
    if node._saved_tensors_freed:
        return ["freed by backward"]
    pairs = [(labels[j], s) for j, s in enumerate(node._saved) if s is not None]
    pairs += [(op.outputs[j], s) for j, s in (node._saved_out or {}).items()]
    rows = []
    for name, s in pairs:
        arr = s.tensor._data if s.tensor is not None else s.data
        shape = "×".join(str(n) for n in arr.shape) or "scalar"
        rows.append(f"{name}: {shape} {arr.dtype.name}, {_bytes(arr.nbytes)}")
    return rows


# ---- names -------------------------------------------------------------------------------

def resolve_names(names) -> dict[int, tuple[str, Tensor]]:
    """id(tensor) -> (name, tensor) from {name: tensor} (e.g. locals()), {tensor: name}
    or (name, tensor) pairs (e.g. named_parameters()).  Non-tensors and names starting
    with "_" are ignored; a tensor known under several names keeps the first."""
    if names is None:
        return {}
    out: dict[int, tuple[str, Tensor]] = {}
    for key, value in names.items() if isinstance(names, dict) else names:
        name, t = (value, key) if isinstance(key, Tensor) else (key, value)
        if isinstance(t, Tensor) and isinstance(name, str) and not name.startswith("_"):
            out.setdefault(id(t), (name, t))
    return out


# ---- the walk ----------------------------------------------------------------------------

def op_def(node):
    """The OpDef of a declared op's node; None for other nodes (custom Functions)."""
    return getattr(type(node), "op", None)


def _key(node) -> int:
    # A leaf is its tensor: a leaf root and its AccumulateGrad are one box.
    return id(node.variable) if type(node) is AccumulateGrad else id(node)


@dataclass
class Walk:
    graph: VGraph
    ids: dict[int, str]  # id(op node or leaf tensor) -> VNode id
    named: dict[int, tuple[str, Tensor]]
    attached: dict[int, list[tuple[str | None, Tensor]]]  # id(op node) -> the tensors it made
    leaves: dict[str, Tensor]  # VNode id -> leaf tensor

    def vid(self, node) -> str | None:
        """The VNode id of an autograd node (None if the walk did not reach it)."""
        return self.ids.get(_key(node))

    def tensor_vid(self, t: Tensor) -> str:
        """The VNode id of the box showing tensor t (its op's box for a non-leaf)."""
        return self.ids[id(t.grad_fn) if t.grad_fn is not None else id(t)]


class _Builder:
    """Collects boxes and edges; `key` ties a box to its op node or leaf tensor."""

    def __init__(self, named, show):
        self.named, self.show = named, show
        self.nodes: list[VNode] = []
        self.edges: list[VEdge] = []
        self.ids: dict[int, str] = {}
        self.titles: dict[str, str] = {}
        self.leaves: dict[str, Tensor] = {}

    def add(self, key: int | None, title, subtitle, lines, kind) -> VNode:
        vnode = VNode(f"n{len(self.nodes)}", title, subtitle, lines, kind)
        if key is not None:
            self.ids[key] = vnode.id
        self.titles[vnode.id] = title
        self.nodes.append(vnode)
        return vnode

    def name(self, t: Tensor, default: str | None = None) -> str | None:
        return self.named.get(id(t), (default,))[0]

    def leaf(self, t: Tensor) -> None:
        vnode = self.add(id(t), self.name(t, "tensor"), "AccumulateGrad", tensor_lines(t, self.show),
                         "leaf" if t.requires_grad else "nograd")
        self.leaves[vnode.id] = t

    def op(self, fn, made, is_output: bool) -> None:
        op = op_def(fn)
        title = ", ".join(n for n, _ in made if n) or (op.name if op else type(fn).__name__)
        lines = []
        for name, t in made:
            prefix = f"{name}: " if name and len(made) > 1 else ""
            lines += [prefix + line for line in tensor_lines(t, self.show)]
        self.add(id(fn), title, type(fn).__name__, lines, "output" if is_output else "op")

    def inputs(self, fn) -> list[str]:
        """Draw the edges into fn's box; return the labels of its inputs."""
        me, labels = self.ids[id(fn)], []
        for i, (child, _) in enumerate(fn.next_functions):
            if child is not None:
                src = self.ids[_key(child)]
                labels.append(self.titles[src])
            else:
                const = constant_input(fn, i)
                name = self.name(const) if const is not None else None
                labels.append(name or op_input_name(fn, i))
                if name is None:  # unnamed constants stay out of the picture
                    continue
                if id(const) not in self.ids:
                    self.add(id(const), name, "", tensor_lines(const, self.show), "const")
                src = self.ids[id(const)]
            self.edges.append(VEdge(src, me))
        return labels


def walk(roots, names=None, show=SHOW, show_saved=False, rankdir="BT") -> Walk:
    """The VGraph of everything `roots` (a tensor or tensors) were computed from."""
    unknown = set(show) - set(SHOW)
    if unknown:
        raise ValueError(f"show takes {SHOW}, got {sorted(unknown)}")
    roots = [roots] if isinstance(roots, Tensor) else list(roots)
    named = resolve_names(names)
    root_ids = {id(t) for t in roots}
    attached: dict[int, list[tuple[str | None, Tensor]]] = {}
    for t in {id(t): t for t in [*roots, *(t for _, t in named.values())]}.values():
        if t.grad_fn is not None:
            attached.setdefault(id(t.grad_fn), []).append((named.get(id(t), (None,))[0], t))

    b = _Builder(named, show)
    stack = []
    for t in reversed(roots):
        if t.grad_fn is not None:
            stack.append(t.grad_fn)
        elif id(t) not in b.ids:
            b.leaf(t)
    ops = []
    while stack:
        fn = stack.pop()
        if _key(fn) in b.ids:
            continue
        if type(fn) is AccumulateGrad:
            b.leaf(fn.variable)
            continue
        made = attached.get(id(fn), [])
        b.op(fn, made, any(id(t) in root_ids for _, t in made))
        ops.append(fn)
        stack.extend(c for c, _ in reversed(fn.next_functions) if c is not None and _key(c) not in b.ids)

    for fn in ops:  # edges once every box exists: each input's label is its box's title
        labels = b.inputs(fn)
        if show_saved and op_def(fn) is not None:
            rows = saved_lines(fn, labels)
            if rows:
                b.edges.append(VEdge(b.add(None, "saved", "", rows, "saved").id, b.ids[id(fn)]))
    return Walk(VGraph(b.nodes, b.edges, rankdir), b.ids, named, attached, b.leaves)


def op_input_name(node, i: int) -> str:
    """The name the op's declaration gives input i ("self", "a", "x"...)."""
    op = op_def(node)
    return op.inputs[i] if op is not None else f"input {i}"


def constant_input(node, i: int) -> Tensor | None:
    """The tensor a declared op got as input i without an edge (no grad), when it saved it."""
    if op_def(node) is None or node._saved_tensors_freed:
        return None
    s = node._saved[i]
    return s.tensor if s is not None else None
