"""More reductions: prod, amax/amin, argmax/argmin, aminmax, var/std (and with the mean), logsumexp, norm,
cumulative ops (cumsum, cumprod, cummax, cummin), all/any/count_nonzero, order statistics (median, nanmedian,
mode, kthvalue, topk, sort, argsort, msort), nansum/nanmean; and the named tuples they return
(chainrule.return_types, as torch.return_types).

Where PyTorch picks one index among equal values, the same one comes out: the index-returning ops run
PyTorch's CPU algorithms (see _stl) on the slices that have ties, and NumPy's on the others.
"""
import math
import operator
import sys
import types
import warnings

import numpy as np

from .._device import to_host
from .._tensor import Tensor, _legacy_name
from . import _stl
from ._args import as_tensor_like, dims, float_input, wrap_dim
from ._op import _xp, apply, apply_inplace, defop
from ._register import export, method
from .reduction import _all_ties, _expand_back, _resolve, _sum_dtype

# ---- named tuples ---------------------------------------------------------------------------------------------
return_types = types.ModuleType("chainrule.return_types", "The named tuples ops return (torch.return_types).")
sys.modules[return_types.__name__] = return_types
sys.modules[__package__.rpartition(".")[0]].return_types = return_types


class _ReturnType(tuple):
    """A tuple with named fields, printed as PyTorch prints its return types."""
    __slots__ = ()
    _fields = ()
    n_unnamed_fields = 0

    def __new__(cls, sequence):
        sequence = tuple(sequence)
        if len(sequence) != len(cls._fields):
            raise TypeError(f"{cls.__module__}.{cls.__name__}() takes a {len(cls._fields)}-sequence "
                            f"({len(sequence)}-sequence given)")
        return tuple.__new__(cls, sequence)

    def __repr__(self):
        fields = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"{self.__module__}.{type(self).__name__}(\n{fields})"

    def __reduce__(self):
        return type(self), (tuple(self),)


def return_type(name, fields=("values", "indices")):
    """The named tuple type chainrule.return_types.<name>, made on first use."""
    cls = return_types.__dict__.get(name)
    if cls is None:
        ns = {f: property(operator.itemgetter(i)) for i, f in enumerate(fields)}
        ns.update(__slots__=(), _fields=tuple(fields), n_fields=len(fields), n_sequence_fields=len(fields),
                  __module__=return_types.__name__)
        cls = type(name, (_ReturnType,), ns)
        setattr(return_types, name, cls)
    return cls


for _name in ("max", "min", "cummax", "cummin", "median", "nanmedian", "mode", "kthvalue", "topk", "sort"):
    return_type(_name)
return_type("aminmax", ("min", "max"))


def _result(name, pair):
    return getattr(return_types, name)(pair)


# ---- helpers ---------------------------------------------------------------------------------------------------
def _reduced(dim, ndim):
    """dim as a sorted tuple of reduced dims (all for None); a 0-d tensor has none to reduce."""
    d = dims(dim, ndim)
    return d if ndim else ()


def _restore(t, dim, keepdim):
    """A reduction's output (or its gradient) with the reduced dims put back as size 1."""
    if not keepdim:
        for d in dim:
            t = t.unsqueeze(d)
    return t


def _const(arr, like):
    """A constant tensor (no history) from an array, on like's device."""
    return as_tensor_like(arr, arr.dtype, like)


def _flip(t, dim):
    n = t.shape[dim]
    return t[(slice(None),) * dim + (np.arange(n - 1, -1, -1),)]


def _put_along(g, shape, dim, idx):
    """Zeros of `shape` with g added at the indices idx along dim (repeated indices add up); differentiable in g."""
    from .indexing import _zeros_put_apply
    xp = _xp(idx)
    nd = idx.ndim
    key = tuple(idx if i == dim else xp.arange(n).reshape((n,) + (1,) * (nd - i - 1)) for i, n in enumerate(idx.shape))
    return _zeros_put_apply(g, shape, key)


def _pick_grad(g, x_shape, dim, keepdim, indices):
    """Gradient of an op whose values are the input's elements at `indices` along dim."""
    if not x_shape:
        return g
    if not keepdim:
        g, indices = g.unsqueeze(dim), indices.unsqueeze(dim)
    return _put_along(g, x_shape, dim, indices._data)


def _keepdim_pick_grad(g, x_shape, dim, indices):
    """Gradient of an op whose outputs keep the input's dims (sort, topk, cummax): g placed at `indices`."""
    return _pick_grad(g, x_shape, dim, True, indices)


def _split_ties(g, x, result, dim, keepdim):
    """The gradient of amax/amin: split evenly among the elements equal to the result."""
    mask = x == _restore(result, dim, keepdim)
    return _restore(g, dim, keepdim) / mask.sum(dim, keepdim=True) * mask


