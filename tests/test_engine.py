"""The engine's own guarantees: no recursion, buffers freed, no reference cycles, order, thread-local modes."""
import gc
import sys
import threading
import weakref

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd.engine import add_trace_hook


@pytest.fixture
def no_gc():
    """Anything freed inside the test was freed by reference counting, not by the cycle collector."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def test_chain_of_100000_ops_backpropagates():
    x = cr.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y * 1.0
        y = y + 0.0
    assert sys.getrecursionlimit() < 100_000
    y.backward()
    assert x.grad.item() == 1.0


def test_long_chain_double_backward():
    x = cr.tensor(1.5, dtype=cr.float64, requires_grad=True)
    y = x
    for _ in range(5_000):
        y = y * 1.0
    g, = cr.autograd.grad(y * y, x, create_graph=True)
    g2, = cr.autograd.grad(g, x)
    assert g.item() == pytest.approx(3.0) and g2.item() == pytest.approx(2.0)


def test_saved_arrays_are_freed_after_backward(no_gc):
    x = cr.randn(100, requires_grad=True)
    a = x.exp()          # ExpBackward0 saves its result
    b = a.sin()          # SinBackward0 saves a
    loss = (b * b).sum()  # MulBackward0 saves b twice
    refs = [weakref.ref(a._data), weakref.ref(b._data)]
    del a, b
    assert all(r() is not None for r in refs), "the graph keeps what it saved until backward"
    loss.backward()
    assert all(r() is None for r in refs), "backward released the saved arrays"


def test_retain_graph_keeps_saved_arrays(no_gc):
    x = cr.randn(10, requires_grad=True)
    a = x.exp()
    ref = weakref.ref(a._data)
    loss = (a * 2).sum() + a.sin().sum()
    del a
    loss.backward(retain_graph=True)
    assert ref() is not None
    loss.backward()
    assert ref() is None
    np.testing.assert_allclose(x.grad.numpy(), 2 * (2 * np.exp(x.detach().numpy()) +
                                                    np.cos(np.exp(x.detach().numpy())) * np.exp(x.detach().numpy())),
                               rtol=1e-5)


def test_graph_has_no_reference_cycles(no_gc):
    x = cr.randn(5, requires_grad=True)
    w = cr.randn(5, requires_grad=True)
    y = (x * w).exp().sigmoid().sum()  # saves inputs and outputs
    node_ref, y_ref = weakref.ref(y.grad_fn), weakref.ref(y)
    del y
    assert y_ref() is None and node_ref() is None, "tensor and graph freed by reference counting alone"
    z = (x * 3).tanh()
    z.retain_grad()
    z.register_hook(lambda g: g * 2)
    z.sum().backward()
    refs = weakref.ref(z), weakref.ref(z.grad_fn)
    del z
    assert all(r() is None for r in refs)


def test_leaf_accumulator_is_shared_and_not_a_cycle(no_gc):
    x = cr.ones(2, requires_grad=True)
    a, b = x * 2, x * 3
    acc = a.grad_fn.next_functions[0][0]
    assert acc is b.grad_fn.next_functions[0][0] and acc.variable is x
    ref = weakref.ref(acc)
    del a, b, acc
    assert ref() is None


def test_execution_order_newest_first_and_each_node_once():
    a = cr.tensor(3.0, requires_grad=True)
    b = cr.tensor(4.0, requires_grad=True)
    c = a * b
    d = a + b
    e = c + d
    order = []
    h = add_trace_hook(lambda ev, node, payload: order.append(node.name()))
    e.backward()
    h.remove()
    assert order[0] == "AddBackward0" and order.count("MulBackward0") == 1 and len(order) == 5
    assert a.grad.item() == 5.0 and b.grad.item() == 4.0


def test_diamond_gradient_summed_once_per_node():
    x = cr.tensor(2.0, requires_grad=True)
    y = x * x
    z = y + y + y
    calls = []
    y.grad_fn.register_prehook(lambda go: calls.append(go[0].item()))
    z.backward()
    assert calls == [3.0] and x.grad.item() == 12.0


def test_grad_mode_is_thread_local():
    seen = {}

    def worker():
        seen["thread"] = cr.is_grad_enabled()

    with cr.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        seen["main"] = cr.is_grad_enabled()
    assert seen == {"thread": True, "main": False}


def test_no_grad_decorates_generators():
    @cr.no_grad()
    def gen():
        yield cr.is_grad_enabled()
        yield cr.is_grad_enabled()

    assert list(gen()) == [False, False] and cr.is_grad_enabled()


def test_inference_mode_tensors_do_not_require_grad():
    x = cr.ones(2, requires_grad=True)
    with cr.inference_mode():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
