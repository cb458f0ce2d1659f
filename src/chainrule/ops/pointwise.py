"""Pointwise ops: arithmetic, unary math functions, comparisons."""
import math
import operator

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _check_cast, _c_name, _legacy_name
from ._op import defop, apply, apply_inplace, _xp
from ._args import binary, promote, float_input, as_tensor_like, is_tensor, cast_scalar, py_scalar, checked_scalar
from ._register import export, method, inplace_unary
from . import _errors


def real_only(kernel, f, a, *rest):
    """f(a, *rest) behind PyTorch's dispatch error for complex data (kernel has no complex version)."""
    if a.dtype.kind == "c":
        _errors.not_implemented(kernel, a.dtype)
    return f(a, *rest)


def no_complex(name, *tensors):
    """PyTorch's check of maximum, minimum, fmax, fmin: complex operands are refused before anything else."""
    if any(is_tensor(t) and t._data.dtype.kind == "c" for t in tensors):
        raise RuntimeError(f"{name} not implemented for complex tensors.")


def complex_error(exc, message):
    """A dtype check for an op that refuses complex input with a message of its own."""
    def check(t):
        if t._data.dtype.kind == "c":
            raise exc(message.replace("torch.", "chainrule."))
    return check


def checks(*fs):
    """Several dtype checks, in PyTorch's order."""
    def check(t):
        for f in fs:
            f(t)
    return check


# ---- unary ops: one line of declaration each ---------------------------------------------
def _unary(name, node, fwd, grad, tex, float_op=True, inplace=True, check=None):
    """check(input): raises PyTorch's error for a dtype the op does not take."""
    op = defop(name, node, fwd, (grad,), tex=(tex,))

    def arrays(input):
        if check is not None:
            check(input)
        ft = float_input(input) if float_op else None
        return None if ft is None else (input._data.astype(ft),)

    def fn(input):
        return apply(op, (input,), (), arrays(input))
    fn.__name__ = name
    export(fn)
    if inplace:
        inplace_unary(op, name + "_", arrays)
    return op


_unary("neg", "NegBackward0", lambda xp, x: -x, lambda g: -g, "-1", float_op=False, check=_errors.no_bool(
    "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the "
    "`~` or `logical_not()` operator instead."))
_unary("exp", "ExpBackward0", lambda xp, x: xp.exp(x), lambda g, result: g * result, "e^{x}")
_unary("log", "LogBackward0", lambda xp, x: xp.log(x), lambda g, x: g / x, "1/x")
_unary("sqrt", "SqrtBackward0", lambda xp, x: xp.sqrt(x), lambda g, result: g / (2 * result), "1/(2√x)")
_unary("sin", "SinBackward0", lambda xp, x: xp.sin(x), lambda g, x: g * x.cos(), "cos(x)")
_unary("cos", "CosBackward0", lambda xp, x: xp.cos(x), lambda g, x: -g * x.sin(), "-sin(x)")
# tanh's and sigmoid's gradients are ops of their own, as in PyTorch (TanhBackwardBackward0 under create_graph)
_tanh_backward = defop(
    "tanh_backward", "TanhBackwardBackward0",
    lambda xp, grad_output, output: (grad_output * (1 - output * output)).astype(grad_output.dtype, copy=False),
    (lambda g, output: tanh_backward(g, output), lambda g, grad_output, output: g * (-2 * output * grad_output)),
    tex=("1 - y²", "-2·y·g"))
_sigmoid_backward = defop(
    "sigmoid_backward", "SigmoidBackwardBackward0",
    lambda xp, grad_output, output: (grad_output * (1 - output) * output).astype(grad_output.dtype, copy=False),
    (lambda g, output: sigmoid_backward(g, output), lambda g, grad_output, output: g * grad_output * (-2 * output + 1)),
    tex=("y(1 - y)", "g(1 - 2y)"))


def tanh_backward(grad_output, output):
    return apply(_tanh_backward, (grad_output, output))


def sigmoid_backward(grad_output, output):
    return apply(_sigmoid_backward, (grad_output, output))


