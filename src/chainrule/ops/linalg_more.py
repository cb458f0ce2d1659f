"""More linear algebra: products with an input (addmv, addbmm, baddbmm), vdot, einsum, tensordot, kron, the
diagonal family (trace, diag, diag_embed, diagonal, tril, triu), cross, cdist, and torch.linalg (norms, inv, det,
slogdet, solve, cholesky, qr, eigh, svd, pinv).

Composite functions (einsum, tensordot, kron, matrix_norm, ...) are built from other ops exactly as PyTorch builds
them, so they record PyTorch's nodes. The decompositions are one op each, with the derivative formulas of
PyTorch's FunctionsManual written with chainrule's own ops (so they have second derivatives).
"""
import math
import warnings

import numpy as np

from .._tensor import Tensor, _c_name, _legacy_name
from ._op import defop, apply, apply_inplace, _xp
from ..autograd.grad_mode import state as _grad_state
from ._args import wrap_dim, dims, broadcast_error
from ._register import export, method
from .linalg import (bmm, mm, matmul, _scaled, _no_bool, _check_float_match, _check_addmv_dtypes, _check_vectors,
                     check_add_dtypes)
from .shape import _unsafe_view, _viewable, cat, stack
from .pointwise_more import where
from .reduction_more import return_type, _vector_norm_apply, _others_product, _resolve


class _LinAlgError(RuntimeError):
    """PyTorch's torch.linalg.LinAlgError (its class is torch._C._LinAlgError)."""


def _times(t, s):
    return t if s == 1 else t * s


def _eye(t, n, m=None):
    """The identity in t's dtype and on t's device, as a constant."""
    return Tensor._make(_xp(t._data).eye(n, n if m is None else m, dtype=t._data.dtype))


def _zeros(t, shape):
    return Tensor._make(_xp(t._data).zeros(shape, dtype=t._data.dtype))


def _fits(input, shape):
    """PyTorch expands the input of addmm-like ops to the product's shape first: its message when that fails."""
    input.detach().expand(*shape)


# ---- vdot, addmv, addbmm, baddbmm ---------------------------------------------------------------------------
_vdot = defop("vdot", "VdotBackward0", lambda xp, a, b: xp.asarray(xp.vdot(a, b)),
              (lambda g, b: g * b, lambda g, a: g * a), tex=("b", "a"))
_addmv = defop("addmv", "AddmvBackward0",
               lambda xp, c, a, v, beta, alpha: _scaled(xp, c, beta) + _scaled(xp, a @ v, alpha),
               (lambda g, beta: _times(g, beta),
                lambda g, v, alpha: _times(g.unsqueeze(1) * v.unsqueeze(0), alpha),
                lambda g, a, alpha: _times(a.t().mv(g), alpha)),
               n_tensors=3, tex=("β", "α vᵀ", "α Aᵀ"))
_baddbmm = defop("baddbmm", "BaddbmmBackward0",
                 lambda xp, c, a, b, beta, alpha: _scaled(xp, c, beta) + _scaled(xp, xp.matmul(a, b), alpha),
                 (lambda g, beta: _times(g, beta),
                  lambda g, b, alpha: _times(g.bmm(b.transpose(1, 2)), alpha),
                  lambda g, a, alpha: _times(a.transpose(1, 2).bmm(g), alpha)),
                 n_tensors=3, tex=("β", "α Bᵀ", "α Aᵀ"))


def _addbmm_fwd(xp, c, a, b, beta, alpha):
    return _scaled(xp, c, beta) + _scaled(xp, xp.sum(xp.matmul(a, b), axis=0, dtype=a.dtype), alpha)


def _batched_g(g, a, b):
    """addbmm's gradient spread over the batch, as PyTorch expands it."""
    return g.unsqueeze(0).expand(a.shape[0], a.shape[1], b.shape[2])


_addbmm = defop("addbmm", "AddbmmBackward0", _addbmm_fwd,
                (lambda g, beta: _times(g, beta),
                 lambda g, a, b, alpha: _times(_batched_g(g, a, b).bmm(b.transpose(1, 2)), alpha),
                 lambda g, a, b, alpha: _times(a.transpose(1, 2).bmm(_batched_g(g, a, b)), alpha)),
                n_tensors=3, tex=("β", "α Σ Bᵀ", "α Σ Aᵀ"))


def vdot(input, other, *, out=None):
    _check_vectors(input, other)
    _check_float_match(input, other, "dot")
    _no_bool("dot", input)
    return apply(_vdot, (input, other))


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    if mat._data.ndim != 2 or vec._data.ndim != 1 or input._data.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, {mat._data.ndim}, "
                           f"{vec._data.ndim}")
    n = input._data.size
    if mat._data.shape[1] != vec._data.shape[0] or (n != mat._data.shape[0] and n != 1):
        raise RuntimeError(f"size mismatch, got input ({input._data.shape[0] if input._data.ndim else 1}), mat "
                           f"({mat._data.shape[0]}x{mat._data.shape[1]}), vec ({vec._data.shape[0]})")
    _check_addmv_dtypes(input, mat, vec)
    _no_bool("addmv_impl_cpu", mat)
    return apply(_addmv, (input, mat, vec), (beta, alpha))


def _check_batches(a, b):
    if a._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    s1, s2 = batch1._data.shape, batch2._data.shape
    _fits(input, (s1[1] if len(s1) > 1 else 1, s2[-1]))
    check_add_dtypes(input, batch1, batch2)
    _check_batches(batch1, batch2)
    if s1[0] != s2[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {s1[0]} and {s2[0]}")
    if s1[2] != s2[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({s1[1]}x{s1[2]} and {s2[1]}x{s2[2]})")
    _no_bool("addmm_impl_cpu_", batch1)
    return apply(_addbmm, (input, batch1, batch2), (beta, alpha))


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    s1, s2 = batch1._data.shape, batch2._data.shape
    _fits(input, (s1[0], s1[1] if len(s1) > 1 else 1, s2[-1]))
    _check_batches(batch1, batch2)
    if s1[0] != s2[0] or s1[2] != s2[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{s1[0]}, {s1[2]}] but "
                           f"got: [{s2[0]}, {s2[1]}].")
    _check_float_match(batch1, batch2, "bmm")
    if input._data.dtype != batch1._data.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {_c_name(input.dtype)}, batch1: "
                           f"{_c_name(batch1.dtype)}, batch2: {_c_name(batch2.dtype)}")
    _no_bool("baddbmm", batch1)
    return apply(_baddbmm, (input, batch1, batch2), (beta, alpha))


