"""Autograd semantics compared with torch 2.13, snippet by snippet (see scenario.py)."""
import pytest

from scenario import same_as_torch

SCENARIOS = {
    "accumulate across backward calls": """
x = torch.tensor([1., 2.], requires_grad=True)
(x * x).sum().backward(retain_graph=True)
g = x.grad
(x * x).sum().backward()
print(x.grad, g is x.grad)
""",
    "second backward through freed buffers": """
x = torch.tensor([1., 2.], requires_grad=True)
y = (x ** 2).sum(); y.backward(); y.backward()
""",
    "second backward without saved tensors runs": """
x = torch.tensor([1., 2.], requires_grad=True)
y = (x + 1).sum(); y.backward(); y.backward(); print(x.grad)
""",
    "retain_graph": """
x = torch.tensor(3., requires_grad=True)
y = x.exp() * x
y.backward(retain_graph=True); y.backward(); print(x.grad)
""",
    "implicit grad needs a scalar": """
x = torch.ones(2, requires_grad=True)
(x * 2).backward()
""",
    "gradient argument": """
x = torch.ones(2, 3, requires_grad=True)
(x * 2).backward(torch.full((2, 3), 0.5)); print(x.grad)
""",
    "gradient shape mismatch": """
x = torch.ones(2, requires_grad=True)
(x * 2).backward(torch.ones(3))
""",
    "no grad_fn": """
x = torch.ones(2)
x.sum().backward()
""",
    "element index in error": """
a = torch.ones(1, requires_grad=True); b = torch.ones(1)
torch.autograd.backward([a.sum(), b.sum()])
""",
    "backward inputs=": """
a = torch.tensor(2., requires_grad=True); b = torch.tensor(3., requires_grad=True)
(a * b).backward(inputs=[a]); print(a.grad, b.grad)
""",
    "backward inputs empty": """
a = torch.tensor(2., requires_grad=True)
(a * a).backward(inputs=[])
""",
    "autograd.grad": """
x = torch.tensor([1., 2., 3.], requires_grad=True)
y = (x ** 3).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
print(g, g.requires_grad)
h, = torch.autograd.grad(g.sum(), x)
print(h, x.grad)
""",
    "autograd.grad unused": """
x = torch.tensor(1., requires_grad=True); z = torch.tensor(1., requires_grad=True)
torch.autograd.grad(x * 2, [x, z])
""",
    "autograd.grad allow_unused": """
x = torch.tensor(1., requires_grad=True); z = torch.tensor(1., requires_grad=True)
print(torch.autograd.grad(x * 2, [x, z], allow_unused=True))
print(torch.autograd.grad(x * 2, [x, z], allow_unused=True, materialize_grads=True))
""",
    "autograd.grad input without grad": """
x = torch.tensor(1., requires_grad=True); z = torch.tensor(1.)
torch.autograd.grad(x * 2, [z])
""",
    "autograd.grad non-leaf input": """
x = torch.tensor(2., requires_grad=True); y = x * x; z = y * 3
print(torch.autograd.grad(z, y))
""",
    "third derivative": """
x = torch.tensor(0.5, requires_grad=True)
y = torch.sin(x) * x ** 3
g1, = torch.autograd.grad(y, x, create_graph=True)
g2, = torch.autograd.grad(g1, x, create_graph=True)
g3, = torch.autograd.grad(g2, x)
print(g1, g2, g3)
""",
    "create_graph backward warns and builds a graph": """
x = torch.tensor(2., requires_grad=True)
(x ** 3).backward(create_graph=True)
print(x.grad)
""",
    "leaf and non-leaf": """
a = torch.tensor(1., requires_grad=True); b = a * 2; c = torch.ones(3) * 2
print(a.is_leaf, b.is_leaf, c.is_leaf, a.grad_fn, b.requires_grad, c.requires_grad)
""",
    "non-leaf .grad warns": """
a = torch.tensor(1., requires_grad=True); b = a * 2; b.sum().backward()
print(b.grad)
""",
    "retain_grad": """
a = torch.tensor([1., 2.], requires_grad=True); b = a * 2; b.retain_grad(); c = (b * b).sum(); c.backward()
print(b.grad, b.retains_grad, a.retains_grad)
a.retain_grad(); print(a.retains_grad)
""",
    "retain_grad without requires_grad": """
torch.ones(2).retain_grad()
""",
    "tensor hooks": """
a = torch.tensor([1., 2.], requires_grad=True)
b = a * 3
h1 = b.register_hook(lambda g: g * 10)
b.register_hook(lambda g: print("second hook sees", g))
h2 = a.register_hook(lambda g: g + 1)
b.sum().backward()
print(a.grad)
h1.remove(); h2.remove(); a.grad = None
(a * 3).sum().backward(); print(a.grad)
""",
    "hook on tensor without grad": """
torch.ones(2).register_hook(lambda g: g)
""",
    "retain_grad sees hooked value": """
a = torch.tensor([1., 2.], requires_grad=True)
b = a * 3; b.retain_grad(); b.register_hook(lambda g: g * 2)
b.sum().backward(); print(b.grad, a.grad)
""",
    "node hooks": """
a = torch.tensor([1., 2.], requires_grad=True)
b = a.exp()
b.grad_fn.register_prehook(lambda go: print("pre", go))
b.grad_fn.register_hook(lambda gi, go: print("post", gi, go))
b.sum().backward()
""",
    "next_functions": """
a = torch.tensor(2., requires_grad=True); b = torch.tensor(3., requires_grad=True)
c = a * b + a
fns = c.grad_fn.next_functions
print(c.grad_fn.name(), len(fns), fns[0][0].name(), fns[1][0].name(), fns[0][1])
acc = fns[1][0]
print(acc.variable is a, acc.next_functions, c.grad_fn.metadata)
""",
    "scalar constants in next_functions": """
x = torch.ones(2, requires_grad=True)
print([f is None for f, _ in (x * 2).grad_fn.next_functions], len((1 - x).grad_fn.next_functions))
""",
    "in-place on leaf": """
x = torch.ones(2, requires_grad=True)
x.add_(1)
""",
    "in-place under no_grad": """
x = torch.ones(2, requires_grad=True)
with torch.no_grad():
    x.mul_(3)
print(x, x._version)
""",
    "in-place on saved output": """
a = torch.tensor([1., 2., 3.], requires_grad=True)
b = a.exp(); c = b * 2; b.add_(1)
c.sum().backward()
""",
    "in-place on saved leaf constant": """
a = torch.tensor([[1., 2.]], requires_grad=True); w = torch.ones(1, 2)
c = a * w; w.mul_(2)
c.sum().backward()
""",
    "in-place on non-leaf then backward": """
a = torch.tensor([1., 2.], requires_grad=True)
b = a * 2; b.add_(1); b.mul_(3); print(b.grad_fn)
b.sum().backward(); print(a.grad, b._version)
""",
    "detach shares the version counter": """
a = torch.tensor([1., 2.], requires_grad=True)
b = a.sigmoid(); d = b.detach(); d.zero_()
print(b, b._version)
b.sum().backward()
""",
    "detach_": """
a = torch.tensor([1., 2.], requires_grad=True)
b = a * 2; b.detach_(); print(b, b.requires_grad, b.is_leaf)
""",
    "requires_grad on ints": """
torch.tensor([1, 2], requires_grad=True)
""",
    "requires_grad_ on ints": """
torch.tensor([1, 2]).requires_grad_()
""",
    "requires_grad setter on ints": """
t = torch.tensor([1, 2]); t.requires_grad = True
""",
    "requires_grad setter on non-leaf": """
x = torch.ones(1, requires_grad=True); y = x * 2
y.requires_grad = False
""",
    "requires_grad_ False on non-leaf": """
x = torch.ones(1, requires_grad=True); y = x * 2
y.requires_grad_(False)
""",
    "created under no_grad with requires_grad": """
with torch.no_grad():
    a = torch.tensor(1., requires_grad=True); b = a * 2
print(a.requires_grad, b.requires_grad, b.grad_fn)
""",
    "numpy of requires_grad": """
torch.ones(2, requires_grad=True).numpy()
""",
    "item of many": """
torch.ones(2).item()
""",
    "bool of many": """
bool(torch.ones(2))
""",
    "grad modes": """
x = torch.ones(2, requires_grad=True)
with torch.no_grad():
    print(torch.is_grad_enabled(), (x * 2).requires_grad)
    with torch.enable_grad():
        print((x * 2).requires_grad)
with torch.set_grad_enabled(False):
    print((x * 2).requires_grad)
torch.set_grad_enabled(False); print(torch.is_grad_enabled()); torch.set_grad_enabled(True)
@torch.no_grad()
def f(t):
    return t * 2
print(f(x).requires_grad, torch.is_grad_enabled())
with torch.inference_mode():
    print(torch.is_inference_mode_enabled(), torch.is_grad_enabled(), (x * 2).requires_grad)
print(torch.is_inference_mode_enabled())
""",
    "grad setter checks": """
x = torch.ones(2, requires_grad=True)
x.grad = torch.ones(3)
""",
    "zero grad in place": """
x = torch.tensor(2.0, requires_grad=True)
(x ** 2).backward(); g = x.grad; x.grad.zero_(); print(g, x.grad)
(x ** 2).backward(); print(x.grad, g is x.grad)
""",
    "dtype promotion in backward": """
x = torch.ones(2, requires_grad=True)
y = torch.ones(2, dtype=torch.float64, requires_grad=True)
z = (x * y).sum(); z.backward(); print(z.dtype, x.grad.dtype, y.grad.dtype, x.grad)
""",
    # ---- found by test_autograd_fuzz: PyTorch's less obvious rules ----
    "backward(inputs=) retains grad on non-leaf inputs, for good": """
x = torch.ones(2, requires_grad=True); y = x * 2; z = y * 3
z.sum().backward(inputs=[y], retain_graph=True); print(y.retains_grad, y.grad, x.grad)
(y * 4).sum().backward(); print(y.grad, x.grad)
""",
    "backward(inputs=) needs inputs that require grad, via retain_grad": """
x = torch.ones(2, requires_grad=True)
(x * 2).sum().backward(inputs=[torch.ones(2)])
""",
    "backward(inputs=) runs the input's node but computes nothing off the path": """
x = torch.ones(2, requires_grad=True); w = torch.ones(2, requires_grad=True)
y = x * w; y.grad_fn.register_hook(lambda gi, go: print("post", gi))
(y * 3).sum().backward(inputs=[y])
""",
    "the lone root gets its tensor hooks and retain_grad even when off every path": """
x = torch.ones(2, requires_grad=True); w = torch.ones(2, requires_grad=True)
y = x * 2; y.retain_grad(); y.register_hook(lambda g: print("hook", g))
y.grad_fn.register_prehook(lambda g: print("never"))
y.backward(torch.ones(2), inputs=[w]); print(y.grad, w.grad)
""",
    "autograd.grad captures a node it runs before its hooks": """
x = torch.ones(2, requires_grad=True); y = x * 2
y.register_hook(lambda g: g * 10); y.retain_grad()
z = y * 3
print(torch.autograd.grad(z.sum(), [y], retain_graph=True), y.grad)
print(torch.autograd.grad(z.sum(), [y, x], retain_graph=True), y.grad)
""",
    "autograd.grad does not run a captured node it needn't": """
a = torch.ones(2, requires_grad=True); b = a.exp(); b.sum().backward()
print(torch.autograd.grad((b * 3).sum(), [b]))
""",
    "autograd.grad checks outputs before inputs": """
torch.autograd.grad(torch.ones(2).sum(), [torch.ones(2)])
""",
    "materialized zeros require grad with create_graph": """
x = torch.ones(2, requires_grad=True); u = torch.ones(3, requires_grad=True)
print(torch.autograd.grad(x.sum(), [x, u], materialize_grads=True)[1].requires_grad)
g = torch.autograd.grad(x.sum(), [x, u], materialize_grads=True, create_graph=True)[1]
print(g, g.is_leaf)
""",
    "root gradients are cast to the output's dtype": """
x = torch.ones(2, dtype=torch.float64, requires_grad=True)
x.backward(torch.ones(2)); print(x.grad)
print(torch.autograd.grad(x * 2, x, torch.ones(2, dtype=torch.int64)))
x.backward(torch.ones(2, dtype=torch.complex64))
""",
    "create_graph grads accumulate in place afterwards": """
x = torch.tensor([1., 2.], requires_grad=True)
with __import__("warnings").catch_warnings():
    __import__("warnings").simplefilter("ignore")
    (x * x).sum().backward(create_graph=True)
print(x.grad)
(x * x).sum().backward(); print(x.grad, x.grad._version)
""",
    "a leaf that stopped requiring grad gets hooks but no grad": """
x = torch.ones(2, requires_grad=True)
x.register_hook(lambda g: print("hook", g)); x.register_post_accumulate_grad_hook(lambda p: print("post", p.grad))
z = x * 2; x.requires_grad_(False); z.sum().backward(); print(x.grad)
""",
    "leaf moved into the graph interior": """
x = torch.ones(2, requires_grad=True); w = torch.ones(2, requires_grad=True)
z = x * 2; x.requires_grad_(False); x.mul_(w)
z.sum().backward()
""",
    "post accumulate grad hooks": """
torch.ones(2).register_post_accumulate_grad_hook(lambda p: None)
""",
    "post accumulate grad hooks return None": """
x = torch.ones(2, requires_grad=True); x.register_post_accumulate_grad_hook(lambda p: p.grad)
(x * 2).sum().backward()
""",
    "retain_grad follows in-place ops": """
a = torch.ones(4, requires_grad=True)
y = a * 2; y.retain_grad(); y.mul_(3); y.sum().backward(); print(y.grad, a.grad)
a.grad = None
y = a * 2; y.retain_grad(); y[:2].mul_(3); y.sum().backward(); print(y.grad, a.grad)
y = a * 2; w = y[:2]; w.retain_grad(); y.mul_(2); print(w.grad_fn.name(), w.retains_grad)
w.sum().backward(); print(w.grad)
""",
    "views require grad whenever their base does": """
b = torch.ones(3); v = b[:2]
b.requires_grad_(); print(v.requires_grad, v.is_leaf)
a = torch.ones(3, requires_grad=True)
with torch.no_grad():
    u = a.view(3)
u.requires_grad_(False); print(u.requires_grad)
a.requires_grad_(False); print(u.requires_grad)
""",
    "a no_grad view whose base changed in place cannot give its grad_fn": """
a = torch.ones(4, requires_grad=True)
with torch.no_grad():
    v = a.view(2, 2)
    a.add_(1)
print(v.requires_grad)
v.grad_fn
""",
    "a multi-output view whose base changed in place cannot give its grad_fn": """
a = torch.ones(4, requires_grad=True)
y = a * 2; u0, u1 = y.unbind()[:2]; y.add_(1)
u0.grad_fn
""",
    "a view of a no_grad view says so": """
x = torch.ones(2, 3, requires_grad=True)
with torch.no_grad():
    t = x.T
t[0].mul_(2)
""",
    "writing into a no_grad view through an index": """
x = torch.ones(2, 3)
with torch.no_grad():
    t = x.T
x.requires_grad_()
t[0] = 1.
""",
    "detach_ refuses every view": """
torch.ones(3)[1:].detach_()
""",
    "CopySlices lets go of its node after backward": """
a = torch.ones(4, requires_grad=True)
y = a * 1; v = y[1:]; v.fill_(1.5)
v.backward(torch.ones(3)); print(a.grad)
v.backward(torch.ones(3))
""",
    "saved input modified: the message names its grad_fn now": """
x1 = torch.tensor(-0.5, requires_grad=True); x2 = torch.tensor(2., requires_grad=True)
t3 = x2 - x1; t5 = t3 / x1; t3.add_(1)
t5.backward()
""",
    "saved output of an in-place op on a view: the view's grad_fn names it": """
x = torch.ones(2, 3, requires_grad=True)
y = x.clone(); v = y[0]; v.exp_(); y.mul_(2)
y.sum().backward()
""",
    "matmul of a vector and a matrix squeezes in place": """
v = torch.ones(3, requires_grad=True); m = torch.ones(3, 2)
r = v @ m; print(r._version, r._base is None, r.grad_fn.name(), (torch.ones(2, 3) @ v)._version)
""",
    "relu's gradient is recorded with create_graph": """
x = torch.tensor([-1., 2.], requires_grad=True)
g, = torch.autograd.grad(x.relu().sum(), x, create_graph=True); print(g)
print(torch.autograd.grad(g.sum(), x))
""",
    "node names in errors keep a version other than 0": """
x = torch.ones(3, requires_grad=True)
y = x.clamp(min=0); z = y * y; y.add_(1)
z.sum().backward()
""",
    "views of normal tensors made in inference mode are normal": """
x = torch.ones(3, requires_grad=True)
with torch.inference_mode():
    v = x.view(3); u = x[0]; s = torch.ones(3); sv = s.view(3)
print([t.is_inference() for t in (v, u, s, sv)], v.requires_grad, v._version, v.grad_fn)
""",
    "in-place on an inference tensor outside inference mode writes, then raises": """
with torch.inference_mode():
    t = torch.ones(2)
try:
    t.mul_(2)
except RuntimeError as e:
    print(e)
print(t)
""",
    "views returned together are marked whether or not anything requires grad": """
t = torch.ones(2, 3)
p = t.unbind(0)[0]
t.requires_grad_()
p[-1].neg_()
""",
    "tanh and sigmoid gradients are ops of their own": """
x = torch.tensor([-1., 0.5, 2.], dtype=torch.float64, requires_grad=True)
for y in (x.tanh(), x.sigmoid()):
    g, = torch.autograd.grad(y.sum(), x, create_graph=True); print(g)
    g2, = torch.autograd.grad((g * g).sum(), x, create_graph=True); print(g2)
""",
    "writing into one copy of an expanded tensor": """
x = torch.ones(3); e = x.expand(2, 3); e[-1] += 1; print(x, e)
y = torch.ones(3, requires_grad=True) * 1; e = y.expand(2, 3); e[-1] += 1; e[0].mul_(2); print(y)
e += 1
""",
    "__setitem__ frees its node after backward": """
a = torch.ones(2, 2, requires_grad=True)
t = a * 1; t[..., -1] = t.sum(); t.sum().backward(); print(a.grad)
t[0] = a.sum()
t.sum().backward()
""",
    ".grad of a non-leaf warns only while there is none": """
w = torch.ones(2, requires_grad=True)
x = torch.ones(2); x.grad = torch.full((2,), 3.); x.mul_(w)
print(x.is_leaf, x.grad)
""",
    "leaf or not, as PyTorch's C++ sees it (a stale no_grad view)": """
t = torch.ones(3, requires_grad=True) * 1
with torch.no_grad():
    v = t[None, 0]
t.add_(1)
v.requires_grad_(); print(v.grad)
v.retain_grad(); print(v.retains_grad)
v.is_leaf
""",
    "a node checks its saved tensors in PyTorch's order (div: other first)": """
a = torch.tensor(2., dtype=torch.float64); x = torch.ones(2, 3, dtype=torch.float64, requires_grad=True)
t = a / x
with torch.no_grad():
    x.mul_(0.5)
a.neg_()
t.sum().backward()
""",
    "mean's gradient divides by a Scalar": """
x = torch.ones(3, requires_grad=True); w = torch.tensor(2., requires_grad=True)
for y in (x.mean(), x.mean(0)):
    g, = torch.autograd.grad(y, x, grad_outputs=w * 1, create_graph=True); print(g)
""",
    "where saves its condition": """
x = torch.tensor([1., -2., 3.], requires_grad=True); y = torch.tensor([4., 5., 6.], requires_grad=True)
w = torch.tensor(2., requires_grad=True)
z = torch.where(x > 0, x, y)
g = torch.autograd.grad(z.sum(), [x, y], grad_outputs=w * 1, create_graph=True); print(g)
print(torch.autograd.grad(sum(t.sum() for t in g), [x, y, w], allow_unused=True))
z.sum().backward(); print(x.grad, y.grad)
z.sum().backward()
""",
    "retain_grad regenerates a stale view's grad_fn": """
a = torch.ones(2, 3, requires_grad=True)
t = a * 1; p = t.unbind(0)[0]
with torch.no_grad():
    t.zero_()
p.retain_grad()
""",
    "what hooks return is checked": """
def mk():
    x = torch.ones(2, requires_grad=True); return x, x * 2
for name, hook in [("tensor size", lambda y: y.register_hook(lambda g: torch.ones(3))),
                   ("tensor type", lambda y: y.register_hook(lambda g: 5)),
                   ("tensor dtype", lambda y: y.register_hook(lambda g: g.double())),
                   ("prehook length", lambda y: y.grad_fn.register_prehook(lambda go: (go[0], go[0]))),
                   ("prehook tensor", lambda y: y.grad_fn.register_prehook(lambda go: go[0])),
                   ("hook replaces None", lambda y: y.grad_fn.register_hook(lambda gi, go: (gi[0], gi[0]))),
                   ("hook length", lambda y: y.grad_fn.register_hook(lambda gi, go: (None,))),
                   ("hook type", lambda y: y.grad_fn.register_hook(lambda gi, go: 3))]:
    x, y = mk(); hook(y)
    try:
        y.sum().backward()
    except (RuntimeError, TypeError) as e:
        print(name, type(e).__name__, e)
x, y = mk(); x.register_hook(lambda g: torch.ones(3)); y.sum().backward()
""",
    "leaf hooks run in PyTorch's order (its ready queue breaks ties between leaves)": """
xs = [torch.ones(2, requires_grad=True) for _ in range(6)]
for i, x in enumerate(xs):
    x.register_hook(lambda g, i=i: print("hook", i))
(xs[3] * 2 + xs[0] * xs[5] + xs[1] + xs[4].exp() + xs[2]).sum().backward()
ys = [torch.ones(2, requires_grad=True) for _ in range(5)]
for i, y in enumerate(ys):
    y.register_post_accumulate_grad_hook(lambda p, i=i: print("post", i))
torch.stack(ys).sum().backward()
torch.autograd.backward([ys[2].sum(), ys[0].sum(), (ys[1] * ys[4]).sum()])
""",
    "a view made to require grad accumulates its own .grad": """
x = torch.ones(3)
with torch.no_grad():
    v = x[1:]
v.requires_grad_(); (v * 2).sum().backward(); print(v.grad, v.is_leaf, x.grad)
""",
    "a no_grad view of a tensor that requires grad is saved for backward": """
x = torch.ones(3, requires_grad=True)
with torch.no_grad():
    v = x[1:]
y = v.pow(0.5) * x[1:]
y.sum().backward(); print(x.grad)
y.sum().backward()
""",
    "fill_ and zero_ write expanded tensors": """
x = torch.ones(1, requires_grad=True) * 1
e = x.expand(3); e.fill_(2.); print(x, e)
e.zero_(); print(x)
e.mul_(2)
""",
    "the mean of nothing": """
print(torch.ones(0).mean(), torch.ones(2, 0).mean(1))
""",
    "a view made in inference mode": """
x = torch.ones(2, 3, requires_grad=True) * 1
with torch.inference_mode():
    v = x.view(6)
w = v.view(2, 3)
w.mul_(2)
""",
    "broadcast gradients sum back": """
a = torch.ones(3, 1, requires_grad=True); b = torch.ones(4, requires_grad=True)
(a * b * torch.arange(4.)).sum().backward(); print(a.grad, b.grad)
""",
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(name):
    same_as_torch(SCENARIOS[name])


GRAD_ASSIGN = [
    "x = torch.ones(2, 3, requires_grad=True); x.grad = torch.ones(3)",
    "x = torch.ones(2, requires_grad=True); x.grad = torch.ones(2, dtype=torch.float64)",
    "x = torch.ones(2, requires_grad=True); x.grad = torch.ones(2, dtype=torch.long)",
    "x = torch.ones(2, requires_grad=True); x.grad = 3",
    "x = torch.ones(2, requires_grad=True); x.grad = torch.full((2,), 7.); print(x.grad)",
]


@pytest.mark.parametrize("code", GRAD_ASSIGN)
def test_grad_assignment(code):
    same_as_torch(code)


# Ops that save index tensors, masks or targets free them too: a second backward raises as in PyTorch.
BACKWARD_TWICE = {
    "index": "a[i]", "mask": "a[a > 0]", "index_select": "a.index_select(0, i)",
    "gather": "a.gather(1, torch.tensor([[0], [1], [2]]))", "masked_fill": "a.masked_fill(a > 0, 2.)",
    "masked_fill_tensor": "a.masked_fill(a > 0, torch.tensor(2.))", "masked_select": "a.masked_select(a > 0)",
    "take": "a.take(i)", "take_along_dim": "torch.take_along_dim(a, torch.tensor([[0], [1], [2]]), 1)",
    "index_fill": "a.index_fill(0, i, 3.)", "repeat_interleave": "a.repeat_interleave(torch.tensor([1, 2, 1]), 0)",
    "embedding": "torch.nn.functional.embedding(i, a)",
    "nll_loss": "torch.nn.functional.nll_loss(a, torch.tensor([0, 1, 2]))",
    "scatter_add": "a.scatter_add(1, torch.tensor([[0], [1], [2]]), a[:, :1] * 1)",
    "index_add": "a.index_add(0, i, a[:2] * 1)", "relu": "a.relu()", "sum": "a.sum()",
    "fill_": "(a * 1).fill_(2.)", "fill_tensor": "(a * 1).fill_(torch.tensor(2., requires_grad=True))",
    "setitem": "(lambda y: (y.__setitem__(0, 1.), y)[1])(a * 1)",
}


@pytest.mark.parametrize("expr", list(BACKWARD_TWICE.values()), ids=list(BACKWARD_TWICE))
def test_backward_twice(expr):
    same_as_torch(f"""
a = torch.ones(3, 4, requires_grad=True)
i = torch.tensor([0, 2])
out = ({expr}).sum()
print(out.grad_fn.next_functions[0][0].name())
out.backward()
print(a.grad)
out.backward()
""")


def test_saved_tensors_by_pytorch_names():
    """The autograd docs' 'saved tensors' examples: _saved_self is the input itself, _saved_result a new tensor."""
    same_as_torch("""
x = torch.randn(5, requires_grad=True)
y = x.pow(2)
print(x.equal(y.grad_fn._saved_self), x is y.grad_fn._saved_self, y.grad_fn._saved_exponent)
y = x.exp()
print(y.equal(y.grad_fn._saved_result), y is y.grad_fn._saved_result)
z = x * torch.ones(5)
print(z.grad_fn._saved_other, z.grad_fn._saved_self)
print(x.sum().grad_fn._saved_self_sym_sizes)
m = x.reshape(5, 1) @ torch.ones(1, 2)
print(m.grad_fn._saved_mat2)
t = x.tanh(); t.sum().backward()
t.grad_fn._saved_result
""")


def test_inference_tensors():
    same_as_torch("""
a = torch.ones(3, requires_grad=True)
with torch.inference_mode():
    t = torch.ones(3); u = a * 2
    print(t.is_inference(), u.is_inference(), u.requires_grad, u)
    t.add_(1)
print(a.is_inference(), t.requires_grad, (t * 2).is_inference(), t.clone().is_inference(), t.view(3).is_inference())
print(a + t)
""", "a * t", "t.add_(1)", "t._version", "t.requires_grad_()")


def test_create_graph_warns_once_per_process():
    """backward(create_graph=True) warns once per process (TORCH_WARN_ONCE): fresh processes, as tests share one."""
    import subprocess
    import sys
    pytest.importorskip("torch")
    code = ("import warnings, {m}\nwarnings.simplefilter('always')\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    x = {m}.ones(2, requires_grad=True)\n"
            "    (x * x).sum().backward(create_graph=True); (x * x).sum().backward(create_graph=True)\n"
            "    {m}.autograd.backward([(x * 3).sum()], create_graph=True)\n"
            "print(repr([(c.category.__name__, str(c.message)) for c in w]))")
    got = {m: subprocess.run([sys.executable, "-c", code.format(m=m)], capture_output=True, text=True, check=True)
           .stdout.replace("torch.", "chainrule.") for m in ("chainrule", "torch")}
    assert got["chainrule"] == got["torch"] and "engine.cpp" in got["torch"]


def test_node_classes_print_as_pytorch_s():
    same_as_torch("""
a = torch.ones(2, requires_grad=True)
y = a * 2
y[0] = 1
z = a * 1
z[:1].mul_(2)
print(type((a * 2).grad_fn), type((a * 2).grad_fn.next_functions[0][0]), type(y.grad_fn), type(z.grad_fn))
""")