_unary("tanh", "TanhBackward0", lambda xp, x: xp.tanh(x), lambda g, result: tanh_backward(g, result),
       "1 - tanh²(x)")
_unary("sigmoid", "SigmoidBackward0", lambda xp, x: 1 / (1 + xp.exp(-x)),
       lambda g, result: sigmoid_backward(g, result), "σ(x)(1 - σ(x))")
_unary("abs", "AbsBackward0", lambda xp, x: xp.abs(x), lambda g, x: g * x.sign(), "sign(x)", float_op=False,
       check=_errors.rejects("b", "abs_cpu"))
# relu's and threshold's gradient is an op of its own, as in PyTorch: with create_graph it is recorded
# (ThresholdBackwardBackward0) whenever x requires grad, though its derivative in x is zero
_threshold_backward = defop(
    "threshold_backward", "ThresholdBackwardBackward0",
    lambda xp, g, x, threshold: xp.where(x <= threshold, 0, g).astype(g.dtype, copy=False),
    (lambda g, x, threshold: threshold_backward(g, x, threshold), lambda g: _zeros_like(g)),
    tex=("1 if x > threshold else 0", "0"))


def _zeros_like(t):
    from .._creation import zeros_like
    return zeros_like(t)


def threshold_backward(grad_output, self, threshold):
    return apply(_threshold_backward, (grad_output, self), (threshold,))


_unary("relu", "ReluBackward0", lambda xp, x: xp.maximum(x, 0).astype(x.dtype, copy=False),
       lambda g, result: threshold_backward(g, result, 0), "1 if x > 0 else 0", float_op=False,
       check=checks(_errors.no_bool("Boolean inputs not supported for relu"),
                    complex_error(NotImplementedError, "clamp is not supported for complex types")))


def _sign_fwd(xp, x):
    if x.dtype == np.bool_:
        return x.copy()
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)  # PyTorch's sign(nan) is 0


_unary("sign", "SignBackward0", _sign_fwd, lambda g: g * 0, "0", float_op=False,
       check=complex_error(NotImplementedError, "Unlike NumPy, torch.sign is not intended to support complex numbers. "
                                                "Please use torch.sgn instead."))
_unary("reciprocal", "ReciprocalBackward0", lambda xp, x: 1 / x,
       lambda g, result: -g * (result * result), "-1/x²")
_abs_ = Tensor.abs_


def _abs_inplace(self):
    complex_error(RuntimeError, "In-place abs is not supported for complex tensors.")(self)  # |z| is real
    return _abs_(self)


method(_abs_inplace, "abs_")
export(Tensor.abs, "absolute")
Tensor.absolute_ = Tensor.abs_
export(Tensor.neg, "negative")
Tensor.negative_ = Tensor.neg_


def positive(input):
    _errors.no_bool("The `+` operator, on a bool tensor is not supported.")(input)
    return input


export(positive)


# ---- binary arithmetic --------------------------------------------------------------------
# PyTorch computes a + alpha * b; with complex numbers that product is not a no-op for alpha = 1
# (1 * (inf + 0j) is inf + nan j), so complex data takes the long way, as there
_add = defop("add", "AddBackward0",
             lambda xp, a, b, alpha: a + b if alpha == 1 and a.dtype.kind != "c" else a + alpha * b,
             (lambda g: g, lambda g, alpha: g if alpha == 1 else g * alpha), tex=("1", "1"))
_sub = defop("sub", "SubBackward0",
             lambda xp, a, b, alpha: a - b if alpha == 1 and a.dtype.kind != "c" else a - alpha * b,
             (lambda g: g, lambda g, alpha: -g if alpha == 1 else -g * alpha), tex=("1", "-1"))
_rsub_t = defop("rsub", "RsubBackward0",
                lambda xp, a, b, alpha: b - (a if alpha == 1 and a.dtype.kind != "c" else alpha * a),
                (lambda g, alpha: -g if alpha == 1 else -g * alpha, lambda g: g), tex=("-1", "1"))
