"""PyTorch's error messages for bad arguments, raised before NumPy sees them."""
from .._tensor import Tensor


def bool_sub():
    raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                       "`logical_xor()` operator instead.")


def check_int_pow(base, exponent):
    if base._data.dtype.kind in "iu":
        neg = (exponent._data < 0).any() if isinstance(exponent, Tensor) and exponent._data.dtype.kind in "iu" \
            else (isinstance(exponent, int) and exponent < 0)
        if neg:
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


def need_tensor(x, fn, arg):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position 2) must be Tensor, not {type(x).__name__}")
