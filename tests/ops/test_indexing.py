"""Indexing ops vs torch: __getitem__ (every kind of index, PyTorch's views and IndexBackward0), __setitem__
(CopySlices / IndexPutBackward0 / CopyBackwards / FillBackward3), select/narrow/masked_fill/unbind, the index_*,
gather/scatter, masked_*, take, nonzero and unique families: values, gradients, second-order gradients, the
recorded graph, views sharing the version counter, and PyTorch's errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import chainrule
from parity import check, expect_error, _cr, _th, _flat

torch = pytest.importorskip("torch")

R = np.random.default_rng(7)
A = R.standard_normal((3, 4, 5))
M = R.standard_normal((3, 4))
V = R.standard_normal(4)
E = np.zeros((0, 3))
Z = np.array(1.5)
MASK = A > 0
IDX = np.array([2, 0, 2])
INTS = np.array([[3, -2, 0, 5], [-7, 1, 4, -1], [2, 2, 0, 9]])


def graph(t):
    """The node names reachable from t.grad_fn, as nested tuples (leaves' AccumulateGrad left out)."""
    def walk(fn):
        kids = tuple(walk(c) for c, _ in fn.next_functions if c is not None and type(c).__name__ != "AccumulateGrad")
        return (type(fn).__name__,) + kids
    return None if t.grad_fn is None else walk(t.grad_fn)


def _run(m, fn, arrays, rg=True):
    mk = _cr if m is chainrule else _th
    ins = [mk(a, rg) if isinstance(a, np.ndarray) else a for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ins, _flat(fn(m, *ins))


def same_graph(fn, *arrays):
    """Node names, which outputs are views, and (without grad) that views share their base's version counter."""
    for x, y in zip(_run(chainrule, fn, arrays)[1], _run(torch, fn, arrays)[1]):
        if hasattr(y, "grad_fn"):
            assert graph(x) == graph(y), f"graph {graph(x)} vs torch {graph(y)}"
            assert (x._base is not None) == y._is_view(), f"view: {x._base is not None} vs torch {y._is_view()}"
    (c_in, c_out), (t_in, t_out) = _run(chainrule, fn, arrays, False), _run(torch, fn, arrays, False)
    for c, t in zip(c_in, t_in):
        if hasattr(t, "add_") and t.dtype.is_floating_point:
            c.add_(1)
            t.add_(1)
    for x, y in zip(c_out, t_out):
        if hasattr(y, "_version"):
            assert x._version == y._version, f"version {x._version} vs torch {y._version}"


def case(op, name, fn, *arrays, **kw):
    return pytest.param(fn, arrays, kw, id=f"{op}:{name}")


def _key(m, k):
    """Index keys spelled with names for the tensors they hold (built with m = chainrule or torch)."""
    named = {"MASK": lambda: m.tensor(MASK), "T1": lambda: m.tensor(1), "TT": lambda: m.tensor(True),
             "M34": lambda: m.ones(3, 4, dtype=m.bool), "U8": lambda: m.tensor([1, 0, 1], dtype=m.uint8),
             "L": lambda: m.tensor([2, 0]), "I32": lambda: m.tensor([0, 2], dtype=m.int32),
             "F": lambda: m.tensor([0.5]), "I16": lambda: m.tensor([0, 1], dtype=m.int16),
             "M5": lambda: m.ones(5, dtype=m.bool), "MB": lambda: m.zeros(3, 5, dtype=m.bool),
             "U8b": lambda: m.tensor([1], dtype=m.uint8), "T7": lambda: m.tensor(7), "M2": lambda: m.tensor(MASK[:, :, 0]),
             "M2x": lambda: m.tensor(M > 0)}
    if isinstance(k, str) and k in named:
        return named[k]()
    if isinstance(k, (tuple, list)):
        return type(k)(_key(m, e) for e in k)
    return k


def get(name, k, arr=A, **kw):
    return case("getitem", name, lambda m, a: a[_key(m, k)], arr, **kw)


GETITEM = [
    get("int", 0), get("negative_int", -1), get("int_pair", (0, 1)), get("ints_and_none", (0, 1, None, 2)),
    get("full_slice", slice(None)), get("step_slice", slice(1, None, 2)), get("slice_negative_bounds", slice(-2, -1)),
    get("slice_clamped", slice(-10, 2)), get("slice_empty", slice(3, 1)), get("slice_past_end", slice(10, 20)),
    get("tuple_full_slice", (slice(None),)), get("full_slice_skipped", (slice(0, 100), 0)),
    get("negative_start_kept", (slice(-3, None), 0)), get("slices_and_step", (slice(None), slice(None, None, 2), 1)),
    get("ellipsis", ...), get("empty_tuple", ()), get("two_ellipses", (..., ...)), get("ellipsis_mid", (1, ..., 2)),
    get("ellipsis_first", (..., 1, 2)), get("none", None), get("none_ellipsis", (None, ...)),
    get("ellipsis_none", (..., None)), get("none_between", (slice(None), None, 1)),
    get("true", True), get("false", False), get("true_and_int", (True, 0)), get("none_true_list", (None, True, [0])),
    get("tensor_0d_int", "T1"), get("tensor_0d_bool", "TT"), get("tensor_int_and_list", ("T1", [0, 1])),
    get("numpy_int", np.int64(1)), get("numpy_array", np.array([0, 1])), get("numpy_array_and_int", (np.array([0, 1]), 0)),
    get("list", [0, 2, 0]), get("list_repeated", [[0, 0], [0, 2]]), get("list_negative", [-1, 0]),
    get("list_of_list", [[0, 1]]), get("list_of_lists_as_tuple", [[0, 1], [1, 2]]),
    get("list_with_slice_as_tuple", [0, slice(None)]), get("list_of_tensors_as_tuple", ["T1", "T1"]),
    get("long_list", [0, 1] * 20), get("empty_list", []), get("tuple_in_tuple", ((0, 1),)),
    get("long_tensor", "L"), get("int32_tensor", "I32"), get("2d_index", np.array([[0, 1], [2, 1]])),
    get("mask", "MASK"), get("mask_2d", "M2"), get("mask_then_int", ("M34", 0)), get("mask_list", [True, False, True]),
    get("uint8_mask", ("U8",)), get("mask_and_list", ([True, False, True], [0, 1])),
    get("slice_then_mask", (slice(None), [True, False, True, True])),
    get("int_then_list", (0, [0, 1])), get("list_then_int", ([0, 1], 0)), get("slice_then_list", (slice(None), [0, 1])),
    get("advanced_separated", ([0, 1], slice(None), [0, 1])), get("advanced_separated_by_int", ([0, 1], 0, [0, 1])),
    get("advanced_separated_by_none", ([0, 1], None, [0, 1])), get("advanced_after_slice", (slice(1, None), [0, 1])),
    get("int_slice_list", (0, slice(None), [0, 1])), get("list_slice_int", ([0, 1], slice(None), 0)),
    get("int_two_lists", (0, [0, 1], [1, 2])), get("none_list", (None, [0, 1])),
    get("broadcast_indices", ([[0, 1], [1, 2]], slice(None), [0, 1])),
    get("broadcast_2d", (slice(None), [[0], [1]], [0, 1, 2])), get("none_list_none_list", (None, [0, 1], None, [0, 1])),
    get("list_none_int_list", ([0, 1], None, 0, [0, 1])), get("none_slice_list", (slice(None), None, [0, 1])),
    get("repeated_accumulate", ([2, 2, 0], [1, 1, 1])), get("f32", (slice(None), [0, 1]), A.astype(np.float32)),
    get("noncontiguous", (slice(None), [0, 2]), np.asfortranarray(A)),
    case("getitem", "transposed_view", lambda m, a: a.transpose(0, 2)[1:, [0, 1]], A),
    case("getitem", "on_view", lambda m, a: (a * 1).t()[:, ::2], M),
    get("0d_ellipsis", ..., Z), get("0d_none", None, Z), get("0d_true", True, Z), get("0d_nones", (None, None), Z),
    get("0d_mask", "TT", Z), get("empty_int", (slice(None), 1), E), get("empty_full_slice", slice(None), E),
    get("empty_mask", np.zeros((0, 3), bool), E), get("empty_lists", ([], [2]), E), get("empty_list_on_empty", [], E),
    get("index_into_empty_rows", [5], np.zeros((3, 0))), get("nothing_read", (slice(None), [5]), E),
]


def bad_get(name, k, arr=A):
    return case("getitem", name, lambda m, a: a[_key(m, k)], arr)


GETITEM_ERRORS = [
    bad_get("int_out_of_range", 5), bad_get("negative_out_of_range", -4), bad_get("second_int", (0, 5)),
    bad_get("int_after_none", (None, 5)), bad_get("int_after_nones", (None, None, 0, 9)),
    bad_get("list_out_of_range", [5]), bad_get("list_negative_out_of_range", [-4]),
    bad_get("list_after_none_slice", (None, slice(None), [9])), bad_get("list_after_int", (0, [9])),
    bad_get("int_after_list", ([0], 9)), bad_get("first_bad_in_order", ([5, -7],)),
    bad_get("first_bad_element", ([0, 5], [9, 1])), bad_get("bad_third_dim", (slice(None), [0], [9])),
    bad_get("nested_bad", ([[0], [5]],)), bad_get("0d_tensor_out_of_range", "T7"),
    bad_get("float_tensor", "F"), bad_get("int16_tensor", "I16"), bad_get("float", 1.5), bad_get("string", "a"),
    bad_get("dict", {1: 2}), bad_get("too_many", (0, 0, 0, 0)), bad_get("too_many_slices", (slice(None),) * 4),
    bad_get("mask_shape", [True, False]), bad_get("uint8_mask_shape", "U8b"), bad_get("mask_size", ("M34", "M5")),
    bad_get("mask_dim", "MB"), bad_get("mask_after_int", (0, [True, False, True])),
    bad_get("broadcast", ([0, 1], [0, 1, 2])), bad_get("negative_step", slice(None, None, -1)),
    bad_get("zero_step", slice(None, None, 0)), bad_get("float_slice", slice(0, 2.5)),
    bad_get("0d_int", 0, Z), bad_get("0d_int_1", 1, Z), bad_get("0d_slice", slice(None), Z),
    bad_get("0d_tuple", (0,), Z), bad_get("0d_list", [0], Z), bad_get("0d_tuple_slice", (slice(None),), Z),
    bad_get("empty_dim", [0], E), bad_get("empty_int", 0, E),
]


# ---- __setitem__ ---------------------------------------------------------------------------------------------------
def _set(k, value, on=None):
    """x[k] = value on a tensor with history (a * 1), or on `on(m, a)`; value: a number, or 'v' for the second input."""
    def fn(m, a, *vs):
        x = a * 1 if on is None else on(m, a)
        x[_key(m, k)] = vs[0] if value == "v" else value
        return x
    return fn


def put(name, k, value, *arrays, on=None, **kw):
    return case("setitem", name, _set(k, value, on), *(arrays or (M,)), **kw)


SETITEM = [
    put("int_number", 0, 5.0), put("int_tensor", 0, "v", M, V), put("negative_int", -1, "v", M, V),
    put("column", (slice(None), 1), 2.0), put("slice_broadcast", slice(0, 2), "v", M, V),
    put("slice_step", (slice(None), slice(None, None, 2)), "v", M, V[:2]),
    put("ellipsis_tensor", ..., "v", M, V), put("ellipsis_number", ..., 2.0), put("empty_tuple_number", (), 2.0),
    put("full_slice_tensor", slice(None), "v", M, V), put("full_slice_number", slice(None), 3.0),
    put("full_slices", (slice(None), slice(None)), "v", M, V), put("none", None, "v", M, V),
    put("none_int", (None, 0), 5.0), put("true", True, "v", M, V), put("true_number", True, 5.0),
    put("false_writes_nothing", False, 5.0), put("0d_bool_tensor", "TT", 5.0),
    put("0d_value_tensor", 0, "v", M, np.array(2.0)), put("0d_value_everywhere", ..., "v", M, np.array(2.0)),
    put("leading_ones_value", 0, "v", M, V[None]), put("leading_ones_value_2", 0, "v", M, V[None, None]),
    put("leading_ones_broadcast", slice(0, 2), "v", M, V[None, None]),
    put("one_value_broadcast", slice(0, 2), "v", M, np.ones((1, 1, 1))), put("same_shape", slice(0, 1), "v", M, V[None]),
    put("list_number", [0, 1], 5.0), put("list_tensor", [0, 1], "v", M, V), put("mask", "M2x", "v", M, V[:1]),
    put("mask_number", "M2x", 5.0), put("mask_full", "M34", 2.0),
    put("slice_list", (slice(None), [0, 1]), 5.0), put("ellipsis_list", (..., [0, 1]), "v", M, V[:1]),
    put("slice_then_list", (slice(1, None), [0, 1]), 5.0), put("int_then_list", (0, [0, 1]), "v", M, V[:2]),
    put("two_lists", ([0, 1], [0, 1]), "v", M, V[:2]), put("list_leading_ones", [0, 1], "v", M, V[None, None]),
    put("list_column_value", [0, 1], "v", M, V[:2, None]), put("0d_tensor_int", "T1", "v", M, V),
    put("repeated_index_same_value", [0, 0], 3.0), put("int_number_into_float", [0], 2),
    put("f32", (0, [0, 2]), "v", M.astype(np.float32), V[:2].astype(np.float32)),
    put("float64_value_into_float32", 0, "v", M.astype(np.float32), V, grad2=False),
    put("leaf_without_grad", 0, "v", M, V, on=lambda m, a: m.zeros(3, 4, dtype=m.float64)),
    put("leaf_without_grad_f32", 0, "v", M, V, on=lambda m, a: m.zeros(3, 4), gradcheck=False),
    put("leaf_without_grad_list", [0, 2], "v", M, V, on=lambda m, a: m.zeros(3, 4, dtype=m.float64)),
    put("int_tensor_target", 0, 2.7, INTS, on=lambda m, a: a.clone()),
    put("int_tensor_list_target", [0], 2.7, INTS, on=lambda m, a: a.clone()),
    put("bool_target", [0], 2.5, MASK[0], on=lambda m, a: a.clone()),
    put("3d", (slice(None), [0, 2], slice(1, 3)), "v", A, R.standard_normal((3, 2, 2))),
    put("0d_target", ..., "v", Z, np.array(-1.0)),
]
SETITEM_ERRORS = [
    put("leaf_view", 0, 5.0, on=lambda m, a: a.requires_grad_()),
    put("leaf_list", [0], 5.0, on=lambda m, a: a.requires_grad_()),
    put("leaf_ellipsis", ..., 5.0, on=lambda m, a: a.requires_grad_()),
    put("leaf_slice", slice(None), 5.0, on=lambda m, a: a.requires_grad_()),
    put("leaf_int_list", (0, [0]), 5.0, on=lambda m, a: a.requires_grad_()),
    put("expand_size", 0, "v", M, R.standard_normal(3)), put("expand_dims", 0, "v", M, R.standard_normal((4, 4))),
    put("out_of_range", 5, 1.0), put("list_out_of_range", [5], 1.0),
    put("index_put_shape", [0, 1], "v", M, R.standard_normal((3, 1))),
    put("index_put_leading", [0, 1], "v", M, R.standard_normal((2, 1, 4))),
    put("index_put_dtype", [0, 1], "v", M.astype(np.float32), V),
    put("index_put_long_value", [0, 1], "v", M, np.array(5)), put("mask_value_size", "M34", "v", M, V[:2]),
    put("mask_shape", [True, False], 5.0), put("string_value", [0], "a"), put("list_value", 0, [1, 2, 3, 4]),
    put("none_value", 0, None), put("numpy_value", 0, np.ones(4)), put("numpy_float32_value", 0, np.float32(2)),
    put("float_index", 1.5, 5.0), put("negative_step", slice(None, None, -1), 5.0), put("too_many", (0, 0, 0), 5.0),
    case("setitem", "delete", lambda m, a: a.__delitem__(0), M),
]


# ---- the existing select / narrow / masked_fill / unbind -----------------------------------------------------------
BASIC = [
    case("select", "f64", lambda m, a: m.select(a, 1, 2), A), case("select", "negative", lambda m, a: a.select(-1, -2), A),
    case("select", "f32", lambda m, a: a.select(0, 1), A.astype(np.float32)),
    case("select", "empty", lambda m, a: a.select(1, 0), E),
    case("narrow", "f64", lambda m, a: m.narrow(a, 1, 1, 2), A), case("narrow", "negative_start", lambda m, a: a.narrow(-1, -3, 2), A),
    case("narrow", "noncontiguous", lambda m, a: a.t().narrow(0, 1, 2), M),
    case("masked_fill", "f64", lambda m, a, k: m.masked_fill(a, k, 0.5), A, MASK),
    case("masked_fill", "broadcast_mask", lambda m, a, k: a.masked_fill(k, -1.0), A, MASK[0, 0]),
    case("masked_fill", "tensor_value", lambda m, a, k: a.masked_fill(k, m.tensor(2.0)), A, MASK),
    case("masked_fill", "inplace", lambda m, a, k: (a * 1).masked_fill_(k, 0.5), A, MASK),
    case("masked_fill", "int", lambda m, a, k: a.masked_fill(k, 7), INTS, INTS > 0),
    case("unbind", "f64", lambda m, a: m.unbind(a, 1), A), case("unbind", "negative_dim", lambda m, a: a.unbind(-1), M),
    case("unbind", "some_used", lambda m, a: a.unbind(0)[1], M), case("unbind", "iter", lambda m, a: tuple(a), M),
    case("unbind", "one_piece", lambda m, a: a[:1].unbind(0), M), case("unbind", "f32", lambda m, a: a.unbind(), M.astype(np.float32)),
]
BASIC_ERRORS = [
    case("select", "out_of_range", lambda m, a: a.select(1, 7), A), case("select", "0d", lambda m, a: a.select(0, 0), Z),
    case("select", "bad_dim", lambda m, a: a.select(3, 0), A),
    case("narrow", "too_long", lambda m, a: a.narrow(1, 2, 3), A),
    case("masked_fill", "float_mask", lambda m, a: a.masked_fill(a, 1.0), A),
    case("masked_fill", "int_mask", lambda m, a: a.masked_fill(m.ones(3, 4, 5, dtype=m.int32), 1.0), A),
    case("masked_fill", "value_dims", lambda m, a, k: a.masked_fill(k, m.ones(2)), A, MASK),
]


# ---- index_select / index_add / index_copy / index_fill ------------------------------------------------------------
I = np.array([2, 0])
IR = np.array([1, 1, 0])  # a repeated index
SRC = R.standard_normal((3, 2))
INDEX = [
    case("index_select", "f64", lambda m, a, i: m.index_select(a, 1, i), M, I),
    case("index_select", "repeated", lambda m, a, i: a.index_select(0, i), M, IR),
    case("index_select", "negative_dim", lambda m, a, i: a.index_select(-1, i), A, I),
    case("index_select", "int32_index", lambda m, a, i: a.index_select(1, i), M, I.astype(np.int32)),
    case("index_select", "0d_index", lambda m, a: a.index_select(1, m.tensor(3)), M),
    case("index_select", "0d_input", lambda m, a: a.index_select(0, m.tensor([0])), Z),
    case("index_select", "empty_index", lambda m, a: a.index_select(1, m.tensor([], dtype=m.int64)), M),
    case("index_select", "f32", lambda m, a, i: a.index_select(1, i), M.astype(np.float32), I),
    case("index_select", "noncontiguous", lambda m, a, i: a.t().index_select(1, i), M, I),
    case("index_select", "int", lambda m, a, i: a.index_select(1, i), INTS, I),
    case("index_add", "f64", lambda m, a, i, s: m.index_add(a, 1, i, s), M, I, SRC),
    case("index_add", "alpha", lambda m, a, i, s: a.index_add(1, i, s, alpha=2.5), M, I, SRC),
    case("index_add", "repeated", lambda m, a, i, s: a.index_add(1, i, s), M, np.array([1, 1]), SRC),
    case("index_add", "dim0", lambda m, a, i, s: a.index_add(0, i, s), M, I, SRC.T[:, :4].T[:2].repeat(2, 1)[:, :4]),
    case("index_add", "0d", lambda m, a, s: a.index_add(0, m.tensor([0]), s), Z, np.array(3.0)),
    case("index_add", "inplace", lambda m, a, i, s: (a * 1).index_add_(1, i, s), M, I, SRC),
    case("index_add", "int", lambda m, a, i: a.index_add(1, i, a[:, :2], alpha=2), INTS, I),
    case("index_add", "f32", lambda m, a, i, s: a.index_add(1, i, s), M.astype(np.float32), I, SRC.astype(np.float32)),
    case("index_copy", "f64", lambda m, a, i, s: m.index_copy(a, 1, i, s), M, I, SRC),
    case("index_copy", "inplace", lambda m, a, i, s: (a * 1).index_copy_(1, i, s), M, I, SRC),
    case("index_copy", "0d_source", lambda m, a, s: a.index_copy(0, m.tensor([1]), s), V, np.array(3.0)),
    case("index_fill", "f64", lambda m, a, i: m.index_fill(a, 1, i, 2.5), M, I),
    case("index_fill", "repeated", lambda m, a, i: a.index_fill(0, i, -1.0), M, IR),
    case("index_fill", "tensor_value", lambda m, a, i, v: a.index_fill(1, i, v), M, I, np.array(4.0)),
    case("index_fill", "tensor_value_repeated", lambda m, a, i, v: a.index_fill(0, i, v), M, IR, np.array(4.0)),
    case("index_fill", "inplace", lambda m, a, i: (a * 1).index_fill_(1, i, 2.5), M, I),
    case("index_fill", "inplace_tensor", lambda m, a, i, v: (a * 1).index_fill_(1, i, v), M, I, np.array(4.0)),
    case("index_fill", "negative_index", lambda m, a: a.index_fill(1, m.tensor([-1]), 0.0), M),
    case("index_fill", "int", lambda m, a, i: a.index_fill(1, i, 7), INTS, I),
]
INDEX_ERRORS = [
    case("index_select", "2d_index", lambda m, a: a.index_select(1, m.tensor([[0]])), M),
    case("index_select", "float_index", lambda m, a: a.index_select(1, m.tensor([0.0])), M),
    case("index_select", "out_of_range_dim0", lambda m, a: a.index_select(0, m.tensor([5])), M),
    case("index_select", "out_of_range_dim1", lambda m, a: a.index_select(1, m.tensor([2, 5, -1])), A),
    case("index_select", "negative", lambda m, a: a.index_select(1, m.tensor([-2])), M),
    case("index_add", "count", lambda m, a, s: a.index_add(1, m.tensor([0, 2]), s), M, R.standard_normal((3, 3))),
    case("index_add", "dtype", lambda m, a, s: a.index_add(1, m.tensor([0, 2]), s), M.astype(np.float32), SRC),
    case("index_add", "out_of_range", lambda m, a, s: a.index_add(1, m.tensor([0, 7]), s), M, SRC),
    case("index_add", "float_index", lambda m, a, s: a.index_add(1, m.tensor([0.0, 1.0]), s), M, SRC),
    case("index_add", "shape", lambda m, a, s: a.index_add(1, m.tensor([0, 2]), s), M, R.standard_normal((2, 2))),
    case("index_add", "dims", lambda m, a, s: a.index_add(1, m.tensor([0, 2]), s), M, R.standard_normal((3, 2, 1))),
    case("index_add", "leaf_inplace", lambda m, a, s: a.index_add_(1, m.tensor([0, 2]), s), M, SRC),
    case("index_copy", "int32_index", lambda m, a, s: a.index_copy(1, m.tensor([0, 2], dtype=m.int32), s), M, SRC),
    case("index_add", "0d_source", lambda m, a, s: a.index_add(0, m.tensor([1]), s), V, np.array(3.0)),
    case("index_add", "2d_index", lambda m, a, s: a.index_add(1, m.tensor([[0]]), s[:, :1]), M, SRC),
    case("index_add", "int16_index", lambda m, a, s: a.index_add(1, m.tensor([0], dtype=m.int16), s[:, :1]), M, SRC),
    case("index_copy", "2d_index", lambda m, a, s: a.index_copy(1, m.tensor([[0]]), s[:, :1]), M, SRC),
    case("index_fill", "2d_index", lambda m, a: a.index_fill(1, m.tensor([[0]]), 1.0), M),
    case("index_fill", "int32_index", lambda m, a: a.index_fill(1, m.tensor([0], dtype=m.int32), 1.0), M),
    case("index_copy", "count", lambda m, a, s: a.index_copy(1, m.tensor([0, 2]), s), M, R.standard_normal((3, 3))),
    case("index_copy", "out_of_range", lambda m, a, s: a.index_copy(1, m.tensor([0, 7]), s), M, SRC),
    case("index_copy", "dtype", lambda m, a, s: a.index_copy(1, m.tensor([0, 2]), s), M.astype(np.float32), SRC),
    case("index_fill", "out_of_range", lambda m, a: a.index_fill(1, m.tensor([0, 7]), 1.0), M),
    case("index_fill", "value_dims", lambda m, a: a.index_fill(1, m.tensor([0]), m.tensor([1.0])), M),
    case("index_fill", "float_index", lambda m, a: a.index_fill(1, m.tensor([0.0]), 1.0), M),
]


# ---- gather / scatter / scatter_add / scatter_reduce ---------------------------------------------------------------
G = np.array([[0, 3, 3], [1, 0, 2], [2, 2, 2]])  # repeated positions: scatters accumulate or compete
S = R.standard_normal((3, 3))
TIES = np.array([[1.0, 2.0, 2.0, 0.5], [0.0, 3.0, 1.0, -1.0], [2.0, 2.0, 2.0, 2.0]])
SRC_TIES = np.array([[2.0, 0.5, 2.0], [3.0, 3.0, 0.0], [2.0, 2.0, 1.0]])
ZEROS = np.array([[0.0, 2.0, 1.5, 0.5], [1.0, 0.0, 1.0, 2.0], [2.0, -1.0, 0.5, 2.0]])
SRC_ZEROS = np.array([[1.5, 0.0, 2.0], [0.0, 1.5, 0.5], [1.0, 2.0, 3.0]])
GATHER = [
    case("gather", "f64", lambda m, a, i: m.gather(a, 1, i), M, G),
    case("gather", "dim0", lambda m, a: a.gather(0, m.tensor([[2, 0, 1, 1]])), M),
    case("gather", "negative_dim", lambda m, a, i: a.gather(-1, i), M, G),
    case("gather", "smaller_index", lambda m, a: a.gather(1, m.tensor([[1], [0]])), M),
    case("gather", "int32_index", lambda m, a, i: a.gather(1, i), M, G.astype(np.int32)),
    case("gather", "3d", lambda m, a: a.gather(2, m.tensor(np.arange(24).reshape(3, 4, 2) % 5)), A),
    case("gather", "0d", lambda m, a: a.gather(0, m.tensor(0)), Z),
    case("gather", "empty_index", lambda m, a: a.gather(1, m.zeros(3, 0, dtype=m.int64)), M),
    case("gather", "f32", lambda m, a, i: a.gather(1, i), M.astype(np.float32), G),
    case("gather", "noncontiguous", lambda m, a, i: a.t().gather(0, i), M.T.copy(), np.minimum(G, 2)),
    case("gather", "int", lambda m, a, i: a.gather(1, i), INTS, G),
    case("scatter", "src", lambda m, a, i, s: m.scatter(a, 1, i[:, :1], s[:, :1]), M, G, S),
    case("scatter", "value", lambda m, a, i: a.scatter(1, i[:, :1], 2.5), M, G),
    case("scatter", "value_kw", lambda m, a, i: a.scatter(1, i[:, :1], value=2.5), M, G),
    case("scatter", "larger_src", lambda m, a, s: a.scatter(0, m.tensor([[2, 0, 1]]), s), M, S, grad=False),
    case("scatter", "inplace", lambda m, a, i, s: (a * 1).scatter_(1, i[:, :1], s[:, :1]), M, G, S),
    case("scatter", "inplace_value", lambda m, a, i: (a * 1).scatter_(1, i[:, :1], 2.5), M, G),
    case("scatter", "0d", lambda m, a, s: a.scatter(0, m.tensor(0), s), Z, np.array(5.0)),
    case("scatter", "int", lambda m, a, i: a.scatter(1, i[:, :1], 7), INTS, G),
    case("scatter_add", "f64", lambda m, a, i, s: m.scatter_add(a, 1, i, s), M, G, S),
    case("scatter_add", "inplace", lambda m, a, i, s: (a * 1).scatter_add_(1, i, s), M, G, S),
    case("scatter_add", "int32_index", lambda m, a, i, s: a.scatter_add(1, i, s), M, G.astype(np.int32), S),
    case("scatter_add", "f32", lambda m, a, i, s: a.scatter_add(1, i, s), M.astype(np.float32), G, S.astype(np.float32)),
    *[case("scatter_reduce", f"{r}_{'self' if inc else 'noself'}",
           lambda m, a, i, s, r=r, inc=inc: m.scatter_reduce(a, 1, i, s, r, include_self=inc), M, G, S,
           **({"gradcheck": False} if r == "prod" else {}))
      for r in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)],
    *[case("scatter_reduce", f"{r}_ties_{'self' if inc else 'noself'}",
           lambda m, a, i, s, r=r, inc=inc: a.scatter_reduce(1, i, s, r, include_self=inc), TIES, G, SRC_TIES,
           gradcheck=False) for r in ("amax", "amin") for inc in (True, False)],
    *[case("scatter_reduce", f"prod_zeros_{'self' if inc else 'noself'}",
           lambda m, a, i, s, inc=inc: a.scatter_reduce(1, i, s, "prod", include_self=inc), ZEROS, G, SRC_ZEROS,
           gradcheck=False) for inc in (True, False)],
    case("scatter_reduce", "inplace", lambda m, a, i, s: (a * 1).scatter_reduce_(1, i, s, "amax"), M, G, S),
    case("scatter_reduce", "int_mean", lambda m, a, i: a.scatter_reduce(1, i, -a[:, :3], "mean"), INTS, G),
    case("scatter_reduce", "int_mean_noself", lambda m, a, i: a.scatter_reduce(1, i, a[:, 1:], "mean",
                                                                             include_self=False), INTS, G),
    case("scatter_reduce", "int_amin_noself", lambda m, a, i: a.scatter_reduce(1, i, a[:, 1:], "amin",
                                                                             include_self=False), INTS, G),
    case("scatter_reduce", "f32", lambda m, a, i, s: a.scatter_reduce(1, i, s, "mean"), M.astype(np.float32), G,
         S.astype(np.float32)),
]
GATHER_ERRORS = [
    case("gather", "out_of_range", lambda m, a: a.gather(1, m.tensor([[5]])), M),
    case("gather", "negative", lambda m, a: a.gather(1, m.tensor([[-1]])), M),
    case("gather", "dims", lambda m, a: a.gather(1, m.tensor([5])), M),
    case("gather", "size", lambda m, a: a.gather(1, m.zeros(4, 1, dtype=m.int64)), M),
    case("gather", "dtype", lambda m, a: a.gather(1, m.zeros(3, 1, dtype=m.int16)), M),
    case("scatter", "dtype", lambda m, a, s: a.scatter(1, m.zeros(3, 1, dtype=m.int64), s), M.astype(np.float32), S),
    case("scatter", "index_larger", lambda m, a, s: a.scatter(1, m.zeros(4, 1, dtype=m.int64), s), M, S),
    case("scatter", "index_larger_than_src", lambda m, a: a.scatter(1, m.zeros(3, 2, dtype=m.int64), a[:, :1]), M),
    case("scatter", "out_of_range", lambda m, a: a.scatter(1, m.full((3, 1), 9), a[:, :1]), M),
    case("scatter", "index_dims", lambda m, a: a.scatter(1, m.zeros(3, dtype=m.int64), a[:, :1]), M),
    case("scatter", "index_dtype", lambda m, a: a.scatter(1, m.zeros(3, 1, dtype=m.uint8), 1.0), M),
    case("scatter_add", "dtype", lambda m, a, s: a.scatter_add(1, m.zeros(3, 1, dtype=m.int64), s),
         M.astype(np.float32), S),
    case("scatter_reduce", "reduce", lambda m, a, s: a.scatter_reduce(1, m.zeros(3, 1, dtype=m.int64), s, "foo"), M, S),
    case("scatter_reduce", "float_index", lambda m, a, s: a.scatter_reduce(1, m.zeros(3, 1), s, "sum"), M, S),
]


# ---- masked_select / masked_scatter / take / take_along_dim / index_put ---------------------------------------------
MASKS = [
    case("masked_select", "f64", lambda m, a, k: m.masked_select(a, k), A, MASK),
    case("masked_select", "broadcast_mask", lambda m, a, k: a.masked_select(k), A, MASK[0, 0]),
    case("masked_select", "broadcast_input", lambda m, a, k: a.masked_select(k), V, M > 0),
    case("masked_select", "0d", lambda m, a: a.masked_select(m.tensor(True)), Z),
    case("masked_select", "empty", lambda m, a: a.masked_select(a > 0), E),
    case("masked_select", "f32", lambda m, a, k: a.masked_select(k), A.astype(np.float32), MASK),
    case("masked_select", "int", lambda m, a: a.masked_select(a > 0), INTS),
    case("masked_scatter", "f64", lambda m, a, k, s: m.masked_scatter(a, k, s), M, M > 0, R.standard_normal(12)),
    case("masked_scatter", "larger_source", lambda m, a, k, s: a.masked_scatter(k, s), M, M > 0, R.standard_normal((4, 5))),
    case("masked_scatter", "broadcast_mask", lambda m, a, k, s: a.masked_scatter(k, s), M, V > 0, R.standard_normal(12)),
    case("masked_scatter", "broadcast_input", lambda m, a, k, s: a.masked_scatter(k, s), V, M > 0, R.standard_normal(12)),
    case("masked_scatter", "inplace", lambda m, a, k, s: (a * 1).masked_scatter_(k, s), M, V > 0, R.standard_normal(12)),
    case("masked_scatter", "f32", lambda m, a, k, s: a.masked_scatter(k, s), M.astype(np.float32), M > 0,
         R.standard_normal(12).astype(np.float32)),
    case("take", "f64", lambda m, a, i: m.take(a, i), M, np.array([[0, 11], [5, 5]])),
    case("take", "negative", lambda m, a: a.take(m.tensor([-1, -12, 3])), M),
    case("take", "noncontiguous", lambda m, a: a.t().take(m.tensor([0, 1, 2, 1])), M),
    case("take", "0d", lambda m, a: a.take(m.tensor(0)), Z),
    case("take", "f32", lambda m, a: a.take(m.tensor([3, 1])), M.astype(np.float32)),
    case("take_along_dim", "f64", lambda m, a, i: m.take_along_dim(a, i, 1), M, G),
    case("take_along_dim", "broadcast", lambda m, a: a.take_along_dim(m.tensor([[1], [0], [3]]), 1), M),
    case("take_along_dim", "broadcast_index", lambda m, a: a.take_along_dim(m.tensor([[1, 0, 2, 0]]), 0), M),
    case("take_along_dim", "argsort_like", lambda m, a: m.take_along_dim(a, m.tensor(np.argsort(A, 2)), 2), A),
    case("take_along_dim", "flat", lambda m, a: a.take_along_dim(m.tensor([7, 0, 7])), M),
    case("index_put", "f64", lambda m, a, v: m.index_put(a, (m.tensor([0, 2]), m.tensor([1, 3])), v), M, V[:2]),
    case("index_put", "accumulate", lambda m, a, v: a.index_put((m.tensor([0, 0]),), v, accumulate=True), M, V),
    case("index_put", "mask", lambda m, a, v: a.index_put((m.tensor(M > 0),), v), M, V[:1]),
    case("index_put", "inplace", lambda m, a, v: (a * 1).index_put_((m.tensor([1]),), v), M, V),
]
MASK_ERRORS = [
    case("masked_select", "float_mask", lambda m, a: a.masked_select(m.ones(3, 4)), M),
    case("masked_select", "broadcast", lambda m, a: a.masked_select(m.ones(5, dtype=m.bool)), M),
    case("masked_scatter", "float_mask", lambda m, a: a.masked_scatter(m.ones(3, 4), a), M),
    case("masked_scatter", "short_source", lambda m, a: a.masked_scatter(a.isfinite(), a[0]), M),
    case("masked_scatter", "dtype", lambda m, a, s: a.masked_scatter(a.isfinite(), s), M.astype(np.float32), R.standard_normal(12)),
    case("take", "out_of_range", lambda m, a: a.take(m.tensor([12])), M),
    case("take", "negative_out_of_range", lambda m, a: a.take(m.tensor([-13])), M),
    case("take", "int32_index", lambda m, a: a.take(m.tensor([1], dtype=m.int32)), M),
    case("take_along_dim", "dims", lambda m, a: a.take_along_dim(m.tensor([1]), 1), M),
    case("take_along_dim", "dtype", lambda m, a: a.take_along_dim(m.tensor([[1]], dtype=m.int32), 1), M),
    case("take_along_dim", "flat_needs_a_view", lambda m, a: a.t().take_along_dim(m.tensor([1])), M),
    case("index_put", "dtype", lambda m, a: a.index_put((m.tensor([0]),), m.tensor(1.0)), M.astype(np.float32)),
    case("index_put", "shape", lambda m, a: a.index_put((m.tensor([0]),), m.ones(2, 4, dtype=m.float64)), M),
]


# ---- nonzero / argwhere / unique: integer results; unique's values are not differentiable ----------------------------
U = np.array([[3.0, 1.0, 3.0, 2.0], [2.0, 1.0, 3.0, 2.0], [3.0, 1.0, 3.0, 2.0]])
NONDIFF = [
    case("nonzero", "f64", lambda m, a: m.nonzero(a > 0.5), M),
    case("nonzero", "as_tuple", lambda m, a: m.nonzero(a > 0.5, as_tuple=True), A),
    case("nonzero", "method", lambda m, a: a.nonzero(), INTS),
    case("nonzero", "0d", lambda m: (m.nonzero(m.tensor(5.0)), m.nonzero(m.tensor(0.0)), m.tensor(0).nonzero(as_tuple=True),
                                     m.tensor(3).nonzero(as_tuple=True))),
    case("nonzero", "empty", lambda m, a: (a.nonzero(), a.nonzero(as_tuple=True)), E),
    case("nonzero", "bool", lambda m, a: a.nonzero(), MASK),
    case("argwhere", "f64", lambda m, a: m.argwhere(a > 0), M), case("argwhere", "0d", lambda m: m.argwhere(m.tensor(0.0))),
    case("unique", "f64", lambda m, a: m.unique(a), U, grad=False),
    case("unique", "inverse_counts", lambda m, a: m.unique(a, return_inverse=True, return_counts=True), U, grad=False),
    case("unique", "counts", lambda m, a: a.unique(return_counts=True), U, grad=False),
    case("unique", "unsorted", lambda m, a: m.unique(a, sorted=False), INTS, grad=False),
    case("unique", "dim0", lambda m, a: m.unique(a, dim=0, return_inverse=True, return_counts=True), U, grad=False),
    case("unique", "dim1", lambda m, a: a.unique(dim=1, return_inverse=True), U, grad=False),
    case("unique", "negative_dim", lambda m, a: a.unique(dim=-1), U, grad=False),
    case("unique", "int", lambda m, a: m.unique(a, return_counts=True), INTS),
    case("unique", "bool", lambda m, a: m.unique(a, return_inverse=True), MASK),
    case("unique", "nan", lambda m, a: m.unique(a, return_counts=True), np.array([np.nan, 1.0, np.nan]), grad=False),
    case("unique", "0d", lambda m, a: m.unique(a, return_inverse=True), Z, grad=False),
    case("unique", "empty_dim", lambda m, a: m.unique(a, dim=0, return_inverse=True, return_counts=True), E, grad=False),
]
NONDIFF_ERRORS = [
    case("unique", "0d_dim", lambda m, a: m.unique(a, dim=0), Z),
    case("unique", "zero_sized_other_dim", lambda m, a: m.unique(a, dim=1), E),
    case("unique", "backward", lambda m, a: m.unique(a.requires_grad_()).sum().backward(), U),
    case("unique", "dim_backward", lambda m, a: m.unique(a.requires_grad_(), dim=0).sum().backward(), U),
]


@pytest.mark.parametrize("fn,arrays,kw", GETITEM + SETITEM + BASIC + INDEX + GATHER + MASKS + NONDIFF)
def test_parity(fn, arrays, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, *arrays, **kw)
    same_graph(fn, *arrays)


@pytest.mark.parametrize("fn,arrays,kw", GETITEM_ERRORS + SETITEM_ERRORS + BASIC_ERRORS + INDEX_ERRORS + GATHER_ERRORS +
                         MASK_ERRORS + NONDIFF_ERRORS)
def test_errors(fn, arrays, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expect_error(fn, *arrays)


# ---- random keys: ints, slices with steps, None, Ellipsis, lists and masks mixed, as getitem and setitem ------------
def _element_strategy(size):
    return st.one_of(st.integers(-size, size - 1),
                     st.builds(slice, st.integers(-4, 4) | st.none(), st.integers(-4, 5) | st.none(),
                               st.integers(1, 2) | st.none()),
                     st.lists(st.integers(-size, size - 1), min_size=1, max_size=3),
                     st.lists(st.booleans(), min_size=size, max_size=size), st.none())


@st.composite
def _keys(draw):
    key = []
    for size in A.shape[:draw(st.integers(1, 3))]:
        key.append(draw(_element_strategy(size)))
    if draw(st.booleans()):
        key.insert(draw(st.integers(0, len(key))), Ellipsis)
    return tuple(key)


def _fits(key):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.zeros(A.shape)[key].numel() > 0
    except (IndexError, RuntimeError):
        return False


@settings(max_examples=40, deadline=None)
@given(_keys())
def test_random_getitem(key):
    if not _fits(key):
        expect_error(lambda m, a: a[key], A)
        return
    check(lambda m, a: a[key], A, gradcheck=False)
    same_graph(lambda m, a: a[key], A)


@settings(max_examples=30, deadline=None)
@given(_keys(), st.booleans())
def test_random_setitem(key, number):
    if not _fits(key):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shape = torch.zeros(A.shape)[key].shape
    value = 2.5 if number else R.standard_normal(shape[1:])  # a tensor value broadcasts over the first dim

    def fn(m, a, *v):
        x = a * 1
        x[key] = v[0] if v else value
        return x
    args = (A,) if number else (A, value)
    lists = sum(isinstance(k, list) and not all(isinstance(e, bool) for e in k) for k in key)
    if lists:  # repeated positions with different values: the last write wins in both, but only without repeats
        flat = [k for k in key if isinstance(k, list)]
        if any(len(set(k)) != len(k) for k in flat):
            return
    check(fn, *args, gradcheck=False)
    same_graph(fn, *args)


# ---- the CUDA backend: the same results as on the CPU ------------------------------------------------------------
def _run_on(dev, fn, arrays):
    """Forward values, gradients and second-order gradients of fn on one device, as NumPy arrays."""
    ins = [chainrule.tensor(a, device=dev) for a in arrays]
    ins = [t.requires_grad_() if t.is_floating_point() else t for t in ins]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
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


def _setitems(m, a, v):
    x = a * 1
    x[0] = v
    x[[1, 2], 1:3] = 2.0
    x[x > 1] = 0.5
    x[..., -1] = v[:3, None].squeeze(-1)
    return x


CUDA = [
    pytest.param(lambda m, a: (a[0], a[:, 1:3], a[None, ..., 1], a[[0, 2]], a[a > 0], a[1, [0, 2], 1:],
                               a[m.tensor([2, 0], device=a.device)], a[m.tensor(a > 0)], a[True]), (A,),
                 id="getitem:cuda"),
    pytest.param(_setitems, (M, V), id="setitem:cuda"),
    pytest.param(lambda m, a, i, s: (a.index_select(1, i), a.index_add(1, i, s), a.index_copy(1, i, s),
                                     a.index_fill(1, i, 2.0), a.index_fill(0, i, a[0, 0])), (M, I, SRC),
                 id="index_add:cuda"),
    pytest.param(lambda m, a, i, s: (a.gather(1, i), a.scatter(1, i[:, :1], s[:, :1]), a.scatter_add(1, i, s),
                                     *[a.scatter_reduce(1, i, s, r, include_self=inc)
                                       for r in ("sum", "mean", "amax", "amin", "prod") for inc in (True, False)]),
                 (M, G, S), id="scatter_reduce:cuda"),
    pytest.param(lambda m, a, k, s: (a.masked_select(k), a.masked_scatter(k, s), a.take(m.tensor([0, -1], device=a.device)),
                                     a.take_along_dim(m.tensor([[1], [0], [3]], device=a.device), 1),
                                     a.index_put((m.tensor([0, 0], device=a.device),), a[1], accumulate=True)),
                 (M, M > 0, R.standard_normal(12)), id="masked_scatter:cuda"),
    pytest.param(lambda m, a: (a.nonzero(), m.nonzero(a, as_tuple=True), m.unique(a, return_inverse=True, return_counts=True),
                               m.unique(a.round(), dim=0)), (INTS,), id="unique:cuda"),
]


@pytest.mark.skipif(not chainrule.cuda.is_available(), reason="no CUDA device with CuPy on this machine")
@pytest.mark.parametrize("fn,args", CUDA)
def test_cuda_matches_cpu(fn, args):
    for a, b in zip(_run_on("cpu", fn, args), _run_on("cuda", fn, args), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
