"""`draw`: a picture of an autograd graph, shown inline in notebooks and saved to files.

Why the layout is ours, in pure Python, rather than Graphviz's:

(a) The `graphviz` PyPI package only writes DOT and calls the system `dot`
    binary.  Without `apt install graphviz` a notebook cell that displays a
    graph fails (``ExecutableNotFound``), headless CI included; that is the
    main complaint of torchviz users.
(b) `graphviz-pure` bundles a static `dot` in a wheel: about 6 MB and a young
    project, a heavy and uncertain dependency for drawing a few boxes.
(c) `grandalf` lays out graphs in pure Python, but under GPLv2/EPL, which does
    not sit well in an MIT library.
(d) A layered (Sugiyama) layout of our own (`layout.py`): no dependency at all,
    enough for computational graphs because they are DAGs, and fast enough for
    2,000 nodes in a second or two.

So `draw` needs nothing beyond NumPy for SVG, DOT and HTML (PNG uses
matplotlib).  Whoever prefers Graphviz's drawing can feed it `.source`, the
same graph in DOT: ``dot -Tpdf graph.dot`` or ``graphviz.Source(p.source)``.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from .dot import to_dot
from .graph_walk import SHOW, walk
from .model import VGraph
from .png import render_png
from .svg import render_svg

FORMATS = (".svg", ".png", ".dot", ".html")


class Picture:
    """A drawn graph: displays itself in notebooks (SVG); `.save` writes a file."""

    def __init__(self, graph: VGraph):
        self.graph = graph
        self._svg: str | None = None

    @property
    def svg(self) -> str:
        if self._svg is None:
            self._svg = render_svg(self.graph)
        return self._svg

    @property
    def source(self) -> str:
        """The graph in Graphviz DOT, for those who want Graphviz to draw it."""
        return to_dot(self.graph)

    def _repr_svg_(self) -> str:
        return self.svg

    def html(self, title: str = "chainrule graph") -> str:
        """A standalone HTML page showing the SVG."""
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head>\n"
            f'<body style="margin:16px;background:#fff">\n{self.svg}\n</body>\n</html>\n'
        )

    def save(self, path: str | os.PathLike, scale: float = 1.0) -> Path:
        """Write the picture; the suffix picks the format: .svg, .png, .dot or .html.

        `scale` sets the PNG's pixels per layout pixel (2 for a sharp image)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".png":
            render_png(self.graph, path, scale)
        elif suffix == ".svg":
            path.write_text(self.svg, encoding="utf-8")
        elif suffix == ".dot":
            path.write_text(self.source, encoding="utf-8")
        elif suffix == ".html":
            path.write_text(self.html(path.stem), encoding="utf-8")
        else:
            raise ValueError(f"can't tell the format from {path.name!r}: use one of {', '.join(FORMATS)}")
        return path

    def __repr__(self) -> str:
        return f"<Picture: {len(self.graph.nodes)} nodes, {len(self.graph.edges)} edges>"


def draw(roots, names=None, show=SHOW, show_saved=False, rankdir="BT") -> Picture:
    """Draw the graph that computed `roots` (a tensor or a list of tensors).

    names: labels for tensors, as {name: tensor} (``locals()`` works), {tensor:
    name}, or (name, tensor) pairs (``model.named_parameters()``).  A named
    non-leaf tensor labels the op that made it and shows its value there.
    show: which of "value", "grad", "shape" each tensor's box lists.
    show_saved: also draw, for each op, the tensors it saved for backward.
    rankdir: "BT" (leaves at the bottom, as torchviz), "TB", "LR" or "RL".
    """
    return Picture(walk(roots, names, show, show_saved, rankdir).graph)
