"""Anomaly detection: each node remembers the forward call that made it, and backward names the node
that failed (or returned nan) with that traceback, as PyTorch's detect_anomaly does. Global, not
thread-local, as in PyTorch."""
import os
import traceback
import warnings

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_TRIGGERED = " (Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:"


class _State:
    enabled = False
    check_nan = True


state = _State()


def is_anomaly_enabled():
    return state.enabled


def is_anomaly_check_nan_enabled():
    return state.check_nan


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on."""

    def __init__(self, check_nan=True):
        self.prev, self.prev_check_nan = state.enabled, state.check_nan
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        state.enabled, state.check_nan = True, self.check_nan

    def __exit__(self, *exc):
        state.enabled, state.check_nan = self.prev, self.prev_check_nan

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Sets anomaly detection on or off at once; as a context manager, restores it on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev, self.prev_check_nan = state.enabled, state.check_nan
        state.enabled, state.check_nan = bool(mode), bool(check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled, state.check_nan = self.prev, self.prev_check_nan


def record_forward(node):
    """Keep the user's stack (chainrule's own frames left out) in node.metadata["traceback_"]."""
    frames = [f for f in traceback.extract_stack()[:-1] if not os.path.abspath(f.filename).startswith(_PACKAGE)]
    node.metadata["traceback_"] = traceback.format_list(frames)


def _warn_error_in(node):
    tb = node._metadata.get("traceback_") if node._metadata else None
    if tb:
        msg = (f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n{''.join(tb)}"
               f"{_TRIGGERED}122.)")
    else:
        msg = (f"Error detected in {node.name()}. No forward pass information available. Enable detect anomaly "
               f"during forward pass for more information.{_TRIGGERED}100.)")
    warnings.warn(msg, UserWarning, stacklevel=4)


def checked_apply(node, grads):
    """node.apply(grads), naming the node (and its forward call) when it raises or returns nan."""
    try:
        outs = node.apply(grads)
    except Exception:
        _warn_error_in(node)
        raise
    if state.check_nan:
        for i, g in enumerate(outs):
            if g is not None and g._data.dtype.kind in "fc" and bool((g._data != g._data).any()):  # nan
                _warn_error_in(node)
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
    return outs
