"""Standalone SVG rendering of a VGraph.

Hooks for the backward stepper: each node is ``<g id="node-<id>" class="node
<kind>" data-id=...>`` and each edge ``<g class="edge" data-src=... data-dst=...>``;
the marker ``#cr-arrow-hot`` is there for highlighted edges.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .layout import LINE_FONT, MONO, SANS, SUBTITLE_FONT, TITLE_FONT, Layout, clean_text, curve, layout, placed_rows
from .model import VGraph

# Fill / outline per node kind; shared with the PNG renderer.
KIND_STYLE = {
    "leaf": ("#dbeafe", "#3b82f6"),
    "op": ("#eef0f3", "#7b8494"),
    "output": ("#dcfce7", "#16a34a"),
    "nograd": ("#ffffff", "#9ca3af"),
    "saved": ("#fef9c3", "#ca8a04"),
    "const": ("#f5f5f4", "#a8a29e"),
}
EDGE_COLOR = "#6b7280"
SUBTITLE_COLOR = "#6b7280"
TEXT_COLOR = "#111827"
CORNER = 6
_ROW_CLASS = {TITLE_FONT: "title", SUBTITLE_FONT: "subtitle", LINE_FONT: "line"}


def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _font_css(font) -> str:
    weight = "bold " if font.bold else ""
    return f"{weight}{_n(font.size)}px {MONO if font.mono else SANS}"


_STYLE = "\n".join(
    [
        ".node rect { stroke-width: 1.3px; }",
        *(f".node.{k} > rect {{ fill: {f}; stroke: {s}; }}" for k, (f, s) in KIND_STYLE.items()),
        ".node.nograd > rect { stroke-dasharray: 5 3; }",
        f".node text {{ fill: {TEXT_COLOR}; white-space: pre; }}",
        *(f".node text.{c} {{ font: {_font_css(f)}; }}" for f, c in _ROW_CLASS.items()),
        f".node text.subtitle {{ fill: {SUBTITLE_COLOR}; }}",
        f".edge path {{ fill: none; stroke: {EDGE_COLOR}; stroke-width: 1.3px; marker-end: url(#cr-arrow); }}",
        f".edge text {{ fill: #374151; font: 10px {SANS}; paint-order: stroke; stroke: #fff; stroke-width: 3px; }}",
    ]
)


def _attr(value: object) -> str:
    return escape(clean_text(value), {'"': "&quot;"})


def _marker(mid: str, color: str) -> str:
    return (
        f'<marker id="{mid}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
        f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
    )


def svg_from_layout(lay: Layout) -> str:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chainrule-graph" xml:space="preserve" '
        f'width="{_n(lay.width)}" height="{_n(lay.height)}" '
        f'viewBox="0 0 {_n(lay.width)} {_n(lay.height)}">',
        f"<defs><style>\n{_STYLE}\n</style>",
        _marker("cr-arrow", EDGE_COLOR),
        _marker("cr-arrow-hot", "#ea580c"),
        "</defs>",
        '<g class="edges">',
    ]
    for route in lay.routes:
        e = route.edge
        (x0, y0), *_ = route.points
        d = f"M{_n(x0)},{_n(y0)}" + "".join(
            f" C{_n(a[0])},{_n(a[1])} {_n(b[0])},{_n(b[1])} {_n(c[0])},{_n(c[1])}"
            for a, b, c in curve(route.points, lay.vertical)
        )
        out.append(f'<g class="edge" data-src="{_attr(e.src)}" data-dst="{_attr(e.dst)}"><path d="{d}"/>')
        if e.label:
            lx, ly, anchor = route.label_at(lay.vertical)
            out.append(f'<text x="{_n(lx)}" y="{_n(ly)}" text-anchor="{anchor}">{_attr(e.label)}</text>')
        out.append("</g>")
    out.append('</g>\n<g class="nodes">')
    for box in lay.boxes.values():
        node = box.node
        out.append(
            f'<g id="node-{_attr(node.id)}" class="node {node.kind}" data-id="{_attr(node.id)}">'
            f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.w)}" height="{_n(box.h)}" '
            f'rx="{CORNER}" ry="{CORNER}"/>'
        )
        for text, font, x, y, anchor in placed_rows(box):
            out.append(
                f'<text class="{_ROW_CLASS[font]}" x="{_n(x)}" y="{_n(y)}" '
                f'text-anchor="{anchor}">{escape(text)}</text>'
            )
        out.append("</g>")
    out.append("</g>\n</svg>")
    return "\n".join(out)


def render_svg(graph: VGraph) -> str:
    """A standalone SVG document (text) drawing `graph`."""
    return svg_from_layout(layout(graph))
