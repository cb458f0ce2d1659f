"""Tensor repr, reproducing PyTorch 2.13's printing byte for byte.

Values are formatted from Python scalars (``ndarray.tolist()``), so float32 and
float16 values are widened to double before rounding, exactly as torch does.
"""
import math

import numpy as np

__all__ = ["set_printoptions", "get_printoptions", "format_tensor"]

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}
_opts = dict(_PROFILES["default"], sci_mode=None)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set printing options; same arguments and semantics as ``torch.set_printoptions``.

    As in torch, an unknown profile is ignored and ``sci_mode`` is always
    overwritten (omitting it restores automatic selection).
    """
    if profile in _PROFILES:
        _opts.update(_PROFILES[profile])
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth)
    _opts.update({k: v for k, v in given.items() if v is not None})
    _opts["sci_mode"] = sci_mode


def get_printoptions():
    """The current options as a dict that can be passed back to ``set_printoptions``."""
    return dict(_opts)


def _extremes(values):
    """The values whose formatted strings can be the longest.

    Per sign, the length of a "%f"/"%e" string is monotonic in the magnitude
    (for "%e" through the exponent's digit count), so the longest string comes
    from the smallest or largest magnitude of each sign.
    """
    out = []
    for part in (values[values > 0], values[values < 0]):
        if part.size:
            out += [part.min().item(), part.max().item()]
    return out


class _Formatter:
    """Chooses one width and notation for every element shown from a tensor."""

    def __init__(self, arr):
        values = np.asarray(arr).reshape(-1)
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        if not self.floating:
            if values.size:
                self.width = max(len(str(v)) for v in (values.min().item(), values.max().item()))
            return
        values = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if not values.size:
            return  # only zeros / nan / inf: int_mode, width 1
        magnitude = np.abs(values)
        lo, hi = magnitude.min(), magnitude.max()
        self.int_mode = bool(np.all(values == np.ceil(values)))
        with np.errstate(over="ignore"):  # hi / lo may overflow to inf, which still means sci
            ratio = hi / lo
        sci = _opts["sci_mode"]
        self.sci_mode = (ratio > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if sci is None else sci
        self.width = max(len(self._text(v)) for v in _extremes(values))

    def _text(self, value):
        p = _opts["precision"]
        if not self.floating:
            return str(value)
        if self.sci_mode:
            return f"{value:.{p}e}"
        if self.int_mode:
            # the trailing dot marks a float; nan and inf get none
            return f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        return f"{value:.{p}f}"

    def format(self, value):
        return self._text(value).rjust(self.width)


def _summarized(arr):
    """The elements a summarised print shows: edgeitems from each end of every axis.

    Follows torch's get_summarized_data step by step, so that odd options give what
    torch gives: with edgeitems=0 a vector keeps every element (arr[-0:] is all of it)
    and a matrix none; a negative edgeitems slices a vector as torch does and leaves
    a matrix nothing to stack, which torch reports as an error.
    """
    e = _opts["edgeitems"]
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        return np.concatenate((arr[:e], arr[-e:])) if len(arr) > 2 * e else arr
    if not e:
        return arr[(slice(0, 0),) * arr.ndim]
    n = len(arr)
    rows = [*range(e), *range(n - e, n)] if n > 2 * e else range(n)
    parts = [_summarized(arr[i]) for i in rows]
    if not parts:
        raise RuntimeError("stack expects a non-empty TensorList")
    return np.stack(parts)


def _nested(arr, indent, summarize, fmt, elem_width):
    e = _opts["edgeitems"]
    if arr.ndim == 0:
        return fmt(arr.item())
    if arr.ndim == 1:
        per_line = max(1, math.floor((_opts["linewidth"] - indent) / elem_width))
        if summarize and not e:
            items = ["..."]
        elif summarize and len(arr) > 2 * e:
            items = [fmt(v) for v in arr[:e].tolist()] + [" ..."] + [fmt(v) for v in arr[-e:].tolist()]
        else:
            items = [fmt(v) for v in arr.tolist()]
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    n = len(arr)
    if summarize and n > 2 * e:
        rows = [*range(e), None, *range(n - e, n)]
    else:
        rows = range(n)
    blocks = ["..." if i is None else _nested(arr[i], indent + 1, summarize, fmt, elem_width)
              for i in rows]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(blocks) + "]"


def _body(arr, indent):
    summarize = arr.size > _opts["threshold"]

    def formatter(part):
        return _Formatter(_summarized(part) if summarize else part)

    if arr.dtype.kind != "c":
        real = formatter(arr)
        return _nested(arr, indent, summarize, real.format, real.width + 2)
    real, imag = formatter(arr.real), formatter(arr.imag)

    def fmt(z):
        im = (imag.format(z.imag) + "j").lstrip()
        return real.format(z.real) + ("" if im[0] in "+-" else "+") + im

    return _nested(arr, indent, summarize, fmt, real.width + imag.width + 3)


_OURS, _THEIRS = "chainrule.", "torch."


def _torch_len(suffix):
    """The length the suffix has in torch's text: "dtype=torch.float64", not "dtype=chainrule.float64".

    Where a suffix wraps is decided from torch's length, so that chainrule's text
    differs from torch's by the module name only, never by a line break.
    """
    return len(suffix) - suffix.count(_OURS) * (len(_OURS) - len(_THEIRS))


def _add_suffixes(text, suffixes, indent):
    # a suffix that would pass linewidth starts a new line, indented under the prefix
    last_line_len = len(text) - text.rfind("\n") + 1
    parts = [text]
    for s in suffixes:
        n = _torch_len(s)
        if last_line_len + n + 2 > _opts["linewidth"]:
            parts.append(",\n" + " " * indent + s)
            last_line_len = indent + n
        else:
            parts.append(", " + s)
            last_line_len += n + 2
    return "".join(parts) + ")"


def format_tensor(arr, *, dtype_name, show_dtype, dtype_is_default_float=None, device_str=None,
                  grad_fn_name=None, requires_grad=False, prefix="tensor("):
    """The repr of a tensor whose host values are ``arr``, as PyTorch prints it.

    dtype_name: e.g. "chainrule.float64", printed as ``dtype=chainrule.float64``.
    show_dtype: for non-empty tensors, whether to print the dtype; torch hides it
        for the default float dtype, its complex counterpart, int64 and bool.
    dtype_is_default_float: whether the dtype is the default float dtype; empty
        tensors print every other dtype. None means "arr is float32".
    device_str: e.g. "cuda:0", printed as ``device='cuda:0'``; None hides it.
    grad_fn_name: e.g. "MulBackward0", printed as ``grad_fn=<MulBackward0>``;
        otherwise ``requires_grad=True`` is printed when requires_grad is set.
    prefix: the opening text; continuation lines are indented by its length.
    """
    arr = np.asarray(arr)
    if dtype_is_default_float is None:
        dtype_is_default_float = arr.dtype == np.float32
    indent = len(prefix)
    suffixes = [f"device='{device_str}'"] if device_str else []
    if arr.size == 0:
        # no elements to hint at the dtype, and the shape is only visible for 1-d
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if not dtype_is_default_float:
            suffixes.append(f"dtype={dtype_name}")
        body = "[]"
    else:
        if not _opts["edgeitems"]:
            suffixes.append(f"size={tuple(arr.shape)}")
        if show_dtype:
            suffixes.append(f"dtype={dtype_name}")
        body = _body(arr, indent)
    if grad_fn_name:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
