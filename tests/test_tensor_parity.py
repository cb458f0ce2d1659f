"""The Tensor API, creation, dtypes and promotion, compared with torch 2.13 (see scenario.py)."""
import itertools

import numpy as np
import pytest

import chainrule
from scenario import same_as_torch, torch

API = {
    "creation": """
print(torch.tensor(3), torch.tensor(2.5), torch.tensor(True), torch.tensor([1, 2]), torch.tensor([1., 2]))
print(torch.tensor([[1, 2], [3, 4]], dtype=torch.float64), torch.tensor(3, dtype=torch.float32))
print(torch.zeros(2, 3), torch.ones((2,)), torch.full((2, 2), 7), torch.full((2,), 1.5), torch.empty(0, 3))
print(torch.arange(5), torch.arange(1, 4, 0.5), torch.arange(0., 1., 0.25), torch.linspace(0, 1, 5))
print(torch.eye(3), torch.eye(2, 3, dtype=torch.int64))
x = torch.ones(2, 3, dtype=torch.float64)
print(torch.zeros_like(x), torch.ones_like(x, dtype=torch.int32), torch.full_like(x, 4), torch.empty_like(x).shape)
print(torch.tensor([]), torch.tensor([[]]), torch.zeros(0, dtype=torch.int64))
""",
    "from numpy": """
import numpy as np
a = np.array([1., 2.]); t = torch.from_numpy(a); a[0] = 5; print(t, t.dtype)
print(torch.as_tensor(np.arange(3)), torch.tensor(np.float32(2.5)), torch.tensor(np.array([1, 2], dtype=np.int32)))
""",
    "random shapes and dtypes": """
torch.manual_seed(0)
print(torch.rand(2, 3).shape, torch.randn(4).dtype, torch.randint(0, 10, (3,)).dtype, torch.randint(5, (2, 2)).shape)
r = torch.rand(1000); print(bool((r >= 0).all()), bool((r < 1).all()))
""",
    "attributes": """
x = torch.ones(2, 3, requires_grad=True)
print(x.shape, x.size(), x.size(1), x.size(-1), x.dim(), x.ndim, x.numel(), x.dtype, x.device, len(x))
print(x.T.shape, x.data, x.is_leaf, x.grad, x.requires_grad, x.grad_fn, x.is_floating_point())
""",
    "conversions": """
x = torch.tensor([[1.5, -2.]])
print(x.tolist(), x[0, 0].item(), float(x[0, 0]), int(x[0, 1]), x.numpy(), x.long(), x.int(), x.bool(), x.double())
print(x.to(torch.float64), x.to(dtype=torch.int16), x.type_as(torch.tensor([1])), x.float().dtype, x.clone())
print(x.contiguous().shape, x.detach().requires_grad, x.requires_grad_().requires_grad, x.type())
print(x.cpu().device, x.to("cpu").device)
""",
    "format": """
loss = torch.tensor(11.3); i = torch.tensor(3)
print(f"{loss}", f"{loss:.4f}", f"{i}", f"{i:03d}", "{:>8.2f}".format(torch.tensor(2.5)))
print(f"{torch.tensor([1., 2.])}")
""",
    "format of a non-scalar with a spec": """
f"{torch.tensor([1., 2.]):.2f}"
""",
    "iteration and bool": """
x = torch.tensor([[1, 2], [3, 4]])
for row in x: print(row)
print(bool(torch.tensor(0.)), bool(torch.tensor([3])), [int(v) for v in torch.tensor([5, 6])])
""",
    "bool of empty": "bool(torch.tensor([]))",
    "len of 0-d": "len(torch.tensor(1.))",
    "iterate 0-d": "iter(torch.tensor(1.))",
    "comparisons": """
a = torch.tensor([1., 2., 3.]); b = torch.tensor([3., 2., 1.])
print(a < b, a <= b, a > 2, a >= 2, a == b, a != b, 2 < a)
""",
    "in-place operators": """
a = torch.tensor([1., 2.]); b = a
a += 1; a *= 2; a -= 1; a /= 2; a **= 2
print(a, b is a, a._version)
i = torch.tensor([1, 2]); i += 1; print(i)
""",
    "in-place int true division": "i = torch.tensor([1, 2]); i /= 2",
    "in-place float result into int": "i = torch.tensor([1, 2]); i += 1.5",
    "in-place broadcast to a smaller tensor": "a = torch.ones(3); a += torch.ones(2, 3)",
    "clamp forms": """
x = torch.tensor([-2., 0.5, 3.])
print(torch.clamp(x, -1, 1), x.clamp(min=0), x.clamp(max=0), torch.clamp(x, 0.), x.clamp_(0, 1), x)
""",
    "clamp without bounds": "torch.clamp(torch.ones(2))",
    "max forms": """
x = torch.tensor([[1., 5., 3.], [4., 2., 6.]])
print(x.max(), torch.max(x, 1), x.max(dim=0, keepdim=True), torch.max(x, torch.full((2, 3), 4.)))
v, i = x.min(1); print(v, i, x.max(1).values, x.max(1).indices)
""",
    "sum and mean forms": """
x = torch.arange(6.).reshape(2, 3)
print(x.sum(), x.sum(0), x.sum(-1, keepdim=True), x.sum((0, 1)), x.mean(), x.mean(1), torch.mean(x, dim=0, keepdim=True))
print(torch.tensor([True, False, True]).sum(), torch.tensor([1, 2]).sum().dtype, x.sum(dtype=torch.float64))
""",
    "mean of ints": "torch.tensor([1, 2]).mean()",
    "reshape and transpose": """
x = torch.arange(6.).reshape(2, 3)
print(x.view(3, 2), x.view(-1), x.reshape(3, -1), x.t(), x.T, x.transpose(0, 1), x.permute(1, 0), x.flatten())
print(x.unsqueeze(0).shape, x.unsqueeze(-1).shape, x.reshape(1, 2, 1, 3).squeeze().shape, x.reshape(1, 6).squeeze(0).shape)
""",
    "view of non-contiguous": "torch.ones(2, 3).t().view(6)",
    "bad shape": "torch.ones(2, 3).reshape(4)",
    "matmul forms": """
a = torch.ones(2, 3); b = torch.ones(3, 4); v = torch.ones(3)
print((a @ b).shape, (a @ v).shape, (v @ v), (v @ b).shape, torch.matmul(torch.ones(5, 2, 3), b).shape, torch.mm(a, b).shape)
""",
    "matmul mismatch": "torch.ones(2, 3) @ torch.ones(4, 5)",
    "broadcast mismatch": "torch.ones(2, 3) + torch.ones(2, 4)",
    "integer true division": "print(torch.tensor([1, 2]) / torch.tensor([2, 4]), torch.tensor([3]) / 2, 7 / torch.tensor([2]))",
    "reflected scalar ops": """
x = torch.tensor([1., 2.], requires_grad=True)
for y in (2 + x, 2 - x, 2 * x, 2 / x, 2 ** x, x ** 2, x - 2, x / 2): print(y)
""",
    "set_printoptions": """
torch.set_printoptions(precision=2)
print(torch.tensor([1.23456, 2.]))
torch.set_printoptions(profile="default")
print(torch.tensor([1.23456, 2.]))
""",
    "repr suffixes": """
x = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)
print(x, x * 2, torch.tensor([1, 2], dtype=torch.int32), torch.zeros(2, dtype=torch.float16), torch.tensor([True]))
print(torch.arange(2000.) * 1, torch.ones(2, 60, requires_grad=True) * 3)
""",
    "default dtype": """
torch.set_default_dtype(torch.float64)
print(torch.tensor([1.5]), torch.ones(2).dtype, torch.get_default_dtype(), torch.tensor([1.5], dtype=torch.float32))
torch.set_default_dtype(torch.float32)
print(torch.tensor(1.).dtype)
""",
    "dtype aliases": """
print(torch.float, torch.double, torch.half, torch.long, torch.int, torch.short, torch.bool, torch.uint8, torch.int8)
print(torch.float32 is torch.float, torch.float64.is_floating_point, torch.int64.is_floating_point, torch.promote_types(torch.int32, torch.float16))
""",
    "devices": """
print(torch.device("cpu"), repr(torch.device("cpu")), torch.device("cuda:1"), repr(torch.device("cuda", 0)), torch.cuda.is_available())
print(torch.zeros(2, device="cpu").device, torch.ones(1).to("cpu").device == torch.device("cpu"))
""",
    "number conversion of complex tensors": """
print(int(torch.tensor(1+0j)), float(torch.tensor(3+0j)))
float(torch.tensor(1+2j))
""",
    "int of a complex tensor with an imaginary part": "int(torch.tensor(2.5+1j))",
    "from_numpy of a NumPy scalar": "import numpy as np; torch.from_numpy(np.float32(1))",
}


