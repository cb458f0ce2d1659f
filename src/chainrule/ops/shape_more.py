"""More shape and indexing ops: unflatten, movedim, broadcasting, stacking, repeat/tile/flip/roll/rot90,
split/chunk, index_select/add/copy/fill, gather/scatter (with reductions), masked_select/scatter, take,
nonzero/unique, meshgrid, and __setitem__ (CopySlices / IndexPutBackward0 as PyTorch records them)."""
import math
from itertools import pairwise

import numpy as np

from .._tensor import Tensor, _legacy_name
from ._op import defop, apply, apply_inplace, _xp as _xp_of
from ._args import wrap_dim, dims as _dims, broadcast_error, is_tensor
from ._register import export, method
from .shape import _shape_arg, _expand, cat
from .indexing import _slice, _index, _parse, _shape_str
from .pointwise import _fill_tensor


# ---- reshaping views -----------------------------------------------------------------------------------------
def unflatten(input, dim, sizes):
    nd = input._data.ndim
    dim = wrap_dim(dim, nd)
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    size = input._data.shape[dim] if nd else 1
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in sizes if s != -1)
    if (-1 in sizes and (known == 0 or size % known)) or (-1 not in sizes and known != size):
        raise RuntimeError(f"unflatten: Provided sizes {_shape_str(sizes)} don't multiply up to the size of dim {dim} "
                           f"({size}) in the input tensor")
    sizes = tuple(size // known if s == -1 else s for s in sizes)
    return input.view(input._data.shape[:dim] + sizes + input._data.shape[dim + 1:])


def movedim(input, source, destination):
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({_shape_str(src)} dims) should "
                           f"contain the same number of dims as destination ({_shape_str(dst)} dims)")
    nd = input._data.ndim
    src_n, dst_n = [wrap_dim(d, nd) for d in src], [wrap_dim(d, nd) for d in dst]
    if len(set(src_n)) != len(src_n):
        raise RuntimeError(f"movedim: repeated dim in `source` ({_shape_str(src)})")
    if len(set(dst_n)) != len(dst_n):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({_shape_str(dst)})")
    order = [None] * nd
    for s, d in zip(src_n, dst_n):
        order[d] = s
    rest = iter(d for d in range(nd) if d not in src_n)
    return input.permute([o if o is not None else next(rest) for o in order])


export(unflatten)
export(movedim)
export(movedim, "moveaxis")


# ---- broadcasting ------------------------------------------------------------------------------------------
def broadcast_to(input, size):
    return input.expand(_shape_arg((size,)))


def _broadcast_shapes(shapes):
    """PyTorch's infer_size, folded left to right (its error names the pair that clashes)."""
    out = ()
    for s in shapes:
        try:
            out = np.broadcast_shapes(out, tuple(s))
        except ValueError:
            raise broadcast_error(out, tuple(s)) from None
    return tuple(out)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = _broadcast_shapes(t._data.shape for t in tensors)
    return tuple(t if t._data.shape == shape else apply(_expand, (t,), (shape,)) for t in tensors)


def broadcast_shapes(*shapes):
    from .._tensor import Size
    shapes = [(s,) if isinstance(s, int) else s for s in shapes]
    result = [1] * max((len(s) for s in shapes), default=0)
    for n, shape in enumerate(shapes):
        for i in range(-1, -1 - len(shape), -1):
            if shape[i] < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension ({shape[i]}): ({shape[i]})")
            if shape[i] == 1 or shape[i] == result[i]:
                continue
            if result[i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {shape[i]} at {i}! Mismatching "
                                   f"argument at index {n} had {shape!r}; but expected shape should be broadcastable "
                                   f"to {result}")
            result[i] = shape[i]
    return Size(result)


export(broadcast_to)
export(broadcast_tensors, method=False)
export(broadcast_shapes, method=False)


# ---- at least n dimensions, and stacking along an axis -------------------------------------------------------
def _atleast(n):
    def one(t):
        nd = t._data.ndim
        if nd == 0:
            return t.reshape((1,) * n)
        if nd == 1 and n >= 2:
            t = t.unsqueeze(0)
            return t.unsqueeze(-1) if n == 3 else t
        if nd == 2 and n == 3:
            return t.unsqueeze(-1)
        return t

    def fn(*tensors):
        if len(tensors) == 1:
            if isinstance(tensors[0], (list, tuple)):
                return tuple(one(t) for t in tensors[0])
            return one(tensors[0])
        return tuple(one(t) for t in tensors)
    fn.__name__ = f"atleast_{n}d"
    return fn


atleast_1d, atleast_2d, atleast_3d = (export(_atleast(n), method=False) for n in (1, 2, 3))


def _stacker(name, atleast, dim_of):
    def fn(tensors, *, out=None):
        tensors = list(tensors)
        if not tensors:
            raise RuntimeError(f"{name} expects a non-empty TensorList")
        rep = atleast(tensors)
        return cat(rep, dim_of(rep[0]))
    fn.__name__ = name
    return export(fn, method=False)


hstack = _stacker("hstack", atleast_1d, lambda t: 0 if t._data.ndim == 1 else 1)
vstack = _stacker("vstack", atleast_2d, lambda t: 0)
dstack = _stacker("dstack", atleast_3d, lambda t: 2)
export(vstack, "row_stack", method=False)


