"""nn.functional activations, the softmax family, normalize, linear / bilinear, dropout, embedding, one_hot.

Where PyTorch has a kernel with its own node (EluBackward0, SoftmaxBackward0, ...) there is one declaration
here; where PyTorch's function is a composition (softsign, tanhshrink, softmin, normalize, linear, dropout),
it is the same composition here, so the graph shows the same nodes. In-place variants that PyTorch records
under another node (elu_ -> EluBackward1, threshold_ -> ThresholdBackward1) have their own declaration, with
the formula PyTorch uses (the result, or a copy of the input taken before it is overwritten).
"""
import math
import warnings

import numpy as np

from .._tensor import Tensor, _legacy_name
from ._op import defop, apply, apply_inplace, _xp
from ._args import wrap_dim
from ._register import export, nn_export
from .indexing import _zeros_put_apply
from .linalg import addmm
from .pointwise import threshold_backward


def _float_kernel(x, kernel):
    """PyTorch's CPU kernels for most activations exist for floating dtypes only."""
    if x._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_legacy_name(x.dtype)}\'')


def _run(op, input, params=(), inplace=False, op_=None):
    if inplace:
        return apply_inplace(op_ or op, input, (), params)
    return apply(op, (input,), params)


def _where_const(cond, a, b, like):
    """A constant tensor (no graph): a where cond else b, in like's dtype."""
    return Tensor._make(_xp(cond._data).where(cond._data, a, b).astype(like._data.dtype))


def _erf(xp, x):
    if xp is np:  # NumPy has no erf
        return np.asarray(np.frompyfunc(math.erf, 1, 1)(x), dtype=x.dtype)
    import cupyx.scipy.special
    return cupyx.scipy.special.erf(x)


# ---- the ReLU family ----------------------------------------------------------------------------------
def relu(input, inplace=False):
    if input._data.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return input.relu_() if inplace else input.relu()


def relu_(input):
    return relu(input, inplace=True)


