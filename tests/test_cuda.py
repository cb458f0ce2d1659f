"""The CUDA backend (CuPy): the same ops and autograd on the GPU. Skips on machines without one."""
import numpy as np
import pytest

import chainrule as cr

pytestmark = pytest.mark.skipif(not cr.cuda.is_available(), reason="no CUDA device with CuPy on this machine")


def test_creation_repr_and_round_trip():
    x = cr.tensor(3.0, requires_grad=True, device="cuda")
    assert repr(x) == "tensor(3., device='cuda:0', requires_grad=True)"
    assert repr(x ** 2) == "tensor(9., device='cuda:0', grad_fn=<PowBackward0>)"
    assert x.device == cr.device("cuda", 0) and x.is_cuda
    y = cr.arange(6.).reshape(2, 3).cuda()
    assert y.device.type == "cuda" and y.cpu().device.type == "cpu"
    np.testing.assert_array_equal(y.cpu().numpy(), np.arange(6.).reshape(2, 3))
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        y.numpy()


def test_backward_on_gpu_matches_cpu():
    rng = np.random.default_rng(0)
    xs, ws, bs = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    grads = {}
    for dev in ("cpu", "cuda"):
        x = cr.tensor(xs, device=dev)
        w = cr.tensor(ws, device=dev, requires_grad=True)
        b = cr.tensor(bs, device=dev, requires_grad=True)
        loss = ((x @ w + b).tanh().sigmoid() ** 2).mean() + (x.exp().sum(1).log().max())
        loss.backward()
        assert w.grad.device.type == dev
        grads[dev] = (loss.item(), w.grad.cpu().numpy(), b.grad.cpu().numpy())
    for a, b in zip(grads["cpu"], grads["cuda"]):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_scalars_indexing_and_reductions_on_gpu():
    x = cr.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], device="cuda", requires_grad=True)
    v, i = x.max(1)
    (v.sum() + x[0, 1:].sum() * 2 + (1 - x).clamp(min=-2).sum() + x[x > 3].sum()).backward()
    assert i.device.type == "cuda"
    np.testing.assert_array_equal(i.cpu().numpy(), [1, 2])
    expected = (np.array([[0, 1, 0], [0, 0, 1]])        # max over each row
                + np.array([[0, 2, 2], [0, 0, 0]])      # 2 * x[0, 1:]
                - np.array([[1, 0, 1], [0, 1, 0]])      # clamp(1 - x, min=-2) passes where 1 - x >= -2
                + np.array([[0, 1, 0], [1, 0, 1]]))     # x[x > 3]
    np.testing.assert_allclose(x.grad.cpu().numpy(), expected)


def test_mixing_devices_moves_with_to():
    a = cr.ones(2, device="cuda", requires_grad=True)
    b = a.to("cpu") * 2
    b.sum().backward()
    assert a.grad.device.type == "cuda" and b.grad_fn.name() == "MulBackward0"
    np.testing.assert_array_equal(a.grad.cpu().numpy(), [2.0, 2.0])


def test_inplace_on_views_on_gpu_matches_cpu():
    """CopySlices and regenerated views read CuPy arrays' memory layout (data.ptr) as they read NumPy's."""
    xs = np.random.default_rng(1).uniform(0.5, 1.5, (3, 4))
    out = {}
    for dev in ("cpu", "cuda"):
        x = cr.tensor(xs, device=dev, requires_grad=True)
        y = x * 1.5
        r = y[:, 1]
        y[1:, ::2].mul_(x[:2, :2])
        y.t()[0].exp_()
        (y.sum() + (r * r).sum()).backward()
        assert type(y.grad_fn).__name__ == "CopySlices" and r.grad_fn.name() == "AsStridedBackward0"
        out[dev] = (y.detach().cpu().numpy(), x.grad.cpu().numpy())
    for a, b in zip(out["cpu"], out["cuda"]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
