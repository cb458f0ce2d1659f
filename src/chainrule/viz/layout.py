"""Layered (Sugiyama-style) layout of a VGraph, in pure Python.

Pipeline: ranks (longest path, then each node pulled up next to its nearest
consumer) -> dummy nodes split edges spanning several ranks -> barycenter
sweeps reduce crossings (best order kept) -> cross-axis coordinates by
weighted isotonic regression (PAV) toward neighbour barycenters -> edge
polylines through the dummies.  Everything is iterative: graphs can be deep
chains of thousands of nodes.

All renderers share the text metrics below, so a box measured here fits the
text that svg/png/dot draw in it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .model import VEdge, VGraph, VNode


@dataclass(frozen=True)
class Font:
    size: float  # px
    advance: float  # average character advance, in em (exact for monospace)
    line_height: float  # px
    mono: bool = False
    bold: bool = False


SANS = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
TITLE_FONT = Font(13, 0.66, 18, bold=True)  # DejaVu Sans Bold is wide: stay generous
SUBTITLE_FONT = Font(11, 0.60, 15)
LINE_FONT = Font(11, 0.602, 15, mono=True)

PAD = (10, 6)  # (horizontal, vertical) padding inside a box, px
SMALL_PAD = (6, 3)  # for "saved"/"const" boxes, drawn small
MIN_W = 36
NODE_GAP = 22  # between neighbouring boxes in one rank
DUMMY_GAP = 10  # next to a bend point of a long edge
RANK_GAP = 46  # between ranks
LABELLED_RANK_GAP = 62  # room for edge labels
MARGIN = 12
SWEEPS = 4  # crossing-reduction iterations (each: one sweep down, one up)
PLACE_ITERS = 4  # coordinate-assignment iterations
DUMMY_WEIGHT = 4.0  # bend points resist moving more than boxes: long edges stay straight


@dataclass
class Box:
    node: VNode
    x: float  # top-left corner
    y: float
    w: float
    h: float
    rows: list[tuple[str, Font]]

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Route:
    edge: VEdge
    points: list[tuple[float, float]]  # from the src box border to the dst box border

    def label_at(self, vertical: bool) -> tuple[float, float, str]:
        """(x, baseline y, text anchor) for the edge label: beside the midpoint
        of the middle segment (which lies on the drawn curve), to the right of
        vertical edges and above horizontal ones."""
        k = (len(self.points) - 2) // 2
        (x0, y0), (x1, y1) = self.points[k], self.points[k + 1]
        x, y = (x0 + x1) / 2, (y0 + y1) / 2
        return (x + 5, y + 3, "start") if vertical else (x, y - 5, "middle")


@dataclass
class Layout:
    boxes: dict[str, Box]
    routes: list[Route]  # in graph.edges order
    width: float
    height: float
    vertical: bool  # ranks stacked vertically (rankdir BT/TB)


def clean_text(text: object) -> str:
    # XML and matplotlib both choke on control characters; tabs become spaces.
    s = str(text).expandtabs(4)
    return "".join(c for c in s if c == "\n" or (c >= " " and c != "\x7f"))


def node_rows(node: VNode) -> list[tuple[str, Font]]:
    """The text rows of a box, top to bottom; multi-line strings are split."""
    rows: list[tuple[str, Font]] = []
    items = [(node.title, TITLE_FONT), (node.subtitle, SUBTITLE_FONT)]
    items += [(line, LINE_FONT) for line in node.lines]
    for text, font in items:
        cleaned = clean_text(text)
        if cleaned:
            rows.extend((part, font) for part in cleaned.split("\n"))
    return rows


def text_width(text: str, font: Font) -> float:
    return len(text) * font.size * font.advance


def box_size(node: VNode, rows: list[tuple[str, Font]]) -> tuple[float, float]:
    px, py = SMALL_PAD if node.kind in ("saved", "const") else PAD
    w = max([text_width(t, f) for t, f in rows] + [0.0]) + 2 * px
    h = sum(f.line_height for _, f in rows) + 2 * py
    return max(w, MIN_W), max(h, 2 * py + LINE_FONT.line_height)


def placed_rows(box: Box):
    """Yield (text, font, x, baseline_y, anchor) for every row of a box.

    Proportional rows are centred; monospace rows share one left edge so
    multi-line array reprs keep their columns aligned."""
    mono_w = max([text_width(t, f) for t, f in box.rows if f.mono] + [0.0])
    y = box.cy - sum(f.line_height for _, f in box.rows) / 2
    for text, font in box.rows:
        baseline = y + font.line_height / 2 + font.size * 0.36
        if font.mono:
            yield text, font, box.cx - mono_w / 2, baseline, "start"
        else:
            yield text, font, box.cx, baseline, "middle"
        y += font.line_height


def curve(points: list[tuple[float, float]], vertical: bool):
    """Cubic segments (c1, c2, end) through `points`, tangent to the rank axis
    at every point, so the edge leaves and enters boxes straight."""
    segs = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if vertical:
            my = (y0 + y1) / 2
            segs.append(((x0, my), (x1, my), (x1, y1)))
        else:
            mx = (x0 + x1) / 2
            segs.append(((mx, y0), (mx, y1), (x1, y1)))
    return segs


def _ranks(n: int, succ: list[list[int]], pred: list[list[int]]) -> list[int]:
    indeg = [len(p) for p in pred]
    queue = deque(i for i in range(n) if indeg[i] == 0)
    order = []
    while queue:
        v = queue.popleft()
        order.append(v)
        for s in succ[v]:
            indeg[s] -= 1
            if indeg[s] == 0:
                queue.append(s)
    if len(order) < n:
        raise ValueError("graph has a cycle; only DAGs can be laid out")
    rank = [0] * n
    for v in order:
        for s in succ[v]:
            rank[s] = max(rank[s], rank[v] + 1)
    # Pull every non-sink up to just below its nearest consumer, so a leaf sits
    # next to the op using it instead of at the very bottom with a long edge.
    for v in reversed(order):
        if succ[v]:
            rank[v] = min(rank[s] for s in succ[v]) - 1
    return rank


def _crossings(layers: list[list[int]], down: list[list[int]], pos: list[int]) -> int:
    """Edge crossings between adjacent layers (inversion count, Fenwick tree)."""
    total = 0
    for r in range(1, len(layers)):
        pairs = sorted((pos[x], pos[y]) for x in layers[r] for y in down[x])
        size = len(layers[r - 1])
        tree = [0] * (size + 1)
        for seen, (_, q) in enumerate(pairs):
            i, not_greater = q + 1, 0
            while i > 0:
                not_greater += tree[i]
                i -= i & -i
            total += seen - not_greater
            i = q + 1
            while i <= size:
                tree[i] += 1
                i += i & -i
    return total


def _order(layers: list[list[int]], up: list[list[int]], down: list[list[int]]) -> list[list[int]]:
    pos = [0] * len(up)
    frac = [0.0] * len(up)  # position scaled to (0, 1): comparable across layers

    def number(layer: list[int]) -> None:
        for i, x in enumerate(layer):
            pos[x] = i
            frac[x] = (i + 0.5) / len(layer)

    def sweep(ranks, nb) -> None:
        for r in ranks:
            layer = layers[r]
            # No neighbours on this side: keep the current relative place.
            key = {x: sum(frac[y] for y in nb[x]) / len(nb[x]) if nb[x] else frac[x] for x in layer}
            layer.sort(key=key.__getitem__)
            number(layer)

    for layer in layers:
        number(layer)
    best, best_cross = [list(layer) for layer in layers], _crossings(layers, down, pos)
    top = len(layers) - 1
    for _ in range(SWEEPS):
        for ranks, nb in ((range(top - 1, -1, -1), up), (range(1, top + 1), down)):
            if best_cross == 0:
                return best
            sweep(ranks, nb)
            c = _crossings(layers, down, pos)
            if c < best_cross:
                best, best_cross = [list(layer) for layer in layers], c
    return best


def _isotonic_place(desired: list[float], weight: list[float], gaps: list[float]) -> list[float]:
    """Minimise sum w*(x-d)^2 subject to x[i+1] - x[i] >= gaps[i] (pool adjacent violators)."""
    offs = [0.0]
    for g in gaps:
        offs.append(offs[-1] + g)
    blocks: list[list] = []  # [sum of weights, weighted sum of targets, count]
    for d, w, o in zip(desired, weight, offs):
        blocks.append([w, w * (d - o), 1])
        while len(blocks) > 1 and blocks[-2][1] * blocks[-1][0] > blocks[-1][1] * blocks[-2][0]:
            w2, s2, n2 = blocks.pop()
            blocks[-1][0] += w2
            blocks[-1][1] += s2
            blocks[-1][2] += n2
    xs = []
    for w, s, count in blocks:
        xs.extend([s / w] * count)
    return [y + o for y, o in zip(xs, offs)]


def _coordinates(layers, up, down, cross, is_dummy) -> list[float]:
    def gap(a: int, b: int) -> float:
        g = DUMMY_GAP if is_dummy[a] or is_dummy[b] else NODE_GAP
        return (cross[a] + cross[b]) / 2 + g

    gaps = [[gap(a, b) for a, b in zip(layer, layer[1:])] for layer in layers]
    xs = [0.0] * len(cross)
    for layer, g in zip(layers, gaps):
        for x, c in zip(layer, _isotonic_place([0.0] * len(layer), [1.0] * len(layer), g)):
            xs[x] = c

    def place(r: int, nbs) -> None:
        layer, desired, weight = layers[r], [], []
        for x in layer:
            ns = [y for nb in nbs for y in nb[x]]
            desired.append(sum(xs[y] for y in ns) / len(ns) if ns else xs[x])
            weight.append(DUMMY_WEIGHT if is_dummy[x] else 1.0)
        for x, c in zip(layer, _isotonic_place(desired, weight, gaps[r])):
            xs[x] = c

    top = len(layers) - 1
    for _ in range(PLACE_ITERS):
        for r in range(top - 1, -1, -1):
            place(r, (up,))
        for r in range(1, top + 1):
            place(r, (down,))
    for r in range(top + 1):
        place(r, (up, down))
    return xs


def _spread(count: int, cross_size: float) -> list[float]:
    """Offsets of `count` edge ports along a box side, centred, at most 14px apart."""
    if count < 2:
        return [0.0] * count
    width = min(cross_size * 0.6, (count - 1) * 14.0)
    return [-width / 2 + width * i / (count - 1) for i in range(count)]


def layout(graph: VGraph) -> Layout:
    graph.check()
    nodes = graph.nodes
    vertical = graph.rankdir in ("BT", "TB")
    if not nodes:
        return Layout({}, [], 2 * MARGIN, 2 * MARGIN, vertical)
    n = len(nodes)
    index = {node.id: i for i, node in enumerate(nodes)}
    succ: list[list[int]] = [[] for _ in range(n)]
    pred: list[list[int]] = [[] for _ in range(n)]
    for e in graph.edges:
        succ[index[e.src]].append(index[e.dst])
        pred[index[e.dst]].append(index[e.src])
    rank = _ranks(n, succ, pred)

    rows = [node_rows(node) for node in nodes]
    sizes = [box_size(node, r) for node, r in zip(nodes, rows)]
    cross = [w if vertical else h for w, h in sizes]  # extent across the rank axis
    along = [h if vertical else w for w, h in sizes]  # extent along it

    # Split long edges into unit segments through dummy vertices (ids >= n).
    up: list[list[int]] = [[] for _ in range(n)]
    down: list[list[int]] = [[] for _ in range(n)]
    chains = []
    for e in graph.edges:
        chain = [index[e.src]]
        for r in range(rank[chain[0]] + 1, rank[index[e.dst]]):
            rank.append(r)
            cross.append(0.0)
            along.append(0.0)
            up.append([])
            down.append([])
            chain.append(len(rank) - 1)
        chain.append(index[e.dst])
        for a, b in zip(chain, chain[1:]):
            up[a].append(b)
            down[b].append(a)
        chains.append(chain)
    is_dummy = [v >= n for v in range(len(rank))]

    layers: list[list[int]] = [[] for _ in range(max(rank, default=-1) + 1)]
    for v, r in enumerate(rank):
        layers[r].append(v)
    layers = _order(layers, up, down)
    xs = _coordinates(layers, up, down, cross, is_dummy)

    # Rank-axis centre of every rank, in screen order (BT/RL: rank 0 last).
    gap = LABELLED_RANK_GAP if any(e.label for e in graph.edges) else RANK_GAP
    thickness = [max([along[v] for v in layer] + [0.0]) for layer in layers]
    flip = graph.rankdir in ("BT", "RL")
    centre = [0.0] * len(layers)
    offset = 0.0
    for r in (reversed(range(len(layers))) if flip else range(len(layers))):
        centre[r] = offset + thickness[r] / 2
        offset += thickness[r] + gap
    step = -1.0 if flip else 1.0  # screen direction from rank r to rank r + 1

    def point(c: float, a: float) -> tuple[float, float]:
        return (c, a) if vertical else (a, c)

    # Ports: a box's edges leave/enter at spread-out points, ordered by where
    # the other end lies, so parallel edges (x*x) stay apart and don't cross.
    out_off: dict[int, float] = {}  # edge index -> cross offset at its source
    in_off: dict[int, float] = {}
    outs: list[list[int]] = [[] for _ in range(n)]
    ins: list[list[int]] = [[] for _ in range(n)]
    for k, chain in enumerate(chains):
        outs[chain[0]].append(k)
        ins[chain[-1]].append(k)
    for v in range(n):
        for lst, table, nxt in ((outs[v], out_off, 1), (ins[v], in_off, -2)):
            lst.sort(key=lambda k: (xs[chains[k][nxt]], k))
            for k, off in zip(lst, _spread(len(lst), cross[v])):
                table[k] = off

    routes = []
    for k, (e, chain) in enumerate(zip(graph.edges, chains)):
        s, d = chain[0], chain[-1]
        pts = [point(xs[s] + out_off[k], centre[rank[s]] + step * along[s] / 2)]
        pts += [point(xs[v], centre[rank[v]]) for v in chain[1:-1]]
        pts.append(point(xs[d] + in_off[k], centre[rank[d]] - step * along[d] / 2))
        routes.append(Route(e, pts))

    boxes = {}
    for v, node in enumerate(nodes):
        cx, cy = point(xs[v], centre[rank[v]])
        w, h = sizes[v]
        boxes[node.id] = Box(node, cx - w / 2, cy - h / 2, w, h, rows[v])

    # Translate so the drawing starts at MARGIN (bend points may stick out).
    min_x = min([b.x for b in boxes.values()] + [x for r in routes for x, _ in r.points])
    min_y = min([b.y for b in boxes.values()] + [y for r in routes for _, y in r.points])
    dx, dy = MARGIN - min_x, MARGIN - min_y
    for b in boxes.values():
        b.x += dx
        b.y += dy
    for r in routes:
        r.points = [(x + dx, y + dy) for x, y in r.points]
    max_x = max([b.x + b.w for b in boxes.values()] + [x for r in routes for x, _ in r.points])
    max_y = max([b.y + b.h for b in boxes.values()] + [y for r in routes for _, y in r.points])
    return Layout(boxes, routes, max_x + MARGIN, max_y + MARGIN, vertical)
