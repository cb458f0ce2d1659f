"""More pointwise ops: the rest of PyTorch's unary math, rounding, classification (isnan, ...), division with
rounding, remainder/fmod, the two-input math functions, lerp/addcmul/addcdiv, where, clamp with tensor bounds,
logical ops, in-place comparisons and isclose/allclose/equal.

Where PyTorch has a Scalar overload with a node of its own (remainder(x, 2.) -> RemainderBackward0,
copysign(x, -1.) -> CopysignBackward1, ...), the Python number is a parameter of a separate declaration, as there.
"""
import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _c_name, _legacy_name, _check_cast
from ._op import defop, apply, apply_inplace, _xp
from ._args import binary, promote, is_tensor, as_tensor_like, broadcast_error, cast_scalar, py_scalar, checked_scalar
from ._register import export, method, inplace_unary
from .pointwise import _unary, _sign_fwd, _inplace_binary, _operator, pow, export_tensor_pair, real_only, no_complex, \
    complex_error, checks
from . import _errors


# ---- helpers ---------------------------------------------------------------------------------------
def _as_float(arr):
    """Integer and bool data as the default float dtype (for float-valued ops)."""
    return arr.astype(D.get_default_dtype().np) if arr.dtype.kind in "biu" else arr


def _no_derivative(name):
    """PyTorch's formula for ops it records without a derivative (node NotImplemented)."""
    def grad(g):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return grad


def _zero(g):
    """A constant zero gradient (PyTorch's zeros_like(grad)): no graph, unaffected by nan or inf in g."""
    return Tensor._make(_xp(g._data).zeros_like(g._data))


def _keep(g, mask):
    """g where mask, else 0 (PyTorch's where(mask, grad, 0))."""
    return where(mask, g, 0.)


def _broadcast_shape(*shapes):
    """The common shape of several operands, with PyTorch's message naming the first pair that clashes."""
    out = ()
    for s in shapes:
        err = broadcast_error(out, s)
        if err is not None:
            raise err
        out = np.broadcast_shapes(out, s)
    return out


def _check_int_divisor(a, b):
    if a.dtype.kind in "iu" and bool((b == 0).any() if hasattr(b, "any") else b == 0):
        raise RuntimeError("ZeroDivisionError")


def _scalar(op, input, other, float_op=False):
    """An op of PyTorch's Scalar overload: the number stays a parameter, as the result's dtype holds it."""
    a, _, da, _ = promote(input, other)
    if float_op:
        da = _as_float(da)
    return apply(op, (a,), (cast_scalar(other, da.dtype),), (da,))


def _float_binary(op, input, other):
    """A float-valued op of two operands: integers and bools compute in the default float dtype."""
    if is_tensor(input):
        a, b, da, db = promote(input, other)
    else:
        b, a, db, da = promote(other, input)
    _broadcast_shape(da.shape, db.shape)
    if da.dtype.kind in "biu":  # each operand goes to float from its own dtype (int8 -4 stays -4 beside uint8)
        da, db = a._data, b._data
    return apply(op, (a, b), (), (_as_float(da), _as_float(db)))


# ---- special functions: erf, erfc (the C library's, element by element), erfinv (PyTorch's algorithm) -----
def _special(xp, x, name):
    if xp is np:  # NumPy has no erf
        return np.asarray(np.frompyfunc(getattr(math, name), 1, 1)(x), dtype=x.dtype)
    import cupyx.scipy.special
    return getattr(cupyx.scipy.special, name)(x)


_ERFINV_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_ERFINV_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_ERFINV_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_ERFINV_D = (3.543889200, 1.637067800)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _erfinv_fwd(xp, x):
    """A rational first guess (central range, tails), then two Newton steps on erf, as PyTorch computes it."""
    a, b, c, d = _ERFINV_A, _ERFINV_B, _ERFINV_C, _ERFINV_D
    ax = xp.abs(x)
    z = x * x
    central = x * (((a[3] * z + a[2]) * z + a[1]) * z + a[0]) / ((((b[3] * z + b[2]) * z + b[1]) * z + b[0]) * z + 1)
    w = xp.sqrt(-xp.log((1 - xp.minimum(ax, 1)) / 2))
    tail = xp.copysign(((c[3] * w + c[2]) * w + c[1]) * w + c[0], x) / ((d[1] * w + d[0]) * w + 1)
    r = xp.where(ax <= 0.7, central, tail).astype(x.dtype, copy=False)
    for _ in range(2):
        r = r - (_special(xp, r, "erf") - x) / (_TWO_OVER_SQRT_PI * xp.exp(-r * r))
    r = xp.where(ax == 1, xp.copysign(xp.inf, x), r)
    return xp.where(ax > 1, xp.nan, r).astype(x.dtype, copy=False)


# ---- unary math ------------------------------------------------------------------------------------------
_LN2, _LN10 = math.log(2), math.log(10)
_unary("exp2", "Exp2Backward0", lambda xp, x: xp.exp2(x), lambda g, result: g * result * _LN2, "2ˣ·ln 2")
_unary("expm1", "Expm1Backward0", lambda xp, x: xp.expm1(x), lambda g, result: g * (result + 1), "eˣ")
_unary("log2", "Log2Backward0", lambda xp, x: xp.log2(x), lambda g, x: g / (x * _LN2), "1/(x·ln 2)")
_unary("log10", "Log10Backward0", lambda xp, x: xp.log10(x), lambda g, x: g / (x * _LN10), "1/(x·ln 10)")
_unary("log1p", "Log1PBackward0", lambda xp, x: xp.log1p(x), lambda g, x: g / (x + 1), "1/(1 + x)")
_unary("rsqrt", "RsqrtBackward0", lambda xp, x: 1 / xp.sqrt(x), lambda g, result: -0.5 * g * result.pow(3),
       "-1/(2x^{3/2})")
