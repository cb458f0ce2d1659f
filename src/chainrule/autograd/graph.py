"""The backward graph: Node (what grad_fn is), AccumulateGrad, saved tensors."""
import itertools
import re
import weakref

from .._dtype import FROM_NP

__all__ = ["Node", "AccumulateGrad", "SavedTensor", "RemovableHandle"]

_seq = itertools.count()
# Nodes PyTorch writes by hand rather than generates: name() gives them a namespace ("torch::autograd::...")
_HAND_WRITTEN = frozenset({"AccumulateGrad", "CopySlices", "CopyBackwards"})
next_seq = _seq.__next__

ERR_BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


class RemovableHandle:
    __slots__ = ("_store", "_key", "id")
    _ids = itertools.count()

    def __init__(self, store):
        self.id = next(RemovableHandle._ids)
        self._store = weakref.ref(store) if store is not None else None
        self._key = self.id

    def remove(self):
        store = self._store() if self._store is not None else None
        if store is not None:
            store.pop(self._key, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _HookDict(dict):
    """A dict of hooks that handles can refer to weakly (plain dicts can't be weakly referenced)."""
    __slots__ = ("__weakref__",)


def add_hook(store, fn):
    h = RemovableHandle(store)
    store[h.id] = fn
    return h


class Node:
    """A backward function. Subclasses implement apply(grad_outputs) -> grads for next_functions."""
    __slots__ = ("next_functions", "_seq", "__weakref__", "__dict__")
    # Rarely set, so class-level defaults: a node pays for them (in its __dict__) only when used.
    _hooks = _pre_hooks = _tensor_pre_hooks = _retain_hooks = _metadata = None
    _any_hooks = False
    _n_outputs = 1

    def __init__(self):
        self._seq = next_seq()

    def name(self):
        n = type(self).__name__
        return "chainrule::autograd::" + n if n in _HAND_WRITTEN else n

    def __call__(self, *grads):
        return self.apply(grads)

    @property
    def metadata(self):
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = _HookDict()
        self._any_hooks = True
        return add_hook(self._hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = _HookDict()
        self._any_hooks = True
        return add_hook(self._pre_hooks, fn)

    def _register_tensor_hook(self, output_nr, fn):
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        self._any_hooks = True
        store = self._tensor_pre_hooks.setdefault(output_nr, _HookDict())
        return add_hook(store, fn)

    def _set_retain_hook(self, output_nr, fn):
        """retain_grad: fn(grad) runs after the tensor hooks of that output (one per output, as in PyTorch)."""
        if self._retain_hooks is None:
            self._retain_hooks = {}
        self._any_hooks = True
        self._retain_hooks[output_nr] = fn

    def _release(self):
        """Free saved tensors after a backward that did not ask to retain the graph."""

    @property
    def _saved_tensors_freed(self):
        return False

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The leaf end of the graph: adds the incoming gradient into variable.grad."""
    __module__ = "builtins"  # printed as <class 'AccumulateGrad'>, as in PyTorch
    __slots__ = ("variable",)

    def __init__(self, variable):
        Node.__init__(self)
        self._seq = (1 << 62) + self._seq  # run as soon as ready, like PyTorch
        self.variable = variable
        self.next_functions = ()

    def apply(self, grads):
        from ..autograd.grad_mode import state
        self.variable._accumulate(grads[0], state.enabled)
        return ()


def _type_string(data):
    prefix = "chainrule.cuda." if type(data).__module__.startswith("cupy") else "chainrule."
    return prefix + FROM_NP[data.dtype].tensor_type


def check_hook_value(original, result, hook):
    """What a hook returned in place of one gradient, checked as PyTorch's check_single_result does."""
    if original is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    from .._tensor import Tensor
    if not isinstance(result, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    name = getattr(hook, "__name__", "<unknown>")
    a, b = original._data, result._data
    if a.dtype != b.dtype or type(a) is not type(b):
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {_type_string(a)} got "
                           f"{_type_string(b)})")
    if a.shape != b.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")


def check_hook_values(previous, result, hook):
    """What a node hook returned in place of a tuple of gradients (PyTorch's check_result)."""
    if type(result) is not tuple:
        raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
    if len(result) != len(previous):
        raise RuntimeError(f"hook '{getattr(hook, '__name__', '<unknown>')}' has returned an incorrect number of "
                           f"values (got {len(result)}, but expected {len(previous)})")
    for p, r in zip(previous, result):
        if r is not None:
            check_hook_value(p, r, hook)


def _anomaly_hint():
    from .anomaly_mode import state
    if state.enabled:
        return ("the backtrace further above shows the operation that failed to compute its gradient. The variable "
                "in question was changed in there or anywhere later. Good luck!")
    return ("enable anomaly detection to find the operation that failed to compute its gradient, with "
            "chainrule.autograd.set_detect_anomaly(True, check_nan=False).")


def short_node_name(node):
    """'ExpBackward0' -> 'Exp', 'ClampBackward1' -> 'Clamp1', as PyTorch 2.13 writes it in its errors."""
    return re.sub(r"Backward(\d*)$", lambda m: "" if m.group(1) in ("", "0") else m.group(1), node.name())


class SavedTensor:
    """A tensor saved for backward, with the version it had when saved."""
    __slots__ = ("tensor", "data", "version", "counter", "grad_fn", "output_nr", "view_fn")

    def __init__(self, tensor, is_output):
        if tensor._inference:
            raise RuntimeError(
                "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode "
                "in computation tracked by autograd. To work around this, you can make a clone to get a normal tensor "
                "and use it in autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`.")
        self.counter = c = tensor._ver
        self.version = c[0]
        self.output_nr = tensor._output_nr
        self.view_fn = None  # the output of an in-place op on a view: weakly, the view's grad_fn then
        if is_output:
            # Keep only the array: holding the output tensor would make a cycle through its grad_fn.
            self.tensor = None
            self.data = tensor._data
            self.grad_fn = None
        else:
            self.tensor = tensor
            self.data = None
            self.grad_fn = tensor.grad_fn

    def unpack(self, node, make_tensor):
        t = self.tensor
        if t is not None and t._fn is None and self.grad_fn is not None:
            raise RuntimeError("Trying to use a saved tensor that has been detached in-place, i.e. with "
                               ".detach_().This is not supported, please use out-of-place `.detach()` instead")
        if self.counter[0] != self.version:
            self._raise_modified(node)
        if t is not None:
            return t
        if self.view_fn is not None:  # PyTorch: the output of an in-place op on a view has the view's grad_fn
            node = self.view_fn() or node
        return make_tensor(self.data, node, self.output_nr, self.counter)

    def _raise_modified(self, node):
        t = self.tensor
        data = self.data if t is None else t._data
        shape = ", ".join(str(s) for s in data.shape)
        desc = f"[{_type_string(data)} [{shape}]]"
        # as PyTorch names it: a saved input's grad_fn now, the view's grad_fn after an in-place op on a view
        if t is not None:
            owner = t.grad_fn
        else:
            owner = (self.view_fn() if self.view_fn is not None else None) or node
        clause = f", which is output {self.output_nr} of {short_node_name(owner)}," if owner is not None else ""
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: {desc}{clause} is at version {self.counter[0]}; expected version {self.version} "
            f"instead. Hint: {_anomaly_hint()}")
