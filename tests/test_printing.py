"""Tensor repr parity with PyTorch 2.13 (torch is the oracle where installed)."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from chainrule._printing import format_tensor, get_printoptions, set_printoptions

try:
    import torch
except ImportError:  # the hard-coded expectations below still run
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch is the reference oracle")

nan, inf = float("nan"), float("inf")
HIDDEN_DTYPES = ("float32", "complex64", "int64", "bool")  # under the default dtype float32


def ours(arr, ns="chainrule", **kw):
    arr = np.asarray(arr)
    kw.setdefault("dtype_name", f"{ns}.{arr.dtype.name}")
    kw.setdefault("show_dtype", arr.dtype.name not in HIDDEN_DTYPES)
    return format_tensor(arr, **kw)


def ours_of(t):
    """Our repr of a torch tensor, passing what the Tensor class would pass.

    The dtype is named "torch.*" because the name's length decides where suffixes wrap.
    """
    return ours(t.detach().numpy(), ns="torch", requires_grad=t.requires_grad,
                grad_fn_name=type(t.grad_fn).__name__ if t.grad_fn is not None else None)


def both_options(**kw):
    torch.set_printoptions(profile="default", **kw)
    set_printoptions(profile="default", **kw)


@pytest.fixture(autouse=True)
def reset_options():
    yield
    set_printoptions(profile="default")
    if torch is not None:
        torch.set_printoptions(profile="default")


# Worked examples from PYTORCH_NOTES, checked against torch 2.13.
EXPECTED = [
    (np.array([1.5, 10.25], np.float32), "tensor([ 1.5000, 10.2500])"),
    (np.array([-1.5, 2.0], np.float32), "tensor([-1.5000,  2.0000])"),
    (np.array([100.0, -3.0], np.float32), "tensor([100.,  -3.])"),
    (np.array([1.0, 1e4], np.float32), "tensor([1.0000e+00, 1.0000e+04])"),
    (np.array([1e-5, 1.0], np.float32), "tensor([1.0000e-05, 1.0000e+00])"),
    (np.array([1.0, nan], np.float32), "tensor([1., nan])"),
    (np.array([100.0, -0.0], np.float32), "tensor([100.,  -0.])"),
    (np.zeros(2), "tensor([0., 0.], dtype=chainrule.float64)"),
    (np.arange(2000), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    (np.arange(2000, dtype=np.float32),
     "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
     "        1.9990e+03])"),
    (np.array([True, False]), "tensor([ True, False])"),
    (np.array(0.5, np.float32), "tensor(0.5000)"),
    (np.zeros((0, 3), np.int64), "tensor([], size=(0, 3), dtype=chainrule.int64)"),
    (np.zeros(0, np.float32), "tensor([])"),
]


@pytest.mark.parametrize("arr, expected", EXPECTED)
def test_expected_strings(arr, expected):
    assert ours(arr) == expected


def test_summarised_rows():
    row = "[0., 0., 0.,  ..., 0., 0., 0.]"
    lines = ours(np.zeros((100, 100), np.float32)).split("\n")
    assert lines[0] == "tensor([" + row + ","
    assert lines[3] == "        ...,"
    assert lines[-1] == "        " + row + "])"


def test_suffixes_without_torch():
    a = np.array([1.0, 2.0], np.float32)
    assert ours(a, device_str="cuda:0", requires_grad=True) == \
        "tensor([1., 2.], device='cuda:0', requires_grad=True)"
    assert ours(a, grad_fn_name="MulBackward0", requires_grad=True) == \
        "tensor([1., 2.], grad_fn=<MulBackward0>)"
    assert ours(np.zeros(0, np.float64), dtype_is_default_float=True) == "tensor([])"


def test_options_roundtrip_without_torch():
    set_printoptions(precision=2, sci_mode=True)
    assert get_printoptions() == dict(precision=2, threshold=1000, edgeitems=3, linewidth=80, sci_mode=True)
    set_printoptions(profile="short")  # sci_mode is always overwritten
    assert get_printoptions()["sci_mode"] is None and get_printoptions()["edgeitems"] == 2


rng = np.random.default_rng(0)
DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64,
          np.float16, np.float32, np.float64, np.complex64, np.complex128]
CASES = {
    **{f"dtype-{np.dtype(d).name}": np.array([[0, 1, 2], [3, 4, 25]]).astype(d) for d in DTYPES},
    **{f"0d-{np.dtype(d).name}": np.array(7).astype(d) for d in DTYPES},
    **{f"empty{s}-{np.dtype(d).name}": np.zeros(s, d)
       for s in [(0,), (0, 3), (2, 0, 1)] for d in (np.float32, np.float64, np.int64, np.bool_, np.complex64)},
    "0d-small": np.array(1e-5), "0d-nan": np.array(nan, np.float32), "0d-negzero": np.array(-0.0),
    "1d-fraction": np.arange(10, dtype=np.float32) / 3,
    "3d": np.arange(24.0).reshape(2, 3, 4) / 7,
    "4d": np.arange(120, dtype=np.float32).reshape(2, 3, 4, 5) - 60,
    "sci-tiny": np.array([1e-5, 0.5]), "sci-huge": np.array([1.0, 1e9], np.float32),
    "sci-ratio": np.array([0.01, 11.5]), "sci-int-ratio": np.array([1.0, 1001.0]),
    "sci-3digit-exponent": np.array([1e-120, 1e200]),
    "int-valued": np.array([1.0, -20.0, 300.0], np.float32), "int-big": np.array([1.0, 99999999.0]),
    "negzero": np.array([-0.0, 0.0, 1.5]), "negzero-only": np.array([-0.0, 0.0], np.float32),
    "nonfinite-only": np.array([nan, inf, -inf]), "nonfinite-mixed": np.array([1.25, nan, -inf, inf, 0.0]),
    "int-nonfinite": np.array([[1.0, nan], [-inf, 10.0]], np.float32),
    "rounding-carry": np.array([9.99996, 0.5]), "float32-widening": np.array([0.1, 0.7], np.float32),
    "float16": np.array([0.1, 65504, 1e-4, -2.5], np.float16),
    "uint8": np.arange(256, dtype=np.uint8), "int-negative": np.array([-128, 5, 127], np.int8),
    "int64-wide": np.array([-5, 12345678901]),
    "complex-mixed": np.array([1.5 + 2j, -0.0 - 1e-5j, complex(nan, inf), 3j]),
    "wide-1d": np.linspace(-1000, 1000, 37), "wide-2d": rng.standard_normal((3, 25)).astype(np.float32),
    "long-1d": np.arange(1001, dtype=np.float32), "long-int": np.arange(-500, 600),
    "long-2d": rng.standard_normal((40, 30)), "long-3d": rng.standard_normal((12, 10, 11)).astype(np.float32),
    "long-4d": np.arange(3000.0).reshape(5, 6, 10, 10),
    "long-hidden-tiny": np.concatenate([np.arange(1.0, 501.0), [1e-9], np.arange(501.0, 1001.0)]),
    "long-narrow": np.ones((1001, 1)), "long-complex": (np.arange(1200) * (1 + 1j)).astype(np.complex64),
}


@needs_torch
@pytest.mark.parametrize("arr", CASES.values(), ids=CASES.keys())
def test_matches_torch(arr):
    assert ours(arr, ns="torch") == repr(torch.from_numpy(arr))


OPTIONS = [
    dict(precision=2), dict(precision=0), dict(precision=9), dict(sci_mode=True), dict(sci_mode=False),
    dict(threshold=5), dict(edgeitems=1), dict(threshold=5, edgeitems=1), dict(threshold=5, edgeitems=0),
    dict(edgeitems=0), dict(linewidth=40), dict(linewidth=5), dict(profile="short"), dict(profile="full"),
    dict(profile="default"), dict(profile="short", precision=6, sci_mode=False),
]
OPTION_ARRAYS = ["0d-small", "1d-fraction", "3d", "sci-tiny", "int-valued", "nonfinite-mixed",
                 "long-1d", "long-3d", "long-int", "wide-2d", "complex-mixed", "empty(0, 3)-float64"]


@needs_torch
@pytest.mark.parametrize("opts", OPTIONS, ids=str)
@pytest.mark.parametrize("name", OPTION_ARRAYS)
def test_options_match_torch(opts, name):
    torch.set_printoptions(**opts)
    set_printoptions(**opts)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    assert ours(CASES[name], ns="torch") == repr(torch.from_numpy(CASES[name]))


@needs_torch
def test_options_sequence_matches_torch():
    for kw in [dict(precision=2, sci_mode=True), dict(linewidth=50), dict(profile="bogus"),
               dict(profile="full", edgeitems=1), dict(profile="default")]:
        torch.set_printoptions(**kw)
        set_printoptions(**kw)
        assert get_printoptions() == torch._tensor_str.get_printoptions()


def _grad_cases():
    leaf = torch.tensor([1.5, -2.0], requires_grad=True)
    yield leaf
    yield leaf * 2
    yield torch.tensor(3.0, requires_grad=True)
    yield torch.arange(6.0, requires_grad=True).reshape(2, 3)
    yield torch.zeros(0, 2, requires_grad=True)
    for n in range(1, 16):  # lengths on both sides of the 80-column suffix wrap
        x = torch.linspace(-1, 1, n, dtype=torch.float64, requires_grad=True)
        yield x
        yield x * 3
        yield (x * 1e-5).exp()


@needs_torch
def test_grad_suffixes_match_torch():
    reprs = [(ours_of(t), repr(t)) for t in _grad_cases()]
    assert all(a == b for a, b in reprs), [r for r in reprs if r[0] != r[1]]
    assert any(",\n       grad_fn=" in b for _, b in reprs)  # the wrap case was exercised


@needs_torch
def test_subclass_prefix_matches_torch():
    class Box(torch.Tensor):
        pass

    t = torch.linspace(0, 1, 30).reshape(3, 10).as_subclass(Box)
    assert ours(t.numpy(), prefix="Box(") == repr(t)


SPECIALS = [0.0, -0.0, nan, inf, -inf, 1.0, -1.0, 0.5, 1e-5, 1e-4, 1e8, 1e9, 1e-300, 1e300, 65504.0]
floats = st.one_of(st.sampled_from(SPECIALS), st.floats(), st.floats(-1e3, 1e3),
                   st.integers(-10**6, 10**6).map(float))
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)
options = st.one_of(st.just({}), st.fixed_dictionaries({
    "precision": st.integers(0, 8), "threshold": st.integers(0, 60), "edgeitems": st.integers(0, 3),
    "linewidth": st.integers(10, 120), "sci_mode": st.sampled_from([None, True, False])}))
fixture_ok = settings(max_examples=300, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


@needs_torch
@fixture_ok
@given(values=hnp.arrays(np.float64, shapes, elements=floats),
       dtype=st.sampled_from([np.float16, np.float32, np.float64, np.complex128]), opts=options)
def test_random_floats_match_torch(values, dtype, opts):
    with np.errstate(over="ignore"):
        arr = values.astype(dtype)
    if dtype == np.complex128:
        arr.imag = np.flip(values)
    both_options(**opts)
    assert ours(arr, ns="torch") == repr(torch.from_numpy(arr))


@needs_torch
@fixture_ok
@given(arr=hnp.arrays(st.sampled_from([np.bool_, np.uint8, np.int8, np.int32, np.int64]), shapes),
       opts=options)
def test_random_ints_match_torch(arr, opts):
    both_options(**opts)
    assert ours(arr, ns="torch") == repr(torch.from_numpy(arr))


# Where a suffix wraps is decided from torch's text ("dtype=torch.float64", 4 characters
# shorter than "dtype=chainrule.float64"), so that chainrule's text differs from torch's by
# the module name only, never by a line break. These lines are 80 characters in torch.
def test_suffix_wrap_measured_with_torch_names():
    assert ours(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]), grad_fn_name="MulBackward0") == \
        "tensor([-2., -1.,  0.,  1.,  2.], dtype=chainrule.float64, grad_fn=<MulBackward0>)"
    set_printoptions(linewidth=29)
    assert ours(np.zeros(0, np.bool_)) == "tensor([], dtype=chainrule.bool)"
    set_printoptions(linewidth=28)
    assert ours(np.zeros(0, np.bool_)) == "tensor([],\n       dtype=chainrule.bool)"


# torch.set_printoptions accepts a negative edgeitems. Summarising, torch then slices a
# vector with it (v[:-1], " ...", v[1:], formatted as one, so they share one width) and
# finds no rows to stack for a matrix: its printing raises.
def test_negative_edgeitems_as_torch():
    import chainrule
    set_printoptions(threshold=2, edgeitems=-1)
    assert repr(chainrule.arange(6.0)) == "tensor([0., 1., 2., 3., 4.,  ..., 1., 2., 3., 4., 5.])"
    with pytest.raises(RuntimeError, match="^stack expects a non-empty TensorList$"):
        repr(chainrule.zeros(3, 4))
    assert repr(chainrule.tensor(2.5)) == "tensor(2.5000)"
