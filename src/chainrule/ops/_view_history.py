"""In-place ops on views, recorded as PyTorch records them.

An in-place op on a view changes its base too, so the base's history is rebased: the base's grad_fn
becomes CopySlices, which routes the gradient of the view's region through the op's node and the
rest through the base's old history. The view's grad_fn becomes AsStridedBackward0 over the base,
and every other view of the same storage regenerates its grad_fn the same way the next time it is
read (its version no longer matches the one its grad_fn was made at).

A view's place in its base is kept as index arrays (the flat position in the base of each element),
read off the arrays' memory layout, so any chain of view ops is covered.
"""
import numpy as np

from ..autograd.graph import Node, short_node_name, ERR_BACKWARD_TWICE
from ._op import defop, apply, _record, _NO_EDGE, _xp

__all__ = ["CopySlices", "rebase", "refresh", "check_modifiable", "mark_multi_output"]


def _ptr(arr):
    return arr.__array_interface__["data"][0] if arr.__class__ is np.ndarray else arr.data.ptr


def _addresses(xp, arr, start):
    """The byte address of each element of arr, relative to start, as an array of arr's shape."""
    addr = xp.full(arr.shape, _ptr(arr) - start, dtype=np.int64)
    for d, (n, stride) in enumerate(zip(arr.shape, arr.strides)):
        shape = [1] * arr.ndim
        shape[d] = n
        addr += (xp.arange(n, dtype=np.int64) * stride).reshape(shape)
    return addr


def view_index(view_arr, base_arr):
    """For each element of a view, the flat (C-order) position of the same memory in its base."""
    xp = _xp(base_arr)
    start = _ptr(base_arr)
    addr = _addresses(xp, view_arr, start)
    if base_arr.flags.c_contiguous:
        return addr // base_arr.itemsize
    flat = _addresses(xp, base_arr, start).reshape(-1)
    order = xp.argsort(flat)
    return order[xp.searchsorted(flat[order], addr)]


def _read_fwd(xp, x, idx):
    return x.reshape(-1)[idx]


def _spread_fwd(xp, x, idx, shape):
    out = xp.zeros(int(np.prod(shape)), dtype=x.dtype)
    xp.add.at(out, idx.reshape(-1), x.reshape(-1))  # overlapping views (expand) sum
    return out.reshape(shape)


def _write_fwd(xp, x, src, idx):
    out = x.copy()
    out.reshape(-1)[idx] = src
    return out


def _zero_fwd(xp, x, idx):
    out = x.copy()
    out.reshape(-1)[idx] = 0
    return out


# The view read out of its base (a regenerated view's grad_fn), and the ops its backward is made of.
_read = defop("as_strided", "AsStridedBackward0", _read_fwd,
              (lambda g, x_shape, idx: apply(_spread, (g,), (idx, x_shape)),), n_tensors=1, tex=("1 on the view",))
_spread = defop("as_strided_backward", "AsStridedBackwardBackward0", _spread_fwd,
                (lambda g, idx: apply(_read, (g,), (idx,)),), n_tensors=1, tex=("1 on the view",))
_zero = defop("as_strided_zero", "AsStridedScatterBackward0", _zero_fwd,
              (lambda g, idx: apply(_zero, (g,), (idx,)),), n_tensors=1, tex=("1 off the view",))
_write = defop("as_strided_scatter", "AsStridedScatterBackward0", _write_fwd,
               (lambda g, idx: apply(_zero, (g,), (idx,)), lambda g, idx: apply(_read, (g,), (idx,))),
               n_tensors=2, tex=("1 off the view", "1 on the view"))


