"""Finite-difference checks of gradients: gradcheck and gradgradcheck."""
import numpy as np

from .._tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _diff_inputs(inputs):
    return [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _outputs(func, inputs):
    return [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor) and o.dtype.is_floating_point]


def _numerical(func, inputs, idx, eps):
    """Central differences: J[o][i] has shape (input numel, output numel)."""
    from .grad_mode import no_grad
    with no_grad():
        outs = _outputs(func, inputs)
        jac = [[np.zeros((inputs[i].numel(), o.numel())) for i in idx] for o in outs]
        for k, i in enumerate(idx):
            data = inputs[i]._data
            for j, pos in enumerate(np.ndindex(data.shape)):  # perturb in place (reshape would copy strided data)
                orig = data[pos].item()
                data[pos] = orig + eps
                plus = [o._data.astype(np.float64).ravel() for o in _outputs(func, inputs)]
                data[pos] = orig - eps
                minus = [o._data.astype(np.float64).ravel() for o in _outputs(func, inputs)]
                data[pos] = orig
                for o in range(len(outs)):
                    jac[o][k][j] = (plus[o] - minus[o]) / (2 * eps)
    return jac


def _analytical(func, inputs, idx):
    from . import grad
    outs = _outputs(func, inputs)
    jac = [[np.zeros((inputs[i].numel(), o.numel())) for i in idx] for o in outs]
    for o, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for j in range(out.numel()):
            g = np.zeros(out.numel(), dtype=out._data.dtype)
            g[j] = 1
            gt = Tensor._make(g.reshape(out._data.shape))
            res = grad(out, [inputs[i] for i in idx], gt, retain_graph=True, allow_unused=True)
            for k, r in enumerate(res):
                if r is not None:
                    jac[o][k][:, j] = r._data.astype(np.float64).ravel()
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False, fast_mode=False,
              masked=None):
    inputs = _as_tuple(inputs)
    idx = _diff_inputs(inputs)
    if not idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    for i in idx:
        if inputs[i].dtype.name != "float64":
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating "
                          "point or complex. ", UserWarning, stacklevel=2)
    num = _numerical(func, inputs, idx, eps)
    ana = _analytical(func, inputs, idx)
    for o in range(len(num)):
        for k, i in enumerate(idx):
            n, a = num[o][k], ana[o][k]
            if not np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=True):
                if not raise_exception:
                    return False
                raise GradcheckError(f"Jacobian mismatch for output {o} with respect to input {i},\n"
                                     f"numerical:{Tensor._make(n)}\nanalytical:{Tensor._make(a)}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, fast_mode=False, masked=False):
    """Check second derivatives: gradcheck of the function inputs -> grads of func w.r.t. its inputs."""
    from . import grad
    inputs = _as_tuple(inputs)
    idx = _diff_inputs(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [Tensor._make(rng.standard_normal(o.shape).astype(o._data.dtype)).requires_grad_()
                        for o in outs]
    grad_outputs = list(_as_tuple(grad_outputs))
    n_in = len(inputs)

    def first_grads(*args):
        from .grad_mode import enable_grad
        ins, gos = args[:n_in], args[n_in:]
        with enable_grad():  # also inside the numerical pass, which runs under no_grad
            outs = _outputs(func, ins)
        diff = [ins[i] for i in idx]
        pairs = [(o, g) for o, g in zip(outs, gos) if o.requires_grad]
        res = grad([o for o, _ in pairs], diff, [g for _, g in pairs], create_graph=True, allow_unused=True)
        return tuple(r for r in res if r is not None)

    return gradcheck(first_grads, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
