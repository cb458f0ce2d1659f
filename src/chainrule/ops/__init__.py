"""All ops, declared once each; importing this package registers them."""
from . import pointwise, reduction, shape, indexing, linalg  # noqa: F401
from . import pointwise_more, reduction_more, shape_more, linalg_more  # noqa: F401
from . import nn_activations, nn_losses, nn_layers  # noqa: F401
from ._register import FUNCTIONS
