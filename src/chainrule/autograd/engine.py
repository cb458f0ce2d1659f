"""The engine: runs backward over the graph in dependency order, iteratively."""

from . import grad_mode
from .anomaly_mode import state as _anomaly, checked_apply
from .graph import AccumulateGrad, check_hook_value, check_hook_values

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


def _needed(seen, deps, targets, run_targets):
    """The nodes to run: those with a child on a path to a target node, and (run_targets) the targets.

    Everything else is skipped, as PyTorch's exec_info does. autograd.grad does not run a target node
    unless it leads on to another target: its gradient is captured as it arrives.
    """
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
        if run_targets and node in targets or any(c in needed or c in targets for c, _ in node.next_functions
                                                  if c is not None):
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
                check_hook_value(grads[nr], out, fn)
                grads[nr] = out
    return grads


def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None, accumulate=True):
    """Backpropagate root_grads from the (node, output_nr) edges in roots.

    inputs: optional (node, output_nr) edges; only what lies on a path to one of them runs, and a node
    that runs computes no gradient for a child off every such path. backward(inputs=...) runs the input
    nodes themselves (accumulate=True); autograd.grad (accumulate=False) returns the gradient arriving
    at each input edge, after the tensor hooks and retain_grad of a node it does not run.
    """
    deps, seen = _dependencies([n for n, _ in roots])
    buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_outputs
        _add(buf, nr, g)

    captured = needed = targets = None
    if inputs is not None:
        targets = {}
        for i, (node, nr) in enumerate(inputs):
            targets.setdefault(node, []).append((i, nr))
        needed = _needed(seen, deps, targets, accumulate)
        lone_root = roots[0][0] if len(roots) == 1 else None
        if not accumulate:
            captured = [None] * len(inputs)

    ready = []
    for node in buffers:
        if deps.get(node, 0) == 0:
            _push(ready, node)

    push, pop = _push, _pop
    prev_mode = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    try:
        while ready:
            node = pop(ready)
            grads = buffers.pop(node, None)
            if needed is not None:
                if node not in needed:
                    # not run; as PyTorch, a captured input or the lone root still gets its tensor hooks and
                    # retain_grad (the gradient captured after them)
                    if grads is not None and (node in targets or node is lone_root):
                        grads = _tensor_hooks(node, grads)
                    if captured is not None and node in targets:
                        _capture(captured, targets[node], grads)
                    _skip(node, deps, ready)
                    continue
                if captured is not None and node in targets:  # captured as it arrives, before its hooks
                    _capture(captured, targets[node], grads)
            if grads is not None and node._any_hooks:
                grads = _pre_hooks(node, grads)
            if grads is None:
                outs = (None,) * len(node.next_functions)
            else:
                outs = checked_apply(node, grads) if _anomaly.enabled else node.apply(grads)
                if needed is not None:  # PyTorch computes nothing for a child it won't run
                    outs = [g if c is None or c in needed or c in targets else None
                            for (c, _), g in zip(node.next_functions, outs)]
                if node._any_hooks and node._hooks:
                    for fn in list(node._hooks.values()):
                        r = fn(tuple(outs), tuple(grads))
                        if r is not None:
                            check_hook_values(tuple(outs), r, fn)
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
                    push(ready, child)
    finally:
        grad_mode.state.enabled = prev_mode
    return captured


# The ready queue: newest node first, AccumulateGrad before all (PyTorch gives it the largest sequence number,
# so leaves tie among themselves). Ties are broken as PyTorch's std::priority_queue breaks them, so leaf hooks
# run in the same order: libstdc++'s push_heap / pop_heap, over (key, node) pairs.
_ACC_KEY = 1 << 62


def _sift_up(heap, hole, item):
    """libstdc++'s __push_heap: move item up from hole while its parent's key is smaller."""
    key = item[0]
    while hole > 0:
        parent = (hole - 1) >> 1
        if heap[parent][0] < key:
            heap[hole] = heap[parent]
            hole = parent
        else:
            break
    heap[hole] = item


def _push(heap, node):
    heap.append(None)
    _sift_up(heap, len(heap) - 1, (_ACC_KEY if node._seq >= _ACC_KEY else node._seq, node))


def _pop(heap):
    top = heap[0][1]
    last = heap.pop()
    n = len(heap)
    if n:
        hole = child = 0
        while child < (n - 1) >> 1:
            child = 2 * (child + 1)
            if heap[child][0] < heap[child - 1][0]:
                child -= 1
            heap[hole] = heap[child]
            hole = child
        if n & 1 == 0 and child == (n - 2) >> 1:
            child = 2 * (child + 1)
            heap[hole] = heap[child - 1]
            hole = child - 1
        _sift_up(heap, hole, last)
    return top


def _skip(node, deps, ready):
    """A node off every path to the captured inputs: release its children without running it."""
    for child, _ in node.next_functions:
        if child is not None:
            deps[child] -= 1
            if deps[child] == 0:
                _push(ready, child)


def _capture(captured, where, grads):
    for i, nr in where:
        captured[i] = grads[nr] if grads is not None else None


def _tensor_hooks(node, grads):
    """The hooks of a captured node that is not run: tensor hooks (a leaf's too) and retain_grad."""
    if type(node) is AccumulateGrad:
        g = grads[0]
        return [node.variable._apply_leaf_hooks(g) if g is not None else None]
    if node._tensor_pre_hooks:
        grads = _run_tensor_hooks(node, grads)
    if node._retain_hooks:
        _retain(node, grads)
    return grads


def _retain(node, grads):
    for nr, fn in list(node._retain_hooks.items()):
        fn(grads[nr])


def _pre_hooks(node, grads):
    if node._tensor_pre_hooks:
        grads = _run_tensor_hooks(node, grads)
    if node._retain_hooks:
        _retain(node, grads)
    if node._pre_hooks:
        for fn in list(node._pre_hooks.values()):
            r = fn(tuple(grads))
            if r is not None:
                check_hook_values(tuple(grads), r, fn)
                grads = list(r)
    return grads
