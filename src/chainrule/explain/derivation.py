"""`explain(output, wrt)`: the chain rule written out for one gradient, as the seed notebooks
write it by hand:

    ∂e/∂a = ∂e/∂c·∂c/∂a + ∂e/∂d·∂d/∂a        every path from e to a, a product along each
    ∂c/∂a = b = 4                             each local derivative from its op's formula
    ∂e/∂a = 1·4 + 1·1 = 5                     the numbers

The numbers come from each node's own backward (node.apply), so the result is the
gradient autograd computes.  Graphs of tensors get one vector-Jacobian product per op,
with shapes; graphs with many paths are summed node by node, as backward does.
"""

from __future__ import annotations

import re

import numpy as np

from .. import Tensor
from .doc import TEXT, WIDTH, Math, Para, Row, elide, fold, to_html, to_latex, to_markdown, to_text
from .formula import SMALL, TOKEN, D, Formula, Num, Op, Sym, Words, line, shape_text
from .walk import Graph, Span, op_def, op_name, resolve_names

MAX_PATHS = 20  # more paths than this are summed node by node instead of listed
PLUGGED_WIDTH = 64  # a formula with the numbers plugged in is left out when the line would get longer
INFIX = {"add": " + ", "sub": " - ", "mul": "·", "div": "/", "mm": " @ ", "matmul": " @ "}
# Conventional symbols in op formulas that stand for a parameter of the op.
ALIASES = {"n": "exponent", "c": "base", "α": "alpha", "β": "beta", "λ": "lambd"}


class Derivation:
    """How ∂output/∂wrt comes about.  print() it, or let a notebook show it.

    .value  the gradient (a float for a scalar, else a NumPy array), equal to autograd's
    .steps  the same derivation as data: a list of dicts with a "kind" each
    .mode   "paths" (every path listed), "nodes" (summed node by node), "tensor"
            (vector-Jacobian products), "same" (wrt is the output) or "unconnected"
    """

    def __init__(self, output: str, wrt: str, mode: str, value, steps: list, doc: list):
        self.output, self.wrt, self.mode = output, wrt, mode
        self.value, self.steps, self._doc = value, steps, doc

    def __str__(self):
        return to_text(self._doc)

    __repr__ = __str__

    def _repr_markdown_(self):
        return to_markdown(self._doc)

    def _repr_latex_(self):
        return to_latex(self._doc)

    def html(self) -> str:
        """The derivation as an HTML fragment (a <div class="derivation">)."""
        return to_html(self._doc)


class Derivations(list):
    """One Derivation per tensor of a list `wrt`, shown one after another."""

    @property
    def value(self):
        return [d.value for d in self]

    @property
    def steps(self):
        return [d.steps for d in self]

    def __str__(self):
        return "\n\n\n".join(str(d) for d in self)

    __repr__ = __str__

    def _repr_markdown_(self):
        return "\n\n---\n\n".join(d._repr_markdown_() for d in self)

    def _repr_latex_(self):
        return "\n".join(d._repr_latex_() for d in self)

    def html(self) -> str:
        return "\n".join(d.html() for d in self)