for _f in (vdot, addmv, addbmm, baddbmm):
    export(_f)


# ---- einsum: PyTorch's algorithm (align operands by permutes, contract pairs left to right with bmm) --------------
_ELLIPSIS = 52


def _subscript(c):
    return ord(c) - ord("A") if c.isupper() else ord(c) - ord("a") + 26


def _letter(s):
    return chr(ord("A") + s) if s < 26 else chr(ord("a") + s - 26)


def _is_label(c):
    return c.isascii() and c.isalpha()


def _dots(text, i):
    return i + 2 < len(text) and text[i + 1] == "." and text[i + 2] == "."


def _parse_operands(lhs, n_ops):
    labels, cur, seen_ellipsis, i = [[] for _ in range(n_ops)], 0, False, 0
    while i < len(lhs):
        c = lhs[i]
        if c == ".":
            if seen_ellipsis:
                raise RuntimeError(f"einsum(): found '.' for operand {cur} for which an ellipsis was already found")
            if not _dots(lhs, i):
                raise RuntimeError(f"einsum(): found '.' for operand {cur} that is not part of any ellipsis")
            labels[cur].append(_ELLIPSIS)
            seen_ellipsis, i = True, i + 2
        elif c == ",":
            cur += 1
            if cur >= n_ops:
                raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
            seen_ellipsis = False
        elif c != " ":
            if not _is_label(c):
                raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation string, "
                                   "subscripts must be in [a-zA-Z]")
            labels[cur].append(_subscript(c))
        i += 1
    if cur != n_ops - 1:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    return labels


def _sumproduct_pair(left, right, sum_dims):
    """(left * right).sum(sum_dims, keepdim=True) by permutes, reshapes and one bmm (PyTorch's sumproduct_pair)."""
    if not sum_dims:
        return left * right
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(left.dim()):
        sl, sr = left.shape[i] != 1, right.shape[i] != 1
        if i in sum_dims:
            if sl and sr:
                if left.shape[i] != right.shape[i]:
                    raise RuntimeError("non-broadcast dimensions must match")
                sum_size *= left.shape[i]
            elif sl:
                left = left.sum(i, keepdim=True)
            elif sr:
                right = right.sum(i, keepdim=True)
        elif sl and sr:
            if left.shape[i] != right.shape[i]:
                raise RuntimeError("non-broadcast dimensions must match")
            lro.append(i)
            lro_size *= left.shape[i]
        elif sl:
            lo.append(i)
            lo_size *= left.shape[i]
        else:
            ro.append(i)
            ro_size *= right.shape[i]
    out_size = ([left.shape[d] for d in lro + lo] + [1] * len(sum_dims) + [right.shape[d] for d in ro])
    order = lro + lo + sum_dims + ro
    operm = [0] * len(order)
    for i, d in enumerate(order):
        operm[d] = i
    left = left.permute(order).reshape(lro_size, lo_size, sum_size)
    right = right.permute(lro + sum_dims + ro + lo).reshape(lro_size, sum_size, ro_size)
    return bmm(left, right).view(out_size).permute(operm)


def _einsum(equation, operands):
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    n_ops = len(operands)
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    op_labels = _parse_operands(lhs, n_ops)

    count, ell_dims = [0] * _ELLIPSIS, 0
    for i, (t, labels) in enumerate(zip(operands, op_labels)):
        nd, has_ell = t.dim(), _ELLIPSIS in labels
        n = len(labels) - has_ell
        for s in labels:
            if s != _ELLIPSIS:
                count[s] += 1
        if has_ell:
            ell_dims = max(ell_dims, nd - n)
        if (n > nd) if has_ell else (n != nd):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) "
                               + ("is more than the number of dimensions (" if has_ell else
                                  "does not match the number of dimensions (")
                               + f"{nd}) for operand {i}" + ("" if has_ell else " and no ellipsis was given"))

    # the position of each label in the aligned operands: the output's first, then the contracted ones
    where_of, pos, ell_pos, ell_out = [-1] * _ELLIPSIS, 0, 0, False
    if arrow < 0:
        pos, ell_out = ell_dims, True  # implicit output: the ellipsis, then the labels seen once, sorted
        for s in range(_ELLIPSIS):
            if count[s] == 1:
                where_of[s], pos = pos, pos + 1
    else:
        rhs, i = equation[arrow + 2:], 0
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                if ell_out:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found")
                if not _dots(rhs, i):
                    raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)")
                ell_pos, pos, ell_out, i = pos, pos + ell_dims, True, i + 2
            elif c != " ":
                if not _is_label(c):
                    raise RuntimeError(f"einsum(): invalid subscript given at index {len(lhs) + 2 + i} in the "
                                       "equation string, subscripts must be in [a-zA-Z]")
                s = _subscript(c)
                if count[s] == 0 or where_of[s] != -1:
                    raise RuntimeError(f"einsum(): output subscript {c}" + (
                        " appears more than once in the output" if where_of[s] != -1 else
                        " does not appear in the equation for any input operand"))
                where_of[s], pos = pos, pos + 1
            i += 1
    out_dims = pos
    if not ell_out:
        ell_pos, pos = pos, pos + ell_dims
    for s in range(_ELLIPSIS):
        if count[s] and where_of[s] == -1:
            where_of[s], pos = pos, pos + 1

    # align: diagonals for repeated labels, unsqueezes for missing ones, one permute per operand
    label_size, ell_sizes, dim_counts, ops = [1] * _ELLIPSIS, [1] * ell_dims, [0] * pos, []
    for i, (op, labels) in enumerate(zip(operands, op_labels)):
        perm, d = [-1] * pos, 0
        for s in labels:
            if s == _ELLIPSIS:
                covered = operands[i].dim() - (len(labels) - 1)
                for j in range(ell_dims - covered, ell_dims):
                    size = op.shape[d]
                    if size != 1:
                        if ell_sizes[j] != 1 and ell_sizes[j] != size:
                            raise RuntimeError(f"einsum(): dimension {d} covered by ellipsis in operand {i}has size "
                                               f"{size} which does not broadcast with previously seen ellipsis with "
                                               f"size {ell_sizes[j]} for the respective dimension")
                        ell_sizes[j] = size
                        dim_counts[ell_pos + j] += 1
                    perm[ell_pos + j], d = d, d + 1
            elif perm[where_of[s]] == -1:
                size = op.shape[d]
                if size != 1:
                    if label_size[s] != 1 and label_size[s] != size:
                        raise RuntimeError(f"einsum(): subscript {_letter(s)} has size {size} for operand {i} which "
                                           f"does not broadcast with previously seen size {label_size[s]}")
                    label_size[s] = size
                    dim_counts[where_of[s]] += 1
                perm[where_of[s]], d = d, d + 1
            else:
                prev = perm[where_of[s]]
                if op.shape[d] != op.shape[prev]:
                    raise RuntimeError(f"einsum(): subscript {_letter(s)} is repeated for operand {i} but the sizes "
                                       f"don't match, {op.shape[d]} != {op.shape[prev]}")
                op = _movedim(op.diagonal(0, prev, d), -1, prev)
        for k in range(pos):
            if perm[k] == -1:
                op = op.unsqueeze(d)
                perm[k], d = d, d + 1
        ops.append(op.permute(perm))

    # contract left to right, summing each contracted dim as soon as no later operand has it
    while len(ops) > 1:
        a, b = ops.pop(0), ops.pop(0)
        sum_dims, a_sum, b_sum = [], [], []
        for d in range(out_dims, pos):
            if a.shape[d] != 1 and b.shape[d] != 1:
                dim_counts[d] -= 1
                if dim_counts[d] == 1:
                    sum_dims.append(d)
                    dim_counts[d] = 0
            elif dim_counts[d] == 1:
                if a.shape[d] != 1:
                    a_sum.append(d)
                    dim_counts[d] = 0
                elif b.shape[d] != 1:
                    b_sum.append(d)
                    dim_counts[d] = 0
        if a_sum:
            a = a.sum(a_sum, keepdim=True)
        if b_sum:
            b = b.sum(b_sum, keepdim=True)
        ops.insert(0, _sumproduct_pair(a, b, sum_dims))
    result = ops[0]
    if pos > out_dims:
        if n_ops > 1:
            return result.view(list(result.shape[:out_dims]))
        return result.sum(list(range(out_dims, pos)))
    return result


