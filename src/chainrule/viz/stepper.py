"""`stepper`: run a backward pass, record it node by node, and build the HTML stepper.

The engine's trace hook reports every node it runs, in its real order, with
the gradients that came in and the ones it sends along each edge.  Each report
becomes a step of the page (see stepper_page.stepper_html): which node ran,
a sentence of the chain rule it applied, and the leaves' .grad after it.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter
from pathlib import Path

from ..autograd.engine import add_trace_hook
from ..autograd.graph import AccumulateGrad
from .graph_walk import SMALL, Walk, brief_text, constant_input, op_def, walk
from .model import VGraph
from .stepper_page import stepper_html

# Ops written as operators in a step's forward formula; others read name(args).
INFIX = {"add": " + ", "sub": " - ", "mul": "·", "div": "/", "mm": " @ ", "matmul": " @ "}
_SIMPLE = re.compile(r"[\w.^{}ᵀ²]+")  # needs no parentheses after "·"


def _paren(text: str) -> str:
    return text if _SIMPLE.fullmatch(text) else f"({text})"


def forward_formula(op, args: list[str], params) -> str:
    """`a·b`, `a + b`, `exp(a)`, `clamp(z, 0, 1)`: how an op's output was computed."""
    infix = INFIX.get(op.name)
    if infix and len(args) == 2 and all(type(p) in (int, float) and p == 1 for p in params):  # alpha=1
        return infix.join(args)
    return f"{op.name}({', '.join(args + [str(p) for p in params])})"


def local_derivative(tex: str, inputs, args: list[str]) -> str:
    """The op's local derivative text with its input names replaced by the caller's.

    A single-letter input also stands for its capital (matmul's `Bᵀ` is b's transpose)."""
    table = {}
    for name, arg in zip(inputs, args):
        table[name] = arg
        if len(name) == 1:
            table.setdefault(name.upper(), arg)
    alternatives = "|".join(re.escape(n) for n in sorted(table, key=len, reverse=True))
    # ASCII word boundaries: "Bᵀ" and "b²" still name b.
    pattern = re.compile(rf"(?<![A-Za-z0-9_])({alternatives})(?![A-Za-z0-9_])")
    return pattern.sub(lambda m: table[m.group(1)], tex)


