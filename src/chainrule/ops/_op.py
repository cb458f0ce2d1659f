"""One op, one declaration: forward on arrays, a PyTorch node name, derivative formulas.

`defop` builds an OpDef from:
  fwd(xp, *arrays, *params)       the forward on backend arrays (xp: the device's array module)
  grads: one formula per tensor input, written with chainrule's own differentiable functions,
         so backward of backward works. A formula's parameter names say what it needs:
         `g` the incoming gradient (a tuple when the op has several differentiable outputs),
         an input's name (as in fwd), `result` (or the name of another output), or a param name.
  `<input>_shape` in a formula is that input's shape, kept without saving the tensor (as PyTorch
  saves only self_sym_sizes for sum, expand, view, ...).
  tex: the local derivatives as text for `explain`, one per input.
What a formula names is saved for backward, so saving (and the version check and the
"backward twice" error) follows from the formulas themselves, as in derivatives.yaml.
"""
import dis
import weakref

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.graph import Node, SavedTensor, ERR_BACKWARD_TWICE, next_seq
from ..autograd.grad_mode import state as _grad_state
from ..autograd.anomaly_mode import state as _anomaly, record_forward

__all__ = ["defop", "OpDef", "apply", "apply_inplace", "OpNode"]

_FREED = ()  # marker for released saved tensors
_G, _IN, _OUT, _PARAM, _SHAPE = 0, 1, 2, 3, 4


class OpDef:
    __slots__ = ("name", "node_name", "fwd", "grads", "grad_args", "inputs", "params", "outputs",
                 "n_diff_out", "saves_in", "saves_out", "node_cls", "tex", "sym", "nondiff", "is_view",
                 "save_plan", "saved_params", "unpack_order")

    def __repr__(self):
        return f"<op {self.name} -> {self.node_name}>"


def _used_names(fn):
    return {ins.argval for ins in dis.get_instructions(fn) if ins.opname.startswith("LOAD_FAST")}


def _fwd_arg_names(fn):
    code = fn.__code__
    return code.co_varnames[1:code.co_argcount]  # skip xp


def defop(name, node_name, fwd, grads=(), *, n_tensors=None, outputs=("result",), n_diff_out=1,
          tex=None, sym=None, view=False, saved_params=()):
    """Declare an op. n_tensors: how many leading fwd arguments are tensors (default: one per formula).

    saved_params: params that PyTorch saves as tensors (indices, masks, targets): backward frees them
    with the rest, so a second backward raises as it does in PyTorch.
    """
    op = OpDef()
    names = _fwd_arg_names(fwd)
    if n_tensors is None:
        n_tensors = len(grads) if grads else len(names)
    op.name, op.node_name, op.fwd = name, node_name, fwd
    op.inputs, op.params, op.outputs = names[:n_tensors], names[n_tensors:], tuple(outputs)
    op.n_diff_out, op.tex, op.sym = n_diff_out, tex, sym
    op.nondiff = not grads
    op.saved_params = tuple(saved_params)
    op.is_view = view  # outputs share the input's storage and version counter
    op.grads = tuple(grads)
    if grads and len(grads) != n_tensors:
        raise TypeError(f"{name}: one derivative formula per tensor input")
    op.grad_args = []
    saves_in, saves_out = [set() for _ in names[:n_tensors]], set()
    first_use = []  # saved tensors in the order the formulas first name them
    for i, fn in enumerate(op.grads):
        if fn is None:
            op.grad_args.append(None)
            continue
        code = fn.__code__
        spec = []
        for arg in code.co_varnames[:code.co_argcount]:
            if arg == "g":
                spec.append((_G, 0))
            elif arg in op.inputs:
                spec.append((_IN, op.inputs.index(arg)))
            elif arg in op.outputs:
                spec.append((_OUT, op.outputs.index(arg)))
            elif arg in op.params:
                spec.append((_PARAM, op.params.index(arg)))
            elif arg.endswith("_shape") and arg[:-6] in op.inputs:
                spec.append((_SHAPE, op.inputs.index(arg[:-6])))
            else:
                raise TypeError(f"{name}: derivative formula names unknown '{arg}'")
        used = _used_names(fn)
        for kind, j in spec:
            if kind == _IN and op.inputs[j] in used:
                saves_in[j].add(i)
            elif kind == _OUT and op.outputs[j] in used:
                saves_out.add(j)
            else:
                continue
            if (kind, j) not in first_use:
                first_use.append((kind, j))
        op.grad_args.append(tuple(spec))
    # saves_in[j]: the inputs whose gradient needs input j; saved only if one of them needs grad
    op.saves_in = tuple(frozenset(s) for s in saves_in)
    op.saves_out = tuple(sorted(saves_out))
    op.save_plan = tuple((j, tuple(s)) for j, s in enumerate(op.saves_in) if s)
    # PyTorch unpacks a node's saved tensors in the order its formulas first name them (mul, div: other
    # first), which decides which one a version error reports; None: inputs in order, then outputs
    op.unpack_order = None if first_use == sorted(first_use) else tuple(first_use)
    # "builtins": type(grad_fn) prints <class 'MulBackward0'>, as PyTorch's generated C++ nodes do
    op.node_cls = type(node_name, (OpNode,), {"__slots__": (), "op": op, "_n_outputs": n_diff_out,
                                              "__module__": "builtins"})
    return op


