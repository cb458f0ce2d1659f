"""nn.functional activations, softmax family, normalize, linear/bilinear, dropout, embedding, one_hot vs torch:
values, dtypes, gradients, second-order gradients, the recorded graph (node names), PyTorch's errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import chainrule
import chainrule.nn.functional  # noqa: F401  (chainrule.nn, as torch.nn, is a submodule)
from parity import check, expect_error, _cr, _th, _flat

torch = pytest.importorskip("torch")

R = np.random.default_rng(7)
A = R.standard_normal((3, 4))
A32 = A.astype(np.float32)
B3 = R.standard_normal((2, 3, 4))
S = np.array(0.7)
E = np.zeros((0, 3))
T = R.standard_normal((4, 3)).T  # non-contiguous
EDGE = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 7.0])  # the kinks of the piecewise activations
INTS = np.array([[1, -2, 3], [0, 5, -1]])
W = R.standard_normal((5, 4))
BIAS = R.standard_normal(5)


def F(m):
    return m.nn.functional


def graph(t):
    """The node names reachable from t.grad_fn, as nested tuples (leaves' AccumulateGrad left out)."""
    def walk(fn):
        kids = tuple(walk(c) for c, _ in fn.next_functions if c is not None and type(c).__name__ != "AccumulateGrad")
        return (type(fn).__name__,) + kids
    return None if t.grad_fn is None else walk(t.grad_fn)


def same_graph(fn, *arrays):
    c = _flat(fn(chainrule, *[_cr(a, True) if isinstance(a, np.ndarray) else a for a in arrays]))
    t = _flat(fn(torch, *[_th(a, True) if isinstance(a, np.ndarray) else a for a in arrays]))
    for x, y in zip(c, t):
        if hasattr(y, "grad_fn"):
            assert graph(x) == graph(y), f"graph {graph(x)} vs torch {graph(y)}"


def case(op, name, fn, *arrays, **kw):
    return pytest.param(fn, arrays, kw, id=f"{op}:{name}")


def unary_cases(op, call, grad2=True, ints=False, inplace=None):
    """The standard cases of an elementwise activation: f64, f32, 0-d, empty, non-contiguous, 3-d."""
    out = [case(op, "f64", call, A, grad2=grad2),
           case(op, "f32", call, A32, grad2=grad2),
           case(op, "0d", call, S, grad2=grad2),
           case(op, "empty", call, E, grad2=grad2),
           case(op, "noncontig", call, T, grad2=grad2),
           case(op, "3d", call, B3, grad2=grad2)]
    if ints:
        out.append(case(op, "int", call, INTS))
    if inplace is not None:
        out.append(case(op, "inplace", inplace, A, grad2=grad2))
    return out


CASES = [
    *unary_cases("relu", lambda m, a: F(m).relu(a), ints=True, inplace=lambda m, a: F(m).relu(a * 1, inplace=True)),
    case("relu", "edge", lambda m, a: F(m).relu(a), EDGE, gradcheck=False),
    case("relu_", "function", lambda m, a: F(m).relu_(a * 1), A),
    case("relu_", "torch", lambda m, a: m.relu_(a * 1), A),
    *unary_cases("relu6", lambda m, a: F(m).relu6(a), ints=True, inplace=lambda m, a: F(m).relu6(a * 1, inplace=True)),
    case("relu6", "edge", lambda m, a: F(m).relu6(a), EDGE, gradcheck=False),
    *unary_cases("hardtanh", lambda m, a: F(m).hardtanh(a), ints=True,
                 inplace=lambda m, a: F(m).hardtanh(a * 1, -0.5, 0.5, inplace=True)),
    case("hardtanh", "bounds", lambda m, a: F(m).hardtanh(a, -0.5, 2.0), EDGE, gradcheck=False),
    case("hardtanh", "int_float_bounds", lambda m, a: F(m).hardtanh(a, -1.5, 1.5), INTS),
    case("hardtanh_", "function", lambda m, a: F(m).hardtanh_(a * 1, 0.0, 1.0), A),
    *unary_cases("leaky_relu", lambda m, a: F(m).leaky_relu(a, 0.2),
                 inplace=lambda m, a: F(m).leaky_relu(a * 1, 0.2, inplace=True)),
    case("leaky_relu", "edge", lambda m, a: F(m).leaky_relu(a), EDGE, gradcheck=False),
    case("leaky_relu", "negative_slope", lambda m, a: F(m).leaky_relu(a, -0.5), A),
    case("leaky_relu_", "function", lambda m, a: F(m).leaky_relu_(a * 1, 0.3), A),
    *unary_cases("elu", lambda m, a: F(m).elu(a, 0.7), inplace=lambda m, a: F(m).elu(a * 1, 0.7, inplace=True)),
    case("elu", "edge", lambda m, a: F(m).elu(a, 2.0), EDGE, gradcheck=False),
    case("elu", "negative_alpha", lambda m, a: F(m).elu(a, -0.5), A),
    case("elu_", "function", lambda m, a: F(m).elu_(a * 1), A),
    *unary_cases("selu", lambda m, a: F(m).selu(a), inplace=lambda m, a: F(m).selu(a * 1, inplace=True)),
    case("selu", "torch", lambda m, a: m.selu(a), A),
    case("selu_", "torch", lambda m, a: m.selu_(a * 1), A),
    *unary_cases("celu", lambda m, a: F(m).celu(a, 1.5), inplace=lambda m, a: F(m).celu(a * 1, 0.5, inplace=True)),
    case("celu", "torch", lambda m, a: m.celu(a, 0.3), A),
    case("celu_", "torch", lambda m, a: m.celu_(a * 1, 2.0), A),
    *unary_cases("gelu", lambda m, a: F(m).gelu(a)),
    case("gelu", "tanh", lambda m, a: F(m).gelu(a, approximate="tanh"), A),
    case("gelu", "tanh_f32", lambda m, a: F(m).gelu(a, approximate="tanh"), A32),
    case("gelu", "large", lambda m, a: F(m).gelu(a), np.array([-40.0, -8.0, 8.0, 40.0])),
    *unary_cases("silu", lambda m, a: F(m).silu(a), inplace=lambda m, a: F(m).silu(a * 1, inplace=True)),
    case("silu", "large", lambda m, a: F(m).silu(a), np.array([-800.0, -30.0, 30.0, 800.0]), gradcheck=False),
    *unary_cases("mish", lambda m, a: F(m).mish(a), inplace=lambda m, a: F(m).mish(a * 1, inplace=True)),
    case("mish", "large", lambda m, a: F(m).mish(a), np.array([-50.0, -20.0, 20.0, 50.0]), gradcheck=False),
    *unary_cases("softplus", lambda m, a: F(m).softplus(a)),
    case("softplus", "beta_threshold", lambda m, a: F(m).softplus(a * 3, beta=2.0, threshold=1.0), A, gradcheck=False),
    case("softplus", "large", lambda m, a: F(m).softplus(a), np.array([-800.0, -30.0, 19.0, 21.0, 800.0])),
    *unary_cases("softsign", lambda m, a: F(m).softsign(a), ints=True),
    *unary_cases("logsigmoid", lambda m, a: F(m).logsigmoid(a)),
    case("logsigmoid", "large", lambda m, a: F(m).logsigmoid(a), np.array([-800.0, -30.0, 30.0, 800.0])),
    *unary_cases("tanhshrink", lambda m, a: F(m).tanhshrink(a), ints=True),
    *unary_cases("hardsigmoid", lambda m, a: F(m).hardsigmoid(a), grad2=False,
                 inplace=lambda m, a: F(m).hardsigmoid(a * 1, inplace=True)),
    case("hardsigmoid", "edge", lambda m, a: F(m).hardsigmoid(a), EDGE, grad2=False, gradcheck=False),
    *unary_cases("hardswish", lambda m, a: F(m).hardswish(a),
                 inplace=lambda m, a: F(m).hardswish(a * 1, inplace=True)),
    case("hardswish", "edge", lambda m, a: F(m).hardswish(a), EDGE, grad2=False, gradcheck=False),
    *unary_cases("softshrink", lambda m, a: F(m).softshrink(a, 0.3)),
    case("softshrink", "edge", lambda m, a: F(m).softshrink(a, 0.5), EDGE, gradcheck=False),
    case("softshrink", "zero", lambda m, a: F(m).softshrink(a, 0.0), A),
    *unary_cases("hardshrink", lambda m, a: F(m).hardshrink(a, 0.3)),
    case("hardshrink", "edge", lambda m, a: F(m).hardshrink(a), EDGE, gradcheck=False),
    case("hardshrink", "torch", lambda m, a: m.hardshrink(a, 0.4), A),
    case("hardshrink", "method", lambda m, a: a.hardshrink(), A),
    case("hardshrink", "negative_lambda", lambda m, a: F(m).hardshrink(a, -1.0), A),
    *unary_cases("threshold", lambda m, a: F(m).threshold(a, 0.1, -2.0), ints=True,
                 inplace=lambda m, a: F(m).threshold(a * 1, 0.1, 20.0, inplace=True)),
    case("threshold", "edge", lambda m, a: F(m).threshold(a, 0.5, 2.0), EDGE, gradcheck=False),
    case("threshold", "torch", lambda m, a: m.threshold(a, 0.0, 1.0), A),
    case("threshold_", "torch", lambda m, a: m.threshold_(a * 1, 0.0, 1.0), A),
    case("threshold_", "function", lambda m, a: F(m).threshold_(a * 1, 0.2, 5.0), EDGE, gradcheck=False),
    case("glu", "last", lambda m, a: F(m).glu(a), A),
    case("glu", "dim0", lambda m, a: F(m).glu(a, 0), B3),
    case("glu", "negdim", lambda m, a: F(m).glu(a, -2), R.standard_normal((2, 4, 3))),
    case("glu", "f32", lambda m, a: F(m).glu(a, 1), A32),
    case("glu", "noncontig", lambda m, a: F(m).glu(a, 0), R.standard_normal((3, 4)).T),
    case("glu", "empty", lambda m, a: F(m).glu(a, 1), np.zeros((0, 4))),
    case("prelu", "scalar_weight", lambda m, a, w: F(m).prelu(a, w), B3, np.array([0.25])),
    case("prelu", "channels", lambda m, a, w: F(m).prelu(a, w), B3, np.array([0.1, -0.3, 0.5])),
    case("prelu", "1d", lambda m, a, w: F(m).prelu(a, w), R.standard_normal(5), np.array([0.2])),
    case("prelu", "2d", lambda m, a, w: F(m).prelu(a, w), A, np.array([0.1, 0.2, 0.3, 0.4])),
    case("prelu", "0d_input", lambda m, a, w: F(m).prelu(a, w), np.array(-0.5), np.array([0.3])),
    case("prelu", "0d_weight", lambda m, a, w: F(m).prelu(a, w), A, np.array(0.3)),
    case("prelu", "f32", lambda m, a, w: F(m).prelu(a, w), A32, np.array([0.25], np.float32)),
    case("prelu", "torch", lambda m, a, w: m.prelu(a, w), A, np.array([0.25])),
    case("prelu", "method", lambda m, a, w: a.prelu(w), A, np.array([0.25])),
    case("prelu", "edge", lambda m, a, w: F(m).prelu(a, w), EDGE, np.array([0.25]), gradcheck=False, grad2=False),
    case("softmax", "dim1", lambda m, a: F(m).softmax(a, 1), A),
    case("softmax", "dim0", lambda m, a: F(m).softmax(a, dim=0), A),
    case("softmax", "negdim", lambda m, a: F(m).softmax(a, -2), B3),
    case("softmax", "f32", lambda m, a: F(m).softmax(a, 1), A32),
    case("softmax", "0d", lambda m, a: F(m).softmax(a, 0), S),
    case("softmax", "empty", lambda m, a: F(m).softmax(a, 1), E),
    case("softmax", "noncontig", lambda m, a: F(m).softmax(a, 1), T),
    case("softmax", "dtype", lambda m, a: F(m).softmax(a, 1, dtype=m.float64), A32),
    case("softmax", "int_dtype", lambda m, a: F(m).softmax(a, 1, dtype=m.float32), INTS),
    case("softmax", "torch", lambda m, a: m.softmax(a, 0), A),
    case("softmax", "method", lambda m, a: a.softmax(-1), A),
    case("softmax", "large", lambda m, a: F(m).softmax(a, 0), np.array([1000.0, 0.0, -1000.0])),
    case("softmax", "neg_inf", lambda m, a: F(m).softmax(a, 0), np.array([-np.inf, 0.0, 1.0]), gradcheck=False),
    case("log_softmax", "dim1", lambda m, a: F(m).log_softmax(a, 1), A),
    case("log_softmax", "dim0", lambda m, a: F(m).log_softmax(a, 0), B3),
    case("log_softmax", "f32", lambda m, a: F(m).log_softmax(a, -1), A32),
    case("log_softmax", "0d", lambda m, a: F(m).log_softmax(a, -1), S),
    case("log_softmax", "empty", lambda m, a: F(m).log_softmax(a, 1), E),
    case("log_softmax", "noncontig", lambda m, a: F(m).log_softmax(a, 0), T),
    case("log_softmax", "dtype", lambda m, a: F(m).log_softmax(a, 1, dtype=m.float64), A32),
    case("log_softmax", "torch", lambda m, a: m.log_softmax(a, 1), A),
    case("log_softmax", "method", lambda m, a: a.log_softmax(0), A),
    case("log_softmax", "large", lambda m, a: F(m).log_softmax(a, 0), np.array([1000.0, 0.0, -1000.0])),
    case("softmin", "dim1", lambda m, a: F(m).softmin(a, 1), A),
    case("softmin", "f32", lambda m, a: F(m).softmin(a, 0), A32),
    case("softmin", "dtype", lambda m, a: F(m).softmin(a, 1, dtype=m.float64), A32),
    case("softmin", "3d", lambda m, a: F(m).softmin(a, -1), B3),
    case("sigmoid", "functional", lambda m, a: F(m).sigmoid(a), A),
    case("tanh", "functional", lambda m, a: F(m).tanh(a), A),
    case("normalize", "default", lambda m, a: F(m).normalize(a), A),
    case("normalize", "f32", lambda m, a: F(m).normalize(a, dim=0), A32),
    case("normalize", "p1_dim0", lambda m, a: F(m).normalize(a, p=1.0, dim=0), A),
    case("normalize", "p3_negdim", lambda m, a: F(m).normalize(a, p=3, dim=-1), B3),
    case("normalize", "inf", lambda m, a: F(m).normalize(a, p=float("inf"), dim=1), A),
    case("normalize", "zero_row", lambda m, a: F(m).normalize(a), np.array([[0.0, 0.0], [3.0, 4.0]]),
         gradcheck=False),
    case("normalize", "1d", lambda m, a: F(m).normalize(a, dim=0), R.standard_normal(5)),
    case("normalize", "noncontig", lambda m, a: F(m).normalize(a), T),
    case("linear", "2d_bias", lambda m, a, w, b: F(m).linear(a, w, b), A, W, BIAS),
    case("linear", "2d", lambda m, a, w: F(m).linear(a, w), A, W),
    case("linear", "3d_bias", lambda m, a, w, b: F(m).linear(a, w, b), B3, W, BIAS),
    case("linear", "3d", lambda m, a, w: F(m).linear(a, w), B3, W),
    case("linear", "4d_bias", lambda m, a, w, b: F(m).linear(a, w, b), R.standard_normal((2, 1, 2, 4)), W, BIAS),
    case("linear", "1d_bias", lambda m, a, w, b: F(m).linear(a, w, b), R.standard_normal(4), W, BIAS),
    case("linear", "2d_bias0d", lambda m, a, w, b: F(m).linear(a, w, b), A, W, np.array(0.5)),
    case("linear", "3d_bias0d", lambda m, a, w, b: F(m).linear(a, w, b), B3, W, np.array(0.5)),
    case("linear", "noncontig_3d_bias", lambda m, a, w, b: F(m).linear(a.transpose(0, 1), w, b), B3, W, BIAS),
    case("linear", "f32", lambda m, a, w, b: F(m).linear(a, w, b), A32, W.astype(np.float32),
         BIAS.astype(np.float32)),
    case("linear", "empty", lambda m, a, w, b: F(m).linear(a, w, b), np.zeros((0, 4)), W, BIAS),
    case("bilinear", "bias", lambda m, a, b, w, c: F(m).bilinear(a, b, w, c), A, R.standard_normal((3, 2)),
         R.standard_normal((2, 4, 2)), np.array([0.1, -0.2])),
    case("bilinear", "no_bias", lambda m, a, b, w: F(m).bilinear(a, b, w), A, R.standard_normal((3, 2)),
         R.standard_normal((2, 4, 2))),
    case("bilinear", "3d", lambda m, a, b, w: F(m).bilinear(a, b, w), R.standard_normal((2, 2, 3)),
         R.standard_normal((2, 2, 2)), R.standard_normal((3, 3, 2))),
    case("bilinear", "torch", lambda m, a, b, w, c: m.bilinear(a, b, w, c), A, R.standard_normal((3, 2)),
         R.standard_normal((2, 4, 2)), np.array([0.1, -0.2])),
    case("bilinear", "f32", lambda m, a, b, w: F(m).bilinear(a, b, w), A32, R.standard_normal((3, 2)).astype(
        np.float32), R.standard_normal((2, 4, 2)).astype(np.float32)),
    case("dropout", "eval", lambda m, a: F(m).dropout(a, 0.5, training=False), A),
    case("dropout", "p0", lambda m, a: F(m).dropout(a, 0.0), A),
    case("dropout", "p1", lambda m, a: F(m).dropout(a, 1.0), A),
    case("dropout", "p1_inplace", lambda m, a: F(m).dropout(a * 1, 1.0, inplace=True), A),
    case("dropout", "torch_eval", lambda m, a: m.dropout(a, 0.3, False), A),
    case("dropout", "empty", lambda m, a: F(m).dropout(a), E),
    case("alpha_dropout", "eval", lambda m, a: F(m).alpha_dropout(a, 0.5), A),
    case("alpha_dropout", "p0", lambda m, a: F(m).alpha_dropout(a, 0.0, True), A),
    case("embedding", "basic", lambda m, w: F(m).embedding(m.tensor([[0, 2], [1, 2]]), w), A, grad2=False),
    case("embedding", "padding_idx", lambda m, w: F(m).embedding(m.tensor([0, 2, 1, 2]), w, padding_idx=2), A,
         gradcheck=False, grad2=False),
    case("embedding", "negative_padding_idx", lambda m, w: F(m).embedding(m.tensor([0, 2, 1]), w, padding_idx=-3), A,
         gradcheck=False, grad2=False),
    case("embedding", "int32", lambda m, w: F(m).embedding(m.tensor([2, 2], dtype=m.int32), w), A, grad2=False),
    case("embedding", "0d", lambda m, w: F(m).embedding(m.tensor(1), w), A, grad2=False),
    case("embedding", "empty", lambda m, w: F(m).embedding(m.tensor([], dtype=m.int64), w), A, grad2=False),
    case("embedding", "scale_grad_by_freq", lambda m, w: F(m).embedding(m.tensor([0, 0, 1, 0]), w,
                                                                        scale_grad_by_freq=True), A, grad2=False,
         gradcheck=False),
    case("embedding", "torch", lambda m, w: m.embedding(w, m.tensor([1, 0])), A, grad2=False),
    case("embedding", "f32", lambda m, w: F(m).embedding(m.tensor([1, 0]), w), A32, grad2=False),
    case("embedding", "max_norm", lambda m, w: F(m).embedding(m.tensor([1, 0, 1]), w.detach().clone(), max_norm=1.0),
         A * 3, grad2=False, gradcheck=False),
    case("one_hot", "infer", lambda m: F(m).one_hot(m.tensor([0, 3, 1])), ),
    case("one_hot", "num_classes", lambda m: F(m).one_hot(m.tensor([[0, 1], [2, 0]]), 4), ),
    case("one_hot", "0d", lambda m: F(m).one_hot(m.tensor(2), 3), ),
    case("one_hot", "empty", lambda m: F(m).one_hot(m.tensor([], dtype=m.int64), 3), ),
]


@pytest.mark.parametrize("fn,arrays,kw", CASES)
def test_parity(fn, arrays, kw):
    check(fn, *arrays, **kw)
    same_graph(fn, *arrays)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)], ids=str)
