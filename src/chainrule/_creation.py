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
    if dtype in (float, "float"):  # the Python type is double, whatever the default dtype (as in PyTorch)
        return D.float64 if dtype is float else D.float32
    if dtype is int:
        return D.int64
    if dtype is bool:
        return D.bool_
    if dtype is complex:
        return D.complex128
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


# ---- torch.tensor's data: PyTorch's shape walk, dtype inference and element conversion -------------------------
_MAX_DIMS = 64


def _is_sequence(x):
    return isinstance(x, (list, tuple, range, str, bytes, np.ndarray))


def _sizes(data):
    """The shape, from the first element at each level (PyTorch's compute_sizes)."""
    sizes, seq = [], data
    while _is_sequence(seq):
        if isinstance(seq, np.ndarray) and seq.ndim == 0:
            raise TypeError("len() of unsized object")
        sizes.append(len(seq))
        if len(sizes) > _MAX_DIMS:
            raise ValueError(f"too many dimensions '{type(seq).__name__}'")
        if not len(seq):
            break
        seq = seq[0]
    return sizes


def _infer_dtype(x):
    """PyTorch's infer_scalar_type: a NumPy array or scalar gives its own dtype (np.float64 is double), a Python
    float the default dtype, an int int64, a tensor its dtype; a sequence promotes its items' (promote_types, so
    a 0-d uint8 tensor beside True stays uint8), an empty one is the default dtype."""
    if isinstance(x, np.ndarray):
        return D.from_np(x.dtype)
    if isinstance(x, np.generic):
        return D.from_np(np.asarray(x).dtype)
    if isinstance(x, float):
        return D.get_default_dtype()
    if isinstance(x, bool):
        return D.bool_
    if isinstance(x, int):
        return D.int64
    if isinstance(x, complex):
        return D.scalar_dtype(x)
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    if isinstance(x, (list, tuple, range)):
        if not len(x):
            return D.get_default_dtype()
        r = None
        for item in x:
            d = _infer_dtype(item)
            r = d if r is None else D.promote_types(r, d)
            if r is D.complex128:
                break
        return r
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _type_name(x):
    t = type(x)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def _unpack_long(v):
    """PyTorch's THPUtils_unpackLong: Python and NumPy integers (bools too), one-element integer tensors."""
    if isinstance(v, Tensor):
        if v._data.size != 1 or v.dtype.category > 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        v = v.item()
    elif not isinstance(v, (int, np.integer)):
        raise TypeError(f"'{_type_name(v)}' object cannot be interpreted as an integer")
    v = int(v)
    if not -(1 << 63) <= v < (1 << 63):
        raise ValueError("Overflow when unpacking long long")
    return v


def _unpack_double(v):
    """PyFloat_AsDouble: anything with __float__ (one-element tensors too); complex numbers are refused."""
    if isinstance(v, Tensor):
        if v._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        v = D.scalar_to(v.item(), D.float64)
    if type(v) is complex:  # NumPy's complex scalars convert (dropping the imaginary part), Python's do not
        raise TypeError("must be real number, not complex")
    if not isinstance(v, (int, float, np.number, np.bool_)):
        raise TypeError(f"must be real number, not {_type_name(v)}")
    return float(v.real) if isinstance(v, np.complexfloating) else float(v)


def _store(v, d):
    """One element as PyTorch's store_scalar puts it into dtype d: integers checked (a float truncated, 300 is no
    uint8, but -1 is 255), floats cast, anything nonzero true."""
    if d.category == 1:
        if isinstance(v, float):  # np.float64 too: PyFloat_Check
            return D.scalar_to(v, d, d.name)
        return D.scalar_to(_unpack_long(v), d, d.name)
    if d.category == 2:
        return _unpack_double(v)
    if d.category == 3:
        if isinstance(v, Tensor):
            if v._data.size != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")
            v = v.item()
        if not isinstance(v, (int, float, complex, np.number, np.bool_)):
            raise TypeError(f"complex() first argument must be a string or a number, not '{_type_name(v)}'")
        return complex(v)
    if isinstance(v, (float, complex, np.bool_)):
        return bool(v)
    return bool(_unpack_long(v))


def _stored(data, sizes, d):
    """All elements, checked against the shape (PyTorch's recursive_store), converted into d."""
    out = []

    def walk(obj, dim):
        if dim == len(sizes):
            out.append(_store(obj, d))
            return
        n = sizes[dim]
        if not _is_sequence(obj) or isinstance(obj, np.ndarray) and obj.ndim == 0:
            raise TypeError("not a sequence")
        if len(obj) != n:
            raise ValueError(f"expected sequence of length {n} at dim {dim} (got {len(obj)})")
        for item in obj:
            walk(item, dim + 1)
    walk(data, 0)
    return np.array(out, dtype=d.np).reshape(sizes)