_unary("tan", "TanBackward0", lambda xp, x: xp.tan(x), lambda g, result: g * (1 + result.pow(2)), "1 + tan²x")
_unary("asin", "AsinBackward0", lambda xp, x: xp.arcsin(x), lambda g, x: g * (-x * x + 1).rsqrt(), "1/√(1 - x²)")
_unary("acos", "AcosBackward0", lambda xp, x: xp.arccos(x), lambda g, x: g * -(-x * x + 1).rsqrt(), "-1/√(1 - x²)")
_unary("atan", "AtanBackward0", lambda xp, x: xp.arctan(x), lambda g, x: g / (x * x + 1), "1/(1 + x²)")
_unary("sinh", "SinhBackward0", lambda xp, x: xp.sinh(x), lambda g, x: g * x.cosh(), "cosh x")
_unary("cosh", "CoshBackward0", lambda xp, x: xp.cosh(x), lambda g, x: g * x.sinh(), "sinh x")
_asinh = _unary("asinh", "AsinhBackward0", lambda xp, x: xp.arcsinh(x), lambda g, x: g * (x.pow(2) + 1).rsqrt(),
                "1/√(x² + 1)", inplace=False)
_acosh = _unary("acosh", "AcoshBackward0", lambda xp, x: xp.arccosh(x), lambda g, x: g * (x.pow(2) - 1).rsqrt(),
                "1/√(x² - 1)", inplace=False)
_atanh = _unary("atanh", "AtanhBackward0", lambda xp, x: xp.arctanh(x), lambda g, x: g * 1 / (1 - x.pow(2)),
                "1/(1 - x²)", inplace=False)
_unary("erf", "ErfBackward0", lambda xp, x: _special(xp, x, "erf"),
       lambda g, x: _TWO_OVER_SQRT_PI * (-x.pow(2)).exp() * g, "2/√π·e^{-x²}", check=_errors.rejects("c", "erf_vml_cpu"))
_unary("erfc", "ErfcBackward0", lambda xp, x: _special(xp, x, "erfc"),
       lambda g, x: -_TWO_OVER_SQRT_PI * (-x.pow(2)).exp() * g, "-2/√π·e^{-x²}",
       check=_errors.rejects("c", "erfc_vml_cpu"))
_unary("erfinv", "ErfinvBackward0", _erfinv_fwd, lambda g, x: 0.5 * math.sqrt(math.pi) * x.erfinv().pow(2).exp() * g,
       "√π/2·e^{erfinv(x)²}", check=_errors.rejects("c", "erfinv_vml_cpu"))


def _sgn_fwd(xp, x):
    if x.dtype.kind != "c":
        return _sign_fwd(xp, x)
    a = xp.abs(x)
    return xp.where(a == 0, 0, x / xp.where(a == 0, 1, a)).astype(x.dtype, copy=False)  # z / |z|, 0 at 0


_unary("sgn", "SgnBackward0", _sgn_fwd, _zero, "0", float_op=False)
_unary("frac", "FracBackward0", lambda xp, x: x - xp.trunc(x), lambda g: g, "1", float_op=False,
       check=_errors.rejects("biuc", "frac_cpu"))
_DEG = math.pi / 180  # PyTorch multiplies by π/180 (and 180/π) as double constants, as here
_unary("deg2rad", "Deg2RadBackward0", lambda xp, x: x * _DEG, lambda g: g * _DEG, "π/180",
       check=complex_error(RuntimeError, "deg2rad is not supported for complex tensors."))
_unary("rad2deg", "Rad2DegBackward0", lambda xp, x: x * (180 / math.pi), lambda g: g * (180 / math.pi), "180/π",
       check=complex_error(RuntimeError, "rad2deg is not supported for complex tensors."))


def _inplace_without_derivative(op):
    """PyTorch records asinh_, acosh_, atanh_ as <Name>Backward1, a node whose derivative is not implemented."""
    def grad(g):
        raise NotImplementedError(f"the derivative for 'inplace version of {op.name}' is not implemented.")
    op_ = defop(op.name + "_", op.node_name.replace("Backward0", "Backward1"), op.fwd, (grad,))
    inplace_unary(op_, op.name + "_", lambda t: (_as_float(t._data),))


for _op in (_asinh, _acosh, _atanh):
    _inplace_without_derivative(_op)

for _name, _alias in (("asin", "arcsin"), ("acos", "arccos"), ("atan", "arctan"), ("asinh", "arcsinh"),
                      ("acosh", "arccosh"), ("atanh", "arctanh")):
    export(getattr(Tensor, _name), _alias)
    setattr(Tensor, _alias + "_", getattr(Tensor, _name + "_"))


def square(input):
    return pow(input, 2)  # PyTorch's square is pow(x, 2): PowBackward0, bool -> int64


export(square)
method(lambda self: self.pow_(2), "square_")


# ---- logit, nan_to_num --------------------------------------------------------------------------------
def _logit_fwd(xp, x, eps):
    if eps is not None and eps >= 0:  # a negative eps clamps nothing, as in PyTorch
        one = x.dtype.type(1)
        x = xp.clip(x, x.dtype.type(eps), one - x.dtype.type(eps))
    return xp.log(x / (1 - x))


def _logit_grad(g, x, eps):
    d = g / (x * (1 - x))
    if eps is None:
        return where((x >= 0) & (x <= 1), d, math.nan)
    return where((x >= eps) & (x <= 1 - eps), d, 0.)


_logit = defop("logit", "LogitBackward0", _logit_fwd, (_logit_grad,), n_tensors=1, tex=("1/(x(1 - x))",))


_logit_check = _errors.rejects("c", "logit_cpu")


def logit(input, eps=None):
    _logit_check(input)
    return apply(_logit, (input,), (eps,), (_as_float(input._data),))