_rsub = defop("rsub", "RsubBackward1",
              lambda xp, a, other, alpha: other - (a if alpha == 1 and a.dtype.kind != "c" else alpha * a),
              (lambda g, alpha: -g if alpha == 1 else -g * alpha,), n_tensors=1, tex=("-1",))
_mul = defop("mul", "MulBackward0", lambda xp, a, b: a * b, (lambda g, b: g * b, lambda g, a: g * a),
             tex=("b", "a"))
_div = defop("div", "DivBackward0", lambda xp, a, b: a / b,
             (lambda g, b: g / b, lambda g, a, b: -g * ((a / b) / b)), tex=("1/b", "-a/b²"))


def _pow_fwd(xp, a, b):
    """a ** b as PyTorch: integer powers as C's (a negative exponent gives 0, except for bases 1 and -1)."""
    if a.dtype.kind == "b":
        _errors.not_implemented("pow", a.dtype)
    if a.dtype.kind in "iu" and (b < 0).any():
        at_neg = xp.where(a == 1, 1, xp.where(a == -1, 1 - 2 * (b % 2), 0))
        return xp.where(b < 0, at_neg, a ** xp.where(b < 0, 0, b)).astype(a.dtype, copy=False)
    return a ** b


def _pow_scalar_fwd(xp, a, exponent):
    if a.dtype.kind == "b":  # a bool exponent: PyTorch's shortcuts for x ** 1 and x ** 0 keep bool
        return a.copy() if exponent else xp.ones_like(a)
    if a.dtype.kind == "f" and exponent in _POW_FAST:  # PyTorch's kernels for these (pow(-0., -.5) is -inf)
        return _POW_FAST[exponent](xp, a)
    return a ** exponent


_POW_FAST = {0.5: lambda xp, a: xp.sqrt(a), 2: lambda xp, a: a * a, 3: lambda xp, a: a * a * a,
             -0.5: lambda xp, a: 1 / xp.sqrt(a), -1: lambda xp, a: 1 / a, -2: lambda xp, a: 1 / (a * a)}


_pow_scalar = defop("pow", "PowBackward0", _pow_scalar_fwd,
                    (lambda g, a, exponent: g * 0 if exponent == 0 else g * (exponent * a ** (exponent - 1)),),
                    n_tensors=1, tex=("n·a^{n-1}",))
_pow_tensor = defop("pow", "PowBackward1", _pow_fwd,
                    (lambda g, a, b: (g * (b * a ** (b - 1))).where(b != 0, 0.),
                     lambda g, a, result, b: g * (result * a.log()).where(~((a == 0) & (b >= 0)), 0.)),
                    tex=("b·a^{b-1}", "a^b·ln(a)"))


def _rpow_grad(g, a, result, base):
    if base == 0:  # 0^x: no slope where x ≥ 0, ∞·ln 0 = -∞ where x < 0
        return g * (result * -math.inf).masked_fill(a >= 0, 0)
    return g * result * (math.log(base) if base > 0 else math.nan)


_rpow = defop("pow", "PowBackward2", lambda xp, a, base: _pow_fwd(xp, xp.asarray(base, dtype=a.dtype), a),
              (_rpow_grad,), n_tensors=1, tex=("c^x·ln(c)",))


def _alpha(alpha, a, b):
    """alpha as PyTorch's alpha_check takes it, then as the result dtype holds it (checked: 300 is no int8)."""
    if alpha.__class__ is int and alpha == 1:
        return alpha
    alpha = py_scalar(alpha)
    rt = D.result_type_of([x._data if is_tensor(x) else x for x in (a, b)])
    if isinstance(alpha, bool) and rt is not D.bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if rt.category < 2 and not isinstance(alpha, int):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if not rt.is_complex and isinstance(alpha, complex):
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex number.")
    if rt.category < 2:
        return D.scalar_to(alpha, rt)
    D.scalar_to(alpha, rt)  # the check only: a float alpha stays as given (it is the gradient's factor)
    return alpha