def column_stack(tensors, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    return hstack([t.reshape(t._data.size, 1) if t._data.ndim <= 1 else t for t in tensors])


export(column_stack, method=False)


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        import warnings
        warnings.warn("chainrule.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    n = len(tensors)
    if n == 0:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for a, b in pairwise(tensors):
        if a.dtype != b.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if a.device != b.device:
            raise RuntimeError("meshgrid expects all tensors to have the same device")
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'chainrule.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    # 'xy' swaps the first two axes of every grid (PyTorch transposes in place: no node of its own)
    axes = list(range(n))
    if indexing == "xy" and n >= 2:
        axes[0], axes[1] = 1, 0
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"chainrule.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t!r}")
    shape = [0] * n
    for t, ax in zip(tensors, axes):
        shape[ax] = t._data.size
    grids = []
    for t, ax in zip(tensors, axes):
        view = [1] * n
        view[ax] = -1
        grids.append(t.view(view).expand(shape))
    return tuple(grids)


export(meshgrid, method=False)


# ---- repeating and rearranging -------------------------------------------------------------------------------
def _repeat_grad(g, reps, x_shape):
    """Sum g over the copies: (r0*s0, r1*s1, ...) -> (r0, s0, r1, s1, ...) summed over the r axes."""
    lead = len(reps) - len(x_shape)
    sizes = (1,) * lead + tuple(x_shape)
    split = [v for r, s in zip(reps, sizes) for v in (r, s)]
    return g.reshape(split).sum(tuple(range(0, 2 * len(reps), 2))).reshape(x_shape)


_repeat = defop("repeat", "RepeatBackward0",
                lambda xp, x, reps: xp.tile(x.reshape((1,) * (len(reps) - x.ndim) + x.shape), reps),
                (lambda g, reps, x_shape: _repeat_grad(g, reps, x_shape),), n_tensors=1, tex=("sum over copies",))


def repeat(self, *sizes):
    reps = _shape_arg(sizes)
    if len(reps) < self._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    sizes = [r * n for r, n in zip(reps, (1,) * (len(reps) - self._data.ndim) + self._data.shape)]
    if any(n < 0 for n in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {next(n for n in sizes if n < 0)}: "
                           f"{_shape_str(sizes)}")
    return apply(_repeat, (self,), (reps,))


def tile(input, dims):
    dims = _shape_arg((dims,))
    return input.repeat((1,) * (input._data.ndim - len(dims)) + dims)


method(repeat, "repeat")
export(tile)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:  # repeat_interleave(repeats): the indices that repeat each position
        return _repeat_indices(input, output_size)
    if not is_tensor(repeats):
        return _repeat_interleave_int(input, int(repeats), dim, output_size)
    x = input.flatten() if dim is None else input
    dim = 0 if dim is None else wrap_dim(dim, input._data.ndim)
    r = repeats
    if r._data.ndim == 0 or (r._data.ndim == 1 and r._data.shape[0] == 1):
        r = r.reshape(1).expand(x._data.shape[dim])
    elif r._data.ndim == 1:
        if r._data.shape[0] != x._data.shape[dim]:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{r._data.shape[0]} and input.size({dim}) = {x._data.shape[dim]}")
    else:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    return x.index_select(dim, _repeat_indices(r, output_size))


def _repeat_indices(repeats, output_size):
    r = repeats._data
    if r.ndim != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if r.dtype not in (np.int64, np.int32):
        from ._errors import not_implemented
        not_implemented("repeat_interleave_cpu", r.dtype)
    if r.size and r.min() < 0:
        raise RuntimeError("repeats can not be negative")
    xp = _xp_of(r)
    out = xp.repeat(xp.arange(r.shape[0], dtype=r.dtype), r)
    if output_size is not None and output_size != out.shape[0]:
        raise RuntimeError("allocated size does not match required size")
    return Tensor._make(out)


def _repeat_interleave_int(input, repeats, dim, output_size):
    x = input.flatten() if dim is None else input
    dim = 0 if dim is None else wrap_dim(dim, input._data.ndim)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if output_size is not None and output_size != repeats * x._data.shape[dim]:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {repeats * x._data.shape[dim]} but got "
                           f"{output_size}")
    x = x.unsqueeze(dim + 1)
    shape = list(x._data.shape)
    shape[dim + 1] = repeats
    return x.expand(shape).clone().flatten(dim, dim + 1)


export(repeat_interleave)

_flip = defop("flip", "FlipBackward0", lambda xp, x, dims: xp.flip(x, dims).copy() if dims else x.copy(),
              (lambda g, dims: g.flip(dims),), n_tensors=1, tex=("1",))


def flip(input, *dims):
    dims = _shape_arg(dims)
    return apply(_flip, (input,), (_dims(dims, input._data.ndim) if dims else (),))


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return input.flip(1)


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return input.flip(0)


export(flip)
export(fliplr)
export(flipud)

_roll = defop("roll", "RollBackward0",
              lambda xp, x, shifts, dims: xp.roll(x, shifts, dims) if dims else xp.roll(x, shifts[0]),
              (lambda g, shifts, dims: g.roll(tuple(-s for s in shifts), dims) if dims else g.roll(-shifts[0]),),
              n_tensors=1, tex=("1",))


def roll(input, shifts, dims=None):
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = () if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
    nd = input._data.ndim
    if not shifts:
        raise RuntimeError("`shifts` required")
    if len(shifts) != max(len(dims), 1) or (dims and len(shifts) != len(dims)):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return apply(_roll, (input,), (shifts, tuple(wrap_dim(d, nd) for d in dims)))


export(roll)

_rot90 = defop("rot90", "Rot90Backward0", lambda xp, x, k, dims: xp.ascontiguousarray(xp.rot90(x, k, dims)),
               (lambda g, k, dims: g.rot90(-k, dims),), n_tensors=1, tex=("1",))


def rot90(input, k=1, dims=(0, 1)):
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    wrapped = tuple(wrap_dim(d, nd) for d in dims)
    if wrapped[0] == wrapped[1]:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    return apply(_rot90, (input,), (k % 4, wrapped))