def logit_(self, eps=None):
    _logit_check(self)
    return apply_inplace(_logit, self, (), (eps,), (_as_float(self._data),))


export(logit)
method(logit_, "logit_")


def _nan_to_num_fwd(xp, x, nan, posinf, neginf):
    if x.dtype.kind not in "fc":  # integers have no nan or inf
        return x.copy()
    info = xp.finfo(x.dtype)
    return xp.nan_to_num(x, nan=nan, posinf=info.max if posinf is None else posinf,
                         neginf=info.min if neginf is None else neginf)


_nan_to_num = defop("nan_to_num", "NanToNumBackward0", _nan_to_num_fwd, (lambda g, x: g * x.isfinite(),),
                    n_tensors=1, tex=("1 where x is finite, else 0",))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return apply(_nan_to_num, (input,), (0.0 if nan is None else nan, posinf, neginf))


def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    return apply_inplace(_nan_to_num, self, (), (0.0 if nan is None else nan, posinf, neginf))


export(nan_to_num)
method(nan_to_num_, "nan_to_num_")


# ---- rounding: the derivative is zero everywhere PyTorch defines it ----------------------------------------
def _rounded(f):
    return lambda xp, x: x.copy() if x.dtype.kind in "iu" else f(xp, x)  # integers are already whole


def _rounding(name, f):
    _unary(name, name.capitalize() + "Backward0", _rounded(f), _zero, "0", float_op=False,
           check=checks(_errors.rejects("b", name + "_vml_cpu"),
                        complex_error(NotImplementedError, f"{name} is not supported for complex inputs")))


_rounding("floor", lambda xp, x: xp.floor(x))
_rounding("ceil", lambda xp, x: xp.ceil(x))
_rounding("trunc", lambda xp, x: xp.trunc(x))
export(Tensor.trunc, "fix")
Tensor.fix_ = Tensor.trunc_


def _round_decimals_fwd(xp, x, decimals):
    dt = x.dtype
    if dt == np.float16:  # half computes in float
        x = x.astype(np.float32)
    ten = x.dtype.type(10.0 ** abs(decimals))  # PyTorch scales by 10^|decimals| in the input's precision
    return (xp.rint(x / ten) * ten if decimals < 0 else xp.rint(x * ten) / ten).astype(dt, copy=False)


_round = defop("round", "RoundBackward0", _rounded(lambda xp, x: xp.rint(x)), (_zero,), tex=("0",))
_round_decimals = defop("round", "RoundBackward1", _round_decimals_fwd, (_zero,), n_tensors=1, tex=("0",))
_round_check = _errors.rejects("bc", "round_vml_cpu")
_round_decimals_check = _errors.rejects("biuc", "round_cpu")


def _round_args(input, decimals):
    """The op (RoundBackward0, or RoundBackward1 when decimals are given) and its params."""
    if decimals is None:  # half to even, as C's nearbyint
        _round_check(input)
        return _round, ()
    if not isinstance(decimals, int):
        _errors.invalid_combination("round", (input,), ("Tensor input, *, Tensor out = None",
                                                        "Tensor input, *, int decimals, Tensor out = None"),
                                    decimals=decimals)
    _round_decimals_check(input)
    return _round_decimals, (decimals,)


def round(input, *, decimals=None):
    op, params = _round_args(input, decimals)
    return apply(op, (input,), params)


def round_(self, *, decimals=None):
    op, params = _round_args(self, decimals)
    return apply_inplace(op, self, (), params)


export(round)
method(round_, "round_")


# ---- classification and logical not (no gradient) -------------------------------------------------------------
def _predicate(name, fwd):
    op = defop(name, name, fwd)

    def fn(input):
        return apply(op, (input,))
    fn.__name__ = name
    return export(fn), op


def _signbit_fwd(xp, x):
    if x.dtype.kind == "c":
        raise NotImplementedError("signbit is not implemented for complex tensors.")
    return xp.signbit(x) if x.dtype.kind != "b" else xp.zeros(x.shape, bool)


def _isinf_sign(name, x):
    if x.dtype.kind == "c":
        raise RuntimeError(f"{name} does not support complex inputs.")
    return x.dtype.kind == "f"


_predicate("signbit", _signbit_fwd)
_predicate("isnan", lambda xp, x: xp.isnan(x))
_predicate("isinf", lambda xp, x: xp.isinf(x))
_predicate("isfinite", lambda xp, x: xp.isfinite(x))
_predicate("isposinf", lambda xp, x: xp.isposinf(x) if _isinf_sign("isposinf", x) else xp.zeros(x.shape, bool))
_predicate("isneginf", lambda xp, x: xp.isneginf(x) if _isinf_sign("isneginf", x) else xp.zeros(x.shape, bool))
_, _logical_not = _predicate("logical_not", lambda xp, x: xp.logical_not(x))
inplace_unary(_logical_not, "logical_not_")


def _bitwise_not_fwd(xp, x):
    if x.dtype.kind in "fc":
        _errors.not_implemented("bitwise_not_cpu", x.dtype)
    return ~x


_, _bitwise_not = _predicate("bitwise_not", _bitwise_not_fwd)
inplace_unary(_bitwise_not, "bitwise_not_")


def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return self.bitwise_not()


Tensor.__invert__ = _invert


# ---- division with rounding, floor_divide, remainder, fmod ------------------------------------------------------
def _div_mode_fwd(xp, a, b, mode):
    if a.dtype.kind in "bc":
        _errors.not_implemented(f"div_{mode}_cpu", a.dtype)
    if a.dtype.kind in "iu":
        _check_int_divisor(a, b)
        q = a // b
        # C's integer division truncates: an inexact negative quotient is one above the floor
        return q + ((q < 0) & (q * b != a)) if mode == "trunc" else q
    return xp.floor_divide(a, b) if mode == "floor" else xp.trunc(a / b)