@pytest.mark.parametrize("name", list(API))
def test_api(name):
    same_as_torch(API[name])


_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
_SCALARS = [True, 2, 2.5]


def _promotion_cases():
    for a, b in itertools.product(_DTYPES, _DTYPES):
        for shape_a, shape_b in (((2,), (2,)), ((2,), ()), ((), ())):
            yield a, b, shape_a, shape_b
    for a, s in itertools.product(_DTYPES, _SCALARS):
        for shape in ((2,), ()):
            yield a, s, shape, None


@pytest.mark.parametrize("a,b,sa,sb", list(_promotion_cases()))
def test_type_promotion(a, b, sa, sb):
    """add/mul result dtypes for every pair of dtypes, dimensioned vs 0-d vs Python scalars."""
    if torch is None:
        pytest.skip("needs torch")

    def make(m, dt, shape):
        return m.ones(shape, dtype=getattr(m, dt))

    for op in ("mul", "add"):
        ours = getattr(chainrule, op)(make(chainrule, a, sa), make(chainrule, b, sb) if sb is not None else b)
        theirs = getattr(torch, op)(make(torch, a, sa), make(torch, b, sb) if sb is not None else b)
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1], (op, a, b, sa, sb)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


NODE_NAMES = [
    "a + b", "a - b", "1 - a", "a * b", "a / b", "1 / a", "a ** 2", "a ** b", "2 ** a", "-a", "a.exp()", "a.log()",
    "a.sin()", "a.cos()", "a.tanh()", "a.sigmoid()", "a.clamp(0, 1)", "a.clamp(min=b)", "a.sum()", "a.sum(0)",
    "a.mean()", "a.mean(0)", "a.max()", "a.max(0)[0]", "torch.max(a, b)", "torch.maximum(a, b)", "m.mm(m.t())",
    "torch.addmm(v, m, m.t())", "m.T", "m.t()", "m.reshape(6)", "m.view(3, 2)", "m.transpose(0, 1)",
    "m.permute(1, 0)", "a @ b", "m @ c", "m[0]", "m[:, 1:]", "m[None]", "m.unsqueeze(0)", "m.squeeze()",
    "m.squeeze(0)", "a.abs()", "a.relu()", "a.sqrt()", "m.expand(2, 2, 3)", "a.to(torch.float64)", "m.clone()",
    "m.t().reshape(6)", "m[[0, 1]]", "m.unbind(0)[0]", "torch.stack([a, b])", "torch.cat([a, b])",
]


@pytest.mark.parametrize("expr", NODE_NAMES)
def test_node_names(expr):
    same_as_torch(f"""
a = torch.tensor([1., 2., 3.], requires_grad=True); b = torch.tensor([.5, 2., 4.], requires_grad=True)
m = torch.ones(2, 3, requires_grad=True); c = torch.ones(3, requires_grad=True); v = torch.ones(2, requires_grad=True)
y = {expr}
print(type(y.grad_fn).__name__, y.grad_fn.name(), [type(f).__name__ for f, _ in y.grad_fn.next_functions])
""")