def _nonempty(name, x, dim):
    for d in dim:
        if x.shape[d] == 0:
            raise IndexError(f"{name} Expected reduction dim {d} to have non-zero size.")


def _float_only(name, input):
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name} only support floating point and complex dtypes")


def _out_dtype(x, dtype):
    """sum's dtype rule: bool and integers accumulate in int64; dtype= overrides."""
    return _sum_dtype(x, _resolve(dtype))


# ---- slices and PyTorch's algorithms on them --------------------------------------------------------------------
def _rows(x, dim):
    """The slices along dim as the rows of a 2-d host array."""
    moved = to_host(np.moveaxis(x, dim, -1) if type(x) is np.ndarray else _xp(x).moveaxis(x, dim, -1))
    return moved.reshape(math.prod(moved.shape[:-1]), x.shape[dim])


def _unrows(xp, rows, shape, dim):
    """Rows of results (one column per position along dim) back into a tensor's layout."""
    moved = shape[:dim] + shape[dim + 1:] + (rows.shape[1],)
    out = np.moveaxis(rows.reshape(moved), -1, dim)
    return out if xp is np else xp.asarray(out)


def _keys(rows):
    """Integer keys in the order of PyTorch's comparators: equal values share a key, nan is above everything."""
    _, inv = np.unique(rows, return_inverse=True)
    return inv.reshape(rows.shape)


def _tied(keys):
    """The rows that hold equal values, where the algorithm decides which index comes first."""
    s = np.sort(keys, axis=-1)
    return np.flatnonzero((s[:, 1:] == s[:, :-1]).any(-1))


def _isnan(a):
    """nan mask of a host array of any dtype."""
    return np.isnan(a) if a.dtype.kind in "fc" else np.zeros(a.shape, bool)


def _lt(p, q):
    return p[0] < q[0]


def _gt(p, q):
    return p[0] > q[0]


def _never(p, q):
    return False


def _pairs(row):
    return [(k, i) for i, k in enumerate(row.tolist())]


def _sort_order(keys, descending, stable):
    """The permutation PyTorch's sort gives each row: std::stable_sort or std::sort."""
    order = np.argsort(-keys if descending else keys, axis=-1, kind="stable")
    if not stable:
        lt = _gt if descending else _lt
        for r in _tied(keys):
            a = _pairs(keys[r])
            _stl.sort(a, 0, len(a), lt)
            order[r] = [i for _, i in a]
    return order


def _topk_order(keys, k, largest, sorted):
    """topk's indices: std::partial_sort when k is small against the row, else std::nth_element (+ std::sort)."""
    n = keys.shape[1]
    order = np.argsort(-keys if largest else keys, axis=-1, kind="stable")[:, :k]
    partial = k * 64 <= n
    lt = _gt if largest else _lt
    # without ties the result is the sorted order, except nth_element's unsorted one
    redo = () if k == 0 else _tied(keys) if sorted or partial else range(len(keys))
    for r in redo:
        a = _pairs(keys[r])
        if partial:
            _stl.partial_sort(a, 0, k, n, lt)
        else:
            _stl.nth_element(a, 0, k - 1, n, lt)
            if sorted:
                _stl.sort(a, 0, k - 1, lt)
        order[r] = [i for _, i in a[:k]]
    return order


def _kth_index(keys, k):
    pick = np.argsort(keys, axis=-1, kind="stable")[:, k - 1]
    for r in _tied(keys):
        a = _pairs(keys[r])
        _stl.quick_select(a, k - 1, _gt)
        pick[r] = a[k - 1][1]
    return pick


def _mode_index(rows, keys):
    """mode's index: std::sort the (value, index) pairs by value, take the last of the first longest run."""
    pick = np.argmin(keys, axis=-1)  # all values distinct: every run has length 1, the smallest comes first
    for r in np.union1d(_tied(keys), np.flatnonzero(_isnan(rows).any(-1))):
        a = _pairs(rows[r])
        _stl.sort(a, 0, len(a), _lt)
        run, longest = 0, 0
        for j, (v, i) in enumerate(a):
            run += 1
            if j == len(a) - 1 or v != a[j + 1][0]:
                if run > longest:
                    pick[r], longest = i, run
                run = 0
    return pick


