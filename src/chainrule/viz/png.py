"""PNG rendering with matplotlib (optional dependency: ``pip install chainrule[png]``).

Draws the same layout as the SVG: one layout pixel is one image pixel at
``scale=1``.
"""

from __future__ import annotations

import os

from .layout import SUBTITLE_FONT, Layout, curve, layout, placed_rows
from .model import VGraph
from .svg import CORNER, EDGE_COLOR, KIND_STYLE, SUBTITLE_COLOR, TEXT_COLOR

MAX_SIDE = 30000  # px; Agg refuses images above 2**16 per side, and memory runs out well before


def _matplotlib():
    try:
        # The Agg canvas is used directly, so no GUI backend is ever touched.
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
        from matplotlib.path import Path
    except ImportError as exc:
        raise ImportError("render_png needs matplotlib; install it with: pip install chainrule[png]") from exc
    return FigureCanvasAgg, Figure, FancyArrowPatch, FancyBboxPatch, Path


def _draw(lay: Layout, path: str | os.PathLike, scale: float) -> None:
    Canvas, Figure, Arrow, BboxPatch, Path = _matplotlib()
    scale = min(scale, MAX_SIDE / max(lay.width, lay.height))
    dpi = 100 * scale
    fig = Figure(figsize=(lay.width / 100, lay.height / 100), dpi=dpi, facecolor="white")
    Canvas(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.height, 0)  # y grows downward, as in SVG
    ax.set_axis_off()
    pt = 72 / 100  # layout px -> points at the base 100 dpi

    for route in lay.routes:
        verts, codes = [route.points[0]], [Path.MOVETO]
        for seg in curve(route.points, lay.vertical):
            verts.extend(seg)
            codes.extend([Path.CURVE4] * 3)
        ax.add_patch(Arrow(path=Path(verts, codes), arrowstyle="-|>", mutation_scale=12,
                           color=EDGE_COLOR, linewidth=1.3 * pt, shrinkA=0, shrinkB=0))
        if route.edge.label:
            lx, ly, anchor = route.label_at(lay.vertical)
            ax.text(lx, ly, route.edge.label, fontsize=10 * pt, color="#374151",
                    ha="left" if anchor == "start" else "center", va="baseline", family="sans-serif",
                    parse_math=False)

    for box in lay.boxes.values():
        fill, stroke = KIND_STYLE[box.node.kind]
        ax.add_patch(BboxPatch(
            (box.x, box.y), box.w, box.h, boxstyle=f"round,pad=0,rounding_size={CORNER}",
            facecolor=fill, edgecolor=stroke, linewidth=1.3 * pt,
            linestyle=(0, (5, 3)) if box.node.kind == "nograd" else "solid",
        ))
        for text, font, x, y, anchor in placed_rows(box):
            ax.text(x, y, text, fontsize=font.size * pt, ha="left" if anchor == "start" else "center",
                    va="baseline", family="monospace" if font.mono else "sans-serif",
                    weight="bold" if font.bold else "normal",
                    color=SUBTITLE_COLOR if font is SUBTITLE_FONT else TEXT_COLOR,
                    parse_math=False)  # "$x$" is text here, not mathtext
    fig.savefig(os.fspath(path), dpi=dpi, facecolor="white", format="png")


def render_png(graph: VGraph, path: str | os.PathLike, scale: float = 1.0) -> None:
    """Write `graph` as a PNG image to `path` (scale 2.0 for a sharper image)."""
    _draw(layout(graph), path, scale)
