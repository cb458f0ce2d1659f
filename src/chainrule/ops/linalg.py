"""Matrix products: matmul (all rank combinations), mm, mv, dot, bmm, addmm, outer."""
import numpy as np

from .._tensor import Tensor
from ._op import defop, apply
from ._register import export
from ._errors import not_implemented
from .shape import _unsafe_view

_mm = defop("mm", "MmBackward0", lambda xp, a, b: a @ b,
            (lambda g, b: g.mm(b.t()), lambda g, a: a.t().mm(g)), tex=("Bᵀ", "Aᵀ"))
_mv = defop("mv", "MvBackward0", lambda xp, a, v: a @ v,
            (lambda g, v: g.unsqueeze(1) * v.unsqueeze(0), lambda g, a: a.t().mv(g)), tex=("vᵀ", "Aᵀ"))
_dot = defop("dot", "DotBackward0", lambda xp, a, b: xp.dot(a, b), (lambda g, b: g * b, lambda g, a: g * a),
             tex=("b", "a"))
_bmm = defop("bmm", "BmmBackward0", lambda xp, a, b: xp.matmul(a, b),
             (lambda g, b: g.bmm(b.transpose(1, 2)), lambda g, a: a.transpose(1, 2).bmm(g)), tex=("Bᵀ", "Aᵀ"))
_addmm = defop("addmm", "AddmmBackward0",
               lambda xp, c, a, b, beta, alpha: _scaled(xp, c, beta) + _scaled(xp, a @ b, alpha),
               (lambda g, beta: g if beta == 1 else g * beta,
                lambda g, b, alpha: g.mm(b.t()) * alpha if alpha != 1 else g.mm(b.t()),
                lambda g, a, alpha: a.t().mm(g) * alpha if alpha != 1 else a.t().mm(g)),
               n_tensors=3, tex=("1", "Bᵀ", "Aᵀ"))
# matmul of a 1-D and a 2-D tensor squeezes mm's result in place (squeeze_(0)): PyTorch records
# SqueezeBackward4, and the result (no view) is at version 1
_squeeze_ = defop("squeeze_", "SqueezeBackward4", lambda xp, x, dim: x.reshape(x.shape[:dim] + x.shape[dim + 1:]),
                  (lambda g, dim: g.unsqueeze(dim),), n_tensors=1, tex=("1",))


def _scaled(xp, x, s):
    """s * x as BLAS computes it: s == 0 ignores x (nan and inf included)."""
    return x if s == 1 else xp.zeros_like(x) if s == 0 else (x * s).astype(x.dtype, copy=False)


def _check_float_match(a, b, name):
    if a._data.dtype != b._data.dtype:
        from .._tensor import _legacy_name, _c_name
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_c_name(a.dtype)} != "
                           f"{_c_name(b.dtype)}" if name == "mm" else
                           f"dot : expected both vectors to have same dtype, but found {_legacy_name(a.dtype)} and "
                           f"{_legacy_name(b.dtype)}" if name == "dot" else
                           f"expected scalar type {_legacy_name(a.dtype)} but found {_legacy_name(b.dtype)}")


def _check_addmv_dtypes(*ts):
    """PyTorch's mv/addmv message names the result (vec's dtype for mv), mat and vec dtypes."""
    if len({t._data.dtype for t in ts}) > 1:
        from .._tensor import _legacy_name
        names = [_legacy_name(t.dtype) for t in ts]
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {names[0]}, {names[1]}, and "
                           f"{names[2]}")


def _no_bool(kernel, *ts):
    for t in ts:
        if t._data.dtype.kind == "b":
            not_implemented(kernel, t._data.dtype)


def _dims_error(a, b):
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                        f"{b.shape[0]}x{b.shape[1]})")


def mm(input, mat2, *, out=None):
    a, b = input, mat2
    if a._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    if a._data.shape[1] != b._data.shape[0]:
        raise _dims_error(a._data, b._data)
    _check_float_match(a, b, "mm")
    _no_bool("addmm_impl_cpu_", a)
    return apply(_mm, (a, b))


def mv(input, vec, *, out=None):
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}")
    if input._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input._data.shape[0]}), mat ({input._data.shape[0]}x"
                           f"{input._data.shape[1]}), vec ({vec._data.shape[0]})")
    _check_addmv_dtypes(vec, input, vec)
    _no_bool("addmv_impl_cpu", input)
    return apply(_mv, (input, vec))