class _Recorder:
    """The trace hook: turns each node the engine runs into a step dict."""

    def __init__(self, w: Walk, root: str, initial: dict[str, str]):
        self.w = w
        self.titles = {n.id: n.title for n in w.graph.nodes}
        self.root = _paren(self.titles[root])
        self.initial = initial
        self.uses = Counter(e.src for e in w.graph.edges)  # >1: what a node sends is one part of a sum
        self.steps: list[dict] = []

    def d(self, sym: str) -> str:
        return f"∂{self.root}/∂{sym}"

    def summed(self, me: str) -> str:
        n = self.uses[me]
        return f" (summed over its {n} uses)" if n > 1 else ""

    def __call__(self, event, node, payload) -> None:
        me = self.w.vid(node)
        if event != "node" or me is None:  # a node outside the drawn graph, e.g. a hook's own backward
            return
        grads, outs = payload
        if type(node) is AccumulateGrad:
            self.steps.append(self._accumulate(me, node.variable, grads[0]))
        else:
            self.steps.append(self._op(me, node, grads, outs))

    def _accumulate(self, me: str, t, g) -> dict:
        a = _paren(self.titles[me])
        now = brief_text(t._grad)
        action = (f"stores it in {a}.grad" if me not in self.initial
                  else f"adds it to {a}.grad, which is now {now}")
        return {
            "node": me,
            "text": f"AccumulateGrad for {a} receives {self.d(a)} = {brief_text(g)}{self.summed(me)} and {action}.",
            "grad_in": brief_text(g),
            "local": "",
            "grad_out": {},
            "leaf_grads": {me: now},
        }

    def _arg(self, node, i: int) -> str:
        child = node.next_functions[i][0]
        if child is not None:
            return _paren(self.titles[self.w.vid(child)])
        t = constant_input(node, i)  # an input without grad: its name or value when known
        if t is None:
            return "const"
        name = self.w.named.get(id(t), (None,))[0]
        return name or (_paren(brief_text(t)) if t.numel() <= SMALL else "const")

    def _op(self, me: str, node, grads, outs) -> dict:
        s = _paren(self.titles[me])
        op = op_def(node)
        args = [self._arg(node, i) for i in range(len(node.next_functions))]
        g_text = ", ".join(brief_text(g) for g in grads)
        scalar = len(grads) == 1 and grads[0] is not None and grads[0].numel() == 1
        g_word = g_text if scalar else self.d(s)
        locals_ = {}
        if op is not None and op.tex:
            locals_ = {i: local_derivative(op.tex[i], op.inputs, args) for i in range(len(args))}
        sends, grad_out = [], {}
        for i, ((child, _), g) in enumerate(zip(node.next_functions, outs)):
            if child is None or g is None:
                continue
            value = brief_text(g)
            to = self.w.vid(child)
            local = locals_.get(i)
            chain = g_word if local in (None, "1") else f"{g_word}·{_paren(local)}"
            middle = "" if chain == value or local is None else f"{chain} = "  # no formula: just the number
            if self.uses[to] > 1:
                sends.append(f"{middle}{value} to {args[i]} (part of {self.d(args[i])})")
            else:
                sends.append(f"{self.d(args[i])} = {middle}{value} to {args[i]}")
            grad_out[to] = f"{grad_out[to]} + {value}" if to in grad_out else value  # x*x: both edges
        head = type(node).__name__
        if op is not None:
            head += f" ({s} = {forward_formula(op, args, node._params)})"
        text = f"{head} receives {self.d(s)} = {g_text}{self.summed(me)} and sends {', '.join(sends) or 'nothing'}."
        local_text = ", ".join(f"∂{s}/∂{args[i]} = {t}" for i, t in locals_.items()
                               if node.next_functions[i][0] is not None)
        # A retained .grad (retain_grad()) gets a row in the page's table, like a leaf's.
        retained = [t for _, t in self.w.attached.get(id(node), []) if t.retains_grad and t._grad is not None]
        return {"node": me, "text": text, "grad_in": g_text, "local": local_text, "grad_out": grad_out,
                "leaf_grads": {me: brief_text(retained[0]._grad)} if retained else {}}


class Stepper:
    """A recorded backward pass: `.steps`, the page as `.html`, `.save(path)`."""

    def __init__(self, graph: VGraph, steps: list[dict], title: str, initial_leaf_grads: dict[str, str]):
        self.graph = graph
        self.steps = steps
        self.html = stepper_html(graph, steps, title, initial_leaf_grads)

    def save(self, path: str | os.PathLike) -> Path:
        path = Path(path)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        # An iframe keeps the page's script and key bindings to itself inside a notebook.
        return (f'<iframe srcdoc="{html.escape(self.html)}" style="width:100%;height:640px;'
                'border:1px solid #e5e7eb"></iframe>')

    def __repr__(self) -> str:
        return f"<Stepper: {len(self.steps)} steps>"


def stepper(loss, names=None, retain_graph=False) -> Stepper:
    """Run ``loss.backward()`` and record it, step by step, as an offline HTML page.

    The page draws the graph as it was before backward (values only) and shows,
    one node at a time in the engine's order, the gradient each node received,
    the local derivative it applied and what it sent along each edge, and the
    leaves' .grad as they accumulate.  names: as for `draw`.
    """
    w = walk(loss, names, show=("value", "shape"))
    initial = {vid: brief_text(t._grad) for vid, t in w.leaves.items() if t._grad is not None}
    for node_id, made in w.attached.items():
        for _, t in made:
            if t.retains_grad and t._grad is not None:
                initial[w.ids[node_id]] = brief_text(t._grad)
    root = w.tensor_vid(loss)
    recorder = _Recorder(w, root, initial)
    handle = add_trace_hook(recorder)
    try:
        loss.backward(retain_graph=retain_graph)
    finally:
        handle.remove()
    return Stepper(w.graph, recorder.steps, f"{recorder.root}.backward()", initial)
