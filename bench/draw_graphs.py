"""How long chainrule.viz takes to lay out and draw big graphs (issue 4: 2,000 nodes in seconds).

    python bench/draw_graphs.py

There is nothing to compare with in the same run: torchviz needs a system Graphviz, which a
plain install lacks; NumPy has no graphs.  The seconds are printed per graph and per stage.
"""
import contextlib
import io
import sys
import tempfile
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
import chainrule  # noqa: E402
from chainrule import viz  # noqa: E402


def chain(n):
    x = chainrule.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(n // 2):
        y = (y * 1.01).sin()
    return y


def wide(n):
    terms = [chainrule.tensor(float(i), requires_grad=True).exp() for i in range(n)]
    while len(terms) > 1:  # a balanced tree of adds
        terms = [terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


def tour_seconds():
    from chainrule.tour import run_tour
    with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()):
        t0 = time.perf_counter()
        run_tour(out)
        return time.perf_counter() - t0


def main():
    print(f"chainrule tour (5 examples, report with graphs and steppers): {tour_seconds():.2f} s")
    for title, root in (("chain of 2000 ops", chain(2000)), ("tree over 700 leaves", wide(700))):
        t0 = time.perf_counter()
        pic = viz.draw(root)
        t1 = time.perf_counter()
        svg = pic.svg
        t2 = time.perf_counter()
        print(f"{title}: {len(pic.graph.nodes)} boxes, walk + layout {t1 - t0:.2f} s, SVG {t2 - t1:.2f} s "
              f"({len(svg) // 1024} KiB), total {t2 - t0:.2f} s")


if __name__ == "__main__":
    main()
