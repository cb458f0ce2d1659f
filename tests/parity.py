"""Compare a chainrule op with torch 2.13: forward value, dtype, shape, gradients, second-order gradients,
and (without torch) finite differences in float64.

    check(lambda m, x, y: m.add(x, y, alpha=2), x_np, y_np)

`fn(m, *tensors)` is called once with m=chainrule and once with m=torch, on tensors made from the same
NumPy arrays. Float arrays become tensors that require grad unless `grad=False`.
"""
import numpy as np

import chainrule

try:
    import torch
except ImportError:  # the finite-difference half of each check still runs
    torch = None


def _cr(a, rg):
    t = chainrule.tensor(a)
    return t.requires_grad_() if rg and t.dtype.is_floating_point else t


def _th(a, rg):
    t = torch.tensor(a)
    return t.requires_grad_() if rg and t.dtype.is_floating_point else t


def _flat(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(_flat(o))
        return res
    return [out]


def _np(t):
    if hasattr(t, "detach"):
        t = t.detach()
        if torch is not None and isinstance(t, torch.Tensor):
            return t.numpy(force=True)  # force: torch's ZeroTensor (e.g. second derivative of abs)
        return t.cpu().numpy()
    return np.asarray(t)


def _dtype_name(t):
    return str(t.dtype).split(".")[-1]


def assert_same(c, t, rtol, atol, what):
    """Values, dtypes and shapes of chainrule results c against torch results t."""
    c, t = _flat(c), _flat(t)
    assert len(c) == len(t), f"{what}: {len(c)} outputs vs torch's {len(t)}"
    for i, (a, b) in enumerate(zip(c, t)):
        if b is None or a is None:
            assert a is None and b is None, f"{what}[{i}]: {a} vs torch {b}"
            continue
        if not hasattr(b, "dtype"):
            assert a == b, f"{what}[{i}]: {a} vs torch {b}"
            continue
        assert _dtype_name(a) == _dtype_name(b), f"{what}[{i}] dtype {a.dtype} vs torch {b.dtype}"
        assert tuple(a.shape) == tuple(b.shape), f"{what}[{i}] shape {tuple(a.shape)} vs torch {tuple(b.shape)}"
        an, bn = _np(a), _np(b)
        if an.dtype.kind in "fc":
            np.testing.assert_allclose(an, bn, rtol=rtol, atol=atol, equal_nan=True, err_msg=f"{what}[{i}]")
        else:
            np.testing.assert_array_equal(an, bn, err_msg=f"{what}[{i}]")


def _grads(m, fn, ins, seeds, create_graph):
    outs = [o for o in _flat(fn(m, *ins)) if o is not None and hasattr(o, "requires_grad") and o.requires_grad]
    diff = [t for t in ins if getattr(t, "requires_grad", False)]
    if not outs or not diff:
        return None, None, diff
    gos = [m.tensor(s).to(o.dtype).reshape(o.shape) for o, s in zip(outs, seeds)]
    res = m.autograd.grad(outs, diff, gos, create_graph=create_graph, allow_unused=True)
    return res, outs, diff


def check(fn, *arrays, grad=True, grad2=True, gradcheck=True, gradgradcheck=True, rtol=1e-5, atol=1e-6, rtol32=1e-4,
          atol32=1e-5, seed=0):
    """Run the full comparison. Arrays are used as given (their dtype decides float32 vs float64).

    gradgradcheck=False: second-order finite differences are meaningless at the inputs (a tie or a
    zero distance puts them on a kink), while the first-order ones still hold.
    """
    float32 = any(getattr(a, "dtype", None) == np.float32 for a in arrays)
    r, a = (rtol32, atol32) if float32 else (rtol, atol)
    c_in = [_cr(x, grad) if isinstance(x, np.ndarray) else x for x in arrays]
    c_out = fn(chainrule, *c_in)
    rng = np.random.default_rng(seed)
    seeds = [rng.standard_normal(np.shape(_np(o))) for o in _flat(c_out)
             if o is not None and getattr(o, "requires_grad", False)]
    if torch is not None:
        t_in = [_th(x, grad) if isinstance(x, np.ndarray) else x for x in arrays]
        t_out = fn(torch, *t_in)
        assert_same(c_out, t_out, r, a, "forward")
        if grad:
            cg, _, _ = _grads(chainrule, fn, c_in, seeds, create_graph=grad2)
            tg, _, _ = _grads(torch, fn, t_in, seeds, create_graph=grad2)
            if tg is None:
                assert cg is None, "chainrule output requires grad but torch's does not"
            else:
                assert_same(cg, tg, r, a, "grad")
                if grad2:
                    _second(cg, c_in, tg, t_in, r, a, rng)
    if grad and gradcheck and not float32:
        finite_differences(fn, arrays, second=gradgradcheck)


def _second(cg, c_in, tg, t_in, r, a, rng):
    """Backprop through the gradients (create_graph=True) and compare the second-order gradients."""
    pairs = [(c, t) for c, t in zip(cg, tg) if t is not None and t.requires_grad]
    if not pairs:
        return
    if not any(c.requires_grad for c, _ in pairs):
        # chainrule's gradient formula is constant in the inputs (relu, abs, ...): torch's second
        # derivative must then be zero
        t_diff = [x for x in t_in if getattr(x, "requires_grad", False)]
        ts = sum((t.sum() for _, t in pairs), torch.tensor(0.))
        for g in torch.autograd.grad(ts, t_diff, allow_unused=True):
            assert g is None or not _np(g).any(), "torch has a non-zero second derivative, chainrule has none"
        return
    vs = [rng.standard_normal(tuple(t.shape)) for _, t in pairs]
    c_diff = [x for x in c_in if getattr(x, "requires_grad", False)]
    t_diff = [x for x in t_in if getattr(x, "requires_grad", False)]
    cs = sum(((c * chainrule.tensor(v).to(c.dtype)).sum() for (c, _), v in zip(pairs, vs)), chainrule.tensor(0.))
    ts = sum(((t * torch.tensor(v).to(t.dtype)).sum() for (_, t), v in zip(pairs, vs)), torch.tensor(0.))
    c2 = chainrule.autograd.grad(cs, c_diff, allow_unused=True)
    t2 = torch.autograd.grad(ts, t_diff, allow_unused=True)
    # an unused input has no second derivative in one library and a zero one in the other
    c2 = [chainrule.zeros_like(x) if g is None else g for g, x in zip(c2, c_diff)]
    t2 = [torch.zeros_like(x) if g is None else g for g, x in zip(t2, t_diff)]
    assert_same(c2, t2, r, a, "grad2")


def finite_differences(fn, arrays, second=True):
    """chainrule's gradcheck and gradgradcheck in float64 on the float inputs."""
    ins = [(_cr(x.astype(np.float64), True) if x.dtype.kind == "f" else _cr(x, False))
           if isinstance(x, np.ndarray) else x for x in arrays]
    if not any(getattr(t, "requires_grad", False) for t in ins):
        return
    f = lambda *ts: fn(chainrule, *ts)  # noqa: E731
    assert chainrule.autograd.gradcheck(f, ins, atol=1e-5, rtol=1e-3)
    if second:
        assert chainrule.autograd.gradgradcheck(f, ins, atol=1e-4, rtol=1e-3)


def expect_error(fn, *arrays):
    """chainrule raises the same exception type and message as torch."""
    c_in = [chainrule.tensor(x) if isinstance(x, np.ndarray) else x for x in arrays]
    try:
        fn(chainrule, *c_in)
    except Exception as e:  # noqa: BLE001 - comparing whatever was raised
        c_err = (type(e).__name__, str(e))
    else:
        c_err = None
    if torch is None:
        assert c_err is not None, "expected an error"
        return
    t_in = [torch.tensor(x) if isinstance(x, np.ndarray) else x for x in arrays]
    try:
        fn(torch, *t_in)
    except Exception as e:  # noqa: BLE001
        t_err = (type(e).__name__, str(e).replace("torch.", "chainrule."))
    else:
        t_err = None
    assert c_err == t_err, f"chainrule raised {c_err}, torch raised {t_err}"
