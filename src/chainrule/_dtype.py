"""dtype objects and PyTorch's type-promotion rules."""
import math

import numpy as np

__all__ = ["dtype", "promote_types", "result_type_of", "get_default_dtype", "set_default_dtype"]

# category order used by promotion: bool < integer < floating < complex
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    __module__ = "chainrule"  # <class 'chainrule.dtype'>, as torch prints <class 'torch.dtype'>
    __slots__ = ("name", "np", "category", "itemsize", "is_signed", "tensor_type", "_aliases")

    def __init__(self, name, np_dtype, category, tensor_type):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.itemsize = self.np.itemsize
        self.is_signed = category != _BOOL and name != "uint8"
        self.tensor_type = tensor_type  # legacy name used in error messages: FloatTensor

    @property
    def is_floating_point(self):
        return self.category == _FLOAT

    @property
    def is_complex(self):
        return self.category == _COMPLEX

    def __repr__(self):
        return "chainrule." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self):
        return {"float64": complex128, "float16": complex64, "float32": complex64}.get(self.name, self)


bool_ = dtype("bool", np.bool_, _BOOL, "BoolTensor")
uint8 = dtype("uint8", np.uint8, _INT, "ByteTensor")
int8 = dtype("int8", np.int8, _INT, "CharTensor")
int16 = dtype("int16", np.int16, _INT, "ShortTensor")
int32 = dtype("int32", np.int32, _INT, "IntTensor")
int64 = dtype("int64", np.int64, _INT, "LongTensor")
float16 = dtype("float16", np.float16, _FLOAT, "HalfTensor")
float32 = dtype("float32", np.float32, _FLOAT, "FloatTensor")
float64 = dtype("float64", np.float64, _FLOAT, "DoubleTensor")
complex64 = dtype("complex64", np.complex64, _COMPLEX, "ComplexFloatTensor")
complex128 = dtype("complex128", np.complex128, _COMPLEX, "ComplexDoubleTensor")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_NAMES = {d.name: d for d in ALL}
FROM_NP = {d.np: d for d in ALL}
ALIASES = {
    "float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
    "short": int16, "cfloat": complex64, "cdouble": complex128, "bool": bool_,
}


def _by_name(name):
    return _NAMES[name]


_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    if d not in (float16, float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type")
    _default[0] = d


def from_np(np_dtype):
    try:
        return FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
                        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.") from None


def promote_types(a, b):
    """torch.promote_types: the smallest dtype both convert to safely."""
    if a is b:
        return a
    ca, cb = a.category, b.category
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi.category == _COMPLEX and lo.category == _FLOAT and lo.itemsize > hi.itemsize // 2:
            return complex128
        return hi
    if ca == _FLOAT and (a is float16 or b is float16):
        return a if b is float16 else b
    return FROM_NP[np.promote_types(a.np, b.np)]


def py_scalar(v):
    """A NumPy scalar as the Python number PyTorch's argument parser reads it as: integers as int, np.complex128
    (a Python complex) as complex, any other (np.bool_, np.float32, even np.complex64, whose imaginary part is
    dropped) as a float, as PyTorch does (t + np.bool_(True) is a float tensor). Anything else (Python numbers,
    arrays, tensors) as it is."""
    if isinstance(v, np.generic) and not isinstance(v, np.ndarray):
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, complex):
            return complex(v)
        if isinstance(v, np.complexfloating):
            return float(v.real)
        if isinstance(v, (np.floating, np.bool_)):
            return float(v)
    return v


# the C++ type names of PyTorch's Scalar::to<T>() in "value cannot be converted to type ... without overflow"
C_SCALAR_NAMES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
                  "float16": "c10::Half", "float32": "float", "float64": "double",
                  "complex64": "c10::complex<float>", "complex128": "c10::complex<double>", "bool": "bool"}


def overflows(v, d):
    """c10::overflows: whether PyTorch refuses to convert the Python number v to dtype d.

    Integers: out of range, except that negative numbers wrap into unsigned types down to -max (so that
    a - b can be a + 255 * b for uint8). Floats into integers: nan, ±inf and anything out of range (-0.5 for
    uint8). Floats into floats: finite values past the largest finite one (inf and nan convert). Complex into
    real types: a nonzero imaginary part. Nothing overflows bool.
    """
    if d is bool_ or isinstance(v, bool):
        return False
    if isinstance(v, complex):
        if d.category != _COMPLEX and v.imag != 0:
            return True
        r = d.to_real()
        return overflows(v.real, r) or overflows(v.imag, r)
    if d.category == _COMPLEX:
        d = d.to_real()
    if d.category == _FLOAT:
        if isinstance(v, float) and not math.isfinite(v):
            return False
        big = float(np.finfo(d.np).max)
        return v < -big or v > big
    info = np.iinfo(d.np)
    if isinstance(v, float):
        return math.isnan(v) or v < float(info.min) or v > float(info.max)
    if info.min == 0:
        return v > info.max or -v > info.max
    return v < info.min or v > info.max


def scalar_to(v, d, name=None):
    """The Python number v as dtype d holds it, as PyTorch's checked conversion (Scalar::to<T>()) gives it:
    RuntimeError when it overflows (see overflows), else integers wrapped (-1 as uint8 is 255), floats truncated
    into integer types. name: the type name in the message (default: the C++ one)."""
    v = py_scalar(v)
    if overflows(v, d):
        raise RuntimeError(f"value cannot be converted to type {name or C_SCALAR_NAMES[d.name]} without overflow")
    if d is bool_:
        return bool(v)
    if d.category == _INT:
        if isinstance(v, complex):
            v = v.real
        bits = 8 * d.itemsize
        lo = 0 if d is uint8 else -(1 << (bits - 1))
        return (int(v) - lo) % (1 << bits) + lo
    if d.category == _FLOAT:
        return float(v.real if isinstance(v, complex) else v)
    return complex(v)


def fill_value(v, d, numel):
    """A number as fill_ (and full) put it into dtype d: scalar_to, except that a single half element is filled
    through a double, unchecked (1e6 gives inf), as PyTorch's one-element fast path does."""
    if d is float16 and numel == 1:
        return float(np.float16(scalar_to(v, float64)))
    return scalar_to(v, d)


def scalar_dtype(v):
    """dtype a Python scalar takes when it stands alone (torch.tensor(v))."""
    v = py_scalar(v)
    if isinstance(v, bool):
        return bool_
    if isinstance(v, int):
        return int64
    if isinstance(v, complex):
        return complex64 if _default[0] is not float64 else complex128
    return _default[0]


def _combine(higher, lower):
    """Combine the results of two priority classes (dimensioned > 0-d > Python scalar)."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == _COMPLEX:
        return higher
    if lower.category == _COMPLEX:
        return higher.to_complex() if higher.category == _FLOAT else lower
    if higher.category == _FLOAT:
        return higher
    if higher is bool_ or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type_of(operands):
    """torch.result_type over arrays (tensors' data) and Python scalars (weakly typed)."""
    dim_r = zero_r = wrap_r = None
    for o in operands:
        o = py_scalar(o)
        d = FROM_NP.get(getattr(o, "dtype", None))
        if d is not None:
            if o.ndim:
                dim_r = d if dim_r is None else promote_types(dim_r, d)
            else:
                zero_r = d if zero_r is None else promote_types(zero_r, d)
        else:
            d = scalar_dtype(o)
            wrap_r = d if wrap_r is None else promote_types(wrap_r, d)
    return _combine(dim_r, _combine(zero_r, wrap_r))
