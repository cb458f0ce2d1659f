"""Indexing: __getitem__ (basic indexing as views, advanced as IndexBackward0), select, masked_fill."""
import numpy as np

from .._tensor import Tensor
from ._op import defop, apply
from ._args import wrap_dim, is_tensor
from ._register import export, method

_select = defop("select", "SelectBackward0", lambda xp, x, dim, index: x[(slice(None),) * dim + (index,)],
                (lambda g, x_shape, dim, index: _select_grad(g, x_shape, dim, index),), n_tensors=1, view=True, tex=("1",))
_slice = defop("slice", "SliceBackward0", lambda xp, x, dim, start, stop, step: x[(slice(None),) * dim +
                                                                                  (slice(start, stop, step),)],
               (lambda g, x_shape, dim, start, stop, step: _slice_grad(g, x_shape, dim, start, stop, step),),
               n_tensors=1, view=True, tex=("1",))
_index = defop("index", "IndexBackward0", lambda xp, x, key: x[key],
               (lambda g, x_shape, key: _index_put_grad(g, x_shape, key),), n_tensors=1, tex=("1",))
_masked_fill = defop("masked_fill", "MaskedFillBackward0", lambda xp, x, mask, value: xp.where(mask, value, x).astype(
    x.dtype, copy=False), (lambda g, mask: g.masked_fill(mask, 0),), n_tensors=1, tex=("0 where masked, else 1",))
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
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
        mask = mask._data
    if is_tensor(value):
        if value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        value = value.item()
    return apply(_masked_fill, (input,), (mask, value))


export(select)
export(narrow)
export(masked_fill)


def masked_fill_(self, mask, value):
    from ._op import apply_inplace
    if is_tensor(value):
        value = value.item()
    return apply_inplace(_masked_fill, self, (), (mask._data, value))


method(masked_fill_, "masked_fill_")


# ---- __getitem__ ------------------------------------------------------------------------------
def _is_advanced(k):
    return isinstance(k, (list, Tensor, np.ndarray)) or (isinstance(k, bool))


def getitem(self, key):
    if not isinstance(key, tuple):
        key = (key,)
    if any(_is_advanced(k) for k in key):
        return _advanced(self, key)
    return _basic(self, key)


def _basic(self, key):
    """Basic indexing as a chain of select / slice / unsqueeze views, as PyTorch records it."""
    nd = self._data.ndim
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_real > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    expanded = []
    for k in key:
        if k is Ellipsis:
            expanded.extend([slice(None)] * (nd - n_real))
        else:
            expanded.append(k)
    out, dim = self, 0
    only_full_slice = len(key) == 1 and isinstance(key[0], slice) and key[0] == slice(None)
    for k in expanded:
        if k is None:
            out = apply(_unsqueeze_op(), (out,), (dim,))
            dim += 1
        elif isinstance(k, slice):
            size = out._data.shape[dim]
            start, stop, step = k.indices(size)
            if step <= 0:
                raise ValueError("step must be greater than zero")
            if (start, stop, step) != (0, size, 1) or only_full_slice:
                out = apply(_slice, (out,), (dim, start, max(stop, start), step))
            dim += 1
        else:
            idx = int(k)
            size = out._data.shape[dim]
            if not -size <= idx < size:
                raise IndexError(f"index {idx} is out of bounds for dimension {dim} with size {size}")
            out = apply(_select, (out,), (dim, idx + size if idx < 0 else idx))
    if out is self:
        out = apply(_view_op(), (self,))
    return out


def _unsqueeze_op():
    from .shape import _unsqueeze
    return _unsqueeze


def _view_op():
    from .shape import _alias
    return _alias


def _advanced(self, key):
    conv = []
    for k in key:
        if isinstance(k, Tensor):
            if k._data.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            conv.append(k._data)
        elif isinstance(k, list):
            arr = np.asarray(k)
            conv.append(arr)
        else:
            conv.append(k)
    key = tuple(conv)
    try:
        self._data[key]
    except IndexError as e:
        raise IndexError(_index_msg(e, self, key)) from None
    return apply(_index, (self,), (key,))


def _index_msg(e, self, key):
    msg = str(e)
    if "out of bounds" in msg:
        parts = msg.split()
        try:
            idx, dim, size = parts[1], parts[parts.index("axis") + 1], parts[-1]
            return f"index {idx} is out of bounds for dimension {dim} with size {size}"
        except (ValueError, IndexError):
            return msg
    return msg


Tensor.__getitem__ = getitem


# ---- unbind ----------------------------------------------------------------------------------------
def _unbind_fwd(xp, x, dim):
    return tuple(x[(slice(None),) * dim + (i,)] for i in range(x.shape[dim]))


def _unbind_grad(g, x, dim):
    from .. import stack
    from .._creation import zeros
    parts = [gi if gi is not None else zeros(x.shape[:dim] + x.shape[dim + 1:], dtype=x.dtype, device=x.device)
             for gi in g]
    return stack(parts, dim)


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
