"""The nn.functional ops behind layers: padding, convolution, pooling, unfold/fold, interpolation, normalization.

Convolution is im2col (a strided window view) and one batched matmul; its gradients are convolutions
again (a transposed convolution for the input, a convolution of input and gradient for the weight), so
every order of derivative comes from the same op. Padding, average pooling and interpolation are linear
maps applied one spatial axis at a time; each is declared together with its adjoint, which is its gradient.
"""
import itertools
import math

import numpy as np

from .._tensor import Tensor
from ._op import _xp, apply, defop
from ._register import export, nn_export


def _shape(s):
    return f"[{', '.join(map(str, s))}]"


def _ntuple(v, n):
    if isinstance(v, (list, tuple)):
        return tuple(int(x) for x in v)
    return (int(v),) * n


def _const(like, arr):
    """A host array as a constant tensor on like's device and dtype."""
    t = Tensor._make(np.asarray(arr, dtype=like._data.dtype))
    return t if like.device.type == "cpu" else t.to(like.device)


# ---- array helpers: sliding windows and their adjoint ------------------------------------------------
def _windows(xp, x, k, s, d):
    """Sliding windows over the last len(k) axes, as a strided view of shape (*lead, *positions, *k)."""
    n = len(k)
    sp, st = x.shape[-n:], x.strides[-n:]
    out = tuple(max((sp[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1, 0) for i in range(n))
    shape = x.shape[:-n] + out + tuple(k)
    strides = x.strides[:-n] + tuple(st[i] * s[i] for i in range(n)) + tuple(st[i] * d[i] for i in range(n))
    return xp.lib.stride_tricks.as_strided(x, shape, strides)


def _col2im(xp, cols, size, k, s, d, p):
    """Adjoint of padding then _windows: cols (*lead, *positions, *k) summed into an array (*lead, *size)."""
    n = len(k)
    lead, pos = cols.shape[:-2 * n], cols.shape[-2 * n:-n]
    full = tuple(max((pos[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1, p[i] + size[i]) for i in range(n))
    buf = xp.zeros(lead + full, dtype=cols.dtype)
    rest = (slice(None),) * len(lead)
    for j in itertools.product(*(range(kk) for kk in k)):
        dst = tuple(slice(j[i] * d[i], j[i] * d[i] + (pos[i] - 1) * s[i] + 1, s[i]) for i in range(n))
        buf[rest + dst] += cols[rest + (slice(None),) * n + j]
    return buf[rest + tuple(slice(p[i], p[i] + size[i]) for i in range(n))]


def _pad_zeros(xp, x, p):
    if not any(p):
        return x
    return xp.pad(x, ((0, 0),) * (x.ndim - len(p)) + tuple((q, q) for q in p))


# ---- convolution -------------------------------------------------------------------------------------
def _conv_fwd(xp, x, w, stride, padding, dilation, groups):
    n, (N, C), O = w.ndim - 2, x.shape[:2], w.shape[0]
    k, G = w.shape[2:], groups
    win = _windows(xp, _pad_zeros(xp, x, padding), k, stride, dilation)  # (N, C, *out, *k)
    out, K, Cg, Og = win.shape[2:2 + n], math.prod(k), C // G, O // G
    win = win.reshape((N, G, Cg) + out + k)
    # the one im2col copy, as (G, Cg*K, N*P): its rows run along the input's rows, so the copy streams
    perm = (1, 2) + tuple(range(3 + n, 3 + 2 * n)) + (0,) + tuple(range(3, 3 + n))
    cols = win.transpose(perm).reshape(G, Cg * K, N * math.prod(out))
    res = xp.matmul(w.reshape(G, Og, Cg * K), cols)  # (G, Og, N*P)
    res = res.reshape((G, Og, N) + out).transpose((2, 0, 1) + tuple(range(3, 3 + n)))
    return xp.ascontiguousarray(res).reshape((N, O) + out)


def _convT_fwd(xp, x, w, stride, padding, dilation, groups, output_padding):
    n, (N, Cin), Og = w.ndim - 2, x.shape[:2], w.shape[1]
    k, G, L = w.shape[2:], groups, x.shape[2:]
    Cg = Cin // G
    xm = x.reshape(N, G, Cg, math.prod(L)).transpose(1, 2, 0, 3).reshape(G, Cg, N * math.prod(L))
    cols = xp.matmul(w.reshape(G, Cg, Og * math.prod(k)).transpose(0, 2, 1), xm)  # (G, Og*K, N*L)
    # as (N, G, Og, *L, *k) for _col2im; each kernel offset's slice keeps rows contiguous
    cols = cols.reshape((G, Og) + k + (N,) + L)
    cols = cols.transpose((n + 2, 0, 1) + tuple(range(n + 3, 2 * n + 3)) + tuple(range(2, n + 2)))
    size = _convT_size(L, k, stride, padding, dilation, output_padding)
    return _col2im(xp, cols, size, k, stride, dilation, padding).reshape((N, G * Og) + size)


def _convT_size(L, k, s, p, d, op):
    return tuple((L[i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1 for i in range(len(k)))


def _conv_any(xp, x, w, stride, padding, dilation, transposed, output_padding, groups):
    if transposed:
        return _convT_fwd(xp, x, w, stride, padding, dilation, groups, output_padding)
    return _conv_fwd(xp, x, w, stride, padding, dilation, groups)


def _conv_grad_input(g, w, x_shape, stride, padding, dilation, transposed, groups):
    n, in_size = len(stride), x_shape[2:]
    if transposed:
        r = _convolution(g, w, None, stride, padding, dilation, False, (0,) * n, groups)
        return _narrow_to(r, in_size)
    osz = g.shape[2:]
    op = tuple(in_size[i] + 2 * padding[i] - ((osz[i] - 1) * stride[i] + dilation[i] * (w.shape[2 + i] - 1) + 1)
               for i in range(n))
    return _convolution(g, w, None, stride, padding, dilation, True, op, groups)


def _narrow_to(r, size):
    for i, s in enumerate(size):
        if r.shape[2 + i] != s:
            r = r.narrow(2 + i, 0, s)
    return r


def _conv_weight_grad(inp, gout, k, stride, padding, dilation, groups):
    """dW (O, C/G, *k) of a convolution of inp (N, C, *S) whose output gradient is gout (N, O, *P):
    itself a convolution, batch and channel roles swapped, with stride and dilation exchanged."""
    N, C, S, G = inp.shape[0], inp.shape[1], tuple(inp.shape[2:]), groups
    n = len(S)
    x2 = inp.reshape((N, G, C // G) + S).permute((2, 1, 0) + tuple(range(3, 3 + n))).reshape((C // G, G * N) + S)
    r = _convolution(x2, gout.transpose(0, 1), None, dilation, padding, stride, False, (0,) * n, G)
    return _narrow_to(r, k).transpose(0, 1)


def _conv_grad_weight(g, x, w_shape, stride, padding, dilation, transposed, groups):
    k = tuple(w_shape[2:])
    if transposed:
        return _conv_weight_grad(g, x, k, stride, padding, dilation, groups)
    return _conv_weight_grad(x, g, k, stride, padding, dilation, groups)


_conv_grads = (
    lambda g, w, x_shape, stride, padding, dilation, transposed, groups:
        _conv_grad_input(g, w, x_shape, stride, padding, dilation, transposed, groups),
    lambda g, x, w_shape, stride, padding, dilation, transposed, groups:
        _conv_grad_weight(g, x, w_shape, stride, padding, dilation, transposed, groups))
_conv = defop("convolution", "ConvolutionBackward0",
              lambda xp, x, w, stride, padding, dilation, transposed, output_padding, groups:
                  _conv_any(xp, x, w, stride, padding, dilation, transposed, output_padding, groups),
              _conv_grads, tex=("W ⋆ᵀ g", "x ⋆ g"))
_conv_bias = defop("convolution", "ConvolutionBackward0",
                   lambda xp, x, w, b, stride, padding, dilation, transposed, output_padding, groups:
                       _conv_any(xp, x, w, stride, padding, dilation, transposed, output_padding, groups)
                       + b.reshape((1, -1) + (1,) * (x.ndim - 2)),
                   _conv_grads + (lambda g: g.sum([0] + list(range(2, g.dim()))),), tex=("W ⋆ᵀ g", "x ⋆ g", "1"))


def _convolution(x, w, b, stride, padding, dilation, transposed, output_padding, groups):
    params = (stride, padding, dilation, transposed, output_padding, groups)
    if b is None:
        return apply(_conv, (x, w), params)
    return apply(_conv_bias, (x, w, b), params)


def _conv_param(v, name, n):
    v = _ntuple(v, n) if isinstance(v, (list, tuple)) else (int(v),)
    if len(v) == 1:
        v = v * n
    if len(v) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the "
                           f"convolution dimensions, but got {name}={_shape(v)}")
    return v


def _check_conv(x, w, b, stride, padding, dilation, transposed, output_padding, groups):
    """PyTorch's argument checks, in its order; returns the per-dimension parameters."""
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if w.dim() < 3:
        raise RuntimeError("weight should have at least three dimensions")
    n = w.dim() - 2
    stride, padding, dilation, output_padding = (_conv_param(v, name, n) for v, name in (
        (stride, "stride"), (padding, "padding"), (dilation, "dilation"), (output_padding, "output_padding")))
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d < 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    ws, xs = tuple(w.shape), tuple(x.shape)
    if x.dim() != w.dim():
        raise RuntimeError(f"Expected {w.dim()}-dimensional input for {w.dim()}-dimensional weight {_shape(ws)}, but "
                           f"got {x.dim()}-dimensional input of size {_shape(xs)} instead")
    if ws[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got "
                           f"weight of size {_shape(ws)} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{_shape(ws)}] instead")
    if not transposed:
        if xs[1] != ws[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {_shape(ws)}, expected input{_shape(xs)} to "
                               f"have {ws[1] * groups} channels, but got {xs[1]} channels instead")
        if b is not None and (b.dim() != 1 or b.shape[0] != ws[0]):
            raise RuntimeError(f"Given weight of size {_shape(ws)}, expected bias to be 1-dimensional with {ws[0]} "
                               f"elements, but got bias of size {_shape(b.shape)} instead")
        padded = [xs[2 + i] + 2 * padding[i] for i in range(n)]
        kern = [dilation[i] * (ws[2 + i] - 1) + 1 for i in range(n)]
        if any(p < q for p, q in zip(padded, kern)):
            raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                               f"size: ({' x '.join(map(str, kern))}). Kernel size can't be greater than actual input "
                               "size")
    else:
        if xs[1] != ws[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {_shape(ws)}, expected input{_shape(xs)} to have "
                               f"{ws[0]} channels, but got {xs[1]} channels instead")
        if b is not None and (b.dim() != 1 or b.shape[0] != ws[1] * groups):
            raise RuntimeError(f"Given transposed=1, weight of size {_shape(ws)}, expected bias to be 1-dimensional "
                               f"with {ws[1] * groups} elements, but got bias of size {_shape(b.shape)} instead")
        if any(op >= max(s, d) for op, s, d in zip(output_padding, stride, dilation)):
            raise RuntimeError(_output_padding_msg(output_padding, stride, dilation))
        size = _convT_size(xs[2:], ws[2:], stride, padding, dilation, output_padding)
        if any(s < 1 for s in size):
            raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, xs[2:]))}). Calculated output "
                               f"size per channel: ({' x '.join(map(str, size))}). Output size is too small")
    _check_types(x, w, b)
    if any(d == 0 for d in dilation):  # caught by PyTorch's backend kernels, each in its own words
        if x.dtype.name == "float32":
            raise RuntimeError("non-positive dilation is not supported")
        if transposed:
            raise RuntimeError("dilation should be greater than zero, but got " +
                               ", ".join(f"dilation_{a}: {v}" for a, v in zip(_dim_names(n), dilation)))
        raise RuntimeError(f"dilation should be greater than zero, but got {_shape(dilation)}")
    return stride, padding, dilation, output_padding


def _dim_names(n):
    return ("depth", "height", "width")[3 - n:] if n > 1 else ("width",)


def _output_padding_msg(op, s, d):
    if len(op) == 1:  # PyTorch runs 1-d transposed convolutions as 2-d ones of height 1
        op, s, d = (0,) + op, (1,) + s, (1,) + d
    names = _dim_names(len(op))
    parts = ([f"output_padding_{a}: {v}" for a, v in zip(names, op)] + [f"stride_{a}: {v}" for a, v in zip(names, s)]
             + [f"dilation_{a}: {v}" for a, v in zip(names, d)])
    return "output padding must be smaller than either stride or dilation, but got " + " ".join(parts)


def _check_types(x, w, b):
    from .._tensor import _c_name, _legacy_name
    if x.dtype != w.dtype:
        if x.dtype.is_floating_point and x.dtype.itemsize == 4:
            raise RuntimeError(f"Input type ({x.type()}) and weight type ({w.type()}) should be the same or input "
                               "should be a MKLDNN tensor and weight is a dense tensor")
        raise RuntimeError(f"expected scalar type {_legacy_name(x.dtype)} but found {_legacy_name(w.dtype)}")
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_c_name(x.dtype)}) and bias type ({_c_name(b.dtype)}) should be the same")


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    s, p, d, op = _check_conv(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups)
    return _convolution(input, weight, bias, s, p, d, transposed, op, groups)


