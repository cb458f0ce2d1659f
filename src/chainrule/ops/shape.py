"""Shape ops and basic indexing: views (view, transpose, select, ...) and copies (clone, to)."""
import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, Size
from ._op import defop, apply
from ._args import wrap_dim, is_tensor
from ._register import export, method


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _infer_shape(shape, numel, src_shape):
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for i, s in enumerate(shape):
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                                   f"[{', '.join(map(str, shape))}]")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return shape


_view = defop("view", "ViewBackward0", lambda xp, x, shape: x.reshape(shape),
              (lambda g, x_shape: g.reshape(x_shape),), n_tensors=1, view=True, tex=("1",))
_unsafe_view = defop("reshape", "UnsafeViewBackward0", lambda xp, x, shape: x.reshape(shape),
                     (lambda g, x_shape: g.reshape(x_shape),), n_tensors=1, tex=("1",))
# reshape of a non-contiguous tensor that needs no copy: PyTorch's _reshape_alias
_reshape_alias = defop("reshape", "ReshapeAliasBackward0", lambda xp, x, shape: x.reshape(shape),
                       (lambda g, x_shape: g.reshape(x_shape),), n_tensors=1, view=True, tex=("1",))
_alias = defop("alias", "AliasBackward0", lambda xp, x: x[...], (lambda g: g,), view=True, tex=("1",))
_clone = defop("clone", "CloneBackward0", lambda xp, x: x.copy(), (lambda g: g,), tex=("1",))


def view(self, *shape):
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        raise RuntimeError("view(dtype) is not supported by chainrule")
    shape = _infer_shape(_shape_arg(shape), self._data.size, self._data.shape)
    if not _viewable(self._data, shape):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.")
    return apply(_view, (self,), (shape,))


def _viewable(arr, shape):
    if arr.flags.c_contiguous:
        return True
    try:
        arr.reshape(shape, copy=False)  # raises when a copy would be needed (NumPy >= 2.1)
        return True
    except ValueError:
        return False
    except TypeError:  # older NumPy and CuPy: no copy=; shape assignment raises instead
        try:
            arr.view().shape = shape
            return True
        except AttributeError:
            return False


def reshape(input, *shape):
    shape = _infer_shape(_shape_arg(shape), input._data.size, input._data.shape)
    if _viewable(input._data, shape):
        return apply(_view if input._data.flags.c_contiguous else _reshape_alias, (input,), (shape,))
    return apply(_unsafe_view, (input.clone(),), (shape,))


def view_as(self, other):
    return self.view(other.shape)


def reshape_as(self, other):
    return self.reshape(other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return input.reshape(1)
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shp = input._data.shape
    return input.reshape(shp[:s] + (math.prod(shp[s:e + 1]),) + shp[e + 1:])  # not -1: ambiguous when empty


def clone(input, *, memory_format=None):
    return apply(_clone, (input,))


def contiguous(self, memory_format=None):
    return self if self._data.flags.c_contiguous else self.clone()


export(view, function=False)
export(reshape)
method(view_as, "view_as")
method(reshape_as, "reshape_as")
export(flatten)
export(clone)
method(contiguous, "contiguous")

# ---- transposes -------------------------------------------------------------------------
_permute = defop("permute", "PermuteBackward0", lambda xp, x, perm: x.transpose(perm),
                 (lambda g, perm: g.permute(tuple(np.argsort(perm))),), n_tensors=1, view=True, tex=("1",))
_transpose = defop("transpose", "TransposeBackward0", lambda xp, x, d0, d1: xp.swapaxes(x, d0, d1),
                   (lambda g, d0, d1: g.transpose(d0, d1),), n_tensors=1, view=True, tex=("1",))
_t = defop("t", "TBackward0", lambda xp, x: x.T, (lambda g: g.t(),), view=True, tex=("1",))


def permute(input, *dims):
    nd = input._data.ndim
    dims = _shape_arg(dims)
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal to "
                           f"len(dims) = {len(dims)}")
    perm = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(perm)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return apply(_permute, (input,), (perm,))


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    return apply(_transpose, (input,), (wrap_dim(dim0, nd), wrap_dim(dim1, nd)))


def t(input):
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return apply(_t, (input,))


def _T(self):
    return apply(_permute, (self,), (tuple(range(self._data.ndim - 1, -1, -1)),))


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return self.transpose(-2, -1)


