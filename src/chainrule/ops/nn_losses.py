"""nn.functional losses, cosine_similarity and pairwise_distance.

Losses with a kernel of their own in PyTorch (mse_loss, smooth_l1_loss, huber_loss, binary_cross_entropy[_with_logits],
soft_margin_loss, nll_loss, nll_loss2d) are one declaration each, reduction included; the others are the same
compositions PyTorch's C++ and Python code use (cross_entropy = log_softmax + nll_loss, kl_div, hinge, cosine and
triplet losses, ...), so they record the same nodes. C++ composites call the Scalar overloads of add/sub/mul/div,
which PyTorch records as AddBackward1 etc., hence the small scalar ops below.
"""
import math
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _legacy_name
from ..autograd.grad_mode import state as _grad_state, no_grad
from ._op import defop, apply, _xp
from ._args import promote, broadcast_error, dims
from ._register import export, nn_export
from .indexing import _zeros_put_apply
from .nn_activations import log_softmax, logsigmoid, _float_kernel

_NONE, _MEAN, _SUM = 0, 1, 2


# ---- reduction arguments -----------------------------------------------------------------------------------------
def _get_enum(reduction):
    if reduction == "none":
        return _NONE
    if reduction == "mean":
        return _MEAN
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.", stacklevel=3)
        return _MEAN
    if reduction == "sum":
        return _SUM
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_string(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  stacklevel=3)
    return ret


def _enum(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = _legacy_string(size_average, reduce)
    return _get_enum(reduction)


def _reduce_fwd(xp, loss, reduction):
    if reduction == _MEAN:
        return xp.sum(loss) / loss.size  # nan for an empty input, as in PyTorch
    return xp.sum(loss) if reduction == _SUM else loss


def _unreduce(g, shape, reduction):
    """The gradient of the reduction: g broadcast back to the elementwise loss's shape."""
    if reduction == _NONE:
        return g
    g = g.expand(shape)
    return g / max(int(np.prod(shape)), 1) if reduction == _MEAN else g


def _apply_reduction(loss, reduction):
    return loss.mean() if reduction == _MEAN else loss.sum() if reduction == _SUM else loss


def _no_grad_arg(t, arg, fn):
    if t is not None and t.requires_grad and _grad_state.enabled:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument '{arg}'. This input "
                           "cannot have requires_grad True.")


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=3)


def _broadcast(*ts):
    """torch.broadcast_tensors: expand the tensors whose shape differs from the common one."""
    shapes = [t._data.shape for t in ts]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise broadcast_error(shapes[0], shapes[1]) from None
    return [t if t._data.shape == shape else t.expand(shape) for t in ts]


def _const(arr):
    return Tensor._make(arr)


# ---- the Scalar overloads C++ composites call, and other ops they record -----------------------------------------
_add_s = defop("add", "AddBackward1", lambda xp, x, other: x + other, (lambda g: g,), n_tensors=1, tex=("1",))
_sub_s = defop("sub", "SubBackward1", lambda xp, x, other: x - other, (lambda g: g,), n_tensors=1, tex=("1",))
_mul_s = defop("mul", "MulBackward1", lambda xp, x, other: x * other, (lambda g, other: g * other,), n_tensors=1,
               tex=("c",))
_div_s = defop("div", "DivBackward1", lambda xp, x, other: x / other, (lambda g, other: g / other,), n_tensors=1,
               tex=("1/c",))


_fill_nan = defop("fill_", "FillBackward2", lambda xp, x: xp.full_like(x, np.nan), (lambda g: g * 0,), tex=("0",))


def _scalar(op, x, c):
    a, _, da, _ = promote(x, c)
    return apply(op, (a,), (c,), (da,))


def _where_fwd(xp, a, b, cond):
    return xp.where(cond, a, b)


_where_op = defop("where", "WhereBackward0", _where_fwd,
               (lambda g, cond: g.masked_fill(~cond, 0), lambda g, cond: g.masked_fill(cond, 0)), n_tensors=2,
               tex=("1 where cond", "1 where not cond"))