class OpNode(Node):
    """The grad_fn of a declared op."""
    __slots__ = ("_saved", "_saved_out", "_params", "_in_meta")
    op = None

    def apply(self, grads):
        op = self.op
        saved, saved_out = self._saved, self._saved_out
        if saved is _FREED:
            raise RuntimeError(ERR_BACKWARD_TWICE)
        make = Tensor._from_saved
        if op.unpack_order is None:
            ins = [s.unpack(self, make) if s is not None else None for s in saved]
            outs = {j: s.unpack(self, make) for j, s in saved_out.items()} if saved_out else None
        else:
            ins, outs = [None] * len(saved), {} if saved_out else None
            for kind, j in op.unpack_order:
                if kind == _IN:
                    if saved[j] is not None:
                        ins[j] = saved[j].unpack(self, make)
                elif saved_out and j in saved_out:
                    outs[j] = saved_out[j].unpack(self, make)
        meta = self._in_meta
        # one row per argument kind, indexed as in grad_args: (kind, j) -> sources[kind][j]
        sources = ((grads[0],) if op.n_diff_out == 1 else (tuple(grads),), ins, outs, self._params,
                   [m[0] for m in meta])
        grad_args, formulas = op.grad_args, op.grads
        result = []
        for i, (child, _) in enumerate(self.next_functions):
            if child is None:
                result.append(None)
                continue
            gi = formulas[i](*[sources[kind][j] for kind, j in grad_args[i]])
            if gi is not None:
                m = meta[i]
                d = gi._data
                if d.shape != m[0] or d.dtype != m[1]:
                    gi = _match_input(gi, m)
            result.append(gi)
        return result

    def _release(self):
        saved = self._saved
        if self._saved_out or self.op.saved_params or (saved and saved is not _FREED and
                                                      any(s is not None for s in saved)):
            self._saved = _FREED
            self._saved_out = None

    @property
    def _saved_tensors_freed(self):
        return self._saved is _FREED

    def __getattr__(self, name):
        # PyTorch exposes what a node saved as _saved_<name>
        if name.startswith("_saved_"):
            key = name[7:]
            op = type(self).op
            if self._saved is _FREED:
                raise RuntimeError(ERR_BACKWARD_TWICE)
            if key in op.inputs:
                s = self._saved[op.inputs.index(key)]
                return None if s is None else s.unpack(self, Tensor._from_saved)
            if key in op.outputs and op.outputs.index(key) in (self._saved_out or {}):
                return self._saved_out[op.outputs.index(key)].unpack(self, Tensor._from_saved)
            if key in op.params:
                return self._params[op.params.index(key)]
            i = _TORCH_INPUT_NAMES.get(key)  # PyTorch's argument names: self, other, mat2, ...
            if i is not None and i < len(op.inputs):
                s = self._saved[i]
                return None if s is None else s.unpack(self, Tensor._from_saved)
            if key.endswith("_sym_sizes"):  # the shapes kept without the tensor (sum, expand, view, ...)
                i = _TORCH_INPUT_NAMES.get(key[:-10], op.inputs.index(key[:-10]) if key[:-10] in op.inputs else None)
                if i is not None and i < len(op.inputs):
                    return self._in_meta[i][0]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


_TORCH_INPUT_NAMES = {"self": 0, "input": 0, "other": 1, "mat2": 1, "vec": 1, "tensor": 1}


def _match_input(g, meta):
    """Sum a gradient back over broadcast dimensions and cast it to its input's dtype."""
    shape, dtype = meta
    gd = g._data
    if gd.shape != shape:
        g = g.sum_to_size(shape)
    if gd.dtype != dtype:
        g = g.to(dtype=_np_to_dt(dtype))
    return g


def _np_to_dt(npd):
    return D.FROM_NP[npd]


def _xp(arr):
    if arr.__class__ is _ndarray:
        return np
    from .._device import namespace, device_of
    return namespace(device_of(arr))


_ndarray = np.ndarray
_NO_EDGE = (None, 0)


