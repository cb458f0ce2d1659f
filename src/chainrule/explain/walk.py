"""The part of an autograd graph that lies between an output and one tensor.

Everything here is iterative (graphs can be chains of a million ops) and linear in
the graph's size: paths are counted by dynamic programming, never enumerated to be
counted.  A "quantity" is one output of a node, keyed (node, output_nr); a leaf is
its AccumulateGrad node with output_nr 0.
"""

from __future__ import annotations

import heapq
import re

from .. import Tensor, no_grad, ones_like
from ..autograd.graph import AccumulateGrad

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
FREED = ("explain needs the values the graph saved for backward, but backward() has already freed them. "
         "Call chainrule.explain(...) before .backward(), call .backward(retain_graph=True), "
         "or recompute the output and explain that.")


def op_def(node):
    """The OpDef of a declared op's node; None for other nodes (custom Functions)."""
    return getattr(type(node), "op", None)


def op_name(node) -> str:
    op = op_def(node)
    if op is not None:
        return op.name
    return re.sub(r"Backward\d*$", "", type(node).__name__).lower() or "op"


def resolve_names(names) -> dict[int, tuple[str, Tensor]]:
    """id(tensor) -> (name, tensor) from {name: tensor} (e.g. locals()), {tensor: name} or
    (name, tensor) pairs.  Non-tensors and names starting with "_" are skipped; the first
    name of a tensor wins."""
    out: dict[int, tuple[str, Tensor]] = {}
    if names is None:
        return out
    for key, value in names.items() if isinstance(names, dict) else names:
        name, t = (value, key) if isinstance(key, Tensor) else (key, value)
        if isinstance(t, Tensor) and isinstance(name, str) and not name.startswith("_"):
            out.setdefault(id(t), (name, t))
    return out


def topological(root) -> list:
    """Nodes reachable from root, each before its inputs; among ready nodes the newest
    first, as the engine runs them."""
    indeg = {root: 0}
    stack = [root]
    while stack:
        for child, _ in stack.pop().next_functions:
            if child is None:
                continue
            if child in indeg:
                indeg[child] += 1
            else:
                indeg[child] = 1
                stack.append(child)
    order, ready = [], [(-root._seq, 0, root)]
    tie = 0
    while ready:
        node = heapq.heappop(ready)[2]
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None:
                indeg[child] -= 1
                if indeg[child] == 0:
                    tie += 1
                    heapq.heappush(ready, (-child._seq, tie, child))
    return order


class Graph:
    """An output's graph: topological order, names and known values of its quantities."""

    def __init__(self, output: Tensor, names=None):
        self.output = output
        self.root = (output.grad_fn, output._output_nr)
        self.order = topological(output.grad_fn)
        self.named = resolve_names(names)
        self.names = self._name_quantities()
        self.values, self.constants = self._known_values()

    # ---- names ---------------------------------------------------------------------------
    def _name_quantities(self) -> dict:
        names = {}
        for name, t in self.named.values():
            if t.grad_fn is not None:
                names.setdefault((t.grad_fn, t._output_nr), name)
        count: dict[str, int] = {}
        for node in sorted(self.order, key=lambda n: n._seq):  # numbered in the order they were made
            if type(node) is AccumulateGrad:
                known = self.named.get(id(node.variable))
                if known is not None:
                    names[(node, 0)] = known[0]
                    continue
                base, outputs = "leaf", 1
            else:
                base, outputs = op_name(node), node._n_outputs
            if all((node, nr) in names for nr in range(outputs)):
                continue
            count[base] = k = count.get(base, 0) + 1
            label = base + str(k).translate(SUBSCRIPTS)
            for nr in range(outputs):
                names.setdefault((node, nr), label if outputs == 1 else f"{label}.{nr}")
        if self.root not in names:
            names[self.root] = "output"
        return names

    def name(self, q) -> str:
        return self.names[q]

    def tensor_key(self, t: Tensor):
        """The quantity of tensor t in this graph, or None when backward can't reach it."""
        if t.grad_fn is not None:
            return (t.grad_fn, t._output_nr)
        for node in self.order:
            if type(node) is AccumulateGrad and node.variable is t:
                return (node, 0)
        return None

    # ---- values --------------------------------------------------------------------------
    def _known_values(self):
        """Forward values the graph still knows: leaves, named tensors and saved tensors.

        Returns ({quantity: array}, {(node, input slot): (tensor or None, array)}) where the
        second holds the constant inputs (those without an edge) that a node saved."""
        values = {self.root: self.output._data}
        for _, t in self.named.values():
            if t.grad_fn is not None:
                values.setdefault((t.grad_fn, t._output_nr), t._data)
        constants = {}
        for node in self.order:
            if type(node) is AccumulateGrad:
                values[(node, 0)] = node.variable._data
                continue
            # only declared ops save one entry per input (a custom Function saves what it likes)
            saved = node._saved if getattr(type(node), "op", None) is not None else None
            if saved is None or node._saved_tensors_freed:
                continue
            for j, s in enumerate(saved):
                if s is None:
                    continue
                arr = s.tensor._data if s.tensor is not None else s.data
                child, nr = node.next_functions[j]
                if child is None:
                    constants[(node, j)] = (s.tensor, arr)
                else:
                    values.setdefault((child, nr), arr)
            for j, s in (node._saved_out or {}).items():
                values.setdefault((node, j), s.tensor._data if s.tensor is not None else s.data)
        return values, constants

    def constant_name(self, node, j) -> str | None:
        t = self.constants.get((node, j), (None,))[0]
        return self.named[id(t)][0] if t is not None and id(t) in self.named else None