def _check_vectors(input, other):
    """dot and vdot: two 1-D tensors of one length."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    if input._data.shape[0] != other._data.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input._data.shape[0]}] and src "
                           f"[{other._data.shape[0]}] to have the same number of elements, but got "
                           f"{input._data.shape[0]} and {other._data.shape[0]} elements respectively")


def dot(input, other, *, out=None):
    _check_vectors(input, other)
    _check_float_match(input, other, "dot")
    _no_bool("dot", input)
    return apply(_dot, (input, other))


def bmm(input, mat2, *, out=None):
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    _check_float_match(input, mat2, "bmm")
    _no_bool("bmm", input)
    return apply(_bmm, (input, mat2))


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    check_add_dtypes(input, mat1, mat2)
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m._data.ndim}-D tensor")
    if mat1._data.shape[1] != mat2._data.shape[0]:
        raise _dims_error(mat1._data, mat2._data)
    input.detach().expand(mat1._data.shape[0], mat2._data.shape[1])  # PyTorch's message when input does not fit
    _no_bool("addmm_impl_cpu_", mat1)
    return apply(_addmm, (input, mat1, mat2), (beta, alpha))


def check_add_dtypes(input, m1, m2):
    """addmm/addbmm: the input and both factors must share one dtype, checked as PyTorch does."""
    from .._tensor import _legacy_name
    for (na, a), (nb, b) in ((("self", input), ("mat2", m2)), (("mat1", m1), ("mat2", m2))):
        if a._data.dtype != b._data.dtype:
            raise RuntimeError(f"{na} and {nb} must have the same dtype, but got {_legacy_name(a.dtype)} and "
                               f"{_legacy_name(b.dtype)}")


def matmul(input, other, *, out=None):
    """PyTorch's _matmul_impl: dot, mv, mm, a fold of the batch into one mm/mv, or an expanded bmm."""
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    da, db = input._data.ndim, other._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        out = apply(_squeeze_, (mm(input.unsqueeze(0), other),), (0,))
        out._bump()
        return out
    if da == 2 and db == 2:
        return mm(input, other)
    if _should_fold(input, other):
        return _folded(input, other)
    return _batched(input, other)


def _should_fold(a, b):
    """Fold the larger operand's batch into one mm/mv when that needs no copy, or when the smaller operand
    requires grad (a bmm would build its gradient expanded over the batch)."""
    larger = a._data.ndim >= b._data.ndim
    big, small = (a, b) if larger else (b, a)
    if not (big._data.ndim >= 3 and small._data.ndim <= 2):
        return False
    if small.requires_grad:
        return True
    if a._data.ndim == 2:
        return False
    shape, strides = list(big._data.shape), list(big.stride())
    if not larger:  # the larger operand enters transposed (b.mT)
        shape[-2:], strides[-2:] = shape[:-3:-1], strides[:-3:-1]
    if big._data.size == 0:
        return True
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(len(shape) - 2))


def _folded(a, b):
    transpose = b._data.ndim > a._data.ndim
    t1 = b.mT if transpose else a
    t2 = (a.t() if a._data.ndim == 2 else a) if transpose else b
    lead = t1._data.shape[:-1]
    folded = t1.reshape(int(np.prod(lead)), t1._data.shape[-1])
    if t2._data.ndim == 2:
        out = apply(_unsafe_view, (mm(folded, t2),), (lead + (t2._data.shape[1],),))
        return out.mT.contiguous() if transpose else out
    return apply(_unsafe_view, (mv(folded, t2),), (lead,))


def _batched(a, b):
    sa, sb = a._data.shape, b._data.shape
    da, db = len(sa), len(sb)
    n, m1 = (sa[-2] if da > 1 else 1), sa[-1]
    m2, p = (sb[-2], sb[-1]) if db > 1 else (sb[0], 1)
    batch_a, batch_b = sa[:max(da - 2, 0)], sb[:max(db - 2, 0)]
    if da == 3 and db == 3 and batch_a[0] != batch_b[0]:  # a batch of one broadcasts: fold instead
        if batch_a[0] == 1 and a.requires_grad:
            return matmul(a.squeeze(0), b)
        if batch_b[0] == 1 and b.requires_grad:
            return matmul(a, b.squeeze(0))
    try:
        batch = tuple(np.broadcast_shapes(batch_a, batch_b))
    except ValueError:
        from ._args import broadcast_error
        raise broadcast_error(batch_a, batch_b) from None
    size = int(np.prod(batch))
    a3 = a.expand(batch + (n, m1)).reshape(size, n, m1)
    if db == 1:
        b3 = b.expand(batch + (m2,)).reshape(size, m2).unsqueeze(2)
    else:
        b3 = b.expand(batch + (m2, p)).reshape(size, m2, p)
    out = bmm(a3, b3)
    if db == 1:
        out = out.squeeze(-1)
    return apply(_unsafe_view, (out,), (batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ()),))


def outer(input, vec2):
    for name, v in (("self", input), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    return input.reshape(input._data.shape[0], 1) * vec2


for _f in (mm, mv, dot, bmm, addmm, matmul, outer):
    export(_f)
export(outer, "ger")
Tensor.__matmul__ = lambda self, other: matmul(self, other)
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)