def _movedim(t, src, dst):
    order = [d for d in range(t.dim()) if d != src % t.dim()]
    order.insert(dst, src % t.dim())
    return t.permute(order)


def _sublist(n):
    if n is Ellipsis:
        return "..."
    if 0 <= n < 52:
        return _letter(n)
    raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")


def einsum(*args):
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                         "operand and its subscripts list")
    if isinstance(args[0], str):
        equation, operands = args[0], args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = operands[0]
    else:  # the sublist format: operand, [subscripts], operand, [subscripts], ..., [output]
        equation = ",".join("".join(_sublist(s) for s in sub) for sub in args[1::2])
        if len(args) % 2:
            equation += "->" + "".join(_sublist(s) for s in args[-1])
            operands = args[:-1:2]
        else:
            operands = args[::2]
    return _einsum(equation, list(operands))


export(einsum, method=False)


# ---- tensordot, kron ------------------------------------------------------------------------------------------
def tensordot(a, b, dims=2, out=None):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if not isinstance(dims, (tuple, list, int)):
        raise RuntimeError("tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] "
                           f"containing two lists, but got dims={dims}")
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.dim(), b.dim()):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    else:
        dims_a, dims_b = dims
    for i, d in enumerate((dims_a, dims_b)):
        if not isinstance(d, (list, tuple)):
            raise TypeError(f"tensordot(): argument '{('dims_self', 'dims_other')[i]}' (position {3 + i}) must be "
                            f"tuple of ints, not {type(d).__name__}")
    return _tensordot(a, b, list(dims_a), list(dims_b))


def _tensordot(t1, t2, dims1, dims2):
    """PyTorch's tensordot: contract by permuting both operands into one mm."""
    if len(dims1) != len(dims2):
        raise RuntimeError("both dimension lists should have same length")
    if t1._data.dtype != t2._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    a, b, csize = t1, t2, 1
    for d1, d2 in zip(dims1, dims2):
        s1, s2 = t1.shape[d1], t2.shape[d2]
        if s2 == 1:  # a broadcast dimension is summed right away
            a = a.sum(d1, keepdim=True)
        elif s1 == 1:
            b = b.sum(d2, keepdim=True)
        else:
            if s1 != s2:
                raise RuntimeError(f"contracted dimensions need to match, but first has size {s1} in dim {d1} and "
                                   f"second has size {s2} in dim {d2}")
            csize *= s1
    c1, c2 = _dim_set(dims1, t1.dim()), _dim_set(dims2, t2.dim())
    keep1 = [i for i in range(t1.dim()) if i not in c1]
    keep2 = [i for i in range(t2.dim()) if i not in c2]
    size1 = int(np.prod([a.shape[i] for i in keep1]))
    size2 = int(np.prod([b.shape[i] for i in keep2]))
    a = a.permute(keep1 + dims1).reshape(size1, csize)
    b = b.permute(dims2 + keep2).reshape(csize, size2)
    return mm(a, b).reshape([t1.shape[i] for i in keep1] + [t2.shape[i] for i in keep2])


def _view_as_unsafe(t, shape):
    """PyTorch's _unsafe_view: a view's checks, an UnsafeViewBackward0 node."""
    if not _viewable(t._data, shape):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.")
    return apply(_unsafe_view, (t,), (shape,))


def _dim_set(dim_list, ndim):
    """The contracted dims (none for an empty list, unlike a reduction's dims)."""
    return set(dims(dim_list, ndim)) if dim_list else set()


def kron(input, other):
    """PyTorch's kron: both operands as interleaved views of size-1 dims, one broadcast product, one view."""
    n = max(input.dim(), other.dim())
    pa, pb = n - input.dim(), n - other.dim()
    sa, sb, out = [], [], []
    for i in range(n):
        x = input.shape[i - pa] if i >= pa else 1
        y = other.shape[i - pb] if i >= pb else 1
        sa += [x, 1]
        sb += [1, y]
        out.append(x * y)
    a, b = _view_as_unsafe(input, tuple(sa)), _view_as_unsafe(other, tuple(sb))
    return _view_as_unsafe(a * b, tuple(out))


export(tensordot, method=False)
export(kron)


# ---- the diagonal family ----------------------------------------------------------------------------------------
def _diag_view(xp, x, offset, d1, d2):
    """x's diagonal (offset, dim1, dim2) as a writable view, the diagonal last, as PyTorch lays it out."""
    idx = [slice(None)] * x.ndim
    idx[d1], idx[d2] = slice(max(-offset, 0), None), slice(max(offset, 0), None)
    s = x[tuple(idx)]
    rest = [i for i in range(x.ndim) if i not in (d1, d2)]
    shape = tuple(x.shape[i] for i in rest) + (max(min(s.shape[d1], s.shape[d2]), 0),)
    strides = tuple(x.strides[i] for i in rest) + (x.strides[d1] + x.strides[d2],)
    return xp.lib.stride_tricks.as_strided(s, shape, strides)