def add(input, other, *, alpha=1, out=None):
    return binary(_add, input, other, (_alpha(alpha, input, other),))


def sub(input, other, *, alpha=1, out=None):
    _errors.check_bool_sub(input, other)
    return binary(_sub, input, other, (_alpha(alpha, input, other),))


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    _errors.check_bool_sub(input, other)
    if is_tensor(other):
        return binary(_rsub_t, input, other, (_alpha(alpha, input, other),))
    other = py_scalar(other)
    alpha = _alpha(alpha, input, other)
    a, b, da, _ = promote(input, other)
    return apply(_rsub, (a,), (cast_scalar(other, da.dtype), alpha), (da,))


def mul(input, other, *, out=None):
    return binary(_mul, input, other)


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is not None:
        from .pointwise_more import _div_rounding
        return _div_rounding(input, other, rounding_mode)
    input, other = py_scalar(input), py_scalar(other)
    a, b = (input, other) if is_tensor(input) else (other, input)
    kinds = [x._data.dtype.kind if is_tensor(x) else ("f" if isinstance(x, float) else "c" if isinstance(x, complex)
                                                      else "i") for x in (a, b)]
    if all(k in "biu" for k in kinds):  # true division of integers gives the default float dtype
        ft = D.get_default_dtype().np
        input = input.to(D.FROM_NP[ft]) if is_tensor(input) else float(input)
        other = other.to(D.FROM_NP[ft]) if is_tensor(other) else float(other)
    return binary(_div, input, other)


def pow(input, exponent, *, out=None):
    if not is_tensor(input):  # scalar ** tensor
        return _rpow_apply(exponent, input)
    if is_tensor(exponent):
        _errors.check_int_pow(input, exponent)
        return binary(_pow_tensor, input, exponent)
    exponent = py_scalar(exponent)
    _errors.check_int_pow(input, exponent)
    a, _, da, _ = promote(input, exponent)
    return apply(_pow_scalar, (a,), (_pow_exponent(exponent, da.dtype),), (da,))


def _pow_exponent(exponent, dtype_np):
    """The exponent as PyTorch's pow kernels convert it: into the integer or half dtype (checked), as a double
    for float and double."""
    if dtype_np.kind in "iu" or dtype_np == np.float16:
        v = checked_scalar(exponent, dtype_np)
        return v if dtype_np.kind in "iu" else exponent
    return exponent


def _rpow_apply(t, base):
    base = py_scalar(base)
    a, _, da, _ = promote(t, base)
    return apply(_rpow, (a,), (cast_scalar(base, da.dtype),), (da,))


for _f in (add, sub, rsub, mul, div, pow):
    export(_f, method=_f is not rsub)
export(div, "true_divide")
export(mul, "multiply")
export(sub, "subtract")
export(div, "divide")


def _inplace_binary(op_fn, name):
    def fn(self, other, **kw):
        res_op, others, params, arrays = op_fn(self, other, **kw)
        return apply_inplace(res_op, self, others, params, arrays)
    fn.__name__ = name
    method(fn, name)


def _prep(op, alpha=None):
    def prep(self, other, alpha=1 if alpha else None):
        if alpha is not None:
            alpha = _alpha(alpha, self, other)
        a, b, da, db = promote(self, other)
        if db.shape != da.shape:
            _errors.check_inplace_broadcast(da.shape, db.shape)
        _check_cast(da.dtype, self._data.dtype)  # before the kernel's own dtype errors, as PyTorch
        return op, (b,), ((alpha,) if alpha is not None else ()), (da, db)
    return prep


_inplace_binary(_prep(_add, True), "add_")


def _sub_prep(self, other, alpha=1):
    _errors.check_bool_sub(self, other)
    return _prep(_sub, True)(self, other, alpha)


_inplace_binary(_sub_prep, "sub_")
_inplace_binary(_prep(_mul), "mul_")


