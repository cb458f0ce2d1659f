"""Tensor.__repr__: gathers what the printer needs from a tensor."""
from . import _dtype as D
from . import _device
from ._printing import format_tensor

_HIDDEN = ("int64", "bool")


def tensor_repr(t):
    dt = t.dtype
    default = D.get_default_dtype()
    show = not (dt is default or dt is default.to_complex() or dt.name in _HIDDEN)
    dev = t.device
    fn = t.grad_fn
    cls = type(t)
    prefix = "tensor(" if cls.__name__ in ("Tensor", "Parameter") else cls.__name__ + "("
    return format_tensor(_device.to_host(t._data), dtype_name=repr(dt), show_dtype=show,
                         dtype_is_default_float=dt is default,
                         device_str=str(dev) if dev.type != "cpu" else None,
                         grad_fn_name=type(fn).__name__ if fn is not None else None,
                         requires_grad=t.requires_grad, prefix=prefix)
