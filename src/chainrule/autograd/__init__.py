"""chainrule.autograd: backward, grad, grad modes, and the graph types."""
import numpy as np

from .._tensor import Tensor, Size
from . import grad_mode, graph
from .engine import run_backward
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)

from .gradcheck import gradcheck, gradgradcheck, GradcheckError  # noqa: E402,F401
from .anomaly_mode import detect_anomaly, set_detect_anomaly  # noqa: E402,F401
from . import function  # noqa: E402,F401
from .function import Function  # noqa: E402,F401

__all__ = ["gradcheck", "gradgradcheck", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "graph",
           "detect_anomaly", "set_detect_anomaly", "Function"]

CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
    "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to avoid "
    "this. If you have to use this function, make sure to reset the .grad fields of your parameters to None "
    "after use to break the cycle and avoid the leak. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)")


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _ones_like(arr):
    from .._device import namespace, device_of
    return (np.ones_like(arr) if arr.__class__ is np.ndarray else namespace(device_of(arr)).ones_like(arr))


def _make_grads(outputs, grads):
    if grads is None:
        grads = (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"Mismatch in number of outputs and gradients: got {len(outputs)} outputs and "
                           f"{len(grads)} gradients")
    out = []
    for i, (t, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if t.requires_grad:
                if t._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if t.dtype.category != 2:
                    raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                       f"{t.dtype}")
                g = Tensor._make(_ones_like(t._data))
        elif isinstance(g, Tensor):
            if g._data.shape != t._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g._data.shape)} and "
                                   f"output[{i}] has a shape of {Size(t._data.shape)}.")
            if g._data.dtype != t._data.dtype:  # the engine casts a gradient to its output's dtype
                if (g.dtype.category == 3) != (t.dtype.category == 3):
                    raise RuntimeError(f"For complex Tensors, both grad_output and output are required to have the "
                                       f"same dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} "
                                       f"and output[{i}] has a dtype of {t.dtype}.")
                g = g.to(t.dtype)
        else:
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        out.append(g)
    return out


def _roots(outputs, grads):
    roots, root_grads = [], []
    for i, (t, g) in enumerate(zip(outputs, grads)):
        edge = t._edge() if t.requires_grad else (None, 0)
        if edge[0] is None:  # (a view made under no_grad requires grad but has no history)
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        roots.append(edge)
        root_grads.append(g)
    return roots, root_grads


_warned_create_graph = []


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    tensors = _as_tuple(tensors)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = _make_grads(tensors, _as_tuple(grad_tensors))
    if retain_graph is None:
        retain_graph = create_graph
    roots, root_grads = _roots(tensors, grads)
    edges = None
    if inputs is not None:
        edges = []
        for t in inputs:  # as PyTorch: a non-leaf input gets its .grad through retain_grad, which stays on
            t.retain_grad()
            edges.append(t._edge())
    if create_graph and not _warned_create_graph:  # PyTorch warns once per process
        _warned_create_graph.append(True)
        import warnings
        warnings.warn(CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    run_backward(roots, root_grads, retain_graph, create_graph, inputs=edges)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    outputs = _as_tuple(outputs)
    single = isinstance(inputs, Tensor)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if not allow_unused and materialize_grads:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
                         "allow_unused=False.")
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grads = _make_grads(outputs, _as_tuple(grad_outputs))
    if retain_graph is None:
        retain_graph = create_graph
    roots, root_grads = _roots(outputs, grads)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    edges = [t._edge() for t in inputs]
    captured = run_backward(roots, root_grads, retain_graph, create_graph, inputs=edges, accumulate=False)
    result = []
    for i, (t, g) in enumerate(zip(inputs, captured)):
        if g is None:
            if materialize_grads:
                from .._creation import zeros_like
                g = zeros_like(t, requires_grad=create_graph)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)
