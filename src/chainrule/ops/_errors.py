"""PyTorch's error messages for bad arguments, raised before NumPy sees them."""
from .._size import _type_name as type_name  # noqa: F401  a type as CPython's messages name it (numpy.float32)
from .._tensor import Tensor


def check_bool_sub(a, b):
    """PyTorch refuses subtraction when either operand (tensor or Python bool) is boolean."""
    ba, bb = [x._data.dtype.kind == "b" if isinstance(x, Tensor) else isinstance(x, bool) for x in (a, b)]
    if ba and bb:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if ba or bb:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")


def check_int_pow(base, exponent):
    """A negative Python integer exponent of an integer tensor (a tensor exponent gives C's integer powers)."""
    if base._data.dtype.kind in "biu" and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def check_inplace_broadcast(self_shape, other_shape):
    import numpy as np
    try:
        out = np.broadcast_shapes(self_shape, other_shape)
    except ValueError:
        from ._args import broadcast_error
        raise broadcast_error(self_shape, other_shape) from None
    if tuple(out) != tuple(self_shape):
        raise RuntimeError(f"output with shape [{', '.join(map(str, self_shape))}] doesn't match the broadcast "
                           f"shape [{', '.join(map(str, out))}]")


def inplace_shape_error(result_shape, self_shape):
    raise RuntimeError(f"output with shape [{', '.join(map(str, self_shape))}] doesn't match the broadcast shape "
                       f"[{', '.join(map(str, result_shape))}]")


def inplace_cast(src, dst):
    from .._tensor import _legacy_name
    raise RuntimeError(f"result type {src} can't be cast to the desired output type {_legacy_name(dst)}")




def need_tensor(x, fn, arg="other", position=2):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {position}) must be Tensor, not {type_name(x)}")


def need_tensors(fn, input, other):
    """PyTorch's message for a function of two tensors called with a number."""
    need_tensor(input, fn, "input", 1)
    need_tensor(other, fn, "other", 2)


TENSOR_OR_NUMBER_OTHER = ("Tensor input, Tensor other, *, Tensor out = None",
                          "Tensor input, Number other, *, Tensor out = None")


def invalid_combination(fn, args, signatures, **kwargs):
    """PyTorch's argument-parser error when no overload takes the argument types."""
    def name(a):
        return "Tensor" if isinstance(a, Tensor) else type_name(a)
    got = ", ".join([name(a) for a in args] + [f"{k}={name(v)}" for k, v in kwargs.items()])
    raise TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                    + "".join(f" * ({s})\n" for s in signatures))


def not_implemented(kernel, np_dtype):
    """PyTorch's message when a CPU kernel has no version for a dtype."""
    from .. import _dtype as D
    from .._tensor import _legacy_name
    raise NotImplementedError(f'"{kernel}" not implemented for \'{_legacy_name(D.FROM_NP[np_dtype])}\'')


def rejects(kinds, kernel):
    """A dtype check for an op: NumPy dtype kinds ("b", "iu", ...) that PyTorch's kernel has no version for."""
    def check(t):
        if t._data.dtype.kind in kinds:
            not_implemented(kernel, t._data.dtype)
    return check


def no_bool(message):
    def check(t):
        if t._data.dtype.kind == "b":
            raise RuntimeError(message)
    return check
