"""chainrule.explain: the chain rule written out, with the numbers autograd gets."""

import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainrule as torch
from chainrule.explain import Derivation
from chainrule.nn.functional import cross_entropy


def f64(v):
    return torch.tensor(v, dtype=torch.float64, requires_grad=True)


def text_of(d) -> str:
    """The text with column padding squeezed out."""
    return re.sub(r" {2,}", " ", str(d))


def autograd_value(out, wrt):
    (g,) = torch.autograd.grad(out, wrt, retain_graph=True, allow_unused=True)
    return np.zeros(wrt.shape) if g is None else g.detach().numpy()


# ---- the seed notebooks ------------------------------------------------------------------------

def test_two_paths_as_the_seed_writes_them():
    a = torch.tensor(3.0, requires_grad=True)
    b = torch.tensor(4.0, requires_grad=True)
    c = a * b
    d = a + b
    e = c + d
    da = torch.explain(e, a, names=locals())
    text = text_of(da)
    assert "∂e/∂a = ∂e/∂c·∂c/∂a + ∂e/∂d·∂d/∂a" in text
    assert "∂c/∂a = b = 4" in text
    assert "∂e/∂a = 1·4 + 1·1" in text
    assert text.rstrip().endswith("= 5")
    assert da.value == 5.0 and da.mode == "paths"
    assert [s["kind"] for s in da.steps] == ["local"] * 4 + ["path", "path", "result"]
    assert [s["product"] for s in da.steps if s["kind"] == "path"] == [4.0, 1.0]
    db = torch.explain(e, b, names=locals())
    assert "∂c/∂b = a = 3" in text_of(db) and db.value == 4.0


def test_squares_plug_numbers_into_the_formula():
    a = torch.tensor(5.0, requires_grad=True)
    b = torch.tensor(20.0, requires_grad=True)
    c = a ** 2 + b ** 2
    d = torch.explain(c, [a, b], names=locals())
    assert d.value == [10.0, 40.0]
    assert "2·a = 2·5 = 10" in text_of(d[0])
    assert "2·b = 2·20 = 40" in text_of(d[1])
    assert "pow₁ = a²" in text_of(d[0])  # the forward computation, next to its local derivative


def test_sigmoid_chain_is_one_product():
    x = torch.tensor(3.0, requires_grad=True)
    a = -x
    b = torch.exp(a)
    c = 1 + b
    y = 1 / c
    d = torch.explain(y, x, names=locals())
    text = text_of(d)
    assert "one path" in text
    assert "∂b/∂a = e^a = e⁻³ = 0.04979" in text
    assert "∂a/∂x = -1" in text
    assert d.value == pytest.approx(autograd_value(y, x).item())
    sig = 1 / (1 + math.exp(-3))
    assert d.value == pytest.approx(sig * (1 - sig), rel=1e-6)


def test_single_neuron_with_bce():
    x, y = torch.tensor(6.7), torch.tensor(0.0)
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)

    def bce(prediction, target):
        prediction = torch.clamp(prediction, 1e-8, 1 - 1e-8)
        return -(target * torch.log(prediction) + (1 - target) * torch.log(1 - prediction))
    z = w * x + b
    y_pred = torch.sigmoid(z)
    loss = bce(y_pred, y)
    d = torch.explain(loss, [w, b], names=locals())
    assert d.value[0] == pytest.approx(6.6918, abs=1e-4)
    assert d.value[1] == pytest.approx(0.9988, abs=1e-4)
    assert d.value == [autograd_value(loss, t).item() for t in (w, b)]
    text = text_of(d[0])
    assert "∂mul₁/∂w = x = 6.7" in text  # a named constant keeps its name
    assert "σ(z)(1 - σ(z)) = σ(6.7)(1 - σ(6.7))" in text


def test_linear_model_vector_jacobian_products_with_shapes():
    inputs = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    targets = torch.tensor([[2.0], [6.0]])
    weights = torch.tensor([[0.1], [0.2]], requires_grad=True)
    bias = torch.tensor([0.3], requires_grad=True)
    predictions = inputs @ weights + bias
    loss = torch.mean((predictions - targets) ** 2)
    dw, db, dx = torch.explain(loss, [weights, bias, inputs], names=locals())
    assert dw.mode == "tensor"
    for d, t in ((dw, weights), (db, bias), (dx, inputs)):
        np.testing.assert_array_equal(d.value, autograd_value(loss, t))
    last = dw.steps[-2]
    assert last["kind"] == "vjp" and last["wrt"] == "weights"
    assert last["terms"][0]["rule"] == "inputsᵀ·∂loss/∂mm₁"
    assert last["terms"][0]["shapes"] == "[2×1] = [2×2]ᵀ·[2×1]"
    bias_step = db.steps[-2]["terms"][0]
    assert bias_step["rule"] == "Σ_rows ∂loss/∂predictions" and bias_step["shapes"] == "[1] ← [2×1]"
    assert dx.steps[-2]["terms"][0]["rule"] == "∂loss/∂mm₁·weightsᵀ"
    assert "[2×2] = [2×1]·[2×1]ᵀ" in text_of(dx)
    assert "= [[-15], [-20.8]]" in text_of(dw)


