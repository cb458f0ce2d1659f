"""Tensor: a backend array plus what autograd needs (requires_grad, grad, grad_fn, version)."""
import warnings
import weakref

import numpy as np

from . import _dtype as D
from . import _device
from ._size import Size
from .autograd.grad_mode import state as _grad_state
from .autograd.graph import AccumulateGrad, _HookDict, add_hook, check_hook_value

__all__ = ["Tensor", "Size"]

_ndarray = np.ndarray

NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
    "by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
    "for more information. (Triggered internally at "
    "/__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)")


def _check_cast(src, dst):
    """In-place results must be castable to the tensor's dtype (PyTorch's can_cast)."""
    if src != dst:
        s, d = D.FROM_NP[src], D.FROM_NP[dst]
        if s.category > d.category:
            raise RuntimeError(f"result type {_legacy_name(s)} can't be cast to the desired output type "
                               f"{_legacy_name(d)}")


def _c_name(d):
    """The C++ type name PyTorch prints in some messages."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
            "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}[d.name]


def _legacy_name(d):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
            "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "complex64": "ComplexFloat", "complex128": "ComplexDouble"}[d.name]


class Tensor:
    __module__ = "chainrule"  # <class 'chainrule.Tensor'>, as torch prints <class 'torch.Tensor'>
    __slots__ = ("_data", "_rg", "_grad", "_fn", "_output_nr", "_ver", "__weakref__", "__dict__")
    __array_priority__ = 1000  # so ndarray <op> Tensor defers to Tensor's reflected operator
    # Rarely set, so class-level defaults: a tensor pays for them (in its __dict__) only when used.
    _base = None  # the tensor a view looks into
    _fn_ver = 0  # a view: the version its grad_fn was made at (an in-place op since then makes it stale)
    _view_note = None  # a view that must not be modified in place with grad: why (multi-output, no_grad)
    _detached_from = None  # weak reference to the tensor this one was detach()ed from (for explain_grad)
    _inference = False  # made under inference_mode
    _accum = None  # weak reference to a leaf's AccumulateGrad
    _hooks = _post_hooks = None
    _retains_grad = False

    # ---- construction -------------------------------------------------------------------
    @staticmethod
    def _make(data, rg=False, grad_fn=None, output_nr=0):
        if data.__class__ is not _ndarray and isinstance(data, np.generic):
            data = np.asarray(data)
        t = object.__new__(Tensor)
        t._data = data
        t._rg = rg
        t._fn = grad_fn
        t._output_nr = output_nr
        t._grad = None
        t._ver = [0]
        if _grad_state.inference:
            t._inference = True
        return t

    @staticmethod
    def _from_saved(data, node, output_nr, counter):
        t = Tensor._make(data, True, node, output_nr)
        t._ver = counter
        return t

    def _view_of(self, base):
        """Make self share base's storage bookkeeping (version counter), as PyTorch views do."""
        self._ver = base._ver
        self._base = base._base if base._base is not None else base
        self._fn_ver = base._ver[0]
        if self._inference is not base._inference:  # a view of a normal tensor is normal, even in inference mode
            self._inference = base._inference
        if not _grad_state.enabled:  # PyTorch: no history; requires grad whenever the base does
            self._view_note = "inference" if _grad_state.inference else "no_grad"
        elif base._view_note is not None:  # a view of a view keeps what its base may not do (PyTorch's
            self._view_note = base._view_note  # propagated creation_meta)
        return self

    def _is_view(self):
        return self._base is not None

    @property
    def grad_fn(self):
        if self._base is not None and self._fn_ver != self._ver[0]:
            from .ops import _view_history  # an in-place op on the storage since then
            _view_history.refresh(self)
        return self._fn

    def __new__(cls, *args, **kwargs):
        # Tensor(2, 3) / Tensor([1, 2]) as in PyTorch's legacy constructor
        from ._creation import _legacy_new
        return _legacy_new(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        pass

    def __reduce_ex__(self, proto):
        from ._creation import _rebuild
        return (_rebuild, (_device.to_host(self._data), str(self.device), self.requires_grad))

    # ---- autograd bookkeeping ---------------------------------------------------------------
    def _edge(self):
        if self._base is not None:
            fn = self.grad_fn  # regenerated if the storage was modified in place since
            if fn is not None:
                return (fn, self._output_nr)
            # a view without history (made under no_grad): no edge, unless made to require grad itself,
            # when it accumulates its own .grad as PyTorch's views do
        else:
            fn = self._fn
            if fn is not None:
                return (fn, self._output_nr)
        if not self._rg:
            return (None, 0)
        acc = self._accum() if self._accum is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            self._accum = weakref.ref(acc)
        return (acc, 0)

    def _bump(self):
        self._ver[0] += 1

    @property
    def _version(self):
        if self._inference:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._ver[0]

    def is_inference(self):
        return self._inference

    def _check_inference_inplace(self):
        if not _grad_state.inference:
            raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed.You can make "
                               "a clone to get a normal tensor before doing inplace update.See "
                               "https://github.com/pytorch/rfcs/pull/17 for more details.")

    def _check_inplace(self):
        """Called before an in-place op that autograd records (PyTorch's check_inplace)."""
        b = self._base
        if b is None:
            if self._rg and self._fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            return
        if self._view_note is not None:
            from .ops import _view_history
            _view_history.check_modifiable(self)
        if b._fn is None and self.requires_grad:  # the base is a leaf, whether or not it requires grad
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation.")

    def _apply_leaf_hooks(self, g):
        if self._hooks:
            for fn in list(self._hooks.values()):
                r = fn(g)
                if r is not None:
                    check_hook_value(g, r, fn)
                    g = r
        return g

    def _accumulate(self, g, grad_enabled):
        """AccumulateGrad: hooks, then g added into .grad (only while the leaf requires grad), then post hooks."""
        g = self._apply_leaf_hooks(g)
        if self._fn is not None:
            raise RuntimeError("leaf variable has been moved into the graph interior")
        if self._rg:
            self._add_grad(g, grad_enabled)
        if self._post_hooks:
            for fn in list(self._post_hooks.values()):
                if fn(self) is not None:
                    raise RuntimeError("Tensor post accumulate grad hooks should return None.")

    def _add_grad(self, g, grad_enabled):
        old = self._grad
        if old is None:
            if grad_enabled:  # keep the graph of the gradient, through a copy as PyTorch does
                from ._creation import zeros_like
                self._grad = zeros_like(g).copy_(g)
            else:
                self._grad = Tensor._make(g._data.copy())
        elif grad_enabled:
            self._grad = old + g
        else:  # in place, as PyTorch: a .grad with history (create_graph before) keeps it
            old._data += g._data
            old._ver[0] += 1

    # ---- attributes -----------------------------------------------------------------------
    @property
    def requires_grad(self):
        # a view requires grad whenever its base does (PyTorch: requires_grad_ || grad_fn_ || base.requires_grad())
        return self._rg or self._base is not None and self._base._rg

    @requires_grad.setter
    def requires_grad(self, value):
        self._check_inference_requires_grad(value)
        if self._fn is not None:  # (PyTorch's C++ is_leaf: a stale view is not regenerated)
            msg = "you can only change requires_grad flags of leaf variables."
            if not value:
                msg += (" If you want to use a computed variable in a subgraph that doesn't require "
                        "differentiation use var_no_grad = var.detach().")
            raise RuntimeError(msg)
        if value and not self.dtype.category >= 2:
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._rg = bool(value)

    def requires_grad_(self, requires_grad=True):
        if self._fn is not None:
            if not requires_grad:
                self.requires_grad = False
            return self
        if requires_grad and not self.dtype.category >= 2:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._check_inference_requires_grad(requires_grad)
        self._rg = bool(requires_grad)
        return self

    def _check_inference_requires_grad(self, value):
        if value and self._inference and not _grad_state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        # PyTorch's C++ is_leaf (a stale view is not regenerated); no warning once a grad is there
        if self._fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._data.shape)}' to a tensor "
                                   f"of size '{list(self._data.shape)}'. Please ensure that the gradient and the "
                                   "tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_name(value.dtype)}' to a tensor with grad_dtype "
                    f"'{_legacy_name(self.dtype)}'. The gradient must match the tensor's grad_dtype (defaults to the "
                    "tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to "
                    "allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient "
                    "may break downstream systems that assume they match.")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._fn is None or self._retains_grad:  # (PyTorch's C++ is_leaf: a stale view is not regenerated)
            return
        ref = weakref.ref(self)

        def retain(g):
            t = ref()
            if t is None or g is None:
                return
            if t._grad is None:
                t._grad = g.clone() if _grad_state.enabled else Tensor._make(g._data.copy())
            else:
                t._grad = t._grad + g
        self.grad_fn._set_retain_hook(self._output_nr, retain)  # (a stale view regenerated, or refused, here)
        self._retains_grad = True

    def _moved_history(self, old_fn, old_nr):
        """self's grad_fn changed (an in-place op, a regenerated view): its retain_grad hook follows, as in
        PyTorch; hooks registered before stay with the old node."""
        if self._retains_grad and old_fn is not None and old_fn._retain_hooks:
            fn = old_fn._retain_hooks.pop(old_nr, None)
            if fn is not None:
                self._fn._set_retain_hook(self._output_nr, fn)

    def register_hook(self, hook):
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._register_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = _HookDict()
        return add_hook(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_hooks is None:
            self._post_hooks = _HookDict()
        return add_hook(self._post_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        t = Tensor._make(self._data)
        t._ver = self._ver  # shares the version counter, but is not a view autograd tracks
        if self._rg:
            t._detached_from = weakref.ref(self)
        return t

    def detach_(self):
        if self._base is not None and not self._inference:  # any view, whether or not it requires grad
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is "
                               "set as True, gradients are views of DDP buckets, and hence detach_() cannot "
                               "be called on these gradients. To fix this error, please refer to the "
                               "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self._fn = None
        self._rg = False
        self._output_nr = 0
        return self

    @property
    def data(self):
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        self._data = value._data

    @property
    def dtype(self):
        return D.FROM_NP[self._data.dtype]

    @property
    def device(self):
        d = self._data
        return _device.CPU if d.__class__ is _ndarray else _device.device_of(d)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    def is_floating_point(self):
        return self.dtype.category == 2

    def is_complex(self):
        return self.dtype.category == 3

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def data_ptr(self):
        d = self._data
        return d.ctypes.data if d.__class__ is _ndarray else d.data.ptr

    # ---- conversion -----------------------------------------------------------------------
    def item(self):
        n = self._data.size
        if n != 1:
            raise RuntimeError(f"a Tensor with {n} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return _device.to_host(self._data).tolist()

    def numpy(self, *, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        if self._data.__class__ is not _ndarray:
            if not force:
                raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                                "copy the tensor to host memory first.")
            return _device.to_host(self._data)
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self.numpy() if not self.requires_grad else self._data
        return a if dtype is None else a.astype(dtype)

    def __bool__(self):
        if self._data.size != 1:
            if self._data.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __float__(self):
        self._only_one("float")
        return float(self._real_item("double"))

    def __int__(self):
        self._only_one("int")
        return int(self._real_item("int64_t"))

    def _real_item(self, c_type):
        """item(), with a complex value allowed only when its imaginary part is 0 (PyTorch's checked cast)."""
        v = self.item()
        if isinstance(v, complex):
            if v.imag != 0:
                raise RuntimeError(f"value cannot be converted to type {c_type} without overflow")
            v = v.real
        return v

    def __index__(self):
        if self.dtype.category != 1 or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def _only_one(self, what):
        if self._data.size != 1:
            raise TypeError("only one element tensors can be converted to Python scalars")

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        from ._printing_glue import tensor_repr
        return tensor_repr(self)

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.  If you were attempting to deepcopy a "
                               "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        t = Tensor._make(self._data.copy(), self.requires_grad)
        if type(self) is not Tensor:
            t.__class__ = type(self)
            t.__dict__.update(self.__dict__)
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = t
        return t


def _wrap_dim(dim, ndim):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim
