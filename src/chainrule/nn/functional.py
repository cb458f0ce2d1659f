"""chainrule.nn.functional: the nn ops, declared in chainrule.ops.nn_*."""
from ..ops._register import NN_FUNCTIONS as _F

globals().update(_F)