_hardtanh = defop("hardtanh", "HardtanhBackward0",
                  lambda xp, x, min_val, max_val: xp.clip(x, min_val, max_val).astype(x.dtype, copy=False),
                  (lambda g, x, min_val, max_val: g * ((x > min_val) & (x < max_val)),), n_tensors=1,
                  tex=("1 if min < x < max else 0",))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input._data.dtype == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return _run(_hardtanh, input, (min_val, max_val), inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


_LEAKY_INPLACE = ("In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. "
                  "This is caused by calling in-place forward function with a negative slope, please call out-of-place "
                  "version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting "
                  "in-place leakRelu backward calculation with negative slope")


def _leaky_fwd(xp, x, negative_slope):
    return xp.where(x > 0, x, x * negative_slope).astype(x.dtype, copy=False)


def _leaky_grad_result(g, result, negative_slope):
    if negative_slope < 0:  # the sign of the result no longer tells which side x was on
        raise RuntimeError(_LEAKY_INPLACE)
    return g * _where_const(result > 0, 1.0, negative_slope, g)


_leaky_relu = defop("leaky_relu", "LeakyReluBackward0", _leaky_fwd,
                    (lambda g, x, negative_slope: g * _where_const(x > 0, 1.0, negative_slope, g),), n_tensors=1,
                    tex=("1 if x > 0 else slope",))
_leaky_relu_ = defop("leaky_relu_", "LeakyReluBackward1", _leaky_fwd, (_leaky_grad_result,), n_tensors=1,
                     tex=("1 if x > 0 else slope",))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _float_kernel(input, "leaky_relu_cpu")
    return _run(_leaky_relu, input, (negative_slope,), inplace, _leaky_relu_)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


# ---- ELU, SELU, CELU: one kernel, PyTorch's elu(x, alpha, scale, input_scale) ------------------------------
_ELU_INPLACE = ("In-place elu backward calculation is triggered with a negative slope which is not supported. This "
                "is caused by calling in-place forward function with a negative slope, please call out-of-place "
                "version instead.")


def _elu_fwd(xp, x, alpha, scale, input_scale):
    neg = xp.expm1(xp.minimum(x, 0) * input_scale) * (alpha * scale)
    return xp.where(x > 0, x * scale, neg).astype(x.dtype, copy=False)


# The x <= 0 branch is taken at 0, but PyTorch's second derivative there is 0: hence masked_fill(>= 0) inside
def _elu_grad(g, x, alpha, scale, input_scale):
    neg = (x.masked_fill(x >= 0, 0) * input_scale).exp() * (alpha * scale * input_scale)
    return g * neg.masked_fill(x > 0, scale)


def _elu_grad_result(g, result, alpha, scale, input_scale):
    """In place only the result is left: for x <= 0, d/dx = input_scale * (result + alpha * scale)."""
    if alpha < 0:
        raise RuntimeError(_ELU_INPLACE)
    return g * ((result.masked_fill(result >= 0, 0) + alpha * scale) * input_scale).masked_fill(result > 0, scale)


_elu = defop("elu", "EluBackward0", _elu_fwd, (_elu_grad,), n_tensors=1, tex=("1 if x > 0 else α·eˣ",))
_elu_ = defop("elu_", "EluBackward1", _elu_fwd, (_elu_grad_result,), n_tensors=1, tex=("1 if x > 0 else α·eˣ",))
_celu = defop("celu", "CeluBackward0", _elu_fwd, (_elu_grad,), n_tensors=1, tex=("1 if x > 0 else e^{x/α}",))
_celu_ = defop("celu_", "CeluBackward1", _elu_fwd, (_elu_grad_result,), n_tensors=1,
               tex=("1 if x > 0 else e^{x/α}",))
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def elu(input, alpha=1.0, inplace=False):
    _float_kernel(input, "elu_cpu")
    return _run(_elu, input, (alpha, 1.0, 1.0), inplace, _elu_)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    _float_kernel(input, "elu_cpu")
    return _run(_elu, input, (_SELU_ALPHA, _SELU_SCALE, 1.0), inplace, _elu_)


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    _float_kernel(input, "elu_cpu")
    return _run(_celu, input, (alpha, 1.0, 1.0 / alpha), inplace, _celu_)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


# ---- smooth activations ----------------------------------------------------------------------------------
_SQRT_2PI = math.sqrt(2 * math.pi)
_ndtr = defop("ndtr", "SpecialNdtrBackward0", lambda xp, x: 0.5 * (1 + _erf(xp, x * math.sqrt(0.5))),
              (lambda g, x: g * (x * x * -0.5).exp() / _SQRT_2PI,), tex=("φ(x)",))
_GELU_K, _GELU_C = math.sqrt(2 / math.pi), 0.044715


def _gelu_fwd(xp, x, approximate):
    if approximate == "tanh":
        return 0.5 * x * (1 + xp.tanh(_GELU_K * (x + _GELU_C * x * x * x)))
    return x * (0.5 * (1 + _erf(xp, x * math.sqrt(0.5))))


def _gelu_grad(g, x, approximate):
    if approximate == "tanh":
        t = ((x + x * x * x * _GELU_C) * _GELU_K).tanh()
        return g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * (x * x * (3 * _GELU_C) + 1) * _GELU_K)
    return g * (apply(_ndtr, (x,)) + x * (x * x * -0.5).exp() / _SQRT_2PI)


_gelu = defop("gelu", "GeluBackward0", _gelu_fwd, (_gelu_grad,), n_tensors=1, tex=("Φ(x) + x·φ(x)",))


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_kernel(input, "GeluKernelImpl")
    return apply(_gelu, (input,), (approximate,))


def _silu_grad(g, x):
    s = x.sigmoid()
    return g * (s * (x * (1 - s) + 1))


_silu = defop("silu", "SiluBackward0", lambda xp, x: x / (1 + xp.exp(-x)), (_silu_grad,),
              tex=("σ(x)(1 + x(1 - σ(x)))",))


def silu(input, inplace=False):
    _float_kernel(input, "silu_cpu")
    return _run(_silu, input, (), inplace)


def _softplus_fwd(xp, x, beta, threshold):
    bx = x * beta
    return xp.where(bx > threshold, x, xp.logaddexp(0, bx) / beta).astype(x.dtype, copy=False)