def _embed(xp, x, shape, offset, d1, d2):
    """Zeros of shape with x on the diagonal (offset, dim1, dim2)."""
    out = xp.zeros(shape, dtype=x.dtype)
    _diag_view(xp, out, offset, d1, d2)[...] = x
    return out


def _embed_shape(shape, offset, d1, d2):
    n = shape[-1] + abs(offset)
    out = list(shape[:-1])
    for d in sorted((d1, d2)):
        out.insert(d, n)
    return tuple(out)


_diagonal = defop("diagonal", "DiagonalBackward0", _diag_view,
                  (lambda g, x_shape, offset, d1, d2: _diagonal_backward(g, x_shape, offset, d1, d2),),
                  n_tensors=1, view=True, tex=("1 on the diagonal",))
_diag_copy = defop("diag", "DiagonalBackward0_copy", lambda xp, x, offset, d1, d2: _diag_view(
    xp, x, offset, d1, d2).copy(), (lambda g, x_shape, offset, d1, d2: _diagonal_backward(g, x_shape, offset, d1, d2),),
    n_tensors=1, tex=("1 on the diagonal",))
_diag_bwd = defop("diagonal_backward", "DiagonalBackwardBackward0", _embed,
                  (lambda g, offset, d1, d2: g.diagonal(offset, d1, d2),), n_tensors=1, tex=("1",))
_diag_embed = defop("diag_embed", "DiagEmbedBackward0",
                    lambda xp, x, offset, d1, d2: _embed(xp, x, _embed_shape(x.shape, offset, d1, d2), offset, d1, d2),
                    (lambda g, offset, d1, d2: g.diagonal(offset, d1, d2),), n_tensors=1, tex=("1",))


def _diagonal_backward(g, shape, offset, d1, d2):
    return apply(_diag_bwd, (g,), (shape, offset, d1, d2))


def _diag_dims(dim1, dim2, ndim):
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    return apply(_diagonal, (input,), (offset,) + _diag_dims(dim1, dim2, input.dim()))


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    return apply(_diag_embed, (input,), (offset,) + _diag_dims(dim1, dim2, input.dim() + 1))


def diag(input, diagonal=0):
    if input.dim() == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.dim() != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")
    return apply(_diag_copy, (input,), (diagonal, 0, 1))


_trace = defop("trace", "TraceBackward0", lambda xp, x: xp.asarray(xp.trace(x, dtype=_sum_type(x.dtype))),
               (lambda g, x_shape: _eye(g, *x_shape) * g,), tex=("I",))


def _sum_type(dt):
    return np.int64 if dt.kind in "iu" else dt


def trace(input):
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    _no_bool("trace", input)
    return apply(_trace, (input,))


_tril = defop("tril", "TrilBackward0", lambda xp, x, k: xp.tril(x, k), (lambda g, k: g.tril(k),), n_tensors=1,
              tex=("1 on and below diagonal k",))
_triu = defop("triu", "TriuBackward0", lambda xp, x, k: xp.triu(x, k), (lambda g, k: g.triu(k),), n_tensors=1,
              tex=("1 on and above diagonal k",))


def _triangle(op, name):
    def check(input):
        if input.dim() < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")

    def fn(input, diagonal=0, *, out=None):
        check(input)
        return apply(op, (input,), (diagonal,))

    def fn_(self, diagonal=0):
        check(self)
        return apply_inplace(op, self, (), (diagonal,))
    fn.__name__ = name
    export(fn)
    method(fn_, name + "_")


_triangle(_tril, "tril")
_triangle(_triu, "triu")
for _f in (diagonal, diag_embed, diag, trace):
    export(_f)


# ---- cross ----------------------------------------------------------------------------------------------------
_cross = defop("cross", "LinalgCrossBackward0", lambda xp, a, b, dim: xp.cross(a, b, axis=dim),
               (lambda g, b, dim: _cross_op(b, g, dim), lambda g, a, dim: _cross_op(g, a, dim)),
               tex=("b ×", "× a"))


def _cross_op(a, b, dim):
    return apply(_cross, (a, b), (dim,))


def linalg_cross(input, other, *, dim=-1, out=None):
    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, input.dim())
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
                           f"{other.shape[d]}")
    err = broadcast_error(input.shape, other.shape)
    if err is not None:
        raise err
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"expected scalar type {_legacy_name(input.dtype)} but found {_legacy_name(other.dtype)}")
    return _cross_op(input, other, d)


_warned_cross = []