# ---- names ---------------------------------------------------------------------------------------

def test_names_in_every_form_and_generated_names():
    a, b = f64(2.0), f64(3.0)
    e = torch.exp(a * b) + a
    forms = [{"a": a, "b": b, "e": e, "k": 3, "_hidden": a}, {a: "a", b: "b", e: "e"}, [("a", a), ("b", b), ("e", e)]]
    for names in forms:
        text = text_of(torch.explain(e, a, names=names))
        assert "∂e/∂exp₁·∂exp₁/∂mul₁·∂mul₁/∂a" in text, names
        assert "_hidden" not in text
    anonymous = text_of(torch.explain(e, a))
    assert "∂add₁/∂leaf₁" in anonymous  # unnamed output and leaf get their op's name


def test_same_tensor_through_two_inputs_is_tagged():
    a = f64(3.0)
    c = a * a
    d = torch.explain(c, a, names=locals())
    assert "∂c/∂a[a]·" not in text_of(d)  # one factor per path
    assert "∂c/∂a[a] + ∂c/∂a[b]" in text_of(d) and d.value == 6.0


# ---- formats -------------------------------------------------------------------------------------

def test_markdown_latex_and_html():
    a, b = f64(3.0), f64(4.0)
    c = a * b
    e = c + torch.sin(a)
    d = torch.explain(e, a, names=locals())
    md = d._repr_markdown_()
    assert "$$" in md and r"\frac{\partial e}{\partial a}" in md and r"\cos" in md
    latex = d._repr_latex_()
    assert latex.startswith("$$") and latex.rstrip().endswith("$$") and r"\begin{aligned}" in latex
    page = d.html()
    assert page.startswith('<div class="derivation">') and "<table" in page and "<var>a</var>" in page
    assert repr(d) == str(d)


def test_latex_names_and_transposes():
    inputs = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y_w = torch.tensor([[0.1], [0.2]], requires_grad=True)
    loss = (inputs @ y_w).sum()
    latex = torch.explain(loss, y_w, names=locals())._repr_latex_()
    assert r"\mathrm{inputs}^{\top}" in latex and r"\mathrm{y\_w}" in latex and "ᵀ" not in latex


# ---- edge cases ----------------------------------------------------------------------------------

def test_wrt_output_unconnected_and_intermediate():
    a, b = f64(2.0), f64(5.0)
    c = a * 3
    e = c * c
    assert torch.explain(e, e).value == 1.0
    un = torch.explain(e, b, names=locals())
    assert un.mode == "unconnected" and un.value == 0.0 and "explain_grad" in text_of(un)
    const = torch.tensor(1.0)
    assert torch.explain(e, const).value == 0.0
    mid = torch.explain(e, c, names=locals())
    assert mid.value == autograd_value(e, c).item() == 12.0


def test_refuses_what_it_cannot_explain():
    a = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="2 elements"):
        torch.explain(a * 2, a)
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.explain(torch.tensor(1.0), a)
    with pytest.raises(TypeError):
        torch.explain((a * 2).sum(), "a")


def test_freed_graph_says_what_to_do():
    a = f64(2.0)
    y = torch.exp(a) * a
    y.backward()
    with pytest.raises(RuntimeError, match="before .backward\\(\\).*retain_graph=True"):
        torch.explain(y, a)


def test_explain_leaves_the_graph_usable():
    a = f64(2.0)
    y = torch.exp(a) * a
    torch.explain(y, a)
    y.backward()
    assert a.grad.item() == pytest.approx(3 * math.exp(2))


def test_multi_output_ops_and_broadcasting():
    x = f64([1.0, 2.0, 3.0])
    u, v, w = x.unbind()
    y = (u * v + w ** 2) * torch.exp(x).sum()
    np.testing.assert_allclose(torch.explain(y, x).value, autograd_value(y, x), rtol=1e-12)
    m = f64([[1.0, -2.0], [0.5, 4.0]])
    r = f64([3.0, -1.0])
    z = (torch.tanh(m * r + r) @ r).mean()
    for t in (m, r):
        np.testing.assert_allclose(torch.explain(z, t).value, autograd_value(z, t), rtol=1e-12)