def test_implicit_dim_warns(name, shape):
    x = np.arange(float(np.prod(shape))).reshape(shape)
    with warnings.catch_warnings(record=True) as wc:
        warnings.simplefilter("always")
        c = getattr(chainrule.nn.functional, name)(chainrule.tensor(x))
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        t = getattr(torch.nn.functional, name)(torch.tensor(x))
    assert [str(w.message) for w in wc] == [str(w.message) for w in wt]
    np.testing.assert_allclose(c.numpy(), t.numpy())


ERRORS = [
    case("relu", "bool", lambda m, a: F(m).relu(a), np.array([True, False])),
    case("relu6", "bool", lambda m, a: F(m).relu6(a), np.array([True, False])),
    case("hardtanh", "min_gt_max", lambda m, a: F(m).hardtanh(a, 2.0, 1.0), A),
    case("leaky_relu", "int", lambda m, a: F(m).leaky_relu(a), INTS),
    case("leaky_relu", "inplace_negative_slope",
         lambda m, a: F(m).leaky_relu(a.requires_grad_() * 1, -0.1, inplace=True).sum().backward(), A),
    case("elu", "int", lambda m, a: F(m).elu(a), INTS),
    case("elu", "inplace_negative_alpha",
         lambda m, a: F(m).elu(a.requires_grad_() * 1, -0.1, inplace=True).sum().backward(), A),
    case("elu", "inplace_leaf", lambda m, a: F(m).elu(a.requires_grad_(), inplace=True), A),
    case("selu", "bool", lambda m, a: F(m).selu(a), np.array([True])),
    case("celu", "alpha0", lambda m, a: F(m).celu(a, 0.0), A),
    case("gelu", "int", lambda m, a: F(m).gelu(a), INTS),
    case("gelu", "approximate", lambda m, a: F(m).gelu(a, approximate="erf"), A),
    case("silu", "int", lambda m, a: F(m).silu(a), INTS),
    case("mish", "int", lambda m, a: F(m).mish(a), INTS),
    case("softplus", "int", lambda m, a: F(m).softplus(a), INTS),
    case("hardsigmoid", "int", lambda m, a: F(m).hardsigmoid(a), INTS),
    case("hardswish", "int", lambda m, a: F(m).hardswish(a), INTS),
    case("logsigmoid", "int", lambda m, a: F(m).logsigmoid(a), INTS),
    case("softshrink", "int", lambda m, a: F(m).softshrink(a), INTS),
    case("softshrink", "negative_lambda", lambda m, a: F(m).softshrink(a, -1.0), A32),
    case("softshrink", "negative_lambda_f64", lambda m, a: F(m).softshrink(a, -0.5), A),
    case("hardshrink", "int", lambda m, a: F(m).hardshrink(a), INTS),
    case("glu", "odd", lambda m, a: F(m).glu(a, 0), A),
    case("glu", "scalar", lambda m, a: F(m).glu(a), S),
    case("glu", "int", lambda m, a: F(m).glu(a, 1), np.array([[1, 2], [3, 4]])),
    case("glu", "bad_dim", lambda m, a: F(m).glu(a, 2), A),
    case("prelu", "channels", lambda m, a, w: F(m).prelu(a, w), A, np.array([0.1, 0.2])),
    case("prelu", "dtype", lambda m, a, w: F(m).prelu(a, w), A, np.array([0.1], np.float32)),
    case("prelu", "0d_input", lambda m, a, w: F(m).prelu(a, w), S, np.array([0.1, 0.2])),
    case("prelu", "2d_weight", lambda m, a, w: F(m).prelu(a, w), A, np.array([[0.1]])),
    case("softmax", "int", lambda m, a: F(m).softmax(a, 1), INTS),
    case("softmax", "int_dim0", lambda m, a: F(m).softmax(a, 0), INTS),
    case("softmax", "bad_dim", lambda m, a: F(m).softmax(a, 2), A),
    case("log_softmax", "int", lambda m, a: F(m).log_softmax(a, -1), INTS),
    case("normalize", "int", lambda m, a: F(m).normalize(a), INTS),
    case("softmax", "dim_tuple", lambda m, a: F(m).softmax(a, (0, 1)), A),
    case("prelu", "int", lambda m: F(m).prelu(m.tensor([1, -2]), m.tensor([1]))),
    case("linear", "dtypes", lambda m, a: F(m).linear(a, m.ones(2, 4)), A),
    case("linear", "dtypes_bias", lambda m, a: F(m).linear(a, m.ones(2, 4), m.ones(2)), A),
    case("linear", "0d", lambda m, w: F(m).linear(m.tensor(1.0, dtype=m.float64), w), W),
    case("linear", "shapes", lambda m, a, w: F(m).linear(a, w), A, R.standard_normal((5, 3))),
    case("bilinear", "dims", lambda m, a, b, w: F(m).bilinear(a, b, w), A, R.standard_normal(2),
         R.standard_normal((2, 4, 2))),
    case("bilinear", "batch", lambda m, a, b, w: F(m).bilinear(a, b, w), A, R.standard_normal((2, 2)),
         R.standard_normal((2, 4, 2))),
    case("bilinear", "in1", lambda m, a, b, w: F(m).bilinear(a, b, w), A, R.standard_normal((3, 2)),
         R.standard_normal((2, 3, 2))),
    case("bilinear", "in2", lambda m, a, b, w: F(m).bilinear(a, b, w), A, R.standard_normal((3, 2)),
         R.standard_normal((2, 4, 3))),
    case("bilinear", "bias", lambda m, a, b, w, c: F(m).bilinear(a, b, w, c), A, R.standard_normal((3, 2)),
         R.standard_normal((2, 4, 2)), np.zeros(3)),
    case("dropout", "p", lambda m, a: F(m).dropout(a, 1.5), A),
    case("dropout", "negative_p", lambda m, a: F(m).alpha_dropout(a, -0.1), A),
    case("dropout", "torch_p", lambda m, a: m.dropout(a, 1.5, False), A),
    case("alpha_dropout", "torch_p", lambda m, a: m.alpha_dropout(a, -1.0, True), A),
    case("embedding", "float_indices", lambda m, w: F(m).embedding(m.tensor([0.0]), w), A),
    case("embedding", "out_of_range", lambda m, w: F(m).embedding(m.tensor([4]), w), A),
    case("embedding", "negative_index", lambda m, w: F(m).embedding(m.tensor([-1]), w), A),
    case("embedding", "padding_idx", lambda m, w: F(m).embedding(m.tensor([0]), w, padding_idx=3), A),
    case("embedding", "negative_padding_idx", lambda m, w: F(m).embedding(m.tensor([0]), w, padding_idx=-4), A),
    case("one_hot", "dtype", lambda m: F(m).one_hot(m.tensor([0.0])), ),
    case("one_hot", "int32", lambda m: F(m).one_hot(m.tensor([0], dtype=m.int32)), ),
    case("one_hot", "negative", lambda m: F(m).one_hot(m.tensor([-1, 0])), ),
    case("one_hot", "too_small", lambda m: F(m).one_hot(m.tensor([3]), 2), ),
    case("one_hot", "empty", lambda m: F(m).one_hot(m.tensor([], dtype=m.int64)), ),
]


