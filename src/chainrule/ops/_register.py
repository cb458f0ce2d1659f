"""Publishing ops: as chainrule.<name>, as Tensor methods, and as in-place Tensor methods."""
from .._tensor import Tensor
from ._op import apply_inplace

FUNCTIONS = {}  # name -> function, exported from the chainrule namespace


def export(fn, name=None, method=True, function=True):
    name = name or fn.__name__
    if function:
        FUNCTIONS[name] = fn
    if method:
        setattr(Tensor, name, fn)
    return fn


def method(fn, name=None):
    return export(fn, name, method=True, function=False)


def inplace_unary(op, name, arrays=None):
    """arrays(self): the input as the op takes it (None: as it is), e.g. an integer tensor as float."""
    def fn(self):
        return apply_inplace(op, self, (), (), arrays(self) if arrays else None)
    fn.__name__ = name
    setattr(Tensor, name, fn)
    return fn


NN_FUNCTIONS = {}  # name -> function, exported from chainrule.nn.functional


def nn_export(fn, name=None):
    NN_FUNCTIONS[name or fn.__name__] = fn
    return fn