def _batched(input, n, name):
    nd = input.dim()
    if nd not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, but got input of "
                           f"size: {_shape(input.shape)}")
    return nd == n + 1


def _conv_nd(n, name):
    def conv(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        unbatched = _batched(input, n, name)
        x = input.unsqueeze(0) if unbatched else input
        if isinstance(padding, str):
            x, padding = _string_padding(x, weight, stride, padding, dilation, groups, n)
        out = convolution(x, weight, bias, _ntuple(stride, n), _ntuple(padding, n), _ntuple(dilation, n), False,
                          (0,) * n, groups)
        return out.squeeze(0) if unbatched else out
    conv.__name__ = name
    return conv


def _string_padding(x, weight, stride, padding, dilation, groups, n):
    """padding='valid' is no padding; 'same' pads d*(k-1) in total, the odd one on the right (as PyTorch)."""
    if padding == "valid":
        return x, 0
    if padding != "same":
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    if weight.dim() < 3:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    m = weight.dim() - 2
    if x.dim() != weight.dim():
        raise RuntimeError(f"Expected {weight.dim()}-dimensional input for {weight.dim()}-dimensional weight"
                           f"{_shape(weight.shape)}, but got {x.dim()}-dimensional input of size {_shape(x.shape)} "
                           "instead")
    stride, dilation = _ntuple(stride, m), _ntuple(dilation, m)
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    dilation = dilation * m if len(dilation) == 1 else dilation
    total = [dilation[i] * (weight.shape[2 + i] - 1) for i in range(m)]
    left = tuple(t // 2 for t in total)
    extra = [t - 2 * (t // 2) for t in total]
    if any(extra):
        pad = []
        for e in reversed(extra):
            pad += [0, e]
        x = constant_pad_nd(x, pad)
    return x, left


def _conv_transpose_nd(n, name):
    def conv_transpose(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
        if isinstance(padding, str):
            raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
        unbatched = _batched(input, n, name)
        x = input.unsqueeze(0) if unbatched else input
        out = convolution(x, weight, bias, _ntuple(stride, n), _ntuple(padding, n), _ntuple(dilation, n), True,
                          _ntuple(output_padding, n), groups)
        return out.squeeze(0) if unbatched else out
    conv_transpose.__name__ = name
    return conv_transpose


conv1d, conv2d, conv3d = _conv_nd(1, "conv1d"), _conv_nd(2, "conv2d"), _conv_nd(3, "conv3d")
conv_transpose1d = _conv_transpose_nd(1, "conv_transpose1d")
conv_transpose2d = _conv_transpose_nd(2, "conv_transpose2d")
conv_transpose3d = _conv_transpose_nd(3, "conv_transpose3d")
for _f in (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d):
    nn_export(_f)
    export(_f, method=False)
export(convolution, method=False)


# ---- linear maps along axes: padding by reflection/replication, average pooling, interpolation -------
class _AxisMap:
    """out[j] = sum_i mat[j, i] x[i] along one axis; a gather when each row picks one input (idx)."""
    __slots__ = ("idx", "mat")

    def __init__(self, mat, idx=None):
        self.mat, self.idx = mat, idx

    @classmethod
    def pick(cls, idx, n_in):
        idx = np.asarray(idx, dtype=np.int64)
        mat = np.zeros((len(idx), n_in))
        mat[np.arange(len(idx)), idx] = 1
        return cls(mat, idx)


def _along(xp, x, mat, axis):
    m = xp.asarray(mat.astype(x.dtype, copy=False))
    return xp.moveaxis(xp.matmul(xp.moveaxis(x, axis, -1), m.T), -1, axis)


def _maps_fwd(xp, x, maps, div, adjoint):
    """Apply the axis maps to the trailing axes (or their transposes, adjoint), dividing the sums by div."""
    n = len(maps)
    if adjoint and div is not None:
        x = x / xp.asarray(div, dtype=x.dtype)
    for i, m in enumerate(maps):
        ax = x.ndim - n + i
        if adjoint:
            x = _along(xp, x, m.mat.T, ax)
        elif m.idx is not None:
            x = xp.take(x, xp.asarray(m.idx), axis=ax)
        else:
            x = _along(xp, x, m.mat, ax)
    if not adjoint and div is not None:
        if x.dtype.kind in "iu":  # integer average pooling truncates, as PyTorch's
            d = xp.asarray(div, dtype=x.dtype)
            return xp.sign(x) * (xp.abs(x) // d)
        x = x / xp.asarray(div, dtype=x.dtype)
    return x


_map_ops = {}


def _map_op(node, adjoint=False):
    """The op for a linear map named by its PyTorch node, and its adjoint, each the other's gradient."""
    key = (node, adjoint)
    if key not in _map_ops:
        name = node[:-len("Backward0")]
        fwd = lambda xp, x, maps, div: _maps_fwd(xp, x, maps, div, adjoint)
        grad = lambda g, maps, div: apply(_map_op(node, not adjoint), (g,), (maps, div))
        _map_ops[key] = defop(name.lower() + ("_backward" if adjoint else ""),
                              name + ("BackwardBackward0" if adjoint else "Backward0"), fwd, (grad,), n_tensors=1,
                              tex=("Mᵀ" if not adjoint else "M",))
    return _map_ops[key]


def _apply_map(x, node, maps, div=None):
    return apply(_map_op(node), (x,), (tuple(maps), div))


# ---- padding ------------------------------------------------------------------------------------------
def _constant_pad_fwd(xp, x, pads, value):
    """pads: (left, right) per trailing axis, negative ones crop."""
    n = len(pads)
    lead = (slice(None),) * (x.ndim - n)
    x = x[lead + tuple(slice(max(-lo, 0), x.shape[x.ndim - n + i] - max(-hi, 0)) for i, (lo, hi) in enumerate(pads))]
    pos = tuple((max(lo, 0), max(hi, 0)) for lo, hi in pads)
    if not any(lo or hi for lo, hi in pos):
        return x.copy()
    return xp.pad(x, ((0, 0),) * (x.ndim - n) + pos, constant_values=value)


_constant_pad = defop("constant_pad_nd", "ConstantPadNdBackward0", _constant_pad_fwd,
                      (lambda g, pads: apply(_constant_pad, (g,), (tuple((-lo, -hi) for lo, hi in pads), 0)),),
                      n_tensors=1, tex=("1 inside, 0 in the padding",))


def _pairs(pad):
    """F.pad's flat (last-left, last-right, second-last-left, ...) as (left, right) per axis, first axis first."""
    pad = [int(p) for p in pad]
    return tuple((pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2))[::-1]


def constant_pad_nd(input, pad, value=0):
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) > 2 * input.dim():
        raise RuntimeError(f"Length of pad should be no more than twice the number of dimensions of the input. Pad "
                           f"length is {len(pad)} while the input has {input.dim()} dimensions.")
    pairs = _pairs(pad)
    sizes = input.shape[input.dim() - len(pairs):]
    for s, (lo, hi) in zip(sizes, pairs):
        if s + min(lo, 0) + min(hi, 0) < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return apply(_constant_pad, (input,), (pairs, value))


def _reflect_index(L, lo, hi):
    i = np.arange(-lo, L + hi)
    i = np.abs(i)
    return np.where(i > L - 1, 2 * (L - 1) - i, i)


def _replicate_index(L, lo, hi):
    return np.clip(np.arange(-lo, L + hi), 0, L - 1)


def _index_pad(input, pairs, kind):
    n = len(pairs)
    sizes = input.shape[input.dim() - n:]
    if kind == "Reflection":
        for i, (L, (lo, hi)) in enumerate(zip(sizes, pairs)):
            if lo >= L or hi >= L:
                raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                                   f"but got: padding ({lo}, {hi}) at dimension {input.dim() - n + i} of input "
                                   f"{_shape(input.shape)}")
    new = tuple(L + lo + hi for L, (lo, hi) in zip(sizes, pairs))
    if min(new) < 0:  # PyTorch's kernels fail to allocate the output
        if kind == "Reflection":
            raise RuntimeError("numel: integer multiplication overflow")
        shape = tuple(input.shape[:input.dim() - n]) + new
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(new)}: {_shape(shape)}")
    index = _reflect_index if kind == "Reflection" else _replicate_index
    maps = [_AxisMap.pick(index(L, lo, hi), L) for L, (lo, hi) in zip(sizes, pairs)]
    return _apply_map(input, f"{kind}Pad{n}DBackward0", maps)


def _circular_pad(input, pairs):
    """Wraps around by concatenating the opposite edges (PyTorch copies them into slices instead)."""
    from .shape import cat
    n = len(pairs)
    out = input
    for i, (lo, hi) in enumerate(pairs):
        dim = input.dim() - n + i
        L = out.shape[dim]
        if lo > L or hi > L:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if L + lo + hi < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
        core = out.narrow(dim, max(-lo, 0), L - max(-lo, 0) - max(-hi, 0))
        c = core.shape[dim]  # negative padding crops first; the wrap comes from what is left
        parts = ([core.narrow(dim, c - lo, lo)] if lo > 0 else []) + [core] + ([core.narrow(dim, 0, hi)] if hi > 0
                                                                                else [])
        out = cat(parts, dim) if len(parts) > 1 else core
    return out


_PAD_KINDS = {"reflect": "Reflection", "replicate": "Replication", "circular": None}


def pad(input, pad, mode="constant", value=None):
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if mode not in _PAD_KINDS:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    n = len(pad) // 2
    if not (1 <= n <= 3 and input.dim() in (n + 1, n + 2)):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if mode == "circular":
        return _circular_pad(input, _pairs(pad))
    return _index_pad(input, _pairs(pad), _PAD_KINDS[mode])


nn_export(pad)
export(constant_pad_nd, method=False)


# ---- pooling ------------------------------------------------------------------------------------------
def _pool_out(L, k, p, s, d, ceil_mode):
    """PyTorch's pooling_output_shape: floor or ceil, and in ceil mode the last window starts inside."""
    num = L + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= L + p:
        out -= 1
    return out


def _pool_shape(L, k, p, s, d, ceil_mode):
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > ((k - 1) * d + 1) // 2:
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, kernel_size={k} and "
                           f"dilation={d}")
    return _pool_out(L, k, p, s, d, ceil_mode)


def _pool2d_check(x, k, s, p, d, out):
    (kH, kW), (dH, dW), (pH, pW), (dlH, dlW) = k, s, p, d
    if kW <= 0 or kH <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kH} kW: {kW}")
    if dW <= 0 or dH <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {dH} dW: {dW}")
    if dlH <= 0 or dlW <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {dlH} dilationW: {dlW}")
    xs = x.shape
    valid = xs[-3] != 0 and xs[-2] != 0 and xs[-1] != 0 if x.dim() == 4 else xs[0] != 0 and xs[1] != 0 and xs[2] != 0
    if not valid:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
                           f"got:{_shape(xs)}")
    if kW // 2 < pW or kH // 2 < pH:
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got padW = {pW}, padH = "
                           f"{pH}, kW = {kW}, kH = {kH}")
    if out[0] < 1 or out[1] < 1:
        raise RuntimeError(f"Given input size: ({xs[-3]}x{xs[-2]}x{xs[-1]}). Calculated output size: ({xs[-3]}x"
                           f"{out[0]}x{out[1]}). Output size is too small")