def explain(output: Tensor, wrt, names=None):
    """Write out the chain rule for ∂output/∂wrt.

    output: a tensor with one element (a loss).  wrt: a tensor, or a list of tensors (then
    one Derivation each).  names: how to call tensors, as {name: tensor} (``locals()``
    works), {tensor: name} or (name, tensor) pairs; others get their op's name (mul₁).
    Call it before ``backward()`` (or after ``backward(retain_graph=True)``): it needs the
    values the graph saved for backward.
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"explain: output must be a Tensor, not {type(output).__name__}")
    if output.numel() != 1:
        raise RuntimeError(f"explain: the output has {output.numel()} elements; the chain rule is written out for "
                           "one number (a loss). Explain output.sum() or output[i] instead.")
    if not output.requires_grad:
        raise RuntimeError("explain: the output does not require grad and has no grad_fn, so no graph was recorded "
                           "(no input had requires_grad=True, or it was computed under no_grad()).")
    many = not isinstance(wrt, Tensor)
    targets = list(wrt) if many else [wrt]
    for t in targets:
        if not isinstance(t, Tensor):
            raise TypeError(f"explain: wrt must be a Tensor or a list of Tensors, not {type(t).__name__}")
    graph = Graph(output, names) if output.grad_fn is not None else None
    done = [_explain_one(output, t, graph, names) for t in targets]
    return Derivations(done) if many else done[0]


def _explain_one(output, wrt, graph, names) -> Derivation:
    named = graph.named if graph is not None else resolve_names(names)
    out_name = graph.name(graph.root) if graph is not None else named.get(id(output), ("output",))[0]
    target = graph.tensor_key(wrt) if graph is not None else None
    if wrt is output or (target is not None and target == graph.root):
        return _trivial(out_name, out_name, "same", output)
    wrt_name = named.get(id(wrt), (None,))[0] or (graph.name(target) if target is not None else "wrt")
    span = Span(graph, target) if target is not None else None
    if span is None or not span.nodes:
        return _trivial(out_name, wrt_name, "unconnected", wrt)
    span.check_saved()
    return _Builder(graph, span, out_name, wrt_name, wrt).derivation()


def _trivial(out: str, wrt: str, mode: str, t: Tensor) -> Derivation:
    data = t._data
    if mode == "same":
        value = np.ones_like(data)
        doc = [Para([D(out, out), Words(f" = 1: {wrt} is the output itself.")])]
    else:
        value = np.zeros_like(data)
        why = ("it does not require grad, so no op recorded its use" if not t.requires_grad
               else f"no path in the graph leads from {out} to it")
        doc = [Para([D(out, wrt), Words(f" = 0: {out} was not computed from {wrt} ({why}). "
                                        f"chainrule.explain_grad({wrt}, output={out}) says more.")])]
    value = value.item() if value.size == 1 else value
    return Derivation(out, wrt, mode, value, [{"kind": "result", "of": out, "wrt": wrt, "value": value}], doc)


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _text(pieces) -> str:
    return line(pieces, TEXT)


def _product(pieces: list) -> tuple[list, int]:
    """a·b·c, or a·b·c·…·x·y·z for a long one (and how many factors were left out)."""
    shown, hidden = elide(pieces, keep=5)
    out = []
    for p in shown:
        if out:
            out.append(Op("·"))
        out.append(Op("…") if p is None else p)
    return out, hidden


def _join(terms: list, sep: str) -> list:
    out = []
    for t in terms:
        if out:
            out.append(Op(sep))
        out.extend(t)
    return out


class _Builder:
    def __init__(self, graph: Graph, span: Span, out: str, wrt: str, wrt_tensor: Tensor):
        self.graph, self.span, self.out, self.wrt, self.wrt_tensor = graph, span, out, wrt, wrt_tensor
        self.grads, self.sent = span.backprop()
        self.scalar = all(g.numel() == 1 for g in self.grads.values())

    def name(self, q) -> str:
        return self.graph.name(q)

    # ---- the result --------------------------------------------------------------------------
    def value(self):
        g = self.grads.get(self.span.target)
        arr = g._data if g is not None else np.zeros_like(self.wrt_tensor._data)  # every op sent None
        return arr.item() if self.scalar else np.array(arr)

    def derivation(self) -> Derivation:
        if not self.scalar:
            mode, (steps, doc) = "tensor", self.tensor_doc()
        else:
            self.local = self.span.local_derivatives(self.grads)
            self.count = self.span.count_paths()
            if self.count <= MAX_PATHS:
                mode, (steps, doc) = "paths", self.paths_doc()
            else:
                mode, (steps, doc) = "nodes", self.nodes_doc()
        value = self.value()
        steps.append({"kind": "result", "of": self.out, "wrt": self.wrt, "value": value})
        return Derivation(self.out, self.wrt, mode, value, steps, doc)

    # ---- an op's formula, bound to names or numbers ----------------------------------------------
    def table(self, node, plug: bool) -> dict:
        """Token -> piece for the op's formulas: its inputs, `result` and parameters as names
        (plug=False) or as numbers (plug=True; None where the value is not known)."""
        g, op = self.graph, op_def(node)
        table = {}
        for j, name in enumerate(op.inputs):
            child, nr = node.next_functions[j]
            if child is not None:
                sym, val = Sym(g.name((child, nr))), g.values.get((child, nr))
            else:
                val = g.constants.get((node, j), (None, None))[1]
                named = g.constant_name(node, j)
                sym = Sym(named) if named else (Num(val, parens=True) if val is not None and val.size <= SMALL
                                                else Sym("const"))
            piece = (Num(val, parens=True) if val is not None and val.size == 1 else None) if plug else sym
            table[name] = piece
            if len(name) == 1:
                table.setdefault(name.upper(), piece)  # matmul's formulas write Bᵀ for input b
        if len(op.inputs) == 1:
            table.setdefault("x", table[op.inputs[0]])  # "x" is a unary op's input
        result = self.graph.values.get((node, 0))
        table["result"] = (Num(result, parens=True) if result is not None and result.size == 1 else None) \
            if plug else Sym(g.name((node, 0)))
        params = {p: v for p, v in zip(op.params, node._params) if _is_number(v)}
        for p, v in params.items():
            table[p] = Num(v, digits=8, parens=True)
        for sym, p in ALIASES.items():
            if p in params:
                table.setdefault(sym, Num(params[p], digits=8, parens=True))
        if "n" not in table and len(op.inputs) == 1 and (node, 0) in self.grads:
            n_in = int(np.prod(node._in_meta[0][0]))
            table["n"] = Num(n_in // max(self.grads[(node, 0)].numel(), 1))  # elements per reduced value
        return table

    @staticmethod
    def bound(tex: str, table: dict) -> Formula | None:
        """tex with its tokens bound; None when a token it uses has no value (table says None)."""
        used = {m.group(0) for m in TOKEN.finditer(tex)}
        if any(table.get(t, 0) is None for t in used):
            return None
        return Formula(tex, tuple(table.items()))

    def forward(self, node) -> list:
        """`c = a·b`: how the node's output was computed, in the caller's names."""
        op = op_def(node)
        if op is None:
            return [Words(type(node).__name__)]
        ins = list(op.inputs)
        alpha = dict(zip(op.params, node._params)).get("alpha", 1)
        if op.name in INFIX and len(ins) == 2 and alpha == 1:
            tex = INFIX[op.name].join(ins)
        elif op.name == "neg":
            tex = f"-{ins[0]}"
        elif op.name == "pow":
            tex = f"{ins[0]}^{{{ins[1] if len(ins) == 2 else 'exponent'}}}" if "base" not in op.params \
                else f"base^{{{ins[0]}}}"
        elif op.name == "rsub" and "other" in op.params:
            tex = f"other - {ins[0]}"
        else:
            extra = [p for p, v in zip(op.params, node._params) if _is_number(v) and p != "alpha"]
            tex = f"{op.name}({', '.join(ins + extra)})"
        return [Sym(self.name((node, 0))), Op(" = "), Formula(tex, tuple(self.table(node, False).items()))]

    def tex(self, node, i) -> str | None:
        op = op_def(node)
        return op.tex[i] if op is not None and op.tex and i < len(op.tex) else None

    def tag(self, node, i) -> str | None:
        """The op's name for input i, when the op uses that tensor through several inputs (a·a)."""
        child = node.next_functions[i]
        if sum(1 for c in node.next_functions if c == child) < 2:
            return None
        op = op_def(node)
        return op.inputs[i] if op is not None else f"input {i}"

    def factor(self, node, nr, i) -> D:
        return D(self.name((node, nr)), self.name(node.next_functions[i]), self.tag(node, i))

    # ---- scalar graphs: local derivatives ----------------------------------------------------------
    def local_row(self, node, nr, i) -> tuple[Row, dict]:
        value = self.local[(node, nr, i)]
        tex = self.tex(node, i)
        rhs = []
        if tex is not None:
            rhs.append(Formula(tex, tuple(self.table(node, False).items())))
            plugged = self.bound(tex, self.table(node, True))
            shown = _text([plugged]) if plugged is not None else ""
            if shown and shown != _text(rhs) and len(shown) + len(_text(rhs)) <= PLUGGED_WIDTH:
                rhs += [Op(" = "), plugged]
        num = Num(value)
        if not rhs or _text(rhs[-1:]) != _text([num]):
            rhs += [Op(" = "), num] if rhs else [num]
        f = self.factor(node, nr, i)
        op = op_def(node)
        step = {"kind": "local", "of": f.of, "wrt": f.wrt, "input": op.inputs[i] if op else i,
                "op": op.name if op else type(node).__name__, "node": type(node).__name__,
                "forward": _text(self.forward(node)), "formula": tex, "value": value,
                "text": f"{_text([f])} = {_text(rhs)}"}
        return Row([f], rhs, note=self.forward(node)), step

    def locals_block(self, edges) -> tuple[list, list]:
        made = [self.local_row(*e) for e in edges]
        keys = [(s["op"], s["input"], s["formula"]) for _, s in made]
        return fold([r for r, _ in made], keys, "local derivatives"), [s for _, s in made]

    def sum_rows(self, lhs: list, terms: list, notes=None) -> list:
        """lhs = t1 + t2 + …, on one row when it fits, else one row per term."""
        notes = notes or [[] for _ in terms]
        one = _join(terms, " + ")
        if len(_text(lhs + one)) <= WIDTH - 10 and not any(notes):
            return [Row(lhs, one)]
        return [Row(lhs if k == 0 else [], t, "=" if k == 0 else "+", n) for k, (t, n) in enumerate(zip(terms, notes))]

    # ---- scalar graphs with few paths: every path -------------------------------------------------
    def paths_doc(self):
        paths = self.span.paths()
        lhs = [D(self.out, self.wrt)]
        edges, seen = [], set()
        for path in paths:
            for e in path:
                if e not in seen:
                    seen.add(e)
                    edges.append(e)
        symbolic, numbers, notes, steps = [], [], [], []
        for path in paths:
            factors, hidden = _product([self.factor(*e) for e in path])
            values = [self.local[e] for e in path]
            nums, _ = _product([Num(v, parens=True) for v in values])
            symbolic.append(factors)
            numbers.append(nums)
            notes.append([Words(f"({hidden} factors not shown)")] if hidden else [])
            steps.append({"kind": "path", "factors": [_text([self.factor(*e)]) for e in path], "numbers": values,
                          "product": float(np.prod(values))})
        local_rows, local_steps = self.locals_block(edges)
        k = len(paths)
        intro = (f" is a sum over the {k} paths from {self.out} to {self.wrt}: along each path, the product of the "
                 "local derivatives." if k > 1 else
                 f" along the one path from {self.out} to {self.wrt} is the product of the local derivatives.")
        doc = [
            Para([Words("By the chain rule, "), D(self.out, self.wrt), Words(intro)]),
            Math(self.sum_rows(lhs, symbolic, notes)),
            Para([Words("Each local derivative comes from its op's formula (the op is on the right):")]),
            Math(local_rows),
            Para([Words("With the numbers:")]),
            Math(self.sum_rows(lhs, numbers) + [Row([], [Num(self.value(), digits=6)])]),
        ]
        return local_steps + steps, doc

    # ---- graphs with many paths, and graphs of tensors: node by node ---------------------------
    def quantities(self) -> list:
        """Every quantity on the span that gets a gradient: the output first, wrt last."""
        out = [q for node in self.span.nodes for nr in range(node._n_outputs) if (q := (node, nr)) in self.grads]
        return out + ([self.span.target] if self.span.target in self.grads else [])

    def users(self) -> dict:
        """quantity -> [(node, slot)]: the ops that take it as input `slot` and sent it a gradient."""
        users = {}
        for node in self.span.nodes:
            for i, child in self.span.edges(node):
                if (node, i) in self.sent:
                    users.setdefault(child, []).append((node, i))
        return users

    def outputs(self, node) -> list:
        """The node's outputs that have a gradient (several only for multi-output ops)."""
        return [(node, nr) for nr in range(node._n_outputs) if (node, nr) in self.grads]

    def sum_of(self, terms: list) -> tuple[list, int]:
        shown, hidden = elide(terms, 2)
        return _join([[Op("…")] if t is None else t for t in shown], " + "), hidden

    def nodes_doc(self):
        edges = [(n, nr, i) for n in self.span.nodes for nr in range(n._n_outputs) if (n, nr) in self.grads
                 for i, _ in self.span.edges(n)]
        local_rows, steps = self.locals_block(edges)
        users = self.users()
        out = self.out
        groups, keys = [], []
        for q in self.quantities()[1:]:
            sym, num, parts, kinds = [], [], [], []
            for node, i in users.get(q, []):
                kinds.append((op_name(node), i))
                for _, nr in self.outputs(node):
                    g, local = self.grads[(node, nr)]._data.item(), self.local[(node, nr, i)]
                    sym.append([D(out, self.name((node, nr))), Op("·"), self.factor(node, nr, i)])
                    num.append([Num(g, parens=True), Op("·"), Num(local, parens=True)])
                    parts.append({"via": self.name((node, nr)), "upstream": g, "local": local})
            value = self.grads[q]._data.item()
            sym_pieces, hidden = self.sum_of(sym)
            num_pieces, _ = self.sum_of(num)
            note = [Words(f"({hidden} more terms)")] if hidden else []
            groups.append([Row([D(out, self.name(q))], sym_pieces, note=note),
                           Row([], num_pieces + [Op(" = "), Num(value)])])
            keys.append(tuple(kinds))
            steps.append({"kind": "accumulate", "of": out, "wrt": self.name(q), "terms": parts, "value": value})
        count = f"{self.count:,}" if self.count < 10 ** 15 else f"about 10^{len(str(self.count)) - 1}"
        doc = [
            Para([Words("By the chain rule, "), D(out, self.wrt),
                  Words(f" is a sum over every path from {out} to {self.wrt} of the product of the local derivatives "
                        f"along it: {count} paths, too many to list. Backward adds them up node by node instead, from "
                        f"{out} back to {self.wrt}: each tensor's gradient is the sum, over the ops that use it, of "
                        "their gradient times their local derivative.")]),
            Para([Words("The local derivatives, from each op's formula (the op is on the right):")]),
            Math(local_rows),
            Para([Words("Node by node:")]),
            Math([Row([D(out, out)], [Num(1)])] + fold(groups, keys, "nodes")),
        ]
        return steps, doc

    def vjp(self, node, i) -> tuple[list, list]:
        """One vector-Jacobian product, ∂L/∂input from ∂L/∂output, and its shapes."""
        nr = self.outputs(node)[0][1]  # a multi-output op is named by its first output with a gradient
        g = D(self.out, self.name((node, nr)))
        g_shape, in_shape = tuple(self.grads[(node, nr)].shape), tuple(self.sent[(node, i)].shape)
        tex = self.tex(node, i)
        if tex is None:
            return [Words(f"{type(node).__name__}("), g, Words(")")], [Op(f"{shape_text(in_shape)} ← "
                                                                           f"{shape_text(g_shape)}")]
        op = op_def(node)
        f = Formula(tex, tuple(self.table(node, False).items()))
        if re.fullmatch(r"[A-Za-z]\w*ᵀ", tex):  # a matrix product: which side the transposed operand goes on
            shapes = {}
            for j, name in enumerate(op.inputs):
                shapes[name] = shapes[name.upper()] = Op(shape_text(node._in_meta[j][0]))
            fs = Formula(tex, tuple(shapes.items()))
            last = i == len(op.inputs) - 1
            gs = Op(shape_text(g_shape))
            rule = [f, Op("·"), g] if last else [g, Op("·"), f]
            return rule, [Op(shape_text(in_shape) + " = ")] + ([fs, Op("·"), gs] if last else [gs, Op("·"), fs])
        if tex == "1":
            rule = [g]
        elif tex == "-1":
            rule = [Op("-"), g]
        else:
            ft = _text([f])
            wrapped = [Op("("), f, Op(")")] if any(c in ft[1:] for c in " +-/·") else [f]
            # ⊙ for an elementwise derivative; · for a scalar, or a Jacobian such as softmax's diag(s) - s·sᵀ
            rule = [g, Op("·" if int(np.prod(g_shape)) == 1 or "ᵀ" in tex else " ⊙ ")] + wrapped
        if in_shape == g_shape:
            return rule, [Op(shape_text(in_shape))]
        axes = _summed_axes(in_shape, g_shape)
        if axes:  # broadcasting in the forward: the gradient is summed back to the input's shape
            label = "" if len(axes) == len(g_shape) else "rows" if axes == [0] and len(g_shape) == 2 else \
                "cols" if axes == [1] and len(g_shape) == 2 else "dim" + ",".join(map(str, axes))
            rule = [Op(f"Σ_{label} " if label else "Σ ")] + ([Op("("), *rule, Op(")")] if len(rule) > 1 else rule)
        return rule, [Op(f"{shape_text(in_shape)} ← {shape_text(g_shape)}")]

    def tensor_doc(self):
        users = self.users()
        out = self.out
        groups, keys, steps = [], [], []
        for q in self.quantities()[1:]:
            rules, shapes, parts = [], [], []
            for node, i in users.get(q, []):
                rule, shape = self.vjp(node, i)
                rules.append(rule)
                shapes.append(shape)
                parts.append({"via": self.name(self.outputs(node)[0]), "op": type(node).__name__, "rule": _text(rule),
                              "shapes": _text(shape), "value": np.array(self.sent[(node, i)]._data)})
            value = np.array(self.grads[q]._data)
            rule_pieces, hidden = self.sum_of(rules)
            note = _join(shapes, "; ") + ([Words(f" ({hidden} more terms)")] if hidden else [])
            groups.append([Row([D(out, self.name(q))], rule_pieces, note=note), Row([], [Num(value)])])
            keys.append(tuple((p["op"], p["rule"].count("⊙")) for p in parts))
            steps.append({"kind": "vjp", "of": out, "wrt": self.name(q), "terms": parts, "shape": value.shape,
                          "value": value})
        doc = [
            Para([Words(f"Backward, one op at a time from {out} back to {self.wrt}: each tensor's gradient is the sum, "
                        "over the ops that use it, of a vector-Jacobian product, the op's gradient times its local "
                        "derivative (⊙ elementwise, · a matrix product, Σ where broadcasting is undone). "
                        "Shapes are on the right.")]),
            Math([Row([D(out, out)], [Num(1)])] + fold(groups, keys, "nodes")),
        ]
        return steps, doc


def _summed_axes(in_shape: tuple, out_shape: tuple) -> list | None:
    """The axes broadcasting added or stretched, when in_shape broadcasts to out_shape."""
    pad = len(out_shape) - len(in_shape)
    if pad < 0 or any(s not in (1, out_shape[pad + k]) for k, s in enumerate(in_shape)):
        return None
    return list(range(pad)) + [pad + k for k, s in enumerate(in_shape) if s == 1 and out_shape[pad + k] != 1]