def cross(input, other, dim=None, *, out=None):
    if dim is None:
        if not _warned_cross:  # PyTorch warns once per process
            _warned_cross.append(True)
            warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                          "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to "
                          "agree with that of linalg.cross in a future release. (Triggered internally at "
                          "/__w/pytorch/pytorch/aten/src/ATen/native/Cross.cpp:63.)", UserWarning, stacklevel=2)
        dim = next((i for i, s in enumerate(input.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim)


export(cross)


# ---- cdist ----------------------------------------------------------------------------------------------------
def _cdist_fwd(xp, x1, x2, p):
    diff = xp.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == 0:
        return xp.sum(diff != 0, axis=-1).astype(x1.dtype)
    if p == 1:
        return xp.sum(diff, axis=-1)
    if p == 2:
        return xp.sqrt(xp.sum(diff * diff, axis=-1))
    if math.isinf(p):
        return xp.amax(diff, axis=-1) if diff.shape[-1] else xp.zeros(diff.shape[:-1], x1.dtype)
    return xp.sum(diff ** p, axis=-1) ** (1.0 / p)


def _cdist_grad(g, x1, x2, dist, p):
    """PyTorch's _cdist_backward for x1 (x2's is the same with the roles swapped): 0 where the distance is 0."""
    if p == 0 or x1.numel() == 0 or x2.numel() == 0:
        return _zeros(x1, x1.shape)
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    g, dist = g.unsqueeze(-1), dist.unsqueeze(-1)
    if p == 1:
        part = g * diff.sign()
    elif p < 2:
        zero = (dist == 0) | (diff == 0) if p < 1 else dist == 0
        part = where(zero, 0., diff.sign() * diff.abs().pow(p - 1) * g / dist.pow(p - 1))
    elif p == 2:
        part = where(dist == 0, 0., g * diff / dist)
    elif math.isinf(p):
        part = g * diff.sign() * (diff.abs() == dist)
    else:
        part = where(dist == 0, 0., diff * diff.abs().pow(p - 2) * g / dist.pow(p - 1))
    return part.sum(-2)


_cdist = defop("cdist", "CdistBackward0", _cdist_fwd,
               (lambda g, x1, x2, result, p: _cdist_grad(g, x1, x2, result, p),
                lambda g, x1, x2, result, p: _cdist_grad(g.mT, x2, x1, result.mT, p)),
               n_tensors=2, tex=("∂‖x1 - x2‖_p", "∂‖x1 - x2‖_p"))


def _euclidean_fwd(xp, x1, x2):
    """PyTorch's _euclidean_dist: one matrix product of padded operands, clamped at 1e-30 before the root."""
    n1 = xp.sum(x1 * x1, axis=-1, keepdims=True)
    n2 = xp.sum(x2 * x2, axis=-1, keepdims=True)
    a = xp.concatenate([-2 * x1, n1, xp.ones_like(n1)], axis=-1)
    b = xp.concatenate([x2, xp.ones_like(n2), n2], axis=-1)
    return xp.sqrt(xp.maximum(xp.matmul(a, xp.swapaxes(b, -1, -2)), 1e-30))


def _ratio(g, result):
    return (g / result).masked_fill(result == 0, 0)


_euclidean = defop("_euclidean_dist", "EuclideanDistBackward0", _euclidean_fwd,
                   (lambda g, x1, x2, result: x1 * _ratio(g, result).sum(-1, keepdim=True)
                    - _ratio(g, result).matmul(x2),
                    lambda g, x1, x2, result: x2 * _ratio(g, result).sum(-2).unsqueeze(-1)
                    - _ratio(g, result).mT.matmul(x1)),
                   tex=("(x1 - x2)/d", "(x2 - x1)/d"))

_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _CDIST_MODES[compute_mode]
    for name, x in (("X1", x1), ("X2", x2)):
        if x.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    for name, x in (("X1", x1), ("X2", x2)):
        if x._data.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {_legacy_name(x.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    batch1, batch2 = x1.shape[:-2], x2.shape[:-2]
    err = broadcast_error(batch1, batch2)
    if err is not None:
        raise err
    _check_float_match(x1, x2, "cdist")
    r1, r2 = x1.shape[-2], x2.shape[-2]
    if p == 2 and x1.numel() and x2.numel() and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        batch = tuple(np.broadcast_shapes(batch1, batch2))
        size, c = int(np.prod(batch)), x1.shape[-1]
        if x1.dim() == 2 and x2.dim() == 2:
            out = apply(_euclidean, (x1, x2))
        else:
            a = x1.expand(batch + (r1, c)).contiguous().view(size, r1, c)
            b = x2.expand(batch + (r2, c)).contiguous().view(size, r2, c)
            out = apply(_euclidean, (a, b))
        return out.view(batch + (r1, r2))
    return apply(_cdist, (x1, x2), (float(p),))


export(cdist, method=False)


# ---- torch.linalg: checks shared by the decompositions ----------------------------------------------------------
def _check_matrix(A, name, square=True, floating=True):
    if A.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    if floating and A._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {_legacy_name(A.dtype)}")


def _batch_error(x, name, message):
    """PyTorch's LinAlgError for the first failing matrix of a batch; message(matrix) is None when it is fine."""
    from .._device import to_host
    x = to_host(x)
    for b, mat in enumerate(x.reshape((-1,) + x.shape[-2:])):
        text = message(mat)
        if text is not None:
            return _LinAlgError(f"{name}: " + (f"(Batch element {b}): " if x.ndim > 2 else "") + text)
    return None


def _zero_pivot(mat):
    """The first zero pivot (1-based) of the LU factorization with partial pivoting, as LAPACK's getrf finds it."""
    a = np.array(mat, dtype=np.float64)
    for k in range(a.shape[0]):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1:, k:] -= np.outer(a[k + 1:, k] / a[k, k], a[k, k:])
    return None


def _not_pd(mat):
    """The order of the first leading minor that is not positive-definite."""
    for k in range(1, mat.shape[0] + 1):
        try:
            np.linalg.cholesky(mat[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return None


def _lapack(xp, x):
    """x laid out as PyTorch's LAPACK results: each matrix column-major, the batch outermost."""
    return xp.swapaxes(xp.ascontiguousarray(xp.swapaxes(x, -1, -2)), -1, -2)


def _eps(t):
    return float(np.finfo(t._data.dtype).eps)


def _solve_t(A, B, left=True):
    """A⁻¹B (or BA⁻¹), the triangular solves of the formulas: general solves give the same values."""
    return apply(_solve, (A, B), (left, False))


# ---- inv, det, slogdet ------------------------------------------------------------------------------------
def _inv_fwd(xp, A):
    try:
        return _lapack(xp, xp.linalg.inv(A))
    except np.linalg.LinAlgError:
        raise _batch_error(A, "linalg.inv", lambda m: None if _zero_pivot(m) is None else
                           f"The diagonal element {_zero_pivot(m)} is zero, the inversion could not be completed "
                           "because the input matrix is singular.") from None


_inv = defop("inv", "LinalgInvExBackward0", _inv_fwd,
             (lambda g, result: -matmul(result.mH, matmul(g, result.mH)),), tex=("-A⁻ᵀ · A⁻ᵀ",))


def inv(A, *, out=None):
    _check_matrix(A, "linalg.inv")
    return apply(_inv, (A,))


def _det_grad(g, A, result):
    """PyTorch's linalg_det_backward: g det A⁻ᵀ. Its first-order path is an LU solve, which gives 0 for an exactly
    singular matrix; under create_graph, (near-)singular matrices take the adjugate from the SVD instead."""
    if A.numel() == 0:
        return _zeros(A, A.shape)
    if _grad_state.enabled:
        singular, on_singular = (result.abs() < 100 * _eps(A))._data, _det_singular
    else:
        singular, on_singular = (result == 0)._data, lambda a, gi: _zeros(a, a.shape)
    if not singular.any():
        return _det_nonsingular(A, g * result)
    if singular.all():
        return on_singular(A, g)
    n = A.shape[-1]  # a batch of both kinds: each matrix by its own formula, as PyTorch's masked_fmap
    flat_a, flat_g, flat_d = A.reshape(-1, n, n), g.reshape(-1), (g * result).reshape(-1)
    parts = [on_singular(flat_a[i], flat_g[i]) if s else _det_nonsingular(flat_a[i], flat_d[i])
             for i, s in enumerate(singular.reshape(-1))]
    return stack(parts).reshape(A.shape)


def _det_nonsingular(A, gdet):
    return _solve_t(A.mH, diag_embed(gdet.unsqueeze(-1).expand(A.shape[:-1])))


def _det_singular(A, g):
    U, S, Vh = svd(A)
    alpha = det(U) * det(Vh) * g
    D = alpha.unsqueeze(-1) * _others_product(S, S.dim() - 1)
    return matmul(U * D.unsqueeze(-2), Vh)


_det = defop("det", "LinalgDetBackward0", lambda xp, A: xp.asarray(xp.linalg.det(A)), (_det_grad,),
             tex=("det(A) A⁻ᵀ",))


def det(A, *, out=None):
    _check_matrix(A, "linalg.det")
    return apply(_det, (A,))


def _slogdet_grad(g, A):
    g_logabsdet = g[1]  # the sign of a real determinant has no derivative
    if g_logabsdet is None:
        return None
    return _solve_t(A.mH, diag_embed(g_logabsdet.unsqueeze(-1).expand(A.shape[:-1])))


_slogdet = defop("slogdet", "LinalgSlogdetBackward0",
                 lambda xp, A: tuple(xp.asarray(r) for r in xp.linalg.slogdet(A)), (_slogdet_grad,),
                 outputs=("sign", "logabsdet"), n_diff_out=2, tex=("A⁻ᵀ",))


def slogdet(A, *, out=None):
    _check_matrix(A, "linalg.slogdet")
    return return_type("linalg_slogdet", ("sign", "logabsdet"))(apply(_slogdet, (A,)))


# ---- solve ------------------------------------------------------------------------------------------------
def _solve_fwd(xp, A, B, left, vector):
    b = B[..., None] if vector else B
    if not left:  # XA = B is Aᵀ Xᵀ = Bᵀ
        A, b = xp.swapaxes(A, -1, -2), xp.swapaxes(b, -1, -2)
    batch = np.broadcast_shapes(A.shape[:-2], b.shape[:-2])
    A, b = xp.broadcast_to(A, batch + A.shape[-2:]), xp.broadcast_to(b, batch + b.shape[-2:])
    try:
        x = xp.linalg.solve(A, b)
    except np.linalg.LinAlgError:
        raise _batch_error(A, "chainrule.linalg.solve", lambda m: None if _zero_pivot(m) is None else
                           "The solver failed because the input matrix is singular.") from None
    if not left:
        return xp.swapaxes(x, -1, -2)
    return xp.asfortranarray(x[..., 0]) if vector else _lapack(xp, x)


def _solve_grad_b(g, A, left, vector):
    gx = g.unsqueeze(-1) if vector else g
    gb = _solve_t(A.mH, gx, left)
    return gb.squeeze(-1) if vector else gb


def _solve_grad_a(g, A, result, left, vector):
    gb = _solve_t(A.mH, g.unsqueeze(-1) if vector else g, left)
    x = result.unsqueeze(-1) if vector else result
    return -matmul(gb, x.mH) if left else -matmul(x.mH, gb)


_solve = defop("solve", "LinalgSolveExBackward0", _solve_fwd,
               (_solve_grad_a, _solve_grad_b), n_tensors=2, tex=("-A⁻ᵀ g Xᵀ", "A⁻ᵀ"))


def solve(A, B, *, left=True, out=None):
    _check_matrix(A, "linalg.solve")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_legacy_name(A.dtype)} and B of type {_legacy_name(B.dtype)} instead")
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and B.shape == A.shape[:-1])
    bs = B.shape + (1,) if vector else B.shape
    if len(bs) < 2:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    if (A.shape[-2] != bs[-2]) if left else (A.shape[-1] != bs[-1]):
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{A.shape[-1]} and {bs[-2]}x{bs[-1]})")
    if vector and not left:
        raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not supported for left=False. "
                           "In this case linalg.solve is equivalent to B / A.squeeze(-1)")
    err = broadcast_error(bs[:-2], A.shape[:-2])
    if err is not None:
        raise err
    return apply(_solve, (A, B), (left, vector))


# ---- cholesky, qr ---------------------------------------------------------------------------------------------
def _cholesky_fwd(xp, A, upper):
    a = xp.swapaxes(A, -1, -2) if upper else A  # upper=True reads the upper triangle, as LAPACK's potrf('U')
    try:
        L = xp.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise _batch_error(a, "linalg.cholesky", lambda m: None if _not_pd(m) is None else
                           "The factorization could not be completed because the input is not positive-definite "
                           f"(the leading minor of order {_not_pd(m)} is not positive-definite).") from None
    return _lapack(xp, xp.swapaxes(L, -1, -2) if upper else L)


def _cholesky_grad(g, result, upper):
    """PyTorch's cholesky_backward (Iain Murray, arXiv 1602.07527): a symmetric gradient."""
    L, gL = (result.mH, g.mH) if upper else (result, g)
    gA = matmul(L.mH, gL).tril()
    gA = 0.5 * (gA + gA.tril(-1).mH)
    gA = _solve_t(L.mH, gA)
    return _solve_t(L, gA, left=False)


_cholesky = defop("cholesky", "LinalgCholeskyExBackward0", _cholesky_fwd, (_cholesky_grad,), n_tensors=1,
                  tex=("Φ(Lᵀ g) L⁻¹",))


def cholesky(A, *, upper=False, out=None):
    _check_matrix(A, "linalg.cholesky")
    return apply(_cholesky, (A,), (upper,))


def _qr_fwd(xp, A, mode):
    if mode == "r":  # PyTorch returns an empty Q
        return xp.empty((0,), dtype=A.dtype), _lapack(xp, xp.linalg.qr(A, mode="r"))
    return tuple(_lapack(xp, x) for x in xp.linalg.qr(A, mode=mode))


def _qr_grad(g, Q, R, mode):
    """PyTorch's linalg_qr_backward."""
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
                           "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
    gQ, gR = g
    m, n = Q.shape[-2], R.shape[-1]
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
    if gQ is None and gR is None:
        return None
    if gQ is None:
        gA = matmul(gR, R.mH)
    else:
        gA = -matmul(Q.mH, gQ) if gR is None else matmul(gR, R.mH) - matmul(Q.mH, gQ)
    if m >= n:
        upper = gA.triu()
        gA = matmul(Q, upper + upper.triu(1).mH)  # syminvadj: X + Xᴴ with the diagonal once
        if gQ is not None:
            gA = gA + gQ
        return _solve_t(R.mH, gA, left=False)
    gA = matmul(Q, (gA.mH - gA).tril())  # trilImInvAdjSkew(-gA)
    gA = _solve_t(R.narrow(-1, 0, m).mH, gA, left=False)
    gA = cat([gA, _zeros(gA, R.shape[:-1] + (n - m,))], -1)
    return gA if gR is None else gA + matmul(Q, gR)


_qr = defop("qr", "LinalgQrBackward0", _qr_fwd, (_qr_grad,), n_tensors=1, outputs=("Q", "R"), n_diff_out=2,
            tex=("(gQ + Q syminvadj(triu(M))) R⁻ᴴ",))


def qr(A, mode="reduced", *, out=None):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or "
                           "'complete'")
    _check_matrix(A, "linalg.qr", square=False)
    return return_type("linalg_qr", ("Q", "R"))(apply(_qr, (A,), (mode,)))