def _where(cond, a, b):
    """torch.where(cond, a, b) for a bool tensor cond (WhereBackward0)."""
    a, b, da, db = promote(a, b)
    return apply(_where_op, (a, b), (cond._data,), (da, db))


def _xlogy_fwd(xp, x, y):
    return xp.where((x == 0) & ~xp.isnan(y), 0, x * xp.log(y)).astype(x.dtype, copy=False)


_xlogy = defop("xlogy", "XlogyBackward0", _xlogy_fwd,
               (lambda g, x, y: g * apply(_xlogy, ((x != 0).to(y.dtype), y)), lambda g, x, y: g * x / y),
               tex=("log(y)", "x/y"))


# ---- norms: LinalgVectorNormBackward0 (linalg.vector_norm) and NormBackward1 (at::norm with p and dim) -----------
def _norm_fwd(xp, x, p, dim, keepdim):
    a = xp.abs(x)
    if p == 2:
        out = xp.sqrt(xp.sum(a * a, axis=dim, keepdims=keepdim))
    elif p == 1:
        out = xp.sum(a, axis=dim, keepdims=keepdim)
    elif p == math.inf:
        out = xp.max(a, axis=dim, keepdims=keepdim)
    elif p == -math.inf:
        out = xp.min(a, axis=dim, keepdims=keepdim)
    elif p == 0:
        out = xp.sum(a != 0, axis=dim, keepdims=keepdim)
    else:
        out = xp.sum(a ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)
    return xp.asarray(out).astype(x.dtype, copy=False)


def _norm_grad(g, x, result, p, dim, keepdim):
    """PyTorch's norm_backward."""
    if not keepdim and x.dim():
        for d in dim:
            g, result = g.unsqueeze(d), result.unsqueeze(d)
    if p == 0:
        return None
    if p == 1:
        return x.sign() * g
    if p == 2:
        return g * (x / result).masked_fill(result == 0, 0)
    if math.isinf(p):
        mask = x.abs() == result
        return x.sign() * ((g / mask.sum(dim, keepdim=True)) * mask)
    if p < 1:
        return x.sign() * x.abs().pow(p - 1).masked_fill(x == 0, 0) * g * result.pow(1 - p)
    scaled = x.sign() * x.abs().pow(p - 1) if p < 2 else x * x.abs().pow(p - 2)
    return scaled * (g / result.pow(p - 1)).masked_fill(result == 0, 0)


_vector_norm_op = defop("linalg_vector_norm", "LinalgVectorNormBackward0", _norm_fwd, (_norm_grad,), n_tensors=1,
                        tex=("x·|x|^{p-2} / ‖x‖^{p-1}",))
_norm_op = defop("norm", "NormBackward1", _norm_fwd, (_norm_grad,), n_tensors=1, tex=("x·|x|^{p-2} / ‖x‖^{p-1}",))


def _norm_apply(op, x, p, dim, keepdim):
    nd = x._data.ndim
    d = dims(dim, nd) if nd else ()
    return apply(op, (x,), (float(p), d, keepdim))


def vector_norm(x, ord=2, dim=None, keepdim=False):
    if x._data.dtype.kind not in "fc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_legacy_name(x.dtype)}")
    return _norm_apply(_vector_norm_op, x, ord, dim, keepdim)


# ---- mse, l1, smooth l1, huber -----------------------------------------------------------------------------------
_mse = defop("mse_loss", "MseLossBackward0", lambda xp, x, t, reduction: _reduce_fwd(xp, (x - t) ** 2, reduction),
             (lambda g, x, t, x_shape, reduction: _unreduce(g, x_shape, reduction) * (x - t) * 2,
              lambda g, x, t, x_shape, reduction: _unreduce(g, x_shape, reduction) * (x - t) * -2),
             n_tensors=2, tex=("2(x - t)", "-2(x - t)"))


def _smooth_l1_elem(xp, d, beta):
    a = xp.abs(d)
    return xp.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)