_div_mode = defop("div", "DivBackward2", _div_mode_fwd, (_zero, _zero), n_tensors=2, tex=("0", "0"))
_floor_divide = defop("floor_divide", "NotImplemented", lambda xp, a, b: _div_mode_fwd(xp, a, b, "floor"),
                      (_no_derivative("floor_divide"),) * 2)


def _rounding_mode(mode):
    if mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{mode}'")
    return mode


def _div_rounding(input, other, rounding_mode):
    return binary(_div_mode, input, other, (_rounding_mode(rounding_mode),))


def _div_rounding_prep(self, other, rounding_mode):
    """For Tensor.div_(other, rounding_mode=...)."""
    _, b, da, db = promote(self, other)
    _errors.check_inplace_broadcast(da.shape, db.shape)
    _check_cast(da.dtype, self._data.dtype)  # before the kernel's own errors (division by zero), as PyTorch
    return _div_mode, (b,), (_rounding_mode(rounding_mode),), (da, db)


def floor_divide(input, other, *, out=None):
    return binary(_floor_divide, input, other)


def _remainder_fwd(xp, a, b):
    if a.dtype.kind in "bc":
        _errors.not_implemented("remainder_cpu", a.dtype)
    if a.dtype.kind in "iu":
        _check_int_divisor(a, b)
        return xp.remainder(a, b)
    m = xp.fmod(a, b)  # PyTorch's: fmod, moved into the divisor's sign (a zero keeps the dividend's sign)
    return xp.where((m != 0) & ((b < 0) != (m < 0)), m + b, m).astype(a.dtype, copy=False)


def _fmod_fwd(xp, a, b):
    if a.dtype.kind in "bc":
        _errors.not_implemented("fmod_cpu", a.dtype)
    _check_int_divisor(a, b)
    return xp.fmod(a, b)


_remainder = defop("remainder", "RemainderBackward1", _remainder_fwd,
                   (lambda g: g, lambda g, a, b: -g * a.div(b, rounding_mode="floor")), tex=("1", "-⌊a/b⌋"))
_remainder_s = defop("remainder", "RemainderBackward0", lambda xp, a, other: _remainder_fwd(xp, a, other),
                     (lambda g: g,), n_tensors=1, tex=("1",))
_rremainder = defop("remainder", "NotImplemented", _remainder_fwd, (_no_derivative("remainder"),) * 2)
_fmod = defop("fmod", "FmodBackward1", _fmod_fwd, (lambda g: g, lambda g, a, b: -g * a.div(b, rounding_mode="trunc")),
              tex=("1", "-trunc(a/b)"))
_fmod_s = defop("fmod", "FmodBackward0", lambda xp, a, other: _fmod_fwd(xp, a, other), (lambda g: g,), n_tensors=1,
                tex=("1",))


def remainder(input, other, *, out=None):
    if not is_tensor(input):  # the Scalar-Tensor overload, which PyTorch records without a derivative
        return binary(_rremainder, input, other)
    return binary(_remainder, input, other) if is_tensor(other) else _scalar(_remainder_s, input, other)


def fmod(input, other, *, out=None):
    if not is_tensor(input):
        _errors.invalid_combination("fmod", (input, other), _errors.TENSOR_OR_NUMBER_OTHER)
    return binary(_fmod, input, other) if is_tensor(other) else _scalar(_fmod_s, input, other)


def _prep(op, scalar=None, float_op=False, cast=True):
    """How Tensor.<op>_(other) runs: the op, other tensors, params, promoted arrays. A number as other goes to the
    scalar op (PyTorch's Scalar overload) if given, else is refused (ops that take tensors only)."""
    def prep(self, other):
        if scalar is None:
            _errors.need_tensor(other, op.name + "_", position=1)
        _, b, da, db = promote(self, other)
        if float_op:
            da, db = _as_float(da), _as_float(db)
        if is_tensor(other):
            _errors.check_inplace_broadcast(da.shape, db.shape)
        if cast:  # the result's dtype must fit self's, checked before the kernel's own dtype errors
            _check_cast(da.dtype, self._data.dtype)
        if not is_tensor(other):
            return scalar, (), (cast_scalar(other, da.dtype),), (da,)
        return op, (b,), (), (da, db)
    return prep


def _prep_wrapped(op):
    """Tensor.<op>_(other) where PyTorch wraps a number into a tensor (no Scalar overload of its own)."""
    def prep(self, other):
        _, b, da, db = promote(self, other)
        _errors.check_inplace_broadcast(da.shape, db.shape)
        _check_cast(da.dtype, self._data.dtype)
        return op, (b,), (), (da, db)
    return prep


for _f in (floor_divide, remainder, fmod):
    export(_f)
_inplace_binary(_prep_wrapped(_floor_divide), "floor_divide_")
_inplace_binary(_prep(_remainder, _remainder_s), "remainder_")
_inplace_binary(_prep(_fmod, _fmod_s), "fmod_")

Tensor.__mod__ = _operator(lambda self, other: remainder(self, other))
Tensor.__rmod__ = _operator(lambda self, other: remainder(other, self))
Tensor.__imod__ = _operator(lambda self, other: self.remainder_(other))
Tensor.__floordiv__ = _operator(lambda self, other: floor_divide(self, other))
Tensor.__rfloordiv__ = _operator(lambda self, other: floor_divide(other, self))
Tensor.__ifloordiv__ = _operator(lambda self, other: self.floor_divide_(other))


# ---- float_power ----------------------------------------------------------------------------------------------
def _float_power_dtype(*operands):
    return D.complex128 if any(is_tensor(x) and x.dtype.is_complex or isinstance(x, complex)
                               for x in operands) else D.float64