_softplus = defop("softplus", "SoftplusBackward0", _softplus_fwd,
                  (lambda g, x, beta, threshold: g * (x * beta).sigmoid().masked_fill(x * beta > threshold, 1),),
                  n_tensors=1, tex=("σ(βx)",))


def softplus(input, beta=1.0, threshold=20.0):
    _float_kernel(input, "softplus_cpu")
    return apply(_softplus, (input,), (beta, threshold))


def _mish_grad(g, x):
    t = softplus(x).tanh()
    return g * (t + x * x.sigmoid() * (1 - t * t))


_mish = defop("mish", "MishBackward0", lambda xp, x: x * xp.tanh(xp.logaddexp(0, x)), (_mish_grad,),
              tex=("tanh(sp(x)) + x·σ(x)(1 - tanh²(sp(x)))",))


def mish(input, inplace=False):
    _float_kernel(input, "mish_cpu")
    return _run(_mish, input, (), inplace)


_logsigmoid = defop("log_sigmoid", "LogSigmoidBackward0", lambda xp, x: -xp.logaddexp(0, -x),
                    (lambda g, x: g * (-x).sigmoid(),), tex=("σ(-x)",))


def logsigmoid(input):
    _float_kernel(input, "log_sigmoid_cpu")
    return apply(_logsigmoid, (input,))


def softsign(input):
    return input / (input.abs() + 1)


def tanhshrink(input):
    return input - input.tanh()


# ---- piecewise linear ----------------------------------------------------------------------------------
_hardsigmoid = defop("hardsigmoid", "HardsigmoidBackward0",
                     lambda xp, x: (xp.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False),
                     (lambda g, x: g * ((x > -3) & (x < 3)) / 6,), tex=("1/6 if -3 < x < 3 else 0",))


def hardsigmoid(input, inplace=False):
    _float_kernel(input, "hardsigmoid_cpu")
    return _run(_hardsigmoid, input, (), inplace)


def _hardswish_grad(g, x):
    return g * ((x / 3 + 0.5) * ((x > -3) & (x < 3)) + (x >= 3))


_hardswish = defop("hardswish", "HardswishBackward0",
                   lambda xp, x: (x * xp.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False), (_hardswish_grad,),
                   tex=("0 if x ≤ -3, x/3 + 1/2 if x < 3, else 1",))


def hardswish(input, inplace=False):
    _float_kernel(input, "hardswish_cpu")
    return _run(_hardswish, input, (), inplace)


def _softshrink_fwd(xp, x, lambd):
    return xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, 0)).astype(x.dtype, copy=False)


_softshrink = defop("softshrink", "SoftshrinkBackward0", _softshrink_fwd,
                    (lambda g, x, lambd: g * ((x > lambd) | (x < -lambd)),), n_tensors=1,
                    tex=("1 if |x| > λ else 0",))
_hardshrink = defop("hardshrink", "HardshrinkBackward0",
                    lambda xp, x, lambd: xp.where((x >= -lambd) & (x <= lambd), 0, x).astype(x.dtype, copy=False),
                    (lambda g, x, lambd: g * ((x > lambd) | (x < -lambd)),), n_tensors=1,
                    tex=("1 if |x| > λ else 0",))


def softshrink(input, lambd=0.5):
    _float_kernel(input, "softshrink_check")
    if lambd < 0:
        top = np.finfo(input._data.dtype).max
        raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype {_legacy_name(input.dtype)}, but "
                           f"found {lambd:g}")
    return apply(_softshrink, (input,), (lambd,))


def hardshrink(input, lambd=0.5):
    _float_kernel(input, "hardshrink_cpu")
    return apply(_hardshrink, (input,), (lambd,))


def _threshold_fwd(xp, x, threshold, value):
    return xp.where(x > threshold, x, value).astype(x.dtype, copy=False)


_threshold = defop("threshold", "ThresholdBackward0", _threshold_fwd,
                   (lambda g, x, threshold: threshold_backward(g, x, threshold),), n_tensors=1,
                   tex=("1 if x > threshold else 0",))
_threshold_ = defop("threshold_", "ThresholdBackward1", _threshold_fwd,
                    (lambda g, x, threshold: threshold_backward(g, x, threshold),), n_tensors=1,
                    tex=("1 if x > threshold else 0",))


