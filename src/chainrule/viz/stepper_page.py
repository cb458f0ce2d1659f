"""Self-contained offline HTML "backward stepper".

The page inlines the SVG from render_svg plus the CSS/JS of the template
``stepper.html`` (next to this file); nothing is fetched from the network.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from .model import VGraph
from .svg import render_svg

_TEMPLATE = Path(__file__).with_name("stepper.html")
_TOKEN = re.compile(r"\{\{(TITLE|SVG|LEAF_ROWS|DATA)\}\}")


def _script_json(data: object) -> str:
    # Inside <script> the HTML parser ends at "</script" and "<!--" confuses it;
    # escaping <, > and & as \u00XX keeps the JSON identical to JSON.parse.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _normalize(step: dict, known: set[str]) -> dict:
    if step.get("node") not in known:
        raise ValueError(f"step names unknown node {step.get('node')!r}")
    out = {
        "node": step["node"],
        "text": str(step.get("text", "")),
        "grad_in": str(step.get("grad_in", "")),
        "local": str(step.get("local", "")),
        "grad_out": {str(k): str(v) for k, v in dict(step.get("grad_out") or {}).items()},
        "leaf_grads": {str(k): str(v) for k, v in dict(step.get("leaf_grads") or {}).items()},
    }
    for key in ("grad_out", "leaf_grads"):
        unknown = set(out[key]) - known
        if unknown:
            raise ValueError(f"step {key} names unknown node(s) {sorted(unknown)}")
    return out


def stepper_html(
    graph: VGraph,
    steps: list[dict],
    title: str = "backward",
    initial_leaf_grads: dict[str, str] | None = None,
) -> str:
    """One HTML page that walks through `steps` (a recorded backward pass).

    Each step: {"node", "text", "grad_in", "local", "grad_out": {input id: grad},
    "leaf_grads": {leaf id: accumulated .grad after this step}}.  leaf_grads may
    list only the leaves that changed; the page carries the others forward.
    Step 0 shows `initial_leaf_grads` (missing leaves read "None").
    """
    by_id = graph.check()
    known = set(by_id)
    norm = [_normalize(s, known) for s in steps]
    initial = {str(k): str(v) for k, v in (initial_leaf_grads or {}).items()}
    if set(initial) - known:
        raise ValueError(f"initial_leaf_grads names unknown node(s) {sorted(set(initial) - known)}")

    # A row per leaf, plus any other node given a .grad (e.g. retain_grad()).
    with_grad = set(initial).union(*(s["leaf_grads"] for s in norm))
    table = [n for n in graph.nodes if n.kind == "leaf" or n.id in with_grad]
    rows = "".join(
        f'<tr data-leaf="{html.escape(n.id)}"><td>{html.escape(n.title)}</td>'
        f'<td class="grad">{html.escape(initial.get(n.id, "None"))}</td></tr>'
        for n in table
    )
    data = {
        "steps": norm,
        "initial": initial,
        "names": {n.id: n.title for n in graph.nodes},
    }
    parts = {
        "TITLE": html.escape(title),
        "SVG": render_svg(graph),
        "LEAF_ROWS": rows,
        "DATA": _script_json(data),
    }
    # One pass, so text inside one substitution is never read as another token.
    return _TOKEN.sub(lambda m: parts[m.group(1)], _TEMPLATE.read_text(encoding="utf-8"))