export(permute)
export(transpose)
export(transpose, "swapaxes")
export(transpose, "swapdims")
export(t)
Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(lambda self: _T(self))
Tensor.mH = property(_mT)

# ---- adding and removing size-1 dims, expand -----------------------------------------------
_unsqueeze = defop("unsqueeze", "UnsqueezeBackward0", lambda xp, x, dim: xp.expand_dims(x, dim),
                   (lambda g, dim: g.squeeze(dim),), n_tensors=1, view=True, tex=("1",))
_squeeze_all = defop("squeeze", "SqueezeBackward0", lambda xp, x: x.reshape(tuple(s for s in x.shape if s != 1)),
                     (lambda g, x_shape: g.reshape(x_shape),), view=True, tex=("1",))
_squeeze_dim = defop("squeeze", "SqueezeBackward1", lambda xp, x, dim: x.reshape(
    tuple(s for i, s in enumerate(x.shape) if i != dim or s != 1)),
    (lambda g, x_shape: g.reshape(x_shape),), n_tensors=1, view=True, tex=("1",))
_squeeze_dims = defop("squeeze", "SqueezeBackward2", lambda xp, x, dims: x.reshape(
    tuple(s for i, s in enumerate(x.shape) if i not in dims or s != 1)),
    (lambda g, x_shape: g.reshape(x_shape),), n_tensors=1, view=True, tex=("1",))
def _expand_fwd(xp, x, shape):
    b = xp.broadcast_to(x, shape)
    if xp is np and x.flags.writeable:  # writable as PyTorch's (x.expand(2, 3)[1] += 1 writes into x)
        return np.lib.stride_tricks.as_strided(x, b.shape, b.strides)
    return b


_expand = defop("expand", "ExpandBackward0", _expand_fwd,
                (lambda g, x_shape: g.sum_to_size(x_shape),), n_tensors=1, view=True, tex=("1",))


def unsqueeze(input, dim):
    return apply(_unsqueeze, (input,), (wrap_dim(dim, input._data.ndim + 1),))


def squeeze(input, dim=None):
    nd = input._data.ndim
    if dim is None:
        return apply(_squeeze_all, (input,))
    if isinstance(dim, (tuple, list)):
        return apply(_squeeze_dims, (input,), (tuple(wrap_dim(d, nd) for d in dim),))
    return apply(_squeeze_dim, (input,), (wrap_dim(dim, nd) if nd else 0,))


def expand(self, *sizes):
    sizes = _shape_arg(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({self.type()}{{[{', '.join(map(str, shape))}]}}, size=[{', '.join(map(str, sizes))}]): "
                           f"the number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = []
    for i, s in reversed(list(enumerate(sizes))):  # from the last dim, as PyTorch (its first error names it)
        own = shape[i - lead] if i >= lead else None
        if s == -1:
            if own is None:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                                   f"dimension {i}")
            s = own
        elif own is not None and own != 1 and own != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({own}) at "
                               f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  "
                               f"Tensor sizes: [{', '.join(map(str, shape))}]")
        out.insert(0, s)
    return apply(_expand, (self,), (tuple(out),))


def expand_as(self, other):
    return self.expand(other.shape)


export(unsqueeze)
export(squeeze)
method(expand, "expand")
method(expand_as, "expand_as")

# ---- dtype and device conversion --------------------------------------------------------------
_to_copy = defop("to", "ToCopyBackward0", lambda xp, x, dtype, dev, src_dtype, src_device: _convert(x, dtype, dev),
                 (lambda g, src_dtype, src_device: g.to(dtype=src_dtype, device=src_device),), tex=("1",))


def _convert(x, dtype, dev):
    from .. import _device
    if dev is not None:
        x = _device.move(x, dev)
    if dtype is not None:
        x = x.astype(dtype.np)
    return x


def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
    from .. import _device
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, _device.device, int)):
            device = a
    if device is not None:
        device = _device.canonical(device)
        if device == self.device:
            device = None
    if dtype is not None and dtype.np == self._data.dtype:
        dtype = None
    if dtype is None and device is None:
        return apply(_to_copy, (self,), (self.dtype, None, self.dtype, self.device)) if copy else self
    if dtype is not None and dtype.category < 2:  # integer and bool results have no gradient
        return Tensor._make(_convert(self._data, dtype, device))
    return apply(_to_copy, (self,), (dtype, device, self.dtype, self.device))


