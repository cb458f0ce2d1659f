"""Pointwise ops vs torch: values, dtypes, gradients, second-order gradients, the recorded graph (node names),
PyTorch's choices at special points (ties, zeros, nan, inf) and its errors."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import chainrule
from parity import check, expect_error, _cr, _th, _flat

torch = pytest.importorskip("torch")

R = np.random.default_rng(11)
A = R.standard_normal((3, 4))
B = R.standard_normal(4)
C = R.standard_normal((3, 1))
POS = R.uniform(0.5, 1.5, (3, 4))
UNIT = R.uniform(-0.9, 0.9, (3, 4))
PROB = R.uniform(0.05, 0.95, (3, 4))
GT1 = R.uniform(1.2, 2.5, (3, 4))
NZ = np.where(np.abs(A) < 0.3, 0.7, A)  # away from 0 (kinks)
DV = np.array([0.7, -1.3, 2.1, -0.45])  # divisors: A / DV is far from whole numbers (remainder's jumps)
E = np.zeros((0, 3))
INTS = np.array([[3, -2, 0, 5], [-7, 1, 4, -1]])
INTS2 = np.array([2, -3, 1, 5])
BOOLS = np.array([[True, False, True], [False, False, True]])
BOOLS2 = BOOLS[::-1].copy()
SPECIAL = np.array([math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0, -1.0, 0.5, 1.5, -2.5, 2.5])
TIES = (np.array([1.0, 2.0, -1.0, 0.0, 3.0]), np.array([1.0, 3.0, -1.0, 0.0, 2.0]))
NANS = (np.array([math.nan, 1.0, 2.0, math.nan]), np.array([1.0, math.nan, 2.0, math.nan]))


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


def _call(op, *args, **kw):
    return lambda m, *ts: getattr(m, op)(*ts, *args, **kw)


def unary_cases(op, dom=A, *, tag="", inplace=True, ints=True, bools=True, special=True, **kw):
    """f64 (with finite differences), f32, method, in-place, 0-d, empty, non-contiguous, int/bool, special values.
    inplace="no_grad": PyTorch records the in-place form without a derivative."""
    f = _call(op, **kw)

    def c(name, *args, **opts):
        return case(op, tag + name, *args, **opts)
    out = [c("f64", f, dom),
           c("f32", f, dom.astype(np.float32)),
           c("method", lambda m, a: getattr(a, op)(**kw), dom, gradcheck=False),
           c("0d", f, np.array(dom.flat[1])),
           c("empty", f, E),
           c("noncontig", lambda m, a: getattr(m, op)(a.t()[::2], **kw), dom, gradcheck=False)]
    if inplace:
        out.append(c("inplace", lambda m, a: getattr(a * 1, op + "_")(**kw), dom, gradcheck=False,
                     grad=inplace != "no_grad"))
    if ints:
        out.append(c("int", f, INTS))
    if bools:
        out.append(c("bool", f, BOOLS))
    if special:
        out.append(c("special", f, SPECIAL, gradcheck=False))
    return out


CASES = [
    # ---- unary, existing in ops/pointwise.py
    *unary_cases("neg", bools=False),
    case("neg", "operator", lambda m, a: -a, A),
    case("negative", "alias", lambda m, a: m.negative(a), A),
    *unary_cases("exp"),
    *unary_cases("log", POS),
    *unary_cases("sqrt", POS),
    *unary_cases("sin"),
    *unary_cases("cos"),
    *unary_cases("tanh"),
    *unary_cases("sigmoid"),
    *unary_cases("abs", NZ, bools=False),
    case("abs", "zero", lambda m, a: m.abs(a), np.array([0.0, -0.0, 1.0]), gradcheck=False),
    case("abs", "operator", lambda m, a: abs(a), NZ),
    case("absolute", "alias", lambda m, a: m.absolute(a), NZ),
    *unary_cases("relu", NZ, bools=False),
    case("relu", "zero", lambda m, a: m.relu(a), np.array([0.0, -1.0, 1.0]), gradcheck=False),
    *unary_cases("sign"),
    *unary_cases("sgn"),
    *unary_cases("reciprocal", NZ),
    case("positive", "f64", lambda m, a: m.positive(a), A),
    case("positive", "operator", lambda m, a: +a, A),
    case("positive", "int", lambda m, a: m.positive(a), INTS),
    # ---- unary math
    *unary_cases("exp2"),
    *unary_cases("expm1"),
    *unary_cases("log2", POS),
    *unary_cases("log10", POS),
    *unary_cases("log1p", POS),
    *unary_cases("rsqrt", POS),
    *unary_cases("square"),
    case("square", "bool_to_long", lambda m, a: m.square(a), BOOLS),
    *unary_cases("tan", UNIT),
    *unary_cases("asin", UNIT),
    *unary_cases("acos", UNIT),
    *unary_cases("atan"),
    *unary_cases("sinh"),
    *unary_cases("cosh"),
    *unary_cases("asinh", inplace="no_grad"),
    *unary_cases("acosh", GT1, inplace="no_grad"),
    *unary_cases("atanh", UNIT, inplace="no_grad"),
    *unary_cases("erf"),
    *unary_cases("erfc"),
    *unary_cases("erfinv", UNIT),
    case("erfinv", "tails", lambda m, a: m.erfinv(a), np.array([-0.999, -0.95, -0.7, 0.7001, 0.99, 0.999999]),
         gradcheck=False),
    case("erfinv", "tails_f32", lambda m, a: m.erfinv(a), np.array([-0.999, -0.95, 0.71, 0.99], np.float32)),
    *unary_cases("logit", PROB),
    *unary_cases("logit", PROB, tag="eps_", eps=0.1),
    case("logit", "eps_clamped", lambda m, a: m.logit(a, 0.2), np.array([0.0, 0.1, 0.2, 0.5, 0.8, 0.9, 1.0]),
         gradcheck=False),
    case("logit", "outside", lambda m, a: m.logit(a), np.array([-0.5, 0.0, 0.3, 1.0, 1.5]), gradcheck=False),
    case("logit", "negative_eps", lambda m, a: m.logit(a, -1.0), np.array([-0.5, 0.3, 1.5]), gradcheck=False),
    *unary_cases("deg2rad"),
    *unary_cases("rad2deg"),
    *unary_cases("frac", ints=False, bools=False),
    # ---- rounding
    *unary_cases("floor", bools=False),
    *unary_cases("ceil", bools=False),
    *unary_cases("round", bools=False),
    case("round", "half_even", lambda m, a: m.round(a), np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.49999997]),
         gradcheck=False),
    *unary_cases("round", A * 100, tag="decimals_", bools=False, ints=False, decimals=1),
    case("round", "decimals_neg", lambda m, a: m.round(a, decimals=-1), A * 100),
    case("round", "decimals_0", lambda m, a: m.round(a, decimals=0), A),
    case("round", "decimals_f32", lambda m, a: m.round(a, decimals=3), (A * 10).astype(np.float32)),
    *unary_cases("trunc", bools=False),
    case("fix", "alias", lambda m, a: m.fix(a), A),
    case("fix", "inplace", lambda m, a: (a * 1).fix_(), A),
    # ---- nan_to_num
    *unary_cases("nan_to_num"),
    case("nan_to_num", "values", lambda m, a: m.nan_to_num(a, 1.0, 2.0, -3.0), SPECIAL, gradcheck=False),
    case("nan_to_num", "f32_max", lambda m, a: m.nan_to_num(a), SPECIAL.astype(np.float32)),
    case("nan_to_num", "int_args", lambda m, a: m.nan_to_num(a, nan=2.5), INTS),
    case("nan_to_num", "nan_none", lambda m, a: m.nan_to_num(a, nan=None), SPECIAL, gradcheck=False),
    # ---- classification (bool results)
    *[c for op in ("signbit", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "logical_not")
      for c in unary_cases(op, SPECIAL, inplace=op == "logical_not", special=False)],
    case("logical_not", "inplace_int", lambda m, a: a.clone().logical_not_(), INTS),
    case("bitwise_not", "int", lambda m, a: m.bitwise_not(a), INTS),
    case("bitwise_not", "bool", lambda m, a: m.bitwise_not(a), BOOLS),
    case("bitwise_not", "operator", lambda m, a, b: (~a, ~b), INTS, BOOLS),
    case("bitwise_not", "method", lambda m, a: a.bitwise_not(), np.array([0, 255], np.uint8)),
    case("bitwise_not", "inplace", lambda m, a: a.clone().bitwise_not_(), INTS),
    case("bitwise_not", "0d", lambda m, a: ~a, np.array(5)),
    case("bitwise_not", "empty", lambda m: ~m.zeros(0, 2, dtype=m.int64)),
    # arcus aliases
    *[case(a, "alias", _call(a), UNIT) for a in ("arcsin", "arccos", "arctan", "arcsinh", "arctanh")],
    case("arccosh", "alias", _call("arccosh"), GT1),
    case("arcsin", "inplace", lambda m, a: (a * 1).arcsin_(), UNIT),
]


def binary_cases(op, a=A, b=B, *, tag="", scalar=1.5, ints=(INTS, INTS2), inplace=True, mixed=True, **kw):
    """Broadcast f64 (finite differences), f32, a Python scalar, 0-d, empty, non-contiguous, ints, mixed dtypes."""
    f = _call(op, **kw)

    def case(op, name, *args, **opts):
        return pytest.param(args[0], args[1:], opts, id=f"{op}:{tag}{name}")
    out = [case(op, "f64", f, a, b),
           case(op, "f32", f, a.astype(np.float32), b.astype(np.float32)),
           case(op, "method", lambda m, x, y: getattr(x, op)(y, **kw), a, b, gradcheck=False),
           case(op, "0d", f, np.array(a.flat[0]), np.array(b.flat[1])),
           case(op, "0d_with_1d", f, np.array(a.flat[0]), b, gradcheck=False),
           case(op, "empty", f, E, np.ones(3)),
           case(op, "noncontig", lambda m, x, y: getattr(m, op)(x.t()[::2], y[:2, None], **kw), a, b,
                gradcheck=False)]
    if scalar is not None:
        out.append(case(op, "scalar", lambda m, x: getattr(m, op)(x, scalar, **kw), a))
        out.append(case(op, "scalar_f32", lambda m, x: getattr(m, op)(x, scalar, **kw), a.astype(np.float32)))
    if inplace:
        out.append(case(op, "inplace", lambda m, x, y: getattr(x * 1, op + "_")(y, **kw), a, b, gradcheck=False))
    if ints:
        out.append(case(op, "int", f, *ints))
    if mixed:
        out.append(case(op, "int_float", f, INTS, b, gradcheck=False))
        out.append(case(op, "f32_f64", f, a.astype(np.float32), b, gradcheck=False))
    return out


CASES += [
    # ---- arithmetic
    *binary_cases("add"),
    *binary_cases("add", tag="alpha_", ints=None, alpha=2.5),
    case("add", "int_alpha", lambda m, a, b: m.add(a, b, alpha=3), INTS, INTS2),
    case("add", "bool", lambda m, a, b: m.add(a, b), BOOLS, BOOLS),
    case("add", "operators", lambda m, a, b: (a + b, 2 + a, a + True), A, B),
    case("add", "inplace_operator", lambda m, a, b: (a * 1).__iadd__(b), A, B),
    *binary_cases("sub"),
    *binary_cases("sub", tag="alpha_", alpha=-2),
    case("sub", "operators", lambda m, a, b: (a - b, 2 - a, a - 0.5), A, B),
    case("rsub", "f64", lambda m, a: m.rsub(a, 2.0), A),
    case("rsub", "alpha", lambda m, a, b: m.rsub(a, b, alpha=2), A, B),
    *binary_cases("mul"),
    case("mul", "bool", lambda m, a, b: m.mul(a, b), BOOLS, BOOLS),
    case("mul", "operators", lambda m, a, b: (a * b, 3 * a, a * False), A, B),
    *binary_cases("div", A, DV),
    case("div", "int_true", lambda m, a, b: m.div(a, b), INTS, INTS2),
    case("div", "operators", lambda m, a, b: (a / b, 2 / b, a / 4), A, DV),
    case("div", "reflected_int", lambda m, a: 7 / a, INTS2),
    case("div", "by_zero", lambda m, a, b: m.div(a, b), np.array([1.0, -1.0, 0.0]), np.array([0.0, 0.0, 0.0]),
         gradcheck=False),
    *binary_cases("div", A, DV, tag="trunc_", rounding_mode="trunc"),
    *binary_cases("div", A, DV, tag="floor_", rounding_mode="floor"),
    case("div", "floor_int", lambda m, a, b: m.div(a, b, rounding_mode="floor"), INTS, INTS2),
    case("div", "trunc_int", lambda m, a, b: m.div(a, b, rounding_mode="trunc"), INTS, INTS2),
    case("div", "trunc_int_neg", lambda m, a: m.div(a, -3, rounding_mode="trunc"), np.arange(-7, 8)),
    case("div", "floor_uint8", lambda m, a: m.div(a, 3, rounding_mode="floor"), np.arange(0, 9, dtype=np.uint8)),
    case("div", "floor_by_zero", lambda m, a: m.div(a, 0.0, rounding_mode="floor"), np.array([1.0, -1.0, 0.0]),
         gradcheck=False),
    case("div", "trunc_by_zero", lambda m, a: m.div(a, 0.0, rounding_mode="trunc"), np.array([1.0, -1.0, 0.0]),
         gradcheck=False),
    case("div", "floor_inplace_int", lambda m, a, b: a.clone().div_(b, rounding_mode="floor"), INTS, INTS2),
    *binary_cases("true_divide", A, DV),
    *[case("floor_divide", n, fn, *arrays, grad=False)
        for n, fn, arrays in (("f64", _call("floor_divide"), (A, DV)),
                              ("f32", _call("floor_divide"), (A.astype(np.float32), DV.astype(np.float32))),
                              ("scalar", lambda m, a: m.floor_divide(a, 0.7), (A,)),
                              ("int", _call("floor_divide"), (INTS, INTS2)),
                              ("int_scalar_first", lambda m, a: m.floor_divide(7, a), (INTS2,)),
                              ("by_zero", lambda m, a: m.floor_divide(a, 0.0), (np.array([1.0, -1.0, 0.0]),)),
                              ("operators", lambda m, a, b: (a // b, 2.5 // b, a // 2), (A, DV)),
                              ("inplace", lambda m, a, b: (a * 1).floor_divide_(b), (A, DV)),
                              ("inplace_operator", lambda m, a, b: (a * 1).__ifloordiv__(b), (A, DV)),
                              ("method", lambda m, a, b: a.floor_divide(b), (INTS, INTS2)),
                              ("empty", _call("floor_divide"), (E, np.ones(3))))],
    *binary_cases("remainder", A, DV, scalar=0.7),
    case("remainder", "signs", lambda m, a, b: m.remainder(a, b), np.array([5.0, -5.0, 5.0, -5.0, 0.0, -0.0, -4.0]),
         np.array([3.0, 3.0, -3.0, -3.0, 2.0, -2.0, 2.0]), gradcheck=False),
    case("remainder", "operators", lambda m, a, b: (a % b, a % 0.7), A, DV),
    case("remainder", "int_operators", lambda m, a, b: (a % b, 7 % b, a % -3), INTS, INTS2),
    case("remainder", "scalar_first", lambda m, a: m.remainder(7, a), INTS2),
    case("remainder", "scalar_first_float", lambda m, a: m.remainder(2.5, a), DV, grad=False),
    case("remainder", "reflected_float", lambda m, a: 2.5 % a, DV, grad=False),
    case("remainder", "by_zero", lambda m, a: m.remainder(a, 0.0), np.array([1.0, -1.0, 0.0]), gradcheck=False),
    case("remainder", "inplace_scalar", lambda m, a: (a * 1).remainder_(0.7), A),
    case("remainder", "inplace_operator", lambda m, a: (a * 1).__imod__(0.7), A),
    *binary_cases("fmod", A, DV, scalar=0.7),
    case("fmod", "signs", lambda m, a, b: m.fmod(a, b), np.array([5.0, -5.0, 5.0, -5.0, 0.0, -0.0]),
         np.array([3.0, 3.0, -3.0, -3.0, 2.0, -2.0]), gradcheck=False),
    case("fmod", "int_scalar", lambda m, a: m.fmod(a, -3), INTS),
    case("fmod", "inplace_scalar", lambda m, a: (a * 1).fmod_(0.7), A),
    # ---- pow and float_power
    *binary_cases("pow", POS, B, scalar=2.5, ints=(INTS, np.abs(INTS2))),
    case("pow", "int_exponent", lambda m, a: m.pow(a, 3), A),
    case("pow", "zero_exponent", lambda m, a: m.pow(a, 0), A),
    case("pow", "zero_base", lambda m, a, b: m.pow(a, b), np.array([0.0, 0.0, 0.0, 2.0]),
         np.array([2.0, 0.0, -1.0, 0.0]), gradcheck=False),
    case("pow", "scalar_base", lambda m, a: m.pow(2.5, a), A),
    case("pow", "scalar_base_zero", lambda m, a: m.pow(0, a), np.array([2.0, -1.0, 0.0, 0.5]), gradcheck=False),
    case("pow", "scalar_base_negative", lambda m, a: m.pow(-2, a), np.array([2.0, -1.0, 0.5]), gradcheck=False),
    case("pow", "operators", lambda m, a, b: (a ** b, 2 ** b, a ** 2), POS, B),
    case("pow", "int_scalar", lambda m, a: m.pow(a, 2), INTS),
    case("pow", "inplace_scalar", lambda m, a: (a * 1).pow_(3), A),
    *binary_cases("float_power", POS, B, scalar=2, inplace=False),
    case("float_power", "scalar_base", lambda m, a: m.float_power(2, a), A),
    case("float_power", "int", lambda m, a: m.float_power(a, 2), INTS),
    case("float_power", "inplace", lambda m, a, b: (a * 1).float_power_(b), POS, B),
    case("float_power", "inplace_scalar", lambda m, a: (a * 1).float_power_(2), POS),
    # ---- two-input math
    *binary_cases("atan2", scalar=None),
    case("atan2", "zeros", lambda m, a, b: m.atan2(a, b), np.array([0.0, -0.0, 0.0, 1.0]),
         np.array([0.0, -1.0, 1.0, 0.0]), gradcheck=False),
    case("arctan2", "alias", lambda m, a, b: (m.arctan2(a, b), (a * 1).arctan2_(b)), A, B),
    case("atan2", "inplace_int", lambda m, a, b: a.atan2(b), INTS, INTS2),
    *binary_cases("hypot", scalar=None, ints=False),
    case("hypot", "zeros", lambda m, a, b: m.hypot(a, b), np.array([0.0, 3.0]), np.array([0.0, 4.0]),
         gradcheck=False),
    case("hypot", "int_float", lambda m, a, b: m.hypot(a, b), INTS2, B),
    *binary_cases("maximum", scalar=None, inplace=False),
    case("maximum", "ties", _call("maximum"), *TIES, gradcheck=False),
    case("maximum", "nan", _call("maximum"), *NANS, gradcheck=False),
    case("maximum", "bool", _call("maximum"), BOOLS, BOOLS2),
    *binary_cases("minimum", scalar=None, inplace=False),
    case("minimum", "ties", _call("minimum"), *TIES, gradcheck=False),
    case("minimum", "nan", _call("minimum"), *NANS, gradcheck=False),
    *binary_cases("fmax", scalar=None, inplace=False),
    case("fmax", "ties", _call("fmax"), *TIES, gradcheck=False),
    case("fmax", "nan", _call("fmax"), *NANS, gradcheck=False),
    case("fmax", "bool", _call("fmax"), BOOLS, BOOLS2),
    *binary_cases("fmin", scalar=None, inplace=False),
    case("fmin", "ties", _call("fmin"), *TIES, gradcheck=False),
    case("fmin", "nan", _call("fmin"), *NANS, gradcheck=False),
    *binary_cases("copysign", NZ, B, scalar=-1.0),
    case("copysign", "zeros", _call("copysign"), np.array([0.0, -0.0, 2.0, -2.0, 1.0]),
         np.array([-1.0, 1.0, -0.0, 0.0, math.nan]), gradcheck=False),
    case("copysign", "negative_zero_scalar", lambda m, a: m.copysign(a, -0.0), NZ),
    case("copysign", "int_scalar", lambda m, a: m.copysign(a, -1), INTS),
    case("copysign", "bool", _call("copysign"), BOOLS, BOOLS),
    case("copysign", "inplace_scalar", lambda m, a: (a * 1).copysign_(-2.0), NZ),
    *binary_cases("xlogy", A, POS[0], scalar=2.5),
    case("xlogy", "zeros", _call("xlogy"), np.array([0.0, 0.0, 0.0, 1.0, 2.0, 0.0]),
         np.array([0.0, math.inf, math.nan, 0.0, -1.0, 2.0]), gradcheck=False),
    case("xlogy", "scalar_self", lambda m, b: m.xlogy(2.5, b), POS),
    case("xlogy", "scalar_self_zero", lambda m, b: m.xlogy(0, b), POS),
    case("xlogy", "int_scalar_self", lambda m, b: m.xlogy(3, b), INTS2),
    case("xlogy", "inplace_scalar", lambda m, a: (a * 1).xlogy_(2.5), A),
    # ---- lerp, addcmul, addcdiv
    case("lerp", "scalar_f64", lambda m, a, b: m.lerp(a, b, 0.3), A, B),
    case("lerp", "scalar_f32", lambda m, a, b: m.lerp(a, b, 0.3), A.astype(np.float32), B.astype(np.float32)),
    case("lerp", "scalar_large", lambda m, a, b: m.lerp(a, b, 0.8), A, B),
    case("lerp", "scalar_one", lambda m, a, b: m.lerp(a, b, 1.0), A, B),
    case("lerp", "scalar_negative", lambda m, a, b: m.lerp(a, b, -0.7), A, B),
    case("lerp", "tensor_far", lambda m, a, b, w: m.lerp(a, b, w), A, B, A * 2),
    case("lerp", "tensor_f64", lambda m, a, b, w: m.lerp(a, b, w), A, B, PROB),
    case("lerp", "tensor_f32", lambda m, a, b, w: m.lerp(a, b, w), A.astype(np.float32), B.astype(np.float32),
         PROB.astype(np.float32)),
    case("lerp", "tensor_broadcast", lambda m, a, b, w: m.lerp(a, b, w), B, C, np.array(0.6)),
    case("lerp", "method", lambda m, a, b, w: a.lerp(b, w), A, B, PROB, gradcheck=False),
    case("lerp", "0d", lambda m, a, b: m.lerp(a, b, 0.25), np.array(1.0), np.array(3.0)),
    case("lerp", "empty", lambda m, a, b: m.lerp(a, b, 0.25), E, np.ones(3)),
    case("lerp", "inplace", lambda m, a, b: (a * 1).lerp_(b, 0.3), A, B, gradcheck=False),
    case("lerp", "inplace_tensor", lambda m, a, b, w: (a * 1).lerp_(b, w), A, B, PROB, gradcheck=False),
    case("lerp", "noncontig", lambda m, a, b: m.lerp(a.t(), b[:, None], 0.3), A, B, gradcheck=False),
    case("addcmul", "f64", lambda m, a, b, c: m.addcmul(a, b, c), A, B, C),
    case("addcmul", "value", lambda m, a, b, c: m.addcmul(a, b, c, value=-0.5), A, B, C),
    case("addcmul", "f32", lambda m, a, b, c: m.addcmul(a, b, c, value=2), A.astype(np.float32),
         B.astype(np.float32), C.astype(np.float32)),
    case("addcmul", "mixed", lambda m, a, b, c: m.addcmul(a, b, c), A.astype(np.float32), INTS2, BOOLS[:1, :1]),
    case("addcmul", "int", lambda m, a, b, c: m.addcmul(a, b, c, value=2), INTS, INTS2, INTS2),
    case("addcmul", "int_float_value", lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), INTS, INTS2, INTS2),
    case("addcmul", "method", lambda m, a, b, c: a.addcmul(b, c, value=3), A, B, C, gradcheck=False),
    case("addcmul", "inplace", lambda m, a, b, c: (a * 1).addcmul_(b, c, value=3), A, B, C, gradcheck=False),
    case("addcmul", "0d", lambda m, a, b, c: m.addcmul(a, b, c), np.array(1.0), np.array(2.0), np.array(-1.0)),
    case("addcmul", "empty", lambda m, a, b, c: m.addcmul(a, b, c), E, np.ones(3), np.ones((1, 3))),
    case("addcdiv", "f64", lambda m, a, b, c: m.addcdiv(a, b, c), A, B, NZ[:, :1]),
    case("addcdiv", "value", lambda m, a, b, c: m.addcdiv(a, b, c, value=-0.5), A, B, NZ[:, :1]),
    case("addcdiv", "f32", lambda m, a, b, c: m.addcdiv(a, b, c, value=2), A.astype(np.float32),
         B.astype(np.float32), NZ[:, :1].astype(np.float32)),
    case("addcdiv", "mixed", lambda m, a, b, c: m.addcdiv(a, b, c), INTS, B, NZ[:2, :1]),
    case("addcdiv", "method", lambda m, a, b, c: a.addcdiv(b, c, value=3), A, B, NZ[:, :1], gradcheck=False),
    case("addcdiv", "inplace", lambda m, a, b, c: (a * 1).addcdiv_(b, c, value=3), A, B, NZ[:, :1],
         gradcheck=False),
    case("addcdiv", "by_zero", lambda m, a, b, c: m.addcdiv(a, b, c), np.ones(2), np.ones(2), np.zeros(2),
         gradcheck=False),
    # ---- where
    case("where", "f64", lambda m, a, b: m.where(a > 0, a, b), A, B),
    case("where", "f32", lambda m, a, b: m.where(a > 0, a, b), A.astype(np.float32), B.astype(np.float32)),
    case("where", "cond_broadcast", lambda m, a, b: m.where(b > 0, a, 0.5), C, B),
    case("where", "scalar_other", lambda m, a: m.where(a > 0, a, 0.0), A),
    case("where", "scalar_self", lambda m, a: m.where(a > 0, -1.0, a), A),
    case("where", "scalars", lambda m, a: (m.where(a > 0, 1.0, 0.0), m.where(a > 0, 1, 0), m.where(a > 0, 1, 2.5),
                                           m.where(a > 0, True, False)), A, grad=False),
    case("where", "int_float", lambda m, a, b: m.where(b > 0, a, b), INTS2, B),
    case("where", "int_scalar", lambda m, a: m.where(a > 0, a, 2.5), INTS),
    case("where", "f32_f64", lambda m, a, b: m.where(b > 0, a, b), A.astype(np.float32), B),
    case("where", "method", lambda m, a, b: a.where(a > 0, b), A, B),
    case("where", "method_scalar", lambda m, a: a.where(a < 0, 0.0), A),
    case("where", "0d", lambda m, a, b: m.where(a > b, a, b), np.array(1.0), np.array(2.0)),
    case("where", "empty", lambda m, a, b: m.where(a > 0, a, b), E, np.ones(3)),
    case("where", "noncontig", lambda m, a, b: m.where(a.t()[::2] > 0, a.t()[::2], b[::2, None]), A, B),
    case("where", "one_arg", lambda m, a: m.where(a > 0), A, grad=False),
    case("where", "one_arg_int", lambda m, a: m.where(a), INTS, grad=False),
    case("where", "one_arg_0d", lambda m: (m.where(m.tensor(True)), m.where(m.tensor(0.0)))),
    case("where", "one_arg_empty", lambda m: m.where(m.zeros(0, 2) > 0)),
    # ---- clamp with tensor bounds
    case("clamp", "min_tensor", lambda m, a, b: m.clamp(a, min=b), A, B, gradcheck=False),
    case("clamp", "max_tensor", lambda m, a, b: m.clamp(a, max=b), A, B, gradcheck=False),
    case("clamp", "both", lambda m, a, lo, hi: m.clamp(a, lo, hi), A, -np.abs(B), np.abs(C)),
    case("clamp", "min_above_max", lambda m, a, lo, hi: m.clamp(a, lo, hi), A, np.abs(B) + 0.1, -np.abs(C)),
    case("clamp", "ties", lambda m, a, lo, hi: m.clamp(a, lo, hi), np.array([0.0, 1.0, 0.5, 2.0]),
         np.array([0.0, 0.0, 0.5, 0.0]), np.array([1.0, 1.0, 0.5, 1.0]), gradcheck=False),
    case("clamp", "f32_bounds_f64", lambda m, a, b: m.clamp(a, b), A.astype(np.float32), B, gradcheck=False),
    case("clamp", "int_float_bounds", lambda m, a, b: m.clamp(a, b), INTS, B),
    case("clamp", "nan", lambda m, a, lo, hi: m.clamp(a, lo, hi), np.array([math.nan, 0.5, 0.5]),
         np.array([0.0, math.nan, 0.0]), np.array([1.0, 1.0, math.nan]), gradcheck=False),
    case("clamp", "inplace_tensor", lambda m, a, b: (a * 1).clamp_(min=b), A, B, gradcheck=False),
    case("clamp", "inplace_both", lambda m, a, b, c: (a * 1).clamp_(b, c), A, -np.abs(B), np.abs(C)),
    case("clip", "tensor", lambda m, a, b: m.clip(a, max=b), A, B, gradcheck=False),
    case("clamp", "number", lambda m, a: m.clamp(a, -0.5, 0.5), A),
    case("clamp", "number_ties", lambda m, a: m.clamp(a, 0.0, 1.0), np.array([0.0, 1.0, 0.5, 2.0]), gradcheck=False),
    case("clamp", "number_min_above_max", lambda m, a: m.clamp(a, 1.0, 0.0), A),
    case("clamp", "number_int", lambda m, a: (m.clamp(a, -1, 2), m.clamp(a, -1.5, 2.5)), INTS),
    case("clamp_min", "tensor", lambda m, a, b: m.clamp_min(a, b), A, B, gradcheck=False),
    case("clamp_min", "number", lambda m, a: m.clamp_min(a, 0.2), A),
    case("clamp_min", "ties", lambda m, a, b: m.clamp_min(a, b), *TIES, gradcheck=False),
    case("clamp_min", "inplace", lambda m, a, b: ((a * 1).clamp_min_(b), (a * 1).clamp_min_(0.1)), A, B,
         gradcheck=False),
    case("clamp_max", "tensor", lambda m, a, b: m.clamp_max(a, b), A, B, gradcheck=False),
    case("clamp_max", "number", lambda m, a: m.clamp_max(a, 0.2), A),
    case("clamp_max", "ties", lambda m, a, b: m.clamp_max(a, b), *TIES, gradcheck=False),
    case("clamp_max", "inplace", lambda m, a, b: ((a * 1).clamp_max_(b), (a * 1).clamp_max_(0.1)), A, B,
         gradcheck=False),
]

_CMP = {"eq": "__eq__", "ne": "__ne__", "lt": "__lt__", "le": "__le__", "gt": "__gt__", "ge": "__ge__"}
_CMP_A = np.array([[1.0, 2.0, 3.0, math.nan], [0.0, -1.0, 2.0, 1.0]])
_CMP_B = np.array([1.0, 3.0, 2.0, math.nan])
for _op, _dunder in _CMP.items():
    CASES += [
        case(_op, "f64", _call(_op), _CMP_A, _CMP_B),
        case(_op, "f32", _call(_op), _CMP_A.astype(np.float32), _CMP_B),
        case(_op, "scalar", lambda m, a, op=_op: getattr(m, op)(a, 2.0), _CMP_A),
        case(_op, "operator", lambda m, a, b, d=_dunder: (getattr(a, d)(b), getattr(a, d)(1)), _CMP_A, _CMP_B),
        case(_op, "int_float", _call(_op), INTS, INTS2 + 0.0),
        case(_op, "bool", _call(_op), BOOLS, BOOLS2),
        case(_op, "0d_empty", lambda m, a, b, op=_op: (getattr(m, op)(a, b), getattr(m, op)(m.ones(0), b)),
             np.array(1.0), np.array(1.0)),
        case(_op, "inplace", lambda m, a, b, op=_op: getattr(a * 1, op + "_")(b), _CMP_A, _CMP_B, gradcheck=False),
        case(_op, "inplace_scalar", lambda m, a, op=_op: getattr(a * 1, op + "_")(2.0), _CMP_A, gradcheck=False),
        case(_op, "inplace_int", lambda m, a, b, op=_op: getattr(a.clone(), op + "_")(b), INTS, INTS2 + 0.5,
             grad=False),
        case(_op, "unsupported_operand", lambda m, a, d=_dunder: (getattr(a, d)(None), getattr(a, d)("a")), _CMP_A,
             grad=False),
    ]
for _alias, _op in (("greater", "gt"), ("less", "lt"), ("greater_equal", "ge"), ("less_equal", "le"),
                    ("not_equal", "ne")):
    CASES += [case(_alias, "alias", lambda m, a, b, n=_alias: (getattr(m, n)(a, b), getattr(a * 1, n + "_")(b)),
                   _CMP_A, _CMP_B, gradcheck=False)]

_LA, _LB = np.array([[0.0, 1.5, math.nan, -2.0]]), np.array([0, 3, 0, 1])
for _op in ("logical_and", "logical_or", "logical_xor"):
    CASES += [
        case(_op, "mixed", _call(_op), _LA, _LB),
        case(_op, "bool", _call(_op), BOOLS, BOOLS2),
        case(_op, "method", lambda m, a, b, op=_op: getattr(a, op)(b), INTS, INTS2),
        case(_op, "inplace", lambda m, a, b, op=_op: getattr(a.clone(), op + "_")(b), _LA, _LB, grad=False),
        case(_op, "inplace_int", lambda m, a, b, op=_op: getattr(a.clone(), op + "_")(b), INTS, INTS2),
        case(_op, "0d_empty", lambda m, a, op=_op: (getattr(m, op)(a, a), getattr(m, op)(m.ones(0, 2), a)),
             np.array(1.0)),
    ]

_BW = {"bitwise_and": "&", "bitwise_or": "|", "bitwise_xor": "^"}
for _op, _sym in _BW.items():
    _d = {"&": "and", "|": "or", "^": "xor"}[_sym]
    CASES += [
        case(_op, "int", _call(_op), INTS, INTS2),
        case(_op, "bool", _call(_op), BOOLS, BOOLS2),
        case(_op, "bool_int", _call(_op), BOOLS[:, :1], INTS2),
        case(_op, "uint8", _call(_op), np.array([3, 250], np.uint8), np.array([6, 15], np.uint8)),
        case(_op, "scalar", lambda m, a, op=_op: (getattr(m, op)(a, 6), getattr(m, op)(a, True)), INTS),
        case(_op, "method", lambda m, a, b, op=_op: getattr(a, op)(b), INTS, INTS2),
        case(_op, "operators", lambda m, a, b, d=_d: (getattr(a, f"__{d}__")(b), getattr(a, f"__r{d}__")(5),
                                                      getattr(b > 0, f"__r{d}__")(True)), INTS, INTS2),
        case(_op, "inplace", lambda m, a, b, op=_op: getattr(a.clone(), op + "_")(b), INTS, INTS2),
        case(_op, "inplace_operator", lambda m, a, b, d=_d: getattr(a.clone(), f"__i{d}__")(b), BOOLS, BOOLS2),
        case(_op, "0d_empty", lambda m, op=_op: (getattr(m, op)(m.tensor(5), m.tensor(3)),
                                                 getattr(m, op)(m.ones(0, dtype=m.int64), m.tensor(3)))),
    ]


@pytest.mark.parametrize("fn,arrays,kw", CASES)
def test_parity(fn, arrays, kw):
    check(fn, *arrays, **kw)
    same_graph(fn, *arrays)


# ---- isclose, allclose, equal: results are plain values --------------------------------------------------------------
_CL_A = np.array([1.0, 1.0 + 1e-6, 1.0 + 1e-4, math.nan, math.inf, -math.inf, 0.0, 1e-9])
_CL_B = np.array([1.0, 1.0, 1.0, math.nan, math.inf, math.inf, 1e-8, 0.0])


@pytest.mark.parametrize("fn,arrays", [
    pytest.param(lambda m, a, b: m.isclose(a, b), (_CL_A, _CL_B), id="isclose:f64"),
    pytest.param(lambda m, a, b: m.isclose(a, b, equal_nan=True), (_CL_A, _CL_B), id="isclose:equal_nan"),
    pytest.param(lambda m, a, b: m.isclose(a, b, rtol=1e-3, atol=0), (_CL_A, _CL_B), id="isclose:rtol"),
    pytest.param(lambda m, a, b: m.isclose(a, b, rtol=0, atol=0), (_CL_A, _CL_B), id="isclose:exact"),
    pytest.param(lambda m, a, b: m.isclose(a, b), (_CL_A.astype(np.float32), _CL_B.astype(np.float32)),
                 id="isclose:f32"),
    pytest.param(lambda m, a, b: m.isclose(a, b, atol=1), (INTS2, INTS2 + 1), id="isclose:int"),
    pytest.param(lambda m, a, b: m.isclose(a, b, rtol=0.5), (INTS2, INTS2 * 2), id="isclose:int_rtol"),
    pytest.param(lambda m, a, b: m.isclose(a, b), (BOOLS, BOOLS2), id="isclose:bool"),
    pytest.param(lambda m, a, b: m.isclose(a, b), (A, B), id="isclose:broadcast"),
    pytest.param(lambda m, a, b: a.isclose(b), (A, A + 1e-9), id="isclose:method"),
    pytest.param(lambda m, a, b: m.isclose(a, b, atol=10), (np.array([250, 3], np.uint8), np.array([3, 250], np.uint8)),
                 id="isclose:uint8"),
    pytest.param(lambda m, a, b: m.isclose(a, b, rtol=0, atol=0.5), (np.array([2 ** 62]), np.array([2 ** 62 + 1])),
                 id="isclose:int64_in_float"),
    pytest.param(lambda m, a, b: (m.allclose(a, b), m.allclose(a, b, equal_nan=True), a.allclose(a)),
                 (_CL_A, _CL_B), id="allclose:f64"),
    pytest.param(lambda m, a, b: (m.allclose(a, b), m.allclose(a, b, atol=2)), (INTS2, INTS2 + 1), id="allclose:int"),
    pytest.param(lambda m, a, b: (m.allclose(a, a + 1e-7), m.allclose(b, b)), (A, E), id="allclose:close"),
    pytest.param(lambda m, a, b: (m.equal(a, a), m.equal(a, b), a.equal(a), m.equal(a, a[:1]), m.equal(b, b)),
                 (A, B), id="equal:f64"),
    pytest.param(lambda m, a: (m.equal(a, a), m.equal(a, a * 1)), (_CL_A,), id="equal:nan"),
    pytest.param(lambda m, a: m.equal(a, a.double()), (INTS,), id="equal:dtypes"),
])
def test_close_and_equal(fn, arrays):
    check(fn, *arrays, grad=False)


# ---- errors ---------------------------------------------------------------------------------------------------------
def err(op, name, fn, *arrays):
    return pytest.param(fn, arrays, id=f"{op}:{name}")


_FLOAT_OPS = ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "reciprocal", "exp2", "expm1", "log2", "log10",
              "log1p", "rsqrt", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "erf",
              "erfc", "erfinv", "logit", "deg2rad", "rad2deg")

ERRORS = [
    *[err(op, "inplace_int", lambda m, a, op=op: getattr(a, op + "_")(), INTS) for op in _FLOAT_OPS],
    err("neg", "bool", lambda m, a: m.neg(a), BOOLS),
    err("neg", "bool_operator", lambda m, a: -a, BOOLS),
    err("abs", "bool", lambda m, a: m.abs(a), BOOLS),
    err("relu", "bool", lambda m, a: m.relu(a), BOOLS),
    err("positive", "bool", lambda m, a: m.positive(a), BOOLS),
    err("positive", "bool_operator", lambda m, a: +a, BOOLS),
    *[err(op, "bool", lambda m, a, op=op: getattr(m, op)(a), BOOLS) for op in ("floor", "ceil", "round", "trunc")],
    err("frac", "int", lambda m, a: m.frac(a), INTS),
    err("frac", "bool", lambda m, a: m.frac(a), BOOLS),
    err("frac", "uint8", lambda m, a: m.frac(a), np.array([1], np.uint8)),
    err("round", "decimals_int", lambda m, a: m.round(a, decimals=1), INTS),
    err("round", "decimals_bool", lambda m, a: m.round(a, decimals=1), BOOLS),
    err("bitwise_not", "float", lambda m, a: m.bitwise_not(a), A),
    err("bitwise_not", "float_operator", lambda m, a: ~a, A),
    err("bitwise_not", "float_inplace", lambda m, a: a.bitwise_not_(), A),
    err("square", "inplace_bool", lambda m, a: a.square_(), BOOLS),
    err("div", "bad_rounding_mode", lambda m, a: m.div(a, 2, rounding_mode="round"), A),
    err("div", "int_by_zero", lambda m, a: m.div(a, 0, rounding_mode="floor"), INTS),
    err("div", "trunc_int_by_zero", lambda m, a, b: m.div(a, b * 0, rounding_mode="trunc"), INTS, INTS2),
    err("div", "bool_trunc", lambda m, a: m.div(a, a, rounding_mode="trunc"), BOOLS),
    err("div", "bool_floor", lambda m, a: m.div(a, a, rounding_mode="floor"), BOOLS),
    err("div", "inplace_int", lambda m, a, b: a.div_(b), INTS, INTS2),
    err("div", "broadcast", lambda m, a, b: m.div(a, b, rounding_mode="floor"), A, np.ones(3)),
    err("floor_divide", "int_by_zero", lambda m, a: m.floor_divide(a, 0), INTS),
    err("floor_divide", "bool", lambda m, a: m.floor_divide(a, a), BOOLS),
    err("floor_divide", "backward", lambda m, a, b: m.floor_divide(a.requires_grad_(), b).sum().backward(), A, B),
    err("floor_divide", "backward_reflected", lambda m, a: (2.0 // a.requires_grad_()).sum().backward(), A),
    err("remainder", "int_by_zero", lambda m, a: m.remainder(a, 0), INTS),
    err("remainder", "bool", lambda m, a: m.remainder(a, a), BOOLS),
    err("remainder", "backward_scalar_first", lambda m, a: m.remainder(2.0, a.requires_grad_()).sum().backward(), A),
    err("remainder", "inplace_int_float", lambda m, a: a.remainder_(2.5), INTS),
    err("fmod", "int_by_zero", lambda m, a: m.fmod(a, 0), INTS),
    err("fmod", "bool", lambda m, a: m.fmod(a, a), BOOLS),
    err("fmod", "scalar_first", lambda m, a: m.fmod(2, a), A),
    err("pow", "int_negative", lambda m, a: m.pow(a, -1), INTS),
    err("float_power", "inplace_f32", lambda m, a: a.float_power_(2), A.astype(np.float32)),
    err("atan2", "scalar", lambda m, a: m.atan2(a, 2.0), A),
    err("atan2", "inplace_scalar", lambda m, a: a.atan2_(2.0), A),
    err("atan2", "inplace_int", lambda m, a, b: a.atan2_(b), INTS, INTS2),
    err("atan2", "broadcast", lambda m, a, b: m.atan2(a, b), A, np.ones(3)),
    err("hypot", "int", lambda m, a, b: m.hypot(a, b), INTS, INTS2),
    err("hypot", "scalar", lambda m, a: m.hypot(a, 2.0), A),
    err("maximum", "scalar", lambda m, a: m.maximum(a, 2.0), A),
    err("fmax", "scalar", lambda m, a: m.fmax(a, 2.0), A),
    err("fmin", "broadcast", lambda m, a, b: m.fmin(a, b), A, np.ones(3)),
    err("copysign", "broadcast", lambda m, a, b: m.copysign(a, b), A, np.ones(3)),
    err("copysign", "inplace_int", lambda m, a: a.copysign_(-1), INTS),
    err("xlogy", "broadcast", lambda m, a, b: m.xlogy(a, b), A, np.ones(3)),
    err("lerp", "int", lambda m, a, b: m.lerp(a, b, 0.5), INTS, INTS),
    err("lerp", "int_tensor_weight", lambda m, a: m.lerp(a, a, a), INTS),
    err("lerp", "dtype_end", lambda m, a, b: m.lerp(a, b, 0.5), A.astype(np.float32), B),
    err("lerp", "dtype_weight", lambda m, a, b: m.lerp(a, a, b), A.astype(np.float32), B),
    err("lerp", "dtype_weight_int", lambda m, a, b: m.lerp(a, a, b), A, INTS2),
    err("lerp", "broadcast", lambda m, a, b: m.lerp(a, b, 0.5), A, np.ones(3)),
    err("lerp", "inplace_broadcast", lambda m, a, b: a.lerp_(b, 0.5), B, A),
    err("addcmul", "broadcast", lambda m, a, b, c: m.addcmul(a, b, c), A, B, np.ones(3)),
    err("addcmul", "inplace_broadcast", lambda m, a, b: a.addcmul_(b, b), B, A),
    err("addcmul", "inplace_dtype", lambda m, a, b: a.addcmul_(b, b), INTS, A),
    err("addcdiv", "int", lambda m, a, b: m.addcdiv(a, b, b), A, INTS),
    err("addcdiv", "bool", lambda m, a, b: m.addcdiv(a, b, b), A, BOOLS),
    err("where", "float_condition", lambda m, a: m.where(a, a, a), A),
    err("where", "int_condition", lambda m, a, b: m.where(a, b, b), INTS, INTS),
    err("where", "broadcast", lambda m, a, b: m.where(a > 0, a, b), A, np.ones(3)),
    err("where", "broadcast_condition", lambda m, a, b: m.where(b > 0, a, a), A, np.ones(3)),
    err("where", "two_args", lambda m, a: m.where(a > 0, a), A),
    err("isclose", "broadcast", lambda m, a, b: m.isclose(a, b), A, np.ones(3)),
    err("clamp", "mixed_bounds", lambda m, a, b: m.clamp(a, b, 0.5), A, B),
    err("clamp", "mixed_bounds_number_first", lambda m, a, b: m.clamp(a, -0.5, b), A, B),
    err("clamp", "none", lambda m, a: m.clamp(a), A),
    err("clamp", "broadcast", lambda m, a, b: m.clamp(a, b), A, np.ones(3)),
    err("clamp", "inplace_broadcast", lambda m, a, b: a.clamp_(b), B, A),
    err("clamp_min", "inplace_broadcast", lambda m, a, b: a.clamp_min_(b), B, A),
    err("isclose", "dtypes", lambda m, a, b: m.isclose(a, b), INTS, A),
    err("isclose", "rtol", lambda m, a: m.isclose(a, a, rtol=-1), A),
    err("isclose", "atol", lambda m, a: m.isclose(a, a, atol=-1e-3), A),
    err("isclose", "scalar", lambda m, a: m.isclose(a, 1.0), A),
    err("allclose", "dtypes", lambda m, a, b: m.allclose(a, b), A.astype(np.float32), A),
    err("logical_and", "scalar", lambda m, a: m.logical_and(a, 2.0), A),
    err("logical_or", "inplace_scalar", lambda m, a: a.logical_or_(2.0), A),
    err("logical_xor", "inplace_broadcast", lambda m, a, b: a.logical_xor_(b), B, A),
    err("bitwise_and", "float", lambda m, a, b: m.bitwise_and(a, b), A, B),
    err("bitwise_or", "int_float_scalar", lambda m, a: a | 1.5, INTS),
    err("bitwise_xor", "inplace_bool_int", lambda m, a, b: a.__ixor__(b), BOOLS[:, :1], INTS2),
    err("eq", "inplace_broadcast", lambda m, a, b: a.eq_(b), B, A),
    err("add", "broadcast", lambda m, a, b: m.add(a, b), A, np.ones(3)),
    err("add", "int_float_alpha", lambda m, a: m.add(a, a, alpha=0.5), INTS),
    err("sub", "bool", lambda m, a: m.sub(a, a), BOOLS),
    err("mul", "inplace_int_float", lambda m, a, b: a.mul_(b), INTS, A[:2]),
    err("exp", "inplace_leaf", lambda m, a: a.requires_grad_().exp_(), A),
    *[err(op, "scalar_first", lambda m, a, op=op: getattr(m, op)(2, a), A)
      for op in ("atan2", "hypot", "fmax", "fmin", "maximum", "minimum", "logical_and", "isclose", "copysign", "eq",
                 "lt", "ge")],
    err("lerp", "scalar_first", lambda m, a: m.lerp(2.0, a, 0.5), A),
    err("round", "float_decimals", lambda m, a: m.round(a, decimals=2.5), A),
    err("addcmul", "bool", lambda m, a: m.addcmul(a, a, a, value=2), BOOLS),
    *[err(op, "unsupported_operand", lambda m, a, f=f: f(a), A) for op, f in (
        ("add", lambda a: a + "a"), ("add", lambda a: a + [1.0, 2.0]), ("sub", lambda a: None - a),
        ("mul", lambda a: a * (1,)), ("div", lambda a: a / "a"), ("pow", lambda a: "a" ** a),
        ("remainder", lambda a: a % None), ("remainder", lambda a: None % a), ("floor_divide", lambda a: a // "a"),
        ("lt", lambda a: a < None), ("bitwise_and", lambda a: a.long() & "a"))],
    *[err(op, "inplace_backward", lambda m, a, op=op: getattr(a.requires_grad_() * 1, op + "_")().sum().backward(), d)
      for op, d in (("asinh", A), ("acosh", GT1), ("atanh", UNIT))],
]


@pytest.mark.parametrize("fn,arrays", ERRORS)
def test_errors(fn, arrays):
    expect_error(fn, *arrays)


# ---- every pair of special values (nan, ±inf, ±0, ±1, ...): gradients and second-order gradients as torch's ---------
_S = np.array([math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5])
_GRID = (np.repeat(_S, len(_S)), np.tile(_S, len(_S)))
_GRID_OPS = {
    "add": lambda m, x, y: m.add(x, y, alpha=2), "sub": lambda m, x, y: m.sub(x, y), "mul": lambda m, x, y: x * y,
    "div": lambda m, x, y: x / y, "pow": lambda m, x, y: m.pow(x, y),
    "remainder": lambda m, x, y: m.remainder(x, y), "fmod": lambda m, x, y: m.fmod(x, y),
    "atan2": lambda m, x, y: m.atan2(x, y), "hypot": lambda m, x, y: m.hypot(x, y),
    "maximum": lambda m, x, y: m.maximum(x, y), "minimum": lambda m, x, y: m.minimum(x, y),
    "fmax": lambda m, x, y: m.fmax(x, y), "fmin": lambda m, x, y: m.fmin(x, y),
    "copysign": lambda m, x, y: m.copysign(x, y) + m.copysign(x, -0.0), "xlogy": lambda m, x, y: m.xlogy(x, y),
    "lerp": lambda m, x, y: m.lerp(x, y, 0.3) + m.lerp(x, y, y), "addcmul": lambda m, x, y: m.addcmul(x, y, x, value=2),
    "addcdiv": lambda m, x, y: m.addcdiv(x, y, x, value=2), "where": lambda m, x, y: m.where(x > y, x, y),
    "clamp": lambda m, x, y: m.clamp(x, y, y + 1) + m.clamp(x, min=y) + m.clamp(x, -1, 1),
    "clamp_min": lambda m, x, y: m.clamp_min(x, y) + m.clamp_min(y, 0), "clamp_max": lambda m, x, y: m.clamp_max(x, y),
}


@pytest.mark.parametrize("name", list(_GRID_OPS), ids=lambda n: f"{n}:special_grid")
def test_special_value_grid(name):
    check(_GRID_OPS[name], *_GRID, gradcheck=False)
    check(_GRID_OPS[name], *(g.astype(np.float32) for g in _GRID))


@pytest.mark.parametrize("fn", [
    pytest.param(lambda m, x: m.pow(x, 2.5) + m.pow(x, 0.5) + m.pow(x, -0.5) + m.pow(x, -1) + m.pow(x, -2) + m.pow(x, 3)
                 + m.pow(x, 0), id="pow:special_exponents"),
    pytest.param(lambda m, x: m.pow(2.0, x) + m.pow(0.0, x), id="pow:special_scalar_base"),
    pytest.param(lambda m, x: m.xlogy(x, 2.0) + m.xlogy(2.0, x) + m.xlogy(x, 0.0), id="xlogy:special_scalars"),
    pytest.param(lambda m, x: m.logit(x, 0.25), id="logit:special_eps"),
])
def test_special_values(fn):
    check(fn, _S, gradcheck=False)


# ---- dtype rules: every pair of dtypes (and Python numbers) gives torch's dtype and values, or torch's error --------
_DTYPES = ("float32", "float64", "int64", "int32", "uint8", "bool")
_VALUES = {"float32": [1.5, -2.0, 3.0], "float64": [0.5, 2.0, -3.0], "int64": [3, -2, 5], "int32": [7, 2, -1],
           "uint8": [3, 2, 250], "bool": [True, False, True]}
_OTHERS = _DTYPES + (2, -1, 1.5, True)


def _outcome(m, fn):
    try:
        r = fn(m)
    except Exception as e:  # noqa: BLE001 - comparing whatever was raised
        return type(e).__name__, str(e).replace("torch.", "chainrule.")
    return str(r.dtype).split(".")[-1], np.asarray(r.tolist(), dtype=float)


def _same_outcome(fn):
    c, t = _outcome(chainrule, fn), _outcome(torch, fn)
    assert c[0] == t[0], (c, t)
    if isinstance(t[1], str):
        assert c[1] == t[1], (c, t)
    else:
        np.testing.assert_allclose(c[1], t[1], rtol=1e-6, equal_nan=True)


def _tensor(m, dt):
    return m.tensor(_VALUES[dt], dtype=getattr(m, dt))


def _operand(m, o):
    return _tensor(m, o) if isinstance(o, str) else o


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "floor_divide", "remainder", "fmod", "pow", "float_power",
                                "atan2", "hypot", "maximum", "fmax", "copysign", "xlogy", "eq", "lt", "logical_and",
                                "bitwise_and", "bitwise_xor"], ids=lambda op: f"{op}:dtypes")
def test_dtype_matrix(op):
    for da in _DTYPES:
        for o in _OTHERS:
            _same_outcome(lambda m: getattr(m, op)(_tensor(m, da), _operand(m, o)))
            if not isinstance(o, str):
                _same_outcome(lambda m: getattr(m, op)(o, _tensor(m, da)))


@pytest.mark.parametrize("op", ["add_", "sub_", "mul_", "div_", "floor_divide_", "remainder_", "fmod_", "pow_",
                                "float_power_", "atan2_", "hypot_", "copysign_", "xlogy_", "eq_", "lt_",
                                "logical_and_", "bitwise_and_", "bitwise_or_", "clamp_min_", "clamp_max_"],
                         ids=lambda op: f"{op[:-1]}:inplace_dtypes")
def test_inplace_dtype_matrix(op):
    for da in _DTYPES:
        for o in _OTHERS:
            _same_outcome(lambda m: getattr(_tensor(m, da), op)(_operand(m, o)))


@pytest.mark.parametrize("op", ["sgn", "exp2", "log1p", "rsqrt", "square", "asinh", "logit", "erf", "erfinv", "floor",
                                "round", "frac", "nan_to_num", "deg2rad", "signbit", "isposinf", "logical_not",
                                "bitwise_not", "neg", "exp", "abs", "relu", "sign", "reciprocal", "positive"],
                         ids=lambda op: f"{op}:dtypes")
def test_unary_dtypes(op):
    for dt in _DTYPES + ("float16", "int8", "int16"):
        for name in (op, op + "_") if hasattr(torch.Tensor, op + "_") else (op,):
            _same_outcome(lambda m: getattr(m.tensor([0.5, -0.25, 3.0] if "float" in dt else [1, 0, 3],
                                                     dtype=getattr(m, dt)), name)())


@pytest.mark.parametrize("fn", [
    pytest.param(lambda m: m.clamp(m.tensor([True, False]), True), id="clamp:bool"),
    pytest.param(lambda m: m.clamp(m.tensor([True, False]), None, False), id="clamp:bool_max"),
    pytest.param(lambda m: m.clamp(m.tensor([True, False]), 0), id="clamp:bool_int_bound"),
    pytest.param(lambda m: m.tensor([3, 1]).clamp_(0.5, 2.5), id="clamp:inplace_int_float"),
    pytest.param(lambda m: m.tensor([True, False]).clamp_(True, True), id="clamp:inplace_bool"),
    pytest.param(lambda m: m.clamp(m.tensor([3, 250], dtype=m.uint8), -1), id="clamp:uint8_negative"),
    pytest.param(lambda m: m.tensor([3]).clamp_min_(m.tensor(0.5)), id="clamp_min:inplace_int_tensor"),
    pytest.param(lambda m: m.pow(m.tensor([3, -2, 1, -1, 0]), m.tensor([-1, -2, -3, -2, 2])), id="pow:int_negative"),
    pytest.param(lambda m: m.pow(-1, m.tensor([-1, -2, 3])), id="pow:scalar_base_int_negative"),
    pytest.param(lambda m: m.tensor([True, False]).pow_(-1), id="pow:inplace_bool_negative"),
    pytest.param(lambda m: m.tensor([2, 3]).pow_(m.tensor([-1, 2])), id="pow:inplace_int_tensor_negative"),
    pytest.param(lambda m: m.remainder(m.tensor([3], dtype=m.int8), 300), id="remainder:int8_wraps"),
    pytest.param(lambda m: m.tensor([3, 250], dtype=m.uint8).lt_(-1), id="lt:inplace_uint8_negative"),
])
def test_dtype_corners(fn):
    _same_outcome(fn)


# ---- in-place ops on graphs, special behaviours ------------------------------------------------------------------
def test_inplace_comparison_records_zero_gradients():
    for m in (chainrule, torch):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = m.tensor([1.0, 0.0, 3.0], requires_grad=True)
        z = (x * 1).eq_(y)
        assert type(z.grad_fn).__name__ == "EqBackward1"
        gx, gy = m.autograd.grad(z.sum(), (x, y))
        assert gx.tolist() == [0.0, 0.0, 0.0] and gy.tolist() == [0.0, 0.0, 0.0]


def test_logical_inplace_keeps_history_as_torch():
    """PyTorch records nothing for logical_not_ / logical_and_ on a float tensor: grad_fn stays."""
    names = []
    for m in (chainrule, torch):
        x = m.tensor([1.0, 0.0], requires_grad=True)
        z = (x * 1).logical_not_()
        names.append(type(z.grad_fn).__name__)
    assert names[0] == names[1] == "MulBackward0"


def test_erfinv_inverts_erf():
    y = np.linspace(-0.999999, 0.999999, 1001)
    x = chainrule.erfinv(chainrule.tensor(y))
    np.testing.assert_allclose(chainrule.erf(x).numpy(), y, rtol=0, atol=1e-15)
    np.testing.assert_allclose(x.numpy(), torch.erfinv(torch.tensor(y)).numpy(), rtol=1e-10, atol=1e-15)


def test_where_nonzero_of_3d():
    a = R.standard_normal((2, 3, 4)) > 0
    c = chainrule.where(chainrule.tensor(a))
    t = torch.where(torch.tensor(a))
    assert len(c) == len(t) == 3
    for x, y in zip(c, t):
        assert x.dtype == chainrule.int64
        np.testing.assert_array_equal(x.numpy(), y.numpy())


def test_default_dtype_float64_for_int_inputs():
    prev = chainrule.get_default_dtype()
    chainrule.set_default_dtype(chainrule.float64)
    torch.set_default_dtype(torch.float64)
    try:
        check(lambda m, a, b: (m.exp2(a), m.atan2(a, b), m.copysign(a, -1), m.xlogy(a, 2), m.logit(a)), INTS, INTS2)
    finally:
        chainrule.set_default_dtype(prev)
        torch.set_default_dtype(torch.float32)


_BINARY = ["add", "sub", "mul", "div", "atan2", "hypot", "maximum", "minimum", "fmax", "fmin", "copysign", "xlogy",
           "remainder", "fmod"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=0, max_size=3), st.lists(st.integers(1, 3), min_size=0, max_size=3),
       st.sampled_from(_BINARY), st.lists(st.booleans(), min_size=3, max_size=3))
def test_random_broadcasting(sa, sb, name, ones):
    sb = [1 if one else s for s, one in zip(sb, ones)]
    sa = [1 if one and i % 2 else s for i, (s, one) in enumerate(zip(sa, ones))]
    rng = np.random.default_rng(len(sa) * 7 + len(sb))
    a = rng.uniform(0.5, 2.0, sa) if name == "xlogy" else rng.standard_normal(sa)
    b = rng.uniform(0.5, 2.0, sb)
    try:
        np.broadcast_shapes(tuple(sa), tuple(sb))
    except ValueError:
        expect_error(_call(name), a, b)
        return
    check(_call(name), a, b, gradcheck=False)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=0, max_size=3), st.lists(st.booleans(), min_size=3, max_size=3),
       st.sampled_from(["lerp", "addcmul", "addcdiv", "where", "clamp"]))
def test_random_broadcasting_ternary(shape, keep, name):
    rng = np.random.default_rng(len(shape))
    a = rng.standard_normal(shape)
    b = rng.standard_normal([s if k else 1 for s, k in zip(shape, keep)])
    c = rng.uniform(0.5, 2.0, [1 if k else s for s, k in zip(shape, keep)][-1:] if shape else [])
    fns = {"lerp": lambda m, x, y, z: m.lerp(x, y, z.abs() / 3), "addcmul": lambda m, x, y, z: m.addcmul(x, y, z),
           "addcdiv": lambda m, x, y, z: m.addcdiv(x, y, z), "where": lambda m, x, y, z: m.where(y > 0, x, z),
           "clamp": lambda m, x, y, z: m.clamp(x, y, y + z)}
    check(fns[name], a, b, c, gradcheck=False)


# ---- the CUDA backend: the same results as on the CPU ------------------------------------------------------------
def _run_on(dev, fn, arrays):
    """Forward values, gradients and second-order gradients of fn on one device, as NumPy arrays."""
    ins = [chainrule.tensor(a, device=dev) for a in arrays]
    ins = [t.requires_grad_() if t.is_floating_point() else t for t in ins]
    outs = _flat(fn(chainrule, *ins))
    diff = [t for t in ins if t.requires_grad]
    res = [o.detach().cpu().numpy() for o in outs]
    grads = [o for o in outs if o.requires_grad]
    if not grads:
        return res
    rng = np.random.default_rng(0)
    seeds = [chainrule.tensor(rng.standard_normal(tuple(o.shape)), device=dev).to(o.dtype) for o in grads]
    g = chainrule.autograd.grad(grads, diff, seeds, create_graph=True, allow_unused=True)
    total = sum(((gi * chainrule.tensor(rng.standard_normal(tuple(gi.shape)), device=dev)).sum()
                 for gi in g if gi is not None and gi.requires_grad), chainrule.tensor(0., device=dev))
    g2 = chainrule.autograd.grad(total, diff, allow_unused=True) if total.requires_grad else ()
    return res + [t.detach().cpu().numpy() for t in list(g) + list(g2) if t is not None]


CUDA = [
    pytest.param(lambda m, a: (m.erf(a), m.erfc(a), m.erfinv(a / 3)), (A,), id="erf:cuda"),
    pytest.param(lambda m, a: (m.exp2(a), m.expm1(a), m.log1p(a.abs()), m.rsqrt(a.abs()), m.tan(a / 2)), (A,),
                 id="exp2:cuda"),
    pytest.param(lambda m, a: (m.asinh(a), m.acosh(a.abs() + 1), m.atanh(a / 3), m.logit(a.sigmoid(), 0.1)), (A,),
                 id="asinh:cuda"),
    pytest.param(lambda m, a: (m.floor(a), m.round(a, decimals=1), m.frac(a), m.sgn(a), m.nan_to_num(a.log())),
                 (A,), id="round:cuda"),
    pytest.param(lambda m, a: (m.isposinf(a), m.isneginf(a), m.signbit(a), m.isnan(a), ~(a > 0)), (SPECIAL,),
                 id="isposinf:cuda"),
    pytest.param(lambda m, a, b: (m.remainder(a, b), m.fmod(a, 0.7), (a // b).detach(),
                                  m.div(a, b, rounding_mode="trunc")), (A, DV), id="remainder:cuda"),
    pytest.param(lambda m, a, b: (m.atan2(a, b), m.hypot(a, b), m.fmax(a, b), m.copysign(a, b), m.xlogy(b, a.abs())),
                 (A, B), id="atan2:cuda"),
    pytest.param(lambda m, a, b, w: (m.lerp(a, b, w), m.lerp(a, b, 0.7), m.addcmul(a, b, w, value=2),
                                     m.addcdiv(a, b, w + 1)), (A, B, PROB), id="lerp:cuda"),
    pytest.param(lambda m, a, b: (m.where(a > 0, a, b), m.where(a > 0, a, 0.5), m.clamp(a, b, b + 1),
                                  m.clamp_min(a, b), m.maximum(a, b)), (A, B), id="where:cuda"),
    pytest.param(lambda m, a, b: (m.isclose(a, a + 1e-9), m.logical_xor(a > 0, b), (a * 1).lt_(b),
                                  m.float_power(a.abs(), b)), (A, B), id="isclose:cuda"),
    pytest.param(lambda m, a, b: (a % b, a // b, a & b, m.where(a > 0)[0]), (INTS, INTS2), id="remainder:cuda_int"),
]


@pytest.mark.skipif(not chainrule.cuda.is_available(), reason="no CUDA device with CuPy on this machine")
@pytest.mark.parametrize("fn,args", CUDA)
def test_cuda_matches_cpu(fn, args):
    for a, b in zip(_run_on("cpu", fn, args), _run_on("cuda", fn, args), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