def _median_index(rows, keys, ignore_nan):
    """median's index: the middle of the values ordered by (value, index); torch.median takes the first nan."""
    n = rows.shape[1]
    isnan = _isnan(rows)
    order = np.argsort(keys, axis=-1, kind="stable")
    if not ignore_nan:
        pick = order[:, (n - 1) // 2]
        has = isnan.any(-1)
        pick[has] = isnan[has].argmax(-1)
        return pick
    count = n - isnan.sum(-1)
    pick = order[np.arange(len(rows)), np.maximum(count - 1, 0) // 2]
    for r in np.flatnonzero(count == 0):  # all nan: all equivalent to std::nth_element's comparator
        a = list(range(n))
        _stl.nth_element(a, 0, 0, n, _never)
        pick[r] = a[0]
    return pick


def _select_fwd(pick):
    """Forward of a one-element-per-slice op (median, mode, kthvalue) from its index rule pick(rows, keys)."""
    def fwd(xp, x, dim, keepdim):
        if x.ndim == 0:
            return x.copy(), xp.zeros((), np.int64)
        rows = _rows(x, dim)
        idx = _unrows(xp, pick(rows, _keys(rows))[:, None], x.shape, dim)
        vals = xp.take_along_axis(x, idx, axis=dim)
        if not keepdim:
            idx, vals = idx.squeeze(dim), vals.squeeze(dim)
        return vals, idx
    return fwd


def _selection(name, node, pick):
    return defop(name, node, _select_fwd(pick), (_pick_grad,), n_tensors=1, outputs=("values", "indices"),
                 tex=("1 at the selected element",))


_median_dim = _selection("median", "MedianBackward1", lambda rows, keys: _median_index(rows, keys, False))
_nanmedian_dim = _selection("nanmedian", "NanmedianBackward1", lambda rows, keys: _median_index(rows, keys, True))
_mode = _selection("mode", "ModeBackward0", _mode_index)


def _kthvalue_fwd(xp, x, k, dim, keepdim):
    return _select_fwd(lambda rows, keys: _kth_index(keys, k))(xp, x, dim, keepdim)


_kthvalue = defop("kthvalue", "KthvalueBackward0", _kthvalue_fwd, (_pick_grad,), n_tensors=1,
                  outputs=("values", "indices"), tex=("1 at the k-th smallest element",))


def _median_all_fwd(ignore_nan):
    def fwd(xp, x):
        flat = x.reshape(-1)
        isnan = xp.isnan(flat) if flat.dtype.kind == "f" else xp.zeros(flat.shape, bool)
        vals = flat[~isnan] if ignore_nan else flat
        if vals.size == 0 or (not ignore_nan and isnan.any()):
            return xp.asarray(np.nan).astype(x.dtype)  # nan; as an integer, what PyTorch's cast gives
        return xp.sort(vals)[(vals.size - 1) // 2]
    return fwd


_median_all = defop("median", "MedianBackward0", _median_all_fwd(False), (_all_ties,),
                    tex=("1/k at the k elements equal to the median",))
_nanmedian_all = defop("nanmedian", "NanmedianBackward0", _median_all_fwd(True), (_all_ties,),
                       tex=("1/k at the k elements equal to the median",))


def _sort_fwd(xp, x, dim, descending, stable):
    if x.ndim == 0:
        return x.copy(), xp.zeros((), np.int64)
    n = x.shape[dim]
    if n > 1 and x.strides[dim] == 0:  # PyTorch leaves an expanded (stride 0) dim in place
        idx = xp.broadcast_to(xp.arange(n).reshape((n,) + (1,) * (x.ndim - dim - 1)), x.shape).copy()
        return x.copy(), idx
    rows = _rows(x, dim)
    idx = _unrows(xp, _sort_order(_keys(rows), descending, stable), x.shape, dim)
    return xp.take_along_axis(x, idx, axis=dim), idx


# SortBackward1 records the overload with `stable` (given, even as None)
_sort, _sort_stable = (defop("sort", node, _sort_fwd, (_keepdim_pick_grad,), n_tensors=1, outputs=("values", "indices"), tex=("a permutation",))
    for node in ("SortBackward0", "SortBackward1"))


def _topk_fwd(xp, x, k, dim, largest, sorted):
    if x.ndim == 0:
        return x.copy(), xp.zeros((), np.int64)
    rows = _rows(x, dim)
    idx = _unrows(xp, _topk_order(_keys(rows), k, largest, sorted).reshape(len(rows), k), x.shape, dim)
    return xp.take_along_axis(x, idx, axis=dim), idx


_topk = defop("topk", "TopkBackward0", _topk_fwd,
              (_keepdim_pick_grad,), n_tensors=1, outputs=("values", "indices"),
              tex=("1 at the k selected elements",))


def _check_dim_size(name, x, dim):
    if x.ndim and x.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


def median(input, dim=None, keepdim=False):
    if dim is None:
        return apply(_median_all, (input,))
    d = wrap_dim(dim, input._data.ndim)
    _check_dim_size("median", input._data, d)
    return _result("median", apply(_median_dim, (input,), (d, keepdim)))


def nanmedian(input, dim=None, keepdim=False):
    if dim is None:
        return apply(_nanmedian_all, (input,))
    d = wrap_dim(dim, input._data.ndim)
    _check_dim_size("median", input._data, d)
    return _result("nanmedian", apply(_nanmedian_dim, (input,), (d, keepdim)))


def mode(input, dim=-1, keepdim=False):
    d = wrap_dim(dim, input._data.ndim)
    _check_dim_size("mode", input._data, d)
    return _result("mode", apply(_mode, (input,), (d, keepdim)))


def kthvalue(input, k, dim=-1, keepdim=False):
    x = input._data
    d = wrap_dim(dim, x.ndim)
    _check_dim_size("kthvalue", x, d)
    if not 1 <= k <= (x.shape[d] if x.ndim else 1):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _result("kthvalue", apply(_kthvalue, (input,), (k, d, keepdim)))


def topk(input, k, dim=-1, largest=True, sorted=True):
    x = input._data
    d = wrap_dim(dim, x.ndim)
    if not 0 <= k <= (x.shape[d] if x.ndim else 1):
        raise RuntimeError("selected index k out of range")
    if x.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    return _result("topk", apply(_topk, (input,), (k, d, largest, sorted)))


_NO_STABLE = object()


def sort(input, dim=-1, descending=False, *, stable=_NO_STABLE):
    d = wrap_dim(dim, input._data.ndim)
    op = _sort if stable is _NO_STABLE else _sort_stable
    return _result("sort", apply(op, (input,), (d, descending, stable is True)))


def argsort(input, dim=-1, descending=False, *, stable=False):
    return sort(input, dim, descending, stable=stable).indices


def msort(input):
    return sort(input, 0).values


for _fn in (median, nanmedian, mode, kthvalue, topk, sort, argsort, msort):
    export(_fn)


# ---- cumulative ops ---------------------------------------------------------------------------------------------
def _rev_cumsum(t, dim):
    if t.numel() <= 1 or t.shape[dim] == 1:
        return t
    return _flip(_flip(t, dim).cumsum(dim), dim)


def _cumprod_grad(g, x, result, dim):
    """PyTorch's cumprod backward: a reversed cumsum when no input is 0, else every product with one factor left
    out (quadratic, but exact at zeros and differentiable again)."""
    if x.numel() <= 1 or x.shape[dim] == 1:
        return g
    if not (x._data == 0).any():
        return _rev_cumsum(result * g, dim) / x
    n = x.shape[dim]
    xt, gt = x.transpose(dim, -1), g.transpose(dim, -1)
    # left_out[..., k, j] = prod of x_i over i <= j, i != k
    left_out = xt.unsqueeze(-2).expand(*xt.shape[:-1], n, n).masked_fill(_const(np.eye(n, dtype=bool), x), 1)
    later = _const(np.tril(np.ones((n, n), dtype=bool), -1), x)  # j < k: x_k is not in the product
    return (gt.unsqueeze(-2) * left_out.cumprod(-1)).masked_fill(later, 0).sum(-1).transpose(dim, -1)


def _cum_fwd(fn):
    def fwd(xp, x, dim, dtype):
        return fn(xp)(x.reshape(1) if x.ndim == 0 else x, axis=dim, dtype=dtype).reshape(x.shape)
    return fwd


_cumsum = defop("cumsum", "CumsumBackward0", _cum_fwd(lambda xp: xp.cumsum),
                (lambda g, dim: _rev_cumsum(g, dim),), n_tensors=1, tex=("1 for each later output",))
_cumprod = defop("cumprod", "CumprodBackward0", _cum_fwd(lambda xp: xp.cumprod),
                 (lambda g, x, result, dim: _cumprod_grad(g, x, result, dim),), n_tensors=1,
                 tex=("the product of the others",))


def _cum_ext_fwd(greater):
    def fwd(xp, x, dim):
        if x.ndim == 0 or x.size == 0:
            return x.copy(), xp.zeros(x.shape, np.int64)
        rows = _rows(x, dim)
        vals, idx = np.empty_like(rows), np.zeros(rows.shape, np.int64)
        cur, at = rows[:, 0], np.zeros(len(rows), np.int64)
        for i in range(rows.shape[1]):
            v = rows[:, i]
            # PyTorch's scan: a nan takes over; otherwise a later equal value does
            take = _isnan(v) | (~_isnan(cur) & ((v >= cur) if greater else (v <= cur)))
            cur, at = np.where(take, v, cur), np.where(take, i, at)
            vals[:, i], idx[:, i] = cur, at
        return _unrows(xp, vals, x.shape, dim), _unrows(xp, idx, x.shape, dim)
    return fwd


_cummax = defop("cummax", "CummaxBackward0", _cum_ext_fwd(True), (_keepdim_pick_grad,), n_tensors=1,
                outputs=("values", "indices"), tex=("1 at the running maximum",))
_cummin = defop("cummin", "CumminBackward0", _cum_ext_fwd(False), (_keepdim_pick_grad,), n_tensors=1,
                outputs=("values", "indices"), tex=("1 at the running minimum",))


def cumsum(input, dim, *, dtype=None):
    return apply(_cumsum, (input,), (wrap_dim(dim, input._data.ndim), _out_dtype(input._data, dtype)))


def cumprod(input, dim, *, dtype=None):
    return apply(_cumprod, (input,), (wrap_dim(dim, input._data.ndim), _out_dtype(input._data, dtype)))


def cummax(input, dim):
    return _result("cummax", apply(_cummax, (input,), (wrap_dim(dim, input._data.ndim),)))


def cummin(input, dim):
    return _result("cummin", apply(_cummin, (input,), (wrap_dim(dim, input._data.ndim),)))


def _cum_inplace(op):
    def fn(self, dim, *, dtype=None):  # in place the result keeps self's dtype
        dt = self._data.dtype if dtype is None else _resolve(dtype).np
        return apply_inplace(op, self, (), (wrap_dim(dim, self._data.ndim), dt))
    return fn


for _fn in (cumsum, cumprod, cummax, cummin):
    export(_fn)
method(_cum_inplace(_cumsum), "cumsum_")
method(_cum_inplace(_cumprod), "cumprod_")


# ---- prod -------------------------------------------------------------------------------------------------------
def _others_product(x, dim):
    """For each element, the product of the others along dim (exact when some are 0), as PyTorch computes it."""
    n = x.shape[dim]
    from .._creation import ones
    from .shape import cat
    one = ones(x.shape[:dim] + (1,) + x.shape[dim + 1:], dtype=x.dtype, device=x.device)
    before = cat([one, x.narrow(dim, 0, n - 1)], dim).cumprod(dim)
    after = _flip(cat([one, _flip(x.narrow(dim, 1, n - 1), dim)], dim).cumprod(dim), dim)
    return before * after


def _prod_grad(g, x, result, dim, keepdim):
    if x.dim() == 0:
        return g
    x = x.to(g.dtype) if x.dtype != g.dtype else x
    zeros = (x._data == 0).any()
    if dim is None:
        return g * result / x if not zeros else (g * _others_product(x.reshape(-1), 0)).reshape(x.shape)
    if not keepdim:
        g, result = g.unsqueeze(dim), result.unsqueeze(dim)
    return g * result / x if not zeros else g * _others_product(x, dim)


_prod_all = defop("prod", "ProdBackward0", lambda xp, x, dtype: xp.prod(x, dtype=dtype),
                  (lambda g, x, result: _prod_grad(g, x, result, None, False),), n_tensors=1,
                  tex=("the product of the others",))
_prod_dim = defop("prod", "ProdBackward1", lambda xp, x, dim, keepdim, dtype: xp.prod(
    x, axis=dim if x.ndim else (), keepdims=keepdim, dtype=dtype),
    (lambda g, x, result, dim, keepdim: _prod_grad(g, x, result, dim, keepdim),), n_tensors=1,
    tex=("the product of the others",))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    dt = _out_dtype(input._data, dtype)
    if dim is None:
        return apply(_prod_all, (input,), (dt,))
    return apply(_prod_dim, (input,), (wrap_dim(dim, input._data.ndim), keepdim, dt))


export(prod)


# ---- amax / amin / aminmax / argmax / argmin --------------------------------------------------------------------
_amax = defop("amax", "AmaxBackward0", lambda xp, x, dim, keepdim: xp.amax(x, axis=dim, keepdims=keepdim),
              (_split_ties,), n_tensors=1, tex=("1/k at the k maxima",))
_amin = defop("amin", "AminBackward0", lambda xp, x, dim, keepdim: xp.amin(x, axis=dim, keepdims=keepdim),
              (_split_ties,), n_tensors=1, tex=("1/k at the k minima",))


def _amax_amin(op, name):
    def fn(input, dim=(), keepdim=False):
        x = input._data
        d = _reduced(dim, x.ndim)
        if x.size == 0 and (dim is None or isinstance(dim, (tuple, list)) and not dim):
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        _nonempty(name + "():", x, d)
        return apply(op, (input,), (d, keepdim))
    fn.__name__ = name
    return export(fn)


_amax_amin(_amax, "amax")
_amax_amin(_amin, "amin")


def _add(a, b):
    """The sum of two gradient parts, either of which may be missing (None)."""
    return b if a is None else a if b is None else a + b


def _aminmax_grad(g, x, min, max, dim, keepdim):
    gmin, gmax = g
    return _add(None if gmin is None else _split_ties(gmin, x, min, dim, keepdim),
                None if gmax is None else _split_ties(gmax, x, max, dim, keepdim))


_aminmax = defop("aminmax", "AminmaxBackward0",
                 lambda xp, x, dim, keepdim: (xp.amin(x, axis=dim, keepdims=keepdim),
                                              xp.amax(x, axis=dim, keepdims=keepdim)),
                 (_aminmax_grad,), n_tensors=1, outputs=("min", "max"), n_diff_out=2, tex=("1/k at the k extrema",))


def aminmax(input, *, dim=None, keepdim=False):
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                               "identity.")
        d = tuple(range(x.ndim))
    elif not isinstance(dim, (int, np.integer)):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    else:
        d = _reduced(dim, x.ndim)
        _nonempty("aminmax:", x, d)
    return _result("aminmax", apply(_aminmax, (input,), (d, keepdim)))


export(aminmax)


def _argext(name, npf):
    def fn(input, dim=None, keepdim=False):
        x = input._data
        xp = _xp(x)
        if x.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            if x.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            r = getattr(xp, npf)(x.reshape(-1)).reshape((1,) * x.ndim if keepdim else ())
        else:
            d = wrap_dim(dim, x.ndim)
            _check_dim_size(name, x, d)
            r = getattr(xp, npf)(x, axis=d, keepdims=keepdim) if x.ndim else xp.zeros((), np.int64)
        return Tensor._make(r.astype(np.int64))
    fn.__name__ = name
    return export(fn)


_argext("argmax", "argmax")
_argext("argmin", "argmin")


# ---- all / any / count_nonzero ----------------------------------------------------------------------------------
def _logical(name, npf):
    def fn(input, dim=None, keepdim=False):
        x = input._data
        xp = _xp(x)
        if dim is None:
            axis = None
        else:  # an empty dim list reduces nothing here
            axis = () if isinstance(dim, (tuple, list)) and not dim else _reduced(dim, x.ndim)
        r = xp.asarray(getattr(xp, npf)(x, axis=axis, keepdims=keepdim))
        return Tensor._make(r.astype(np.uint8) if x.dtype == np.uint8 else r)
    fn.__name__ = name
    return export(fn)


_logical("all", "all")
_logical("any", "any")


def count_nonzero(input, dim=None):
    x = input._data
    xp = _xp(x)
    return Tensor._make(xp.asarray(xp.count_nonzero(x, axis=_reduced(dim, x.ndim)), dtype=np.int64))


export(count_nonzero)


# ---- var / std / var_mean / std_mean ----------------------------------------------------------------------------
def _var_fwd(xp, x, dim, correction, keepdim):
    n = _count(x.shape, dim)
    mean = xp.sum(x, axis=dim, keepdims=True) / n
    diff = xp.abs(x - mean)
    return xp.sum(diff * diff, axis=dim, keepdims=keepdim) / max(0, n - correction), (
        mean if keepdim else xp.squeeze(mean, axis=dim))


def _count(shape, dim):
    return math.prod(shape[d] for d in dim)


def _var_grad(g, x, given_dim, dim, correction, keepdim):
    """PyTorch's var_backward, down to its infinities and nans where the correction leaves no degrees of freedom."""
    if x.dim() == 0 or given_dim is None:
        dof = x.numel() - correction
        if dof <= 0:
            at_mean = (x == x.mean())._data
            return g * _const(np.where(to_host(at_mean), np.nan, np.inf).astype(x._data.dtype), x)
        return (2.0 / dof) * g * (x - x.mean())
    rnumel = _count(x.shape, given_dim)  # an empty dim list counts 1 here, as in PyTorch
    factor = 2.0 / (rnumel - correction) if rnumel != correction else math.inf
    return factor * _restore(g, dim, keepdim or x.dim() <= 1) * (x - x.mean(dim, keepdim=True))


def _std_grad(g, x, std, given_dim, dim, correction, keepdim):
    return _var_grad((g / (std * 2)).masked_fill(std == 0, 0), x, given_dim, dim, correction, keepdim)


def _mean_grad(g, x_shape, given_dim, dim, keepdim):
    n = _count(x_shape, dim) if given_dim else math.prod(x_shape)
    return _expand_back(g, x_shape, dim, keepdim) / n


def _var_mean_grad(g, x, given_dim, dim, correction, keepdim):
    gvar, gmean = g
    return _add(None if gvar is None else _var_grad(gvar, x, given_dim, dim, correction, keepdim),
                None if gmean is None else _mean_grad(gmean, x.shape, given_dim, dim, keepdim))


def _std_mean_grad(g, x, std, given_dim, dim, correction, keepdim):
    gstd, gmean = g
    return _add(None if gstd is None else _std_grad(gstd, x, std, given_dim, dim, correction, keepdim),
                None if gmean is None else _mean_grad(gmean, x.shape, given_dim, dim, keepdim))


def _std_fwd(xp, x, dim, correction, keepdim):
    var, mean = _var_fwd(xp, x, dim, correction, keepdim)
    return xp.sqrt(var), mean


_var = defop("var", "VarBackward0", lambda xp, x, given_dim, dim, correction, keepdim: _var_fwd(
    xp, x, dim, correction, keepdim)[0], (_var_grad,), n_tensors=1, tex=("2(x - mean)/(n - correction)",))
_std = defop("std", "StdBackward0", lambda xp, x, given_dim, dim, correction, keepdim: _std_fwd(
    xp, x, dim, correction, keepdim)[0], (lambda g, x, result, given_dim, dim, correction, keepdim: _std_grad(
        g, x, result, given_dim, dim, correction, keepdim),), n_tensors=1, tex=("(x - mean)/((n - correction)·std)",))
_var_mean = defop("var_mean", "VarMeanBackward0", lambda xp, x, given_dim, dim, correction, keepdim: _var_fwd(
    xp, x, dim, correction, keepdim), (_var_mean_grad,), n_tensors=1,
    outputs=("var", "mean"), n_diff_out=2, tex=("2(x - mean)/(n - correction), 1/n",))
_std_mean = defop("std_mean", "StdMeanBackward0", lambda xp, x, given_dim, dim, correction, keepdim: _std_fwd(
    xp, x, dim, correction, keepdim), (_std_mean_grad,), n_tensors=1, outputs=("std", "mean"), n_diff_out=2,
    tex=("(x - mean)/((n - correction)·std), 1/n",))


def _var_family(op, name, check):
    def fn(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, bool):  # var(input, unbiased)
            dim, unbiased = None, dim
        if unbiased is not None and correction is not None:
            raise TypeError(f"{name}() received an invalid combination of arguments: unbiased and correction")
        if correction is None:
            correction = 0 if unbiased is False else 1
        _float_only(check, input)
        x = input._data
        d = _reduced(dim, x.ndim)
        # the dims as given: PyTorch's backward treats None and an empty list differently
        given = None if dim is None else () if isinstance(dim, (tuple, list)) and not dim else d
        if _count(x.shape, d) - correction <= 0:
            warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                          "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=2)
        return apply(op, (input,), (given, d, correction, keepdim))
    fn.__name__ = name
    return fn


export(_var_family(_var, "var", "std and var"))
export(_var_family(_std, "std", "std and var"))
export(_var_family(_var_mean, "var_mean", "var_mean"), method=False)
export(_var_family(_std_mean, "std_mean", "std_mean"), method=False)


# ---- logsumexp --------------------------------------------------------------------------------------------------
def _logsumexp_fwd(xp, x, dim, keepdim):
    if _count(x.shape, dim):
        m = xp.amax(x, axis=dim, keepdims=True)
        m = xp.where(xp.isinf(m), 0, m)  # all -inf (or an inf) stays -inf (inf), not nan
    else:
        m = xp.zeros((), x.dtype)
    out = xp.log(xp.sum(xp.exp(x - m), axis=dim, keepdims=True)) + m
    return (out if keepdim else xp.squeeze(out, axis=dim)).astype(x.dtype, copy=False)


_logsumexp = defop("logsumexp", "LogsumexpBackward0", _logsumexp_fwd,
                   (lambda g, x, result, dim, keepdim: _restore(g, dim, keepdim) * (
                       x - _restore(result, dim, keepdim)).exp(),), n_tensors=1, tex=("softmax(x)",))


def logsumexp(input, dim, keepdim=False):
    x = input._data
    if isinstance(dim, (tuple, list)) and not dim and x.ndim:
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape [{', '.join(['1'] * x.ndim)}]")
    dt = float_input(input)
    return apply(_logsumexp, (input,), (_reduced(dim, x.ndim), keepdim), [x if dt is None else x.astype(dt)])


export(logsumexp)


# ---- norm -------------------------------------------------------------------------------------------------------
def _vector_norm_fwd(xp, x, ord, dim, keepdim, dtype):
    a = xp.abs(x.astype(dtype, copy=False))
    if ord == 2:
        r = xp.sqrt(xp.sum(a * a, axis=dim, keepdims=keepdim))
    elif ord == 1:
        r = xp.sum(a, axis=dim, keepdims=keepdim)
    elif ord == math.inf:
        r = xp.amax(a, axis=dim, keepdims=keepdim)
    elif ord == -math.inf:
        r = xp.amin(a, axis=dim, keepdims=keepdim)
    elif ord == 0:
        r = xp.sum(a != 0, axis=dim, keepdims=keepdim)
    else:
        r = xp.sum(a ** ord, axis=dim, keepdims=keepdim) ** (1.0 / ord)
    return xp.asarray(r).astype(dtype, copy=False)


def _vector_norm_grad(g, x, result, ord, dim, keepdim):
    """PyTorch's norm_backward, with its choices where the norm is not differentiable (0 at the origin)."""
    if ord == 0:
        return None
    g, norm = _restore(g, dim, keepdim), _restore(result, dim, keepdim)
    x = x.to(norm.dtype) if x.dtype != norm.dtype else x
    if ord == 1:
        return x.sgn() * g
    if ord == 2:
        return g * (x / norm).masked_fill(norm == 0, 0)
    if math.isinf(ord):
        xa = x.abs()
        mask = (xa == norm) | xa.isnan()
        return x.sgn() * (g / mask.sum(dim, keepdim=True) * mask)
    if ord < 1:
        return x.sgn() * x.abs().pow(ord - 1).masked_fill(x == 0, 0) * g * norm.pow(1 - ord)
    scale = (g / norm.pow(ord - 1)).masked_fill(norm == 0, 0)
    return (x.sgn() * x.abs().pow(ord - 1) if ord < 2 else x * x.abs().pow(ord - 2)) * scale


_vector_norm = defop("norm", "LinalgVectorNormBackward0", _vector_norm_fwd, (_vector_norm_grad,), n_tensors=1,
                     tex=("sgn(x)·|x|^(p-1)/‖x‖^(p-1)",))


def _vector_norm_apply(input, ord, dim, keepdim, dtype):
    x = input._data
    if x.dtype.kind not in "fc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_legacy_name(input.dtype)}")
    if dtype is not None:
        if dtype.category < 2:
            raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex, but got "
                               f"{_legacy_name(dtype)}")
        if dtype.np.itemsize < x.dtype.itemsize:
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({_legacy_name(input.dtype)}) should be "
                               f"convertible without narrowing to the specified dtype ({_legacy_name(dtype)})")
    d = _reduced(dim, x.ndim)
    if math.isinf(ord) and x.size == 0:
        which = "inf" if ord > 0 else "-inf"
        if dim is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {which} norm on an empty tensor because the "
                               "operation does not have an identity")
        for i in d:
            if x.shape[i] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {which} norm on the dimension {i}because "
                                   "this dimension is empty and the operation does not have an identity")
    out_dtype = (dtype or input.dtype).np
    return apply(_vector_norm, (input,), (ord, d, keepdim, out_dtype))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    dtype = _resolve(dtype)
    if isinstance(p, str):
        n_dims = 1 if dim is None or isinstance(dim, (int, np.integer)) else len(dim)
        if p == "fro" and (dim is None or n_dims <= 2):
            return _vector_norm_apply(input, 2, dim, keepdim, dtype)
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        d = list(range(input._data.ndim)) if dim is None else list(dim)
        if len(d) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, d))}")
        raise RuntimeError("norm(p='nuc'): the nuclear norm needs a singular value decomposition, which chainrule "
                           "does not have yet")
    return _vector_norm_apply(input, 2 if p is None else p, dim, keepdim, dtype)


export(norm)


# ---- nansum / nanmean -------------------------------------------------------------------------------------------
_nansum = defop("nansum", "NansumBackward0", lambda xp, x, dim, keepdim, dtype: xp.asarray(
    xp.nansum(x, axis=dim, keepdims=keepdim, dtype=dtype)),
    (lambda g, x, dim, keepdim: _restore(g, dim, keepdim).expand(x.shape) * x.isnan().logical_not(),), n_tensors=1,
    tex=("0 at nan, else 1",))


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    x = input._data
    return apply(_nansum, (input,), (_reduced(dim, x.ndim), keepdim, _out_dtype(x, dtype)))


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{_legacy_name(input.dtype)}")
    dtype = _resolve(dtype)
    if dtype is not None and dtype.category < 2:
        raise RuntimeError("nanmean(): could not infer output dtype. Optional dtype must be either a floating point "
                           f"or complex dtype. Got: {_legacy_name(dtype)}")
    factor = input.isnan().logical_not().sum(dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / factor


export(nansum)
export(nanmean)
