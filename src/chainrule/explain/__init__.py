"""chainrule.explain: the chain rule written out for a gradient (text, Markdown, LaTeX, HTML),
and why a tensor's .grad is None or not what was expected.

    chainrule.explain(loss, w, names=locals())      # ∂loss/∂w, path by path
    chainrule.explain_grad(w, output=loss)          # why is w.grad None?
"""

from .derivation import Derivation, Derivations, explain
from .why_none import GradReport, explain_grad

why_no_grad = explain_grad

__all__ = ["Derivation", "Derivations", "GradReport", "explain", "explain_grad", "why_no_grad"]