_PLAIN = (bool, int, float)


def _plain(data):
    """Nested lists and tuples of Python bools, ints and floats only (NumPy can convert them all at once)."""
    if isinstance(data, (list, tuple)):
        return all(_plain(x) for x in data)
    return data.__class__ in _PLAIN


def _fast(data, sizes, d):
    """The plain case at NumPy speed; None where an element needs PyTorch's own conversion (or its error)."""
    try:
        arr = np.array(data)
    except (ValueError, OverflowError):
        return None
    if arr.shape != tuple(sizes) or arr.dtype.kind not in "bif":
        return None
    if d is None:
        d = D.bool_ if arr.dtype.kind == "b" else D.int64 if arr.dtype.kind == "i" else D.get_default_dtype()
    if d.category == 1 and arr.dtype.kind != "b":
        info = np.iinfo(d.np)
        if arr.dtype.kind == "f":
            if not np.all((arr >= float(info.min)) & (arr <= float(info.max))):  # nan too
                return None
            arr = np.trunc(arr)
        elif arr.size and (arr.max() > info.max or arr.min() < (-info.max if info.min == 0 else info.min)):
            return None
    return (arr != 0 if d is D.bool_ else arr).astype(d.np), d


def _from_data(data, dtype):
    """NumPy array and chainrule dtype for torch.tensor's data, as PyTorch converts it."""
    if isinstance(data, Tensor):
        d = dtype or data.dtype
        return _device.to_host(data._data).astype(d.np), d
    if isinstance(data, np.ndarray):
        d = D.from_np(data.dtype)
        return data.astype((dtype or d).np), dtype or d  # a cast, as PyTorch's .to(dtype): 300 as uint8 is 44
    sizes = _sizes(data)
    if _plain(data):
        res = _fast(data, sizes, dtype)
        if res is not None:
            return res
    d = dtype or _infer_dtype(data)
    if 0 in sizes:
        return np.zeros(sizes, dtype=d.np), d
    return _stored(data, sizes, d), d


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "chainrule.tensor(sourceTensor).", UserWarning, stacklevel=2)
    dtype = _resolve_dtype(dtype)
    arr, dt = _from_data(data, dtype)
    return _finish(np.array(arr, dtype=dt.np, copy=True), dt, device, requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    dt = _resolve_dtype(dtype) or D.get_default_dtype()
    return _finish(np.asarray(D.scalar_to(s, dt), dtype=dt.np), dt, device, requires_grad)


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
        from ._size import _type_name
        raise TypeError(f"expected np.ndarray (got {_type_name(arr)})")
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
    """The value as PyTorch's Scalar: its kind gives the dtype (np.bool_ reads as a float, as there), and it is
    converted checked (300 is no uint8 value, -3 is 253)."""
    fill_value = D.py_scalar(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    dtype = _resolve_dtype(dtype) or D.scalar_dtype(fill_value)
    value = D.fill_value(fill_value, dtype, math.prod(_size((tuple(size),))))
    return _filled((tuple(size),), value, dtype, device, requires_grad, None)


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


def _number(v):
    """A bound of arange/linspace as PyTorch's parser takes it: 0-d tensors and NumPy scalars as numbers."""
    return D.py_scalar(v.item() if isinstance(v, Tensor) else v)


def _not_implemented(kernel, d):
    from ._tensor import _legacy_name
    raise NotImplementedError(f'"{kernel}" not implemented for \'{_legacy_name(d)}\'')


def _acc(d):
    """The type PyTorch's CPU arange kernel computes in (acc_type): int64 for integers, float for half, double for
    float and double."""
    return D.int64 if d.category == 1 else D.float32 if d is D.float16 else D.float64


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    """PyTorch's arange: int64 when all of start, end, step are integers (bools too), else the default dtype; the
    bounds checked in double, the size from doubles (from the int64 bounds for int64), the values start + i * step
    computed in the kernel's type (int64 for integer dtypes, so arange(0, 2.5, 0.5, dtype=int32) is all zeros)."""
    if end is None:
        start, end = 0, start
    vals = [_number(v) for v in (start, end, step)]
    dt = _resolve_dtype(dtype)
    if dt is None:
        dt = D.int64 if all(isinstance(v, int) for v in vals) else D.get_default_dtype()
    if dt is D.bool_ or dt.is_complex:
        _not_implemented("arange_cpu", dt)
    dstart, dend, dstep = (D.scalar_to(v, D.float64) for v in vals)
    if not (dstep > 0 or dstep < 0):
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(dstart) and math.isfinite(dend)):
        raise RuntimeError(f"unsupported range: {dstart:g} -> {dend:g}")
    if not ((dstep > 0 and dend >= dstart) or (dstep < 0 and dend <= dstart)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    acc = _acc(dt)
    if dt is D.int64:
        xstart, xend, xstep = (D.scalar_to(v, acc) for v in vals)
        if xstep == 0:
            raise ValueError("step must be nonzero")
        sgn = (xstep > 0) - (xstep < 0)
        q = xend - xstart + xstep - sgn
        size = abs(q) // abs(xstep) * (1 if (q >= 0) == (xstep > 0) else -1)  # C's division truncates
    else:
        size = math.ceil((dend - dstart) / dstep)
    if not 0 <= size <= (1 << 63) - 1 or size > (1 << 40):
        raise RuntimeError("invalid size, possible overflow?")
    xstart, xstep = D.scalar_to(vals[0], acc), D.scalar_to(vals[2], acc)
    if acc is D.int64:
        arr = (np.int64(xstart) + np.arange(size, dtype=np.int64) * np.int64(xstep)).astype(dt.np)
    else:
        idx = np.arange(size, dtype=acc.np)
        arr = (acc.np.type(xstart) + acc.np.type(xstep) * idx).astype(dt.np)
    return _finish(arr, dt, device, requires_grad)


def _space_args(name, start, end, steps, dtype):
    start, end = _number(start), _number(end)
    steps = int(steps.item()) if isinstance(steps, Tensor) else steps
    dt = _resolve_dtype(dtype)
    if any(isinstance(v, complex) for v in (start, end)):
        inferred = D.scalar_dtype(1j)
        if dt is not None and not dt.is_complex:
            from ._tensor import _c_name, _legacy_name
            raise RuntimeError(f"chainrule.{name}(): inferred dtype {_c_name(inferred)} can't be safely cast to "
                               f"passed dtype {_legacy_name(dt)}")
        dt = dt or inferred
    dt = dt or D.get_default_dtype()
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return start, end, steps, dt


def _space_exponents(start, end, steps, dt, kernel):
    """PyTorch's linspace kernel: start and end converted into the dtype (checked), the step in double for integer
    dtypes (else in the dtype), the first half counted from start and the second from end."""
    if dt is D.bool_:
        _not_implemented(kernel, dt)
    t = D.float64 if dt.category == 1 else dt
    s, e = (t.np.type(D.scalar_to(v, dt)) for v in (start, end))
    step = t.np.type((e - s) / t.np.type(steps - 1))
    idx = np.arange(steps)
    half = steps // 2
    lo = s + step * idx.astype(t.np)
    hi = e - step * (steps - 1 - idx).astype(t.np)
    return np.where(idx < half, lo, hi).astype(t.np)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    start, end, steps, dt = _space_args("linspace", start, end, steps, dtype)
    if steps == 1:  # PyTorch fills with start
        arr = np.full(1, D.fill_value(start, dt, 1), dtype=dt.np)
    elif steps == 0:
        arr = np.zeros(0, dtype=dt.np)
    else:
        arr = _space_exponents(start, end, steps, dt, "linspace_cpu")
        arr = (np.trunc(arr) if dt.category == 1 else arr).astype(dt.np)
    return _finish(arr, dt, device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    start, end, steps, dt = _space_args("logspace", start, end, steps, dtype)
    if steps == 1:  # PyTorch fills with base ** start, in double (complex double for a complex dtype)
        t = D.complex128 if dt.is_complex else D.float64
        arr = np.full(1, D.fill_value(t.np.type(base) ** t.np.type(D.scalar_to(start, t)), dt, 1), dtype=dt.np)
    elif steps == 0:
        arr = np.zeros(0, dtype=dt.np)
    else:
        x = _space_exponents(start, end, steps, dt, "logspace_cpu")
        arr = np.power(x.dtype.type(base), x)
        arr = (np.trunc(arr) if dt.category == 1 else arr).astype(dt.np)
    return _finish(arr, dt, device, requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    dt = _resolve_dtype(dtype) or D.get_default_dtype()
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
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
    if dt.category < 2:
        _not_implemented("check_uniform_bounds", dt)
    arr = _rng(generator).random(_size(size)).astype(dt.np)
    return _finish(arr, dt, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, layout=None, out=None):
    dt = _float_dt(dtype)
    if dt.category < 2 and math.prod(_size(size)):
        _not_implemented("normal_kernel_cpu", dt)
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
