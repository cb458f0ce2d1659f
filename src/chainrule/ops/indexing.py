"""Indexing: __getitem__ (basic indexing as views, advanced as IndexBackward0), select, masked_fill."""
import math
import operator

import numpy as np

from .._tensor import Tensor, _c_name
from ._op import defop, apply, _xp as _xp_of
from ._args import wrap_dim, is_tensor
from ._register import export, method

# the trailing Ellipsis keeps a 0-d result a view (x[i] of a 1-d array would be a copied scalar)
_select = defop("select", "SelectBackward0", lambda xp, x, dim, index: x[(slice(None),) * dim + (index, ...)],
                (lambda g, x_shape, dim, index: _select_grad(g, x_shape, dim, index),), n_tensors=1, view=True, tex=("1",))
_slice = defop("slice", "SliceBackward0", lambda xp, x, dim, start, stop, step: x[(slice(None),) * dim +
                                                                                  (slice(start, stop, step),)],
               (lambda g, x_shape, dim, start, stop, step: _slice_grad(g, x_shape, dim, start, stop, step),),
               n_tensors=1, view=True, tex=("1",))
_index = defop("index", "IndexBackward0", lambda xp, x, key: x[key],
               (lambda g, x_shape, key: _index_put_grad(g, x_shape, key),), n_tensors=1, tex=("1",),
               saved_params=("key",))
_masked_fill = defop("masked_fill", "MaskedFillBackward0", lambda xp, x, mask, value: xp.where(mask, value, x).astype(
    x.dtype, copy=False), (lambda g, mask: g.masked_fill(mask, 0),), n_tensors=1, tex=("0 where masked, else 1",),
    saved_params=("mask",))
# a tensor value: MaskedFillBackward1, whose value gets the masked gradient's sum
_masked_fill_t = defop("masked_fill", "MaskedFillBackward1", lambda xp, x, value, mask: xp.where(mask, value, x).astype(
    x.dtype, copy=False), (lambda g, mask: g.masked_fill(mask, 0), lambda g, mask: g.masked_select(Tensor._make(mask)).sum()),
    n_tensors=2, tex=("0 where masked, else 1", "1 where masked"), saved_params=("mask",))
_zeros_put = defop("index_put_grad", "IndexPutBackward0", lambda xp, g, shape, key: _scatter_add(xp, g, shape, key),
                   (lambda g, key: g[key],), n_tensors=1, tex=("1",))


def _scatter_add(xp, g, shape, key):
    out = xp.zeros(shape, dtype=g.dtype)
    xp.add.at(out, key, g)  # repeated indices accumulate
    return out


def _select_grad(g, shape, dim, index):
    return _zeros_put_apply(g, shape, (slice(None),) * dim + (index,))


def _slice_grad(g, shape, dim, start, stop, step):
    return _zeros_put_apply(g, shape, (slice(None),) * dim + (slice(start, stop, step),))


def _index_put_grad(g, shape, key):
    return _zeros_put_apply(g, shape, key)


def _zeros_put_apply(g, shape, key):
    """A zero tensor of `shape` with g added at `key` (repeated indices accumulate); differentiable in g."""
    return apply(_zeros_put, (g,), (shape, key))


def _index_grad(g, shape, dim, keepdim, indices):
    """Gradient of a reduction that picked one element along dim (max/min/median with dim)."""
    idx = indices._data
    if keepdim:
        idx = np.squeeze(idx, dim) if isinstance(idx, np.ndarray) else idx.squeeze(dim)
        g = g.squeeze(dim)
    grids = np.indices(idx.shape, sparse=True)
    key = tuple(grids[:dim]) + (idx,) + tuple(grids[dim:])
    return _zeros_put_apply(g, shape, key)


def select(input, dim, index):
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, nd)
    size = input._data.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"[{', '.join(map(str, input._data.shape))}] at dimension {dim}")
    return apply(_select, (input,), (dim, index + size if index < 0 else index))


def narrow(input, dim, start, length):
    dim = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[dim]
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return apply(_slice, (input,), (dim, start, start + length, 1))


def masked_fill(input, mask, value):
    if is_tensor(mask):  # derivative formulas pass the saved mask array itself
        if mask._data.dtype != np.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {_c_name(mask.dtype)}")
        mask = mask._data
    if is_tensor(value):
        if value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        return apply(_masked_fill_t, (input, value), (mask,), (input._data, value._data.astype(input._data.dtype)))
    return apply(_masked_fill, (input,), (mask, value))


export(select)
export(narrow)
export(masked_fill)


def masked_fill_(self, mask, value):
    from ._op import apply_inplace
    if is_tensor(value):
        return apply_inplace(_masked_fill_t, self, (value,), (mask._data,),
                             (self._data, value._data.astype(self._data.dtype)))
    return apply_inplace(_masked_fill, self, (), (mask._data, value))