def threshold(input, threshold, value, inplace=False):
    return _run(_threshold, input, (threshold, value), inplace, _threshold_)


def threshold_(input, threshold, value):
    return apply_inplace(_threshold_, input, (), (threshold, value))


# ---- gated and parametric --------------------------------------------------------------------------------
def _glu_fwd(xp, x, dim):
    a, b = xp.split(x, 2, axis=dim)
    return a / (1 + xp.exp(-b))


def _glu_grad(g, x, dim):
    from .shape import cat
    n = x.shape[dim] // 2
    a, b = x.narrow(dim, 0, n), x.narrow(dim, n, n)
    s = b.sigmoid()
    return cat([g * s, g * a * s * (1 - s)], dim)


_glu = defop("glu", "GluBackward0", _glu_fwd, (_glu_grad,), n_tensors=1, tex=("[σ(b), a·σ(b)(1 - σ(b))]",))


def glu(input, dim=-1):
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, nd)
    n = input._data.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    _float_kernel(input, "glu_cpu")
    return apply(_glu, (input,), (d,))


_prelu = defop("_prelu_kernel", "PreluKernelBackward0", lambda xp, x, w: xp.where(x > 0, x, w * x),
               (lambda g, x, w: (g * w).masked_fill(x > 0, 0) + g.masked_fill(x <= 0, 0),
                lambda g, x: (g * x).masked_fill(x >= 0, 0)), tex=("1 if x > 0 else w", "0 if x > 0 else x"))


def prelu(input, weight):
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_legacy_name(input.dtype)} and "
                           f"{_legacy_name(weight.dtype)}")
    nd = input._data.ndim
    if weight._data.size != 1:
        if nd == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input._data.shape[1] if nd > 1 else 1
        if channels != weight._data.size:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{weight._data.size} and channel size = {channels}.")
    if weight._data.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight._data.ndim}")
    if nd != weight._data.ndim:  # broadcast the weight over the channel dim
        weight = weight.reshape([1, weight._data.size] + [1] * (nd - 2) if nd > 1 else [1] * nd)
    _float_kernel(input, "prelu_cpu")
    return apply(_prelu, (input, weight))


# ---- the softmax family ------------------------------------------------------------------------------------
def _softmax_fwd(xp, x, dim):
    if x.size == 0:
        return x.copy()
    e = xp.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _log_softmax_fwd(xp, x, dim):
    if x.size == 0:
        return x.copy()
    s = x - x.max(axis=dim, keepdims=True)
    return s - xp.log(xp.exp(s).sum(axis=dim, keepdims=True))


_softmax = defop("softmax", "SoftmaxBackward0", _softmax_fwd,
                 (lambda g, result, dim: result * (g - (g * result).sum(dim, keepdim=True)),), n_tensors=1,
                 tex=("diag(s) - s·sᵀ",))
_log_softmax = defop("log_softmax", "LogSoftmaxBackward0", _log_softmax_fwd,
                     (lambda g, result, dim: g - result.exp() * g.sum(dim, keepdim=True),), n_tensors=1,
                     tex=("I - 1·sᵀ",))


def _softmax_apply(op, kernel, input, dim, dtype):
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{kernel}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}")
    from .._creation import _resolve_dtype
    dtype = _resolve_dtype(dtype)
    if dtype is not None:
        input = input.to(dtype)
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    if input._data.dtype.kind not in "fc":
        last = "lastdim_" if d == max(nd - 1, 0) else ""
        _float_kernel(input, f"{kernel}_{last}kernel_impl")
    return apply(op, (input,), (d if nd else None,))  # a 0-d input reduces over everything


def _implicit_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an "
                  "argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim, dtype=None):
    return _softmax_apply(_softmax, "softmax", input, dim, dtype)


def log_softmax(input, dim, dtype=None):
    return _softmax_apply(_log_softmax, "log_softmax", input, dim, dtype)


def _F_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _implicit_dim("softmax", input._data.ndim, _stacklevel)
    return softmax(input, dim, dtype)


def _F_log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _implicit_dim("log_softmax", input._data.ndim, _stacklevel)
    return log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _implicit_dim("softmin", input._data.ndim, _stacklevel)
    return softmax(-input, dim, dtype)