# ---- eigh, svd --------------------------------------------------------------------------------------------
def _eigh_grad(g, eigenvalues, eigenvectors):
    """PyTorch's linalg_eig_backward for Hermitian matrices."""
    gL, gV = g
    L, V = eigenvalues, eigenvectors
    if gV is None:
        return None if gL is None else matmul(V * gL.unsqueeze(-2), V.mH)
    VhgV = matmul(V.mH, gV)
    VhgV = 0.5 * (VhgV - VhgV.mH)
    E = L.unsqueeze(-2) - L.unsqueeze(-1) + _eye(L, L.shape[-1])  # 1 on the diagonal, where VhgV is 0
    ret = VhgV / E
    if gL is not None:
        ret = ret + diag_embed(gL)
    return matmul(V, matmul(ret, V.mH))


def _eigh_fwd(xp, A, UPLO):
    L, V = xp.linalg.eigh(A, UPLO)
    return L, _lapack(xp, V)


_eigh = defop("eigh", "LinalgEighBackward0", _eigh_fwd, (_eigh_grad,),
              n_tensors=1, outputs=("eigenvalues", "eigenvectors"), n_diff_out=2, tex=("V (gΛ + sym(VᵀgV)/E) Vᵀ",))


def _check_eigh(A, UPLO):
    _check_matrix(A, "linalg.eigh", floating=False)
    if A._data.dtype.kind not in "fc":
        from ._errors import not_implemented
        not_implemented("linalg_eigh_cpu", A._data.dtype)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO="L", *, out=None):
    _check_eigh(A, UPLO)
    return return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))(apply(_eigh, (A,), (UPLO,)))


