"""chainrule.Size: the tuple of ints that tensor.shape and tensor.size() return, as torch.Size behaves."""
import math
import operator

__all__ = ["Size"]

_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class written in Python


def _type_name(x):
    """The type's name as CPython's messages print it (tp_name): numpy.float64, float, Tensor."""
    t = type(x)
    if t.__flags__ & _HEAPTYPE or t.__module__ == "builtins":
        return t.__name__
    return f"{t.__module__}.{t.__qualname__}"


def _as_int(x, i):
    if type(x) is int:
        return x
    from ._tensor import Tensor
    try:
        if isinstance(x, Tensor):  # a one-element integer or bool tensor
            if x.dtype.category > 1 or x.numel() != 1:
                raise TypeError
            return int(x.item())
        return operator.index(x)
    except TypeError:
        raise TypeError(f"chainrule.Size() takes an iterable of 'int' (item {i} is '{_type_name(x)}')") from None


class Size(tuple):
    """chainrule.Size: a tuple of ints that prints like torch.Size.

    As in torch, the items are converted with __index__ (bools and one-element
    integer tensors become ints, anything else is refused), and +, * and slicing
    give a Size back.
    """
    __module__ = "chainrule"  # <class 'chainrule.Size'>, as torch prints <class 'torch.Size'>

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        if not all(type(s) is int for s in sizes):
            sizes = tuple(_as_int(s, i) for i, s in enumerate(sizes))
        return tuple.__new__(cls, sizes)

    def __repr__(self):
        return f"chainrule.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self):
        return math.prod(self)

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        if isinstance(other, tuple):
            return Size(tuple.__add__(self, other))
        return _reflected(self, other, "__radd__",
                          f"can only concatenate tuple (not {_type_name(other)}) to chainrule.Size")

    def __radd__(self, other):
        if isinstance(other, tuple):
            return Size(tuple.__add__(other, self))
        return NotImplemented

    def __mul__(self, n):
        if hasattr(type(n), "__index__"):
            return Size(tuple.__mul__(self, n))
        return _reflected(self, n, "__rmul__", f"can't multiply sequence by non-int of type '{_type_name(n)}'")

    def __rmul__(self, n):
        if hasattr(type(n), "__index__"):
            return Size(tuple.__mul__(self, n))
        raise TypeError(f"can't multiply sequence by non-int of type '{_type_name(n)}'")


def _reflected(size, other, name, message):
    """torch.Size's own message, once the other operand's reflected method has had its say."""
    reflected = getattr(type(other), name, None)
    if reflected is not None:
        r = reflected(other, size)
        if r is not NotImplemented:
            return r
    raise TypeError(message)