export(rot90)


# ---- splitting: views of the input, one node with an output per piece ------------------------------------------
def _split_fwd(xp, x, sizes, dim):
    bounds = np.cumsum((0,) + sizes)
    return tuple(x[(slice(None),) * dim + (slice(int(a), int(b)),)] for a, b in pairwise(bounds))


def _split_grad(g, sizes, dim, x_shape):
    """The pieces' gradients put back together; a piece without one contributes zeros."""
    from .._creation import zeros
    g = g if isinstance(g, tuple) else (g,)  # one piece: the engine passes its gradient alone
    like = next(gi for gi in g if gi is not None)
    parts = [gi if gi is not None else zeros(x_shape[:dim] + (s,) + x_shape[dim + 1:], dtype=like.dtype,
                                             device=like.device) for gi, s in zip(g, sizes)]
    return cat(parts, dim)


_split_ops = {}


def _split_op(node, n):
    op = _split_ops.get((node, n))
    if op is None:
        op = _split_ops[node, n] = defop(
            "split", node, _split_fwd, (lambda g, sizes, dim, x_shape: _split_grad(g, sizes, dim, x_shape),),
            n_tensors=1, outputs=tuple(f"out{i}" for i in range(n)), n_diff_out=n, view=True, tex=("1",))
    return op


def _split_apply(node, input, sizes, dim):
    out = apply(_split_op(node, len(sizes)), (input,), (tuple(sizes), dim))
    return out if isinstance(out, tuple) else (out,)


def split(tensor, split_size_or_sections, dim=0):
    if isinstance(split_size_or_sections, (list, tuple)):
        return split_with_sizes(tensor, split_size_or_sections, dim)
    return _split_size(tensor, int(split_size_or_sections), dim)


def _split_size(input, size, dim):
    if input._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim]
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    pieces = max(-(-n // size), 1) if size else 1
    sizes = [size] * (pieces - 1) + [n - size * (pieces - 1)]
    return _split_apply("SplitBackward0", input, sizes, dim)


def split_with_sizes(input, split_sizes, dim=0):
    dim = wrap_dim(dim, input._data.ndim)
    sizes = [int(s) for s in split_sizes]
    n = input._data.shape[dim]
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                           f"split_sizes={_shape_str(sizes)}")
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                           f"dimension {dim}), but got split_sizes={_shape_str(sizes)}")
    return _split_apply("SplitWithSizesBackward0", input, sizes, dim)