def _pool_arg(v, name, op, allow_empty=False):
    if allow_empty and (v is None or (isinstance(v, (list, tuple)) and not v)):
        return None  # stride: the kernel size
    v = _ntuple(v, 1) if isinstance(v, (list, tuple)) else (int(v),)
    if len(v) not in (1, 2):
        raise RuntimeError({"kernel_size": f"{op}: kernel_size must either be a single int, or a tuple of two ints",
                            "stride": f"{op}: stride must either be omitted, a single int, or a tuple of two ints",
                            "padding": f"{op}: padding must either be a single int, or a tuple of two ints",
                            "dilation": f"{op}: dilation must be either a single int, or a tuple of two ints"}[name])
    return v * 2 if len(v) == 1 else v


def _maxpool_fwd(xp, x, k, s, p, d, out):
    n = len(k)
    sp, lead = x.shape[-n:], x.shape[:-n]
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    right = [max((out[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 - sp[i] - p[i], 0) for i in range(n)]
    xpad = xp.pad(x, ((0, 0),) * len(lead) + tuple(zip(p, right)), constant_values=fill)
    win = _windows(xp, xpad, k, s, d)[(Ellipsis,) + tuple(slice(0, o) for o in out) + (slice(None),) * n]
    # PyTorch's scan over each window: a later element wins if greater, or if it is NaN
    offsets = list(itertools.product(*(range(kk) for kk in k)))
    vals = win[(Ellipsis,) + offsets[0]].copy()
    a = xp.zeros(vals.shape, dtype=np.int64)
    for j, off in enumerate(offsets[1:], 1):
        v = win[(Ellipsis,) + off]
        take = v > vals
        if x.dtype.kind == "f":
            take |= xp.isnan(v)
        xp.copyto(vals, v, where=take)
        xp.copyto(a, j, where=take)
    # flat input index = the window's start + the chosen offset, each a small table
    fs = [math.prod(sp[i + 1:]) for i in range(n)]
    koff = np.array([sum(off[i] * d[i] * fs[i] for i in range(n)) for off in offsets], dtype=np.int64)
    starts = [(np.arange(out[i]) * s[i] - p[i]).reshape((-1,) + (1,) * (n - 1 - i)) for i in range(n)]
    flat = xp.asarray(sum(st * f for st, f in zip(starts, fs))) + xp.asarray(koff)[a]
    if any(p):  # a window whose maximum is the fill value points at its first position inside the input
        first = sum((st + ((-st).clip(0, None) + di - 1) // di * di) * f for st, di, f in zip(starts, d, fs))
        flat = xp.where(vals == fill, xp.asarray(first), flat)
    return vals, xp.asarray(flat, dtype=np.int64)


def _scatter_fwd(xp, g, idx, in_shape, n):
    """The gradient of max pooling: each output's g added at its input index (flat over the n pooled axes)."""
    B, S, P = math.prod(in_shape[:-n]), math.prod(in_shape[-n:]), math.prod(idx.shape[-n:])
    flat = (idx.reshape(B, P) + xp.arange(B).reshape(B, 1) * S).reshape(-1)
    return xp.bincount(flat, weights=g.reshape(-1), minlength=B * S).astype(g.dtype).reshape(in_shape)


def _gather_fwd(xp, x, idx, in_shape, n):
    B = math.prod(in_shape[:-n])
    return xp.take_along_axis(x.reshape(B, math.prod(in_shape[-n:])), idx.reshape(B, math.prod(idx.shape[-n:])),
                              1).reshape(idx.shape)


_gather = defop("gather", "GatherBackward0", _gather_fwd,
                (lambda g, idx, in_shape, n: apply(_scatter_op(None), (g,), (idx, in_shape, n)),),
                n_tensors=1, tex=("1 at the index",))
_scatter_ops = {}


def _scatter_op(node):
    """Max pooling's backward, as an op of its own so that it has a gradient (a gather)."""
    if node not in _scatter_ops:
        _scatter_ops[node] = defop("max_pool_backward", node or "ScatterAddBackward0", _scatter_fwd,
                                   (lambda g, idx, in_shape, n: apply(_gather, (g,), (idx, in_shape, n)),),
                                   n_tensors=1, tex=("1 at the index",))
    return _scatter_ops[node]


def _pool_grad(node, n):
    back = node.replace("Backward0", "BackwardBackward0")
    return lambda g, indices, x_shape: apply(_scatter_op(back), (g,), (indices._data, x_shape, n))


def _max_pool_op(node, n):
    return defop(node[:-len("Backward0")].lower(), node, _maxpool_fwd, (_pool_grad(node, n),), n_tensors=1,
                 outputs=("result", "indices"), tex=("1 at the window's maximum",))


_max_pool2d_op = _max_pool_op("MaxPool2DWithIndicesBackward0", 2)
_max_pool3d_op = _max_pool_op("MaxPool3DWithIndicesBackward0", 3)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    op = "max_pool2d"
    k = _pool_arg(kernel_size, "kernel_size", op)
    s = _pool_arg(stride, "stride", op, allow_empty=True) or k
    p, d = _pool_arg(padding, "padding", op), _pool_arg(dilation, "dilation", op)
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    out = tuple(_pool_shape(input.shape[-2 + i], k[i], p[i], s[i], d[i], ceil_mode) for i in range(2))
    _pool2d_check(input, k, s, p, d, out)
    return apply(_max_pool2d_op, (input,), (k, s, p, d, out))


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    vals, idx = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (vals, idx) if return_indices else vals


def _check_1d(v, name, what, allow_empty=False):
    v = _ntuple(v, 1) if isinstance(v, (list, tuple)) else (int(v),)
    if len(v) != 1 and not (allow_empty and not v):
        raise RuntimeError(f"max_pool1d() {name} must be {what} of size 1 but got size {len(v)}")
    return v


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{_shape(input.shape)}")
    k = _check_1d(kernel_size, "kernel_size", "an int, list of ints or tuple of ints")
    s = _check_1d([] if stride is None else stride, "stride", "None, an int, list of ints, or tuple of ints",
                  allow_empty=True) or k
    p = _check_1d(padding, "padding", "an int, list of ints, or tuple of ints")
    d = _check_1d(dilation, "dilation", "an int, list of ints or tuple of ints")
    if k[0] <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k[0]}")
    if s[0] <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s[0]}")
    if p[0] < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p[0]}")
    if p[0] > k[0] // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p[0]} and "
                           f"kernel_size={k[0]}")
    if d[0] <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d[0]}")
    ow = _pool_shape(input.shape[-1], k[0], p[0], s[0], d[0], ceil_mode)
    if ow <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {ow}")
    vals, idx = max_pool2d_with_indices(input.unsqueeze(-2), (1, k[0]), (1, s[0]), (0, p[0]), (1, d[0]), ceil_mode)
    return vals.squeeze(-2), idx.squeeze(-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    vals, idx = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (vals, idx) if return_indices else vals


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    k = _ntuple(kernel_size, 3)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and not stride) else _ntuple(stride, 3)
    p, d = _ntuple(padding, 3), _ntuple(dilation, 3)
    k, s, p, d = (v * 3 if len(v) == 1 else v for v in (k, s, p, d))
    if input.dim() not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    out = tuple(_pool_shape(input.shape[-3 + i], k[i], p[i], s[i], d[i], ceil_mode) for i in range(3))
    if any(o < 1 for o in out):
        xs = input.shape
        raise RuntimeError(f"Given input size: ({xs[-4]}x{xs[-3]}x{xs[-2]}x{xs[-1]}). Calculated output size: "
                           f"({xs[-4]}x{out[0]}x{out[1]}x{out[2]}). Output size is too small")
    return apply(_max_pool3d_op, (input,), (k, s, p, d, out))


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    vals, idx = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (vals, idx) if return_indices else vals


