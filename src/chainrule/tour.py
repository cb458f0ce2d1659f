"""`chainrule tour`: the seed notebooks' examples, run with chainrule, in one offline HTML report.

Each example's code is run as written in the notebooks (with ``torch`` bound to chainrule);
the report shows the code, the values, autograd's gradients, the chain rule written out
(chainrule.explain), the graph (chainrule.viz.draw) and a link to a page that steps
through backward (chainrule.viz.stepper).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import chainrule
from chainrule.explain.formula import array_text

_TEMPLATE = Path(__file__).with_name("tour_assets") / "report.html"
_TOKEN = re.compile(r"\{\{(NAV|SECTIONS|VERSION)\}\}")


@dataclass(frozen=True)
class Example:
    slug: str
    title: str
    intro: str
    code: str
    output: str
    wrt: tuple[str, ...]


EXAMPLES = (
    Example("squares", "c = a² + b²",
            "The first notebook's warm-up: each square has its own path, "
            "so ∂c/∂a = 2a = 10 and ∂c/∂b = 2b = 40.",
            """\
a = torch.tensor(5.0, requires_grad=True)
b = torch.tensor(20.0, requires_grad=True)

c = a**2 + b**2
""", "c", ("a", "b")),
    Example("two-paths", "e = a·b + (a + b)",
            "Two paths lead from e to a, one through c and one through d, and the chain rule adds them up: "
            "∂e/∂a = 1·4 + 1·1 = 5.",
            """\
a = torch.tensor(3.0, requires_grad=True)
b = torch.tensor(4.0, requires_grad=True)

c = a * b
d = a + b
e = c + d
""", "e", ("a", "b")),
    Example("sigmoid", "y = 1 / (1 + e⁻ˣ)",
            "The sigmoid built from its pieces: one path, a product of local derivatives, which comes to "
            "y(1 − y).",
            """\
x = torch.tensor(3.0, requires_grad=True)

a = -x
b = torch.exp(a)
c = 1 + b
y = 1 / c
""", "y", ("x",)),
    Example("neuron", "A neuron with binary cross-entropy",
            "A single neuron, z = w·x + b, squashed by a sigmoid and scored with binary cross-entropy. The notebook "
            "derives ∂loss/∂w = 6.6918 and ∂loss/∂b = 0.9988 by hand.",
            """\
x = torch.tensor(6.7)  # input feature
y = torch.tensor(0.0)  # true label (binary)
w = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)

def binary_cross_entropy_loss(prediction, target):
    epsilon = 1e-8  # to prevent log(0)
    prediction = torch.clamp(prediction, epsilon, 1 - epsilon)
    return -(target * torch.log(prediction) + (1 - target) * torch.log(1 - prediction))

z = w * x + b
y_pred = torch.sigmoid(z)
loss = binary_cross_entropy_loss(y_pred, y)
""", "loss", ("w", "b")),
    Example("linear", "A linear model with mean squared error",
            "Matrices now: each step of backward is a vector-Jacobian product, written with shapes. The bias was "
            "broadcast over the rows, so its gradient is summed back over them.",
            """\
inputs = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
targets = torch.tensor([[2.0], [6.0]])
weights = torch.tensor([[0.1], [0.2]], requires_grad=True)
bias = torch.tensor([0.3], requires_grad=True)

predictions = inputs @ weights + bias
loss = torch.mean((predictions - targets) ** 2)
""", "loss", ("weights", "bias")),
)


@dataclass
class Result:
    example: Example
    values: dict  # name -> tensor, in the order the code made them
    grads: dict  # wrt name -> NumPy array, from chainrule.autograd.grad
    derivation_html: str
    svg: str
    stepper: str  # the stepper page's file name


def run_example(ex: Example, out_dir: Path) -> Result:
    from chainrule import viz
    ns = {"torch": chainrule}
    exec(compile(ex.code, f"<tour {ex.slug}>", "exec"), ns)  # noqa: S102  (our own example code)
    values = {k: v for k, v in ns.items() if isinstance(v, chainrule.Tensor) and not k.startswith("_")}
    out, leaves = ns[ex.output], [ns[w] for w in ex.wrt]
    grads = chainrule.autograd.grad(out, leaves, retain_graph=True)
    derivation = chainrule.explain(out, leaves, names=values)
    svg = viz.draw(out, names=values).svg
    stepper = f"{ex.slug}-backward.html"
    viz.stepper(out, names=values).save(out_dir / stepper)  # last: backward frees the graph
    return Result(ex, values, {w: g._data for w, g in zip(ex.wrt, grads)}, derivation.html(), svg, stepper)


def _tensor_row(name: str, t) -> str:
    kind = "leaf, requires grad" if t.requires_grad and t.is_leaf else \
        f"{t.grad_fn.name()}" if t.grad_fn is not None else "constant"
    shape = "×".join(map(str, t.shape)) or "scalar"
    return (f'<tr><td><var>{html.escape(name)}</var></td><td class="num">{html.escape(array_text(t._data, 6))}</td>'
            f'<td class="meta">{shape} · {html.escape(kind)}</td></tr>')


def _section(r: Result) -> str:
    ex = r.example
    out = html.escape(ex.output)
    grads = "".join(
        f'<tr data-wrt="{html.escape(w)}"><td>∂<var>{out}</var>/∂<var>{html.escape(w)}</var></td>'
        f'<td class="grad num" data-value="{html.escape(json.dumps(g.tolist()))}">{html.escape(array_text(g, 6))}'
        "</td></tr>" for w, g in r.grads.items())
    values = "".join(_tensor_row(k, t) for k, t in r.values.items())
    return f"""
<section class="example" id="{ex.slug}" data-example="{ex.slug}" data-output="{html.escape(ex.output)}">
  <h2>{html.escape(ex.title)}</h2>
  <p class="intro">{html.escape(ex.intro)}</p>
  <div class="grid">
    <div class="left">
      <h3>Code</h3>
      <pre><code>{html.escape(ex.code.rstrip())}</code></pre>
      <h3>Gradients from autograd</h3>
      <table class="grads">{grads}</table>
      <h3>Values</h3>
      <table class="values">{values}</table>
    </div>
    <figure class="graph">
      {r.svg}
      <figcaption>The graph backward walks, leaves at the bottom.
        <a class="stepper-link" href="{r.stepper}">Step through backward →</a></figcaption>
    </figure>
  </div>
  <h3>The chain rule, written out</h3>
  {r.derivation_html}
</section>"""


def _summary_line(r: Result) -> str:
    ex = r.example
    grads = ", ".join(f"∂{ex.output}/∂{w} = {array_text(g, 6)}" for w, g in r.grads.items())
    return f"  {ex.title:<40} {grads}"


def run_tour(out="chainrule-tour") -> Path:
    """Run every example, write DIR/index.html and DIR/<example>-backward.html, print a summary."""
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = [run_example(ex, out_dir) for ex in EXAMPLES]
    nav = "".join(f'<li><a href="#{r.example.slug}">{html.escape(r.example.title)}</a></li>' for r in results)
    parts = {"NAV": nav, "SECTIONS": "".join(_section(r) for r in results), "VERSION": chainrule.__version__}
    page = _TOKEN.sub(lambda m: parts[m.group(1)], _TEMPLATE.read_text(encoding="utf-8"))
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    print("chainrule tour: the seed notebooks' examples, with gradients from autograd")
    for r in results:
        print(_summary_line(r))
    print(f"report: {index.resolve()}")
    return index