def eigvalsh(A, UPLO="L", *, out=None):
    _check_eigh(A, UPLO)
    return apply(_eigh, (A,), (UPLO,))[0]


def _svd_grad(g, U, S, Vh, full_matrices):
    """PyTorch's svd_backward (real case)."""
    gU, gS, gVh = g
    k = S.shape[-1]
    if full_matrices:  # only the first k singular vectors enter the formula
        U, Vh = U.narrow(-1, 0, k), Vh.narrow(-2, 0, k)
        gU = None if gU is None else gU.narrow(-1, 0, k)
        gVh = None if gVh is None else gVh.narrow(-2, 0, k)
    if gU is None and gVh is None and gS is None:
        return None
    m, n = U.shape[-2], Vh.shape[-1]
    if gU is None and gVh is None:
        return matmul(U, gS.unsqueeze(-1) * Vh) if m >= n else matmul(U * gS.unsqueeze(-2), Vh)
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + _eye(S, k)
    UhgU = None if gU is None else _skew(matmul(U.mH, gU))
    VhgV = None if gVh is None else _skew(matmul(Vh, gVh.mH))
    if gVh is None:
        gA = (UhgU / E) * S.unsqueeze(-2)
    elif gU is None:
        gA = S.unsqueeze(-1) * (VhgV / E)
    else:
        gA = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E
    if gS is not None:
        gA = gA + diag_embed(gS)
    if m > n and gU is not None:
        gA = matmul(U, gA)
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - matmul(U, matmul(U.mH, gUSinv))
        return matmul(gA, Vh)
    if m < n and gVh is not None:
        gA = matmul(gA, Vh)
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA + SinvgVh - matmul(matmul(SinvgVh, Vh.mH), Vh)
        return matmul(U, gA)
    return matmul(U, matmul(gA, Vh)) if m >= n else matmul(matmul(U, gA), Vh)


def _skew(X):
    return X - X.mH


def _svd_fwd(xp, A, full_matrices):
    if A.size == 0:  # LAPACK is not called on empty matrices: PyTorch's shapes, identity singular vectors
        m, n = A.shape[-2:]
        k = min(m, n)
        um, vn = (m, n) if full_matrices else (k, k)
        batch = A.shape[:-2]
        return (_lapack(xp, xp.broadcast_to(xp.eye(m, um, dtype=A.dtype), batch + (m, um))),
                xp.zeros(batch + (k,), A.dtype), _lapack(xp, xp.broadcast_to(xp.eye(vn, n, dtype=A.dtype),
                                                                           batch + (vn, n))))
    U, S, Vh = xp.linalg.svd(A, full_matrices=full_matrices)
    return _lapack(xp, U), S, _lapack(xp, Vh)


_svd = defop("svd", "LinalgSvdBackward0", _svd_fwd, (_svd_grad,), n_tensors=1, outputs=("U", "S", "Vh"),
             n_diff_out=3, tex=("U (sym(UᵀgU)/E S + ... + gS) Vᵀ",))


def svd(A, full_matrices=True, *, driver=None, out=None):
    _check_matrix(A, "linalg.svd", square=False)
    if driver is not None:
        raise RuntimeError("chainrule.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")
    return return_type("linalg_svd", ("U", "S", "Vh"))(apply(_svd, (A,), (full_matrices,)))


def svdvals(A, *, driver=None, out=None):
    _check_matrix(A, "linalg.svd", square=False)
    return apply(_svd, (A,), (False,))[1]


# ---- pinv -----------------------------------------------------------------------------------------------------
def _pinv_fwd(xp, A, atol, rtol, hermitian):
    """PyTorch's pinv: singular values above max(atol, rtol * the largest) are inverted, the others dropped."""
    if hermitian:
        S, U = xp.linalg.eigh(A)
        big = xp.abs(S)
        V = U
    else:
        U, S, Vh = xp.linalg.svd(A, full_matrices=False)
        big, V = S, xp.swapaxes(Vh, -1, -2)
    top = xp.amax(big, axis=-1, keepdims=True) if big.shape[-1] else big
    tol = xp.maximum(xp.asarray(atol)[..., None], xp.asarray(rtol)[..., None] * top)
    S_inv = xp.where(big > tol, 1 / xp.where(S == 0, 1, S), 0).astype(A.dtype)
    return xp.matmul(V * S_inv[..., None, :], xp.swapaxes(U, -1, -2))


