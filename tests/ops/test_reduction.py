"""Reductions vs torch: values, dtypes, gradients, second-order gradients, node names, the index PyTorch picks among
ties (max/min/sort/topk/median/mode/kthvalue/cummax...), its gradient choices (ties split evenly, zeros in prod
and cumprod, norms at the origin), the named tuples ops return, and its errors."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parity import _cr, _flat, _th, check, expect_error

import chainrule

torch = pytest.importorskip("torch")

R = np.random.default_rng(7)
A = R.standard_normal((3, 4))
A32 = A.astype(np.float32)
B = R.standard_normal(5)
Z = np.array(0.7)
E = np.zeros((0, 3))
POS = R.uniform(0.5, 1.5, (3, 4))
NZ = np.where(np.abs(A) < 0.3, 0.7, A)  # away from 0 (kinks of norms)
TIES = np.array([[1.0, 3.0, 3.0, 2.0], [0.0, 0.0, 5.0, 5.0], [2.0, 2.0, 2.0, 2.0]])
ZEROS = np.array([[1.5, 0.0, 2.0, -1.0], [0.5, 0.0, 0.7, 0.0], [1.2, -0.8, 0.9, 1.1]])  # one, two, no zeros a row
NAN = math.nan
NANS = np.array([[1.0, NAN, 2.0, 0.5], [0.3, 0.1, -0.2, 0.4], [NAN, NAN, 1.0, 2.0]])
ALLNAN = np.array([[NAN, NAN, NAN], [1.0, NAN, 2.0]])
INF = np.array([[-math.inf, -math.inf, -math.inf], [math.inf, 1.0, 2.0], [0.5, -math.inf, 1.0]])
INTS = np.array([[3, -2, 0, 5], [-7, 1, 4, -1]])
ITIES = np.array([[3, 1, 3, 1, 2], [0, 0, 0, 4, 4]])
BOOLS = np.array([[True, False, True], [False, False, True]])
U8 = np.array([[1, 0, 3], [2, 2, 0]], dtype=np.uint8)
CONST = np.full((2, 3), 1.5)


def case(op, name, fn, *arrays, **kw):
    return pytest.param(fn, arrays, kw, id=f"{op}:{name}")


def _kw(m, kw):
    """dtype= given by name, resolved in the library under test."""
    return {k: getattr(m, v) if k == "dtype" else v for k, v in kw.items()}


def fn_(op, *args, **kw):
    return lambda m, a, op=op: getattr(m, op)(a, *args, **_kw(m, kw))


def meth(op, *args, **kw):
    return lambda m, a: getattr(a, op)(*args, **_kw(m, kw))


NO_FD = {"gradcheck": False}  # not differentiable there (ties, kinks): compare with torch only


def basics(op, *args, dom=A, fd=True, grad2=True, **kw):
    """float64 (with finite differences), float32, method, non-contiguous."""
    f = fn_(op, *args, **kw)
    return [case(op, "f64", f, dom, gradcheck=fd, grad2=grad2),
            case(op, "f32", f, dom.astype(np.float32), grad2=grad2),
            case(op, "method", meth(op, *args, **kw), dom, gradcheck=False, grad2=grad2),
            case(op, "noncontig", lambda m, a, op=op: getattr(m, op)(a.t()[::2], *args, **kw), dom, gradcheck=False,
                 grad2=grad2)]


def dims(op, dom=A, fd=True, **extra):
    """dim as int, negative, tuple; keepdim."""
    return [case(op, "dim", fn_(op, 1, **extra), dom, gradcheck=fd),
            case(op, "negdim", fn_(op, -2, **extra), dom, gradcheck=fd),
            case(op, "keepdim", fn_(op, 0, keepdim=True, **extra), dom, gradcheck=fd),
            case(op, "tuple", fn_(op, (0, -1), **extra), dom, gradcheck=fd),
            case(op, "tuple_keepdim", fn_(op, (1,), keepdim=True, **extra), dom, gradcheck=fd)]


CASES = [
    # ---- sum / mean (ops/reduction.py)
    *basics("sum"), *dims("sum"),
    case("sum", "0d", fn_("sum"), Z),
    case("sum", "0d_dim", fn_("sum", 0), Z),
    case("sum", "empty", fn_("sum"), E),
    case("sum", "empty_dim", fn_("sum", 0), E),
    case("sum", "int64", fn_("sum"), INTS),
    case("sum", "int_dim", fn_("sum", 1), INTS),
    case("sum", "bool", fn_("sum", 0), BOOLS),
    case("sum", "uint8", fn_("sum"), U8),
    case("sum", "dtype", fn_("sum", 1, dtype="float64"), A32),
    case("sum", "int_dtype", lambda m, a: a.sum(dtype=m.float32), INTS),
    case("sum", "empty_tuple", fn_("sum", ()), A),
    case("sum", "dim_none", fn_("sum", None), A),
    case("sum", "dim_none_keepdim", fn_("sum", None, True), A),
    *basics("mean"), *dims("mean"),
    case("mean", "0d", fn_("mean"), Z),
    case("mean", "empty", fn_("mean", 0), E),
    case("mean", "dtype", fn_("mean", dtype="float64"), A32),
    case("mean", "int_dtype", fn_("mean", 1, dtype="float32"), INTS),
    case("mean", "dim_none_keepdim", fn_("mean", None, True), A),
    # ---- max / min (ops/reduction.py)
    *basics("max"), *basics("min"),
    case("max", "dim", fn_("max", 1), A),
    case("max", "negdim_keepdim", fn_("max", -1, keepdim=True), A),
    case("max", "ties", fn_("max"), TIES, **NO_FD),
    case("max", "ties_dim", fn_("max", 1), TIES, **NO_FD),
    case("max", "nan", fn_("max"), NANS, **NO_FD),
    case("max", "nan_dim", fn_("max", 1), NANS, **NO_FD),
    case("max", "int", fn_("max", 0), INTS),
    case("max", "0d_dim", fn_("max", 0), Z),
    case("max", "0d_keepdim", fn_("max", -1, True), Z),
    case("max", "binary", lambda m, a, b: m.max(a, b), A, A[1], gradgradcheck=False),  # A's row 1 ties
    case("min", "dim", fn_("min", 0), A),
    case("min", "ties", fn_("min"), TIES, **NO_FD),
    case("min", "ties_dim", fn_("min", 1, keepdim=True), TIES, **NO_FD),
    case("min", "nan", fn_("min"), NANS, **NO_FD),
    case("min", "nan_dim", fn_("min", 1), NANS, **NO_FD),
    case("min", "bool", fn_("min", 1), BOOLS),
    case("min", "binary", lambda m, a, b: m.min(a, b), A, A[0], gradgradcheck=False),  # A's row 0 ties
    # ---- prod
    *basics("prod"),
    case("prod", "dim", fn_("prod", 1), A),
    case("prod", "negdim_keepdim", fn_("prod", -2, keepdim=True), A),
    case("prod", "zeros", fn_("prod"), np.array([1.5, 0.0, 2.0, -0.5])),
    case("prod", "two_zeros", fn_("prod"), np.array([1.5, 0.0, 2.0, 0.0])),
    case("prod", "zeros_dim", fn_("prod", 1), ZEROS),
    case("prod", "zeros_dim0", fn_("prod", 0, keepdim=True), ZEROS.T.copy()),
    case("prod", "0d", fn_("prod"), Z),
    case("prod", "0d_dim", fn_("prod", 0), Z),
    case("prod", "empty", fn_("prod"), E),
    case("prod", "empty_dim", fn_("prod", 0), E),
    case("prod", "int64", fn_("prod"), INTS),
    case("prod", "bool", fn_("prod", 1), BOOLS),
    case("prod", "int8", lambda m, a: a.to(m.int8).prod(), INTS),
    case("prod", "dtype", fn_("prod", 1, dtype="float64"), A32),
    case("prod", "int_dtype", fn_("prod", dtype="int32"), INTS),
    # ---- amax / amin
    *basics("amax"), *dims("amax"), *basics("amin"), *dims("amin"),
    case("amax", "ties", fn_("amax"), TIES, **NO_FD),
    case("amax", "ties_dim", fn_("amax", 1), TIES, **NO_FD),
    case("amax", "nan", fn_("amax", 1), NANS, **NO_FD),
    case("amax", "int", fn_("amax", 1), INTS),
    case("amax", "bool", fn_("amax", 0), BOOLS),
    case("amax", "0d", fn_("amax"), Z),
    case("amax", "0d_dim", fn_("amax", 0), Z),
    case("amax", "empty_other_dim", fn_("amax", 1), E),
    case("amax", "none_dim", fn_("amax", None), A),
    case("amin", "ties", fn_("amin", (0, 1)), TIES, **NO_FD),
    case("amin", "ties_keepdim", fn_("amin", 0, keepdim=True), TIES, **NO_FD),
    case("amin", "int", fn_("amin", (0, 1), True), INTS),
    case("amin", "0d", fn_("amin"), Z),
    # ---- argmax / argmin
    *[case(op, name, fn, arr) for op in ("argmax", "argmin") for name, fn, arr in [
        ("all", fn_(op), A), ("dim", fn_(op, 1), A), ("negdim_keepdim", fn_(op, -1, keepdim=True), A),
        ("keepdim_all", fn_(op, None, True), A), ("ties", fn_(op), TIES), ("ties_dim", fn_(op, 1), TIES),
        ("ties_dim0", fn_(op, 0), TIES), ("nan", fn_(op, 1), NANS), ("nan_all", fn_(op), NANS),
        ("int", fn_(op, 0), ITIES), ("0d", fn_(op), Z), ("0d_dim", fn_(op, 0, True), Z),
        ("empty_other_dim", fn_(op, 1), E), ("method", meth(op, 0), A), ("f32", fn_(op, 1), A32),
        ("noncontig", lambda m, a, op=op: getattr(m, op)(a.t()[::2], 0), A)]],
    # ---- aminmax
    case("aminmax", "f64", fn_("aminmax"), A),
    case("aminmax", "f32", fn_("aminmax"), A32),
    case("aminmax", "method", meth("aminmax", dim=1), A),
    case("aminmax", "dim", fn_("aminmax", dim=1), A),
    case("aminmax", "negdim_keepdim", fn_("aminmax", dim=-2, keepdim=True), A),
    case("aminmax", "keepdim_all", fn_("aminmax", keepdim=True), A),
    case("aminmax", "ties", fn_("aminmax"), TIES, **NO_FD),
    case("aminmax", "ties_dim", fn_("aminmax", dim=1), TIES, **NO_FD),
    case("aminmax", "min_only", lambda m, a: m.aminmax(a, dim=0).min, TIES, **NO_FD),
    case("aminmax", "max_only", lambda m, a: m.aminmax(a).max, TIES, **NO_FD),
    case("aminmax", "int", fn_("aminmax", dim=0), INTS),
    case("aminmax", "bool", fn_("aminmax"), BOOLS),
    case("aminmax", "0d", fn_("aminmax"), Z),
    case("aminmax", "0d_dim", fn_("aminmax", dim=0), Z),
    case("aminmax", "empty_other_dim", fn_("aminmax", dim=1), E),
    case("aminmax", "noncontig", lambda m, a: m.aminmax(a.t()[::2], dim=1), A, **NO_FD),
    # ---- var / std / var_mean / std_mean
    *basics("var"), *dims("var"), *basics("std"), *dims("std"),
    *[case(op, name, fn, arr, **kw) for op in ("var", "std") for name, fn, arr, kw in [
        ("biased", fn_(op, unbiased=False), A, {}), ("unbiased_positional", fn_(op, 1, False, True), A, {}),
        ("unbiased_only", fn_(op, False), A, {}), ("correction0", fn_(op, 0, correction=0), A, {}),
        ("correction2", fn_(op, correction=2), A, {}), ("correction_float", fn_(op, 1, correction=0.5), A, {}),
        ("empty_list", fn_(op, []), A, NO_FD), ("0d", fn_(op), Z, NO_FD),
        ("0d_biased", fn_(op, correction=0), Z, {"gradgradcheck": False}),  # std: sqrt at 0
        ("single_dim", fn_(op, 0), A[:1], NO_FD), ("too_much_correction", fn_(op, correction=20), A, NO_FD),
        ("too_much_correction_dim", fn_(op, 0, correction=4), A, NO_FD), ("constant", fn_(op, 1), CONST, NO_FD),
        ("empty", fn_(op, 1), E, {})]],
    *[case(op, name, fn, arr, **kw) for op in ("var_mean", "std_mean") for name, fn, arr, kw in [
        ("f64", fn_(op), A, {}), ("f32", fn_(op), A32, {}), ("dim", fn_(op, 1), A, {}),
        ("tuple_keepdim", fn_(op, (0, 1), keepdim=True), A, {}), ("correction", fn_(op, 0, correction=0), A, {}),
        ("unbiased", fn_(op, 1, False), A, {}), ("var_only", lambda m, a, op=op: getattr(m, op)(a, 1)[0], A, {}),
        ("mean_only", lambda m, a, op=op: getattr(m, op)(a, 0, keepdim=True)[1], A, {}), ("0d", fn_(op), Z, NO_FD),
        ("constant", fn_(op, 0), CONST, NO_FD), ("noncontig", lambda m, a, op=op: getattr(m, op)(a.t()[::2], 0), A, {})]],
    # ---- logsumexp
    *basics("logsumexp", 1),
    case("logsumexp", "negdim_keepdim", fn_("logsumexp", -2, keepdim=True), A),
    case("logsumexp", "tuple", fn_("logsumexp", (0, 1)), A),
    case("logsumexp", "inf", fn_("logsumexp", 1), INF, **NO_FD),
    case("logsumexp", "int", fn_("logsumexp", 0), INTS),
    case("logsumexp", "bool", fn_("logsumexp", 1), BOOLS),
    case("logsumexp", "0d", fn_("logsumexp", 0), Z),
    case("logsumexp", "0d_empty_tuple", fn_("logsumexp", ()), Z),
    case("logsumexp", "empty", fn_("logsumexp", 0), E),
    case("logsumexp", "empty_other_dim", fn_("logsumexp", 1), E),
    # ---- norm
    *basics("norm", dom=NZ),
    *[case("norm", f"p{p}", fn_("norm", p), NZ) for p in (1, 2, 3, 0.5, 1.5, -1, -2.5)],
    case("norm", "pinf", fn_("norm", math.inf), A),
    case("norm", "pinf_ties", fn_("norm", math.inf), np.array([1.0, -2.0, 2.0, 0.5]), **NO_FD),
    case("norm", "pneginf", fn_("norm", -math.inf, 1), A),
    case("norm", "p0", fn_("norm", 0), ZEROS),
    case("norm", "p0_dim", fn_("norm", 0, 1), ZEROS),
    case("norm", "dim", fn_("norm", 2, 1), NZ),
    case("norm", "negdim_keepdim", fn_("norm", 3, -1, True), NZ),
    case("norm", "tuple", fn_("norm", 1.5, (0, 1)), NZ),
    case("norm", "fro_dim", fn_("norm", "fro", 0), A),
    case("norm", "fro_dims", fn_("norm", "fro", (0, 1), True), A),
    case("norm", "p_none", fn_("norm", None), A),
    case("norm", "dtype", fn_("norm", dtype="float64"), A32),
    *[case("norm", f"origin_p{p}", fn_("norm", p, 1), np.array([[0.0, 0.0, 0.0], [0.5, -1.0, 2.0]]), **NO_FD)
      for p in (2, 1, 3, 1.5, 0.5, math.inf, -1)],
    case("norm", "0d", fn_("norm"), Z),
    case("norm", "0d_p3", fn_("norm", 3), Z),
    case("norm", "empty", fn_("norm"), E),
    case("norm", "empty_dim", fn_("norm", 1, 0), E),
    case("norm", "empty_inf_other_dim", fn_("norm", math.inf, 1), E),
    # ---- cumsum / cumprod
    *basics("cumsum", 1),
    *[case(op, name, fn, arr) for op in ("cumsum", "cumprod") for name, fn, arr in [
        ("dim0", fn_(op, 0), A), ("negdim", fn_(op, -1), A), ("0d", fn_(op, 0), Z), ("0d_negdim", fn_(op, -1), Z),
        ("empty", fn_(op, 0), E), ("int64", fn_(op, 1), INTS), ("bool", fn_(op, 0), BOOLS), ("uint8", fn_(op, 1), U8),
        ("int8", lambda m, a, op=op: getattr(m, op)(a.to(m.int8), 1), INTS), ("dtype", fn_(op, 1, dtype="float64"), A32),
        ("int_dtype", fn_(op, 0, dtype="float32"), INTS), ("single", fn_(op, 0), A[:1])]],
    *basics("cumprod", 1),
    case("cumprod", "zero", fn_("cumprod", 1), ZEROS),
    case("cumsum", "inplace", lambda m, a: (a * 1).cumsum_(1), A, gradcheck=False),
    case("cumsum", "inplace_int", lambda m, a: a.clone().cumsum_(0), INTS),
    case("cumsum", "inplace_int32", lambda m, a: a.to(m.int32).cumsum_(0), INTS),
    case("cumprod", "inplace_0d", lambda m, a: (a * 1).cumprod_(0), Z),
    case("cumprod", "inplace", lambda m, a: (a * 1).cumprod_(-1), ZEROS, gradcheck=False),
    case("cumprod", "zeros_dim0", fn_("cumprod", 0), ZEROS.T.copy()),
    case("cumprod", "zero_first", fn_("cumprod", 0), np.array([0.0, 1.5, -2.0, 0.5])),
    case("cumprod", "zero_last", fn_("cumprod", 0), np.array([1.5, -2.0, 0.5, 0.0])),
    # ---- cummax / cummin
    *basics("cummax", 1, fd=False), *basics("cummin", 0, fd=False),
    *[case(op, name, fn, arr, **NO_FD) for op in ("cummax", "cummin") for name, fn, arr in [
        ("dim0", fn_(op, 0), A), ("negdim", fn_(op, -1), A), ("ties", fn_(op, 1), TIES),
        ("ties_dim0", fn_(op, 0), TIES), ("nan", fn_(op, 1), NANS), ("int", fn_(op, 1), ITIES),
        ("bool", fn_(op, 1), BOOLS), ("0d", fn_(op, 0), Z), ("empty", fn_(op, 0), E),
        ("inf", fn_(op, 1), INF)]],
    # ---- all / any / count_nonzero
    *[case(op, name, fn, arr) for op in ("all", "any") for name, fn, arr in [
        ("float", fn_(op), A), ("dim", fn_(op, 1), ZEROS), ("negdim_keepdim", fn_(op, -1, keepdim=True), ZEROS),
        ("tuple", fn_(op, (0, 1)), ZEROS), ("keepdim_all", fn_(op, keepdim=True), ZEROS),
        ("empty_tuple", fn_(op, ()), ZEROS), ("int", fn_(op, 0), INTS), ("bool", fn_(op, 1), BOOLS),
        ("uint8", fn_(op, 1), U8), ("uint8_all", fn_(op), U8), ("empty", fn_(op), E), ("empty_dim", fn_(op, 0), E),
        ("0d", fn_(op), Z), ("nan", fn_(op, 1), NANS), ("method", meth(op, 0), BOOLS),
        ("noncontig", lambda m, a, op=op: getattr(m, op)(a.t()[::2], 0), ZEROS)]],
    *[case("count_nonzero", name, fn, arr) for name, fn, arr in [
        ("float", fn_("count_nonzero"), ZEROS), ("dim", fn_("count_nonzero", 1), ZEROS),
        ("negdim", fn_("count_nonzero", -2), ZEROS), ("tuple", fn_("count_nonzero", (0, 1)), ZEROS),
        ("empty_tuple", fn_("count_nonzero", ()), ZEROS), ("int", fn_("count_nonzero", 0), INTS),
        ("bool", fn_("count_nonzero"), BOOLS), ("nan", fn_("count_nonzero", 1), NANS), ("0d", fn_("count_nonzero"), Z),
        ("empty", fn_("count_nonzero", 1), E), ("method", meth("count_nonzero", 0), ZEROS)]],
    # ---- median / nanmedian / mode / kthvalue
    *basics("median", fd=False), *basics("median", 1, fd=False)[:1],
    *[case(op, name, fn, arr, **NO_FD) for op in ("median", "nanmedian") for name, fn, arr in [
        ("all", fn_(op), A), ("all_even", fn_(op), B[:4]), ("all_ties", fn_(op), TIES), ("dim", fn_(op, 1), A),
        ("dim_keepdim", fn_(op, 0, keepdim=True), A), ("negdim", fn_(op, -1), TIES), ("ties_dim0", fn_(op, 0), TIES),
        ("nan_all", fn_(op), NANS), ("nan_dim", fn_(op, 1), NANS), ("allnan_dim", fn_(op, 1), ALLNAN),
        ("int", fn_(op, 1), ITIES), ("int_all", fn_(op), ITIES), ("0d", fn_(op), Z), ("0d_dim", fn_(op, 0), Z),
        ("empty_other_dim", fn_(op, 1), E), ("empty_all", fn_(op), E), ("method", meth(op, 1), A),
        ("noncontig", lambda m, a, op=op: getattr(m, op)(a.t()[::2], 1), TIES)]],
    *basics("mode", fd=False),
    *[case("mode", name, fn, arr, **NO_FD) for name, fn, arr in [
        ("dim0", fn_("mode", 0), TIES), ("keepdim", fn_("mode", 1, True), TIES), ("ties", fn_("mode"), TIES),
        ("int", fn_("mode"), ITIES), ("bool", fn_("mode", 0), BOOLS), ("nan", fn_("mode"), NANS),
        ("0d", fn_("mode"), Z), ("empty_other_dim", fn_("mode", 1), E)]],
    *basics("kthvalue", 2, fd=False),
    *[case("kthvalue", name, fn, arr, **NO_FD) for name, fn, arr in [
        ("dim0", fn_("kthvalue", 3, 0), A), ("keepdim", fn_("kthvalue", 1, -1, True), A),
        ("ties", fn_("kthvalue", 2), TIES), ("ties_k3", fn_("kthvalue", 3), TIES), ("nan", fn_("kthvalue", 4), NANS),
        ("int", fn_("kthvalue", 3), ITIES), ("0d", fn_("kthvalue", 1), Z), ("empty_other_dim", fn_("kthvalue", 2), E)]],
    # ---- topk / sort / argsort / msort
    *basics("topk", 2, fd=False),
    *[case("topk", name, fn, arr, **NO_FD) for name, fn, arr in [
        ("smallest", fn_("topk", 3, largest=False), A), ("unsorted", fn_("topk", 3, sorted=False), A),
        ("dim0", fn_("topk", 2, 0), A), ("k0", fn_("topk", 0), A), ("kall", fn_("topk", 4), A),
        ("ties", fn_("topk", 2), TIES), ("ties_smallest", fn_("topk", 3, largest=False), TIES),
        ("nan", fn_("topk", 2), NANS), ("nan_smallest", fn_("topk", 2, largest=False), NANS),
        ("int", fn_("topk", 2), ITIES), ("0d", fn_("topk", 1), Z), ("empty_other_dim", fn_("topk", 1), E)]],
    *basics("sort", fd=False),
    *[case("sort", name, fn, arr, **NO_FD) for name, fn, arr in [
        ("descending", fn_("sort", descending=True), A), ("dim0", fn_("sort", 0), A),
        ("stable", fn_("sort", stable=True), TIES), ("stable_false", fn_("sort", stable=False), A), ("stable_descending", lambda m, a: m.sort(a, dim=1, descending=True, stable=True), TIES),
        ("ties", fn_("sort"), TIES), ("nan", fn_("sort"), NANS), ("nan_descending", fn_("sort", descending=True), NANS),
        ("int", fn_("sort"), ITIES), ("bool", fn_("sort"), BOOLS), ("0d", fn_("sort"), Z), ("empty", fn_("sort", 0), E),
        ("expanded", lambda m, a: a[:1].expand(20, 4).sort(0), A)]],
    *[case("argsort", name, fn, arr) for name, fn, arr in [
        ("f64", fn_("argsort"), A), ("descending", fn_("argsort", 0, True), A), ("ties", fn_("argsort"), TIES),
        ("stable", fn_("argsort", stable=True, descending=True), TIES), ("nan", fn_("argsort"), NANS),
        ("int", fn_("argsort"), ITIES), ("0d", fn_("argsort"), Z), ("method", meth("argsort"), A)]],
    case("msort", "f64", fn_("msort"), A, **NO_FD),
    case("msort", "method", meth("msort"), TIES, **NO_FD),
    case("msort", "int", fn_("msort"), INTS),
    # ---- nansum / nanmean
    *basics("nansum"), *dims("nansum"), *basics("nanmean"), *dims("nanmean"),
    *[case(op, name, fn, arr, **kw) for op in ("nansum", "nanmean") for name, fn, arr, kw in [
        ("nan", fn_(op), NANS, NO_FD), ("nan_dim", fn_(op, 1), NANS, NO_FD), ("allnan", fn_(op, 1), ALLNAN, NO_FD),
        ("0d", fn_(op), Z, {}), ("empty", fn_(op), E, {}), ("empty_dim", fn_(op, 0), E, {}),
        ("dtype", fn_(op, 1, dtype="float64"), A32, {})]],
    case("nansum", "int", fn_("nansum"), INTS),
    case("nanmean", "keepdim_all", fn_("nanmean", None, True), NANS, **NO_FD),
    case("nansum", "keepdim_all", fn_("nansum", None, True), NANS, **NO_FD),
    case("nansum", "bool", fn_("nansum", 0), BOOLS),
    case("nansum", "int_dtype", fn_("nansum", dtype="int64"), A, grad=False),
]


@pytest.mark.parametrize("fn,args,opts", CASES)
def test_parity(fn, args, opts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's and chainrule's degrees-of-freedom warnings
        check(fn, *args, **opts)


# ---- the recorded graph --------------------------------------------------------------------------------------------
def _chain(t, depth=4):
    names, f = [], t.grad_fn
    while f is not None and depth:
        names.append(type(f).__name__)
        nxt = [n for n, _ in f.next_functions if n is not None]
        f, depth = (nxt[0] if nxt else None), depth - 1
    return names


@pytest.mark.parametrize("fn,args,opts", CASES)
def test_node_names(fn, args, opts):
    if opts.get("grad") is False:
        return
    outs = []
    for m, make in ((chainrule, _cr), (torch, _th)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs.append(_flat(fn(m, *[make(a, True) for a in args])))
    for c, t in zip(*outs):
        if hasattr(t, "grad_fn"):
            assert _chain(c) == _chain(t)


# ---- which index PyTorch returns among equal values ----------------------------------------------------------------
def _random_ties(seed):
    r = np.random.default_rng(seed)
    shape = tuple(r.integers(1, 5, r.integers(1, 4))) + (int(r.choice([3, 17, 40, 130, 300])),)
    x = r.integers(0, int(r.choice([2, 3, 8, 40])), shape).astype(np.float64)
    if seed % 3 == 0:
        x[r.random(shape) < 0.1] = NAN
    return x, int(r.integers(-len(shape), len(shape)))


TIE_OPS = {
    "sort": lambda m, a, d: a.sort(d), "sort_descending": lambda m, a, d: a.sort(d, descending=True),
    "sort_stable": lambda m, a, d: m.sort(a, dim=d, stable=True, descending=True),
    "argsort": lambda m, a, d: a.argsort(d), "msort": lambda m, a, d: m.msort(a),
    "topk": lambda m, a, d: a.topk(min(a.shape[d], 2), d),
    "topk_half": lambda m, a, d: a.topk(a.shape[d] // 2 + 1, d, largest=False),
    "topk_unsorted": lambda m, a, d: a.topk(a.shape[d] // 3 + 1, d, sorted=False),
    "kthvalue": lambda m, a, d: a.kthvalue(a.shape[d] // 2 + 1, d),
    "median": lambda m, a, d: a.median(d), "nanmedian": lambda m, a, d: a.nanmedian(d),
    "mode": lambda m, a, d: a.mode(d), "max": lambda m, a, d: a.max(d), "min": lambda m, a, d: a.min(d),
    "argmax": lambda m, a, d: a.argmax(d), "argmin": lambda m, a, d: a.argmin(d),
    "cummax": lambda m, a, d: a.cummax(d), "cummin": lambda m, a, d: a.cummin(d),
}


@pytest.mark.parametrize("name", list(TIE_OPS))
def test_index_among_ties(name):
    op = name.split("_")[0]
    for seed in range(12):
        x, d = _random_ties(seed)
        f = TIE_OPS[name]
        c, t = f(chainrule, chainrule.tensor(x), d), f(torch, torch.tensor(x), d)
        for a, b in zip(_flat(c), _flat(t)):
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=f"{op} seed {seed}")


@pytest.mark.parametrize("op", ["median", "nanmedian", "mode", "sort", "topk", "kthvalue", "max", "min", "cummax"])
def test_index_among_ties_ints(op):
    x = np.random.default_rng(3).integers(0, 3, (4, 50))
    f = {"topk": lambda a: a.topk(5), "kthvalue": lambda a: a.kthvalue(20), "max": lambda a: a.max(1),
         "min": lambda a: a.min(1), "cummax": lambda a: a.cummax(1)}.get(op, lambda a: getattr(a, op)(1))
    for a, b in zip(_flat(f(chainrule.tensor(x))), _flat(f(torch.tensor(x)))):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_sort_gradient_follows_indices_among_ties():
    check(lambda m, a: a.sort(1)[0] * m.arange(40.0), np.repeat(np.arange(4.0), 10)[None].repeat(2, 0),
          gradcheck=False)


# ---- random shapes and dims ------------------------------------------------------------------------------------------
@st.composite
def _shape_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    d = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=len(shape), unique_by=lambda i:
                      i % len(shape)))
    return shape, tuple(d), draw(st.booleans())


@settings(max_examples=25, deadline=None)
@given(_shape_and_dims(), st.sampled_from(["amax", "amin", "var", "std", "logsumexp", "nansum", "nanmean", "norm"]))
def test_random_shapes(sd, op):
    shape, d, keepdim = sd
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    if op == "norm":
        f = lambda m, a: a.norm(3, d, keepdim)
    else:
        f = lambda m, a: getattr(m, op)(a, d, keepdim=keepdim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(f, x, gradcheck=False)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_random_shapes_along_dim(shape, data):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    op = data.draw(st.sampled_from(["cumsum", "cumprod", "cummax", "sort", "median", "mode"]))
    x = np.random.default_rng(sum(shape)).integers(-2, 3, shape).astype(np.float64)
    check(lambda m, a, op=op: getattr(m, op)(a, d), x, gradcheck=False)


# ---- named tuples ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda m, a: a.max(1), lambda m, a: a.min(0, keepdim=True), lambda m, a: m.aminmax(a),
    lambda m, a: a.sort(), lambda m, a: a.topk(2), lambda m, a: a.cummax(0), lambda m, a: a.cummin(1),
    lambda m, a: a.median(1), lambda m, a: a.nanmedian(0), lambda m, a: a.mode(), lambda m, a: a.kthvalue(1)],
    ids=lambda f: "")
def test_return_types(fn):
    x = np.array([[1.0, 2.0, 2.0], [0.5, -1.0, 3.0]])
    c, t = fn(chainrule, chainrule.tensor(x)), fn(torch, torch.tensor(x))
    assert repr(c) == repr(t).replace("torch.", "chainrule.")
    assert str(c) == str(t).replace("torch.", "chainrule.")
    assert type(c).__name__ == type(t).__name__ and isinstance(c, tuple) and len(c) == 2
    names = ("min", "max") if type(t).__name__ == "aminmax" else ("values", "indices")
    assert all(getattr(c, n) is c[i] for i, n in enumerate(names))
    assert c.n_fields == t.n_fields == 2
    assert type(c) is getattr(chainrule.return_types, type(t).__name__)


def test_return_type_pickles():
    import pickle
    r = chainrule.tensor([[1.0, 3.0], [2.0, 0.0]]).sort()
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is type(r) and back.indices.tolist() == r.indices.tolist()


def test_var_degrees_of_freedom_warning():
    for m in (chainrule, torch):
        with pytest.warns(UserWarning, match=r"var\(\): degrees of freedom is <= 0"):
            m.tensor([1.0]).var()
        with pytest.warns(UserWarning, match=r"std_mean\(\): degrees of freedom is <= 0"):
            m.std_mean(m.tensor([1.0, 2.0]), correction=2)


# ---- errors ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn,args", [
    pytest.param(fn, args, id=f"{op}:error_{i}") for op, items in {
        "sum": [(lambda m, a: a.sum(2), (A,)), (lambda m, a: a.sum((0, 0)), (A,))],
        "mean": [(lambda m, a: a.mean(), (INTS,)), (lambda m, a: a.mean(dtype=m.int64), (A,)),
                 (lambda m, a: a.mean(3), (A,))],
        "max": [(lambda m, a: a.max(), (E,)), (lambda m, a: a.max(0), (E,)), (lambda m, a: a.max(2), (A,))],
        "min": [(lambda m, a: a.min(), (E,)), (lambda m, a: a.min(0), (E,))],
        "prod": [(lambda m, a: a.prod(2), (A,))],
        "amax": [(lambda m, a: a.amax(), (E,)), (lambda m, a: a.amax(0), (E,)), (lambda m, a: a.amax((0, 0)), (A,)),
                 (lambda m, a: a.amax(2), (A,))],
        "amin": [(lambda m, a: a.amin(), (E,)), (lambda m, a: a.amin((1, 0)), (E,))],
        "argmax": [(lambda m, a: a.argmax(), (E,)), (lambda m, a: a.argmax(0), (E,)), (lambda m, a: a.argmax(), (BOOLS,)),
                   (lambda m, a: a.argmax(2), (A,))],
        "argmin": [(lambda m, a: a.argmin(), (E,)), (lambda m, a: a.argmin(), (BOOLS,))],
        "aminmax": [(lambda m, a: m.aminmax(a), (E,)), (lambda m, a: m.aminmax(a, dim=0), (E,)),
                    (lambda m, a: m.aminmax(a, dim=(0, 1)), (A,)), (lambda m, a: m.aminmax(a, dim=2), (A,))],
        "var": [(lambda m, a: a.var(), (INTS,)), (lambda m, a: a.var(2), (A,))],
        "std": [(lambda m, a: a.std(1), (BOOLS,))],
        "var_mean": [(lambda m, a: m.var_mean(a), (INTS,))],
        "std_mean": [(lambda m, a: m.std_mean(a), (INTS,))],
        "logsumexp": [(lambda m, a: m.logsumexp(a, ()), (A,)), (lambda m, a: m.logsumexp(a, 2), (A,)),
                      (lambda m, a: m.logsumexp(a, []), (B,))],
        "norm": [(lambda m, a: a.norm(), (INTS,)), (lambda m, a: a.norm(dtype=m.float16), (A32,)),
                 (lambda m, a: a.norm(dtype=m.int64), (A,)), (lambda m, a: a.norm("fro", (0, 1, 1)), (A,)),
                 (lambda m, a: a.norm("abc"), (A,)), (lambda m, a: a.norm(math.inf), (E,)),
                 (lambda m, a: a.norm(-math.inf, 0), (E,)), (lambda m, a: a.norm(2, (0, 0)), (A,)),
                 (lambda m, a: a.norm(2, 2), (A,))],
        "cumsum": [(lambda m, a: a.cumsum(2), (A,)), (lambda m, a: a.cumsum(1), (Z,))],
        "cumprod": [(lambda m, a: a.cumprod(-3), (A,)), (lambda m, a: a.requires_grad_().cumprod_(0), (A,))],
        "cummax": [(lambda m, a: a.cummax(2), (A,))],
        "all": [(lambda m, a: a.all(2), (A,))],
        "count_nonzero": [(lambda m, a: a.count_nonzero((0, 0)), (A,))],
        "median": [(lambda m, a: a.median(0), (E,)), (lambda m, a: a.median(2), (A,))],
        "nanmedian": [(lambda m, a: a.nanmedian(0), (E,))],
        "mode": [(lambda m, a: a.mode(0), (E,)), (lambda m, a: a.mode(2), (A,))],
        "kthvalue": [(lambda m, a: a.kthvalue(0), (A,)), (lambda m, a: a.kthvalue(5), (A,)),
                     (lambda m, a: a.kthvalue(2), (Z,)), (lambda m, a: a.kthvalue(1, 0), (E,))],
        "topk": [(lambda m, a: a.topk(5), (A,)), (lambda m, a: a.topk(-1), (A,)), (lambda m, a: a.topk(2), (Z,)),
                 (lambda m, a: a.topk(1), (BOOLS,)), (lambda m, a: a.topk(1, 2), (A,))],
        "sort": [(lambda m, a: a.sort(2), (A,))],
        "nanmean": [(lambda m, a: a.nanmean(), (INTS,)), (lambda m, a: a.nanmean(dtype=m.int64), (A,))],
        "nansum": [(lambda m, a: a.nansum(2), (A,))],
    }.items() for i, (fn, args) in enumerate(items)])
def test_errors(fn, args):
    expect_error(fn, *args)


# ---- the GPU (CuPy) gives what the CPU gives -------------------------------------------------------------------------
CUDA_CASES = [
    pytest.param(f, id=f"{op}:cuda") for op, f in [
        ("prod", lambda x: x.prod(1) + x.masked_fill(x > 0.5, 0).prod()), ("amax", lambda x: x.amax(1) + x.amin()),
        ("aminmax", lambda x: sum(chainrule.aminmax(x, dim=0))), ("var", lambda x: x.var(1) + x.std()),
        ("var_mean", lambda x: sum(chainrule.std_mean(x, 0)) + chainrule.var_mean(x)[0]),
        ("logsumexp", lambda x: x.logsumexp(1)), ("norm", lambda x: x.norm(3, 1) + x.norm(math.inf) + x.norm()),
        ("cumsum", lambda x: x.cumsum(1) * x.cumprod(0) + x.masked_fill(x > 0, 0).cumprod(1)),
        ("cummax", lambda x: x.cummax(1).values + x.cummin(0).values),
        ("median", lambda x: x.median(1).values + x.median() + x.nanmedian(0).values[:, None]),
        ("mode", lambda x: x.round().mode(1).values + x.kthvalue(2, 1).values),
        ("topk", lambda x: x.topk(2, 1).values.sum() + x.sort(0, descending=True).values[0].sum()),
        ("nansum", lambda x: x.nansum(1) + x.nanmean(0).sum() + x.max(1).values + x.argmax(1) + x.argsort(1)[:, 0]
         + x.count_nonzero(1) + x.all(1) + x.any(1))]]


@pytest.mark.skipif(not chainrule.cuda.is_available(), reason="no CUDA device with CuPy on this machine")
@pytest.mark.parametrize("fn", CUDA_CASES)
def test_cuda_matches_cpu(fn):
    res = {}
    x0 = np.round(R.standard_normal((4, 6)), 1)  # rounded: ties for the order statistics
    for dev in ("cpu", "cuda"):
        x = chainrule.tensor(x0, device=dev, requires_grad=True)
        y = fn(x).sum()
        y.backward()
        assert x.grad.device.type == dev
        res[dev] = (y.item(), x.grad.cpu().numpy())
    np.testing.assert_allclose(res["cpu"][0], res["cuda"][0], rtol=1e-10)
    np.testing.assert_allclose(res["cpu"][1], res["cuda"][1], rtol=1e-10, atol=1e-12)