def _smooth_l1_grad(g, x, t, x_shape, reduction, beta):
    d = x - t  # clipped with masked_fill: PyTorch's second derivative is 0 at |d| = beta
    return _unreduce(g, x_shape, reduction) * (d / beta).masked_fill(d >= beta, 1).masked_fill(d <= -beta, -1)


_smooth_l1 = defop("smooth_l1_loss", "SmoothL1LossBackward0",
                   lambda xp, x, t, reduction, beta: _reduce_fwd(xp, _smooth_l1_elem(xp, x - t, beta), reduction),
                   (_smooth_l1_grad, lambda g, x, t, x_shape, reduction, beta: -_smooth_l1_grad(
                       g, x, t, x_shape, reduction, beta)), n_tensors=2, tex=("clamp((x - t)/β, -1, 1)",) * 2)


def _huber_elem(xp, d, delta):
    a = xp.abs(d)
    return xp.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


def _huber_grad(g, x, t, x_shape, reduction, delta):
    d = x - t
    return _unreduce(g, x_shape, reduction) * d.masked_fill(d >= delta, delta).masked_fill(d <= -delta, -delta)


_huber = defop("huber_loss", "HuberLossBackward0",
               lambda xp, x, t, reduction, delta: _reduce_fwd(xp, _huber_elem(xp, x - t, delta), reduction),
               (_huber_grad, lambda g, x, t, x_shape, reduction, delta: -_huber_grad(g, x, t, x_shape, reduction,
                                                                                     delta)),
               n_tensors=2, tex=("clamp(x - t, -δ, δ)",) * 2)


def _pointwise_loss(op, kernel, input, target, params):
    x, t = _broadcast(input, target)
    x, t, dx, dt = promote(x, t)
    if dx.dtype.kind not in "fc":
        _float_kernel(x, kernel)
    return apply(op, (x, t), params, (dx, dt))


def _weighted(loss, weight, reduction):
    """mse_loss / l1_loss with a weight: PyTorch's Python path."""
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_string(size_average, reduce)
    if weight is not None:
        x, t = _broadcast(input, target)
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        return _weighted((x - t).pow(2), weight, reduction)
    return _pointwise_loss(_mse, "mse_cpu", input, target, (_get_enum(reduction),))