def float_power(input, exponent):
    """pow in float64 (complex128 if either is complex), as PyTorch composes it (ToCopyBackward0 into PowBackward*)."""
    input, exponent = py_scalar(input), py_scalar(exponent)
    dt = _float_power_dtype(input, exponent)
    num = complex if dt.is_complex else float
    if not is_tensor(input):
        return pow(num(input), exponent.to(dt))
    return pow(input.to(dt), exponent.to(dt) if is_tensor(exponent) else num(exponent))


def float_power_(self, exponent):
    exponent = py_scalar(exponent)
    dt = _float_power_dtype(self, exponent)
    if self.dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {_legacy_name(self.dtype)} but the operation's "
                           f"result requires dtype {_legacy_name(dt)}")
    return self.pow_(exponent.to(dt) if is_tensor(exponent) else (complex if dt.is_complex else float)(exponent))


export(float_power)
method(float_power_, "float_power_")


# ---- two-input math --------------------------------------------------------------------------------------------
def _hypot_fwd(xp, a, b):
    if a.dtype.kind in "biuc":
        _errors.not_implemented("hypot_cpu", a.dtype)
    return xp.hypot(a, b)


def _xlogy_fwd(xp, x, y):
    """0 where x is 0 (even if y is 0 or inf), nan where y is nan; x or y may be a Python number."""
    dt = (y if hasattr(y, "dtype") else x).dtype
    if dt.kind == "c":
        _errors.not_implemented("xlogy_cpu", dt)
    x, y = xp.asarray(x, dtype=dt), xp.asarray(y, dtype=dt)
    return xp.where(xp.isnan(y), xp.nan, xp.where(x == 0, 0, x * xp.log(y))).astype(dt, copy=False)


def _fmax_mask(a, b):
    return (a >= b) | b.isnan()  # where fmax takes a: ties and a nan b go to a


def _fmin_mask(a, b):
    return (a <= b) | b.isnan()


def _atan2_recip(a, b):
    d = a * a + b * b
    return d.reciprocal().masked_fill(d == 0, 0)  # PyTorch's: no slope at the origin


_atan2 = defop("atan2", "Atan2Backward0", lambda xp, a, b: real_only("atan2_cpu", xp.arctan2, a, b),
               (lambda g, a, b: g * b * _atan2_recip(a, b), lambda g, a, b: g * -a * _atan2_recip(a, b)),
               tex=("b/(a² + b²)", "-a/(a² + b²)"))
_hypot = defop("hypot", "HypotBackward0", _hypot_fwd, (lambda g, a, result: g * a / result,
                                                       lambda g, b, result: g * b / result), tex=("a/r", "b/r"))
_fmax = defop("fmax", "FmaxBackward0", lambda xp, a, b: xp.fmax(a, b),
              (lambda g, a, b: g.masked_fill(~_fmax_mask(a, b), 0), lambda g, a, b: g.masked_fill(_fmax_mask(a, b), 0)),
              tex=("1 if a ≥ b or b is nan", "1 if b > a or a is nan"))
_fmin = defop("fmin", "FminBackward0", lambda xp, a, b: xp.fmin(a, b),
              (lambda g, a, b: g.masked_fill(~_fmin_mask(a, b), 0), lambda g, a, b: g.masked_fill(_fmin_mask(a, b), 0)),
              tex=("1 if a ≤ b or b is nan", "1 if b < a or a is nan"))


def _copysign_grad(g, a, result):
    return g * (result / a).masked_fill(a == 0, 0)


_copysign = defop("copysign", "CopysignBackward0", lambda xp, a, b: real_only("copysign_cpu", xp.copysign, a, b),
                  (_copysign_grad, _zero), tex=("sign(a)·sign(b)", "0"))
_copysign_s = defop("copysign", "CopysignBackward1",
                    lambda xp, a, other: real_only("copysign_cpu", xp.copysign, a, other), (_copysign_grad,),
                    n_tensors=1, tex=("sign(a)·sign(c)",))
# the slope in x is log y, except where x = 0 and y ≤ 0 (PyTorch's choice: 0 there)
_xlogy = defop("xlogy", "XlogyBackward0", _xlogy_fwd,
               (lambda g, x, y: xlogy(g, y).masked_fill((x == 0) & (y <= 0), 0), lambda g, x, y: g * x / y),
               tex=("log y", "x/y"))
_xlogy_sx = defop("xlogy", "XlogyBackward1", lambda xp, y, x: _xlogy_fwd(xp, x, y), (lambda g, y, x: g * x / y,),
                  n_tensors=1, tex=("x/y",))
_xlogy_sy = defop("xlogy", "XlogyBackward2", _xlogy_fwd,
                  (lambda g, x, y: xlogy(g, y) if y > 0 else xlogy(g, y).masked_fill(x == 0, 0),), n_tensors=1,
                  tex=("log y",))


def atan2(input, other, *, out=None):
    _errors.need_tensors("atan2", input, other)
    return _float_binary(_atan2, input, other)


def hypot(input, other, *, out=None):
    _errors.need_tensors("hypot", input, other)
    return binary(_hypot, input, other)


def fmax(input, other, *, out=None):
    _errors.need_tensors("fmax", input, other)
    no_complex("fmax", input, other)
    return binary(_fmax, input, other)


def fmin(input, other, *, out=None):
    _errors.need_tensors("fmin", input, other)
    no_complex("fmin", input, other)
    return binary(_fmin, input, other)


def copysign(input, other, *, out=None):
    if not is_tensor(input):
        _errors.invalid_combination("copysign", (input, other), _errors.TENSOR_OR_NUMBER_OTHER)
    if not is_tensor(other):
        return _scalar(_copysign_s, input, other, float_op=True)
    return _float_binary(_copysign, input, other)


