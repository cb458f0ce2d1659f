"""nn.functional losses, cosine_similarity, pairwise_distance vs torch: values, dtypes, gradients (input and, where
PyTorch has one, target), second-order gradients, every reduction, the recorded graph, PyTorch's errors and warnings."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import chainrule
import chainrule.nn.functional  # noqa: F401  (chainrule.nn, as torch.nn, is a submodule)
from parity import check, expect_error
from test_nn_activations import F, case, same_graph

torch = pytest.importorskip("torch")

R = np.random.default_rng(11)
X = R.standard_normal((3, 4))
Y = R.standard_normal((3, 4))
X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
P = R.uniform(0.05, 0.95, (3, 4))  # probabilities
Q = R.uniform(0.05, 0.95, (3, 4))
E = np.zeros((0, 3))
SIGNS = np.array([[1.0, -1.0, 1.0, -1.0], [-1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, 1.0]])
W4 = np.array([0.5, 1.0, 2.0, 0.25])
REDUCTIONS = ("none", "mean", "sum")


def reductions(op, call, *arrays, **kw):
    return [case(op, r, (lambda r: lambda m, *a: call(m, *a, reduction=r))(r), *arrays, **kw) for r in REDUCTIONS]


CASES = [
    # mse_loss
    *reductions("mse_loss", lambda m, a, b, **k: F(m).mse_loss(a, b, **k), X, Y),
    case("mse_loss", "f32", lambda m, a, b: F(m).mse_loss(a, b), X32, Y32),
    case("mse_loss", "mixed_dtypes", lambda m, a, b: F(m).mse_loss(a, b), X32, Y),
    case("mse_loss", "int_target", lambda m, a: F(m).mse_loss(a, m.tensor([[1, 0, 2, 1]] * 3)), X32),
    case("mse_loss", "0d", lambda m, a, b: F(m).mse_loss(a, b), np.array(0.5), np.array(-1.0)),
    case("mse_loss", "empty_mean", lambda m, a, b: F(m).mse_loss(a, b), E, E),
    case("mse_loss", "empty_sum", lambda m, a, b: F(m).mse_loss(a, b, reduction="sum"), E, E),
    case("mse_loss", "noncontig", lambda m, a, b: F(m).mse_loss(a.t(), b), X, Y.T.copy()),
    case("mse_loss", "weight", lambda m, a, b: F(m).mse_loss(a, b, weight=m.tensor(P)), X, Y),
    case("mse_loss", "weight_none", lambda m, a, b: F(m).mse_loss(a, b, reduction="none", weight=m.tensor(P)), X, Y),
    case("mse_loss", "legacy_sum", lambda m, a, b: F(m).mse_loss(a, b, size_average=False), X, Y),
    case("mse_loss", "legacy_none", lambda m, a, b: F(m).mse_loss(a, b, reduce=False), X, Y),
    # l1_loss
    *reductions("l1_loss", lambda m, a, b, **k: F(m).l1_loss(a, b, **k), X, Y),
    case("l1_loss", "f32", lambda m, a, b: F(m).l1_loss(a, b), X32, Y32),
    case("l1_loss", "weight", lambda m, a, b: F(m).l1_loss(a, b, weight=m.tensor(P)), X, Y),
    case("l1_loss", "ties", lambda m, a, b: F(m).l1_loss(a, b), np.array([1.0, 2.0]), np.array([1.0, 3.0]),
         gradcheck=False),
    case("l1_loss", "int_none", lambda m: F(m).l1_loss(m.tensor([1, 2]), m.tensor([3, 1]), reduction="none")),
    # smooth_l1_loss, huber_loss
    *reductions("smooth_l1_loss", lambda m, a, b, **k: F(m).smooth_l1_loss(a, b, **k), X, Y),
    case("smooth_l1_loss", "beta", lambda m, a, b: F(m).smooth_l1_loss(a, b, beta=0.4), X, Y),
    case("smooth_l1_loss", "beta0", lambda m, a, b: F(m).smooth_l1_loss(a, b, beta=0.0), X, Y),
    case("smooth_l1_loss", "f32", lambda m, a, b: F(m).smooth_l1_loss(a, b, beta=2.0), X32, Y32),
    case("smooth_l1_loss", "edge", lambda m, a, b: F(m).smooth_l1_loss(a, b, reduction="none"),
         np.array([0.0, 1.0, -1.0, 2.0]), np.array([0.0, 0.0, 0.0, 0.0]), gradcheck=False),
    *reductions("huber_loss", lambda m, a, b, **k: F(m).huber_loss(a, b, **k), X, Y),
    case("huber_loss", "delta", lambda m, a, b: F(m).huber_loss(a, b, delta=0.3), X, Y),
    case("huber_loss", "f32", lambda m, a, b: F(m).huber_loss(a, b, delta=2.0), X32, Y32),
    case("huber_loss", "weight", lambda m, a, b: F(m).huber_loss(a, b, weight=m.tensor(P)), X, Y),
    case("huber_loss", "edge", lambda m, a, b: F(m).huber_loss(a, b, reduction="none"),
         np.array([0.0, 1.0, -1.0, 2.0]), np.array([0.0, 0.0, 0.0, 0.0]), gradcheck=False),
    # binary cross entropy
    *reductions("binary_cross_entropy", lambda m, a, b, **k: F(m).binary_cross_entropy(a, b, **k), P, Q),
    case("binary_cross_entropy", "weight", lambda m, a, b: F(m).binary_cross_entropy(a, b, weight=m.tensor(W4)), P, Q),
    case("binary_cross_entropy", "weight_none",
         lambda m, a, b: F(m).binary_cross_entropy(a, b, weight=m.tensor(P), reduction="none"), P, Q),
    case("binary_cross_entropy", "f32", lambda m, a, b: F(m).binary_cross_entropy(a, b), P.astype(np.float32),
         Q.astype(np.float32)),
    case("binary_cross_entropy", "sigmoid", lambda m, a, b: F(m).binary_cross_entropy(m.sigmoid(a), b), X, Q),
    case("binary_cross_entropy", "log_clamp", lambda m, b: F(m).binary_cross_entropy(
        m.tensor([0.0, 1.0, 0.0, 1.0], dtype=m.float64), b, reduction="none"), np.array([0.0, 1.0, 0.5, 0.3]),
         gradcheck=False),
    case("binary_cross_entropy", "0d", lambda m, a, b: F(m).binary_cross_entropy(a, b), np.array(0.3), np.array(0.9)),
    *reductions("binary_cross_entropy_with_logits",
                lambda m, a, b, **k: F(m).binary_cross_entropy_with_logits(a, b, **k), X, Q),
    case("binary_cross_entropy_with_logits", "weight",
         lambda m, a, b: F(m).binary_cross_entropy_with_logits(a, b, weight=m.tensor(W4)), X, Q),
    case("binary_cross_entropy_with_logits", "pos_weight",
         lambda m, a, b: F(m).binary_cross_entropy_with_logits(a, b, pos_weight=m.tensor(W4)), X, Q),
    case("binary_cross_entropy_with_logits", "both_none",
         lambda m, a, b: F(m).binary_cross_entropy_with_logits(a, b, weight=m.tensor(P), pos_weight=m.tensor(W4),
                                                               reduction="none"), X, Q),
    case("binary_cross_entropy_with_logits", "large",
         lambda m, a, b: F(m).binary_cross_entropy_with_logits(a, b, reduction="none"),
         np.array([-200.0, -30.0, 30.0, 200.0]), np.array([1.0, 0.0, 1.0, 0.0])),
    case("binary_cross_entropy_with_logits", "f32",
         lambda m, a, b: F(m).binary_cross_entropy_with_logits(a, b), X32, Q.astype(np.float32)),
    case("binary_cross_entropy_with_logits", "mixed_dtypes",
         lambda m, a, b: F(m).binary_cross_entropy_with_logits(a, b), X32, Q),
    case("binary_cross_entropy_with_logits", "torch",
         lambda m, a, b: m.binary_cross_entropy_with_logits(a, b, None, m.tensor(W4), 2), X, Q),
    # soft margin
    *reductions("soft_margin_loss", lambda m, a, **k: F(m).soft_margin_loss(a, m.tensor(SIGNS), **k), X),
    case("soft_margin_loss", "f32", lambda m, a: F(m).soft_margin_loss(a, m.tensor(SIGNS, dtype=m.float32)), X32),
    case("soft_margin_loss", "broadcast", lambda m, a: F(m).soft_margin_loss(a, m.tensor([1.0, -1.0, 1.0, 1.0])), X),
    # nll_loss
    *reductions("nll_loss", lambda m, a, **k: F(m).nll_loss(a, m.tensor([0, 3, 1]), **k), X),
    case("nll_loss", "weight", lambda m, a: F(m).nll_loss(a, m.tensor([0, 3, 3]), weight=m.tensor(W4)), X),
    case("nll_loss", "weight_none",
         lambda m, a: F(m).nll_loss(a, m.tensor([0, 3, 3]), weight=m.tensor(W4), reduction="none"), X),
    case("nll_loss", "ignore_index", lambda m, a: F(m).nll_loss(a, m.tensor([0, 3, 1]), ignore_index=3), X),
    case("nll_loss", "ignore_default", lambda m, a: F(m).nll_loss(a, m.tensor([0, -100, 1])), X),
    case("nll_loss", "ignore_weight_none", lambda m, a: F(m).nll_loss(a, m.tensor([0, 1, 1]), weight=m.tensor(W4),
                                                                      ignore_index=1, reduction="none"), X),
    case("nll_loss", "all_ignored", lambda m, a: F(m).nll_loss(a, m.tensor([1, 1, 1]), ignore_index=1), X,
         gradcheck=False),
    case("nll_loss", "1d", lambda m, a: F(m).nll_loss(a, m.tensor(2)), X[0]),
    case("nll_loss", "1d_none", lambda m, a: F(m).nll_loss(a, m.tensor(2), reduction="none"), X[0]),
    # PyTorch's forward takes a 1-element target for a 1-d input, its backward raises: forward only
    case("nll_loss", "1d_target1", lambda m, a: F(m).nll_loss(a, m.tensor([2])), X[0], grad=False),
    case("nll_loss", "1d_target1_none", lambda m, a: F(m).nll_loss(a, m.tensor([2]), reduction="none"), X[0],
         grad=False),
    case("nll_loss", "f32", lambda m, a: F(m).nll_loss(a, m.tensor([1, 1, 0])), X32),
    case("nll_loss", "uint8_target", lambda m, a: F(m).nll_loss(a, m.tensor([1, 2, 0], dtype=m.uint8)), X),
    case("nll_loss", "3d", lambda m, a: F(m).nll_loss(a, m.tensor([[0, 1, 2, 2], [1, 0, 0, 2]])),
         R.standard_normal((2, 3, 4))),
    case("nll_loss", "3d_none", lambda m, a: F(m).nll_loss(a, m.tensor([[0, 1, 2, 2], [1, 0, 0, 2]]),
                                                           reduction="none"), R.standard_normal((2, 3, 4))),
    case("nll_loss", "4d", lambda m, a: F(m).nll_loss(a, m.tensor([[[0, 1], [2, 2]], [[1, 0], [0, 2]]]),
                                                      weight=m.tensor([1.0, 2.0, 0.5], dtype=m.float64)),
         R.standard_normal((2, 3, 2, 2))),
    case("nll_loss", "4d_none", lambda m, a: F(m).nll_loss(a, m.tensor([[[0, 1], [2, 2]], [[1, 0], [0, 2]]]),
                                                           reduction="none"), R.standard_normal((2, 3, 2, 2))),
    case("nll_loss", "5d", lambda m, a: F(m).nll_loss(a, m.tensor(np.zeros((1, 2, 1, 2), np.int64)), reduction="sum"),
         R.standard_normal((1, 3, 2, 1, 2))),
    case("nll_loss", "empty", lambda m, a: F(m).nll_loss(a, m.tensor([], dtype=m.int64)), np.zeros((0, 3))),
    case("nll_loss", "noncontig", lambda m, a: F(m).nll_loss(a.t(), m.tensor([0, 2, 1, 1])), X),
    # cross_entropy
    *reductions("cross_entropy", lambda m, a, **k: F(m).cross_entropy(a, m.tensor([0, 3, 1]), **k), X),
    case("cross_entropy", "f32", lambda m, a: F(m).cross_entropy(a, m.tensor([0, 3, 1])), X32),
    case("cross_entropy", "weight", lambda m, a: F(m).cross_entropy(a, m.tensor([0, 3, 3]), weight=m.tensor(W4)), X),
    case("cross_entropy", "ignore_index", lambda m, a: F(m).cross_entropy(a, m.tensor([0, 3, 1]), ignore_index=0), X),
    case("cross_entropy", "1d", lambda m, a: F(m).cross_entropy(a, m.tensor(1)), X[1]),
    case("cross_entropy", "3d", lambda m, a: F(m).cross_entropy(a, m.tensor([[0, 1], [1, 1], [2, 0]])),
         R.standard_normal((3, 3, 2))),
    case("cross_entropy", "3d_none", lambda m, a: F(m).cross_entropy(a, m.tensor([[0, 1], [1, 1], [2, 0]]),
                                                                     reduction="none"), R.standard_normal((3, 3, 2))),
    case("cross_entropy", "4d", lambda m, a: F(m).cross_entropy(a, m.tensor([[[0, 1]], [[2, 2]]])),
         R.standard_normal((2, 3, 1, 2))),
    *reductions("cross_entropy", lambda m, a, b, **k: F(m).cross_entropy(a, b.softmax(1), **k), X, Y),
    case("cross_entropy", "probs_f32_target", lambda m, a: F(m).cross_entropy(a, m.tensor(P, dtype=m.float32)), X),
    case("cross_entropy", "probs_weight", lambda m, a, b: F(m).cross_entropy(a, b, weight=m.tensor(W4)), X, P),
    case("cross_entropy", "probs_weight_none",
         lambda m, a, b: F(m).cross_entropy(a, b, weight=m.tensor(W4), reduction="none"), X, P),
    case("cross_entropy", "probs_3d", lambda m, a, b: F(m).cross_entropy(a, b), R.standard_normal((2, 3, 2)),
         R.uniform(0, 1, (2, 3, 2))),
    case("cross_entropy", "probs_1d", lambda m, a, b: F(m).cross_entropy(a, b), X[0], P[0]),
    case("cross_entropy", "probs_smoothing", lambda m, a, b: F(m).cross_entropy(a, b, label_smoothing=0.2), X, P),
    case("cross_entropy", "probs_empty", lambda m, a, b: F(m).cross_entropy(a, b), np.zeros((0, 3)), np.zeros((0, 3))),
    *[case("cross_entropy", f"smoothing_{r}", (lambda r: lambda m, a: F(m).cross_entropy(
        a, m.tensor([0, 3, 1]), label_smoothing=0.1, reduction=r))(r), X) for r in REDUCTIONS],
    case("cross_entropy", "smoothing_weight_ignore", lambda m, a: F(m).cross_entropy(
        a, m.tensor([0, 3, 1]), weight=m.tensor(W4), ignore_index=1, label_smoothing=0.3), X),
    case("cross_entropy", "smoothing_weight_none", lambda m, a: F(m).cross_entropy(
        a, m.tensor([0, 3, 1]), weight=m.tensor(W4), label_smoothing=0.3, reduction="none"), X),
    case("cross_entropy", "smoothing_3d", lambda m, a: F(m).cross_entropy(
        a, m.tensor([[0, 1], [1, 1], [2, 0]]), label_smoothing=0.5), R.standard_normal((3, 3, 2))),
    case("cross_entropy", "smoothing_1d", lambda m, a: F(m).cross_entropy(a, m.tensor(3), label_smoothing=0.5), X[0]),
    case("cross_entropy", "noncontig", lambda m, a: F(m).cross_entropy(a.t(), m.tensor([0, 2, 1, 1])), X),
    case("cross_entropy", "legacy", lambda m, a: F(m).cross_entropy(a, m.tensor([0, 3, 1]), size_average=False), X),
    # kl_div
    *reductions("kl_div", lambda m, a, b, **k: F(m).kl_div(a, b, **k), X, P),
    case("kl_div", "batchmean", lambda m, a, b: F(m).kl_div(a, b, reduction="batchmean"), X, P),
    case("kl_div", "batchmean_0d", lambda m, a, b: F(m).kl_div(a, b, reduction="batchmean"), np.array(0.2),
         np.array(0.4)),
    case("kl_div", "log_target", lambda m, a, b: F(m).kl_div(a, b, reduction="sum", log_target=True), X, Y),
    case("kl_div", "zero_target", lambda m, a, b: F(m).kl_div(a, b, reduction="none"), X[0],
         np.array([0.0, 0.5, 0.0, 0.5]), gradcheck=False),
    case("kl_div", "f32", lambda m, a, b: F(m).kl_div(a, b, reduction="sum"), X32, P.astype(np.float32)),
    case("kl_div", "torch", lambda m, a, b: m.kl_div(a, b, 2), X, P),
    # poisson / gaussian nll
    *reductions("poisson_nll_loss", lambda m, a, b, **k: F(m).poisson_nll_loss(a, b, **k), X, P * 3),
    case("poisson_nll_loss", "no_log_input", lambda m, a, b: F(m).poisson_nll_loss(a, b, log_input=False), P, Q * 3),
    case("poisson_nll_loss", "full", lambda m, a, b: F(m).poisson_nll_loss(a, b, full=True), X, P * 3),
    case("poisson_nll_loss", "full_no_log", lambda m, a, b: F(m).poisson_nll_loss(a, b, log_input=False, full=True,
                                                                                 eps=1e-3), P, Q * 3),
    case("poisson_nll_loss", "torch", lambda m, a, b: m.poisson_nll_loss(a, b, True, False, 1e-8, 0), X, P),
    *reductions("gaussian_nll_loss", lambda m, a, b, v, **k: F(m).gaussian_nll_loss(a, b, v, **k), X, Y, P),
    case("gaussian_nll_loss", "full", lambda m, a, b, v: F(m).gaussian_nll_loss(a, b, v, full=True), X, Y, P),
    case("gaussian_nll_loss", "homoscedastic", lambda m, a, b, v: F(m).gaussian_nll_loss(a, b, v), X, Y, P[:, 0]),
    case("gaussian_nll_loss", "broadcast_var", lambda m, a, b, v: F(m).gaussian_nll_loss(a, b, v), X, Y, P[:, :1]),
    case("gaussian_nll_loss", "float_var", lambda m, a, b: F(m).gaussian_nll_loss(a, b, 0.5), X, Y),
    case("gaussian_nll_loss", "eps_clamp", lambda m, a, b, v: F(m).gaussian_nll_loss(a, b, v, eps=0.5), X, Y, P,
         gradcheck=False),
    # margin / embedding losses
    *reductions("margin_ranking_loss", lambda m, a, b, **k: F(m).margin_ranking_loss(a, b, m.tensor(SIGNS), **k),
                X, Y),
    case("margin_ranking_loss", "margin", lambda m, a, b, t: F(m).margin_ranking_loss(a, b, t, margin=0.5), X, Y,
         SIGNS),
    case("margin_ranking_loss", "torch", lambda m, a, b: m.margin_ranking_loss(a, b, m.tensor(SIGNS), 0.1, 2), X, Y),
    *reductions("hinge_embedding_loss", lambda m, a, **k: F(m).hinge_embedding_loss(a, m.tensor(SIGNS), **k), X),
    case("hinge_embedding_loss", "margin", lambda m, a: F(m).hinge_embedding_loss(a, m.tensor(SIGNS), margin=0.3), X),
    case("hinge_embedding_loss", "other_targets", lambda m, a: F(m).hinge_embedding_loss(
        a, m.tensor([[1.0, 0.0, -1.0, 2.0]] * 3)), X),
    case("hinge_embedding_loss", "torch", lambda m, a: m.hinge_embedding_loss(a, m.tensor(SIGNS), 1.0, 0), X),
    *reductions("cosine_embedding_loss", lambda m, a, b, **k: F(m).cosine_embedding_loss(
        a, b, m.tensor([1.0, -1.0, 1.0]), **k), X, Y),
    case("cosine_embedding_loss", "margin", lambda m, a, b: F(m).cosine_embedding_loss(
        a, b, m.tensor([-1.0, -1.0, 1.0]), margin=-0.2), X, Y),
    case("cosine_embedding_loss", "1d", lambda m, a, b: F(m).cosine_embedding_loss(a, b, m.tensor(-1.0)), X[0], Y[0]),
    case("cosine_embedding_loss", "torch", lambda m, a, b: m.cosine_embedding_loss(
        a, b, m.tensor([1.0, -1.0, 1.0]), 0.0, 2), X, Y),
    *reductions("triplet_margin_loss", lambda m, a, b, c, **k: F(m).triplet_margin_loss(a, b, c, **k), X, Y, P),
    case("triplet_margin_loss", "p1_swap", lambda m, a, b, c: F(m).triplet_margin_loss(a, b, c, p=1, swap=True), X, Y,
         P),
    case("triplet_margin_loss", "margin", lambda m, a, b, c: F(m).triplet_margin_loss(a, b, c, margin=3.0), X, Y, P),
    case("triplet_margin_loss", "1d", lambda m, a, b, c: F(m).triplet_margin_loss(a, b, c, margin=3.0), X[0], Y[0],
         P[0]),
    case("triplet_margin_loss", "torch", lambda m, a, b, c: m.triplet_margin_loss(a, b, c, 1.0, 3, 1e-6, False, 2),
         X, Y, P),
    # similarity and distance
    case("cosine_similarity", "default", lambda m, a, b: F(m).cosine_similarity(a, b), X, Y),
    case("cosine_similarity", "dim0", lambda m, a, b: F(m).cosine_similarity(a, b, dim=0), X, Y),
    case("cosine_similarity", "negdim_3d", lambda m, a, b: F(m).cosine_similarity(a, b, -1),
         R.standard_normal((2, 3, 4)), R.standard_normal((2, 3, 4))),
    case("cosine_similarity", "broadcast", lambda m, a, b: F(m).cosine_similarity(a, b), X, Y[:1]),
    case("cosine_similarity", "1d", lambda m, a, b: F(m).cosine_similarity(a, b, 0), X[0], Y[0]),
    case("cosine_similarity", "zero", lambda m, a, b: F(m).cosine_similarity(a, b), np.zeros((2, 3)),
         np.ones((2, 3)), gradcheck=False),
    case("cosine_similarity", "f32", lambda m, a, b: F(m).cosine_similarity(a, b), X32, Y32),
    case("cosine_similarity", "int", lambda m, b: F(m).cosine_similarity(m.tensor([[1, 2, 3]]), b), Y[:, :3]),
    case("cosine_similarity", "torch", lambda m, a, b: m.cosine_similarity(a, b, 1, 1e-6), X, Y),
    case("pairwise_distance", "default", lambda m, a, b: F(m).pairwise_distance(a, b), X, Y),
    case("pairwise_distance", "p1_keepdim", lambda m, a, b: F(m).pairwise_distance(a, b, p=1.0, keepdim=True), X, Y),
    case("pairwise_distance", "p3", lambda m, a, b: F(m).pairwise_distance(a, b, p=3.0), X, Y),
    case("pairwise_distance", "p_half", lambda m, a, b: F(m).pairwise_distance(a, b, p=0.5), X, Y),
    case("pairwise_distance", "inf", lambda m, a, b: F(m).pairwise_distance(a, b, p=float("inf")), X, Y),
    case("pairwise_distance", "p0", lambda m, a, b: F(m).pairwise_distance(a, b, p=0.0), X, Y),
    case("pairwise_distance", "broadcast", lambda m, a, b: F(m).pairwise_distance(a, b), X, Y[0]),
    case("pairwise_distance", "0d", lambda m, a, b: F(m).pairwise_distance(a, b), np.array(1.0), np.array(3.0)),
    case("pairwise_distance", "int", lambda m: F(m).pairwise_distance(m.tensor([[1, 2]]), m.tensor([[1, 3]]))),
    case("pairwise_distance", "f32", lambda m, a, b: F(m).pairwise_distance(a, b), X32, Y32),
    case("pairwise_distance", "torch", lambda m, a, b: m.pairwise_distance(a, b, 2.0, 1e-6, True), X, Y),
]


@pytest.mark.parametrize("fn,arrays,kw", CASES)
def test_parity(fn, arrays, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' and the legacy-argument warnings are tested below
        check(fn, *arrays, **kw)
        same_graph(fn, *arrays)


def _warnings(m, fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn(m)
    return [(type(x.message).__name__, str(x.message).replace("torch.", "chainrule.")) for x in w]


@pytest.mark.parametrize("fn", [
    pytest.param(lambda m: F(m).mse_loss(m.ones(3, 1), m.ones(3)), id="mse_loss:size_warning"),
    pytest.param(lambda m: F(m).l1_loss(m.ones(3), m.ones(2, 3)), id="l1_loss:size_warning"),
    pytest.param(lambda m: F(m).smooth_l1_loss(m.ones(3), m.ones(1)), id="smooth_l1_loss:size_warning"),
    pytest.param(lambda m: F(m).huber_loss(m.ones(3), m.ones(1)), id="huber_loss:size_warning"),
    pytest.param(lambda m: F(m).mse_loss(m.ones(3), m.ones(3)), id="mse_loss:no_warning"),
    pytest.param(lambda m: F(m).kl_div(m.ones(3), m.ones(3)), id="kl_div:mean_warning"),
    pytest.param(lambda m: F(m).nll_loss(m.ones(2, 3), m.tensor([0, 1]), reduce=False), id="nll_loss:legacy_warning"),
    pytest.param(lambda m: F(m).mse_loss(m.ones(3), m.ones(3), reduction="elementwise_mean"),
                 id="mse_loss:elementwise_mean"),
])
def test_warnings(fn):
    assert _warnings(chainrule, fn) == _warnings(torch, fn)


def test_mse_broadcast_values_and_graph():
    fn = lambda m, a, b: F(m).mse_loss(a, b)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, X, Y[0])
        same_graph(fn, X, Y[0])


def test_cross_entropy_equals_log_softmax_nll():
    x = chainrule.tensor(X, requires_grad=True)
    t = chainrule.tensor([2, 0, 1])
    a = chainrule.nn.functional.cross_entropy(x, t)
    b = chainrule.nn.functional.nll_loss(chainrule.nn.functional.log_softmax(x, 1), t)
    np.testing.assert_allclose(a.item(), b.item())


I3 = np.array([0, 3, 1])
ERRORS = [
    case("mse_loss", "int", lambda m: F(m).mse_loss(m.tensor([1, 2]), m.tensor([1, 3]))),
    case("mse_loss", "broadcast", lambda m, a, b: F(m).mse_loss(a, b), np.ones(2), np.ones(3)),
    case("mse_loss", "reduction", lambda m, a, b: F(m).mse_loss(a, b, reduction="avg"), X, Y),
    case("mse_loss", "weight_size", lambda m, a, b: F(m).mse_loss(a, b, weight=m.ones(4)), X, Y),
    case("mse_loss", "weight_reduction", lambda m, a, b: F(m).mse_loss(a, b, weight=m.ones(3, 4), reduction="x"), X,
         Y),
    case("l1_loss", "int_mean", lambda m: F(m).l1_loss(m.tensor([1, 2]), m.tensor([1, 3]))),
    case("smooth_l1_loss", "int", lambda m: F(m).smooth_l1_loss(m.tensor([1, 2]), m.tensor([1, 3]))),
    case("smooth_l1_loss", "beta", lambda m, a, b: F(m).smooth_l1_loss(a, b, beta=-1.0), X, Y),
    case("huber_loss", "delta", lambda m, a, b: F(m).huber_loss(a, b, delta=0.0), X, Y),
    case("binary_cross_entropy", "size", lambda m, a, b: F(m).binary_cross_entropy(a, b), P[0], P[:1]),
    case("binary_cross_entropy", "range", lambda m, a, b: F(m).binary_cross_entropy(a, b), P + 1, Q),
    case("binary_cross_entropy", "target_dtype", lambda m, a: F(m).binary_cross_entropy(a, m.tensor([0, 1, 1, 0])),
         P[0]),
    case("binary_cross_entropy", "weight_grad", lambda m, a, b: F(m).binary_cross_entropy(
        a, b, weight=m.ones(4, dtype=m.float64, requires_grad=True)), P, Q),
    case("binary_cross_entropy", "weight_broadcast", lambda m, a, b: F(m).binary_cross_entropy(
        a, b, weight=m.ones(2, dtype=m.float64)), P, Q),
    case("binary_cross_entropy", "weight_bigger", lambda m, a, b: F(m).binary_cross_entropy(
        a, b, weight=m.ones(2, 4, dtype=m.float64)), P[0], Q[0]),
    case("binary_cross_entropy_with_logits", "size",
         lambda m, a, b: F(m).binary_cross_entropy_with_logits(a, b), X[0], Q[:1]),
    case("binary_cross_entropy_with_logits", "int_target",
         lambda m, a: F(m).binary_cross_entropy_with_logits(a, m.tensor([0, 1, 1, 0])), X[0]),
    case("binary_cross_entropy_with_logits", "pos_weight_grad", lambda m, a, b: F(m).binary_cross_entropy_with_logits(
        a, b, pos_weight=m.ones(4, dtype=m.float64, requires_grad=True)), X, Q),
    case("binary_cross_entropy_with_logits", "pos_weight_shape", lambda m, a, b: F(m).binary_cross_entropy_with_logits(
        a, b, pos_weight=m.ones(3, dtype=m.float64)), X, Q),
    case("soft_margin_loss", "target_grad", lambda m, a, b: F(m).soft_margin_loss(a, b), X, Y),
    case("nll_loss", "target_dtype", lambda m, a: F(m).nll_loss(a, m.tensor([0.0, 1.0, 2.0])), X),
    case("nll_loss", "int32_target", lambda m, a: F(m).nll_loss(a, m.tensor([0, 1, 2], dtype=m.int32)), X),
    case("nll_loss", "batch", lambda m, a: F(m).nll_loss(a, m.tensor([0, 1])), X),
    case("nll_loss", "0d_input", lambda m, a: F(m).nll_loss(a, m.tensor(0)), np.array(1.0)),
    case("nll_loss", "2d_target", lambda m, a: F(m).nll_loss(a, m.tensor([[0], [1], [2]])), X),
    case("nll_loss", "1d_target_size", lambda m, a: F(m).nll_loss(a, m.tensor([1, 2])), X[0]),
    case("nll_loss", "out_of_bounds", lambda m, a: F(m).nll_loss(a, m.tensor([0, 4, 1])), X),
    case("nll_loss", "negative", lambda m, a: F(m).nll_loss(a, m.tensor([0, -1, 1])), X),
    case("nll_loss", "weight_size", lambda m, a: F(m).nll_loss(a, m.tensor(I3), weight=m.ones(3, dtype=m.float64)), X),
    case("nll_loss", "weight_dtype", lambda m, a: F(m).nll_loss(a, m.tensor(I3), weight=m.ones(4)), X),
    case("nll_loss", "weight_grad", lambda m, a: F(m).nll_loss(
        a, m.tensor(I3), weight=m.ones(4, dtype=m.float64, requires_grad=True)), X),
    case("nll_loss", "3d_target_size", lambda m, a: F(m).nll_loss(a, m.zeros(2, 5, dtype=m.int64)),
         R.standard_normal((2, 3, 4))),
    case("nll_loss", "4d_target_dim", lambda m, a: F(m).nll_loss(a, m.zeros(2, 4, dtype=m.int64)),
         R.standard_normal((2, 3, 4, 5))),
    case("nll_loss", "4d_target_size", lambda m, a: F(m).nll_loss(a, m.zeros(2, 4, 4, dtype=m.int64)),
         R.standard_normal((2, 3, 4, 5))),
    case("nll_loss", "4d_weight", lambda m, a: F(m).nll_loss(a, m.zeros(2, 4, 5, dtype=m.int64), weight=m.ones(2)),
         R.standard_normal((2, 3, 4, 5)).astype(np.float32)),
    case("nll_loss", "4d_out_of_bounds", lambda m, a: F(m).nll_loss(a, m.full((2, 4, 5), 3)),
         R.standard_normal((2, 3, 4, 5))),
    case("nll_loss", "reduction", lambda m, a: F(m).nll_loss(a, m.tensor(I3), reduction="avg"), X),
    case("cross_entropy", "target_dtype", lambda m, a: F(m).cross_entropy(a, m.tensor([0.0, 1.0, 2.0])), X),
    case("cross_entropy", "int32_target", lambda m, a: F(m).cross_entropy(a, m.tensor([0, 1, 2], dtype=m.int32)), X),
    case("cross_entropy", "bool_target", lambda m, a: F(m).cross_entropy(a, m.tensor([True, False, True])), X),
    case("cross_entropy", "probs_int_target", lambda m, a: F(m).cross_entropy(a, m.zeros(3, 4, dtype=m.int64)), X),
    case("cross_entropy", "probs_ignore_index", lambda m, a, b: F(m).cross_entropy(a, b, ignore_index=1), X, P),
    case("cross_entropy", "label_smoothing", lambda m, a: F(m).cross_entropy(a, m.tensor(I3), label_smoothing=1.5), X),
    case("cross_entropy", "probs_label_smoothing", lambda m, a, b: F(m).cross_entropy(a, b, label_smoothing=2.0), X, P),
    case("cross_entropy", "out_of_bounds", lambda m, a: F(m).cross_entropy(a, m.tensor([0, 1, 5])), X),
    case("cross_entropy", "batch", lambda m, a: F(m).cross_entropy(a, m.tensor([0, 1])), X),
    case("cross_entropy", "weight", lambda m, a: F(m).cross_entropy(a, m.tensor(I3), weight=m.ones(3, dtype=m.float64)),
         X),
    case("cross_entropy", "probs_weight", lambda m, a, b: F(m).cross_entropy(a, b, weight=m.ones(3, dtype=m.float64)),
         X, P),
    case("cross_entropy", "weight_grad", lambda m, a: F(m).cross_entropy(
        a, m.tensor(I3), weight=m.ones(4, dtype=m.float64, requires_grad=True)), X),
    case("cross_entropy", "0d", lambda m, a: F(m).cross_entropy(a, m.tensor(0)), np.array(1.0)),
    case("cross_entropy", "0d_target", lambda m, a: F(m).cross_entropy(a, m.tensor(1)), X),
    case("cross_entropy", "int_input", lambda m: F(m).cross_entropy(m.ones(3, 4, dtype=m.int64), m.tensor([0, 1, 2]))),
    case("kl_div", "int", lambda m, b: F(m).kl_div(m.tensor([1, 2]), b, reduction="sum"), P[0, :2]),
    case("kl_div", "reduction", lambda m, a, b: F(m).kl_div(a, b, reduction="avg"), X, P),
    case("poisson_nll_loss", "reduction", lambda m, a, b: F(m).poisson_nll_loss(a, b, reduction="x"), X, P),
    case("gaussian_nll_loss", "negative_var", lambda m, a, b: F(m).gaussian_nll_loss(a, b, m.tensor([-1.0] * 4)), X,
         Y),
    case("gaussian_nll_loss", "negative_float_var", lambda m, a, b: F(m).gaussian_nll_loss(a, b, -1.0), X, Y),
    case("gaussian_nll_loss", "var_size", lambda m, a, b, v: F(m).gaussian_nll_loss(a, b, v), X, Y, P[:2]),
    case("gaussian_nll_loss", "reduction", lambda m, a, b, v: F(m).gaussian_nll_loss(a, b, v, reduction="x"), X, Y, P),
    case("margin_ranking_loss", "dims", lambda m, a, b: F(m).margin_ranking_loss(a, b, m.ones(3, 4, 1)), X, Y),
    case("triplet_margin_loss", "margin", lambda m, a, b, c: F(m).triplet_margin_loss(a, b, c, margin=0), X, Y, P),
    case("triplet_margin_loss", "dims", lambda m, a, b, c: F(m).triplet_margin_loss(a, b, c), X, Y, P[0]),
    case("cosine_embedding_loss", "target_dims", lambda m, a, b: F(m).cosine_embedding_loss(a, b, m.ones(3, 1)), X, Y),
    case("cosine_embedding_loss", "input_dims", lambda m, a, b: F(m).cosine_embedding_loss(a, b, m.ones(3)), X[0], Y),
    case("cosine_embedding_loss", "0d_target", lambda m, a, b: F(m).cosine_embedding_loss(a, b, m.tensor(1.0)), X, Y),
    case("cosine_similarity", "int", lambda m: F(m).cosine_similarity(m.tensor([1, 2]), m.tensor([1, 3]), 0)),
    case("cosine_similarity", "dim", lambda m, a, b: F(m).cosine_similarity(a, b, dim=2), X, Y),
    case("cosine_similarity", "broadcast", lambda m, a, b: F(m).cosine_similarity(a, b), X, Y[:2]),
    case("pairwise_distance", "broadcast", lambda m, a, b: F(m).pairwise_distance(a, b), X, Y[:2]),
]


@pytest.mark.parametrize("fn,arrays,kw", ERRORS)
def test_errors(fn, arrays, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expect_error(fn, *arrays)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.sampled_from(["mse_loss", "huber_loss",
                                                                              "smooth_l1_loss", "l1_loss"]),
       st.sampled_from(REDUCTIONS))
def test_random_shapes(shape, name, reduction):
    rng = np.random.default_rng(len(shape))
    check(lambda m, a, b: getattr(F(m), name)(a, b, reduction=reduction), rng.standard_normal(shape),
          rng.standard_normal(shape), gradcheck=False)


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 4), st.integers(2, 4), st.floats(0.0, 0.9))
def test_random_cross_entropy(n, c, smoothing):
    rng = np.random.default_rng(n * 10 + c)
    target = rng.integers(0, c, n)
    check(lambda m, a: F(m).cross_entropy(a, m.tensor(target), label_smoothing=smoothing),
          rng.standard_normal((n, c)), gradcheck=False)


CUDA_CASES = [
    pytest.param(lambda m, x: m.nn.functional.cross_entropy(x, m.tensor([0, 3, 1], device=x.device),
                                                            label_smoothing=0.1), id="cross_entropy:cuda"),
    pytest.param(lambda m, x: m.nn.functional.nll_loss(x.log_softmax(1).reshape(3, 2, 2),
                                                       m.tensor([[0, 1], [1, 0], [1, 1]], device=x.device)),
                 id="nll_loss:cuda"),
    pytest.param(lambda m, x: m.nn.functional.binary_cross_entropy(x.sigmoid(), (x > 0).double(), weight=m.ones(
        4, dtype=m.float64, device=x.device)), id="binary_cross_entropy:cuda"),
    pytest.param(lambda m, x: m.nn.functional.binary_cross_entropy_with_logits(x, x.detach().sigmoid()),
                 id="binary_cross_entropy_with_logits:cuda"),
    pytest.param(lambda m, x: m.nn.functional.gelu(x).sum() + m.nn.functional.mish(x).sum()
                 + m.nn.functional.elu(x).sum(), id="gelu:cuda"),
    pytest.param(lambda m, x: m.nn.functional.embedding(m.tensor([0, 2, 2], device=x.device), x, padding_idx=2).sum(),
                 id="embedding:cuda"),
    pytest.param(lambda m, x: m.nn.functional.cosine_similarity(x, x * 2 + 1).sum()
                 + m.nn.functional.normalize(x).sum(), id="cosine_similarity:cuda"),
    pytest.param(lambda m, x: m.nn.functional.triplet_margin_loss(x, x + 1, x * -1), id="triplet_margin_loss:cuda"),
    pytest.param(lambda m, x: m.nn.functional.hinge_embedding_loss(x, m.tensor([[1.0, -1.0, 1.0, -1.0]] * 3,
                                                                                 device=x.device)),
                 id="hinge_embedding_loss:cuda"),
]


@pytest.mark.skipif(not chainrule.cuda.is_available(), reason="no CUDA device with CuPy on this machine")
@pytest.mark.parametrize("fn", CUDA_CASES)
def test_cuda_matches_cpu(fn):
    grads = {}
    for dev in ("cpu", "cuda"):
        x = chainrule.tensor(X, device=dev, requires_grad=True)
        y = fn(chainrule, x)
        y.backward()
        grads[dev] = (y.item(), x.grad.cpu().numpy())
    np.testing.assert_allclose(grads["cpu"][0], grads["cuda"][0], rtol=1e-10)
    np.testing.assert_allclose(grads["cpu"][1], grads["cuda"][1], rtol=1e-10, atol=1e-12)