method(masked_fill_, "masked_fill_")


# ---- __getitem__ ------------------------------------------------------------------------------
# PyTorch's reading of an index, left to right: ints, slices, None and bools become select / slice /
# unsqueeze views of the tensor; what remains (index tensors, lists, masks) is one IndexBackward0 on the
# result of those views. __setitem__ reads an index the same way (_parse).
_SEQ_WARNING = ("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
                "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as "
                "tensor index, x[chainrule.tensor(seq)], which will result either in an error or a different result")


def _is_int(k):
    return isinstance(k, (int, np.integer)) and not isinstance(k, bool)


def _is_array(k):
    return isinstance(k, np.ndarray) or hasattr(k, "__cuda_array_interface__")


def _is_seq(k):
    return isinstance(k, (list, tuple, str, range)) or _is_array(k)


def _as_tuple(key):
    """A list holding sequences, slices, tensors, None or Ellipsis is read as a tuple (NumPy's legacy rule)."""
    if isinstance(key, tuple):
        return key
    if isinstance(key, (list, str, range)) and len(key) < 32:
        for k in key:
            if isinstance(k, (Tensor, slice)) or _is_seq(k) or k is None or k is Ellipsis:
                import warnings
                warnings.warn(_SEQ_WARNING, UserWarning, stacklevel=3)
                return tuple(key)
    return (key,)


def _n_indexed(k):
    """How many dimensions of the tensor an index element uses up."""
    if isinstance(k, Tensor):
        return k._data.ndim if k._data.dtype.kind == "b" or k._data.dtype == np.uint8 else 1
    return 0 if k is None or k is Ellipsis or isinstance(k, bool) else 1


def _element(k):
    """One element of an index as an int, slice, None, Ellipsis, bool or array."""
    if _is_int(k) or k is None or k is Ellipsis or isinstance(k, (bool, slice)):
        return int(k) if _is_int(k) else k
    if isinstance(k, Tensor):
        arr = k._data
    elif _is_seq(k):
        if isinstance(k, str) or (isinstance(k, (list, tuple)) and any(isinstance(e, str) for e in k)):
            raise TypeError("new(): invalid data type 'str'")
        arr = k if _is_array(k) else np.asarray(k)
        if arr.size == 0 and arr.dtype.kind == "f":  # [] indexes nothing, as a long tensor
            arr = arr.astype(np.int64)
    else:
        try:
            return operator.index(k)
        except TypeError:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             f"valid indices (got {type(k).__name__})") from None
    if arr.ndim == 0 and arr.dtype.kind in "biu":  # a 0-d integer tensor selects, a 0-d bool one is a bool
        return bool(arr) if arr.dtype.kind == "b" or arr.dtype == np.uint8 else int(arr)
    return arr


def _shape_str(shape):
    return f"[{', '.join(map(str, shape))}]"


def _parse(self, key, keep_single_slice):
    """The views to take in order (steps: (op, params) pairs), the advanced key for their result (None when
    there is none) and that result's shape. keep_single_slice: x[:] records a slice (as __getitem__ does)."""
    from .shape import _unsqueeze
    shape = list(self._data.shape)
    nd = len(shape)
    single = not isinstance(key, tuple) and (_is_int(key) or key is None or key is Ellipsis or
                                             isinstance(key, (bool, slice)))
    key = (key,) if single else _as_tuple(key)
    count = sum(_n_indexed(k) for k in key)
    if count > nd and not single:
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    steps, adv, dim = [], {}, 0
    for pos, k in enumerate(key):
        k = _element(k)
        if k is Ellipsis:
            dim += nd - count
        elif k is None or isinstance(k, bool):
            steps.append((_unsqueeze, (dim,)))
            shape.insert(dim, 1)
            if k is not None:  # True indexes the new dimension with [0], False with []
                adv[dim] = np.zeros(int(k), np.int64)
            dim += 1
        elif isinstance(k, int):
            if not shape:
                if k == 0:
                    raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                                     "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
                raise IndexError(f"index {k} is out of bounds for dimension 0 with size 0")
            size = shape[dim]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {pos} with size {size}")
            steps.append((_select, (dim, k % size)))
            shape.pop(dim)
        elif isinstance(k, slice):
            if not shape:
                raise IndexError("slice() cannot be applied to a 0-dim tensor.")
            size = shape[dim]
            start, stop, step = k.indices(size)
            if step <= 0:
                raise ValueError("step must be greater than zero")
            whole = (k.start is None or operator.index(k.start) == 0) and step == 1 and \
                (k.stop is None or operator.index(k.stop) >= size)
            if not whole or (single and keep_single_slice):
                stop = max(stop, start)
                steps.append((_slice, (dim, start, stop, step)))
                shape[dim] = len(range(start, stop, step))
            dim += 1
        else:
            if k.dtype == np.uint8:
                import warnings
                warnings.warn("indexing with dtype chainrule.uint8 is now deprecated, please use a dtype chainrule.bool "
                              "instead.", UserWarning, stacklevel=3)
                k = k.astype(bool)
            adv[dim] = k
            dim += k.ndim if k.dtype.kind == "b" else 1
    return steps, (_advanced_key(adv, shape, _xp_of(self._data)) if adv else None), tuple(shape)


