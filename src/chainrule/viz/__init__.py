"""chainrule.viz: draw the computational graph, and step through backward in a browser.

    import chainrule.viz as viz
    viz.draw(loss, names=locals())            # shows inline in a notebook; .save("g.svg" / ".png" / ".dot" / ".html")
    viz.stepper(loss, names=locals()).save("backward.html")
"""

from .dot import to_dot
from .model import VEdge, VGraph, VNode
from .picture import Picture, draw
from .png import render_png
from .stepper import Stepper, stepper
from .stepper_page import stepper_html
from .svg import render_svg

# `stepper` the function hides the submodule of that name as an attribute;
# `from chainrule.viz.stepper import Stepper` still works.
__all__ = ["draw", "stepper", "Picture", "Stepper", "VGraph", "VNode", "VEdge",
           "render_svg", "render_png", "to_dot", "stepper_html"]
