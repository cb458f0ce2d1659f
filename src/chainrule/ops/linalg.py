"""Matrix products: matmul (all rank combinations), mm, mv, dot, bmm, addmm, outer."""
import numpy as np

from .._tensor import Tensor
from ._op import defop, apply
from ._args import promote
from ._register import export
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
               lambda xp, c, a, b, beta, alpha: _scaled(c, beta) + _scaled(a @ b, alpha),
               (lambda g, beta: g if beta == 1 else g * beta,
                lambda g, b, alpha: g.mm(b.t()) * alpha if alpha != 1 else g.mm(b.t()),
                lambda g, a, alpha: a.t().mm(g) * alpha if alpha != 1 else a.t().mm(g)),
               n_tensors=3, tex=("1", "Bᵀ", "Aᵀ"))
_matmul_nd = defop("matmul", "MatmulBackward0", lambda xp, a, b: xp.matmul(a, b),
                   (lambda g, a, b: _mm_grad_a(g, a, b), lambda g, a, b: _mm_grad_b(g, a, b)), tex=("Bᵀ", "Aᵀ"))


def _scaled(x, s):
    return x if s == 1 else x * s


def _mm_grad_a(g, a, b):
    if b.dim() == 1:
        return g.unsqueeze(-1) * b
    return g.matmul(b.transpose(-1, -2)) if a.dim() > 1 else (g.unsqueeze(-2).matmul(b.transpose(-1, -2))).squeeze(-2)


def _mm_grad_b(g, a, b):
    if a.dim() == 1:
        ga = a.unsqueeze(-1) * g.unsqueeze(-2) if b.dim() > 1 else a * g
        return ga
    if b.dim() == 1:
        return a.transpose(-1, -2).matmul(g.unsqueeze(-1)).squeeze(-1)
    return a.transpose(-1, -2).matmul(g)


def _check_float_match(a, b, name):
    if a._data.dtype != b._data.dtype:
        from .._tensor import _legacy_name, _c_name
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_c_name(a.dtype)} != "
                           f"{_c_name(b.dtype)}" if name == "mm" else
                           f"expected scalar type {_legacy_name(a.dtype)} but found {_legacy_name(b.dtype)}")


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
    return apply(_mm, (a, b))


def mv(input, vec, *, out=None):
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}")
    if input._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input._data.shape[0]}), mat ({input._data.shape[0]}x"
                           f"{input._data.shape[1]}), vec ({vec._data.shape[0]})")
    _check_float_match(input, vec, "mv")
    return apply(_mv, (input, vec))


def dot(input, other, *, out=None):
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    if input._data.shape[0] != other._data.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input._data.shape[0]}] and src "
                           f"[{other._data.shape[0]}] to have the same number of elements, but got "
                           f"{input._data.shape[0]} and {other._data.shape[0]} elements respectively")
    _check_float_match(input, other, "dot")
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
    return apply(_bmm, (input, mat2))


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    if mat1._data.dtype != mat2._data.dtype:
        from .._tensor import _legacy_name
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_legacy_name(mat1.dtype)} and "
                           f"{_legacy_name(mat2.dtype)}")
    if mat1._data.shape[1] != mat2._data.shape[0]:
        raise _dims_error(mat1._data, mat2._data)
    return apply(_addmm, (input, mat1, mat2), (beta, alpha))


def matmul(input, other, *, out=None):
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
        return mm(input.unsqueeze(0), other).squeeze(0)
    if da == 2 and db == 2:
        return mm(input, other)
    if db <= 2 and da > 2:  # fold the batch into the rows: one 2-D product, as PyTorch does
        lead = input._data.shape[:-1]
        if db == 1:
            return mv(input.reshape(-1, input._data.shape[-1]), other).reshape(lead) if input.shape[-1] == \
                other.shape[0] else _raise_nd(input, other)
        if input._data.shape[-1] != other._data.shape[0]:
            raise _dims_error((int(np.prod(lead)), input._data.shape[-1]), other._data.shape)
        out = mm(input.reshape(-1, input._data.shape[-1]), other)  # PyTorch un-folds with _unsafe_view
        return apply(_unsafe_view, (out,), (lead + (other._data.shape[-1],),))
    a, b = input, other
    ka = a._data.shape[-1]
    kb = b._data.shape[-2] if db > 1 else b._data.shape[0]
    if ka != kb:
        _raise_nd(a, b)
    try:
        return apply(_matmul_nd, (a, b))
    except ValueError:
        from ._args import broadcast_error
        raise broadcast_error(a._data.shape[:-2], b._data.shape[:-2]) from None


def _raise_nd(a, b):
    sa, sb = a._data.shape, b._data.shape
    if len(sb) == 1:
        raise RuntimeError(f"size mismatch, got input ({int(np.prod(sa[:-1]))}), mat ({int(np.prod(sa[:-1]))}x"
                           f"{sa[-1]}), vec ({sb[0]})")
    raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                       f"[{int(np.prod(sb[:-2])) if len(sb) > 2 else 1}, {sa[-1]}] but got: "
                       f"[{int(np.prod(sb[:-2])) if len(sb) > 2 else 1}, {sb[-2]}].")


def outer(input, vec2):
    return input.unsqueeze(1) * vec2.unsqueeze(0)


for _f in (mm, mv, dot, bmm, addmm, matmul, outer):
    export(_f)
export(outer, "ger")
Tensor.__matmul__ = lambda self, other: matmul(self, other)
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)