def _record(op, inputs, params):
    """A new node for outputs computed from inputs: edges, saved tensors, input metadata."""
    node = object.__new__(op.node_cls)
    node._seq = next_seq()
    node.next_functions = tuple([(t._fn, t._output_nr) if t._fn is not None and t._base is None else
                                 t._edge() if t._rg or t._base is not None else _NO_EDGE for t in inputs])
    node._params = params
    node._in_meta = tuple([(t._data.shape, t._data.dtype) for t in inputs])
    saved = [None] * len(inputs)
    for j, needers in op.save_plan:
        for i in needers:
            t = inputs[i]
            if t._rg or t._base is not None and t._base._rg:  # (it requires grad)
                saved[j] = SavedTensor(inputs[j], False)
                break
    node._saved = saved
    node._saved_out = None
    if _anomaly.enabled:
        record_forward(node)
    return node


def _save_outputs(op, node, outs):
    if op.saves_out:
        node._saved_out = {j: SavedTensor(outs[j], j < op.n_diff_out) for j in op.saves_out}


def apply(op, inputs, params=(), arrays=None):
    """Run op forward on tensors, and record a node when grad mode is on and an input requires it.

    arrays: the inputs' data already converted (type promotion), when the caller did that.
    """
    if arrays is None:
        arrays = [t._data for t in inputs]
    a0 = arrays[0]
    data = op.fwd(np if a0.__class__ is _ndarray else _xp(a0), *arrays, *params)
    make = Tensor._make
    if _grad_state.enabled and not op.nondiff:
        for t in inputs:
            if t._rg or t._base is not None and t._base._rg:  # (a view not yet regenerated)
                break
        else:
            t = None
    else:
        t = None
    if t is None:  # nothing to record
        if type(data) is tuple:
            outs = tuple(make(d) for d in data)
        else:
            outs = make(data)
        return _as_views(outs, inputs[0]) if op.is_view else outs
    node = _record(op, inputs, params)
    if type(data) is tuple:
        nd = op.n_diff_out
        outs = tuple(make(d, True, node, i) if i < nd else make(d) for i, d in enumerate(data))
        _save_outputs(op, node, outs)
        return _as_views(outs, inputs[0]) if op.is_view else outs
    out = make(data, True, node, 0)
    if op.saves_out:
        _save_outputs(op, node, (out,))
    return out._view_of(inputs[0]) if op.is_view else out


def _check_no_overlap(arr):
    if any(st == 0 and n > 1 for n, st in zip(arr.shape, arr.strides)):  # an expanded view
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                           "single memory location. Please clone() the tensor before performing the operation.")


def _as_views(outs, base):
    if type(outs) is tuple:
        for o in outs:
            o._view_of(base)
        if _grad_state.enabled:  # views returned together, whether or not anything requires grad
            from ._view_history import mark_multi_output
            mark_multi_output(outs)
        return outs
    return outs._view_of(base)


def apply_inplace(op, self, others, params=(), arrays=None):
    """self.op_(others): compute out of place, write into self, rebase self's history."""
    inputs = (self,) + tuple(others)
    requires = _grad_state.enabled and not op.nondiff and any(t._rg or t._base is not None and t._base._rg
                                                              for t in inputs)
    if requires:
        self._check_inplace()
    xp = _xp(self._data)
    if arrays is None:
        arrays = [t._data for t in inputs]
    data = op.fwd(xp, *arrays, *params)
    from .._tensor import _check_cast
    _check_cast(data.dtype, self._data.dtype)
    if requires:
        node = _record(op, inputs, params)
        saved = node._saved
        if saved[0] is not None:  # the formula needs self as it was before: keep a copy (a clone, as
            saved[0] = SavedTensor(self.clone(), False)  # PyTorch's original_self, so it stays differentiable)
    if data.shape != self._data.shape:
        from ._errors import inplace_shape_error
        inplace_shape_error(data.shape, self._data.shape)
    if self._base is not None and 0 in self._data.strides and op.name not in ("fill_", "zero_"):
        _check_no_overlap(self._data)  # (PyTorch's fill_ and zero_ write expanded tensors)
    xp.copyto(self._data, data, casting="unsafe")
    if self._inference:  # checked once written, as PyTorch does (with the version counter)
        self._check_inference_inplace()
    self._bump()
    if requires:
        if self._base is None:
            old_fn, old_nr = self._fn, self._output_nr
            self._fn, self._output_nr = node, 0
            self._rg = True
            if self._retains_grad:
                self._moved_history(old_fn, old_nr)
        else:  # the base's history is rebased, the view's regenerated
            from ._view_history import rebase
            rebase(self, node)
        if op.saves_out:
            _save_outputs(op, node, (self,))
            if self._base is not None:  # its saved output unpacks with the view's grad_fn, as in PyTorch
                for s in node._saved_out.values():
                    s.view_fn = weakref.ref(self._fn)
    return self
