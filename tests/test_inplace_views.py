"""In-place ops on views: CopySlices on the base, AsStridedBackward0 on the views, PyTorch's checks.

Scenarios run with chainrule and torch 2.13 and must print the same; the finite-difference checks
at the end need no torch.
"""
import numpy as np
import pytest

import chainrule
from scenario import same_as_torch


def names(node):
    return [None if n is None else type(n).__name__ for n, _ in node.next_functions]


SCENARIOS = {
    "augmented assignment into a tensor with history": """
a = torch.ones(3, requires_grad=True)
x = a * 2
x[0] += 1
print(x)
x.sum().backward(); print(a.grad)
""",
    "in-place on a slice rebases the base": """
a = torch.ones(3, requires_grad=True)
y = a * 2
v = y[1:]
w = y[0]
v.mul_(3)
print(y, v, w)
print(type(y.grad_fn).__name__, [type(n).__name__ if n else None for n, _ in y.grad_fn.next_functions])
print([type(n).__name__ for n, _ in v.grad_fn.next_functions], v._version, y._version, w._version)
y.sum().backward(); print(a.grad)
""",
    "the op's other inputs get gradients": """
a = torch.ones(3, requires_grad=True)
y = a * 2
y[:2].mul_(a[:2])
print([type(n).__name__ for n, _ in y.grad_fn.next_functions])
y.sum().backward(); print(a.grad)
""",
    "in-place through a transpose": """
b = torch.ones(2, 3, requires_grad=True)
z = b.clone()
t = z.t()
t[0].exp_()
print(z, t)
z.sum().backward(); print(b.grad)
""",
    "in-place through view and diagonal": """
m = torch.arange(6.).reshape(2, 3).requires_grad_()
s = torch.tensor(2.0, requires_grad=True)
n = m * 1
n.view(3, 2).add_(torch.ones(3, 2))
n.t()[1].mul_(s)
n.diagonal().zero_()
print(n)
n.backward(torch.ones(2, 3)); print(m.grad, s.grad)
""",
    "a view of a tensor without grad takes the other input's history": """
a = torch.ones(3, requires_grad=True)
c = torch.zeros(4)
cv = c[:2]
cv.add_(a[:2])
print(c, cv, c.is_leaf)
c.sum().backward(); print(a.grad)
""",
    "other views of the storage are regenerated": """
a = torch.ones(3, requires_grad=True)
c = torch.zeros(4); v1 = c[:2]; v2 = c[2:]
v2.add_(a[:2])
print(v1.requires_grad, v1.grad_fn.name(), v1 * 2)
y = a * 3; r = y[:2]
y[0:1].mul_(3)
r.sum().backward(); print(a.grad)
""",
    "a base modified in place under no_grad regenerates its views": """
a = torch.ones(3, requires_grad=True)
y = a * 2; v = y[0]
with torch.no_grad():
    y.mul_(2)
print(v, v.grad_fn.name(), [type(n).__name__ for n, _ in v.grad_fn.next_functions])
""",
    "second order through CopySlices": """
a = torch.tensor([1., 2., 3.], requires_grad=True)
y = a * a
y[:2].mul_(a[:2])
g, = torch.autograd.grad(y.sum(), a, create_graph=True)
print(g)
g.sum().backward(); print(a.grad)
""",
    "backward twice through CopySlices": """
a = torch.ones(3, requires_grad=True)
y = a * 2
y[1:].exp_()
y.sum().backward()
y.sum().backward()
""",
    "a saved view modified in place": """
a = torch.ones(3, requires_grad=True)
y = a * 2
v = y[:2]
z = v.exp()
v.mul_(2)
z.sum().backward()
""",
    "views returned together may not be modified in place": """
a = torch.ones(3, requires_grad=True)
(a * 1).unbind()[0].mul_(2)
""",
    "chunk views": """
a = torch.ones(3, requires_grad=True)
(a * 1).chunk(3)[1].mul_(2)
""",
    "split views": """
a = torch.ones(3, requires_grad=True)
(a * 1).split([1, 2])[1].mul_(2)
""",
    "split views of a leaf": """
a = torch.ones(3, requires_grad=True)
a.split(1)[0].mul_(2)
""",
    "split views may be modified under no_grad": """
a = torch.ones(3, requires_grad=True)
y = a * 1
with torch.no_grad():
    y.unbind()[0].mul_(2)
print(y)
""",
    "views made under no_grad require grad but have no history": """
a = torch.ones(3, requires_grad=True)
with torch.no_grad():
    print(a[0], a.view(3), a.t(), a[0] * 1)
    w = a[0]
print(w, w.is_leaf, w.requires_grad, w.grad_fn)
(w * 3).backward(); print(w.grad, a.grad)
""",
    "a view made under no_grad, modified with grad": """
a = torch.ones(3, requires_grad=True)
y = a * 2
with torch.no_grad():
    v = y[0]
v.mul_(2)
""",
    "a leaf that is a view": """
m = torch.arange(6.).reshape(2, 3).requires_grad_()
print(m.is_leaf, m._base)
(m * m).sum().backward(); print(m.grad)
m.add_(1)
""",
    "a view of a leaf view": """
m = torch.arange(6.).reshape(2, 3).requires_grad_()
m[0].mul_(2)
""",
    "a view of a leaf": """
a = torch.ones(3, requires_grad=True)
a[1:].mul_(2)
""",
    "an expanded view is not written in place": """
q = torch.ones(1, requires_grad=True)
(q * 1).expand(3).add_(1)
""",
    "an expanded view of a plain tensor": """
torch.zeros(1).expand(3).add_(1)
""",
    "detach shares the version counter but is not a view": """
a = torch.ones(3, requires_grad=True)
y = a * 2
d = y.detach()
print(d._is_view(), d._base, d._version)
d.mul_(a)
print(d, y, y._version, d._version)
""",
    "setitem into a view of a tensor with history": """
a = torch.ones(2, 3, requires_grad=True)
y = a * 2
y.t()[0] = 5
y[1, 1:] = a[0, :2] * 10
print(y)
y.sum().backward(); print(a.grad)
""",
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(name):
    same_as_torch(SCENARIOS[name])


# ---- finite differences (no torch needed) ---------------------------------------------------------
def _through_views(x):
    y = x * 1.5
    y[1:, ::2].mul_(x[:2, :2])
    y.view(-1)[::3].add_(x.view(-1)[:4] ** 2)
    y.diagonal().div_(x[0, :3] + 3)
    y.t()[0].exp_()  # last: exp saves its output, which a later in-place op would invalidate
    return y


def _regenerated(x):
    y = x.sin()
    r = y[:, 1]  # made before the in-place op, regenerated after it
    y[1:].pow_(2)
    return r * y[0, 0]


@pytest.mark.parametrize("fn", [_through_views, _regenerated], ids=["chain", "regenerated"])
def test_gradcheck_through_inplace_views(fn):
    x = chainrule.tensor(np.random.default_rng(0).uniform(0.5, 1.5, (3, 4)), requires_grad=True)
    assert chainrule.autograd.gradcheck(fn, (x,))
    assert chainrule.autograd.gradgradcheck(fn, (x,))


def test_noncontiguous_base():
    """A base whose own array is not C-contiguous (an op returned a transposed array)."""
    x = chainrule.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    y = x.t().contiguous().t() * 2  # the multiply keeps the transposed layout
    y = y + 0
    y[:, 1:3].mul_(3)
    y.sum().backward()
    expected = np.full((3, 4), 2.0)
    expected[:, 1:3] = 6.0
    assert np.array_equal(x.grad.numpy(), expected)


def test_node_names_and_release():
    a = chainrule.ones(3, requires_grad=True)
    y = a * 2
    y[1:].exp_()
    assert type(y.grad_fn).__name__ == "CopySlices" and names(y.grad_fn) == ["MulBackward0"]
    assert type(y.grad_fn.fn).__name__ == "ExpBackward0"
    y.sum().backward()
    assert y.grad_fn._saved_tensors_freed


def test_no_reference_cycles():
    """Views, their base and CopySlices are freed by reference counting alone."""
    import gc
    import weakref
    gc.collect()
    gc.disable()
    try:
        a = chainrule.ones(3, 4, requires_grad=True)
        y = a * 2
        v = y[1:, ::2]
        w = y.t()[0]  # regenerated after the in-place op below
        v.exp_()
        assert w.grad_fn.name() == "AsStridedBackward0"
        refs = [weakref.ref(t) for t in (y, v, w)] + [weakref.ref(y.grad_fn), weakref.ref(v.grad_fn)]
        del y, v, w
        assert all(r() is None for r in refs)
    finally:
        gc.enable()