def _pinv_grad(g, A, result):
    """PyTorch's pinv_backward."""
    pinvA, m, n = result, A.shape[-2], A.shape[-1]
    pinvAh, gh = pinvA.mH, g.mH
    if m <= n:
        K = matmul(gh, pinvA)
        KpinvAh = matmul(K, pinvAh)
        return (-matmul(pinvA, K).mH + KpinvAh - matmul(matmul(A, pinvA), KpinvAh)
                + matmul(matmul(pinvAh, pinvA), gh - matmul(K, A)))
    K = matmul(pinvA, gh)
    pinvAhK = matmul(pinvAh, K)
    return (-matmul(K, pinvA).mH + matmul(matmul(gh - matmul(A, K), pinvA), pinvAh) + pinvAhK
            - matmul(matmul(pinvAhK, pinvA), A))


_pinv = defop("pinv", "LinalgPinvBackward0", _pinv_fwd, (_pinv_grad,), n_tensors=1, tex=("∂A⁺",))


def _tolerance(t):
    return t._data.astype(np.float64) if isinstance(t, Tensor) else np.float64(t)


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    if A.dim() < 2 or A._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.pinv({_legacy_name(A.dtype)}{{[{', '.join(map(str, A.shape))}]}}): expected a "
                           "tensor with 2 or more dimensions of float, double, cfloat or cdouble types")
    if rcond is not None:
        if atol is not None or rtol is not None:
            from ._errors import invalid_combination
            invalid_combination("linalg_pinv", [A, rcond], _PINV_SIGNATURES,
                                **{k: v for k, v in (("atol", atol), ("rtol", rtol)) if v is not None})
        atol, rtol = 0.0, rcond
    default = _eps(A) * max(A.shape[-2], A.shape[-1])
    a = np.float64(0) if atol is None else _tolerance(atol)
    if rtol is not None:
        r = _tolerance(rtol)
    else:  # without rtol, a positive atol alone decides
        r = np.float64(default) if atol is None else np.where(a > 0, 0.0, default)
    return apply(_pinv, (A,), (a, r, hermitian))


_PINV_SIGNATURES = ("Tensor input, *, Tensor atol = None, Tensor rtol = None, bool hermitian = False, "
                    "Tensor out = None",
                    "Tensor input, *, float atol = None, float rtol = None, bool hermitian = False, Tensor out = None",
                    "Tensor input, Tensor rcond, bool hermitian = False, *, Tensor out = None",
                    "Tensor input, float rcond, bool hermitian = False, *, Tensor out = None")


# ---- norms ------------------------------------------------------------------------------------------------
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.number)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {type(ord).__name__}")
    return _vector_norm_apply(x, ord, dim, keepdim, _resolve(dtype))


def _backshift(d0, d1, ndim):
    """The permutation that moves dims d0 and d1 to the end, and its inverse."""
    perm = [i for i in range(ndim) if i not in (d0, d1)] + [d0, d1]
    return perm, [perm.index(i) for i in range(ndim)]


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    dtype = _resolve(dtype)
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    elif abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord:g} not supported.")
    dim = _matrix_norm_checks(A, dim, dtype)
    if ord == "fro":
        return _vector_norm_apply(A, 2, dim, keepdim, dtype)
    A_ = A if dtype is None else A.to(dtype)
    if ord == "nuc" or abs(ord) == 2:
        perm, back = _backshift(dim[0], dim[1], A.dim())
        s = svdvals(A_.permute(perm))
        result = s.sum(-1, keepdim) if ord == "nuc" else _max_min(s, ord, -1, keepdim)
        return result.unsqueeze(-1).permute(back) if keepdim else result
    d0, d1 = (dim[1], dim[0]) if math.isinf(ord) else dim  # the inf norm is the 1 norm of the transpose
    if not keepdim and d0 < d1:
        d1 -= 1
    return _max_min(_vector_norm_apply(A, 1, d0, keepdim, dtype), ord, d1, keepdim)


def _max_min(t, ord, dim, keepdim):
    if ord > 0 and t.shape[dim] == 0:  # the largest of no norms: PyTorch gives 0, without history
        shape = list(t.shape)
        if keepdim:
            shape[dim] = 1
        else:
            del shape[dim]
        return _zeros(t, tuple(shape))
    return t.amax(dim, keepdim) if ord > 0 else t.amin(dim, keepdim)


def _matrix_norm_checks(A, dim, dtype):
    _check_matrix(A, "linalg.matrix_norm", square=False)
    dim = [dim] if isinstance(dim, int) else list(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    d = [wrap_dim(x, A.dim()) for x in dim]
    if d[0] == d[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d[0]}, {d[1]})")
    if dtype is not None and dtype.np.itemsize < A._data.dtype.itemsize:
        raise RuntimeError(f"linalg.matrix_norm: the dtype of the input ({_legacy_name(A.dtype)}) should be "
                           f"convertible without narrowing to the specified dtype ({_legacy_name(dtype)})")
    return d


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    if dim is not None:
        dim = [dim] if isinstance(dim, int) else list(dim)
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got "
                               f"[{', '.join(map(str, dim))}]")
    elif ord is not None and A.dim() not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{A.dim()}D.")
    if isinstance(ord, str):
        return matrix_norm(A, ord, (0, 1) if dim is None else dim, keepdim, dtype=dtype)
    if ord is not None and (len(dim) == 2 if dim is not None else A.dim() == 2):
        return matrix_norm(A, ord, (0, 1) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def vecdot(x, y, *, dim=-1, out=None):
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{_legacy_name(x.dtype)} and y of type {_legacy_name(y.dtype)} instead")
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as input. Got "
                           f"{_legacy_name(x.dtype)}")
    if x.dim() == 1 and y.dim() == 1:  # PyTorch takes vdot here
        return vdot(x, y)
    return (x * y).sum(dim)


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return diagonal(A, offset, dim1, dim2)


# ---- the torch-level names of the linalg functions --------------------------------------------------------------
def _torch_slogdet(input):
    return return_type("slogdet", ("sign", "logabsdet"))(tuple(slogdet(input)))


def pinverse(input, rcond=1e-15):
    return pinv(input, rcond)


export(det)
export(inv, "inverse")
export(_torch_slogdet, "slogdet")
export(pinverse)

