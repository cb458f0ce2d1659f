"""Argument handling shared by op wrappers: scalars, type promotion, dims, PyTorch's errors."""
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ._op import apply

_ndarray = np.ndarray


def is_tensor(x):
    return isinstance(x, Tensor)


def as_tensor_like(v, dtype_np, like):
    """A Python scalar as a 0-d constant tensor on like's device."""
    arr = np.array(v).astype(dtype_np)  # a cast, not a check: -1 as uint8 wraps to 255, as in PyTorch
    if like._data.__class__ is not _ndarray:
        from .._device import move
        arr = move(arr, like.device)
    return Tensor._make(arr)


def cast_scalar(v, dtype_np):
    """A Python int as an integer dtype holds it (-1 as uint8 is 255): PyTorch casts such numbers, NumPy refuses.
    NumPy scalars become the Python numbers PyTorch reads them as (see D.py_scalar)."""
    v = D.py_scalar(v)
    if dtype_np.kind in "iu" and isinstance(v, int) and not isinstance(v, bool):
        bits = 8 * dtype_np.itemsize
        lo = 0 if dtype_np.kind == "u" else -(1 << (bits - 1))
        return (v - lo) % (1 << bits) + lo
    return v


def checked_scalar(v, dtype_np):
    """A number converted as PyTorch's kernels take a Scalar argument (pow's exponent, clamp's bounds, fill_'s
    value): checked, so RuntimeError "value cannot be converted to type ... without overflow", else wrapped."""
    return D.scalar_to(v, D.FROM_NP[dtype_np])


py_scalar = D.py_scalar


def promote(a, b):
    """Operands of a binary op as tensors of their common dtype (PyTorch's promotion rules)."""
    da = a._data
    if isinstance(b, Tensor):
        db = b._data
        if da.dtype is db.dtype:
            return a, b, da, db
        rt = D.result_type_of((da, db)).np
        return a, b, (da if da.dtype == rt else da.astype(rt)), (db if db.dtype == rt else db.astype(rt))
    bt = b.__class__
    if bt is not float and bt is not int and bt is not bool and bt is not complex and isinstance(b, np.generic):
        b = D.py_scalar(b)  # NumPy scalars are numbers to PyTorch, as Python's are
        bt = b.__class__
    if bt is float or bt is int or bt is bool or bt is complex:
        k = da.dtype.kind
        if (bt is float and k in "fc") or (bt is int and k in "fciu"):
            rt = da.dtype  # a weakly typed scalar keeps the tensor's dtype
        else:
            rt = D.result_type_of((da, b)).np
        bt = as_tensor_like(cast_scalar(b, rt), rt, a)
        return a, bt, (da if da.dtype == rt else da.astype(rt)), bt._data
    if isinstance(b, np.ndarray):
        return promote(a, Tensor._make(np.asarray(b)))
    raise TypeError(f"unsupported operand type: '{type(b).__name__}'")


def broadcast_error(sa, sb):
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if sa[i] != sb[i] and sa[i] != 1 and sb[i] != 1:
            return RuntimeError(f"The size of tensor a ({sa[i]}) must match the size of tensor b ({sb[i]}) at "
                                f"non-singleton dimension {i}")
    return None


def binary(op, a, b, params=(), reflected=False):
    """Apply a two-input op with promotion and broadcasting; reflected means b <op> a."""
    if not isinstance(a, Tensor):
        a, b = b, a
        reflected = not reflected
    a, b, da, db = promote(a, b)
    x, y, dx, dy = (b, a, db, da) if reflected else (a, b, da, db)
    try:
        return apply(op, (x, y), params, (dx, dy))
    except ValueError:
        err = broadcast_error(dx.shape, dy.shape)
        if err is None:
            raise
        raise err from None


def float_input(a):
    """Integer and bool tensors become the default float dtype for float-valued ops (exp, sin, ...)."""
    if a._data.dtype.kind in "biu":
        return D.get_default_dtype().np
    return None


def wrap_dim(dim, ndim):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def dims(dim, ndim):
    """Normalise an int / tuple / list / None dim argument to a sorted tuple of non-negative dims."""
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):  # () reduces everything, as in PyTorch
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (wrap_dim(int(dim), ndim),)
    out = tuple(wrap_dim(int(d), ndim) for d in dim)
    if len(set(out)) != len(out):
        d = next(d for d in out if out.count(d) > 1)
        raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(out))
