"""Graphviz DOT export of a VGraph (same labels and colours as the SVG).

All user text goes into HTML-like labels, whose escaping (XML entities) is
airtight; quoted DOT strings are avoided because a trailing backslash cannot
be escaped in them.  Node names are therefore ``n0, n1, ...`` in graph order.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .layout import SUBTITLE_FONT, TITLE_FONT, clean_text, node_rows
from .model import VGraph, VNode
from .svg import EDGE_COLOR, KIND_STYLE, SUBTITLE_COLOR


def _html(text: str) -> str:
    return escape(clean_text(text), {'"': "&quot;"})


def _cell(text: str, font) -> str:
    t = _html(text)
    if font is TITLE_FONT:
        return f'<TD><B>{t}</B></TD>'
    if font is SUBTITLE_FONT:
        return f'<TD><FONT COLOR="{SUBTITLE_COLOR}" POINT-SIZE="9">{t}</FONT></TD>'
    return f'<TD ALIGN="LEFT"><FONT FACE="DejaVu Sans Mono" POINT-SIZE="9">{t}</FONT></TD>'


def _label(node: VNode) -> str:
    rows = node_rows(node)
    if not rows:
        return '""'
    cells = "".join(f"<TR>{_cell(t, f)}</TR>" for t, f in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


def to_dot(graph: VGraph) -> str:
    """Graphviz DOT source for `graph` (edges point from input to consumer)."""
    graph.check()
    name = {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}
    out = [
        "digraph chainrule {",
        f'  graph [rankdir={graph.rankdir}, nodesep=0.3, ranksep=0.4];',
        '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=11, margin="0.1,0.05"];',
        f'  edge [color="{EDGE_COLOR}", arrowsize=0.7, fontname="DejaVu Sans", fontsize=9];',
    ]
    for node in graph.nodes:
        fill, stroke = KIND_STYLE[node.kind]
        style = ', style="rounded,filled,dashed"' if node.kind == "nograd" else ""
        small = ", height=0.3" if node.kind in ("saved", "const") else ""
        out.append(f'  {name[node.id]} [label={_label(node)}, fillcolor="{fill}", color="{stroke}"{style}{small}];')
    for e in graph.edges:
        label = f" [label=<{_html(e.label)}>]" if e.label else ""
        out.append(f"  {name[e.src]} -> {name[e.dst]}{label};")
    out.append("}")
    return "\n".join(out) + "\n"