def xlogy(input, other, *, out=None):
    if is_tensor(input) and is_tensor(other):
        return _float_binary(_xlogy, input, other)
    if is_tensor(input):
        return _scalar(_xlogy_sy, input, other, float_op=True)
    return _scalar(_xlogy_sx, other, input, float_op=True)


for _f in (atan2, hypot, fmax, fmin):
    export_tensor_pair(_f)
for _f in (copysign, xlogy):
    export(_f)
export_tensor_pair(atan2, "arctan2")
_inplace_binary(_prep(_atan2, float_op=True), "atan2_")
Tensor.arctan2_ = Tensor.atan2_
_inplace_binary(_prep(_hypot), "hypot_")
_inplace_binary(_prep(_copysign, _copysign_s, float_op=True), "copysign_")
_inplace_binary(_prep(_xlogy, _xlogy_sy, float_op=True), "xlogy_")


# ---- lerp, addcmul, addcdiv -------------------------------------------------------------------------------
def _lerp_fwd(xp, x, end, weight):
    # PyTorch's: from the nearer end, so that lerp(a, b, 1) is exactly b; half precision computes in float
    dt = x.dtype
    if dt == np.float16:
        x, end = x.astype(np.float32), end.astype(np.float32)
    weight = xp.asarray(weight, dtype=x.dtype)
    out = xp.where(xp.abs(weight) < 0.5, x + weight * (end - x), end - (end - x) * (1 - weight))
    return out.astype(dt, copy=False)


_lerp_s = defop("lerp", "LerpBackward0", _lerp_fwd, (lambda g, weight: g * (1 - weight), lambda g, weight: g * weight),
                n_tensors=2, tex=("1 - w", "w"))
_lerp_t = defop("lerp", "LerpBackward1", _lerp_fwd,
                (lambda g, weight: g * (1 - weight), lambda g, weight: g * weight, lambda g, x, end: g * (end - x)),
                tex=("1 - w", "w", "end - x"))


def _lerp_args(input, end, weight, inplace=False):
    """PyTorch's checks, in its order, and the promoted arrays (a tensor weight) or the weight (a number).

    end must have input's dtype, and so must a weight with dimensions; a 0-d weight takes part in promotion.
    A number weight is converted into the computation's type (float for half), checked."""
    if is_tensor(end) and end.dtype != input.dtype:
        raise RuntimeError(f"expected dtype {_c_name(input.dtype)} for `end` but got dtype {_c_name(end.dtype)}")
    if is_tensor(weight) and weight._data.ndim and weight.dtype != input.dtype:
        raise RuntimeError(f"expected dtype {_c_name(input.dtype)} for `weight` but got dtype {_c_name(weight.dtype)}")
    ts = [t for t in (input, end, weight) if is_tensor(t)]
    out_shape = _broadcast_shape(*[t._data.shape for t in ts])
    if inplace:
        _errors.check_inplace_broadcast(input._data.shape, out_shape)
    if is_tensor(weight):
        rt = D.result_type_of([t._data for t in ts]).np
        if inplace:
            _check_cast(rt, input._data.dtype)
        if rt.kind not in "fc":
            _errors.not_implemented("lerp_kernel_tensor", rt)
        return tuple(t._data if t._data.dtype == rt else t._data.astype(rt) for t in ts)
    rt = input._data.dtype
    if rt.kind not in "fc":
        _errors.not_implemented("lerp_kernel_scalar", rt)
    return D.scalar_to(weight, D.float32 if rt == np.float16 else D.FROM_NP[rt])


def lerp(input, end, weight, *, out=None):
    if not (is_tensor(input) and is_tensor(end)):
        _errors.invalid_combination("lerp", (input, end, weight), (
            "Tensor input, Tensor end, Tensor weight, *, Tensor out = None",
            "Tensor input, Tensor end, Number weight, *, Tensor out = None"))
    w = _lerp_args(input, end, weight)
    if is_tensor(weight):
        return apply(_lerp_t, (input, end, weight), (), w)
    return apply(_lerp_s, (input, end), (w,))


def lerp_(self, end, weight):
    w = _lerp_args(self, end, weight, inplace=True)
    if is_tensor(weight):
        return apply_inplace(_lerp_t, self, (end, weight), (), w)
    return apply_inplace(_lerp_s, self, (end,), (w,))


export(lerp)
method(lerp_, "lerp_")

_addcmul = defop("addcmul", "AddcmulBackward0", lambda xp, x, t1, t2, value: x + value * t1 * t2,
                 (lambda g: g, lambda g, t2, value: g * (t2 * value), lambda g, t1, value: g * (t1 * value)),
                 n_tensors=3, tex=("1", "v·t₂", "v·t₁"))
_addcdiv = defop("addcdiv", "AddcdivBackward0", lambda xp, x, t1, t2, value: x + value * t1 / t2,
                 (lambda g: g, lambda g, t2, value: g * (value / t2),
                  lambda g, t1, t2, value: -g * value * t1 / (t2 * t2)),
                 n_tensors=3, tex=("1", "v/t₂", "-v·t₁/t₂²"))


def _addc_arrays(op, self, tensor1, tensor2, value, method=False, inplace=False):
    """PyTorch's checks for addcmul/addcdiv, in its order (argument types, addcdiv of integers, shapes, the in-place
    output, the kernel's dtypes, value), and the three operands promoted together; value as the result dtype
    holds it (checked: an integer result truncates it, and refuses 300 for int8)."""
    ts = (self, tensor1, tensor2)
    name = op.name + ("_" if inplace else "")
    for i, (t, arg) in enumerate(zip(ts, ("input", "tensor1", "tensor2"))):
        if not (method and i == 0):
            _errors.need_tensor(t, name, arg, i if method else i + 1)
    if op is _addcdiv and tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError(_ADDCDIV_INT)
    shape = _broadcast_shape(*[t._data.shape for t in ts])
    rt = D.result_type_of([t._data for t in ts]).np
    if inplace:
        _errors.check_inplace_broadcast(self._data.shape, shape)
        _check_cast(rt, self._data.dtype)
    if rt.kind == "b":
        _errors.not_implemented(op.name + "_cpu_out", rt)
    value = py_scalar(value)
    checked = D.scalar_to(value, D.float32 if rt == np.float16 else D.FROM_NP[rt])
    if rt.kind in "iu":
        value = checked
    return ts, tuple(t._data if t._data.dtype == rt else t._data.astype(rt) for t in ts), value


