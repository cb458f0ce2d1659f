"""Reductions: sum, mean, max/min (all, dim, binary), and sum_to_size for broadcasting."""
import warnings

import numpy as np

from ._op import defop, apply
from ._args import dims, wrap_dim, is_tensor
from ._register import export, method


def _expand_back(g, shape, dim, keepdim):
    """The gradient of a reduction over dim, broadcast back to the input's shape."""
    if not keepdim and dim:
        for d in dim:
            g = g.unsqueeze(d)
    return g.expand(shape)


def _sum_dtype(x, dtype):
    if dtype is not None:
        return dtype.np
    return np.int64 if x.dtype.kind in "biu" else x.dtype


_sum_all = defop("sum", "SumBackward0", lambda xp, x, dtype: xp.sum(x, dtype=dtype),
                 (lambda g, x_shape: g.expand(x_shape),), n_tensors=1, tex=("1",))
_sum_dim = defop("sum", "SumBackward1", lambda xp, x, dim, keepdim, dtype: xp.sum(x, axis=dim, keepdims=keepdim,
                                                                                   dtype=dtype),
                 (lambda g, x_shape, dim, keepdim: _expand_back(g, x_shape, dim, keepdim),), n_tensors=1, tex=("1",))
def _mean(xp, x, **kw):
    if x.size == 0:  # nan, without NumPy's "Mean of empty slice" warning (PyTorch gives none)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return xp.mean(x, **kw)
    return xp.mean(x, **kw)


_mean_all = defop("mean", "MeanBackward0", lambda xp, x, dtype: _mean(xp, x, dtype=dtype),
                  (lambda g, x_shape: _div_n(g.expand(x_shape), max(_count(x_shape, range(len(x_shape))), 1)),),
                  n_tensors=1,
                  tex=("1/n",))
_mean_dim = defop("mean", "MeanBackward1", lambda xp, x, dim, keepdim, dtype: _mean(xp, x, axis=dim, keepdims=keepdim,
                                                                                        dtype=dtype),
                  (lambda g, x_shape, dim, keepdim: _div_n(_expand_back(g, x_shape, dim, keepdim),
                                                           _count(x_shape, dim)),),
                  n_tensors=1, tex=("1/n",))


def _div_n(g, n):
    """g / n as PyTorch's mean backward divides: by a Scalar (DivBackward1 under create_graph)."""
    from .nn_losses import _div_s, _scalar
    return _scalar(_div_s, g, n)


def _count(shape, dim):
    n = 1
    for d in dim:
        n *= shape[d]
    return n


def _resolve(dtype):
    from .._creation import _resolve_dtype
    return _resolve_dtype(dtype)


_NO_DIM = object()  # dim not given: the overload without dim (dim=None given explicitly takes the dim overload)


def sum(input, dim=_NO_DIM, keepdim=False, *, dtype=None):
    dtype = _resolve(dtype)
    x = input._data
    if dim is _NO_DIM:
        return apply(_sum_all, (input,), (_sum_dtype(x, dtype),))
    d = dims(dim, x.ndim)
    if x.ndim == 0:
        d = ()
    return apply(_sum_dim, (input,), (d, keepdim, _sum_dtype(x, dtype)))


def mean(input, dim=_NO_DIM, keepdim=False, *, dtype=None):
    dtype = _resolve(dtype)
    dt = input.dtype if dtype is None else dtype
    if dt.category < 2:
        from .._tensor import _legacy_name
        raise RuntimeError(f"mean(): could not infer output dtype. {'Input' if dtype is None else 'Optional'} dtype "
                           f"must be either a floating point or complex dtype. Got: {_legacy_name(dt)}")
    if dim is _NO_DIM:
        return apply(_mean_all, (input,), (dt.np,))
    d = dims(dim, input._data.ndim) if input._data.ndim else ()
    return apply(_mean_dim, (input,), (d, keepdim, dt.np))


def _sum_to_size(self, *size):
    """Sum over broadcast dimensions so the result has the given shape (used to undo broadcasting)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = self._data.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != shape[i + lead] for i, s in enumerate(size)):
        raise RuntimeError(f"size {{[{', '.join(map(str, size))}]}} is not expandable to size "
                           f"{{[{', '.join(map(str, shape))}]}}.")
    red = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(size) if s == 1 and shape[i + lead] != 1)
    out = self.sum(red, keepdim=True) if red else self
    return out.reshape(size) if lead else out


export(sum)
export(mean)
method(_sum_to_size, "sum_to_size")


# ---- max / min -------------------------------------------------------------------------------
def _all_ties(g, x, result):
    mask = x.isnan() if bool(result.isnan()) else x == result  # a nan result: split among the nans
    return g * mask / mask.sum()


def _index_grad(g, shape, dim, keepdim, indices):
    if not shape:  # a 0-d input is its own max
        return g
    from .indexing import _index_grad
    return _index_grad(g, shape, dim, keepdim, indices)


def _argext(argf):
    def fwd(xp, x, dim, keepdim):
        if x.ndim == 0:
            return x.copy(), xp.zeros((), np.int64)
        idx = getattr(xp, argf)(x, axis=dim, keepdims=True)
        vals = xp.take_along_axis(x, idx, axis=dim)
        if not keepdim:
            idx, vals = idx.squeeze(dim), vals.squeeze(dim)
        return vals, idx.astype(np.int64)
    return fwd


def _ext(name, all_node, npf, argf):
    op_all = defop(name, all_node, lambda xp, x: getattr(xp, npf)(x),
                   (lambda g, x, result: _all_ties(g, x, result),), tex=("1 at the " + name,))
    op_dim = defop(name, all_node.replace("1", "0"), _argext(argf), (lambda g, x_shape, dim, keepdim, indices: _index_grad(g, x_shape, dim, keepdim, indices),),
        n_tensors=1, outputs=("values", "indices"), tex=("1 at the " + name,))
    return op_all, op_dim


_max_all, _max_dim = _ext("max", "MaxBackward1", "max", "argmax")
_min_all, _min_dim = _ext("min", "MinBackward1", "min", "argmin")


def _extreme(op_all, op_dim, binary_fn, name):
    def fn(input, dim=None, keepdim=False, *, out=None):
        if is_tensor(dim):
            return binary_fn(input, dim)
        if dim is None:
            if input._data.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                                   "Specify the reduction dim with the 'dim' argument.")
            return apply(op_all, (input,))
        d = wrap_dim(dim, input._data.ndim)
        if input._data.ndim and input._data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        vals, idx = apply(op_dim, (input,), (d, keepdim))
        return _values_indices(name, vals, idx)
    fn.__name__ = name
    return export(fn)


def _values_indices(name, values, indices):
    from .reduction_more import return_types
    return getattr(return_types, name)((values, indices))


def _binary_max(a, b):
    from .pointwise import maximum
    return maximum(a, b)


def _binary_min(a, b):
    from .pointwise import minimum
    return minimum(a, b)


_extreme(_max_all, _max_dim, _binary_max, "max")
_extreme(_min_all, _min_dim, _binary_min, "min")
