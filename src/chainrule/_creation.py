"""Creation functions: tensor, zeros, ones, arange, rand, ... and the random generator."""
import math
import warnings

import numpy as np

from . import _dtype as D
from . import _device
from ._tensor import Tensor

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "arange", "linspace",
           "logspace", "eye", "zeros_like", "ones_like", "full_like", "empty_like", "rand", "randn",
           "randint", "rand_like", "randn_like", "randint_like", "randperm", "manual_seed", "seed",
           "initial_seed", "Generator", "default_generator", "scalar_tensor", "normal", "bernoulli",
           "multinomial"]


def _resolve_dtype(dtype):
    if dtype is None or isinstance(dtype, D.dtype):
        return dtype
    if dtype in (float, "float"):
        return D.get_default_dtype() if dtype is float else D.float32
    if dtype is int:
        return D.int64
    if dtype is bool:
        return D.bool_
    if dtype is complex:
        return D.complex64
    raise TypeError(f"dtype must be chainrule.dtype, not {type(dtype).__name__}")


def _finish(arr, dtype, device, requires_grad):
    """Move arr to device, wrap it, and apply requires_grad with PyTorch's check."""
    dev = _device.canonical(device)
    if dev.type != "cpu":
        arr = _device.move(arr, dev)
    t = Tensor._make(arr)
    if requires_grad:
        if dtype is None:
            dtype = D.FROM_NP[arr.dtype]
        if dtype.category < 2:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._rg = True
    return t


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"empty(): argument 'size' (position 1) must be tuple of ints, but found element of "
                            f"type {type(s).__name__} at pos 0")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: [{', '.join(map(str, size))}]")
        out.append(int(s))
    return tuple(out)


def _infer(data):
    """NumPy array and chainrule dtype for Python/NumPy data, with PyTorch's inference rules."""
    if isinstance(data, Tensor):
        return data._data, data.dtype
    if isinstance(data, np.ndarray):
        return data, D.from_np(data.dtype)
    if isinstance(data, np.generic):
        return np.asarray(data), D.from_np(data.dtype)
    flat = _flatten(data)
    arr = np.array(flat[1] if flat else data)
    if arr.dtype == np.float64:
        dt = D.get_default_dtype()
    elif arr.dtype.kind in "iu":
        dt = D.int64
    elif arr.dtype == np.bool_:
        dt = D.bool_
    elif arr.dtype.kind == "c":
        dt = D.complex128 if D.get_default_dtype() is D.float64 else D.complex64
    elif arr.dtype == object or arr.dtype.kind in "US":
        bad = next((v for v in _iter_leaves(data) if not isinstance(v, (int, float, bool, complex))), None)
        raise TypeError(f"new(): invalid data type '{type(bad).__name__}'")
    else:
        dt = D.from_np(arr.dtype)
    if flat:
        arr = arr.reshape(flat[0])
    return arr, dt


def _iter_leaves(data):
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        else:
            yield x


