"""`explain_grad(t, output=None)`: why t.grad is None, or not what was expected.

Nothing is recorded on the hot path for this: the report reads what a tensor already
carries (requires_grad, grad_fn, the view base that detach() keeps) and, when the output
is given, walks its graph and compares .grad with a fresh gradient of the output.
"""

from __future__ import annotations

import numpy as np

from .. import Tensor
from ..autograd import grad as autograd_grad
from ..autograd.graph import AccumulateGrad
from .walk import topological


class GradReport:
    """What explain_grad found: `.causes` (codes), `.findings` (dicts with "cause", "title",
    "detail", "fix"); print it or let a notebook show it."""

    def __init__(self, name: str, grad_is_none: bool, findings: list[dict]):
        self.name, self.grad_is_none, self.findings = name, grad_is_none, findings

    @property
    def causes(self) -> list[str]:
        return [f["cause"] for f in self.findings]

    def _title(self) -> str:
        return f"Why {self.name}.grad is None" if self.grad_is_none else f"What {self.name}.grad holds"

    def __str__(self):
        lines = [self._title() + ":"]
        for f in self.findings:
            lines.append(f"- {f['title']}: {f['detail']}")
            if f["fix"]:
                lines.append(f"  Fix: {f['fix']}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_markdown_(self):
        lines = [f"**{self._title()}**", ""]
        for f in self.findings:
            lines.append(f"- **{f['title']}**: {f['detail']}" + (f" *Fix:* {f['fix']}" if f["fix"] else ""))
        return "\n".join(lines)


def _finding(cause, title, detail, fix="") -> dict:
    return {"cause": cause, "title": title, "detail": detail, "fix": fix}


def explain_grad(tensor: Tensor, output: Tensor | None = None, *, name: str | None = None) -> GradReport:
    """Why `tensor.grad` is None, or not what you expected.

    output: the tensor you called backward() on, if you know it: then the report also checks
    that output was computed from `tensor` and compares .grad with a fresh gradient of output.
    name: what to call the tensor in the report.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"explain_grad takes a Tensor, not {type(tensor).__name__}")
    if output is not None and not isinstance(output, Tensor):
        raise TypeError(f"explain_grad: output must be a Tensor, not {type(output).__name__}")
    t, name = tensor, name or "the tensor"
    out = "the output" if output is None else "output"
    grad = t._grad  # not .grad: that warns for non-leaves
    findings = []
    if not t.requires_grad:
        findings.append(_no_requires_grad(t, name, output))
    elif t.grad_fn is not None and not t.retains_grad:
        findings.append(_finding(
            "not_leaf", "not a leaf",
            f"{name} was computed by an op ({t.grad_fn.name()}), and backward() fills .grad only for leaves "
            "(tensors created by you with requires_grad=True), to save memory.",
            f"call {name}.retain_grad() before backward(), or ask for it directly: "
            f"chainrule.autograd.grad({out}, {name})."))
    if findings:
        return GradReport(name, grad is None, findings)
    if output is not None:
        unconnected = _connection(t, name, output)
        if unconnected is not None:
            return GradReport(name, grad is None, [unconnected])
    if grad is None:
        findings.append(_finding(
            "no_backward", "backward has not reached it",
            f"{name} requires grad{' and ' + out + ' depends on it' if output is not None else ''}, but no "
            "backward() has filled its .grad yet, or .grad was reset to None (zero_grad(set_to_none=True)).",
            "call backward() on the output" + ("." if output is not None else
                                               "; pass output=... to check that it depends on the tensor.")))
    else:
        findings.append(_compare(t, name, grad, output))
    return GradReport(name, grad is None, findings)


def _no_requires_grad(t, name, output) -> dict:
    src = t if t._base is None else t._base  # a view of a detached tensor counts too
    base = src._detached_from() if src._detached_from is not None else None
    if base is not None and base.requires_grad:
        return _finding(
            "detached", "detached",
            f"{name} shares its storage with a tensor that requires grad, but was cut off from the graph "
            "(it came from .detach(), or a view of a detached tensor), so autograd does not track it.",
            "use the original tensor instead of its detached copy.")
    where = ""
    if output is not None and output.grad_fn is not None:
        for node in topological(output.grad_fn):
            for s in getattr(node, "_saved", None) or ():
                if s is not None and s.tensor is t:
                    where = f" The graph of output uses it as a constant input of {node.name()}."
                    break
            if where:
                break
    return _finding(
        "requires_grad_false", "requires_grad=False",
        f"{name} does not require grad, so autograd never computes a gradient for it: it was created without "
        "requires_grad=True, or computed under no_grad() (or from tensors that don't require grad)." + where,
        f"create it with requires_grad=True or call {name}.requires_grad_() before using it; "
        "compute it outside no_grad().")


def _detached_copy_of(u, t) -> bool:
    src = u if u._base is None else u._base
    return src._detached_from is not None and src._detached_from() is t


def _connection(t, name, output) -> dict | None:
    """A finding when output was not computed from t; None when it was."""
    if output is t:
        return None
    if output.grad_fn is None:
        return _finding(
            "output_has_no_graph", "output has no graph",
            "output does not require grad, so backward() from it reaches nothing: it was computed under "
            "no_grad(), or from tensors that don't require grad (a .detach() or .item() on the way?).",
            "compute output outside no_grad(), from tensors that require grad.")
    nodes = topological(output.grad_fn)
    if t.grad_fn is not None:
        if t.grad_fn in set(nodes):
            return None
    elif any(type(n) is AccumulateGrad and n.variable is t for n in nodes):
        return None
    detached = any(s is not None and s.tensor is not None and _detached_copy_of(s.tensor, t)
                   for n in nodes for s in (getattr(n, "_saved", None) or ()))
    hint = (f" The graph does use a detached copy of {name} ({name}.detach()), which cuts the connection."
            if detached else "")
    return _finding(
        "not_connected", "not connected to output",
        f"output was not computed from {name}: no path in output's graph leads to it, so backward() from output "
        f"never reaches it.{hint} Common causes: an op on {name} ran under no_grad(), {name} was detached or "
        "turned into a number (.item(), .numpy(), .tolist()), or output came from another tensor.",
        f"compute output from {name} itself, with grad mode on.")


def _compare(t, name, grad, output) -> dict:
    g = np.asarray(grad._data)
    if output is None:
        if not g.any():
            return _finding("zeroed", "zeroed",
                            f"{name}.grad is all zeros: zero_grad() ran after backward(), or the gradient really is 0.",
                            "pass output=... to compare with a fresh gradient.")
        return _finding("has_grad", "holds a gradient",
                        f"{name}.grad is set. Gradients accumulate: it is the sum over every backward() since it was "
                        "last zeroed.", "pass output=... to compare it with a fresh gradient of output.")
    if output.numel() != 1:
        return _finding("has_grad", "holds a gradient",
                        f"{name}.grad is set; output has {output.numel()} elements, so there is no single fresh "
                        "gradient to compare with.", "pass a scalar output (e.g. the loss).")
    try:
        (fresh,) = autograd_grad(output, t, retain_graph=True, allow_unused=True)
    except RuntimeError:  # the graph's saved tensors were freed by backward
        return _finding("graph_freed", "can't compare",
                        f"{name}.grad is set, but output's graph was freed by backward(), so no fresh gradient "
                        "can be computed to compare with.",
                        "call backward(retain_graph=True), or pass a freshly computed output.")
    e = np.zeros_like(g) if fresh is None else np.asarray(fresh._data)
    if np.allclose(g, e, rtol=1e-5, atol=1e-8):
        return _finding("as_expected", "as expected",
                        f"{name}.grad equals a fresh gradient of output (one backward since it was last zeroed).")
    if not g.any():
        return _finding("zeroed", "zeroed",
                        f"{name}.grad is all zeros but the gradient of output is not: zero_grad() (or grad.zero_()) "
                        "ran after backward().", "call zero_grad() before backward(), not after.")
    k = float((g * e).sum() / (e * e).sum()) if e.any() else 0.0
    if round(k) >= 2 and np.allclose(g, round(k) * e, rtol=1e-5, atol=1e-8):
        return _finding("accumulated", "accumulated",
                        f"{name}.grad is {round(k)} times the gradient of output: backward() ran {round(k)} times "
                        "and gradients add up in .grad.", "zero the gradients (zero_grad()) before each backward().")
    return _finding("accumulated", "accumulated",
                    f"{name}.grad differs from a fresh gradient of output: it holds the sum of several backward() "
                    "calls (other losses, earlier steps), or a hook changed it.",
                    "zero the gradients (zero_grad()) before each backward().")
