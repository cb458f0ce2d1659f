"""Custom autograd functions: subclass Function, write forward and backward, call .apply.

As in PyTorch, the node that apply records is also the `ctx` that forward and backward receive; its
type is named `<ClassName>Backward`. forward runs with grad off; backward runs with grad on only
when the engine builds a graph of the backward pass (create_graph=True).
"""
import functools

from .._tensor import Tensor
from .anomaly_mode import state as _anomaly, record_forward
from .grad_mode import state as _grad_state, no_grad
from .graph import Node, SavedTensor, ERR_BACKWARD_TWICE

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable"]

_FREED = ()


class FunctionCtx:
    """What forward can tell backward: tensors to save, outputs modified in place or not differentiable."""

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self._to_save = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The node of one Function call; it is also that call's ctx."""
    _forward_cls = None
    _to_save = _dirty = _non_differentiable = ()
    _saved = None
    materialize_grads = True

    def __init__(self):
        Node.__init__(self)
        self.next_functions = ()

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(ERR_BACKWARD_TWICE)
        if saved is None:  # still in forward (setup_context), or nothing was saved
            return tuple(self._to_save)
        return tuple(None if s is None else s.unpack(self, Tensor._from_saved) for s in saved)

    def _release(self):
        if self._saved:
            self._saved = _FREED

    @property
    def _saved_tensors_freed(self):
        return self._saved is _FREED

    def apply(self, grads):
        cls = self._forward_cls
        if self.materialize_grads:
            grads = [g if g is not None else _zeros(meta) for g, meta in zip(grads, self._out_meta)]
        result = cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        name = type(self).__name__
        n_args = len(self._arg_is_tensor)
        if len(result) != n_args:
            if len(result) > n_args and all(r is None for r in result[n_args:]):
                result = result[:n_args]
            else:
                raise RuntimeError(f"function {name} returned an incorrect number of gradients (expected {n_args}, "
                                   f"got {len(result)})")
        out = []
        for i, (g, is_tensor) in enumerate(zip(result, self._arg_is_tensor)):
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(f"function {name} returned a gradient different than None at position {i + 1},"
                                       " but the corresponding forward input was not a Variable")
                continue
            out.append(_fit(g, self._in_meta[len(out)], name, len(out)))
        return out


def _zeros(meta):
    from .._creation import zeros
    shape, dtype, device = meta
    return zeros(shape, dtype=dtype, device=device)


def _fit(g, meta, name, i):
    """A gradient summed back to its input's shape and cast to its dtype, or PyTorch's error."""
    if g is None:
        return None
    if not isinstance(g, Tensor):
        raise TypeError(f"expected Tensor or None as the gradient at index {i}, but got {type(g).__name__}")
    shape, dtype, _ = meta
    if tuple(g.shape) != shape:
        try:
            g = g.sum_to_size(shape)
        except RuntimeError:
            raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - got "
                               f"{list(g.shape)} but expected shape compatible with {list(shape)}") from None
    if g.dtype != dtype:
        g = g.to(dtype)
    return g


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        # each Function subclass gets its own node type, named as PyTorch names it
        cls._backward_cls = type(f"{name}Backward", (BackwardCFunction,), {"_forward_cls": cls})


class Function(metaclass=_FunctionMeta):
    """Base class for custom differentiable operations (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions are all static, so "
                      "you should invoke them on the class itself. Instantiating an autograd function will raise an "
                      "error in a future version of PyTorch.", DeprecationWarning, stacklevel=2)

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._backward_cls()
        ctx._arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
        tensors = [a for a in args if isinstance(a, Tensor)]
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        record = _grad_state.enabled and any(ctx.needs_input_grad)
        separate_context = cls.setup_context is not Function.setup_context
        with no_grad():
            if separate_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        if record:
            outs = _connect(ctx, tensors, outs)
        else:
            ctx._to_save = ()  # nothing will run backward: don't hold the tensors
        return outs[0] if single else outs


def _connect(ctx, inputs, outs):
    """Make ctx the grad_fn of the tensor outputs and save what forward asked to save."""
    ctx.next_functions = tuple(t._edge() if t._rg or t._base is not None else (None, 0) for t in inputs)
    ctx._in_meta = tuple((tuple(t._data.shape), t.dtype, t.device) for t in inputs)
    dirty = {id(t) for t in ctx._dirty}
    non_diff = {id(t) for t in ctx._non_differentiable}
    input_ids = {id(t) for t in inputs}
    result, meta = [], []
    for o in outs:
        if isinstance(o, Tensor):
            if id(o) in dirty:
                if o._rg and o._fn is None and o._base is None:
                    raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
                o._check_inplace()
                o._bump()
            elif id(o) in input_ids:  # an input returned as it is: a new tensor on the same data
                o = o.detach()
            if id(o) not in non_diff:
                old_fn, old_nr = o._fn, o._output_nr
                o._fn, o._output_nr, o._rg = ctx, len(meta), True
                if o._retains_grad:
                    o._moved_history(old_fn, old_nr)
            meta.append((tuple(o._data.shape), o.dtype, o.device))
        result.append(o)
    ctx._n_outputs = max(len(meta), 1)
    ctx._out_meta = tuple(meta)
    outputs = {id(o) for o in result if isinstance(o, Tensor)}
    ctx._saved = [None if t is None else SavedTensor(t, id(t) in outputs) for t in ctx._to_save]
    ctx._to_save = ()
    if _anomaly.enabled:
        record_forward(ctx)
    return tuple(result)


def once_differentiable(fn):
    """For a backward that cannot itself be differentiated: run it without building a graph."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)
    return wrapper