def _advanced_key(adv, shape, xp):
    """The index tensors as a key (arrays of xp) on a tensor of `shape`, checked as PyTorch checks them; a
    mask becomes one index per dimension (its nonzero), as in PyTorch."""
    key, parts, dims = [], [], []
    for d in sorted(adv):
        arr = xp.asarray(adv[d])
        if arr.dtype.kind != "b" and arr.dtype not in (np.int64, np.int32):
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        key.extend([slice(None)] * (d - len(key)))  # one key entry per dimension of the tensor
        if arr.dtype.kind == "b":
            for j in range(arr.ndim):
                if d + j >= len(shape) or arr.shape[j] != shape[d + j]:
                    raise IndexError(f"The shape of the mask {_shape_str(arr.shape)} at index {j} does not match "
                                     f"the shape of the indexed tensor {_shape_str(shape)} at index {d + j}")
            new = list(arr.nonzero())
        else:
            new = [arr]
        parts.extend(new)
        dims.extend(range(d, d + len(new)))
        key.extend(new)
    try:
        bshape = parts[0].shape if len(parts) == 1 else np.broadcast_shapes(*[p.shape for p in parts])
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(_shape_str(p.shape) for p in parts)) from None
    sizes = [shape[d] for d in dims]
    if 0 in sizes and 0 not in bshape:
        raise IndexError("index is out of bounds for dimension with size 0")
    if math.prod(bshape) * math.prod(s for d, s in enumerate(shape) if d not in dims) == 0:
        # nothing is read: PyTorch checks no index
        return tuple(k if isinstance(k, slice) else k[:0] if k.size == 0 else k * 0 for k in key)
    _check_bounds(parts, sizes, bshape)
    return tuple(key)


def _check_bounds(parts, sizes, bshape):
    """PyTorch's message for the first index out of range, in the order its kernel reads them."""
    if all(p.size == 0 or (-s <= p.min() and p.max() < s) for p, s in zip(parts, sizes)):
        return
    bad = [(p >= s) | (p < -s) for p, s in zip(parts, sizes)]
    xp = _xp_of(parts[0])
    grid = xp.stack([xp.broadcast_to(b, bshape) for b in bad]).reshape(len(bad), -1)
    flat = int(grid.any(0).argmax())
    i = int(grid[:, flat].argmax())
    value = int(xp.broadcast_to(parts[i], bshape).reshape(-1)[flat])
    raise IndexError(f"index {value} is out of bounds for dimension {i} with size {sizes[i]}")


def getitem(self, key):
    steps, adv, _ = _parse(self, key, keep_single_slice=True)
    out = self
    for op, params in steps:
        out = apply(op, (out,), params)
    if adv is not None:
        return apply(_index, (out,), (adv,))
    if out is self:  # x[...] is a new tensor that aliases x
        from .shape import _alias
        out = apply(_alias, (self,))
    return out


Tensor.__getitem__ = getitem


# ---- unbind ----------------------------------------------------------------------------------------
def _unbind_fwd(xp, x, dim):
    return tuple(x[(slice(None),) * dim + (i, ...)] for i in range(x.shape[dim]))


def _unbind_grad(g, x_shape, dim):
    from .. import stack
    from .._creation import zeros
    g = g if isinstance(g, tuple) else (g,)  # one piece: the engine passes its gradient alone
    like = next(gi for gi in g if gi is not None)
    shape = x_shape[:dim] + x_shape[dim + 1:]
    return stack([gi if gi is not None else zeros(shape, dtype=like.dtype, device=like.device) for gi in g], dim)


def unbind(input, dim=0):
    dim = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim]
    if n == 0:
        return ()
    op = _unbind_op(n)
    return apply(op, (input,), (dim,))


_unbind_ops = {}


def _unbind_op(n):
    op = _unbind_ops.get(n)
    if op is None:
        op = _unbind_ops[n] = defop("unbind", "UnbindBackward0", _unbind_fwd, (_unbind_grad,), n_tensors=1,
                                    outputs=tuple(f"out{i}" for i in range(n)), n_diff_out=n, view=True, tex=("1",))
    return op


export(unbind)