def chunk(input, chunks, dim=0):
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim]
    size = -(-n // chunks)
    if size == 0 and n == 0:  # as many empty pieces as chunks asked for
        return split_with_sizes(input, [0] * chunks, dim)
    return _split_size(input, size, dim)


def tensor_split(input, indices_or_sections, dim=0):
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    if is_tensor(indices_or_sections):
        t = indices_or_sections
        if t._data.dtype != np.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{_legacy_name(t.dtype)}")
        if t._data.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {t._data.ndim} dims")
        indices_or_sections = int(t.item()) if t._data.ndim == 0 else [int(i) for i in t.tolist()]
    dim = wrap_dim(dim, nd)
    n = input._data.shape[dim]
    if isinstance(indices_or_sections, (list, tuple)):
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    else:
        sections = int(indices_or_sections)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        q, r = divmod(n, sections)
        bounds = [0]
        for i in range(sections):
            bounds.append(bounds[-1] + q + (i < r))
    out = []
    for a, b in pairwise(bounds):
        start, stop, _ = slice(a, b).indices(n)
        out.append(apply(_slice, (input,), (dim, start, max(start, stop), 1)))
    return tuple(out)


export(split)
export(split_with_sizes)
export(chunk)
export(tensor_split)


# ---- index_select / index_add / index_copy / index_fill -------------------------------------------------------
def _along(dim, idx):
    return (slice(None),) * dim + (idx,)


def _flat1(x):
    """A 0-d array as 1-d (PyTorch's kernels treat a scalar as one element), writing through to x."""
    return x.reshape(1) if x.ndim == 0 else x


def _index_select_fwd(xp, x, dim, idx):
    out = xp.take(_flat1(x), idx.reshape(-1), axis=dim)
    return out.reshape(()) if x.ndim == 0 else out


def _index_add_fwd(xp, x, src, dim, idx, alpha):
    out = x.copy()
    src = src if alpha == 1 else src * alpha
    xp.add.at(_flat1(out), _along(dim, idx.reshape(-1)), _flat1(src) if x.ndim == 0 else src)
    return out.astype(x.dtype, copy=False)


def _index_copy_fwd(xp, x, src, dim, idx):
    out = x.copy()
    _flat1(out)[_along(dim, idx.reshape(-1))] = src
    return out


def _index_fill_fwd(xp, x, dim, idx, value):
    out = x.copy()
    _flat1(out)[_along(dim, idx.reshape(-1))] = value
    return out


def _index_fill_t_fwd(xp, x, value, dim, idx):
    return _index_fill_fwd(xp, x, dim, idx, value)


def _source_grad(g, dim, idx, source_shape):
    """PyTorch's index_add/index_copy gradient for source: the picked slices (a 0-d source takes one)."""
    t = Tensor._make(idx)
    if not source_shape:
        return g.index_select(dim, t.reshape(-1)).reshape(())
    return g.index_select(dim, t).expand(source_shape)


_index_select = defop("index_select", "IndexSelectBackward0", _index_select_fwd,
                      (lambda g, x_shape, dim, idx: _zeros(x_shape, g).index_add(dim, Tensor._make(idx), g),),
                      n_tensors=1, tex=("1 at the index",), saved_params=("idx",))
_index_add = defop("index_add", "IndexAddBackward0", _index_add_fwd,
                   (lambda g: g, lambda g, dim, idx, alpha, src_shape: _maybe_mul(
                       _source_grad(g, dim, idx, src_shape), alpha)), n_tensors=2, tex=("1", "alpha at the index"))
_index_copy = defop("index_copy", "IndexCopyBackward0", _index_copy_fwd,
                    (lambda g, dim, idx: g.index_fill(dim, Tensor._make(idx), 0),
                     lambda g, dim, idx, src_shape: _source_grad(g, dim, idx, src_shape)), n_tensors=2,
                    tex=("1 off the index", "1 at the index"))
_index_fill = defop("index_fill", "IndexFillBackward0", _index_fill_fwd,
                    (lambda g, dim, idx: g.index_fill(dim, Tensor._make(idx), 0),), n_tensors=1,
                    tex=("1 off the index",), saved_params=("idx",))
_index_fill_t = defop("index_fill", "IndexFillBackward1", _index_fill_t_fwd,
                      (lambda g, dim, idx: g.index_fill(dim, Tensor._make(idx), 0),
                       lambda g, dim, idx: g.index_select(dim, Tensor._make(_unique_flat(idx))).sum()),
                      n_tensors=2, tex=("1 off the index", "sum at the index"), saved_params=("idx",))


def _maybe_mul(t, alpha):
    return t if alpha == 1 else t * alpha


def _unique_flat(idx):
    return _xp_of(idx).unique(idx)


def _zeros(shape, like):
    from .._creation import zeros
    return zeros(shape, dtype=like.dtype, device=like.device)


def _check_range(idx, size, dim, exc=IndexError, prefix=""):
    bad = (idx >= size) | (idx < -size)
    if bad.any():
        v = int(idx.reshape(-1)[int(bad.reshape(-1).argmax())])
        raise exc(f"{prefix}index {v} is out of bounds for dimension {dim} with size {size}")
    return idx % size if size else idx


def index_select(input, dim, index):
    nd = input._data.ndim
    dim = wrap_dim(dim, nd)
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    idx = index._data
    size = input._data.shape[dim] if nd else 1
    bad = (idx >= size) | (idx < 0)
    if bad.any():
        if dim == 0:
            raise IndexError("index out of range in self")
        v = int(idx.reshape(-1)[int(bad.reshape(-1).argmax())])
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={v} axis_dim={size}")
    return apply(_index_select, (input,), (dim, idx))


def _dim_size(self, dim):
    nd = self._data.ndim
    dim = wrap_dim(dim, nd)
    return dim, self._data.shape[dim] if nd else 1


def _add_args(self, dim, index, source):
    dim, size = _dim_size(self, dim)
    idx, src = index._data, source._data
    if idx.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
                         f"{_legacy_name(index.dtype)} and size: {_shape_str(idx.shape)}")
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: {_legacy_name(index.dtype)}")
    n_src = src.shape[dim] if src.ndim else 1
    if idx.size != n_src:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({n_src}), for dim: {dim}")
    if src.dtype != self._data.dtype:
        raise RuntimeError(f"index_add_(): self ({_legacy_name(self.dtype)}) and source "
                           f"({_legacy_name(source.dtype)}) must have the same scalar type")
    if src.ndim != self._data.ndim or any(a != b for d, (a, b) in enumerate(zip(src.shape, self._data.shape))
                                          if d != dim):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {_shape_str(self._data.shape)} source.shape = {_shape_str(src.shape)}")
    return dim, _check_range(idx, size, dim, RuntimeError)


def _copy_args(self, dim, index, source):
    dim, size = _dim_size(self, dim)
    idx, src = index._data, source._data
    if idx.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    if idx.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {_legacy_name(index.dtype)}")
    n_src = src.shape[dim] if src.ndim else 1
    if idx.size != n_src:
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
                         f"({n_src})")
    if src.dtype != self._data.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{_legacy_name(self.dtype)} and (source) {_legacy_name(source.dtype)}")
    return dim, _check_range(idx, size, dim, IndexError, "index_copy_(): ")


def _fill_args(self, dim, index, value):
    dim, size = _dim_size(self, dim)
    idx = index._data
    if idx.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    if is_tensor(value) and value._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    return dim, _check_range(idx, size, dim)


def index_add(input, dim, index, source, *, alpha=1):
    dim, idx = _add_args(input, dim, index, source)
    return apply(_index_add, (input, source), (dim, idx, alpha))


def index_add_(self, dim, index, source, *, alpha=1):
    dim, idx = _add_args(self, dim, index, source)
    return apply_inplace(_index_add, self, (source,), (dim, idx, alpha))


def index_copy(input, dim, index, source):
    dim, idx = _copy_args(input, dim, index, source)
    return apply(_index_copy, (input, source), (dim, idx))


def index_copy_(self, dim, index, source):
    dim, idx = _copy_args(self, dim, index, source)
    return apply_inplace(_index_copy, self, (source,), (dim, idx))


def index_fill(input, dim, index, value):
    dim, idx = _fill_args(input, dim, index, value)
    if is_tensor(value):
        return apply(_index_fill_t, (input, value), (dim, idx), (input._data, value._data.astype(input._data.dtype)))
    return apply(_index_fill, (input,), (dim, idx, value))


def index_fill_(self, dim, index, value):
    dim, idx = _fill_args(self, dim, index, value)
    if is_tensor(value):
        return apply_inplace(_index_fill_t, self, (value,), (dim, idx),
                             (self._data, value._data.astype(self._data.dtype)))
    return apply_inplace(_index_fill, self, (), (dim, idx, value))