def _div_prep(self, other, rounding_mode=None):
    if rounding_mode is not None:
        from .pointwise_more import _div_rounding_prep
        return _div_rounding_prep(self, other, rounding_mode)
    if is_tensor(other):  # the shapes first, as PyTorch
        _errors.check_inplace_broadcast(self._data.shape, other._data.shape)
    if self._data.dtype.kind in "biu":
        rt = D.result_type_of([self._data, other._data if is_tensor(other) else other])
        _errors.inplace_cast(_legacy_name(rt if rt.category >= 2 else D.get_default_dtype()), self.dtype)
    return _prep(_div)(self, other)


_inplace_binary(_div_prep, "div_")
Tensor.true_divide_ = Tensor.div_
Tensor.subtract_ = Tensor.sub_
Tensor.multiply_ = Tensor.mul_
Tensor.divide_ = Tensor.div_


def _pow_prep(self, exponent):
    exponent = py_scalar(exponent)
    _errors.check_int_pow(self, exponent)
    if is_tensor(exponent):
        return _prep(_pow_tensor)(self, exponent)
    exponent = py_scalar(exponent)
    da = promote(self, exponent)[2]
    return _pow_scalar, (), (_pow_exponent(exponent, da.dtype),), (da,)


_inplace_binary(_pow_prep, "pow_")


# ---- Python operators ---------------------------------------------------------------------
def _rdiv(self, other):
    if self._data.dtype.kind in "biu" and isinstance(other, (int, bool)):
        return div(other, self)
    return self.reciprocal() * other


def _operator(fn):
    """A binary operator as PyTorch's: an operand of a type it does not take (TypeError) gives NotImplemented, so
    Python tries the other operand, then raises its own error (or, for == and !=, compares identities)."""
    def op(self, other):
        try:
            return fn(self, other)
        except TypeError:
            return NotImplemented
    return op


Tensor.__add__ = _operator(lambda self, other: add(self, other))
Tensor.__radd__ = _operator(lambda self, other: add(self, other))
Tensor.__iadd__ = _operator(lambda self, other: self.add_(other))
Tensor.__sub__ = _operator(lambda self, other: sub(self, other))
Tensor.__rsub__ = _operator(lambda self, other: rsub(self, other))
Tensor.__isub__ = _operator(lambda self, other: self.sub_(other))
Tensor.__mul__ = _operator(lambda self, other: mul(self, other))
Tensor.__rmul__ = _operator(lambda self, other: mul(self, other))
Tensor.__imul__ = _operator(lambda self, other: self.mul_(other))
Tensor.__truediv__ = _operator(lambda self, other: div(self, other))
Tensor.__rtruediv__ = _operator(_rdiv)
Tensor.__itruediv__ = _operator(lambda self, other: self.div_(other))
Tensor.__pow__ = _operator(lambda self, other: pow(self, other))
Tensor.__rpow__ = _operator(lambda self, other: pow(other, self))
Tensor.__ipow__ = _operator(lambda self, other: self.pow_(other))
Tensor.__neg__ = lambda self: self.neg()
Tensor.__pos__ = positive
Tensor.__abs__ = lambda self: self.abs()


# ---- clamp, maximum, minimum ----------------------------------------------------------------
def _clamp_fwd(xp, x, min, max):
    out = x
    if min is not None:
        out = xp.maximum(out, min)
    if max is not None:
        out = xp.minimum(out, max)
    return out.astype(x.dtype, copy=False)


def _clamp_mask(x, min, max):
    m = None
    if min is not None:
        m = x >= min
    if max is not None:
        m = (x <= max) if m is None else m & (x <= max)
    return m


_clamp = defop("clamp", "ClampBackward1", _clamp_fwd, (lambda g, x, min, max: g * _clamp_mask(x, min, max),),
               n_tensors=1, tex=("1 if min ≤ x ≤ max else 0",))


def _clamp_kernel(min, max):
    return "clamp_min_scalar_cpu" if max is None else "clamp_max_scalar_cpu" if min is None else "clamp_scalar_cpu"


def _as_number(t):
    """A 0-d tensor that does not require grad passes for a number, as PyTorch's argument parser takes it."""
    return t.item() if is_tensor(t) and t._data.ndim == 0 and not t.requires_grad else t