def test_small_network_jacobian_and_broadcast_rules():
    rng = np.random.default_rng(0)
    X = torch.tensor(rng.standard_normal((4, 3)))
    W1 = f64(rng.standard_normal((3, 5)))
    b1 = f64(np.zeros(5))
    W2 = f64(rng.standard_normal((5, 3)))
    h = torch.relu(X @ W1 + b1)
    logits = h @ W2
    loss = cross_entropy(logits, torch.tensor([0, 1, 2, 1]))
    d = torch.explain(loss, [W1, b1, W2], names=locals())
    for got, t in zip(d.value, (W1, b1, W2)):
        np.testing.assert_allclose(got, autograd_value(loss, t), rtol=1e-12)
    text = text_of(d[0])
    assert "∂loss/∂log_softmax₁·(I - 1·sᵀ)" in text  # a Jacobian: a product, not elementwise
    assert "∂loss/∂h ⊙ (1 if add₁ > 0 else 0)" in text
    assert "∂loss/∂W1 = Xᵀ·∂loss/∂mm₁ [3×5] = [4×3]ᵀ·[4×5]" in text
    assert "Σ_rows ∂loss/∂add₁ [5] ← [4×5]" in text_of(d[1])


# ---- long graphs ---------------------------------------------------------------------------------

def test_a_thousand_op_chain_stays_short():
    x = f64(0.5)
    y = x
    for k in range(1000):
        y = y * 1.001 if k % 3 else torch.sin(y)
    d = torch.explain(y, x, names={"x": x, "y": y})
    lines = text_of(d).splitlines()
    assert len(lines) < 60
    assert any("more local derivatives like these" in ln for ln in lines)
    assert d.value == pytest.approx(autograd_value(y, x).item(), rel=1e-12)


def test_many_paths_are_summed_node_by_node():
    x = f64(0.3)
    y = x
    for _ in range(40):
        y = torch.tanh(y * y + x)  # each level doubles the paths
    d = torch.explain(y, x)
    assert d.mode == "nodes"
    text = text_of(d)
    assert "paths, too many to list" in text and len(text.splitlines()) < 80
    assert d.value == pytest.approx(autograd_value(y, x).item(), rel=1e-12)
    for s in d.steps:  # every node's gradient is the sum over its uses
        if s["kind"] == "accumulate":
            assert sum(t["upstream"] * t["local"] for t in s["terms"]) == pytest.approx(s["value"], rel=1e-9)


def test_tensor_chain_stays_short():
    x = f64(np.linspace(0, 1, 12).reshape(3, 4))
    y = x
    for _ in range(300):
        y = torch.sin(y) * 0.9
    d = torch.explain(y.sum(), x)
    assert len(text_of(d).splitlines()) < 70
    np.testing.assert_allclose(d.value, autograd_value(y.sum(), x), rtol=1e-12)


# ---- random scalar graphs against autograd -------------------------------------------------------

UNARY = {"exp": torch.exp, "log": torch.log, "sin": torch.sin, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
         "neg": lambda t: -t}
BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "div": lambda a, b: a / b, "pow": lambda a, b: a ** b}
finite = st.floats(-2.0, 2.0, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


@st.composite
def scalar_graphs(draw):
    """Leaves, then ops on earlier values (so sub-expressions are shared) and on constants."""
    leaves = [f64(draw(finite)) for _ in range(draw(st.integers(1, 3)))]
    values = list(leaves)
    for _ in range(draw(st.integers(1, 12))):
        i = draw(st.integers(0, len(values) - 1))
        if draw(st.booleans()):
            values.append(UNARY[draw(st.sampled_from(sorted(UNARY)))](values[i]))
            continue
        op = BINARY[draw(st.sampled_from(sorted(BINARY)))]
        other = values[draw(st.integers(0, len(values) - 1))] if draw(st.booleans()) else draw(finite)
        values.append(op(other, values[i]) if draw(st.booleans()) else op(values[i], other))
    out = values[-1]
    for v in values[len(leaves):-1]:
        if draw(st.integers(0, 3)) == 0:  # join in other branches: more paths
            out = out + v
    return leaves, out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scalar_graphs())
def test_random_scalar_graphs_match_autograd(graph):
    leaves, out = graph
    for leaf in leaves:
        d = torch.explain(out, leaf)
        assert isinstance(d, Derivation)
        expected = autograd_value(out, leaf).item()
        np.testing.assert_allclose(d.value, expected, rtol=1e-9, atol=1e-300, equal_nan=True)
        paths = [s["product"] for s in d.steps if s["kind"] == "path"]
        if d.mode == "paths" and np.isfinite(paths).all() and math.isfinite(expected) and abs(expected) < 1e12:
            assert math.fsum(paths) == pytest.approx(expected, rel=1e-6, abs=1e-9)  # Σ over paths of Π local
        text_of(d), d._repr_latex_(), d.html()