_ADDCDIV_INT = ("Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform "
                "a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + "
                "value * chainrule.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + "
                "value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter "
                "implementation: (input + value * tensor1 / tensor2), for all dtypes.")


def _addc(op, method=False, inplace=False):
    def fn(input, tensor1, tensor2, *, value=1, out=None):
        ts, arrays, value = _addc_arrays(op, input, tensor1, tensor2, value, method, inplace)
        if inplace:
            return apply_inplace(op, input, ts[1:], (value,), arrays)
        return apply(op, ts, (value,), arrays)
    fn.__name__ = op.name + ("_" if inplace else "")
    return fn


for _op in (_addcmul, _addcdiv):
    export(_addc(_op), method=False)
    method(_addc(_op, method=True))
    method(_addc(_op, method=True, inplace=True))




# ---- where ---------------------------------------------------------------------------------------------------
# as PyTorch: the condition is saved (freed by backward) and the gradients are where(cond, grad, 0) and
# where(cond, 0, grad), themselves WhereBackward0 under create_graph
_where = defop("where", "WhereBackward0", lambda xp, a, b, cond: xp.where(cond, a, b),
               (lambda g, cond: _where_grad(g, cond, True), lambda g, cond: _where_grad(g, cond, False)), n_tensors=2,
               tex=("1 where cond", "1 where not cond"), saved_params=("cond",))


def _where_grad(g, cond, keep_where_true):
    from .._creation import zeros_like
    z = zeros_like(g)
    return apply(_where, (g, z) if keep_where_true else (z, g), (cond,))


_WHERE_SIGNATURES = ("Tensor condition", "Tensor condition, Tensor input, Tensor other, *, Tensor out = None",
                     "Tensor condition, Number self, Tensor other", "Tensor condition, Tensor input, Number other",
                     "Tensor condition, Number self, Number other")


def where(condition, input=None, other=None):
    if not is_tensor(condition) or (input is None) != (other is None):
        _errors.invalid_combination("where", [a for a in (condition, input, other) if a is not None],
                                    _WHERE_SIGNATURES)
    if input is None:  # where(cond) is nonzero(cond, as_tuple=True)
        c = condition._data
        return tuple(Tensor._make(i.astype(np.int64)) for i in (c.reshape(1) if c.ndim == 0 else c).nonzero())
    if condition._data.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_legacy_name(condition.dtype)}")
    input, other = py_scalar(input), py_scalar(other)
    numbers = [x for x in (input, other) if not is_tensor(x)]
    if numbers:  # numbers are converted checked into the result dtype (but not into half, as in PyTorch)
        rt = D.result_type_of([x._data if is_tensor(x) else x for x in (input, other)])
        if rt is not D.float16:
            for x in numbers:
                D.scalar_to(x, rt)
    if not is_tensor(input) and not is_tensor(other):
        input = as_tensor_like(input, D.scalar_dtype(input).np, condition)
    if is_tensor(input):
        a, b, da, db = promote(input, other)
    else:
        b, a, db, da = promote(other, input)
    _broadcast_shape(condition._data.shape, da.shape, db.shape)
    return apply(_where, (a, b), (condition._data,), (da, db))


export(where)
method(lambda self, condition, other: where(condition, self, other), "where")


# ---- clamp with tensor bounds ------------------------------------------------------------------------------------
_clamp_min_t = defop("clamp_min", "ClampMinBackward1", lambda xp, x, min: xp.maximum(x, min),
                     (lambda g, x, min: _keep(g, x >= min), lambda g, x, min: _keep(g, x < min)),
                     tex=("1 if x ≥ min", "1 if x < min"))
_clamp_max_t = defop("clamp_max", "ClampMaxBackward1", lambda xp, x, max: xp.minimum(x, max),
                     (lambda g, x, max: _keep(g, x <= max), lambda g, x, max: _keep(g, x > max)),
                     tex=("1 if x ≤ max", "1 if x > max"))


# clamp with tensor bounds has three inputs, as PyTorch's node: a bound not given is a placeholder (no edge)
def _clamp_t_fwd(xp, x, min, max, has_min, has_max):
    if has_min:
        x = xp.maximum(x, min)
    return xp.minimum(x, max) if has_max else x


def _clamp_t_self(g, x, min, max, has_min, has_max):
    if has_min and has_max:
        return _keep(g, (x >= min) & (x <= max))
    return _keep(g, x >= min) if has_min else _keep(g, x <= max)


# min > max: the result is max everywhere, and PyTorch gives the whole gradient to max
_clamp_t = defop("clamp", "ClampBackward0", _clamp_t_fwd,
                 (_clamp_t_self,
                  lambda g, x, min, max, has_max: _keep(g, (x < min) & (min < max)) if has_max else _keep(g, x < min),
                  lambda g, x, min, max, has_min: _keep(g, (x > max) | (max < min)) if has_min else _keep(g, x > max)),
                 tex=("1 if min ≤ x ≤ max", "1 if x < min < max", "1 if x > max or max < min"))
_CLAMP_SIGNATURES = ("Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None",
                     "Tensor input, Number min = None, Number max = None, *, Tensor out = None")


