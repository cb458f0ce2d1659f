"""Renderer-neutral description of a graph to draw.

Edge direction convention: an edge goes from an *input* to the node that
*consumes* it (forward data flow), e.g. ``a -> MulBackward0 -> output``.
With the default ``rankdir="BT"`` sources (leaves) sit at the bottom and the
output at the top, the way torchviz drawings read; gradients flow backward,
i.e. against the arrows.  ``rankdir`` follows Graphviz: "BT", "TB", "LR", "RL".
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("leaf", "op", "output", "nograd", "saved", "const")
RANKDIRS = ("BT", "TB", "LR", "RL")


@dataclass
class VNode:
    id: str
    title: str
    subtitle: str = ""  # e.g. the PyTorch node name "MulBackward0"
    lines: list[str] = field(default_factory=list)  # value / grad / shape rows
    kind: str = "op"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"VNode kind must be one of {KINDS}, got {self.kind!r}")


@dataclass
class VEdge:
    src: str  # the input
    dst: str  # the node consuming it
    label: str = ""


@dataclass
class VGraph:
    nodes: list[VNode]
    edges: list[VEdge]
    rankdir: str = "BT"

    def __post_init__(self) -> None:
        if self.rankdir not in RANKDIRS:
            raise ValueError(f"rankdir must be one of {RANKDIRS}, got {self.rankdir!r}")

    def check(self) -> dict[str, VNode]:
        """Return nodes by id; raise ValueError on duplicate ids or dangling edges."""
        by_id: dict[str, VNode] = {}
        for n in self.nodes:
            if n.id in by_id:
                raise ValueError(f"duplicate node id {n.id!r}")
            by_id[n.id] = n
        for e in self.edges:
            for end in (e.src, e.dst):
                if end not in by_id:
                    raise ValueError(f"edge {e.src!r} -> {e.dst!r} names unknown node {end!r}")
        return by_id
