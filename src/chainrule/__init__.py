"""chainrule: a PyTorch-compatible autograd library on NumPy that makes the computational graph visible.

    import chainrule as torch
"""
import numpy as _np

# NumPy's floating-point warnings (overflow in exp, division by zero) are not PyTorch behaviour:
# PyTorch returns inf/nan silently, and so do we.
_np.seterr(all="ignore")

from . import autograd  # noqa: E402  (first: it imports _tensor, which needs autograd.grad_mode)
from ._dtype import (dtype, get_default_dtype, set_default_dtype, promote_types, bool_ as bool, uint8, int8,  # noqa: E402
                     int16, int32, int64, float16, float32, float64, complex64, complex128)
from ._device import device  # noqa: E402
from ._tensor import Tensor, Size  # noqa: E402
from ._creation import *  # noqa: E402,F401,F403
from ._printing import set_printoptions, get_printoptions  # noqa: E402
from .autograd.grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,  # noqa: E402
                                 is_inference_mode_enabled)
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled  # noqa: E402,F401
from . import ops as _ops  # noqa: E402
from . import cuda  # noqa: E402
from . import linalg  # noqa: E402

globals().update(_ops.FUNCTIONS)

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128
__version__ = "0.1.0"


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def result_type(tensor1, tensor2):
    from ._dtype import result_type_of
    return result_type_of([t._data if isinstance(t, Tensor) else t for t in (tensor1, tensor2)])


def can_cast(from_, to):
    """Casting never lowers the category: bool < integer < floating < complex."""
    return from_.category <= to.category


from . import nn  # noqa: E402  (uses the public API above)
from . import viz  # noqa: E402  (uses the public API above)
from .explain import explain, explain_grad, why_no_grad  # noqa: E402  (uses the public API above)