@pytest.mark.parametrize("fn,arrays,kw", ERRORS)
def test_errors(fn, arrays, kw):
    expect_error(fn, *arrays)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.sampled_from(["softmax", "log_softmax", "gelu",
                                                                              "elu", "softplus", "mish"]))
def test_random_shapes(shape, name):
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    f = (lambda m, a: getattr(F(m), name)(a, -1)) if "softmax" in name else (lambda m, a: getattr(F(m), name)(a))
    check(f, x, gradcheck=False)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
@pytest.mark.parametrize("inplace", [False, True])
def test_dropout_mask_scaling(p, inplace):
    """Kept elements are scaled by 1/(1-p), the rest are 0, and the gradient uses the same mask."""
    chainrule.manual_seed(3)
    x = chainrule.tensor(np.arange(1.0, 201.0), requires_grad=True)
    y = chainrule.nn.functional.dropout(x * 1, p, inplace=inplace)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    kept = y.detach().numpy() != 0
    np.testing.assert_allclose(y.detach().numpy()[kept], np.arange(1.0, 201.0)[kept] / (1 - p))
    assert abs(kept.mean() - (1 - p)) < 0.15
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / (1 - p))


def test_dropout_identity_and_generator():
    x = chainrule.randn(4, 5)
    assert chainrule.nn.functional.dropout(x, 0.5, training=False) is x
    assert chainrule.dropout(x, 0.0, True) is x
    chainrule.manual_seed(11)
    a = chainrule.nn.functional.dropout(x, 0.5)
    chainrule.manual_seed(11)
    b = chainrule.nn.functional.dropout(x, 0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    y = chainrule.dropout_(x.clone(), 0.5, True)
    assert set(np.unique(y.numpy() / np.where(x.numpy() == 0, 1, x.numpy())).round(6)) <= {0.0, 2.0}


def test_alpha_dropout_values_and_gradient():
    """Alpha dropout as PyTorch: kept x -> a·x + b, dropped -> b', a, b, b' from p; the gradient is a or 0."""
    chainrule.manual_seed(5)
    p, alpha = 0.3, 1.7580993408473766
    a = 1 / np.sqrt((alpha ** 2 * p + 1) * (1 - p))
    x = chainrule.ones(400, dtype=chainrule.float64, requires_grad=True)
    y = chainrule.nn.functional.alpha_dropout(x * 1, p, training=True)
    assert type(y.grad_fn).__name__ == "AddBackward0"
    vals = y.detach().numpy()
    kept = np.isclose(vals, a + alpha * a * p)
    assert np.all(kept | np.isclose(vals, -alpha * a + alpha * a * p))
    assert abs(kept.mean() - (1 - p)) < 0.1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, a, 0.0))
    t = torch.nn.functional.alpha_dropout(torch.ones(400, dtype=torch.float64), p, True).numpy()
    assert set(np.unique(t.round(6))) == set(np.unique(vals.round(6)))


def test_embedding_max_norm_renorms_rows_in_place():
    w0 = np.arange(12.0).reshape(4, 3)
    wc, wt = chainrule.tensor(w0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    yc = chainrule.nn.functional.embedding(chainrule.tensor([1, 3]), wc, max_norm=2.0)
    yt = torch.nn.functional.embedding(torch.tensor([1, 3]), wt, max_norm=2.0)
    np.testing.assert_allclose(wc.detach().numpy(), wt.detach().numpy())
    np.testing.assert_allclose(yc.detach().numpy(), yt.detach().numpy())
    assert wc._version == wt._version