# ---- normalize, linear, bilinear --------------------------------------------------------------------------
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    from .nn_losses import vector_norm  # input.norm(p, dim) is linalg.vector_norm in PyTorch
    denom = vector_norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def linear(input, weight, bias=None):
    nd = input._data.ndim
    if nd == 0 or weight._data.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {nd}D and "
                           f"{weight._data.ndim}D")
    if nd == 2 and bias is not None:
        return addmm(bias, input, weight.t())
    if bias is not None and bias._data.ndim == 1 and input._data.flags.c_contiguous:
        # PyTorch folds contiguous N-d input into one addmm and views the result back
        lead = input._data.shape[:-1]
        out = addmm(bias, input.reshape(int(np.prod(lead)), input._data.shape[-1]), weight.t())
        return out.view(lead + (out._data.shape[1],))
    out = input.matmul(weight.t())
    return out.add_(bias) if bias is not None else out


def _trilinear_grad_x1(g, w, x2):
    o, i, j = w.shape
    m = x2.matmul(w.reshape(o * i, j).t()).reshape(x2.shape[0], o, i)  # m[b,o,i] = Σ_j w[o,i,j] x2[b,j]
    return g.unsqueeze(1).matmul(m).squeeze(1)


def _trilinear_grad_x2(g, x1, w):
    o, i, j = w.shape
    n = x1.matmul(w.transpose(0, 1).reshape(i, o * j)).reshape(x1.shape[0], o, j)  # Σ_i x1[b,i] w[o,i,j]
    return g.unsqueeze(1).matmul(n).squeeze(1)


def _trilinear_grad_w(g, x1, x2):
    b, i, j = x1.shape[0], x1.shape[1], x2.shape[1]
    outer = (x1.unsqueeze(2) * x2.unsqueeze(1)).reshape(b, i * j)
    return g.t().mm(outer).reshape(g.shape[1], i, j)


# out[b, o] = Σ_ij x1[b, i] w[o, i, j] x2[b, j]; PyTorch's _trilinear with bilinear's index lists
_trilinear = defop("_trilinear", "TrilinearBackward0", lambda xp, x1, w, x2: xp.einsum("bi,oij,bj->bo", x1, w, x2),
                   (_trilinear_grad_x1, _trilinear_grad_w, _trilinear_grad_x2),
                   tex=("W·x₂", "x₁⊗x₂", "x₁ᵀ·W"))


def bilinear(input1, input2, weight, bias=None):
    s1, s2, sw = input1._data.shape, input2._data.shape, weight._data.shape
    if len(s1) != len(s2):
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {len(s1)} and {len(s2)}")
    for i, (a, b) in enumerate(zip(s1[:-1], s2[:-1])):
        if a != b:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got {a} and {b}")
    if s1[-1] != sw[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {s1[-1]} but expected {sw[1]}")
    if s2[-1] != sw[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {s2[-1]} but expected {sw[2]}")
    if bias is not None and bias._data.shape[0] != sw[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias._data.shape[0]} but "
                           f"expected {sw[0]}")
    out = apply(_trilinear, (input1.reshape(-1, s1[-1]), weight, input2.reshape(-1, s2[-1])))
    out = out.reshape(s1[:-1] + (sw[0],))
    return out + bias if bias is not None else out


# ---- dropout ------------------------------------------------------------------------------------------------
_ALPHA_DROPOUT = 1.7580993408473766


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise(input, p):
    """A 0/1 mask with P(1) = 1 - p, from chainrule's generator, in input's dtype and device."""
    from .._creation import _rng
    keep = _rng(None).random(input._data.shape) >= p
    t = Tensor._make(keep.astype(input._data.dtype))
    return t if input.device.type == "cpu" else t.to(input.device)


def _dropout_impl(input, p, train, inplace, alpha):
    """PyTorch's _dropout_impl: input * noise (plus a shift for alpha dropout)."""
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p:g}")
    if p == 0 or not train or input._data.size == 0:
        return input
    if p == 1:
        zero = Tensor._make(_xp(input._data).zeros((), input._data.dtype))
        return input.mul_(zero) if inplace else input * zero
    noise = _noise(input, p)
    if alpha:
        a = 1.0 / math.sqrt((_ALPHA_DROPOUT ** 2 * p + 1) * (1 - p))
        b = (noise - 1) * (_ALPHA_DROPOUT * a) + _ALPHA_DROPOUT * a * p
        noise = noise * a
        return input.mul_(noise).add_(b) if inplace else input * noise + b
    noise = noise / (1 - p)
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, True)


