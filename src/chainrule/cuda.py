"""chainrule.cuda: whether a CUDA device (through CuPy) is there."""
from . import _device


def is_available():
    return _device.cuda_available()


def device_count():
    if not is_available():
        return 0
    return _device._load_cupy().cuda.runtime.getDeviceCount()


def current_device():
    return 0


def synchronize(device=None):
    if is_available():
        _device._load_cupy().cuda.Device().synchronize()


def manual_seed(seed):
    from ._creation import manual_seed as _seed
    _seed(seed)


manual_seed_all = manual_seed