export(index_select)
export(index_add)
export(index_copy)
export(index_fill)
method(index_add_, "index_add_")
method(index_copy_, "index_copy_")
method(index_fill_, "index_fill_")


# ---- gather / scatter ----------------------------------------------------------------------------------------
def _grid_key(xp, idx, dim):
    """The advanced key that reads position (i0, .., idx[i], .., in) for every position i of idx."""
    nd = idx.ndim
    return tuple(idx if d == dim else xp.arange(n).reshape([-1 if j == d else 1 for j in range(nd)])
                 for d, n in enumerate(idx.shape))


def _head(a, shape):
    """The leading block of a of the given shape (src may be larger than index)."""
    return a[tuple(slice(0, n) for n in shape)]


def _gather_fwd(xp, x, dim, idx):
    return _flat1(x)[_grid_key(xp, _flat1(idx), dim)].reshape(idx.shape)


def _scatter_fwd(xp, x, src, dim, idx):
    out = x.copy()
    _flat1(out)[_grid_key(xp, _flat1(idx), dim)] = _head(_flat1(src), _flat1(idx).shape)
    return out


def _scatter_value_fwd(xp, x, dim, idx, value):
    out = x.copy()
    _flat1(out)[_grid_key(xp, _flat1(idx), dim)] = value
    return out


_REDUCE_UFUNC = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum"}


def _scatter_reduce_fwd(xp, x, src, dim, idx, reduce, include_self):
    out = x.copy()
    o, i = _flat1(out), _flat1(idx)
    key = _grid_key(xp, i, dim)
    s = _head(_flat1(src), i.shape)
    if not include_self:  # the reduction's identity where something is scattered
        o[key] = _identity(reduce, x.dtype)
    _ufunc_at(xp, _REDUCE_UFUNC[reduce], o, key, s)
    if reduce == "mean":
        count = xp.zeros(o.shape, dtype=o.dtype) + include_self
        xp.add.at(count, key, 1)
        count[count == 0] = 1
        o[...] = o / count if o.dtype.kind in "fc" else o // count
    return out


def _ufunc_at(xp, name, o, key, s):
    """o[key] = name(o[key], s), repeated positions applied in turn."""
    if xp is np or name == "add":
        getattr(xp, name).at(o, key, s)
        return
    # CuPy has no multiply.at, and its maximum.at / minimum.at round float64 values: these run on the host
    from .._device import to_host, move, device_of
    h = to_host(o)
    getattr(np, name).at(h, tuple(to_host(k) for k in key), to_host(s))
    o[...] = move(h, device_of(o))


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        lo, hi = -np.inf, np.inf
    elif dtype.kind == "b":
        lo, hi = False, True
    else:
        lo, hi = np.iinfo(dtype).min, np.iinfo(dtype).max
    return lo if reduce == "amax" else hi


def _scatter_reduce_grad(g, x, src, result, dim, idx, reduce, include_self):
    """PyTorch's scatter_reduce_backward, for self and src."""
    index = Tensor._make(idx)
    if reduce == "sum":
        gx, gs = g, g.gather(dim, index)
    elif reduce == "prod":
        masked_self = x.masked_fill(x == 0, 1)
        gx = g * masked_self.scatter_reduce(dim, index, src, "prod", include_self=include_self) / masked_self
        src_zero = src == 0
        n_zeros = _zeros_like(x).scatter_add(dim, index, src_zero.to(x.dtype)).gather(dim, index)
        single_zero = src_zero & (n_zeros == 1)
        masked_src_result = x.scatter_reduce(dim, index, src.masked_fill(single_zero, 1), "prod",
                                             include_self=include_self)
        from .pointwise_more import where
        gs = where(single_zero, (g * masked_src_result).gather(dim, index),
                   (g * result).gather(dim, index) / src.masked_fill(src_zero, 1))
    elif reduce == "mean":
        n = (_ones_like(g) if include_self else _zeros_like(g)).scatter_add(dim, index, _ones_like(src))
        n = n.masked_fill(n == 0, 1)
        gx, gs = g / n, g.gather(dim, index) / n.gather(dim, index)
    else:  # amax / amin: shared evenly between ties (self counted even when not included, as in PyTorch)
        value = result.gather(dim, index)
        self_is = (x == result).to(x.dtype)
        src_is = (src == value).to(x.dtype)
        share = g / self_is.scatter_add(dim, index, src_is)
        gx, gs = (x == result) * share, (src == value) * share.gather(dim, index)
    if not include_self:
        gx = gx.scatter(dim, index, 0)
    return gx, gs


def _zeros_like(t):
    return _zeros(t._data.shape, t)


def _ones_like(t):
    from .._creation import ones
    return ones(t._data.shape, dtype=t.dtype, device=t.device)


_gather = defop("gather", "GatherBackward0", _gather_fwd,
                (lambda g, x_shape, dim, idx: _zeros(x_shape, g).scatter_add(dim, Tensor._make(idx), g),),
                n_tensors=1, tex=("1 at the index",), saved_params=("idx",))
_scatter = defop("scatter", "ScatterBackward0", _scatter_fwd,
                 (lambda g, dim, idx: g.scatter(dim, Tensor._make(idx), 0),
                  lambda g, dim, idx: g.gather(dim, Tensor._make(idx))), n_tensors=2,
                 tex=("1 off the index", "1 at the index"))
_scatter_value = defop("scatter", "ScatterBackward1", _scatter_value_fwd,
                       (lambda g, dim, idx: g.scatter(dim, Tensor._make(idx), 0),), n_tensors=1,
                       tex=("1 off the index",))