def _clamp_args(input, min, max):
    """The three tensors (a 0-d placeholder for a bound not given), their promoted arrays, which bounds are given."""
    if (min is not None and not is_tensor(min)) or (max is not None and not is_tensor(max)):
        _errors.invalid_combination("clamp", (input, min, max), _CLAMP_SIGNATURES)
    if input._data.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    ts = [t for t in (input, min, max) if t is not None]
    arrays = list(_promoted(ts))
    hole = as_tensor_like(0, arrays[0].dtype, input)
    if min is None:
        ts.insert(1, hole)
        arrays.insert(1, hole._data)
    if max is None:
        ts.append(hole)
        arrays.append(hole._data)
    return tuple(ts), tuple(arrays), (min is not None, max is not None)


def _promoted(ts, rt=None):
    if rt is None:
        rt = D.result_type_of([t._data for t in ts]).np
    _broadcast_shape(*[t._data.shape for t in ts])
    return tuple(t._data if t._data.dtype == rt else t._data.astype(rt) for t in ts)


def _clamp_kernel_check(rt, given):
    if rt.kind == "c" or rt.kind == "b" and all(given):  # the kernel PyTorch dispatches to for the bounds given
        _errors.not_implemented("clamp_cpu" if all(given) else "maximum_cpu" if given[0] else "minimum_cpu", rt)


def clamp_tensor(input, min=None, max=None):
    ts, arrays, given = _clamp_args(input, min, max)
    _clamp_kernel_check(arrays[0].dtype, given)
    return apply(_clamp_t, ts, given, arrays)


def clamp_tensor_(self, min=None, max=None):
    ts, arrays, given = _clamp_args(self, min, max)
    _inplace_checks(self, [t for t, g in zip(ts[1:], given) if g], arrays[0].dtype)
    _clamp_kernel_check(arrays[0].dtype, given)
    return apply_inplace(_clamp_t, self, ts[1:], given, arrays)


def _inplace_checks(self, others, rt):
    """PyTorch's order for an in-place op: the broadcast shape must be self's, then the result dtype must cast."""
    _errors.check_inplace_broadcast(self._data.shape, _broadcast_shape(*[t._data.shape for t in (self, *others)]))
    _check_cast(rt, self._data.dtype)


def _clamp_bound(op, input, bound, inplace):
    ts = (input, bound)
    arrays = _promoted(ts)
    if inplace:
        _inplace_checks(input, (bound,), arrays[0].dtype)
    if arrays[0].dtype.kind == "c":
        _errors.not_implemented("maximum_cpu" if op is _clamp_min_t else "minimum_cpu", arrays[0].dtype)
    if inplace:
        return apply_inplace(op, input, (bound,), (), arrays)
    return apply(op, ts, (), arrays)


def clamp_min_tensor(input, min, inplace=False):
    """clamp_min with a tensor bound: ClampMinBackward1."""
    return _clamp_bound(_clamp_min_t, input, min, inplace)


def clamp_max_tensor(input, max, inplace=False):
    return _clamp_bound(_clamp_max_t, input, max, inplace)


# ---- logical ops ------------------------------------------------------------------------------------------------
def _logical(name):
    op = defop(name, name, lambda xp, a, b: getattr(xp, name)(a, b))

    def fn(input, other, *, out=None):
        _errors.need_tensors(name, input, other)
        return binary(op, input, other)

    def fn_(self, other):
        _errors.need_tensor(other, name + "_", position=1)
        _errors.check_inplace_broadcast(self._data.shape, other._data.shape)
        return apply_inplace(op, self, (other,))
    fn.__name__ = name
    export_tensor_pair(fn)
    method(fn_, name + "_")


for _name in ("logical_and", "logical_or", "logical_xor"):
    _logical(_name)


# ---- in-place comparisons: the tensor keeps its dtype, and PyTorch records a node with zero gradients ------------
def _inplace_compare(name, ufunc):
    def fwd(xp, a, b):
        if name in ("eq", "ne"):
            return getattr(xp, ufunc)(a, b)
        return real_only(f"{name}_cpu", getattr(xp, ufunc), a, b)  # complex numbers have no order
    op_t = defop(name + "_", name.capitalize() + "Backward1", lambda xp, a, b: fwd(xp, a, b),
                 (_zero, _zero), tex=("0", "0"))
    op_s = defop(name + "_", name.capitalize() + "Backward0", lambda xp, a, other: fwd(xp, a, other),
                 (_zero,), n_tensors=1, tex=("0",))
    _inplace_binary(_prep(op_t, op_s, cast=False), name + "_")


for _name, _ufunc in (("eq", "equal"), ("ne", "not_equal"), ("lt", "less"), ("le", "less_equal"),
                      ("gt", "greater"), ("ge", "greater_equal")):
    _inplace_compare(_name, _ufunc)
for _alias, _name in (("greater_", "gt_"), ("less_", "lt_"), ("greater_equal_", "ge_"), ("less_equal_", "le_"),
                      ("not_equal_", "ne_")):
    setattr(Tensor, _alias, getattr(Tensor, _name))


# ---- isclose, allclose, equal -----------------------------------------------------------------------------------
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _errors.need_tensors("isclose", input, other)
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{_legacy_name(input.dtype)} did not match {_legacy_name(other.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    _broadcast_shape(a.shape, b.shape)
    xp = _xp(a)
    close = a == b
    if equal_nan and a.dtype.kind in "fc":
        close = close | (xp.isnan(a) & xp.isnan(b))
    if rtol or atol:
        # |a - b| ≤ atol + rtol·|b|, in the float dtype (integers and bools in the default float dtype)
        a, b = _as_float(a), _as_float(b)
        actual = xp.abs(a - b)
        close = close | ((actual <= atol + xp.abs(rtol * b)) & xp.isfinite(actual))
    return Tensor._make(close)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    a, b = input._data, other._data
    return a.shape == b.shape and bool((a == b).all())


export(isclose)
export(allclose)
export(equal)