for _f in (max_pool1d, max_pool2d, max_pool3d):
    nn_export(_f)
    export(lambda input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False, _f=_f:
           _f(input, kernel_size, stride, padding, dilation, ceil_mode), _f.__name__, method=False)
for _f in (max_pool1d_with_indices, max_pool2d_with_indices, max_pool3d_with_indices):
    nn_export(_f)
export(max_pool1d_with_indices, method=False)


def _window_map(L, k, s, p, out):
    """Average pooling along one axis: which inputs each window sums (the padding adds nothing)."""
    mat = np.zeros((out, L))
    for o in range(out):
        mat[o, max(o * s - p, 0):min(o * s - p + k, L)] = 1
    return _AxisMap(mat)


def _window_counts(L, k, s, p, out, count_include_pad):
    start = np.arange(out) * s - p
    end = np.minimum(start + k, L + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, L) - np.maximum(start, 0)


def _outer(vs):
    r = np.ones(())
    for v in vs:
        r = np.multiply.outer(r, v)
    return r


def _avg_pool(input, k, s, p, ceil_mode, count_include_pad, divisor_override, node):
    n = len(k)
    sizes = input.shape[input.dim() - n:]
    out = [_pool_out(L, k[i], p[i], s[i], 1, ceil_mode) for i, L in enumerate(sizes)]
    maps = [_window_map(L, k[i], s[i], p[i], out[i]) for i, L in enumerate(sizes)]
    if divisor_override:
        div = np.full(out, float(divisor_override))
    else:
        div = _outer([_window_counts(L, k[i], s[i], p[i], out[i], count_include_pad) for i, L in enumerate(sizes)])
    return _apply_map(input, node, maps, div)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    op = "avg_pool2d"
    k = _pool_arg(kernel_size, "kernel_size", op)
    s = _pool_arg(stride, "stride", op, allow_empty=True) or k
    p = _pool_arg(padding, "padding", op)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    from ._args import wrap_dim
    wrap_dim(-3, input.dim())
    out = tuple(_pool_shape(input.shape[-2 + i], k[i], p[i], s[i], 1, ceil_mode) for i in range(2))
    _pool2d_check(input, k, s, p, (1, 1), out)
    _check_float_or_long(input, op)
    return _avg_pool(input, k, s, p, ceil_mode, count_include_pad, divisor_override, "AvgPool2DBackward0")