def _torch_dropout(input, p, train):
    return _dropout_impl(input, p, train, False, False)


def _torch_dropout_(input, p, train):
    return _dropout_impl(input, p, train, True, False)


def _torch_alpha_dropout(input, p, train):
    return _dropout_impl(input, p, train, False, True)


def _torch_alpha_dropout_(input, p, train):
    return _dropout_impl(input, p, train, True, True)


# ---- embedding, one_hot --------------------------------------------------------------------------------------
def _embedding_grad(g, weight_shape, indices, padding_idx, scale_grad_by_freq):
    if padding_idx >= 0:
        g = g.masked_fill((indices == padding_idx)[..., None], 0)
    if scale_grad_by_freq:
        counts = _xp(indices).bincount(indices.ravel(), minlength=weight_shape[0])[indices]
        g = g / Tensor._make(counts[..., None].astype(g._data.dtype))
    return _zeros_put_apply(g, weight_shape, (indices,))


_embedding = defop("embedding", "EmbeddingBackward0",
                   lambda xp, weight, indices, padding_idx, scale_grad_by_freq: weight[indices],
                   (_embedding_grad,), n_tensors=1, tex=("1 at the looked-up rows",), saved_params=("indices",))


def embedding_op(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """torch.embedding(weight, indices, ...): rows of weight; padding_idx < 0 means none."""
    if indices._data.dtype not in (np.int64, np.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got chainrule.{indices.dtype.tensor_type} instead (while checking "
                           "arguments for embedding)")
    if weight._data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = indices._data.astype(np.int64)
    n = weight._data.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    return apply(_embedding, (weight,), (idx, padding_idx, scale_grad_by_freq))


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    n = weight._data.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        _embedding_renorm(weight, input, max_norm, norm_type)
    return embedding_op(weight, input, padding_idx, scale_grad_by_freq, sparse)


def _embedding_renorm(weight, indices, max_norm, norm_type):
    """PyTorch's embedding_renorm_ under no_grad: rows looked up whose norm exceeds max_norm are scaled down."""
    w = weight._data
    xp = _xp(w)
    rows = xp.unique(indices._data.ravel())
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    w[rows] = (w[rows] * scale[:, None]).astype(w.dtype)
    weight._bump()


def one_hot(tensor, num_classes=-1):
    x = tensor._data
    if x.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if x.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(x.max()) + 1
    if x.size and x.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if x.size and x.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((x[..., None] == _xp(x).arange(num_classes)).astype(np.int64))


# ---- publishing ------------------------------------------------------------------------------------------------
for _f in (relu, relu_, relu6, hardtanh, hardtanh_, leaky_relu, leaky_relu_, elu, elu_, selu, selu_, celu, celu_,
           gelu, silu, mish, softplus, logsigmoid, softsign, tanhshrink, hardsigmoid, hardswish, softshrink,
           hardshrink, threshold, threshold_, glu, prelu, softmin, normalize, linear, bilinear, dropout,
           alpha_dropout, embedding, one_hot):
    nn_export(_f)
nn_export(_F_softmax, "softmax")
nn_export(_F_log_softmax, "log_softmax")
nn_export(Tensor.sigmoid, "sigmoid")
nn_export(Tensor.tanh, "tanh")

export(softmax)
export(log_softmax)
export(hardshrink)
export(prelu)
for _f in (selu, selu_, celu, celu_, threshold, threshold_, bilinear):
    export(_f, method=False)
export(relu_, method=False)
export(_torch_dropout, "dropout", method=False)
export(_torch_dropout_, "dropout_", method=False)
export(_torch_alpha_dropout, "alpha_dropout", method=False)
export(_torch_alpha_dropout_, "alpha_dropout_", method=False)
export(embedding_op, "embedding", method=False)
