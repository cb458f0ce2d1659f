"""All ops, declared once each; importing this package registers them."""
from . import pointwise, reduction, shape, indexing, linalg  # noqa: F401
from ._register import FUNCTIONS