_scatter_add = defop("scatter_add", "ScatterAddBackward0",
                     lambda xp, x, src, dim, idx: _scatter_reduce_fwd(xp, x, src, dim, idx, "sum", True),
                     (lambda g: g, lambda g, dim, idx: g.gather(dim, Tensor._make(idx))), n_tensors=2,
                     tex=("1", "1 at the index"))
_scatter_reduce = defop(
    "scatter_reduce", "ScatterReduceBackward0", _scatter_reduce_fwd,
    (lambda g, x, src, result, dim, idx, reduce, include_self:
        _scatter_reduce_grad(g, x, src, result, dim, idx, reduce, include_self)[0],
     lambda g, x, src, result, dim, idx, reduce, include_self:
        _scatter_reduce_grad(g, x, src, result, dim, idx, reduce, include_self)[1]),
    n_tensors=2, tex=("d reduce / d self", "d reduce / d src"))


def _gather_args(self, dim, index):
    nd = self._data.ndim
    dim = wrap_dim(dim, nd)
    idx = index._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    if max(idx.ndim, 1) != max(nd, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if idx.size:
        for d, (a, b) in enumerate(zip(_flat1(idx).shape, _flat1(self._data).shape)):
            if d != dim and a > b:
                raise RuntimeError(f"Size does not match at dimension {d} expected index {_shape_str(idx.shape)} to "
                                   f"be no larger than self {_shape_str(self._data.shape)} apart from dimension {dim}")
        _check_scatter_range(idx, _flat1(self._data).shape[dim], dim)
    return dim, idx


def _check_scatter_range(idx, size, dim):
    bad = (idx >= size) | (idx < 0)
    if bad.any():
        v = int(idx.reshape(-1)[int(bad.reshape(-1).argmax())])
        raise RuntimeError(f"index {v} is out of bounds for dimension {dim} with size {size}")


def gather(input, dim, index, *, sparse_grad=False):
    dim, idx = _gather_args(input, dim, index)
    return apply(_gather, (input,), (dim, idx))


def _scatter_args(self, dim, index, src=None):
    nd = self._data.ndim
    dim = wrap_dim(dim, nd)
    idx = index._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if src is not None and src._data.dtype != self._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if idx.size:
        if max(idx.ndim, 1) != max(nd, 1):
            raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
        ishape, sshape = _flat1(idx).shape, _flat1(self._data).shape
        wrong = any(a > b for d, (a, b) in enumerate(zip(ishape, sshape)) if d != dim)
        msg = (f"Expected index {_shape_str(idx.shape)} to be no larger than self {_shape_str(self._data.shape)} "
               f"apart from dimension {dim}")
        if src is not None:
            if max(src._data.ndim, 1) != max(idx.ndim, 1):
                raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
            wrong = wrong or any(a > b for a, b in zip(ishape, _flat1(src._data).shape))
            msg += f" and to be no larger size than src {_shape_str(src._data.shape)}"
        if wrong:
            raise RuntimeError(msg)
        _check_scatter_range(idx, sshape[dim], dim)
    return dim, idx


def scatter(input, dim, index, src=None, *, value=None):
    if src is None:
        src = value
    dim, idx = _scatter_args(input, dim, index, src if is_tensor(src) else None)
    if is_tensor(src):
        return apply(_scatter, (input, src), (dim, idx))
    return apply(_scatter_value, (input,), (dim, idx, src))


def scatter_(self, dim, index, src=None, *, value=None):
    if src is None:
        src = value
    dim, idx = _scatter_args(self, dim, index, src if is_tensor(src) else None)
    if is_tensor(src):
        return apply_inplace(_scatter, self, (src,), (dim, idx))
    return apply_inplace(_scatter_value, self, (), (dim, idx, src))


def scatter_add(input, dim, index, src):
    dim, idx = _scatter_args(input, dim, index, src)
    return apply(_scatter_add, (input, src), (dim, idx))


def scatter_add_(self, dim, index, src):
    dim, idx = _scatter_args(self, dim, index, src)
    return apply_inplace(_scatter_add, self, (src,), (dim, idx))


def _reduce_arg(reduce):
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    return reduce


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    dim, idx = _scatter_args(input, dim, index, src)
    return apply(_scatter_reduce, (input, src), (dim, idx, _reduce_arg(reduce), bool(include_self)))


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    dim, idx = _scatter_args(self, dim, index, src)
    return apply_inplace(_scatter_reduce, self, (src,), (dim, idx, _reduce_arg(reduce), bool(include_self)))


export(gather)
export(scatter)
export(scatter_add)
export(scatter_reduce)
method(scatter_, "scatter_")
method(scatter_add_, "scatter_add_")
method(scatter_reduce_, "scatter_reduce_")


# ---- masks, take, index_put ----------------------------------------------------------------------------------
def _masked_scatter_fwd(xp, x, src, mask):
    out = xp.broadcast_to(x, mask.shape).copy()
    out[mask] = src.reshape(-1)[:int(mask.sum())]
    return out


def _masked_scatter_source_grad(g, mask, src_shape):
    """PyTorch's masked_scatter_backward: the masked gradient, padded with zeros to the source's size."""
    picked = g.masked_select(Tensor._make(mask))
    n = math.prod(src_shape)
    if n > picked._data.size:
        picked = cat([picked, _zeros((n - picked._data.size,), g)])
    return picked.view(src_shape)


_masked_select = defop("masked_select", "MaskedSelectBackward0", lambda xp, x, mask: xp.broadcast_to(x, mask.shape)[mask],
                       (lambda g, mask: _zeros(mask.shape, g).masked_scatter(Tensor._make(mask), g),), n_tensors=1,
                       tex=("1 where the mask is set",), saved_params=("mask",))
_masked_scatter = defop("masked_scatter", "MaskedScatterBackward0", _masked_scatter_fwd,
                        (lambda g, mask: g.masked_fill(Tensor._make(mask), 0),
                         lambda g, mask, src_shape: _masked_scatter_source_grad(g, mask, src_shape)), n_tensors=2,
                        tex=("1 where the mask is not set", "1 where the mask is set"))


def masked_select(input, mask):
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = _broadcast_shapes((mask._data.shape, input._data.shape))
    return apply(_masked_select, (input,), (_xp_of(mask._data).broadcast_to(mask._data, shape),))


def _masked_scatter_args(self, mask, source, shape):
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{_legacy_name(mask.dtype)}")
    if source._data.dtype != self._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_legacy_name(self.dtype)} and {_legacy_name(source.dtype)}")
    m = _xp_of(mask._data).broadcast_to(mask._data, shape)
    if int(m.sum()) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return m