def _check_float_or_long(input, op):
    if input.dtype.category < 2 and input.dtype.name != "int64":
        from .._tensor import _legacy_name
        raise NotImplementedError(f"\"{op}\" not implemented for '{_legacy_name(input.dtype)}'")


def _check_dim_range(input, op, lo, hi):
    if not lo <= input.dim() < hi:
        raise RuntimeError(f"Expected {lo} to {hi - 1} dimensions, but got {input.dim()}-dimensional tensor for "
                           f"argument #1 'self' (while checking arguments for {op})")


def _one(v, op, name):
    v = _ntuple(v, 1) if isinstance(v, (list, tuple)) else (int(v),)
    if len(v) != 1:
        raise RuntimeError(f"{op}() argument '{name}' should contain one int (got {len(v)})")
    return v[0]


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    k = _ntuple(kernel_size, 1)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and not stride) else stride
    _check_dim_range(input, "avg_pool1d", 2, 4)
    k, s, p = (_one(v, "avg_pool1d", name) for v, name in ((k, "kernel_size"), (s, "stride"), (padding, "padding")))
    return avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad).squeeze(-2)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    k = _ntuple(kernel_size, 3)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and not stride) else _ntuple(stride, 3)
    k, s, p = (v * 3 if len(v) == 1 else v for v in (k, s, _ntuple(padding, 3)))
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    out = tuple(_pool_shape(input.shape[-3 + i], k[i], p[i], s[i], 1, ceil_mode) for i in range(3))
    if any(o < 1 for o in out):
        xs = input.shape
        raise RuntimeError(f"Given input size: ({xs[-4]}x{xs[-3]}x{xs[-2]}x{xs[-1]}). Calculated output size: "
                           f"({xs[-4]}x{out[0]}x{out[1]}x{out[2]}). Output size is too small")
    return _avg_pool(input, k, s, p, ceil_mode, count_include_pad, divisor_override, "AvgPool3DBackward0")


for _f in (avg_pool1d, avg_pool2d, avg_pool3d):
    nn_export(_f)
export(avg_pool1d, method=False)


def _adaptive_range(L, out):
    start = [o * L // out for o in range(out)]
    end = [-(-(o + 1) * L // out) for o in range(out)]
    return start, end


def _adaptive_avg(input, out, node):
    n = len(out)
    maps, counts = [], []
    for L, o in zip(input.shape[input.dim() - n:], out):
        start, end = _adaptive_range(L, o)
        mat = np.zeros((o, L))
        for j in range(o):
            mat[j, start[j]:end[j]] = 1
        maps.append(_AxisMap(mat))
        counts.append(np.subtract(end, start))
    return _apply_map(input, node, maps, _outer(counts))


def _out_size(output_size, input, n):
    """F's output_size: an int for all axes, or one per axis where None keeps the input's size."""
    if isinstance(output_size, int):
        return output_size
    output_size = tuple(output_size)
    if input.dim() <= len(output_size):
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    sizes = input.shape[input.dim() - len(output_size):]
    return tuple(s if v is None else v for v, s in zip(output_size, sizes))


def adaptive_avg_pool2d(input, output_size):
    out = _out_size(output_size, input, 2)
    out = (out, out) if isinstance(out, int) else out
    if len(out) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    if out[0] < 0 or out[1] < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
                           f"received {{{out[0]}, {out[1]}}}")
    if tuple(out) == (1, 1):  # PyTorch takes the mean
        return input.mean((-1, -2), keepdim=True)
    if input.dim() not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {_shape(input.shape)}")
    _check_nonempty(input, "adaptive_avg_pool2d")
    _check_float_type(input, "adaptive_avg_pool2d")
    return _adaptive_avg(input, out, "AdaptiveAvgPool2DBackward0")


def _check_nonempty(input, op, n=2):
    for i in range(input.dim() - n, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"{op}(): Expected input to have non-zero size for non-batch dimensions, but input has "
                               f"sizes {_shape(input.shape)} with dimension {i} being empty")


def _check_float_type(input, op):
    if input.dtype.category < 2:
        from .._tensor import _legacy_name
        raise NotImplementedError(f"\"{op}\" not implemented for '{_legacy_name(input.dtype)}'")


def adaptive_avg_pool3d(input, output_size):
    out = _out_size(output_size, input, 3)
    out = (out,) * 3 if isinstance(out, int) else tuple(out)
    if len(out) != 3:
        raise RuntimeError("adaptive_avg_pool3d: output_size must be 3")
    if min(out) < 0:
        raise RuntimeError(f"adaptive_avg_pool3d: elements of output_size must be greater than or equal to 0 but "
                           f"received {{{out[0]}, {out[1]},{out[2]}}}")
    if out == (1, 1, 1):  # PyTorch takes the mean
        return input.mean((-1, -2, -3), keepdim=True)
    if input.dim() not in (4, 5):
        raise RuntimeError(f"adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got {_shape(input.shape)}")
    _check_nonempty(input, "adaptive_avg_pool3d", 3)
    _check_float_type(input, "adaptive_avg_pool3d_cpu")
    return _adaptive_avg(input, out, "AdaptiveAvgPool3DBackward0")


def adaptive_avg_pool1d(input, output_size):
    _check_dim_range(input, "adaptive_avg_pool1d", 2, 4)
    o = _one(output_size, "adaptive_avg_pool1d", "output_size")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


def _adaptive_max_fwd(xp, x, out):
    """Each output cell takes the maximum over its adaptive window (few cells: a loop over them)."""
    n = len(out)
    sp, lead = x.shape[-n:], x.shape[:-n]
    ranges = [_adaptive_range(L, o) for L, o in zip(sp, out)]
    vals = xp.empty(lead + tuple(out), dtype=x.dtype)
    idx = xp.empty(lead + tuple(out), dtype=np.int64)
    for cell in itertools.product(*(range(o) for o in out)):
        lo = [ranges[i][0][c] for i, c in enumerate(cell)]
        hi = [ranges[i][1][c] for i, c in enumerate(cell)]
        win = x[(Ellipsis,) + tuple(slice(a, b) for a, b in zip(lo, hi))].reshape(lead + (-1,))
        a = win.argmax(-1)
        if x.dtype.kind == "f":
            nan = xp.isnan(win)
            a = xp.where(nan.any(-1), win.shape[-1] - 1 - nan[..., ::-1].argmax(-1), a)
        vals[(Ellipsis,) + cell] = xp.take_along_axis(win, a[..., None], -1)[..., 0]
        flat = 0
        for i, ki in enumerate(xp.unravel_index(a, tuple(b - a_ for a_, b in zip(lo, hi)))):
            flat = flat * sp[i] + lo[i] + ki
        idx[(Ellipsis,) + cell] = flat
    return vals, idx


_adaptive_max2d = defop("adaptive_max_pool2d", "AdaptiveMaxPool2DBackward0", _adaptive_max_fwd,
                        (_pool_grad("AdaptiveMaxPool2DBackward0", 2),), n_tensors=1, outputs=("result", "indices"),
                        tex=("1 at the window's maximum",))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    out = _out_size(output_size, input, 2)
    out = (out, out) if isinstance(out, int) else out
    if input.dim() not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {_shape(input.shape)}")
    if len(out) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must be 2")
    _check_nonempty(input, "adaptive_max_pool2d")
    if min(out) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(out)}: "
                           f"{_shape(tuple(input.shape[:-2]) + tuple(out))}")
    vals, idx = apply(_adaptive_max2d, (input,), (tuple(out),))
    return (vals, idx) if return_indices else vals


def adaptive_max_pool1d(input, output_size, return_indices=False):
    _check_dim_range(input, "adaptive_max_pool1d", 2, 4)
    o = _one(output_size, "adaptive_max_pool1d", "output_size")
    vals, idx = adaptive_max_pool2d(input.unsqueeze(-2), (1, o), True)
    vals, idx = vals.squeeze(-2), idx.squeeze(-2)
    return (vals, idx) if return_indices else vals


for _f in (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d, adaptive_max_pool1d, adaptive_max_pool2d):
    nn_export(_f)
export(adaptive_avg_pool1d, method=False)
export(lambda input, output_size: adaptive_max_pool1d(input, output_size, True), "adaptive_max_pool1d",
       method=False)


