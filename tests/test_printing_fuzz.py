"""Fuzzing chainrule's printing against PyTorch 2.13, the oracle.

Every test builds the same values in both libraries and compares the text each
prints, after renaming ``torch.`` to ``chainrule.`` in torch's text: tensor
repr/str/format (all dtypes, 0-d to 4-d, empty and summarised shapes, nan/inf/-0.0,
mixed magnitudes, views, every print option, requires_grad / grad_fn / dtype suffixes and
where they wrap), 0-d format specs, item(), tolist(), Size, dtype and device objects.

Values come from a small hypothesis-drawn palette spread over the shape by a seeded
generator, so big (summarised) tensors cost no more to draw than small ones.
"""
import contextlib
import difflib
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings, strategies as st
from hypothesis.extra import numpy as hnp

import chainrule

torch = pytest.importorskip("torch")

nan, inf = float("nan"), float("inf")
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64",
          "float16", "float32", "float64", "complex64", "complex128"]
ALIASES = ["float", "double", "half", "long", "int", "short", "cfloat", "cdouble"]

# CHAINRULE_FUZZ_EXAMPLES=5000 for a longer hunt
fuzz = settings(max_examples=int(os.environ.get("CHAINRULE_FUZZ_EXAMPLES", 150)), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


# ---- comparing ---------------------------------------------------------------------------------

def renamed(text):
    return text.replace("torch.", "chainrule.")


def clipped(text, limit=3000):
    if len(text) <= limit:
        return text
    return f"{text[:limit // 2]}\n[... {len(text) - limit} characters ...]\n{text[-limit // 2:]}"


def assert_same(ours, theirs, what="repr"):
    """ours: chainrule's text; theirs: torch's (renamed here). A failure shows both, and their diff."""
    theirs = renamed(theirs)
    if ours != theirs:
        diff = "\n".join(difflib.unified_diff(theirs.split("\n"), ours.split("\n"),
                                              "torch", "chainrule", lineterm="", n=1))
        raise AssertionError(f"{what} differs\n--- torch:\n{clipped(theirs)}\n--- chainrule:\n{clipped(ours)}\n"
                             f"--- diff:\n{clipped(diff)}")


def outcome(fn):
    """What fn() prints: its result's repr, or its exception's type and message."""
    try:
        return repr(fn())
    except Exception as e:  # noqa: BLE001 - the error text is compared too
        return f"{type(e).__name__}: {e}"


def assert_same_outcome(ours, theirs, what):
    assert_same(outcome(ours), outcome(theirs), what)


@contextlib.contextmanager
def printoptions(**opts):
    """The same print options in both libraries, back to the defaults afterwards."""
    note(f"printoptions: {opts}")
    try:
        torch.set_printoptions(**opts)
        chainrule.set_printoptions(**opts)
        assert chainrule.get_printoptions() == torch._tensor_str.get_printoptions()
        yield
    finally:
        torch.set_printoptions(profile="default")
        chainrule.set_printoptions(profile="default")


@contextlib.contextmanager
def default_dtype(name):
    try:
        torch.set_default_dtype(getattr(torch, name))
        chainrule.set_default_dtype(getattr(chainrule, name))
        yield
    finally:
        torch.set_default_dtype(torch.float32)
        chainrule.set_default_dtype(chainrule.float32)


# ---- drawing tensors ---------------------------------------------------------------------------

SPECIAL = [0.0, -0.0, nan, inf, -inf, 1.0, -1.0, 0.5, 2.0, 100.0, -3.0, 0.1, 1e-10, -1e-10, 1e10, -1e10,
           1e-4, 9.9999e-5, 1e8, 1.00001e8, 1e-5, 1e9, 65504.0, 1e-300, 1e300, 9.99995, 0.99995, 999.5]
float_values = st.one_of(
    st.sampled_from(SPECIAL),
    st.sampled_from([nan, inf, -inf, -0.0]),
    st.floats(-1e3, 1e3),                                      # ordinary
    st.integers(-10**6, 10**6).map(float),                     # integer-valued
    st.floats(1e-12, 1e-8) | st.floats(-1e-8, -1e-12),         # tiny
    st.floats(1e9, 1e12) | st.floats(-1e12, -1e9),             # huge
    st.floats(allow_nan=True, allow_infinity=True),            # anything
)


def values_for(dtype):
    if dtype == "bool":
        return st.booleans()
    if dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        return st.one_of(st.integers(-20, 20).filter(lambda v: info.min <= v <= info.max),
                         st.integers(int(info.min), int(info.max)),
                         st.sampled_from([int(info.min), int(info.max)]))
    if dtype.startswith("complex"):
        return st.builds(complex, float_values, float_values)
    return float_values


def as_dtype(values, dtype):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array(values, dtype=np.complex128 if dtype.startswith("complex") else None).astype(dtype)


SMALL_SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)
EDGE_SHAPES = st.sampled_from([(0,), (2, 0, 3), (0, 0), (3, 0), (1, 0, 1, 2), (1000,), (10, 10, 10),
                               (1001,), (1, 1001), (1001, 1), (2, 501), (3, 7, 48)])