def _flatten(data):
    """Nested lists holding tensors or numpy scalars: (shape, flat values); else None."""
    if not isinstance(data, (list, tuple)):
        return None
    if not any(isinstance(v, (Tensor, np.ndarray, np.generic)) for v in _iter_leaves(data)):
        return None
    shape, level = [], data
    while isinstance(level, (list, tuple)):
        shape.append(len(level))
        if not level:
            break
        level = level[0]
    if isinstance(level, (Tensor, np.ndarray)):
        shape.extend(np.shape(level._data if isinstance(level, Tensor) else level))
    vals = []
    for v in _iter_leaves(data):
        if isinstance(v, Tensor):
            vals.extend(reversed(_device.to_host(v._data).ravel().tolist()))
        elif isinstance(v, np.ndarray):
            vals.extend(reversed(v.ravel().tolist()))
        else:
            vals.append(v.item() if isinstance(v, np.generic) else v)
    vals.reverse()
    return tuple(shape), vals


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "chainrule.tensor(sourceTensor).", UserWarning, stacklevel=2)
    dtype = _resolve_dtype(dtype)
    arr, dt = _infer(data)
    dt = dtype or dt
    arr = _device.to_host(arr).astype(dt.np, copy=True)
    return _finish(arr, dt, device, requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    dt = _resolve_dtype(dtype) or D.get_default_dtype()
    return _finish(np.asarray(s, dtype=dt.np), dt, device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    dtype = _resolve_dtype(dtype)
    if isinstance(data, Tensor):
        t = data
        if dtype is not None and dtype is not t.dtype:
            t = t.to(dtype)
        if device is not None:
            t = t.to(device)
        return t
    if isinstance(data, np.ndarray) and (dtype is None or dtype.np == data.dtype) and device in (None, "cpu"):
        D.from_np(data.dtype)
        return Tensor._make(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(arr):
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    D.from_np(arr.dtype)
    return Tensor._make(arr)


def _filled(size, value, dtype, device, requires_grad, fill):
    dt = _resolve_dtype(dtype) or D.get_default_dtype()
    arr = fill(_size(size), dtype=dt.np) if value is None else np.full(_size(size), value, dtype=dt.np)
    return _finish(arr, dt, device, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    return _filled(size, None, dtype, device, requires_grad, np.zeros)


def ones(*size, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    return _filled(size, None, dtype, device, requires_grad, np.ones)


def empty(*size, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None, out=None):
    # uninitialised memory in PyTorch; zeros here so results are reproducible
    return _filled(size, None, dtype, device, requires_grad, np.zeros)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    if dtype is None:
        dtype = D.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _filled((tuple(size),), fill_value, dtype, device, requires_grad, None)


def _like(t, dtype, device):
    return (_resolve_dtype(dtype) or t.dtype), (t.device if device is None else device)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    dt, dev = _like(input, dtype, device)
    return zeros(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    dt, dev = _like(input, dtype, device)
    return ones(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    dt, dev = _like(input, dtype, device)
    return empty(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              memory_format=None):
    dt, dev = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    dt = _resolve_dtype(dtype)
    if dt is None:
        dt = D.int64 if all(isinstance(v, int) for v in vals) else D.get_default_dtype()
    n = max(0, math.ceil((end - start) / step))
    if dt.category >= 2:
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    else:
        arr = np.arange(start, start + n * step, step)[:n].astype(dt.np)
    return _finish(arr, dt, device, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    dt = _resolve_dtype(dtype) or D.get_default_dtype()
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    # PyTorch fills the first half from the start and the second half from the end
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    idx = np.arange(steps, dtype=np.float64)
    half = steps // 2
    arr = np.where(idx < half, start + step * idx, end - step * (steps - 1 - idx))
    if dt.category < 2:
        arr = np.trunc(arr)
    return _finish(arr.astype(dt.np), dt, device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    dt = _resolve_dtype(dtype) or D.get_default_dtype()
    arr = np.power(base, linspace(start, end, steps, dtype=D.float64)._data)
    return _finish(arr.astype(dt.np), dt, device, requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    dt = _resolve_dtype(dtype) or D.get_default_dtype()
    return _finish(np.eye(n, n if m is None else m, dtype=dt.np), dt, device, requires_grad)


# ---- randomness: our own NumPy generator (PyTorch's stream is not reproduced) ----------------
class Generator:
    def __init__(self, device="cpu"):
        self.device = _device.device(device) if isinstance(device, str) else device
        self._seed = 67280421310721
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy) % (1 << 63)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from ._tensor import Tensor as _T
        return _T._make(np.frombuffer(repr(self._rng.bit_generator.state).encode(), dtype=np.uint8).copy())

    def set_state(self, state):
        import ast
        self._rng.bit_generator.state = ast.literal_eval(bytes(state._data).decode())


default_generator = Generator()


def manual_seed(seed):
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def _rng(generator):
    return (generator or default_generator)._rng


def _float_dt(dtype):
    dt = _resolve_dtype(dtype) or D.get_default_dtype()
    return dt


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    dt = _float_dt(dtype)
    arr = _rng(generator).random(_size(size)).astype(dt.np)
    return _finish(arr, dt, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    dt = _float_dt(dtype)
    arr = _rng(generator).standard_normal(_size(size)).astype(dt.np)
    return _finish(arr, dt, device, requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    dt = _resolve_dtype(dtype) or D.int64
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    arr = _rng(generator).integers(low, high, size=_size((tuple(size),))).astype(dt.np)
    return _finish(arr, dt, device, requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False):
    dt, dev = _like(input, dtype, device)
    return rand(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False):
    dt, dev = _like(input, dtype, device)
    return randn(input.shape, dtype=dt, device=dev, requires_grad=requires_grad)


def randint_like(input, low, high=None, *, dtype=None, device=None):
    dt, dev = _like(input, dtype, device)
    return randint(low, high, input.shape, dtype=dt, device=dev)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    dt = _resolve_dtype(dtype) or D.int64
    return _finish(_rng(generator).permutation(n).astype(dt.np), dt, device, requires_grad)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None):
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        ref = mean if isinstance(mean, Tensor) else std
        arr = _rng(generator).normal(_device.to_host(m), _device.to_host(s)).astype(ref._data.dtype)
        return _finish(np.asarray(arr), ref.dtype, ref.device, False)
    dt = _float_dt(dtype)
    arr = _rng(generator).normal(mean, std, _size((tuple(size),))).astype(dt.np)
    return _finish(arr, dt, device, False)


def bernoulli(input, p=None, *, generator=None):
    prob = _device.to_host(input._data) if p is None else p
    arr = (_rng(generator).random(input.shape) < prob).astype(input._data.dtype)
    return _finish(arr, input.dtype, input.device, False)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    probs = _device.to_host(input._data).astype(np.float64)
    rows = probs.reshape(-1, probs.shape[-1])
    rng = _rng(generator)
    out = np.stack([rng.choice(r.size, num_samples, replace=replacement, p=r / r.sum()) for r in rows])
    return _finish(out.reshape(probs.shape[:-1] + (num_samples,)).astype(np.int64), D.int64, input.device, False)


# ---- pickling and the legacy constructor ----------------------------------------------------
def _rebuild(arr, device, requires_grad):
    t = _finish(arr, None, device, False)
    t._rg = requires_grad
    return t


def _legacy_new(cls, *args, **kwargs):
    if args and all(isinstance(a, int) for a in args):
        arr = np.zeros(args, dtype=D.get_default_dtype().np)
    elif len(args) == 1:
        arr = np.asarray(args[0], dtype=D.get_default_dtype().np)
    else:
        arr = np.zeros((0,), dtype=D.get_default_dtype().np)
    t = Tensor._make(arr)
    if cls is not Tensor:
        t.__class__ = cls
    return t