# ---- unfold (im2col) and fold (col2im) -------------------------------------------------------------------
def _im2col_fwd(xp, x, k, d, p, s):
    if x.ndim == 3:
        return _im2col_fwd(xp, x[None], k, d, p, s)[0]
    win = _windows(xp, _pad_zeros(xp, x, p), k, s, d)  # (N, C, oh, ow, kh, kw)
    N, C, oh, ow = win.shape[:4]
    return xp.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(N, C * math.prod(k), oh * ow)


def _col2im_fwd(xp, x, size, k, d, p, s):
    if x.ndim == 2:
        return _col2im_fwd(xp, x[None], size, k, d, p, s)[0]
    N, C = x.shape[0], x.shape[1] // math.prod(k)
    pos = tuple((size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2))
    cols = x.reshape((N, C) + tuple(k) + pos).transpose(0, 1, 4, 5, 2, 3)
    return _col2im(xp, cols, size, k, s, d, p)


_im2col = defop("im2col", "Im2ColBackward0", _im2col_fwd,
                (lambda g, x_shape, k, d, p, s: apply(_col2im_op, (g,), (x_shape[-2:], k, d, p, s)),), n_tensors=1,
                tex=("1 in each window it appears in",))
_col2im_op = defop("col2im", "Col2ImBackward0", _col2im_fwd,
                   (lambda g, k, d, p, s: apply(_im2col, (g,), (k, d, p, s)),), n_tensors=1,
                   tex=("1 for each window position",))


def _fold_args(k, d, p, s):
    k, d, p, s = (_ntuple(v, 2) for v in (k, d, p, s))
    if k[0] <= 0 or k[1] <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {k[0]} kernel_width: "
                           f"{k[1]}")
    if d[0] <= 0 or d[1] <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {d[0]} dilation_width: "
                           f"{d[1]}")
    if p[0] < 0 or p[1] < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {p[0]} pad_width: {p[1]}")
    if s[0] <= 0 or s[1] <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {s[0]} stride_width: {s[1]}")
    return k, d, p, s


def _blocks(size, k, d, p, s):
    return tuple((size[i] + 2 * p[i] - (d[i] * (k[i] - 1) + 1)) // s[i] + 1 for i in range(2))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    k, d, p, s = _fold_args(kernel_size, dilation, padding, stride)
    from ._args import wrap_dim
    wrap_dim(2, input.dim())
    xs = input.shape
    valid = xs[1] != 0 and xs[2] != 0
    if not ((input.dim() == 3 and xs[0] and valid) or (input.dim() == 4 and valid and xs[3] != 0)):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {_shape(xs)}")
    size = xs[-2:]
    out = _blocks(size, k, d, p, s)
    if out[0] < 1 or out[1] < 1:
        raise RuntimeError(f"Given input with spatial size ({size[0]}, {size[1]}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), calculated shape of the array of "
                           f"sliding blocks as ({out[0]}, {out[1]}), but its components must be at least one.")
    return apply(_im2col, (input,), (k, d, p, s))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    size = _ntuple(output_size, 2)
    k, d, p, s = _fold_args(kernel_size, dilation, padding, stride)
    xs = input.shape
    if not ((input.dim() == 2 and xs[0] and xs[1]) or (input.dim() == 3 and xs[1] and xs[2])):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {_shape(xs)}")
    planes, length = xs[-2], xs[-1]
    if planes % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={planes} and kernel_size=({k[0]}, {k[1]}).")
    blocks = _blocks(size, k, d, p, s)
    where = (f"Given output_size=({size[0]}, {size[1]}), kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, {d[1]}), "
             f"padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), ")
    if length != blocks[0] * blocks[1]:
        raise RuntimeError(where + f"expected size of input's dimension 2 to match the calculated number of sliding "
                                   f"blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
                                   f"input.size(2)={length}.")
    if blocks[0] < 1 or blocks[1] < 1:
        raise RuntimeError(where + f"calculated shape of the array of sliding blocks as ({blocks[0]}, {blocks[1]}), "
                                   "which is invalid.")
    return apply(_col2im_op, (input,), (size, k, d, p, s))


nn_export(unfold)
nn_export(fold)


# ---- interpolation --------------------------------------------------------------------------------------
def _scale(L, out, sf, align_corners, ft):
    """area_pixel_compute_scale, in the input's precision as PyTorch's kernels compute it."""
    if align_corners:
        return ft(L - 1) / ft(out - 1) if out > 1 else ft(0)
    if sf is not None and sf > 0:
        return ft(1.0 / sf)
    return ft(L) / ft(out)


def _nearest_map(L, out, sf, exact, ft):
    scale = _scale(L, out, sf, False, ft)
    j = np.arange(out).astype(ft)
    if exact:
        real = np.maximum(scale * (j + ft(0.5)) - ft(0.5), ft(0)) + ft(0.5)
    else:
        real = scale * j
    idx = np.minimum(np.floor(real.astype(np.float32)).astype(np.int64), L - 1)
    return _AxisMap.pick(idx, L)


def _linear_map(L, out, sf, align_corners, ft):
    mat = np.zeros((out, L))
    if out == L:
        mat[np.arange(L), np.arange(L)] = 1
        return _AxisMap(mat)
    scale = _scale(L, out, sf, align_corners, ft)
    j = np.arange(out).astype(ft)
    real = scale * j if align_corners else np.maximum(scale * (j + ft(0.5)) - ft(0.5), ft(0))
    i0 = np.minimum(np.floor(real.astype(np.float32)).astype(np.int64), L - 1)
    lam1 = np.clip(real - i0.astype(ft), ft(0), ft(1))
    lam0 = ft(1) - lam1
    i1 = i0 + (i0 < L - 1)
    np.add.at(mat, (np.arange(out), i0), lam0)
    np.add.at(mat, (np.arange(out), i1), lam1)
    return _AxisMap(mat)


def _cubic_map(L, out, sf, align_corners, ft):
    """Bicubic convolution (A = -0.75) over four taps clamped to the edges, as PyTorch's kernel."""
    A = ft(-0.75)
    scale = _scale(L, out, sf, align_corners, ft)
    j = np.arange(out).astype(ft)
    real = scale * j if align_corners else scale * (j + ft(0.5)) - ft(0.5)
    i0 = np.minimum(np.floor(real.astype(np.float32)).astype(np.int64), L - 1)
    t = np.clip(real - i0.astype(ft), ft(0), ft(1))
    near = lambda x: ((A + 2) * x - (A + 3)) * x * x + 1  # for |x| <= 1
    far = lambda x: ((A * x - 5 * A) * x + 8 * A) * x - 4 * A  # for 1 < |x| < 2
    weights = (far(t + 1), near(t), near(1 - t), far(2 - t))
    mat = np.zeros((out, L))
    for k, w in enumerate(weights):
        np.add.at(mat, (np.arange(out), np.clip(i0 - 1 + k, 0, L - 1)), w)
    return _AxisMap(mat)


def _aa_map(L, out, sf, align_corners, ft, cubic):
    """Antialiased resampling: a filter widened by the downscale factor, normalized per output (Pillow's)."""
    scale = float(_scale(L, out, sf, align_corners, ft))
    half = 2.0 if cubic else 1.0
    support, inv = (half * scale, 1 / scale) if scale >= 1 else (half, 1.0)
    mat = np.zeros((out, L))
    for i in range(out):
        center = scale * (i + 0.5)
        lo, hi = max(int(center - support + 0.5), 0), min(int(center + support + 0.5), L)
        x = np.abs((np.arange(lo, hi) - center + 0.5) * inv)
        if cubic:  # A = -0.5 here
            w = np.where(x < 1, (1.5 * x - 2.5) * x * x + 1, np.where(x < 2, ((x - 5) * x + 8) * x * -0.5 + 2, 0))
        else:
            w = np.maximum(1 - x, 0)
        mat[i, lo:hi] = w / w.sum() if w.sum() != 0 else w
    return _AxisMap(mat)


_AXES = ("D", "H", "W")


def _check_sizes(sizes, out):
    if any(s <= 0 for s in sizes) or any(o <= 0 for o in out):
        names = _AXES[3 - len(sizes):]
        ins = ", ".join(f"{a}: {v}" for a, v in zip(names, sizes))
        outs = ", ".join(f"{a}: {v}" for a, v in zip(names, out))
        sep = " and" if len(sizes) == 1 else ""
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins}){sep} output "
                           f"({outs})")


