"""The engine: runs backward over the graph in dependency order, iteratively."""
import heapq

from . import grad_mode
from .anomaly_mode import state as _anomaly, checked_apply
from .graph import AccumulateGrad

__all__ = ["run_backward", "add_trace_hook"]

# Observers of backward (the visual stepper records a run through this): fn(event, node, payload)
_tracers = []


def add_trace_hook(fn):
    """Call fn("node", node, (grad_outputs, grad_inputs)) for each node the engine runs."""
    _tracers.append(fn)

    class _Handle:
        def remove(self):
            if fn in _tracers:
                _tracers.remove(fn)
    return _Handle()


def _dependencies(roots):
    """Count, for each node reachable from roots, how many edges point at it."""
    deps = {}
    stack = list(dict.fromkeys(roots))  # once each: two outputs of one node are one root
    seen = set(stack)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps, seen


def _needed(seen, deps, targets):
    """Nodes that lie on a path to one of the target nodes (everything else is skipped)."""
    order, indeg = [], dict(deps)
    stack = [n for n in seen if indeg.get(n, 0) == 0]
    while stack:
        node = stack.pop()
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None:
                indeg[child] -= 1
                if indeg[child] == 0:
                    stack.append(child)
    needed = set()
    for node in reversed(order):
        if node in targets or any(c in needed for c, _ in node.next_functions if c is not None):
            needed.add(node)
    return needed


def _add(buf, i, g):
    old = buf[i]
    buf[i] = g if old is None else old + g


def _run_tensor_hooks(node, grads):
    grads = list(grads)
    for nr, hooks in node._tensor_pre_hooks.items():
        for fn in list(hooks.values()):
            if grads[nr] is None:
                break
            out = fn(grads[nr])
            if out is not None:
                grads[nr] = out
    return grads


def run_backward(roots, root_grads, retain_graph, create_graph, capture=None, accumulate=True):
    """Backpropagate root_grads from the (node, output_nr) edges in roots.

    capture: optional list of (node, output_nr) edges whose incoming gradient is returned
    (autograd.grad and backward(inputs=...)); with accumulate=False, AccumulateGrad is not run.
    """
    deps, seen = _dependencies([n for n, _ in roots])
    buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_outputs
        _add(buf, nr, g)

    captured = None
    needed = None
    if capture is not None:
        captured = [None] * len(capture)
        targets = {}
        for i, (node, nr) in enumerate(capture):
            targets.setdefault(node, []).append((i, nr))
        needed = _needed(seen, deps, targets)

    # Sequence numbers are unique, so the heap never compares nodes; newest node first, as in PyTorch.
    ready = [(-node._seq, node) for node in buffers if deps.get(node, 0) == 0]
    heapq.heapify(ready)

    push, pop = heapq.heappush, heapq.heappop
    prev_mode = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    try:
        while ready:
            node = pop(ready)[1]
            grads = buffers.pop(node, None)
            if needed is not None and node not in needed:
                _skip(node, deps, ready)
                continue
            if grads is not None and node._any_hooks:
                grads = _pre_hooks(node, grads)
            if captured is not None and node in targets:
                for i, nr in targets[node]:
                    g = grads[nr] if grads is not None else None
                    if g is not None and type(node) is AccumulateGrad:
                        g = node.variable._apply_leaf_hooks(g)
                    captured[i] = g
                if type(node) is AccumulateGrad and not accumulate:
                    continue
            if grads is None:
                outs = (None,) * len(node.next_functions)
            else:
                outs = checked_apply(node, grads) if _anomaly.enabled else node.apply(grads)
                if node._any_hooks and node._hooks:
                    for fn in list(node._hooks.values()):
                        r = fn(tuple(outs), tuple(grads))
                        if r is not None:
                            outs = r
                if _tracers:
                    for fn in list(_tracers):
                        fn("node", node, (tuple(grads), tuple(outs)))
            if not retain_graph:
                node._release()
            for (child, nr), g in zip(node.next_functions, outs):
                if child is None:
                    continue
                if g is not None:
                    buf = buffers.get(child)
                    if buf is None:
                        buf = buffers[child] = [None] * child._n_outputs
                    old = buf[nr]
                    buf[nr] = g if old is None else old + g
                d = deps[child] - 1
                deps[child] = d
                if d == 0:
                    push(ready, (-child._seq, child))
    finally:
        grad_mode.state.enabled = prev_mode
    return captured


def _skip(node, deps, ready):
    """A node off every path to the captured inputs: release its children without running it."""
    for child, _ in node.next_functions:
        if child is not None:
            deps[child] -= 1
            if deps[child] == 0:
                heapq.heappush(ready, (-child._seq, child))


def _pre_hooks(node, grads):
    if node._tensor_pre_hooks:
        grads = _run_tensor_hooks(node, grads)
    if node._retain_hooks:
        for fn in list(node._retain_hooks.values()):
            fn(grads)
    if node._pre_hooks:
        for fn in list(node._pre_hooks.values()):
            r = fn(tuple(grads))
            if r is not None:
                grads = list(r)
    return grads
