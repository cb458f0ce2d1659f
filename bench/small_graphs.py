"""The graphs learners build: a few scalar ops, forward + backward. chainrule vs torch vs NumPy by hand.

    python bench/small_graphs.py
"""
import math
import sys

import numpy as np

sys.path.insert(0, __import__("os").path.dirname(__file__))
import chainrule  # noqa: E402
from _timing import best, report  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


def seed_graph(m):
    """a, b → c = a·b, d = a + b, e = c + d; then backward (seed notebook 000)."""
    a = m.tensor(3.0, requires_grad=True)
    b = m.tensor(4.0, requires_grad=True)
    e = a * b + (a + b)
    e.backward()
    return a.grad


def neuron(m):
    """The single neuron with binary cross-entropy (seed notebooks 001/002)."""
    x, y = m.tensor(6.7), m.tensor(0.0)
    w = m.tensor(1.0, requires_grad=True)
    b = m.tensor(0.0, requires_grad=True)
    p = m.clamp(m.sigmoid(w * x + b), 1e-8, 1 - 1e-8)
    loss = -(y * m.log(p) + (1 - y) * m.log(1 - p))
    loss.backward()
    return w.grad


def neuron_numpy():
    """The same neuron with the chain rule written by hand in NumPy (float32 scalars)."""
    x, y, w, b = np.float32(6.7), np.float32(0.0), np.float32(1.0), np.float32(0.0)
    z = w * x + b
    p = 1 / (1 + np.exp(-z))
    p = min(max(p, np.float32(1e-8)), np.float32(1 - 1e-8))
    dp = -(y / p) + (1 - y) / (1 - p)
    dz = dp * p * (1 - p)
    return dz * x, dz


def seed_numpy():
    a, b = np.float32(3.0), np.float32(4.0)
    return b + 1, a + 1


def chain(m, n=200):
    """A chain of n scalar ops (x * 1.01 + 0.5 repeated), then backward."""
    x = m.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(n // 2):
        y = y * 1.01 + 0.5
    y.backward()
    return x.grad


def chain_numpy(n=200):
    y, grad = np.float32(1.0), np.float32(1.0)
    for _ in range(n // 2):
        y = y * np.float32(1.01) + np.float32(0.5)
        grad = grad * np.float32(1.01)
    return grad


def main():
    cases = [("seed graph a·b + (a+b)", seed_graph, seed_numpy), ("neuron + BCE", neuron, neuron_numpy),
             ("chain of 200 ops", chain, chain_numpy)]
    for title, fn, by_hand in cases:
        rows = [("chainrule", best(lambda: fn(chainrule)))]
        if torch is not None:
            rows.append(("torch", best(lambda: fn(torch))))
        rows.append(("numpy by hand", best(by_hand)))
        report(title, rows)
    assert math.isclose(neuron(chainrule).item(), neuron(torch).item() if torch else 6.6918, rel_tol=1e-4)


if __name__ == "__main__":
    main()