def _caster(dt):
    def fn(self, memory_format=None):
        return self.to(dtype=dt)
    return fn


method(to, "to")
for _n, _d in (("float", D.float32), ("double", D.float64), ("half", D.float16), ("long", D.int64),
               ("int", D.int32), ("short", D.int16), ("char", D.int8), ("byte", D.uint8), ("bool", D.bool_),
               ("cfloat", D.complex64), ("cdouble", D.complex128)):
    method(_caster(_d), _n)


def type_as(self, other):
    return self.to(dtype=other.dtype)


def _type(self, dtype=None, non_blocking=False):
    if dtype is None:
        prefix = "chainrule.cuda." if self.device.type == "cuda" else "chainrule."
        return prefix + self.dtype.tensor_type
    if isinstance(dtype, str):
        name = dtype.rsplit(".", 1)[-1]
        dtype = next(d for d in D.ALL if d.tensor_type == name)
    return self.to(dtype=dtype)


method(type_as, "type_as")
method(_type, "type")
method(lambda self, memory_format=None: self.to("cpu"), "cpu")
method(lambda self, device=None, non_blocking=False, memory_format=None: self.to(
    "cuda" if device is None else device), "cuda")


# ---- joining ------------------------------------------------------------------------------------
def _split_grad(g, sizes, dim):
    """Gradient of cat: the slice of g belonging to each input."""
    out, start = [], 0
    for s in sizes:
        out.append(g.narrow(dim, start, s))
        start += s
    return out


_cat_ops = {}


def _cat_op(n):
    op = _cat_ops.get(n)
    if op is None:
        names = ", ".join(f"x{i}" for i in range(n))
        fwd = eval(f"lambda xp, {names}, dim: xp.concatenate(({names},), axis=dim)")
        grads = [eval(f"lambda g, sizes, dim: _split_grad(g, sizes, dim)[{i}]", {"_split_grad": _split_grad})
                 for i in range(n)]
        fwd2 = eval(f"lambda xp, {names}, dim, sizes: xp.concatenate(({names},), axis=dim)")
        op = _cat_ops[n] = defop("cat", "CatBackward0", fwd2, grads, n_tensors=n, tex=("1",) * n)
    return op


def cat(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("chainrule.cat(): expected a non-empty list of Tensors")
    from ._args import promote
    from .. import _dtype as _D
    rt = _D.result_type_of([t._data for t in tensors]).np
    ref = next((t for t in tensors if t._data.ndim), tensors[0])
    if ref._data.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    nd = ref._data.ndim
    dim = wrap_dim(dim, nd)
    keep = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)] or tensors[:1]
    for i, t in enumerate(keep):
        if t._data.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {t._data.ndim}")
        for d in range(nd):
            if d != dim and t._data.shape[d] != ref._data.shape[d]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. Expected size "
                                   f"{ref._data.shape[d]} but got size {t._data.shape[d]} for tensor number {i} in "
                                   "the list.")
    arrays = [t._data if t._data.dtype == rt else t._data.astype(rt) for t in keep]
    sizes = tuple(t._data.shape[dim] for t in keep)
    return apply(_cat_op(len(keep)), tuple(keep), (dim, sizes), arrays)


_stack_ops = {}


def _stack_op(n):
    op = _stack_ops.get(n)
    if op is None:
        names = ", ".join(f"x{i}" for i in range(n))
        fwd = eval(f"lambda xp, {names}, dim: xp.stack(({names},), axis=dim)")
        grads = [eval(f"lambda g, dim: g.select(dim, {i})") for i in range(n)]
        op = _stack_ops[n] = defop("stack", "StackBackward0", fwd, grads, tex=("1",) * n)
    return op


def stack(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"[{', '.join(map(str, shape))}] at entry 0 and "
                               f"[{', '.join(map(str, t._data.shape))}] at entry {i}")
    from .. import _dtype as _D
    rt = _D.result_type_of([t._data for t in tensors]).np
    arrays = [t._data if t._data.dtype == rt else t._data.astype(rt) for t in tensors]
    return apply(_stack_op(len(tensors)), tuple(tensors), (wrap_dim(dim, len(shape) + 1),), arrays)


export(cat, method=False)
export(cat, "concat", method=False)
export(cat, "concatenate", method=False)
export(stack, method=False)