def masked_scatter(input, mask, source):
    shape = _broadcast_shapes((mask._data.shape, input._data.shape))
    m = _masked_scatter_args(input, mask, source, shape)
    return apply(_masked_scatter, (input, source), (m,))


def masked_scatter_(self, mask, source):
    m = _masked_scatter_args(self, mask.expand(self._data.shape), source, self._data.shape)
    return apply_inplace(_masked_scatter, self, (source,), (m,))


export(masked_select)
export(masked_scatter)
method(masked_scatter_, "masked_scatter_")

_take = defop("take", "TakeBackward0", lambda xp, x, idx: x.reshape(-1)[idx],
              (lambda g, x_shape, idx: _zeros((math.prod(x_shape),), g).index_add(
                  0, Tensor._make(idx.reshape(-1)), g.reshape(-1)).view(x_shape),), n_tensors=1,
              tex=("1 at the index",), saved_params=("idx",))


def take(input, index):
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_legacy_name(index.dtype)}")
    n = input._data.size
    bad = (idx >= n) | (idx < -n)
    if bad.any():
        raise IndexError(f"out of range: tried to access index {int(idx.reshape(-1)[int(bad.reshape(-1).argmax())])} "
                         f"on a tensor of {n} elements.")
    return apply(_take, (input,), (idx % n if n else idx,))


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return input.view(-1).gather(0, indices.view(-1))
    if input._data.ndim != indices._data.ndim:
        raise RuntimeError(f"chainrule.take_along_dim(): input and indices should have the same number of dimensions, but "
                           f"got {input._data.ndim} dimensions for input, and {indices._data.ndim} dimensions for "
                           "indices")
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"chainrule.take_along_dim(): dtype of indices should be Long but got "
                           f"{_legacy_name(indices.dtype)}")
    dim = wrap_dim(dim, input._data.ndim)
    sizes = list(input._data.shape)
    sizes[dim] = indices._data.shape[dim]
    indices = indices.broadcast_to(_broadcast_shapes((sizes, indices._data.shape)))
    sizes = list(indices._data.shape)
    sizes[dim] = input._data.shape[dim]
    return input.broadcast_to(_broadcast_shapes((sizes, input._data.shape))).gather(dim, indices)


export(take)
export(take_along_dim)


def _region(xp, arr, steps):
    """The view of arr that a chain of select / slice / unsqueeze steps picks (it writes through to arr)."""
    for op, params in steps:
        arr = op.fwd(xp, arr, *params)
    return arr


def _region_tensor(t, steps):
    for op, params in steps:
        t = apply(op, (t,), params)
    return t


def _put_fwd(xp, x, v, steps, key, accumulate):
    out = x.copy()
    region = _region(xp, out, steps)
    if key is None:
        region[...] = v
    elif accumulate:
        xp.add.at(region, key, v.astype(x.dtype, copy=False))
    else:
        region[key] = v
    return out


def _zero_region_fwd(xp, g, steps, key):
    out = g.copy()
    _region(xp, out, steps)[... if key is None else key] = 0
    return out


def _picked(g, steps, key):
    r = _region_tensor(g, steps)
    return r if key is None else apply(_index, (r,), (key,))


_zero_region = defop("index_put", "IndexPutBackward0", _zero_region_fwd,
                     (lambda g, steps, key: apply(_zero_region, (g,), (steps, key)),), n_tensors=1,
                     tex=("1 off the index",))
_put_ops = {}


def _put_op(node):
    """index_put as PyTorch's IndexPutBackward0, or as the CopySlices node that __setitem__ on a view records."""
    if node not in _put_ops:
        _put_ops[node] = defop(
            "index_put", node, _put_fwd,
            (lambda g, steps, key, accumulate: g if accumulate else apply(_zero_region, (g,), (steps, key)),
             lambda g, steps, key: _picked(g, steps, key)), n_tensors=2, tex=("1 off the index", "1 at the index"),
            saved_params=("key",))  # PyTorch's CopySlices lets go of its node, IndexPutBackward0 of its indices
    return _put_ops[node]


def _check_values(self, values, result_shape):
    if values._data.dtype != self._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_legacy_name(self.dtype)} for the destination and {_legacy_name(values.dtype)} for the "
                           "source.")
    try:
        ok = np.broadcast_shapes(values._data.shape, result_shape) == tuple(result_shape)
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"shape mismatch: value tensor of shape {_shape_str(values._data.shape)} cannot be "
                           f"broadcast to indexing result of shape {_shape_str(result_shape)}")