class CopySlices(Node):
    """The base's grad_fn after an in-place op on one of its views.

    next_functions: the base's previous history, then the op's other inputs. Backward runs the op's
    node on the view's region of the gradient and passes the rest of the gradient through unchanged.
    """
    __module__ = "builtins"  # printed as <class 'CopySlices'>, as in PyTorch
    __slots__ = ("fn", "_idx", "_freed")

    def __init__(self, base_edge, idx, fn):
        Node.__init__(self)
        self.next_functions = (base_edge,) + fn.next_functions[1:]
        self.fn = fn
        self._idx = idx
        self._freed = False

    def apply(self, grads):
        if self._freed:  # PyTorch's CopySlices lets go of its node after a backward without retain_graph
            raise RuntimeError(ERR_BACKWARD_TWICE)
        g = grads[0]
        res = self.fn.apply([apply(_read, (g,), (self._idx,))])
        first = res[0]
        out = g if first is None else apply(_write, (g, first), (self._idx,))
        return [out] + list(res[1:])

    def _release(self):
        self.fn._release()
        self._freed = True

    @property
    def _saved_tensors_freed(self):
        return self._freed


def _as_strided_node(view, base, idx):
    old_fn, old_nr = view._fn, view._output_nr
    view._fn = _record(_read, (base,), (idx,))
    view._output_nr = 0
    view._rg = True
    view._fn_ver = view._ver[0]
    if view._retains_grad:
        view._moved_history(old_fn, old_nr)


def rebase(view, fn):
    """After fn (the node of an in-place op) wrote into view: the base gets CopySlices, the view a fresh node."""
    base = view._base
    idx = view_index(view._data, base._data)
    old_fn, old_nr = base._fn, base._output_nr
    base._fn = CopySlices((old_fn, old_nr) if old_fn is not None else _NO_EDGE, idx, fn)
    base._output_nr = 0
    base._rg = True
    if base._retains_grad:
        base._moved_history(old_fn, old_nr)
    _as_strided_node(view, base, idx)


def refresh(view):
    """A view whose storage was modified in place since its grad_fn was made: regenerate it from the base.

    As PyTorch, a view that may not be modified in place with grad (made under no_grad, or one of several
    views returned together) raises instead once its base requires grad, whatever the grad mode now.
    """
    base = view._base
    if view._fn is None and not base._rg:  # (its version stays stale: the base may require grad later)
        return
    if view._view_note is not None:
        _raise_not_modifiable(view, "its base or another view of its base has been")
    _as_strided_node(view, base, view_index(view._data, base._data))


def mark_multi_output(outs):
    """Views returned together (unbind, split, chunk) may not be modified in place with grad."""
    for o in outs:
        o._view_note = "multi_output"


def check_modifiable(view):
    _raise_not_modifiable(view, "is being")


def _raise_not_modifiable(view, modified):
    """PyTorch's handle_view_on_rebase: the message names the view's grad_fn when it has one."""
    note, fn = view._view_note, view._fn
    if note in ("no_grad", "inference") or fn is None:
        prefix = ("A view was created in" if fn is None else
                  f"Output {view._output_nr} of {short_node_name(fn)} is a view of a view which was created in")
        msg = (f"{prefix} inference mode and {modified} modified inplace in normal mode." if note == "inference" else
               f"{prefix} no_grad mode and {modified} modified inplace with grad mode enabled.")
    else:
        msg = f"Output {view._output_nr} of {short_node_name(fn)} is a view and {modified} modified inplace."
    if note == "inference":
        raise RuntimeError(
            f"{msg} Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code "
            "by moving both the view and the inplace either both inside the inference_mode block (if you don't want "
            "the inplace to be tracked) or both outside (if you want the inplace to be tracked).")
    if note == "no_grad":
        raise RuntimeError(
            f"{msg} Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code "
            "by moving both the view and the inplace either both inside the no_grad block (if you don't want the "
            "inplace to be tracked) or both outside (if you want the inplace to be tracked).")
    raise RuntimeError(
        f"{msg} This view is the output of a function that returns multiple views. Such functions do not allow the "
        "output views to be modified inplace. You should replace the inplace operation by an out-of-place one.")