def _clamp_bounds(min, max):
    """A tensor bound beside a number bound: clamp's number overload, if the tensor can pass for a number."""
    if min is not None and max is not None and is_tensor(min) != is_tensor(max):
        nmin, nmax = _as_number(min), _as_number(max)
        if not is_tensor(nmin) and not is_tensor(nmax):
            return nmin, nmax
    return min, max


def clamp(input, min=None, max=None, *, out=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None".replace("torch", "chainrule"))
    min, max = _clamp_bounds(min, max)
    if is_tensor(min) or is_tensor(max):
        from .pointwise_more import clamp_tensor
        return clamp_tensor(input, min, max)
    return _clamp_scalar(_clamp, input, (min, max), _clamp_kernel(min, max))


def clamp_(self, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("chainrule.clamp: At least one of 'min' or 'max' must not be None")
    min, max = _clamp_bounds(min, max)
    if is_tensor(min) or is_tensor(max):
        from .pointwise_more import clamp_tensor_
        return clamp_tensor_(self, min, max)
    return _clamp_scalar(_clamp, self, (min, max), _clamp_kernel(min, max), inplace=True)


# torch.clamp_min / clamp_max are ops of their own (ClampMinBackward0, ClampMaxBackward0)
_clamp_min = defop("clamp_min", "ClampMinBackward0", lambda xp, x, min: _clamp_fwd(xp, x, min, None),
                   (lambda g, x, min: g * (x >= min),), n_tensors=1, tex=("1 if x ≥ min else 0",))
_clamp_max = defop("clamp_max", "ClampMaxBackward0", lambda xp, x, max: _clamp_fwd(xp, x, None, max),
                   (lambda g, x, max: g * (x <= max),), n_tensors=1, tex=("1 if x ≤ max else 0",))


_CLAMP_COMPLEX = "clamp is not supported for complex types"


def _clamp_scalar(op, input, bounds, kernel, inplace=False):
    """clamp with number bounds: the input in the result dtype, the bounds as it holds them, PyTorch's errors.

    As PyTorch's clamp: a float input keeps its dtype (the numbers take no part in promotion), complex inputs
    and results are refused, and the bounds are converted checked (300 is no uint8 bound, -1 is 255)."""
    da = input._data
    bounds = tuple(v if v is None else py_scalar(v) for v in bounds)
    if da.dtype.kind == "c" or (op is not _clamp and any(isinstance(v, complex) for v in bounds)):
        raise NotImplementedError(_CLAMP_COMPLEX)
    if da.dtype.kind == "f":
        rt = da.dtype
        for v in bounds:
            if isinstance(v, complex) and v.imag != 0:
                raise RuntimeError("value cannot be converted to type double without overflow")
        bounds = tuple(v.real if isinstance(v, complex) else v for v in bounds)
    else:
        rt = D.result_type_of([da] + [v for v in bounds if v is not None]).np
        if rt.kind == "c" and not inplace:
            raise NotImplementedError(_CLAMP_COMPLEX)
    if inplace and D.FROM_NP[rt].category > input.dtype.category:  # this message names the C type
        raise RuntimeError(f"result type {_legacy_name(D.FROM_NP[rt])} can't be cast to the desired output type "
                           f"{_c_name(input.dtype)}")
    if rt.kind == "b":
        _errors.not_implemented(kernel, rt)
    bounds = tuple(v if v is None else _clamp_bound_value(v, rt) for v in bounds)
    if not inplace:
        return apply(op, (input,), bounds, (da if da.dtype == rt else da.astype(rt),))
    return apply_inplace(op, input, (), bounds)


def _clamp_bound_value(v, dtype_np):
    checked = checked_scalar(v, dtype_np)
    return checked if dtype_np.kind in "iub" else v  # float bounds stay as given (nan, exact comparisons)


def clamp_min(input, min, inplace=False):
    if is_tensor(min):
        from .pointwise_more import clamp_min_tensor
        return clamp_min_tensor(input, min, inplace)
    return _clamp_scalar(_clamp_min, input, (min,), "clamp_min_scalar_cpu", inplace)


def clamp_max(input, max, inplace=False):
    if is_tensor(max):
        from .pointwise_more import clamp_max_tensor
        return clamp_max_tensor(input, max, inplace)
    return _clamp_scalar(_clamp_max, input, (max,), "clamp_max_scalar_cpu", inplace)


export(clamp)
export(clamp, "clip")
method(clamp_, "clamp_")
method(clamp_, "clip_")
method(lambda self, min: clamp_min(self, min, inplace=True), "clamp_min_")
method(lambda self, max: clamp_max(self, max, inplace=True), "clamp_max_")
export(clamp_min)
export(clamp_max)

_maximum = defop("maximum", "MaximumBackward0", lambda xp, a, b: xp.maximum(a, b),
                 (lambda g, a, b: (g / 2).where(a == b, g).masked_fill(a < b, 0),
                  lambda g, a, b: (g / 2).where(a == b, g).masked_fill(a > b, 0)),
                 tex=("1 if a > b", "1 if b > a"))
_minimum = defop("minimum", "MinimumBackward0", lambda xp, a, b: xp.minimum(a, b),
                 (lambda g, a, b: (g / 2).where(a == b, g).masked_fill(a > b, 0),
                  lambda g, a, b: (g / 2).where(a == b, g).masked_fill(a < b, 0)),
                 tex=("1 if a < b", "1 if b < a"))


def maximum(input, other, *, out=None):
    _errors.need_tensors("maximum", input, other)
    no_complex("maximum", input, other)
    return binary(_maximum, input, other)


def minimum(input, other, *, out=None):
    _errors.need_tensors("minimum", input, other)
    no_complex("minimum", input, other)
    return binary(_minimum, input, other)


def export_tensor_pair(fn, name=None):
    """Export fn(input, other), an op of two tensors; as a method, PyTorch's type error names other position 1."""
    name = name or fn.__name__
    export(fn, name, method=False)

    def m(self, other, **kw):
        _errors.need_tensor(other, name, "other", 1)
        return fn(self, other, **kw)
    m.__name__ = name
    method(m, name)


export_tensor_pair(maximum)
export_tensor_pair(minimum)


# ---- comparisons (not differentiable) ------------------------------------------------------
def _compare(name, fwd, dunder):
    op = defop(name, name, fwd)

    def fn(input, other, *, out=None):
        if not is_tensor(input):
            _errors.invalid_combination(name, (input, other), _errors.TENSOR_OR_NUMBER_OTHER)
        return binary(op, input, other)
    fn.__name__ = name
    export(fn)
    setattr(Tensor, dunder, _operator(fn))
    return fn


_compare("eq", lambda xp, a, b: a == b, "__eq__")
_compare("ne", lambda xp, a, b: a != b, "__ne__")
_compare("lt", lambda xp, a, b: real_only("lt_cpu", operator.lt, a, b), "__lt__")
_compare("le", lambda xp, a, b: real_only("le_cpu", operator.le, a, b), "__le__")
_compare("gt", lambda xp, a, b: real_only("gt_cpu", operator.gt, a, b), "__gt__")
_compare("ge", lambda xp, a, b: real_only("ge_cpu", operator.ge, a, b), "__ge__")
for _alias, _name in (("greater", "gt"), ("less", "lt"), ("greater_equal", "ge"), ("less_equal", "le"),
                      ("not_equal", "ne")):
    export(getattr(Tensor, _name), _alias)


def _logical(name, fwd, dunder=None, rdunder=None):
    op = defop(name, name, fwd)

    def fn(input, other):
        return binary(op, input, other)
    fn.__name__ = name
    _inplace_binary(_prep(op), name + "_")
    if dunder:
        setattr(Tensor, dunder, _operator(fn))
        setattr(Tensor, rdunder, _operator(fn))
        setattr(Tensor, "__i" + dunder[2:], _operator(getattr(Tensor, name + "_")))
    return fn


def _bitwise_fwd(f):
    def fwd(xp, a, b):
        if a.dtype.kind in "fc":
            _errors.not_implemented(f"{f.__name__}_cpu", a.dtype)
        return f(a, b)
    return fwd


export(_logical("bitwise_and", _bitwise_fwd(np.bitwise_and), "__and__", "__rand__"))
export(_logical("bitwise_or", _bitwise_fwd(np.bitwise_or), "__or__", "__ror__"))
export(_logical("bitwise_xor", _bitwise_fwd(np.bitwise_xor), "__xor__", "__rxor__"))


def _shift_fwd(kernel, left):
    """PyTorch's shift kernels: a shift that is negative (as a signed number) or too wide gives 0 to the left,
    and the sign (all the bits shifted out) to the right."""
    def fwd(xp, a, b):
        if a.dtype.kind not in "iu":
            _errors.not_implemented(kernel, a.dtype)
        bits = 8 * a.dtype.itemsize
        neg = b.astype(a.dtype.str.replace("u", "i"), copy=False) < 0
        if left:
            out = neg | (b >= bits)
            return xp.where(out, 0, a << xp.where(out, 0, b)).astype(a.dtype, copy=False)
        top = bits - (a.dtype.kind == "i")
        out = neg | (b >= top)
        return xp.where(out, a >> top, a >> xp.where(out, 0, b)).astype(a.dtype, copy=False)
    return fwd


def _shift(name, kernel, left, dunder):
    op = defop(name, name, _shift_fwd(kernel, left))

    def fn(input, other):
        return binary(op, input, other)
    fn.__name__ = name
    _inplace_binary(_prep(op), name + "_")
    setattr(Tensor, f"__{dunder}__", _operator(fn))
    setattr(Tensor, f"__r{dunder}__", _operator(lambda self, other: fn(other, self)))
    setattr(Tensor, f"__i{dunder}__", _operator(getattr(Tensor, name + "_")))
    return export(fn)


_shift("bitwise_left_shift", "lshift_cpu", True, "lshift")
_shift("bitwise_right_shift", "rshift_cpu", False, "rshift")


# ---- filling in place: zero_, fill_, copy_ -----------------------------------------------------
def _zeros_of(g):
    """PyTorch's zeros_like(grad): a constant, so nan or inf in grad does not leak through (as g * 0 would)."""
    return Tensor._make(_xp(g._data).zeros_like(g._data))


_zero = defop("zero_", "ZeroBackward0", lambda xp, x: xp.zeros_like(x), (_zeros_of,), tex=("0",))
_fill = defop("fill_", "FillBackward2", lambda xp, x, value: xp.full_like(x, value), (_zeros_of,), tex=("0",))
# a 0-d tensor value: FillBackward3, whose value gets the gradient's sum
_fill_tensor = defop("fill_", "FillBackward3", lambda xp, x, v: xp.broadcast_to(v.astype(x.dtype), x.shape),
                     (_zeros_of, lambda g: g.sum()), tex=("0", "sum"))
_copy = defop("copy_", "CopyBackwards", lambda xp, x, src: xp.broadcast_to(src, x.shape).astype(x.dtype),
              (_zeros_of, lambda g: g), tex=("0", "1"))


def zero_(self):
    return apply_inplace(_zero, self, ())


def fill_(self, value):
    if is_tensor(value):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        return apply_inplace(_fill_tensor, self, (value,))
    value = D.fill_value(py_scalar(value), D.FROM_NP[self._data.dtype], self._data.size)
    return apply_inplace(_fill, self, (), (value,))


def copy_(self, src, non_blocking=False):
    if not is_tensor(src):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
    _errors.check_inplace_broadcast(self._data.shape, src._data.shape)
    data = src._data
    if src.device != self.device:
        from .. import _device
        data = _device.move(data, self.device)
    return apply_inplace(_copy, self, (src,), (), (self._data, data))


method(zero_, "zero_")
method(fill_, "fill_")
method(copy_, "copy_")