class Span:
    """The nodes and edges on the paths from the graph's output to one target quantity."""

    def __init__(self, graph: Graph, target):
        self.graph, self.target = graph, target
        tnode, tnr = target
        reach = set()
        for node in reversed(graph.order):
            if node is tnode:
                continue
            for child, nr in node.next_functions:
                if (child is tnode and nr == tnr) or child in reach:
                    reach.add(node)
                    break
        self.nodes = [n for n in graph.order if n in reach]  # output first
        self.reach = reach

    def on_path(self, child, nr) -> bool:
        return (child is self.target[0] and nr == self.target[1]) or child in self.reach

    def edges(self, node):
        """(slot, child quantity) for each input of node that lies on a path to the target."""
        return [(i, (c, nr)) for i, (c, nr) in enumerate(node.next_functions) if c is not None and self.on_path(c, nr)]

    def count_paths(self) -> int:
        counts = {self.graph.root[0]: 1}
        total = 0
        for node in self.nodes:
            k = counts.get(node, 0)
            for _, (child, nr) in self.edges(node):
                if child is self.target[0]:
                    total += k
                else:
                    counts[child] = counts.get(child, 0) + k
        return total

    def paths(self) -> list[list[tuple]]:
        """Every path as a list of steps (node, output_nr, slot); only for a few paths."""
        out = []
        stack = [(self.graph.root, [])]
        while stack:
            (node, nr), steps = stack.pop()
            if (node, nr) == self.target:
                out.append(steps)
                continue
            for i, child in reversed(self.edges(node)):  # slot 0's paths come out first
                stack.append((child, steps + [(node, nr, i)]))
        return out

    def check_saved(self) -> None:
        for node in self.nodes:
            if node._saved_tensors_freed:
                raise RuntimeError(FREED)

    def backprop(self):
        """Reverse mode along the span with each node's own backward, as the engine does.

        Returns (gradient of each quantity on the span, {(node, slot): vector-Jacobian product})."""
        sent = {}
        with no_grad():
            grads = {self.graph.root: ones_like(self.graph.output)}
            for node in self.nodes:
                incoming = [grads.get((node, nr)) for nr in range(node._n_outputs)]
                if all(g is None for g in incoming):  # its users sent nothing: the engine skips it too
                    continue
                outs = node.apply(incoming)
                for i, child in self.edges(node):
                    g = outs[i]
                    if g is None:
                        continue
                    sent[(node, i)] = g
                    grads[child] = g if child not in grads else grads[child] + g
        return grads, sent

    def local_derivatives(self, grads) -> dict:
        """{(node, output_nr, slot): d output / d input} as numbers, for a graph of scalars:
        each node's backward applied to a gradient of 1."""
        local = {}
        with no_grad():
            for node in self.nodes:
                for nr in range(node._n_outputs):
                    g = grads.get((node, nr))
                    if g is None:
                        continue
                    seed = [None] * node._n_outputs
                    seed[nr] = ones_like(g)
                    outs = node.apply(seed)
                    for i, _ in self.edges(node):
                        local[(node, nr, i)] = 0.0 if outs[i] is None else outs[i]._data.item()
        return local
