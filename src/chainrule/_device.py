"""Devices, and the array namespace behind each (NumPy for "cpu", CuPy for "cuda")."""
import numpy as np

__all__ = ["device"]


class device:
    __module__ = "chainrule"  # <class 'chainrule.device'>, as torch prints <class 'torch.device'>
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({_tn(type)})")
        if ":" in type:
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, "
                f"xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device string: {type}")
        self.type, self.index = type, index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))


def _tn(x):
    return type(x).__name__


CPU = device("cpu")
_cupy = None


def _load_cupy():
    global _cupy
    if _cupy is None:
        try:
            import cupy
            cupy.cuda.runtime.getDeviceCount()
            _cupy = cupy
        except Exception:  # no CuPy, or no driver/GPU
            _cupy = False
    return _cupy


def cuda_available():
    return bool(_load_cupy())


def canonical(dev):
    """Normalise a user's device argument to a device with an index for cuda."""
    if dev is None:
        return CPU
    if not isinstance(dev, device):
        if isinstance(dev, int):
            dev = device("cuda", dev)
        else:
            dev = device(dev)
    if dev.type == "cpu":
        return CPU
    if dev.type == "cuda":
        cp = _load_cupy()
        if not cp:
            raise AssertionError("Torch not compiled with CUDA enabled")
        return device("cuda", 0 if dev.index is None else dev.index)
    return dev


def namespace(dev):
    """The array module that holds this device's data."""
    return np if dev.type == "cpu" else _load_cupy()


def device_of(arr):
    """The device an array lives on."""
    if type(arr) is np.ndarray or isinstance(arr, np.generic):
        return CPU
    return device("cuda", arr.device.id)


def move(arr, dev):
    """Copy an array to a device (no copy when it is already there)."""
    if dev.type == "cpu":
        return arr if isinstance(arr, np.ndarray) else arr.get()
    cp = _load_cupy()
    with cp.cuda.Device(dev.index):
        return cp.asarray(arr)


def to_host(arr):
    return arr if isinstance(arr, np.ndarray) else arr.get()