def _l1(input, target, reduction):
    x, t = _broadcast(input, target)
    return _apply_reduction((x - t).abs(), reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_string(size_average, reduce)
    if weight is not None:
        x, t = _broadcast(input, target)
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        return _weighted((x - t).abs(), weight, reduction)
    return _l1(input, target, _get_enum(reduction))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_string(size_average, reduce)
    if beta == 0.0:
        return _l1(input, target, _get_enum(reduction))
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _pointwise_loss(_smooth_l1, "smooth_l1_cpu", input, target, (_get_enum(reduction), beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _size_warning(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is None:
        return _pointwise_loss(_huber, "huber_cpu", input, target, (_get_enum(reduction), delta))
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = _pointwise_loss(_huber, "huber_cpu", input, target, (_NONE, delta)) * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


# ---- binary cross entropy ----------------------------------------------------------------------------------------
def _bce_fwd(xp, x, t, weight, reduction):
    loss = (t - 1) * xp.maximum(xp.log1p(-x), -100) - t * xp.maximum(xp.log(x), -100)
    if weight is not None:
        loss = loss * weight
    return _reduce_fwd(xp, loss, reduction)


def _weighted_grad(g, shape, weight, reduction):
    """The incoming gradient of a weighted elementwise loss, before its local derivative."""
    w = _unreduce(g, shape, reduction)
    return w * _const(weight) if weight is not None else w


def _bce_grad_input(g, x, t, weight, reduction):
    return _weighted_grad(g, x.shape, weight, reduction) * (x - t) / ((1 - x) * x).clamp(min=1e-12)


def _bce_grad_target(g, x, weight, reduction):
    return _weighted_grad(g, x.shape, weight, reduction) * ((1 - x) / x).log()  # -logit(x)


_bce = defop("binary_cross_entropy", "BinaryCrossEntropyBackward0", _bce_fwd, (_bce_grad_input, _bce_grad_target),
             n_tensors=2, tex=("(x - t) / (x(1 - x))", "-logit(x)"))


def _check_size(input, target, msg):
    if target.shape != input.shape:
        raise ValueError(msg)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    red = _enum(size_average, reduce, reduction)
    _check_size(input, target, f"Using a target size ({target.shape}) that is different to the input size "
                               f"({input.shape}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        weight = weight.expand(_broadcast_shapes(target.shape, weight.shape))
    _no_grad_arg(weight, "weight", "binary_cross_entropy")
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {_legacy_name(target.dtype)} but expected {_legacy_name(input.dtype)}")
    x = input._data
    if x.size and ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = None
    if weight is not None:
        if weight.shape != input.shape:
            raise RuntimeError(f"output with shape {_shape(input.shape)} doesn't match the broadcast shape "
                               f"{_shape(weight.shape)}")
        w = weight._data.astype(x.dtype, copy=False)
    return apply(_bce, (input, target), (w, red))


def _shape(s):
    return f"[{', '.join(map(str, s))}]"


def _broadcast_shapes(*shapes):
    """torch.broadcast_shapes, with its message."""
    n = max(len(s) for s in shapes)
    out = [1] * n
    for s in shapes:
        for i in range(-1, -len(s) - 1, -1):
            if s[i] != 1 and out[i] == 1:
                out[i] = s[i]
    for k, s in enumerate(shapes):
        for i in range(-1, -len(s) - 1, -1):
            if s[i] != 1 and s[i] != out[i]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {s[i]} at {i}! Mismatching argument "
                                   f"at index {k} had chainrule.Size({list(s)}); but expected shape should be "
                                   f"broadcastable to {list(out)}")
    return tuple(out)


def _bcel_fwd(xp, x, t, weight, pos_weight, reduction):
    log_sig = -xp.logaddexp(0, -x)
    if pos_weight is not None:
        log_sig = log_sig * ((pos_weight - 1) * t + 1)
    loss = (1 - t) * x - log_sig
    if weight is not None:
        loss = loss * weight
    return _reduce_fwd(xp, loss, reduction)


def _bcel_grad_input(g, x, t, weight, pos_weight, reduction):
    w = _weighted_grad(g, _broadcast_shape(x, t, weight, pos_weight), weight, reduction)
    if pos_weight is None:
        return w * (x.sigmoid() - t)
    pt = t * _const(pos_weight)
    return w * ((pt + 1 - t) * x.sigmoid() - pt)


def _bcel_grad_target(g, x, t, weight, pos_weight, reduction):
    w = _weighted_grad(g, _broadcast_shape(x, t, weight, pos_weight), weight, reduction)
    if pos_weight is None:
        return w * -x
    return w * (logsigmoid(-x) - logsigmoid(x) * _const(pos_weight))


def _broadcast_shape(x, t, *arrays):
    return np.broadcast_shapes(x.shape, t.shape, *(a.shape for a in arrays if a is not None))


_bcel = defop("binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0", _bcel_fwd,
              (_bcel_grad_input, _bcel_grad_target), n_tensors=2, tex=("σ(x) - t", "-x"))


def _torch_bce_with_logits(input, target, weight=None, pos_weight=None, reduction=_MEAN):
    _no_grad_arg(weight, "weight", "binary_cross_entropy_with_logits")
    _no_grad_arg(pos_weight, "pos_weight", "binary_cross_entropy_with_logits")
    if target._data.dtype.kind not in "fc":
        raise RuntimeError(f"result type {_legacy_name(input.dtype)} can't be cast to the desired output type "
                           f"{_legacy_name(target.dtype)}")
    x, t, dx, dt = promote(input, target)
    arrays = [None if w is None else w._data.astype(dx.dtype, copy=False) for w in (weight, pos_weight)]
    try:
        np.broadcast_shapes(dx.shape, *(a.shape for a in arrays if a is not None))
    except ValueError:
        other = next(a for a in arrays[::-1] if a is not None)
        raise broadcast_error(other.shape, dx.shape) from None
    return apply(_bcel, (x, t), (*arrays, reduction), (dx, dt))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    red = _enum(size_average, reduce, reduction)
    _check_size(input, target, f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    return _torch_bce_with_logits(input, target, weight, pos_weight, red)


# ---- soft margin -------------------------------------------------------------------------------------------------
def _soft_margin_grad(g, x, target, shape, reduction):
    t = _const(target)
    z = (-t * x).exp()
    return _unreduce(g, shape, reduction) * (-t * z / (1 + z))


_soft_margin = defop("soft_margin_loss", "SoftMarginLossBackward0",
                     lambda xp, x, target, shape, reduction: _reduce_fwd(xp, xp.log1p(xp.exp(-target * x)), reduction),
                     (_soft_margin_grad,), n_tensors=1, tex=("-t·σ(-t·x)",))


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    red = _enum(size_average, reduce, reduction)
    _no_grad_arg(target, "target", "soft_margin_loss")
    x, t, dx, dt = promote(input, target)
    try:
        shape = np.broadcast_shapes(dx.shape, dt.shape)
    except ValueError:
        raise broadcast_error(dx.shape, dt.shape) from None
    return apply(_soft_margin, (x,), (dt, shape, red), (dx,))


# ---- nll_loss and cross_entropy ----------------------------------------------------------------------------------
def _nll_pick(xp, target, weight, ignore_index):
    """The target as safe indices, each element's weight (0 where ignored), the ignored mask."""
    ignored = target == ignore_index
    safe = xp.where(ignored, 0, target)
    w = xp.ones(target.shape) if weight is None else weight[safe]
    return safe, xp.where(ignored, 0, w), ignored


def _nll_fwd(xp, x, target, weight, reduction, ignore_index):
    safe, w, _ = _nll_pick(xp, target, weight, ignore_index)
    if x.ndim == 1:
        picked = x[safe]
    else:
        picked = xp.take_along_axis(x, xp.expand_dims(safe, 1), axis=1).squeeze(1)
    w = w.astype(x.dtype)
    loss = -w * picked
    if reduction == _NONE:
        return loss
    total = xp.sum(loss)
    return total / xp.sum(w) if reduction == _MEAN else total


def _nll_grad(g, x_shape, target, weight, reduction, ignore_index):
    xp = _xp(target)
    safe, w, ignored = _nll_pick(xp, target, weight, ignore_index)
    coef = xp.where(ignored, 0, -w / xp.sum(w)) if reduction == _MEAN else -w
    gc = g * _const(coef.astype(g._data.dtype))  # target's shape, for every reduction
    if len(x_shape) == 1:
        key = (safe,)
    else:
        nd = target.ndim
        grids = [xp.arange(n).reshape((-1,) + (1,) * (nd - i - 1)) for i, n in enumerate(target.shape)]
        key = (grids[0], safe) + tuple(grids[1:])
    return _zeros_put_apply(gc, x_shape, key)


_nll = defop("nll_loss", "NllLossBackward0", _nll_fwd, (_nll_grad,), n_tensors=1, tex=("-w[t] at the target",),
             saved_params=("target",))
_nll2d = defop("nll_loss2d", "NllLoss2DBackward0", _nll_fwd, (_nll_grad,), n_tensors=1,
               tex=("-w[t] at the target",), saved_params=("target",))


def _check_target(target):
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_legacy_name(target.dtype)}")


def _nll_checks(input, target, weight, name):
    _check_target(target)
    if weight is not None and weight._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected scalar type {_legacy_name(input.dtype)} but found {_legacy_name(weight.dtype)}")
    _no_grad_arg(weight, "weight", name)


def _nll_apply(op, input, target, weight, reduction, ignore_index, n_classes):
    t = target._data.astype(np.int64)
    valid = t[t != ignore_index]
    if valid.size and (valid.min() < 0 or valid.max() >= n_classes):
        bad = valid[(valid < 0) | (valid >= n_classes)].ravel()[0]
        raise IndexError(f"Target {int(bad)} is out of bounds.")
    w = None if weight is None else weight._data
    return apply(op, (input,), (t, w, reduction, ignore_index))


def _nll_loss(input, target, weight, reduction, ignore_index):
    """at::nll_loss: 1-d or 2-d input."""
    si, st = input._data.shape, target._data.shape
    if len(st) > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if len(si) == 2 and si[0] != st[0]:
        raise RuntimeError(f"size mismatch (got input: {_shape(si)}, target: {_shape(st)})")
    n = si[-1]
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != n):
        raise RuntimeError(f"weight tensor should be defined either for all {n} classes or no classes but got weight "
                           f"tensor of shape: {_shape(weight.shape)}")
    _nll_checks(input, target, weight, "nll_loss_forward")
    if len(si) == 1 and len(st) == 1:  # a 1-element target for a 1-d input counts as one class index
        target = target.reshape(())
    return _nll_apply(_nll, input, target, weight, reduction, ignore_index, n)


def _nll_loss2d(input, target, weight, reduction, ignore_index):
    si, st = input._data.shape, target._data.shape
    if len(st) != 3:
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got targets of dimension: "
                           f"{len(st)}")
    if weight is not None and weight._data.size != si[1]:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    if (si[0], si[2], si[3]) != st:
        raise RuntimeError(f"size mismatch (got input: {_shape(si)} , target: {_shape(st)}")
    _nll_checks(input, target, weight, "nll_loss2d_forward")
    return _nll_apply(_nll2d, input, target, weight, reduction, ignore_index, si[1])


def _nll_loss_nd(input, target, weight, reduction, ignore_index):
    si, st = input._data.shape, target._data.shape
    if len(si) < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {len(si)})")
    if len(si) != 1 and (len(st) == 0 or si[0] != st[0]):
        raise ValueError(f"Expected input batch_size ({si[0]}) to match target batch_size "
                         f"({st[0] if st else 0}).")
    if len(si) == 1 and len(st) == 1 and st[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {st[0]}")
    if len(si) <= 2:
        return _nll_loss(input, target, weight, reduction, ignore_index)
    if len(si) == 4:
        return _nll_loss2d(input, target, weight, reduction, ignore_index)
    n, c = si[0], si[1]
    out_size = (n,) + si[2:]
    if st[1:] != si[2:]:
        raise RuntimeError(f"Expected target size {_shape(out_size)}, got {_shape(st)}")
    x = input.contiguous()
    t = target.contiguous()
    x = x.view(n, c, 1, -1) if x._data.size else x.view(n, c, 0, 0)
    t = t.view(n, 1, -1) if t._data.size else t.view(n, 0, 0)
    out = _nll_loss2d(x, t, weight, reduction, ignore_index)
    return out if reduction != _NONE else out.view(out_size)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _legacy_string(size_average, reduce)
    return _nll_loss_nd(input, target, weight, _get_enum(reduction), ignore_index)


def _ce_prob_target(input, target, weight, reduction, label_smoothing):
    class_dim = 1 if input._data.ndim > 1 else 0
    n_classes = input._data.shape[class_dim]
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {n_classes} classes or no "
                           f"classes but got weight tensor of shape: {_shape(weight.shape)}")
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        target = _scalar(_add_s, _scalar(_mul_s, target, 1 - label_smoothing), label_smoothing / n_classes)
    prod = logp * target
    if weight is not None:
        _no_grad_arg(weight, "weight", "cross_entropy")
        prod = prod * (weight.view([1, n_classes] + [1] * (input._data.ndim - 2)) if input._data.ndim > 1 else weight)
    if reduction == _MEAN:
        if input._data.size == 0:
            return -apply(_fill_nan, (prod.sum(),))
        return _scalar(_div_s, -prod.sum(), input._data.size // n_classes)
    if reduction == _SUM:
        return -prod.sum()
    return -prod.sum(class_dim)


def _ce_label_smoothing(input, target, weight, reduction, ignore_index, label_smoothing):
    class_dim = 1 if input._data.ndim > 1 else 0
    logp = log_softmax(input, class_dim)
    nll = _nll_loss_nd(logp, target, weight, reduction, ignore_index)
    n_classes = logp._data.shape[class_dim]
    if weight is not None:
        shape = [1] * logp._data.ndim
        shape[class_dim] = weight._data.shape[0]
        smooth = -(logp * weight.view(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    ignore = target == ignore_index
    smooth.masked_fill_(ignore, 0.0)
    if reduction == _MEAN:
        keep = ~ignore._data
        if weight is not None:
            denom = weight._data[target._data[keep].astype(np.int64)].sum()
            ret = smooth.sum() / _const(_xp(denom).asarray(denom))
        else:
            ret = smooth.sum() / _const(_xp(keep).asarray(keep.sum()))
    elif reduction == _SUM:
        ret = smooth.sum()
    else:
        ret = smooth
    return _scalar(_mul_s, nll, 1 - label_smoothing) + _scalar(_mul_s, ret, label_smoothing / n_classes)


def _cross_entropy_loss(input, target, weight, reduction, ignore_index, label_smoothing):
    if input._data.shape == target._data.shape:  # class probabilities
        if target._data.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_legacy_name(target.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
        return _ce_prob_target(input, target, weight, reduction, label_smoothing)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
        return _ce_label_smoothing(input, target, weight, reduction, ignore_index, label_smoothing)
    class_dim = 1 if input._data.ndim > 1 else 0
    return _nll_loss_nd(log_softmax(input, class_dim), target, weight, reduction, ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    if size_average is not None or reduce is not None:
        reduction = _legacy_string(size_average, reduce)
    return _cross_entropy_loss(input, target, weight, _get_enum(reduction), ignore_index, label_smoothing)


# ---- kl_div, poisson and gaussian nll ----------------------------------------------------------------------------
def _torch_kl_div(input, target, reduction=_MEAN, log_target=False):
    if any(t._data.dtype.kind in "biu" for t in (input, target)):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        out = target.exp() * (target - input)
    else:
        out = _xlogy_apply(target, target) - target * input
    return _apply_reduction(out, reduction)


def _xlogy_apply(x, y):
    x, y, dx, dy = promote(x, y)
    return apply(_xlogy, (x, y), (), (dx, dy))


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if size_average is not None or reduce is not None:
        red = _get_enum(_legacy_string(size_average, reduce))
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        red = _SUM if reduction == "batchmean" else _get_enum(reduction)
    out = _torch_kl_div(input, target, red, log_target)
    if reduction == "batchmean" and input._data.ndim != 0:
        out = out / input._data.shape[0]
    return out


def _torch_poisson_nll_loss(input, target, log_input, full, eps, reduction):
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * _scalar(_add_s, input, eps).log()
    if full:
        stirling = target * target.log() - target + _scalar(
            _mul_s, _scalar(_mul_s, target, 2 * math.pi).log(), 0.5)
        loss += stirling.masked_fill(target <= 1, 0)
    return _apply_reduction(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _legacy_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    return _torch_poisson_nll_loss(input, target, log_input, full, eps, _get_enum(reduction))


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * Tensor._make(_xp(input._data).ones_like(input._data))
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.dim() == var.dim() and sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss += 0.5 * math.log(2 * math.pi)
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


# ---- margin and embedding losses ---------------------------------------------------------------------------------
def _torch_margin_ranking_loss(input1, input2, target, margin=0.0, reduction=_MEAN):
    out = _scalar(_add_s, -target * (input1 - input2), margin).clamp_min_(0)
    return _apply_reduction(out, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    red = _enum(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _torch_margin_ranking_loss(input1, input2, target, margin, red)


def _full_like(x, value):
    return Tensor._make(_xp(x._data).full((), value, dtype=x._data.dtype))


def _torch_hinge_embedding_loss(input, target, margin=1.0, reduction=_MEAN):
    zeros = Tensor._make(_xp(input._data).zeros_like(input._data))
    margin_clamp = (_full_like(input, margin) - input).clamp_min_(0)
    out = _where(target != 1, margin_clamp, zeros) + _where(target != -1, input, zeros)
    return _apply_reduction(out, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    return _torch_hinge_embedding_loss(input, target, margin, _enum(size_average, reduce, reduction))


def _torch_cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=_MEAN):
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if td == 1 else 1
    if input1.dim() != want or input2.dim() != want:
        raise RuntimeError(f"{td}D target tensor expects {want}D input tensors, but found inputs with sizes "
                           f"{_shape(input1.shape)} and {_shape(input2.shape)}.")
    eps = 1e-12
    prod_sum = (input1 * input2).sum(td)
    mag1 = _scalar(_add_s, (input1 * input1).sum(td), eps)
    mag2 = _scalar(_add_s, (input2 * input2).sum(td), eps)
    cos = prod_sum / (mag1 * mag2).sqrt_()
    zeros = Tensor._make(_xp(cos._data).zeros_like(cos._data))
    pos = _full_like(cos, 1) - cos
    neg = _scalar(_sub_s, cos, margin).clamp_min_(0)
    out = _where(target == 1, pos, zeros) + _where(target == -1, neg, zeros)
    return _apply_reduction(out, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    return _torch_cosine_embedding_loss(input1, input2, target, margin, _enum(size_average, reduce, reduction))


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    nd = max(x1.dim(), x2.dim())
    return _norm_apply(_norm_op, _scalar(_add_s, x1 - x2, eps), p, nd - 1, keepdim)


def _torch_triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, reduction=_MEAN):
    da, dp, dn = anchor.dim(), positive.dim(), negative.dim()
    if not da == dp == dn:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {da}D, positive {dp}D, and negative {dn}D inputs")
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from .. import minimum
        dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    from .. import clamp_min
    out = clamp_min(_scalar(_add_s, dist_pos, margin) - dist_neg, 0)
    return _apply_reduction(out, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    red = _enum(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _torch_triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, red)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    rt = D.result_type_of((x1._data, x2._data))
    if not rt.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {_legacy_name(rt)}")
    x1 = x1.to(rt) if x1._data.dtype.kind in "biu" else x1
    x2 = x2.to(rt) if x2._data.dtype.kind in "biu" else x2
    if x1.shape != x2.shape:  # expand_outplace: both are expanded
        shape = _broadcast(x1, x2)[0].shape
        x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = vector_norm(x1, 2, dim, True).clone()
    n2 = vector_norm(x2, 2, dim, True).clone()
    with no_grad():
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


# ---- publishing --------------------------------------------------------------------------------------------------
for _f in (mse_loss, l1_loss, smooth_l1_loss, huber_loss, binary_cross_entropy, binary_cross_entropy_with_logits,
           soft_margin_loss, nll_loss, cross_entropy, kl_div, poisson_nll_loss, gaussian_nll_loss, margin_ranking_loss,
           hinge_embedding_loss, cosine_embedding_loss, triplet_margin_loss, cosine_similarity, pairwise_distance):
    nn_export(_f)
for _name, _f in (("binary_cross_entropy_with_logits", _torch_bce_with_logits), ("kl_div", _torch_kl_div),
                  ("poisson_nll_loss", _torch_poisson_nll_loss), ("margin_ranking_loss", _torch_margin_ranking_loss),
                  ("hinge_embedding_loss", _torch_hinge_embedding_loss),
                  ("cosine_embedding_loss", _torch_cosine_embedding_loss),
                  ("triplet_margin_loss", _torch_triplet_margin_loss), ("cosine_similarity", cosine_similarity),
                  ("pairwise_distance", pairwise_distance)):
    export(_f, _name, method=False)
