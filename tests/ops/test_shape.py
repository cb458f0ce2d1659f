"""Shape ops vs torch: views (sharing the version counter with their base), copies, joining and splitting,
repeating and rearranging: values, dtypes, gradients, second-order gradients, the recorded graph, and errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import chainrule
from parity import check, expect_error, _cr, _th, _flat

torch = pytest.importorskip("torch")

R = np.random.default_rng(3)
A = R.standard_normal((2, 3, 4))
M = R.standard_normal((3, 4))
V = R.standard_normal(4)
W = R.standard_normal(3)
E = np.zeros((0, 3))
Z = np.array(1.5)
INTS = np.array([[3, -2, 0, 5], [-7, 1, 4, -1], [2, 2, 0, 9]])
BOOLS = INTS > 0


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


T = np.asfortranarray(M)  # a non-contiguous input

# ---- the existing ops of ops/shape.py ------------------------------------------------------------------------
EXISTING = [
    case("view", "f64", lambda m, a: a.view(4, 6), A), case("view", "infer", lambda m, a: a.view(-1, 2), A),
    case("view", "tuple", lambda m, a: a.view((3, 8)), A), case("view", "0d", lambda m, a: a.view(1, 1), Z),
    case("view", "empty", lambda m, a: a.view(3, 0), E), case("view", "f32", lambda m, a: a.view(12), M.astype(np.float32)),
    case("view", "int", lambda m, a: a.view(2, 6), INTS),
    case("reshape", "f64", lambda m, a: m.reshape(a, (6, 4)), A), case("reshape", "method", lambda m, a: a.reshape(-1), A),
    case("reshape", "copy", lambda m, a: a.t().reshape(12), M), case("reshape", "0d", lambda m, a: a.reshape(()), Z),
    case("reshape", "empty", lambda m, a: a.reshape(0, 1, 3), E), case("reshape", "bool", lambda m, a: a.reshape(-1), BOOLS),
    case("view_as", "f64", lambda m, a, b: a.view_as(b), M, INTS),
    case("reshape_as", "f64", lambda m, a, b: a.t().reshape_as(b), M, INTS),
    case("flatten", "f64", lambda m, a: m.flatten(a), A), case("flatten", "range", lambda m, a: a.flatten(1, 2), A),
    case("flatten", "one_dim", lambda m, a: a.flatten(1, 1), A), case("flatten", "0d", lambda m, a: a.flatten(), Z),
    case("flatten", "negative", lambda m, a: a.flatten(-2), A),
    case("clone", "f64", lambda m, a: m.clone(a), M), case("clone", "method", lambda m, a: a.t().clone(), M),
    case("contiguous", "already", lambda m, a: a.contiguous(), M), case("contiguous", "copy", lambda m, a: a.t().contiguous(), M),
    case("permute", "f64", lambda m, a: m.permute(a, (2, 0, 1)), A), case("permute", "varargs", lambda m, a: a.permute(1, -1, 0), A),
    case("transpose", "f64", lambda m, a: m.transpose(a, 0, 2), A), case("transpose", "negative", lambda m, a: a.transpose(-1, 0), A),
    case("swapaxes", "f64", lambda m, a: m.swapaxes(a, 0, 1), A), case("swapdims", "f64", lambda m, a: a.swapdims(1, 2), A),
    case("t", "f64", lambda m, a: m.t(a), M), case("t", "1d", lambda m, a: a.t(), V), case("t", "0d", lambda m, a: a.t(), Z),
    case("T", "f64", lambda m, a: a.T, A), case("mT", "f64", lambda m, a: a.mT, A), case("mH", "f64", lambda m, a: a.mH, M),
    case("unsqueeze", "f64", lambda m, a: m.unsqueeze(a, 1), M), case("unsqueeze", "last", lambda m, a: a.unsqueeze(-1), M),
    case("unsqueeze", "0d", lambda m, a: a.unsqueeze(0), Z),
    case("squeeze", "all", lambda m, a: m.squeeze(a), A[:, :1]), case("squeeze", "dim", lambda m, a: a.squeeze(1), A[:, :1]),
    case("squeeze", "dim_not_one", lambda m, a: a.squeeze(0), A[:, :1]),
    case("squeeze", "dims", lambda m, a: a.squeeze((1, 3)), A[:, :1, :, None]), case("squeeze", "0d", lambda m, a: a.squeeze(), Z),
    case("expand", "f64", lambda m, a: a.expand(2, 3, 4), V), case("expand", "minus_one", lambda m, a: a.expand(5, -1, 4), M[:, :1]),
    case("expand", "tuple", lambda m, a: a.expand((2, 4)), V), case("expand", "0d", lambda m, a: a.expand(3), Z),
    case("expand_as", "f64", lambda m, a, b: a.expand_as(b), V, M),
    case("to", "f32", lambda m, a: a.to(m.float32), M, gradcheck=False), case("to", "same", lambda m, a: a.to(m.float64), M),
    case("to", "copy", lambda m, a: a.to(m.float64, copy=True), M), case("to", "int", lambda m, a: a.to(m.int64), INTS),
    case("to", "like", lambda m, a, b: a.to(b), M, M.astype(np.float32)),
    case("float", "f64", lambda m, a: (a.float(), a.double(), a.half().float()), M, rtol32=1e-2, atol32=1e-2,
         gradcheck=False),
    case("long", "f64", lambda m, a: (a.long(), a.int(), a.bool(), a.short(), a.char(), a.byte()), M * 3),
    case("type_as", "f64", lambda m, a, b: a.type_as(b), M, INTS),
    case("type", "name", lambda m, a: a.type(m.float32), M, gradcheck=False),
    case("cat", "f64", lambda m, a, b: m.cat([a, b]), M, M[:1]), case("cat", "dim1", lambda m, a, b: m.cat((a, b), 1), M, M[:, :2]),
    case("cat", "negative_dim", lambda m, a: m.cat([a, a, a], -1), A), case("cat", "promote", lambda m, a, b: m.cat([a, b]), M, INTS),
    case("cat", "skip_empty_1d", lambda m, a: m.cat([a, m.zeros(0, dtype=m.float64), a]), M),
    case("cat", "single", lambda m, a: m.cat([a]), M), case("concat", "alias", lambda m, a: m.concat([a, a], 1), M),
    case("concatenate", "alias", lambda m, a: m.concatenate([a, a], 0), M),
    case("cat", "f32", lambda m, a: m.cat([a, a * 2]), M.astype(np.float32)),
    case("stack", "f64", lambda m, a, b: m.stack([a, b]), V, V[::-1].copy()), case("stack", "dim", lambda m, a: m.stack([a, a], 2), M),
    case("stack", "negative", lambda m, a: m.stack([a, a], -1), M), case("stack", "0d", lambda m, a: m.stack([a, a]), Z),
    case("stack", "promote", lambda m, a, b: m.stack([a, b]), M, INTS),
]
EXISTING_ERRORS = [
    case("view", "size", lambda m, a: a.view(5), M), case("view", "two_inferred", lambda m, a: a.view(-1, -1), M),
    case("view", "noncontiguous", lambda m, a: a.t().view(12), M),
    case("reshape", "size", lambda m, a: a.reshape(5, -1), M), case("reshape", "negative", lambda m, a: a.reshape(-2, 6), M),
    case("flatten", "order", lambda m, a: a.flatten(2, 1), A), case("permute", "count", lambda m, a: a.permute(0, 1), A),
    case("permute", "repeated", lambda m, a: a.permute(0, 1, 1), A), case("transpose", "dim", lambda m, a: a.transpose(0, 3), A),
    case("t", "3d", lambda m, a: a.t(), A), case("mT", "1d", lambda m, a: a.mT, V),
    case("expand", "size", lambda m, a: a.expand(3, 5), M), case("expand", "fewer", lambda m, a: a.expand(4), M),
    case("expand", "fewer_f32", lambda m, a: a.expand(4), M.astype(np.float32)),
    case("expand", "leading_minus_one", lambda m, a: a.expand(-1, 3, 4), M),
    case("cat", "empty_list", lambda m: m.cat([])), case("cat", "0d", lambda m, a: m.cat([a, a]), Z),
    case("cat", "sizes", lambda m, a: m.cat([a, a[:, :2]]), M), case("cat", "dims", lambda m, a, b: m.cat([a, b]), M, A),
    case("stack", "sizes", lambda m, a: m.stack([a, a[:2]]), M), case("stack", "empty", lambda m: m.stack([])),
    case("squeeze", "dim", lambda m, a: a.squeeze(3), M), case("unsqueeze", "dim", lambda m, a: a.unsqueeze(4), M),
]

# ---- the ops of ops/shape_more.py ------------------------------------------------------------------------------------
NEW = [
    case("unflatten", "f64", lambda m, a: m.unflatten(a, 1, (2, 2)), M), case("unflatten", "infer", lambda m, a: a.unflatten(-1, (2, -1)), A),
    case("unflatten", "ones", lambda m, a: a.unflatten(0, (1, 3, 1)), M), case("unflatten", "empty", lambda m, a: a.unflatten(1, (3, 1)), E),
    case("unflatten", "noncontiguous", lambda m, a: a.t().unflatten(0, (2, 2)), M),
    case("movedim", "f64", lambda m, a: m.movedim(a, 0, 2), A), case("movedim", "lists", lambda m, a: m.movedim(a, (0, 1), (2, 0)), A),
    case("movedim", "negative", lambda m, a: a.movedim(-1, 0), A), case("movedim", "1d", lambda m, a: a.movedim(0, 0), V),
    case("movedim", "same", lambda m, a: a.movedim(1, 1), A), case("moveaxis", "f64", lambda m, a: m.moveaxis(a, [0, 2], [1, 0]), A),
    case("broadcast_to", "f64", lambda m, a: m.broadcast_to(a, (2, 3, 4)), V), case("broadcast_to", "same", lambda m, a: a.broadcast_to((3, 4)), M),
    case("broadcast_to", "minus_one", lambda m, a: a.broadcast_to((2, -1, 4)), M[:, :1].repeat(4, 1)),
    case("broadcast_to", "0d", lambda m, a: a.broadcast_to((2, 2)), Z),
    case("broadcast_tensors", "f64", lambda m, a, b: m.broadcast_tensors(a, b), M, V),
    case("broadcast_tensors", "three", lambda m, a, b, c: m.broadcast_tensors(a, b, c), M[:, :1], V, A[:, :1, :1]),
    case("broadcast_tensors", "same_shape", lambda m, a: m.broadcast_tensors(a, a * 2), M, gradcheck=False),
    case("broadcast_tensors", "list", lambda m, a, b: m.broadcast_tensors(*[a, b]), Z, V, gradcheck=False),
    case("broadcast_tensors", "int", lambda m, a, b: m.broadcast_tensors(a, b), INTS, V),
    case("broadcast_shapes", "f64", lambda m: m.broadcast_shapes((3, 1), (4,), 1, [2, 1, 1])),
    case("repeat", "f64", lambda m, a: a.repeat(2, 3), M), case("repeat", "more_dims", lambda m, a: a.repeat(2, 1, 2), M),
    case("repeat", "tuple", lambda m, a: a.repeat((2, 2)), V[:2]), case("repeat", "zero", lambda m, a: a.repeat(0, 2), M),
    case("repeat", "0d", lambda m, a: a.repeat(3), Z), case("repeat", "empty", lambda m, a: a.repeat(2, 2), E),
    case("repeat", "f32", lambda m, a: a.repeat(2, 1), M.astype(np.float32)), case("repeat", "int", lambda m, a: a.repeat(1, 2), INTS),
    case("repeat", "noncontiguous", lambda m, a: a.t().repeat(2, 1), M),
    case("tile", "f64", lambda m, a: m.tile(a, (2,)), M), case("tile", "more", lambda m, a: a.tile((2, 1, 2)), M),
    case("tile", "same", lambda m, a: a.tile((2, 2)), M), case("tile", "0d", lambda m, a: a.tile((2, 3)), Z),
    case("repeat_interleave", "int", lambda m, a: m.repeat_interleave(a, 2), M),
    case("repeat_interleave", "int_dim", lambda m, a: a.repeat_interleave(3, dim=1), M),
    case("repeat_interleave", "int_negative_dim", lambda m, a: a.repeat_interleave(2, -1), A),
    case("repeat_interleave", "int_1d", lambda m, a: a.repeat_interleave(2), V),
    case("repeat_interleave", "int_0d", lambda m, a: a.repeat_interleave(3), Z),
    case("repeat_interleave", "zero", lambda m, a: a.repeat_interleave(0, dim=0), M),
    case("repeat_interleave", "tensor", lambda m, a: a.repeat_interleave(m.tensor([1, 0, 2]), dim=0), M),
    case("repeat_interleave", "tensor_no_dim", lambda m, a: a.repeat_interleave(m.tensor([2, 1, 0, 1])), V),
    case("repeat_interleave", "tensor_one", lambda m, a: a.repeat_interleave(m.tensor([2]), dim=1), M),
    case("repeat_interleave", "tensor_0d", lambda m, a: a.repeat_interleave(m.tensor(2), dim=1), M),
    case("repeat_interleave", "int32_repeats", lambda m, a: a.repeat_interleave(m.tensor([1, 2, 1], dtype=m.int32), dim=0), M),
    case("repeat_interleave", "output_size", lambda m, a: a.repeat_interleave(m.tensor([1, 2, 1]), dim=0, output_size=4), M),
    case("repeat_interleave", "indices", lambda m: (m.repeat_interleave(m.tensor([2, 0, 3])), m.repeat_interleave(m.tensor([], dtype=m.int64)))),
    case("repeat_interleave", "f32", lambda m, a: a.repeat_interleave(2, 0), M.astype(np.float32)),
    case("repeat_interleave", "int_input", lambda m, a: a.repeat_interleave(2, 1), INTS),
    case("flip", "f64", lambda m, a: m.flip(a, (0, 2)), A), case("flip", "varargs", lambda m, a: a.flip(0, 1), M),
    case("flip", "negative", lambda m, a: a.flip(-1), M), case("flip", "none", lambda m, a: a.flip(()), M),
    case("flip", "0d", lambda m, a: a.flip(()), Z), case("flip", "empty", lambda m, a: a.flip(0), E),
    case("flip", "noncontiguous", lambda m, a: a.t().flip(0), M), case("flip", "int", lambda m, a: a.flip(1), INTS),
    case("flip", "f32", lambda m, a: a.flip([1]), M.astype(np.float32)),
    case("fliplr", "f64", lambda m, a: m.fliplr(a), M), case("fliplr", "3d", lambda m, a: a.fliplr(), A),
    case("flipud", "f64", lambda m, a: m.flipud(a), M), case("flipud", "1d", lambda m, a: a.flipud(), V),
    case("roll", "f64", lambda m, a: m.roll(a, 1, 0), M), case("roll", "dims", lambda m, a: a.roll((1, -2), (0, 1)), M),
    case("roll", "no_dims", lambda m, a: a.roll(5), M), case("roll", "large_shift", lambda m, a: a.roll(-7, -1), A),
    case("roll", "same_dim_twice", lambda m, a: a.roll((1, 1), (0, 0)), M), case("roll", "0d", lambda m, a: a.roll(1), Z),
    case("roll", "empty", lambda m, a: a.roll(1, 0), E), case("roll", "noncontiguous", lambda m, a: a.t().roll(1), M),
    case("roll", "int", lambda m, a: a.roll(1, 1), INTS),
    case("rot90", "f64", lambda m, a: m.rot90(a), M), case("rot90", "k2", lambda m, a: a.rot90(2), M),
    case("rot90", "k3", lambda m, a: a.rot90(3, (1, 2)), A), case("rot90", "k0", lambda m, a: a.rot90(0), M),
    case("rot90", "negative_k", lambda m, a: a.rot90(-1, [0, 1]), M), case("rot90", "negative_dims", lambda m, a: a.rot90(1, (-1, 0)), A),
    case("rot90", "int", lambda m, a: a.rot90(), INTS),
    case("hstack", "f64", lambda m, a, b: m.hstack([a, b]), M, M[:, :2]), case("hstack", "1d", lambda m, a, b: m.hstack((a, b)), V, W),
    case("hstack", "0d", lambda m, a: m.hstack([a, a]), Z),
    case("vstack", "f64", lambda m, a, b: m.vstack([a, b]), M, V), case("vstack", "1d", lambda m, a: m.vstack([a, a]), V),
    case("vstack", "0d", lambda m, a: m.vstack([a, a]), Z), case("row_stack", "alias", lambda m, a, b: m.row_stack([a, b]), M, V),
    case("dstack", "f64", lambda m, a, b: m.dstack([a, b]), M, M), case("dstack", "1d", lambda m, a: m.dstack([a, a]), V),
    case("dstack", "3d", lambda m, a: m.dstack([a, a]), A), case("dstack", "promote", lambda m, a, b: m.dstack([a, b]), M, INTS),
    case("column_stack", "f64", lambda m, a, b: m.column_stack([a, b]), W, M), case("column_stack", "0d", lambda m, a: m.column_stack([a, a]), Z),
    case("atleast_1d", "0d", lambda m, a: m.atleast_1d(a), Z), case("atleast_1d", "2d", lambda m, a: m.atleast_1d(a), M),
    case("atleast_1d", "several", lambda m, a, b: m.atleast_1d(a, b), Z, M, gradcheck=False),
    case("atleast_1d", "list", lambda m, a, b: m.atleast_1d([a, b]), Z, V, gradcheck=False),
    case("atleast_2d", "0d", lambda m, a: m.atleast_2d(a), Z), case("atleast_2d", "1d", lambda m, a: m.atleast_2d(a), V),
    case("atleast_2d", "3d", lambda m, a: m.atleast_2d(a), A), case("atleast_2d", "tuple", lambda m, a, b: m.atleast_2d((a, b)), Z, V),
    case("atleast_3d", "0d", lambda m, a: m.atleast_3d(a), Z), case("atleast_3d", "1d", lambda m, a: m.atleast_3d(a), V),
    case("atleast_3d", "2d", lambda m, a: m.atleast_3d(a), M), case("atleast_3d", "3d", lambda m, a: m.atleast_3d(a * 1), A),
    case("split", "int", lambda m, a: m.split(a, 2, 1), M), case("split", "uneven", lambda m, a: a.split(3), A[0, :, :3].T.copy()),
    case("split", "sizes", lambda m, a: a.split([1, 3], 1), M), case("split", "sizes_with_zero", lambda m, a: a.split([0, 3, 1], -1), M),
    case("split", "one_piece", lambda m, a: a.split(4, 1), M), case("split", "bigger_than_dim", lambda m, a: a.split(10), M),
    case("split", "some_used", lambda m, a: a.split(1, 0)[1] * 2, M), case("split", "first_unused", lambda m, a: a.split(2, 1)[1:], M),
    case("split", "empty_dim", lambda m, a: a.split(2), E), case("split", "zero_size_of_empty", lambda m, a: a.split(0), E),
    case("split", "f32", lambda m, a: a.split(2, 1), M.astype(np.float32)), case("split", "int", lambda m, a: a.split(2, 1), INTS),
    case("split", "noncontiguous", lambda m, a: a.t().split(2), M),
    case("split_with_sizes", "f64", lambda m, a: m.split_with_sizes(a, [2, 1]), M),
    case("chunk", "f64", lambda m, a: m.chunk(a, 2, 1), M), case("chunk", "uneven", lambda m, a: a.chunk(3, 1), M),
    case("chunk", "more_than_size", lambda m, a: a.chunk(5), M), case("chunk", "empty", lambda m, a: a.chunk(3), E),
    case("chunk", "negative_dim", lambda m, a: a.chunk(2, -1), A),
    case("tensor_split", "sections", lambda m, a: m.tensor_split(a, 3, 1), M),
    case("tensor_split", "uneven", lambda m, a: a.tensor_split(3, dim=-1), A[:, :, :2].repeat(2, -1)[..., :4]),
    case("tensor_split", "more_sections", lambda m, a: a.tensor_split(5), M),
    case("tensor_split", "indices", lambda m, a: a.tensor_split([1, 3], 1), M),
    case("tensor_split", "indices_unsorted", lambda m, a: a.tensor_split([3, 1, 10], 1), M),
    case("tensor_split", "negative_index", lambda m, a: a.tensor_split([-1], 1), M),
    case("tensor_split", "tensor_sections", lambda m, a: a.tensor_split(m.tensor(2), 1), M),
    case("tensor_split", "tensor_indices", lambda m, a: a.tensor_split(m.tensor([1, 2]), 1), M),
    case("meshgrid", "ij", lambda m, a, b: m.meshgrid(a, b, indexing="ij"), V, W),
    case("meshgrid", "xy", lambda m, a, b: m.meshgrid(a, b, indexing="xy"), V, W),
    case("meshgrid", "xy_three", lambda m, a, b, c: m.meshgrid([a, b, c], indexing="xy"), V, W, W[:2].copy()),
    case("meshgrid", "default", lambda m, a, b: m.meshgrid(a, b), V, W), case("meshgrid", "one", lambda m, a: m.meshgrid(a, indexing="xy"), V),
    case("meshgrid", "0d", lambda m, a, b: m.meshgrid(a, b, indexing="ij"), Z, V),
]
NEW_ERRORS = [
    case("unflatten", "size", lambda m, a: a.unflatten(1, (3,)), M), case("unflatten", "empty_sizes", lambda m, a: a.unflatten(1, ()), M),
    case("unflatten", "infer_size", lambda m, a: a.unflatten(1, (-1, 3)), M), case("unflatten", "zero", lambda m, a: a.unflatten(1, (0, -1)), M),
    case("movedim", "count", lambda m, a: m.movedim(a, (0, 1), (0,)), M), case("movedim", "repeated_source", lambda m, a: m.movedim(a, (0, 0), (0, 1)), M),
    case("movedim", "repeated_destination", lambda m, a: m.movedim(a, (0, 1), (1, 1)), M),
    case("movedim", "dim", lambda m, a: m.movedim(a, 2, 0), M),
    case("broadcast_to", "size", lambda m, a: m.broadcast_to(a, (2, 4, 4)), M), case("broadcast_to", "fewer", lambda m, a: m.broadcast_to(a, (4,)), M),
    case("broadcast_tensors", "clash", lambda m, a, b: m.broadcast_tensors(a, b), M, R.standard_normal(5)),
    case("broadcast_tensors", "clash_third", lambda m, a: m.broadcast_tensors(a, a[0], a[:, :1, None], a[:2, None, :1]), M),
    case("broadcast_shapes", "clash", lambda m: m.broadcast_shapes((2, 3), (4, 3))),
    case("broadcast_shapes", "clash_list", lambda m: m.broadcast_shapes([1, 3], 4, (5, 1))),
    case("repeat", "negative", lambda m, a: a.repeat(-1, 2), M), case("repeat", "fewer", lambda m, a: a.repeat(2), M),
    case("repeat_interleave", "negative", lambda m, a: a.repeat_interleave(-1), M),
    case("repeat_interleave", "sizes", lambda m, a: a.repeat_interleave(m.tensor([1, 2])), M),
    case("repeat_interleave", "output_size", lambda m, a: a.repeat_interleave(2, dim=0, output_size=5), M),
    case("repeat_interleave", "tensor_output_size", lambda m, a: a.repeat_interleave(m.tensor([1, 2, 1]), dim=0,
                                                                                    output_size=5), M),
    case("repeat_interleave", "2d_repeats", lambda m, a: a.repeat_interleave(m.tensor([[1, 2]])), M),
    case("repeat_interleave", "negative_repeats", lambda m, a: a.repeat_interleave(m.tensor([1, -2, 1]), dim=0), M),
    case("repeat_interleave", "2d_indices", lambda m: m.repeat_interleave(m.tensor([[1, 2]]))),
    case("repeat_interleave", "float_repeats", lambda m, a: a.repeat_interleave(m.tensor([1.0, 2.0, 1.0]), dim=0), M),
    case("flip", "repeated", lambda m, a: a.flip(0, 0), M), case("flip", "dim", lambda m, a: a.flip(2), M),
    case("fliplr", "1d", lambda m, a: m.fliplr(a), V), case("flipud", "0d", lambda m, a: m.flipud(a), Z),
    case("roll", "align", lambda m, a: a.roll(1, (0, 1)), M), case("roll", "no_shifts", lambda m, a: a.roll((), ()), M),
    case("roll", "align_no_dims", lambda m, a: a.roll((1, 2)), M),
    case("rot90", "one_dim", lambda m, a: a.rot90(1, (0,)), M), case("rot90", "same_dims", lambda m, a: a.rot90(1, (0, 0)), M),
    case("rot90", "dim_range", lambda m, a: a.rot90(1, (0, 2)), M), case("rot90", "same_after_wrap", lambda m, a: a.rot90(1, (0, -2)), M),
    case("rot90", "1d", lambda m, a: a.rot90(), V),
    case("hstack", "empty", lambda m: m.hstack([])), case("vstack", "sizes", lambda m, a: m.vstack([a, a[:, :2]]), M),
    case("split", "negative", lambda m, a: a.split(-1), M), case("split", "zero", lambda m, a: a.split(0), M),
    case("split", "sum", lambda m, a: a.split([1, 1]), M), case("split", "negative_size", lambda m, a: a.split([-1, 4]), M),
    case("split", "0d", lambda m, a: a.split(1), Z),
    case("chunk", "zero", lambda m, a: a.chunk(0), M), case("chunk", "0d", lambda m, a: a.chunk(1), Z),
    case("tensor_split", "zero", lambda m, a: a.tensor_split(0), M), case("tensor_split", "0d", lambda m, a: a.tensor_split(1), Z),
    case("tensor_split", "float_tensor", lambda m, a: a.tensor_split(m.tensor([1.0])), M),
    case("tensor_split", "2d_tensor", lambda m, a: a.tensor_split(m.tensor([[1]])), M),
    case("meshgrid", "dtype", lambda m, a: m.meshgrid(a, a.float(), indexing="ij"), V),
    case("meshgrid", "indexing", lambda m, a: m.meshgrid(a, a, indexing="ab"), V),
    case("meshgrid", "empty", lambda m: m.meshgrid(indexing="ij")),
]


@pytest.mark.parametrize("fn,arrays,kw", EXISTING + NEW)
def test_parity(fn, arrays, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, *arrays, **kw)
    same_graph(fn, *arrays)


@pytest.mark.parametrize("fn,arrays,kw", EXISTING_ERRORS + NEW_ERRORS)
def test_errors(fn, arrays, kw):
    expect_error(fn, *arrays)


def test_meshgrid_warns_without_indexing():
    with pytest.warns(UserWarning, match="chainrule.meshgrid: in an upcoming release"):
        chainrule.meshgrid(chainrule.ones(2), chainrule.ones(3))


def test_split_pieces_share_one_node():
    x = chainrule.randn(4, 3, requires_grad=True)
    a, b = x.split(2)
    assert a.grad_fn is b.grad_fn and (a._output_nr, b._output_nr) == (0, 1)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=0, max_size=3), st.lists(st.integers(1, 3), min_size=0, max_size=3),
       st.lists(st.booleans(), min_size=3, max_size=3))
def test_random_broadcast_tensors(sa, sb, ones):
    sb = [1 if one else s for s, one in zip(sb, ones)]
    a, b = R.standard_normal(sa), R.standard_normal(sb)
    try:
        shape = np.broadcast_shapes(tuple(sa), tuple(sb))
    except ValueError:
        expect_error(lambda m, x, y: m.broadcast_tensors(x, y), a, b)
        return
    check(lambda m, x, y: m.broadcast_tensors(x, y), a, b, gradcheck=False)
    check(lambda m, x: m.broadcast_to(x, shape), a, gradcheck=False)
    same_graph(lambda m, x, y: m.broadcast_tensors(x, y), a, b)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=3), st.integers(-3, 3), st.integers(0, 2), st.integers(1, 3))
def test_random_rearrange(shape, shift, reps, pieces):
    a = R.standard_normal(shape)
    dim = len(shape) - 1
    fns = [lambda m, x: x.roll(shift, dim), lambda m, x: x.flip(dim), lambda m, x: x.repeat(*([reps] * len(shape))),
           lambda m, x: x.repeat_interleave(reps, dim), lambda m, x: x.tensor_split(pieces, dim),
           lambda m, x: x.chunk(pieces, dim), lambda m, x: x.movedim(0, dim)]
    for fn in fns:
        check(fn, a, gradcheck=False)
        same_graph(fn, a)


# ---- the CUDA backend: the same results as on the CPU ------------------------------------------------------------
def _run_on(dev, fn, arrays):
    """Forward values, gradients and second-order gradients of fn on one device, as NumPy arrays."""
    ins = [chainrule.tensor(a, device=dev) for a in arrays]
    ins = [t.requires_grad_() if t.is_floating_point() else t for t in ins]
    outs = _flat(fn(chainrule, *ins))
    diff = [t for t in ins if t.requires_grad]
    res = [o.detach().cpu().numpy() for o in outs]
    grads = [o for o in outs if o.requires_grad]
    rng = np.random.default_rng(0)
    seeds = [chainrule.tensor(rng.standard_normal(tuple(o.shape)), device=dev).to(o.dtype) for o in grads]
    g = chainrule.autograd.grad(grads, diff, seeds, create_graph=True, allow_unused=True)
    total = sum(((gi * chainrule.tensor(rng.standard_normal(tuple(gi.shape)), device=dev)).sum()
                 for gi in g if gi is not None and gi.requires_grad), chainrule.tensor(0., device=dev))
    g2 = chainrule.autograd.grad(total, diff, allow_unused=True) if total.requires_grad else ()
    return res + [t.detach().cpu().numpy() for t in list(g) + list(g2) if t is not None]


CUDA = [
    pytest.param(lambda m, a: (a.unflatten(1, (2, 2)), a.movedim(0, 1), a.broadcast_to((2, 3, 4)), a.repeat(2, 1),
                               a.tile((2,)), a.flip(0), a.fliplr(), a.roll((1, -1), (0, 1)), a.roll(2), a.rot90(),
                               a.rot90(3), *a.split(2, 1), *a.split([1, 3], 1), *a.chunk(2), *a.tensor_split(3, 1)),
                 (M,), id="split:cuda"),
    pytest.param(lambda m, a, b: (*m.broadcast_tensors(a, b), m.hstack([a, a[:, :1]]), m.vstack([a, b]),
                                  m.dstack([a, a]), *m.meshgrid(b, a[:, 0], indexing="xy"), *m.atleast_3d(a, b),
                                  a.repeat_interleave(2, dim=1), a.repeat_interleave(m.tensor([1, 0, 2], device=a.device), dim=0)),
                 (M, V), id="repeat_interleave:cuda"),
]


@pytest.mark.skipif(not chainrule.cuda.is_available(), reason="no CUDA device with CuPy on this machine")
@pytest.mark.parametrize("fn,args", CUDA)
def test_cuda_matches_cpu(fn, args):
    for a, b in zip(_run_on("cpu", fn, args), _run_on("cuda", fn, args), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