def _upsample(input, out, scales, mode, align_corners, antialias=False):
    n = input.dim() - 2
    sizes = tuple(input.shape[2:])
    _check_sizes(sizes, out)
    ft = np.float64 if input.dtype.name == "float64" else np.float32
    scales = scales or (None,) * n
    if mode in ("nearest", "nearest-exact"):
        maps = [_nearest_map(L, o, sf, mode == "nearest-exact", ft) for L, o, sf in zip(sizes, out, scales)]
        node = f"UpsampleNearest{'Exact' if mode == 'nearest-exact' else ''}{n}DBackward0"
    elif antialias:
        maps = [_aa_map(L, o, sf, align_corners, ft, mode == "bicubic") for L, o, sf in zip(sizes, out, scales)]
        node = f"Upsample{mode.capitalize()}2DAaBackward0"
    elif mode == "bicubic":
        maps = [_cubic_map(L, o, sf, align_corners, ft) for L, o, sf in zip(sizes, out, scales)]
        node = "UpsampleBicubic2DBackward0"
    else:
        maps = [_linear_map(L, o, sf, align_corners, ft) for L, o, sf in zip(sizes, out, scales)]
        node = {1: "UpsampleLinear1DBackward0", 2: "UpsampleBilinear2DBackward0", 3: "UpsampleTrilinear3DBackward0"}[n]
    return _apply_map(input, node, maps)


_LINEAR = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                             "bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(input.shape[2:])} and output size of {size}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 "(o1, o2, ...,oK) format.")
            if not all(isinstance(x, (int, np.integer)) for x in size):
                raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, "
                                f"int], but got size with types {[type(x) for x in size]}")
            out = tuple(size)
        else:
            out = (size,) * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {list(input.shape[2:])} and scale_factor of shape "
                                 f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                                 "scale_factor in (s1, s2, ...,sK) format.")
            scales = tuple(scale_factor)
        else:
            scales = (scale_factor,) * dim
        out = tuple(int(L * sf) for L, sf in zip(input.shape[2:], scales))
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        out = tuple(math.floor(L * sf) for L, sf in zip(input.shape[2:], scales))
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D "
                         "tensor as input")
    if mode in ("nearest", "nearest-exact") and input.dim() in (3, 4, 5):
        return _upsample(input, out, scales, mode, None)
    if mode == "area" and input.dim() in (3, 4, 5):
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[input.dim() - 3](input, out)
    if mode in _LINEAR and input.dim() == _LINEAR[mode]:
        return _upsample(input, out, scales, mode, align_corners, antialias)
    for m, want in _LINEAR.items():
        if mode == m != "bicubic" and input.dim() in (3, 4, 5):
            raise NotImplementedError(f"Got {input.dim()}D input, but {m} mode needs {want}D input")
    raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the "
                              f"modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
                              f"nearest-exact (got {mode})")


nn_export(interpolate)
nn_export(lambda input, size=None, scale_factor=None, mode="nearest", align_corners=None:
          interpolate(input, size, scale_factor, mode, align_corners), "upsample")


# ---- normalization ---------------------------------------------------------------------------------------
def _xhat(x, dims, eps):
    """(x - mean) / sqrt(var + eps) over dims, with differentiable ops (for second derivatives)."""
    xc = x - x.mean(dims, keepdim=True)
    return xc / ((xc * xc).mean(dims, keepdim=True) + eps).sqrt()


def _norm_dx(gx, x, dims, eps):
    """The gradient through normalization over dims, given gx, the gradient of the normalized value."""
    xc = x - x.mean(dims, keepdim=True)
    rstd = 1 / ((xc * xc).mean(dims, keepdim=True) + eps).sqrt()
    xh = xc * rstd
    return rstd * (gx - gx.mean(dims, keepdim=True) - xh * (gx * xh).mean(dims, keepdim=True))


def _stats(xp, x, axes):
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    return mean, (xc * xc).mean(axis=axes, keepdims=True)


def _layer_norm_fwd(xp, x, w, b, dims, eps):
    mean, var = _stats(xp, x, dims)
    return (x - mean) * (1 / xp.sqrt(var + eps)) * w + b


_layer_norm = defop("native_layer_norm", "NativeLayerNormBackward0", _layer_norm_fwd,
                    (lambda g, x, w, dims, eps: _norm_dx(g * w, x, dims, eps),
                     lambda g, x, dims, eps: g * _xhat(x, dims, eps),  # summed to w's shape by the engine
                     lambda g: g), n_tensors=3, tex=("(γ/σ)(1 - 1/n - x̂x̂ᵀ/n)", "x̂", "1"))


