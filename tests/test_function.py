"""Custom autograd.Function against torch 2.13, plus finite differences that need no torch."""
import numpy as np
import pytest

import chainrule
from scenario import same_as_torch

DEFS = """
class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 2 * x * g


class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * y


class Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, k, flag=True):
        ctx.k = k
        print("needs", ctx.needs_input_grad)
        return x * k

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None, None


class AddOne(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g


def custom(name, backward, forward=lambda ctx, x: x * 1):
    # a Function subclass named `name` (its node is `<name>Backward`)
    return type(name, (torch.autograd.Function,), {"forward": staticmethod(forward),
                                                   "backward": staticmethod(backward)})


class Split(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, ga, gb):
        print("grads", ga, gb)
        return (ga if ga is not None else 0) * 2 + (gb if gb is not None else 0) * 3
"""

SCENARIOS = {
    "square": """
x = torch.tensor([1., 2., 3.], requires_grad=True)
y = Square.apply(x)
print(y, y.grad_fn.name(), y.grad_fn.next_functions[0][0].name(), y.is_leaf)
y.sum().backward(); print(x.grad)
""",
    "non-tensor arguments and needs_input_grad": """
x = torch.tensor([1., 2.], requires_grad=True)
w = torch.tensor([3., 4.])
y = Scale.apply(x, 2.5)
z = Scale.apply(w, x)
print(y, z, len(z.grad_fn.next_functions))
(y.sum() + z.sum()).backward(); print(x.grad)
""",
    "no input requires grad": """
y = Square.apply(torch.tensor([1., 2.]))
print(y, y.grad_fn)
with torch.no_grad():
    print(Square.apply(torch.tensor([1., 2.], requires_grad=True)))
""",
    "two outputs, one unused, grads materialized": """
x = torch.tensor([1., 2.], requires_grad=True)
a, b = Split.apply(x)
print(a, b, a.grad_fn is b.grad_fn)
a.sum().backward(); print(x.grad)
""",
    "set_materialize_grads(False)": """
class Split2(Split):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2, x * 3
x = torch.tensor([1., 2.], requires_grad=True)
a, b = Split2.apply(x)
b.sum().backward(); print(x.grad, a.grad_fn.name())
""",
    "mark_non_differentiable": """
class SortF(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        v, i = x.sort()
        ctx.mark_non_differentiable(i)
        ctx.save_for_backward(i)
        return v, i
    @staticmethod
    def backward(ctx, gv, gi):
        i, = ctx.saved_tensors
        return torch.zeros_like(gv).scatter(0, i, gv)
x = torch.tensor([3., 1., 2.], requires_grad=True)
v, i = SortF.apply(x)
print(v, i, i.requires_grad)
(v * torch.tensor([1., 10., 100.])).sum().backward(); print(x.grad)
""",
    "mark_dirty": """
a = torch.tensor([1., 2.], requires_grad=True)
y = a * 2
z = AddOne.apply(y)
print(z is y, y, y._version)
z.sum().backward(); print(a.grad)
""",
    "mark_dirty on a leaf": """
AddOne.apply(torch.tensor([1., 2.], requires_grad=True))
""",
    "an input returned as it is": """
class Ident(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x
    @staticmethod
    def backward(ctx, g):
        return g * 5
x = torch.tensor([1., 2.], requires_grad=True)
y = Ident.apply(x)
print(y is x, y, x)
y.sum().backward(); print(x.grad)
""",
    "too many gradients": """
Bad = custom("Bad", lambda ctx, g: (g, g))
Bad.apply(torch.ones(2, requires_grad=True)).sum().backward()
""",
    "trailing None gradients are allowed": """
Extra = custom("Extra", lambda ctx, g: (g, None))
x = torch.ones(2, requires_grad=True)
Extra.apply(x).sum().backward(); print(x.grad)
""",
    "a gradient for a non-tensor input": """
Bad = custom("Bad", lambda ctx, g: (g, g), forward=lambda ctx, x, k: x * k)
Bad.apply(torch.ones(2, requires_grad=True), 3).sum().backward()
""",
    "a gradient of the wrong shape": """
Bad = custom("Bad", lambda ctx, g: torch.ones(3))
Bad.apply(torch.ones(2, requires_grad=True)).sum().backward()
""",
    "a gradient that broadcasts back": """
Wide = custom("Wide", lambda ctx, g: torch.ones(4, 2))
x = torch.ones(2, requires_grad=True)
Wide.apply(x).sum().backward(); print(x.grad)
""",
    "backward twice frees saved tensors": """
x = torch.tensor([1., 2.], requires_grad=True)
y = Square.apply(x).sum()
y.backward()
y.backward()
""",
    "saved output modified in place": """
x = torch.tensor([1., 2.], requires_grad=True)
y = Exp.apply(x)
y.mul_(2)
y.sum().backward()
""",
    "second order through a Function": """
x = torch.tensor([1., 2.], requires_grad=True)
g, = torch.autograd.grad(Square.apply(x).sum() + Exp.apply(x).sum(), x, create_graph=True)
print(g)
g.sum().backward(); print(x.grad)
""",
    "setup_context": """
class Cube(torch.autograd.Function):
    @staticmethod
    def forward(x):
        return x ** 3
    @staticmethod
    def setup_context(ctx, inputs, output):
        x, = inputs
        ctx.save_for_backward(x)
    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 3 * x ** 2 * g
x = torch.tensor([1., 2.], requires_grad=True)
y = Cube.apply(x); print(y)
y.sum().backward(); print(x.grad)
""",
    "once_differentiable": """
from torch.autograd.function import once_differentiable
class Sq(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x
    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 2 * x * g
x = torch.tensor([1., 2.], requires_grad=True)
g, = torch.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
print(g.requires_grad)
""",
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(name):
    same_as_torch(DEFS + SCENARIOS[name])


class _Tanh(chainrule.autograd.Function):
    @staticmethod
    def forward(ctx, x, w):
        y = (x * w).tanh()
        ctx.save_for_backward(x, w, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, w, y = ctx.saved_tensors
        d = g * (1 - y * y)
        return d * w, (d * x).sum(0)


def test_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(0)
    x = chainrule.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    w = chainrule.tensor(rng.standard_normal(2), requires_grad=True)
    assert chainrule.autograd.gradcheck(_Tanh.apply, (x, w))
    assert chainrule.autograd.gradgradcheck(_Tanh.apply, (x, w))


def test_node_is_the_ctx_and_is_freed():
    x = chainrule.ones(3, 2, requires_grad=True)
    y = _Tanh.apply(x, chainrule.ones(2))
    assert type(y.grad_fn).__name__ == "_TanhBackward" and len(y.grad_fn.saved_tensors) == 3
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.saved_tensors


def test_explain_and_stepper_through_a_function():
    """A custom Function has no formula to quote: explain and the stepper still give its numbers."""
    ns = {"torch": chainrule}
    exec(DEFS, ns)  # the Square of the scenarios, defined with chainrule
    a = chainrule.tensor(3.0, requires_grad=True)
    y = ns["Square"].apply(a) + a
    text = str(chainrule.explain(y, a, names={"a": a, "y": y}))
    assert "∂y/∂a = 1·6 + 1" in text and text.rstrip().endswith("= 7")
    steps = chainrule.viz.stepper(y, names={"a": a, "y": y}).steps
    assert steps[1]["text"] == "SquareBackward receives ∂y/∂SquareBackward = 1 and sends 6 to a (part of ∂y/∂a)."
    assert a.grad.item() == 7.0