def _indexed_shape(self, shape, key):
    """The shape of a[key] for an array a of `shape` (on self's device), without reading any data."""
    xp = _xp_of(self._data)
    return xp.broadcast_to(xp.empty((), np.int8), shape)[key].shape


def _index_put_key(self, indices):
    from .indexing import _advanced_key
    adv, dim = {}, 0
    for t in indices:
        if t is not None:
            adv[dim] = t._data.astype(bool) if t._data.dtype == np.uint8 else t._data
            dim += t._data.ndim if adv[dim].dtype == np.bool_ else 1
        else:
            dim += 1
    if dim > self._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {self._data.ndim} (got {dim})")
    return _advanced_key(adv, self._data.shape, _xp_of(self._data))


def index_put(input, indices, values, accumulate=False):
    key = _index_put_key(input, indices)
    _check_values(input, values, _indexed_shape(input, input._data.shape, key))
    return apply(_put_op("IndexPutBackward0"), (input, values), ((), key, bool(accumulate)))


def index_put_(self, indices, values, accumulate=False):
    key = _index_put_key(self, indices)
    _check_values(self, values, _indexed_shape(self, self._data.shape, key))
    return apply_inplace(_put_op("IndexPutBackward0"), self, (values,), ((), key, bool(accumulate)))


export(index_put)
method(index_put_, "index_put_")


# ---- __setitem__ -----------------------------------------------------------------------------------------

def _value_tensor(self, value):
    """A number as a 0-d tensor of self's dtype, as PyTorch's valueToTensor."""
    if is_tensor(value):
        return value
    if isinstance(value, (int, float, complex, np.integer)):  # np.float64 is a float; np.float32 is not
        from ._args import as_tensor_like
        return as_tensor_like(value, self._data.dtype, self)
    kind = type(value)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    raise TypeError(f"can't assign a {name} to a {self.type()}")


def _strip_leading_ones(shape):
    shape = tuple(shape)
    while shape and shape[0] == 1:
        shape = shape[1:]
    return shape


def setitem(self, key, value):
    value = _value_tensor(self, value)
    if key is False:  # PyTorch writes nothing
        return
    if key is True:  # a copy into self.unsqueeze(0), with no index
        key = None
    steps, adv, shape = _parse(self, key, keep_single_slice=False)
    steps = tuple(steps)
    if adv is None:  # a copy into a view: copy_, or fill_ for one value (PyTorch's copy_to)
        if value._data.shape != shape and value._data.ndim:
            value = value.view(_strip_leading_ones(value._data.shape))
            if value._data.shape != shape:
                value = value.expand(shape)
        if not steps:
            if value._data.shape == shape:
                self.copy_(value)
            else:
                apply_inplace(_fill_tensor, self, (value,))
            return
        if 0 in self._data.strides:  # an expanded tensor: written through the view, as PyTorch does
            self[key].copy_(value)
            return
    else:
        stripped = _strip_leading_ones(value._data.shape)
        if stripped != value._data.shape:
            value = value.view(stripped)
        _check_values(self, value, _indexed_shape(self, shape, adv))
    if steps and self._view_note is not None and _grad_enabled() and (self.requires_grad or value.requires_grad):
        self[key]._check_inplace()  # PyTorch writes through a view of this view, which says why it may not
    if steps and self._rg and self.grad_fn is None and _grad_enabled():
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    node = "CopySlices" if steps else "IndexPutBackward0"
    apply_inplace(_put_op(node), self, (value,), (steps, adv, False))


def _grad_enabled():
    from ..autograd.grad_mode import state
    return state.enabled


def _delitem(self, key):
    raise TypeError("Tensor does not support deleting items")


Tensor.__setitem__ = setitem
Tensor.__delitem__ = _delitem


# ---- nonzero, unique ----------------------------------------------------------------------------------------
def nonzero(input, *, out=None, as_tuple=False):
    x = input._data
    if as_tuple:  # the columns of nonzero(), as views of it (PyTorch unbinds it)
        base = Tensor._make(_xp_of(x).argwhere(_flat1(x)))
        return tuple(Tensor._make(base._data[:, i])._view_of(base) for i in range(base._data.shape[1]))
    return Tensor._make(_xp_of(x).argwhere(x))


def argwhere(input):
    return nonzero(input)


export(nonzero)
export(argwhere)


def _unique_fwd(xp, x, dim):
    if dim is None:
        vals, inv, counts = xp.unique(x.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False)
        return vals, inv.reshape(x.shape).astype(np.int64), counts.astype(np.int64)
    vals, inv, counts = xp.unique(x, axis=dim, return_inverse=True, return_counts=True, equal_nan=False)
    return vals, inv.reshape(-1).astype(np.int64), counts.astype(np.int64)


def _no_derivative(name):
    def grad(g):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")
    return grad


_unique2 = defop("unique", "Unique2Backward0", _unique_fwd, (_no_derivative("_unique2"),), n_tensors=1,
                 outputs=("values", "inverse", "counts"), n_diff_out=1, tex=("not differentiable",))
_unique_dim = defop("unique", "UniqueDimBackward0", _unique_fwd, (_no_derivative("unique_dim"),), n_tensors=1,
                    outputs=("values", "inverse", "counts"), n_diff_out=1, tex=("not differentiable",))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    if dim is not None:
        nd = input._data.ndim
        if nd == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        dim = wrap_dim(dim, nd)
        if any(s == 0 for d, s in enumerate(input._data.shape) if d != dim):
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    vals, inv, counts = apply(_unique2 if dim is None else _unique_dim, (input,), (dim,))
    out = (vals,) + ((inv,) if return_inverse else ()) + ((counts,) if return_counts else ())
    return out if len(out) > 1 else vals


export(unique)