def _affine_or(t, fill, shape, like):
    """A missing weight or bias as a constant (it gets no gradient, as PyTorch's undefined one)."""
    if t is not None:
        return t
    return _const(like, np.full(shape, fill))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    if isinstance(normalized_shape, int):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not int")
    shape = tuple(normalized_shape)
    if not shape:
        raise RuntimeError(f"Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           f"element, but got normalized_shape = {_shape(shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{_shape(weight.shape)} and normalized_shape = {_shape(shape)}")
    if bias is not None and tuple(bias.shape) != shape:
        raise RuntimeError(f"Expected bias to be of same shape as normalized_shape, but got bias of shape "
                           f"{_shape(bias.shape)} and normalized_shape = {_shape(shape)}")
    n = len(shape)
    if input.dim() < n or tuple(input.shape[input.dim() - n:]) != shape:
        raise RuntimeError(f"Given normalized_shape={_shape(shape)}, expected input with shape "
                           f"[*{''.join(', ' + str(s) for s in shape)}], but got input of size{_shape(input.shape)}")
    _check_float_type(input, "LayerNormKernelImpl")
    _check_mixed(input, weight, bias)
    dims = tuple(range(input.dim() - n, input.dim()))
    w, b = _affine_or(weight, 1, shape, input), _affine_or(bias, 0, shape, input)
    return apply(_layer_norm, (input, w, b), (dims, eps))


def _channel(t, nd):
    """A per-channel vector shaped to broadcast against (N, C, *spatial)."""
    return t.reshape((1, -1) + (1,) * (nd - 2))


def _bn_train_fwd(xp, x, w, b, eps):
    axes = (0,) + tuple(range(2, x.ndim))
    mean, var = _stats(xp, x, axes)
    alpha = _channel(w, x.ndim) / xp.sqrt(var + eps)
    return x * alpha + (_channel(b, x.ndim) - mean * alpha), mean.reshape(-1), var.reshape(-1)


def _bn_eval_fwd(xp, x, w, b, mean, invstd):
    alpha = _channel(w * invstd, x.ndim)
    return x * alpha + _channel(b - mean * w * invstd, x.ndim)


def _reduce_axes(x):
    return [0] + list(range(2, x.dim()))


_bn_train = defop("native_batch_norm", "NativeBatchNormBackward0", _bn_train_fwd,
                  (lambda g, x, w, eps: _norm_dx(g * _channel(w, x.dim()), x, _reduce_axes(x), eps),
                   lambda g, x, eps: (g * _xhat(x, _reduce_axes(x), eps)).sum(_reduce_axes(x)),
                   lambda g: g.sum(_reduce_axes(g))),
                  n_tensors=3, outputs=("result", "save_mean", "save_var"),
                  tex=("(γ/σ)(1 - 1/n - x̂x̂ᵀ/n)", "x̂", "1"))
_bn_eval = defop("native_batch_norm", "NativeBatchNormBackward0", _bn_eval_fwd,
                 (lambda g, w, invstd: g * _channel(w * Tensor._make(invstd), g.dim()),
                  lambda g, x, mean, invstd: (g * (x - _channel(Tensor._make(mean), x.dim())) *
                                              _channel(Tensor._make(invstd), x.dim())).sum(_reduce_axes(x)),
                  lambda g: g.sum(_reduce_axes(g))),
                 n_tensors=3, tex=("γ/σ", "x̂", "1"))


def _check_mixed(input, *params):
    if any(t is not None and t.dtype != input.dtype for t in params):
        if input.dtype.name == "float32":
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _check_features(name, t, c):
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")


def _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is None and not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
        _check_features(name, t, c)
    _check_features("weight", weight, c)
    _check_features("bias", bias, c)
    _check_mixed(input, weight, bias, running_mean, running_var)
    w, b = _affine_or(weight, 1, (c,), input), _affine_or(bias, 0, (c,), input)
    if not training:
        invstd = 1 / _xp(input._data).sqrt(running_var._data.astype(input._data.dtype) + eps)
        return apply(_bn_eval, (input, w, b), (running_mean._data.astype(input._data.dtype), invstd))
    out, mean, var = apply(_bn_train, (input, w, b), (eps,))
    n = input.numel() // max(c, 1)
    for t, new in ((running_mean, mean._data), (running_var, var._data * (n / max(n - 1, 1)))):
        if t is not None:  # in place, outside the graph, and (as PyTorch's kernel) without a version bump
            t._data[...] = (1 - momentum) * t._data + momentum * new
    return out


def _verify_batch_size(size):
    n = size[0]
    for s in size[2:]:
        n *= s
    if n == 1:
        return ValueError(f"Expected more than 1 value per channel when training, got input size {size}")
    return None


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    if training:
        err = _verify_batch_size(input.size())
        if err:
            raise err
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _torch_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _gn_fwd(xp, x, w, b, groups, eps):
    xr = x.reshape(x.shape[0], groups, -1)
    mean, var = _stats(xp, xr, (2,))
    xhat = ((xr - mean) * (1 / xp.sqrt(var + eps))).reshape(x.shape)
    return xhat * _channel(w, x.ndim) + _channel(b, x.ndim)


def _grouped(t, groups):
    return t.reshape(t.shape[0], groups, -1)


_group_norm = defop("native_group_norm", "NativeGroupNormBackward0", _gn_fwd,
                    (lambda g, x, w, groups, eps: _norm_dx(_grouped(g * _channel(w, x.dim()), groups),
                                                           _grouped(x, groups), (2,), eps).reshape(x.shape),
                     lambda g, x, groups, eps: (g * _xhat(_grouped(x, groups), (2,), eps).reshape(x.shape))
                     .sum(_reduce_axes(x)),
                     lambda g: g.sum(_reduce_axes(g))),
                    n_tensors=3, tex=("(γ/σ)(1 - 1/n - x̂x̂ᵀ/n)", "x̂", "1"))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    xs = list(input.shape)
    err = _verify_batch_size([xs[0] * xs[1] // num_groups, num_groups] + xs[2:])
    if err:
        raise err
    c = xs[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {_shape(xs)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            shown = _shape(weight.shape) if weight is not None else "[0]"  # PyTorch prints weight's shape for both
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, but "
                               f"got {name} of shape {shown} and input of shape {_shape(xs)}")
    _check_float_type(input, "group_norm")
    _check_mixed(input, weight, bias)
    w, b = _affine_or(weight, 1, (c,), input), _affine_or(bias, 0, (c,), input)
    return apply(_group_norm, (input.contiguous(), w, b), (num_groups, eps))


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Batch norm of the (1, N*C, ...) view, as PyTorch computes it."""
    xs = list(input.shape)
    if use_input_stats:
        n = 1
        for s in xs[2:]:
            n *= s
        if n == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.size()}")
    N, C = xs[0], xs[1]
    x = input.contiguous().view([1, N * C] + xs[2:])
    rep = [None if t is None else Tensor._make(t._data.reshape(1, -1).repeat(N, 0).reshape(-1).copy())
           for t in (running_mean, running_var)]
    w = None if weight is None else weight.expand(N, C).reshape(-1)
    b = None if bias is None else bias.expand(N, C).reshape(-1)
    out = _batch_norm(x, w, b, rep[0], rep[1], use_input_stats, momentum, eps)
    for t, r in zip((running_mean, running_var), rep):
        if t is not None:
            t._data[...] = r._data.reshape(N, C).mean(0)
    return out.view(xs)


nn_export(layer_norm)
nn_export(batch_norm)
nn_export(group_norm)
nn_export(instance_norm)
export(layer_norm, method=False)
export(group_norm, method=False)
export(_torch_batch_norm, "batch_norm", method=False)
export(lambda input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled:
       instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps),
       "instance_norm", method=False)


# ---- embedding_bag --------------------------------------------------------------------------------------------
def _bag_sum_fwd(xp, w, coef, idx, bag, keep, n_bags, gscale):
    out = xp.zeros((n_bags, w.shape[1]), dtype=w.dtype)
    xp.add.at(out, bag, w[idx] * (coef * keep)[:, None])
    return out


def _bag_max_fwd(xp, w, idx, bag, keep, n_bags):
    """Each bag's maximum per column (the first one, as PyTorch's kernel); empty bags give 0 and index -1."""
    out = xp.zeros((n_bags, w.shape[1]), dtype=w.dtype)
    rows = xp.full((n_bags, w.shape[1]), -1, dtype=np.int64)
    idx, bag = idx[keep.astype(bool)], bag[keep.astype(bool)]
    for b in range(n_bags):
        members = idx[bag == b]
        if members.size:
            seg = w[members]
            a = seg.argmax(0)
            out[b] = xp.take_along_axis(seg, a[None], 0)[0]
            rows[b] = members[a]
    return out, rows


def _bag_weight_grad(g, coef, w_shape, idx, bag, keep, gscale):
    from .indexing import _zeros_put_apply
    scale = Tensor._make(keep * gscale)
    return _zeros_put_apply(g[Tensor._make(bag)] * (coef * scale)[:, None], w_shape, (idx,))


def _bag_max_grad(g, rows, w_shape):
    from .indexing import _zeros_put_apply
    r = rows._data
    hit = r >= 0
    cols = _xp(r).broadcast_to(_xp(r).arange(r.shape[1]), r.shape)
    return _zeros_put_apply(g[Tensor._make(hit)], w_shape, (r[hit], cols[hit]))


_bag_sum = defop("embedding_bag", "EmbeddingBagBackward0", _bag_sum_fwd,
                 (lambda g, coef, w_shape, idx, bag, keep, gscale: _bag_weight_grad(g, coef, w_shape, idx, bag, keep,
                                                                                    gscale),
                  lambda g, w, idx, bag, keep: (w[Tensor._make(idx)] * g[Tensor._make(bag)]).sum(1) *
                  Tensor._make(keep)),
                 n_tensors=2, tex=("the bag's weights", "the row"))
_bag_max = defop("embedding_bag", "EmbeddingBagBackward0", _bag_max_fwd,
                 (lambda g, rows, w_shape: _bag_max_grad(g, rows, w_shape),), n_tensors=1,
                 outputs=("result", "rows"), tex=("1 at each bag's maximum",))


def _bags(input, offsets, include_last_offset):
    """The bag of each index, and the number of bags, from 1-D input and offsets (or 2-D input's rows)."""
    xp = _xp(input._data)
    n = input.numel()
    off = offsets._data.astype(np.int64)
    if off.size and int(off[0]) != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {int(off[0])}\n[ {offsets.type()}{{}} ]")
    if off.size and int(off[-1]) > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of "
                           f"{int(off[-1])}")
    n_bags = off.size - 1 if include_last_offset else off.size  # the last bag runs to the end either way
    return xp.searchsorted(off[1:n_bags], xp.arange(n), side="right").astype(np.int64), n_bags


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embedding rows (gradients are dense, also with sparse=True)."""
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            kind = "<class 'chainrule.Tensor'>" if isinstance(offsets, Tensor) else type(offsets)
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {kind}")
        offsets = Tensor._make(_xp(input._data).arange(0, input.numel(), max(input.shape[1], 1)))
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    if input.dtype.name not in ("int64", "int32"):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for embedding_bag)")
    idx = input._data.astype(np.int64)
    bad = (idx < 0) | (idx >= weight.shape[0])
    if bad.any():
        raise RuntimeError(f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
                           f"{int(idx[bad][0])}")
    if max_norm is not None:
        from .nn_activations import _embedding_renorm
        _embedding_renorm(weight, input, max_norm, norm_type)
    xp, dt = _xp(idx), weight._data.dtype
    bag, n_bags = _bags(input, offsets, include_last_offset)
    pad = padding_idx + weight.shape[0] if padding_idx is not None and padding_idx < 0 else padding_idx
    keep = (idx != pad).astype(dt)
    gscale = xp.ones(idx.shape, dtype=dt)
    if scale_grad_by_freq:
        # Each row's gradient is divided by a lookup count; PyTorch's kernel takes the count of
        # sorted(indices)[k] for the k-th distinct index (not of the index itself), and so do we.
        uniq = xp.unique(idx)
        counts = xp.bincount(idx, minlength=weight.shape[0])
        gscale = 1 / counts[xp.sort(idx)[xp.searchsorted(uniq, idx)]].astype(dt)
    if mode == "max":
        return apply(_bag_max, (weight,), (idx, bag, keep, n_bags))[0]
    if per_sample_weights is None:
        coef = xp.ones(idx.shape, dtype=dt)
        if mode == "mean":
            counts = xp.bincount(bag, weights=keep, minlength=n_bags)
            coef = (1 / xp.maximum(counts, 1))[bag].astype(dt)
        per_sample_weights = Tensor._make(coef)
    return apply(_bag_sum, (weight, per_sample_weights), (idx, bag, keep, n_bags, gscale))


nn_export(embedding_bag)