@st.composite
def big_shapes(draw):
    """Shapes a little over the default threshold of 1000 elements."""
    others = draw(st.lists(st.integers(1, 6), max_size=3))
    rest = math.prod(others)
    big = -(-1001 // rest) + draw(st.integers(0, 3))
    return tuple(draw(st.permutations(others + [big])))


@st.composite
def arrays(draw, dtypes=st.sampled_from(DTYPES), shapes=st.one_of(SMALL_SHAPES, EDGE_SHAPES, big_shapes())):
    dtype = draw(dtypes)
    shape = draw(shapes)
    palette = as_dtype(draw(st.lists(values_for(dtype), min_size=1, max_size=6)), dtype)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.choice(palette, size=shape)


options = st.fixed_dictionaries({}, optional={
    "profile": st.sampled_from(["default", "short", "full"]),
    "precision": st.integers(0, 10),
    "threshold": st.one_of(st.integers(0, 1200), st.just(math.inf)),
    "edgeitems": st.integers(-2, 5),  # torch takes a negative one too, and so prints oddly or fails
    "linewidth": st.integers(0, 160),
    "sci_mode": st.sampled_from([None, True, False]),
})

# ops that give the same values in both libraries, so only the printing can differ
GRAD_OPS = {
    "mul2": lambda t: t * 2,
    "neg": lambda t: -t,
    "clone": lambda t: t.clone(),
    "unsqueeze": lambda t: t.unsqueeze(0),
}
# not on complex tensors: torch's vectorised complex negation computes 0 - z, so -(0+0j)
# is 0+0j in blocks of 8 elements and -0-0j elsewhere; complex * 2 turns 0 * inf into nan
EXACT_COMPLEX_OPS = ("clone", "unsqueeze")
grads = st.sampled_from([None, "leaf", *GRAD_OPS])


# views whose elements are not laid out in order
VIEWS = {
    "transpose": lambda t: t.transpose(0, -1),
    "step": lambda t: t[..., ::2],
    "expand": lambda t: t.unsqueeze(0).expand(2, *t.shape),
}
views = st.sampled_from([None, *VIEWS])


def pair(arr, grad=None, view=None):
    """The same tensor in torch and in chainrule, with requires_grad / a grad_fn as asked,
    optionally seen through a view."""
    tt, ct = torch.from_numpy(arr.copy()), chainrule.from_numpy(arr.copy())
    if view is not None and arr.ndim:
        tt, ct = VIEWS[view](tt), VIEWS[view](ct)
    if grad is not None and arr.dtype.kind in "fc":
        tt.requires_grad_(True)
        ct.requires_grad_(True)
        if grad in GRAD_OPS:
            if arr.dtype.kind == "c" and grad not in EXACT_COMPLEX_OPS:
                grad = "clone"
            tt, ct = GRAD_OPS[grad](tt), GRAD_OPS[grad](ct)
    return tt, ct


def text(fn):
    """fn()'s text, or its exception's type and message."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - the error text is compared too
        return f"{type(e).__name__}: {e}"


def assert_prints_same(tt, ct):
    assert_same(text(lambda: repr(ct)), text(lambda: repr(tt)), "repr")
    assert_same(text(lambda: str(ct)), text(lambda: str(tt)), "str")
    assert_same(text(lambda: f"{ct}"), text(lambda: f"{tt}"), "format")


# ---- tensors -----------------------------------------------------------------------------------

@fuzz
@given(arr=arrays(), opts=options, grad=grads, view=views)
def test_tensor_repr_matches_torch(arr, opts, grad, view):
    tt, ct = pair(arr, grad, view)
    with printoptions(**opts):
        assert_prints_same(tt, ct)


@fuzz
@given(arr=arrays(dtypes=st.sampled_from(["float16", "float32", "float64", "complex64", "complex128"]),
                  shapes=st.one_of(SMALL_SHAPES, big_shapes())),
       precision=st.integers(0, 8), sci_mode=st.sampled_from([None, True, False]), grad=grads)
def test_float_notation_matches_torch(arr, precision, sci_mode, grad):
    """Fixed / scientific / integer notation and the shared width, under each precision."""
    tt, ct = pair(arr, grad)
    with printoptions(precision=precision, sci_mode=sci_mode):
        assert_prints_same(tt, ct)


@fuzz
@given(arr=arrays(shapes=hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=14)),
       linewidth=st.integers(20, 130), grad=grads)
def test_suffix_wrapping_matches_torch(arr, linewidth, grad):
    """The dtype / requires_grad / grad_fn suffixes, on the line or wrapped onto the next one."""
    tt, ct = pair(arr, grad)
    with printoptions(linewidth=linewidth):
        assert_prints_same(tt, ct)


@fuzz
@given(arr=arrays(shapes=st.one_of(SMALL_SHAPES, EDGE_SHAPES)),
       default=st.sampled_from(["float16", "float32", "float64"]), grad=grads)
def test_default_dtype_decides_the_dtype_suffix(arr, default, grad):
    tt, ct = pair(arr, grad)
    with default_dtype(default):
        assert_prints_same(tt, ct)


# ---- 0-d tensors: format specs, item -------------------------------------------------------------

SPECS = ["", ".4f", "e", ".2e", ".0f", "g", ".3g", "+.2f", ">14", "<10.1f", "^12", "0>8.2f", "x", "d",
         "%", ",", "_", "#", "10", "n", "s", ".1%", "E", "G", "#x", "08.3f", "-", " ", "r"]


@fuzz
@given(arr=arrays(shapes=st.just(())), spec=st.sampled_from(SPECS), grad=grads)
def test_scalar_format_matches_torch(arr, spec, grad):
    tt, ct = pair(arr, grad)
    assert_same_outcome(lambda: format(ct, spec), lambda: format(tt, spec), f"format(t, {spec!r})")
    assert_same_outcome(lambda: f"{ct:.4f}", lambda: f"{tt:.4f}", "f'{t:.4f}'")
    assert_same_outcome(lambda: f"{ct:e}", lambda: f"{tt:e}", "f'{t:e}'")
    assert_same_outcome(ct.item, tt.item, "item()")


@fuzz
@given(arr=arrays(shapes=st.one_of(SMALL_SHAPES, EDGE_SHAPES)), spec=st.sampled_from(SPECS), grad=grads)
def test_format_item_tolist_match_torch(arr, spec, grad):
    """Any shape: format with a spec (only 0-d takes one), item() (only one element), tolist()."""
    tt, ct = pair(arr, grad)
    assert_same_outcome(lambda: format(ct, spec), lambda: format(tt, spec), f"format(t, {spec!r})")
    assert_same_outcome(ct.item, tt.item, "item()")
    assert_same_outcome(ct.tolist, tt.tolist, "tolist()")


# ---- Size, dtype and device objects --------------------------------------------------------------

@fuzz
@given(shape=hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=9),
       start=st.integers(-6, 6) | st.none(), stop=st.integers(-6, 6) | st.none(),
       step=st.sampled_from([None, 1, 2, -1, -2]), extra=st.lists(st.integers(0, 9), max_size=3),
       times=st.integers(-1, 3))
def test_size_matches_torch(shape, start, stop, step, extra, times):
    ts, cs = torch.zeros(shape).shape, chainrule.zeros(shape).shape
    extra = tuple(extra)
    for what, fn in [
        ("repr", repr), ("str", str), ("format", lambda s: f"{s}"),
        ("slice", lambda s: s[start:stop:step]),
        ("+ tuple", lambda s: s + extra), ("tuple +", lambda s: extra + s), ("+ Size", lambda s: s + s),
        ("* n", lambda s: s * times), ("n *", lambda s: times * s),
        ("numel", lambda s: s.numel()), ("tuple", tuple), ("list", list),
    ]:
        assert_same_outcome(lambda: fn(cs), lambda: fn(ts), f"Size {what}")
    assert_same(repr(chainrule.zeros(shape).size()), repr(torch.zeros(shape).size()), "size()")
    assert_same(repr(chainrule.Size(list(shape))), repr(torch.Size(list(shape))), "Size(list)")


SIZE_ARGS = {
    "empty": lambda m: [], "tuple": lambda m: (2, 3), "generator": lambda m: (i for i in (4, 5)),
    "bool": lambda m: [True, 2], "negative": lambda m: [-1, 2], "big": lambda m: [2**40],
    "int tensor": lambda m: [m.tensor(3)], "one-element tensor": lambda m: [m.tensor([4])],
    "float": lambda m: [1, 1.5], "float tensor": lambda m: [m.tensor(2.0)], "None": lambda m: [None],
    "str": lambda m: "ab", "int": lambda m: 3, "numpy int": lambda m: [np.int64(7)],
}


@pytest.mark.parametrize("name", SIZE_ARGS)
def test_size_constructor_matches_torch(name):
    args = SIZE_ARGS[name]
    assert_same_outcome(lambda: chainrule.Size(args(chainrule)), lambda: torch.Size(args(torch)), name)


# Not compared: "[3] + s", "3 + s", "s * s", whose messages CPython writes with the class's
# C-level name, "torch.Size" for torch and plain "Size" for any class written in Python;
# "s.__mul__(1.5)", which torch answers unlike "s * 1.5" (a Python class cannot tell them apart).
@pytest.mark.parametrize("expr", [
    "s + [3]", "s + 3", "s + None", "s * 1.5", "1.5 * s", "s * None", "s + (1.5,)", "(1.5,) + s", "s * True",
    "s * -1", "s == (2, 3)", "s == [2, 3]", "s[-1]", "s[5]", "s[1.5]", "s[::-1]", "s[0:1:0]", "s + s",
    "type(s + ()).__name__", "type(() + s).__name__", "type(s[:1]).__name__", "type(s * 2).__name__",
    "s.__add__((1,))", "s.__radd__((1,))", "s.__mul__(2)", "s.__rmul__(2)",
    "s.count(2)", "s.index(3)", "hash(s) == hash((2, 3))",
])
def test_size_arithmetic_matches_torch(expr):
    ours = outcome(lambda: eval(expr, {"s": chainrule.Size([2, 3])}))
    theirs = outcome(lambda: eval(expr, {"s": torch.Size([2, 3])}))
    assert_same(ours, theirs, expr)


@pytest.mark.parametrize("name", DTYPES + ALIASES)
def test_dtype_objects_match_torch(name):
    cd, td = getattr(chainrule, name), getattr(torch, name)
    assert_same(repr(cd), repr(td), "repr")
    assert_same(str(cd), str(td), "str")
    assert_same(f"{cd}", f"{td}", "format")
    if name in DTYPES:
        arr = as_dtype([1], name)
        assert_same(repr(chainrule.from_numpy(arr).dtype), repr(torch.from_numpy(arr).dtype), "t.dtype")


@pytest.mark.parametrize("args", [("cpu",), ("cuda",), ("cuda:0",), ("cuda:1",), ("meta",), ("cpu", 0),
                                  ("cuda", 2), ("cpu:0",)], ids=str)
def test_device_objects_match_torch(args):
    for fn in (repr, str, lambda d: f"{d}"):
        assert_same_outcome(lambda: fn(chainrule.device(*args)), lambda: fn(torch.device(*args)), "device")


def test_type_objects_match_torch():
    """print(type(t)) and friends: <class 'chainrule.Tensor'> as torch has <class 'torch.Tensor'>."""
    ct, tt = chainrule.zeros(2), torch.zeros(2)
    for what, fn in [("Tensor", lambda t, m: type(t)), ("Size", lambda t, m: type(t.shape)),
                     ("dtype", lambda t, m: type(t.dtype)), ("device", lambda t, m: type(t.device)),
                     ("module Size", lambda t, m: m.Size), ("module dtype", lambda t, m: m.dtype),
                     ("module device", lambda t, m: m.device), ("module Tensor", lambda t, m: m.Tensor)]:
        assert_same(repr(fn(ct, chainrule)), repr(fn(tt, torch)), what)


def test_tensor_device_matches_torch():
    assert_same(repr(chainrule.zeros(2).device), repr(torch.zeros(2).device))
    assert_same(str(chainrule.zeros(2).device), str(torch.zeros(2).device))
