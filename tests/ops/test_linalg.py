"""Linear algebra vs torch: products (matmul in every rank combination, mm, bmm, mv, dot, vdot, outer, addmm, addmv,
addbmm, baddbmm), einsum, tensordot, kron, the diagonal family, cross, cdist and torch.linalg (norms, inv, det,
slogdet, solve, cholesky, qr, eigh, svd, pinv): values, gradients, second-order gradients, the recorded graph and
PyTorch's errors.

Eigenvectors and singular vectors are defined up to sign, and LAPACK calls may choose differently: those cases
compare quantities that do not depend on the choice (reconstructions, |V|, projectors) and their gradients.
"""
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import chainrule
from parity import check, expect_error, _cr, _th, _flat

torch = pytest.importorskip("torch")

R = np.random.default_rng(7)
V2, V3, V4 = R.standard_normal(2), R.standard_normal(3), R.standard_normal(4)
M23, M32, M33, M34, M43 = (R.standard_normal(s) for s in ((2, 3), (3, 2), (3, 3), (3, 4), (4, 3)))
B223, B234, B233, B523 = (R.standard_normal(s) for s in ((2, 2, 3), (2, 3, 4), (2, 3, 3), (5, 2, 3)))
B123, B134, B534 = R.standard_normal((1, 2, 3)), R.standard_normal((1, 3, 4)), R.standard_normal((5, 3, 4))
T2123 = R.standard_normal((2, 1, 2, 3))
SPD = M33 @ M33.T + 3 * np.eye(3)
SYM = M33 + M33.T
SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, -1.0, 0.5]])
E03, E30 = np.zeros((0, 3)), np.zeros((3, 0))
INT23, INT34 = np.arange(6).reshape(2, 3) - 2, np.arange(12).reshape(3, 4) % 5
F = np.float32


def case(op, name, fn, *arrays, **kw):
    return pytest.param(fn, arrays, kw, id=f"{op}:{name}")


def graph(t):
    """The node names reachable from t.grad_fn, as nested tuples (leaves' AccumulateGrad left out)."""
    def walk(fn):
        kids = tuple(walk(c) for c, _ in fn.next_functions if c is not None and type(c).__name__ != "AccumulateGrad")
        return (type(fn).__name__,) + kids
    return None if t.grad_fn is None else walk(t.grad_fn)


# ---- products -----------------------------------------------------------------------------------------------
MATMUL = [
    case("matmul", "1d_1d", lambda m, a, b: m.matmul(a, b), V3, V3),
    case("matmul", "2d_1d", lambda m, a, b: m.matmul(a, b), M23, V3),
    case("matmul", "1d_2d", lambda m, a, b: m.matmul(a, b), V2, M23),
    case("matmul", "2d_2d", lambda m, a, b: a @ b, M23, M34),
    case("matmul", "3d_1d", lambda m, a, b: m.matmul(a, b), B223, V3),
    case("matmul", "1d_3d", lambda m, a, b: m.matmul(a, b), V3, B234),
    case("matmul", "3d_2d", lambda m, a, b: m.matmul(a, b), B523, M34),
    case("matmul", "2d_3d", lambda m, a, b: m.matmul(a, b), M23, B234),
    case("matmul", "3d_3d", lambda m, a, b: m.matmul(a, b), B223, B234),
    case("matmul", "batch_of_one_left", lambda m, a, b: m.matmul(a, b), B123, B534),
    case("matmul", "batch_of_one_right", lambda m, a, b: m.matmul(a, b), B523, B134),
    case("matmul", "broadcast_4d_3d", lambda m, a, b: m.matmul(a, b), T2123, B534),
    case("matmul", "4d_1d", lambda m, a, b: m.matmul(a, b), T2123, V3),
    case("matmul", "1d_4d", lambda m, a, b: m.matmul(a, b), V3, R.standard_normal((2, 1, 3, 2))),
    case("matmul", "f32", lambda m, a, b: a @ b, B223.astype(F), B234.astype(F)),
    case("matmul", "f32_fold", lambda m, a, b: a @ b, B523.astype(F), M34.astype(F)),
    case("matmul", "noncontig", lambda m, a, b: a.transpose(0, 1) @ b.mT, B223, B223.transpose(1, 0, 2).copy()),
    case("matmul", "noncontig_fold", lambda m, a, b: a.transpose(0, 1) @ b, B523, M34, gradcheck=False),
    case("matmul", "constant_right", lambda m, a, b: a @ b, B523, M34, grad=False),
    case("matmul", "empty_k", lambda m, a, b: a @ b, E30, E03),
    case("matmul", "empty_batch", lambda m, a, b: a @ b, np.zeros((0, 2, 3)), M34),
    case("matmul", "int", lambda m, a, b: a @ b, INT23, INT34),
    case("matmul", "rmatmul", lambda m, a: a.__rmatmul__(a.mT), M23),
    case("mm", "basic", lambda m, a, b: m.mm(a, b), M23, M34),
    case("mm", "f32", lambda m, a, b: a.mm(b), M23.astype(F), M34.astype(F)),
    case("mm", "transposed", lambda m, a, b: m.mm(a.t(), b.t()), M32, M43),
    case("mm", "empty", lambda m, a, b: m.mm(a, b), E30, E03),
    case("mm", "int", lambda m, a, b: m.mm(a, b), INT23, INT34),
    case("bmm", "basic", lambda m, a, b: m.bmm(a, b), B223, B234),
    case("bmm", "f32", lambda m, a, b: a.bmm(b), B223.astype(F), B234.astype(F)),
    case("bmm", "noncontig", lambda m, a, b: m.bmm(a.mT, b), B223.transpose(0, 2, 1).copy(), B234),
    case("mv", "basic", lambda m, a, v: m.mv(a, v), M23, V3),
    case("mv", "f32", lambda m, a, v: a.mv(v), M23.astype(F), V3.astype(F)),
    case("mv", "transposed", lambda m, a, v: m.mv(a.t(), v), M32, V3),
    case("dot", "basic", lambda m, a, b: m.dot(a, b), V3, V4[:3]),
    case("dot", "strided", lambda m, a, b: m.dot(a[::2], b[:2]), V4, V3),
    case("dot", "f32", lambda m, a, b: a.dot(b), V3.astype(F), V3.astype(F)),
    case("dot", "empty", lambda m, a, b: m.dot(a, b), np.zeros(0), np.zeros(0)),
    case("vdot", "basic", lambda m, a, b: m.vdot(a, b), V3, V4[1:]),
    case("vdot", "f32", lambda m, a, b: a.vdot(b), V3.astype(F), V3.astype(F)),
    case("vdot", "int", lambda m, a, b: m.vdot(a, b), INT23[0], INT23[1]),
    case("outer", "basic", lambda m, a, b: m.outer(a, b), V3, V2),
    case("outer", "ger", lambda m, a, b: m.ger(a, b), V3, V2),
    case("outer", "promotion", lambda m, a, b: m.outer(a, b), INT23[0], V2.astype(F)),
    case("addmm", "basic", lambda m, c, a, b: m.addmm(c, a, b), R.standard_normal((2, 4)), M23, M34),
    case("addmm", "scaled", lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=-2), R.standard_normal(4), M23, M34),
    case("addmm", "beta0_ignores_nan", lambda m, c, a, b: m.addmm(c, a, b, beta=0), np.full((2, 4), np.nan), M23,
         M34, gradcheck=False),
    case("addmm", "f32", lambda m, c, a, b: c.addmm(a, b), R.standard_normal((2, 4)).astype(F), M23.astype(F),
         M34.astype(F)),
    case("addmv", "basic", lambda m, c, a, v: m.addmv(c, a, v), V2, M23, V3),
    case("addmv", "scaled_broadcast", lambda m, c, a, v: m.addmv(c, a, v, beta=2, alpha=0.5), np.array(1.5), M23, V3),
    case("addmv", "beta0", lambda m, c, a, v: m.addmv(c, a, v, beta=0), np.full(2, np.inf), M23, V3, gradcheck=False),
    case("addmv", "f32", lambda m, c, a, v: c.addmv(a, v), V2.astype(F), M23.astype(F), V3.astype(F)),
    case("addbmm", "basic", lambda m, c, a, b: m.addbmm(c, a, b), R.standard_normal((2, 4)), B223, B234),
    case("addbmm", "scaled", lambda m, c, a, b: m.addbmm(c, a, b, beta=-1, alpha=3), R.standard_normal(4), B223, B234),
    case("addbmm", "f32", lambda m, c, a, b: c.addbmm(a, b), R.standard_normal((2, 4)).astype(F), B223.astype(F),
         B234.astype(F)),
    case("baddbmm", "basic", lambda m, c, a, b: m.baddbmm(c, a, b), R.standard_normal((2, 2, 4)), B223, B234),
    case("baddbmm", "scaled_broadcast", lambda m, c, a, b: m.baddbmm(c, a, b, beta=0.5, alpha=2),
         R.standard_normal(4), B223, B234),
    case("baddbmm", "beta0", lambda m, c, a, b: m.baddbmm(c, a, b, beta=0), np.full((2, 2, 4), np.nan), B223, B234,
         gradcheck=False),
    case("baddbmm", "f32", lambda m, c, a, b: c.baddbmm(a, b), R.standard_normal((2, 2, 4)).astype(F),
         B223.astype(F), B234.astype(F)),
]

# ---- einsum, tensordot, kron ------------------------------------------------------------------------------------
EINSUM = [
    case("einsum", "matmul", lambda m, a, b: m.einsum("ij,jk->ik", a, b), M23, M34),
    case("einsum", "implicit", lambda m, a, b: m.einsum("ij,jk", a, b), M23, M34),
    case("einsum", "implicit_sorted", lambda m, a: m.einsum("ji", a), M23),
    case("einsum", "transpose", lambda m, a: m.einsum("ij->ji", a), M23),
    case("einsum", "sum", lambda m, a: m.einsum("ijk->i", a), B234),
    case("einsum", "diagonal", lambda m, a: m.einsum("ii->i", a), M33),
    case("einsum", "trace", lambda m, a: m.einsum("ii", a), M33),
    case("einsum", "inner", lambda m, a, b: m.einsum("i,i->", a, b), V3, V3[::-1].copy()),
    case("einsum", "outer", lambda m, a, b: m.einsum("i,j->ij", a, b), V3, V2),
    case("einsum", "batched", lambda m, a, b: m.einsum("bij,bjk->bik", a, b), B223, B234),
    case("einsum", "ellipsis", lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b), B223, M34),
    case("einsum", "ellipsis_reduced", lambda m, a, b: m.einsum("b...,b...->...", a, b), B234, B234[::-1].copy()),
    case("einsum", "ellipsis_all", lambda m, a: m.einsum("...->", a), M23),
    case("einsum", "three", lambda m, a, b, c: m.einsum("ij,jk,kl->il", a, b, c), M23, M34, M43),
    case("einsum", "three_mixed", lambda m, a, b, c: m.einsum("bn,anm,bm->ba", a, b, c), M23,
         R.standard_normal((2, 3, 2)), R.standard_normal((2, 2))),
    case("einsum", "broadcast", lambda m, a, b: m.einsum("ij,ij->ij", a, b), M23, M23[:1]),
    case("einsum", "repeated_and_summed", lambda m, a: m.einsum("iij->j", a), R.standard_normal((3, 3, 2))),
    case("einsum", "size_one_contraction", lambda m, a, b: m.einsum("ijk,ikl->jl", a, b),
         R.standard_normal((2, 3, 1)), R.standard_normal((2, 1, 4))),
    case("einsum", "unrelated", lambda m, a, b: m.einsum("ab,cd->", a, b), M23, V2[None]),
    case("einsum", "sublist", lambda m, a, b: m.einsum(a, [0, 1], b, [1, 2], [0, 2]), M23, M34),
    case("einsum", "list_operands", lambda m, a, b: m.einsum("ij,jk", [a, b]), M23, M34),
    case("einsum", "spaces", lambda m, a, b: m.einsum(" i j , j k -> i k ", a, b), M23, M34),
    case("einsum", "f32", lambda m, a, b: m.einsum("bij,bjk->bik", a, b), B223.astype(F), B234.astype(F)),
    case("einsum", "int", lambda m, a, b: m.einsum("ij,jk->ik", a, b), INT23, INT34),
    case("einsum", "empty", lambda m, a, b: m.einsum("ij,jk->ik", a, b), E30, E03),
    case("tensordot", "int_dims", lambda m, a, b: m.tensordot(a, b, dims=2), B234, R.standard_normal((3, 4, 2))),
    case("tensordot", "lists", lambda m, a, b: m.tensordot(a, b, dims=([1, 2], [1, 0])), B234,
         R.standard_normal((4, 3, 2))),
    case("tensordot", "negative", lambda m, a, b: m.tensordot(a, b, dims=([-1], [0])), M23, M34),
    case("tensordot", "outer", lambda m, a, b: m.tensordot(a, b, dims=0), V2, M23),
    case("tensordot", "broadcast_dim", lambda m, a, b: m.tensordot(a, b, dims=1), R.standard_normal((2, 1)), M32),
    case("tensordot", "tensor_dims", lambda m, a, b: m.tensordot(a, b, dims=m.tensor(1)), M23, M34),
    case("tensordot", "f32", lambda m, a, b: m.tensordot(a, b), B234.astype(F), R.standard_normal((3, 4)).astype(F)),
    case("kron", "2d", lambda m, a, b: m.kron(a, b), M23, M32),
    case("kron", "mixed_rank", lambda m, a, b: m.kron(a, b), V3, M23),
    case("kron", "scalar", lambda m, a, b: m.kron(a, b), M23, np.array(2.5)),
    case("kron", "promotion", lambda m, a, b: a.kron(b), INT23, V2.astype(F)),
    case("kron", "strided", lambda m, a, b: m.kron(a[:, ::2], b), M23, V2),
]

# ---- the diagonal family, cross ---------------------------------------------------------------------------------
DIAG = [
    case("trace", "square", lambda m, a: m.trace(a), M33),
    case("trace", "rect", lambda m, a: a.trace(), M34),
    case("trace", "f32", lambda m, a: m.trace(a), M33.astype(F)),
    case("trace", "int", lambda m, a: m.trace(a), INT34),
    case("trace", "empty", lambda m, a: m.trace(a), E03),
    case("diag", "vector", lambda m, a: m.diag(a), V3),
    case("diag", "vector_offset", lambda m, a: m.diag(a, -2), V3),
    case("diag", "matrix", lambda m, a: m.diag(a), M34),
    case("diag", "matrix_offset", lambda m, a: a.diag(1), M34),
    case("diag", "matrix_out_of_range", lambda m, a: m.diag(a, 7), M34),
    case("diag", "int", lambda m, a: m.diag(a), INT34),
    case("diag_embed", "basic", lambda m, a: m.diag_embed(a), M23),
    case("diag_embed", "offset_dims", lambda m, a: m.diag_embed(a, 1, 0, 2), M23),
    case("diag_embed", "negative_dims", lambda m, a: a.diag_embed(-1, -1, 0), M23),
    case("diag_embed", "f32", lambda m, a: m.diag_embed(a), V3.astype(F)),
    case("diagonal", "basic", lambda m, a: m.diagonal(a), M34),
    case("diagonal", "offset", lambda m, a: a.diagonal(-1), M43),
    case("diagonal", "dims", lambda m, a: m.diagonal(a, 1, 2, 0), B234),
    case("diagonal", "negative_dims", lambda m, a: m.diagonal(a, 0, -1, -2), B234),
    case("diagonal", "out_of_range", lambda m, a: m.diagonal(a, 5), M34),
    case("diagonal", "noncontig", lambda m, a: m.diagonal(a.t()[::2]), M34),
    case("diagonal", "linalg", lambda m, a: m.linalg.diagonal(a, offset=1), B233),
    case("tril", "basic", lambda m, a: m.tril(a), M34),
    case("tril", "diagonal", lambda m, a: m.tril(a, -1), B234),
    case("tril", "positive", lambda m, a: a.tril(2), M43),
    case("tril", "inplace", lambda m, a: (a * 1).tril_(1), M34, gradcheck=False),
    case("tril", "bool", lambda m, a: m.tril(a), INT34 > 1),
    case("triu", "basic", lambda m, a: m.triu(a), M34),
    case("triu", "diagonal", lambda m, a: m.triu(a, 1), B234),
    case("triu", "inplace", lambda m, a: (a * 1).triu_(-1), M43, gradcheck=False),
    case("triu", "f32", lambda m, a: m.triu(a), M43.astype(F)),
    case("cross", "dim", lambda m, a, b: m.cross(a, b, dim=1), M23, M23[::-1].copy()),
    case("cross", "broadcast", lambda m, a, b: m.linalg.cross(a, b), M23, M23[:1]),
    case("cross", "dim0", lambda m, a, b: m.linalg.cross(a, b, dim=0), M34, M34 + 1),
    case("cross", "method", lambda m, a, b: a.cross(b, dim=-1), M33, SYM),
    case("cross", "f32", lambda m, a, b: m.linalg.cross(a, b), M23.astype(F), M33[:2].astype(F)),
    case("cross", "int", lambda m, a, b: m.linalg.cross(a, b), INT23, INT23 + 1),
]

# ---- cdist ------------------------------------------------------------------------------------------------
P1, P2 = R.standard_normal((3, 2)), R.standard_normal((4, 2))
P2[1] = P1[0]  # a pair at distance 0: PyTorch's gradient is 0 there
CDIST = [case("cdist", f"p{p}", lambda m, a, b, p=p: m.cdist(a, b, p=p), P1, P2, grad2=False,
              gradgradcheck=False)
         for p in (2.0, 1.0, 0.0, 0.5, 1.5, 3.0, math.inf)] + [
    case("cdist", "euclid_mm", lambda m, a, b: m.cdist(a, b), R.standard_normal((27, 2)), P2[:2]),
    case("cdist", "euclid_mm_forced", lambda m, a, b: m.cdist(a, b, compute_mode="use_mm_for_euclid_dist"), P1,
         P2[2:]),
    case("cdist", "euclid_mm_batched", lambda m, a, b: m.cdist(a, b), R.standard_normal((2, 2, 2)),
         R.standard_normal((1, 26, 2)), gradcheck=False),
    case("cdist", "no_mm", lambda m, a, b: m.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist"),
         R.standard_normal((26, 2)), P2, grad2=False, gradcheck=False),
    case("cdist", "batched", lambda m, a, b: m.cdist(a, b, p=1.5), R.standard_normal((2, 3, 2)), P2, grad2=False),
    case("cdist", "f32", lambda m, a, b: m.cdist(a, b), P1.astype(F), P2.astype(F), grad2=False),
    case("cdist", "empty", lambda m, a, b: m.cdist(a, b), E03, R.standard_normal((2, 3)), grad2=False),
    case("cdist", "no_columns", lambda m, a, b: m.cdist(a, b), np.zeros((2, 0)), np.zeros((3, 0)), grad2=False),
]


# ---- norms ------------------------------------------------------------------------------------------------
def _sym(m, x):
    return x + x.mT


ZERO_ROW = np.vstack([np.zeros(3), M23])
NORMS = [case("vector_norm", f"ord{o}", lambda m, a, o=o: m.linalg.vector_norm(a, o), V4)
         for o in (2, 1, 0, 3, 0.5, -1, math.inf, -math.inf)] + [
    case("vector_norm", "origin", lambda m, a: m.linalg.vector_norm(a, dim=1), ZERO_ROW, gradcheck=False),
    case("vector_norm", "dim_keepdim", lambda m, a: m.linalg.vector_norm(a, 3, dim=(0, 2), keepdim=True), B234),
    case("vector_norm", "negative_dim", lambda m, a: m.linalg.vector_norm(a, 1, dim=-1), M34),
    case("vector_norm", "dtype", lambda m, a: m.linalg.vector_norm(a, dtype=m.float64), V4.astype(F)),
    case("vector_norm", "ties_inf", lambda m, a: m.linalg.vector_norm(a, math.inf), np.array([1.0, -2.0, 2.0, 0.5]),
         gradcheck=False),
    case("vector_norm", "f32", lambda m, a: m.linalg.vector_norm(a), M34.astype(F)),
    case("vector_norm", "0d", lambda m, a: m.linalg.vector_norm(a), np.array(-1.5)),
    case("vector_norm", "empty", lambda m, a: m.linalg.vector_norm(a), E03),
] + [case("matrix_norm", str(o), lambda m, a, o=o: m.linalg.matrix_norm(a, o), M34)
     for o in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)] + [
    case("matrix_norm", "nuc_keepdim", lambda m, a: m.linalg.matrix_norm(a, "nuc", keepdim=True), B234),
    case("matrix_norm", "2_dims", lambda m, a: m.linalg.matrix_norm(a, 2, dim=(2, 0)), B234),
    case("matrix_norm", "1_dims_keepdim", lambda m, a: m.linalg.matrix_norm(a, 1, dim=(0, 2), keepdim=True), B234),
    case("matrix_norm", "inf_dims", lambda m, a: m.linalg.matrix_norm(a, -math.inf, dim=(2, 1)), B234),
    case("matrix_norm", "dtype", lambda m, a: m.linalg.matrix_norm(a, "nuc", dtype=m.float64), M34.astype(F)),
    case("matrix_norm", "f32", lambda m, a: m.linalg.matrix_norm(a, 2), M34.astype(F)),
    case("matrix_norm", "empty_2", lambda m, a: m.linalg.matrix_norm(a, 2), E03),
    case("matrix_norm", "empty_inf", lambda m, a: m.linalg.matrix_norm(a, math.inf), E03),
    case("matrix_norm", "empty_nuc", lambda m, a: m.linalg.matrix_norm(a, "nuc"), E03),
    case("norm", "default_vector", lambda m, a: m.linalg.norm(a), V4),
    case("norm", "default_matrix", lambda m, a: m.linalg.norm(a), B234),
    case("norm", "ord_matrix", lambda m, a: m.linalg.norm(a, -1), M34),
    case("norm", "ord_vector", lambda m, a: m.linalg.norm(a, 3), V4),
    case("norm", "nuc", lambda m, a: m.linalg.norm(a, "nuc"), M34),
    case("norm", "dim_pair", lambda m, a: m.linalg.norm(a, 2, dim=(0, 1)), B234),
    case("norm", "dim_one", lambda m, a: m.linalg.norm(a, 0.5, dim=1, keepdim=True), M34),
    case("norm", "f32", lambda m, a: m.linalg.norm(a, "fro"), M34.astype(F)),
]


# ---- decompositions and solvers ------------------------------------------------------------------------------
def _eigh_invariants(m, x):
    L, V = m.linalg.eigh(x + x.mT)
    return L, V.abs(), V[:, :1] @ V[:, :1].mT


def _svd_invariants(full):
    def fn(m, x):
        U, S, Vh = m.linalg.svd(x, full_matrices=full)
        k = S.shape[-1]
        return S, (U[..., :k] * S.unsqueeze(-2)) @ Vh[..., :k, :], U[..., :k] @ Vh[..., :k, :], U[..., :k].abs()
    return fn


def _chol(upper=False):
    return lambda m, x: m.linalg.cholesky(x @ x.mT + 3 * m.eye(x.shape[-1], dtype=x.dtype, device=x.device),
                                          upper=upper)


DECOMP = [
    case("inv", "basic", lambda m, a: m.linalg.inv(a), M33),
    case("inv", "batched", lambda m, a: m.linalg.inv(a), B233),
    case("inv", "f32", lambda m, a: m.linalg.inv(a), M33.astype(F)),
    case("inv", "noncontig", lambda m, a: m.linalg.inv(a.mT), B233),
    case("inv", "torch_inverse", lambda m, a: m.inverse(a), SPD),
    case("inv", "empty", lambda m, a: m.linalg.inv(a), np.zeros((0, 0))),
    case("det", "basic", lambda m, a: m.linalg.det(a), M33),
    case("det", "batched", lambda m, a: m.linalg.det(a), B233),
    # PyTorch's plain first-order gradient of an exactly singular matrix is 0 (not the finite differences)
    case("det", "singular", lambda m, a: m.linalg.det(a), SINGULAR, gradcheck=False),
    case("det", "mixed_batch", lambda m, a: m.linalg.det(a), np.stack([SINGULAR, M33]), gradcheck=False),
    case("det", "singular_first_order", lambda m, a: m.linalg.det(a), np.stack([SINGULAR, M33]), grad2=False,
         gradcheck=False),
    case("det", "f32", lambda m, a: a.det(), M33.astype(F)),
    case("det", "1x1", lambda m, a: m.det(a), np.array([[2.5]])),
    case("det", "empty", lambda m, a: m.linalg.det(a), np.zeros((0, 0))),
    case("slogdet", "basic", lambda m, a: tuple(m.linalg.slogdet(a)), M33),
    case("slogdet", "batched", lambda m, a: m.linalg.slogdet(a).logabsdet, B233),
    case("slogdet", "torch_slogdet", lambda m, a: m.slogdet(a)[1], SPD),
    case("slogdet", "sign_only", lambda m, a: m.linalg.slogdet(a).sign * 2, M33, gradcheck=False),
    case("slogdet", "f32", lambda m, a: m.linalg.slogdet(a)[1], M33.astype(F)),
    case("solve", "matrix", lambda m, a, b: m.linalg.solve(a, b), M33, M32),
    case("solve", "vector", lambda m, a, b: m.linalg.solve(a, b), M33, V3),
    case("solve", "batched_vector", lambda m, a, b: m.linalg.solve(a, b), B233, M23),
    case("solve", "broadcast", lambda m, a, b: m.linalg.solve(a, b), B233, R.standard_normal((3, 1, 3, 2))),
    case("solve", "left_false", lambda m, a, b: m.linalg.solve(a, b, left=False), M33, M23),
    case("solve", "f32", lambda m, a, b: m.linalg.solve(a, b), M33.astype(F), M32.astype(F)),
    case("cholesky", "lower", _chol(), M33),
    case("cholesky", "upper", _chol(True), M33),
    case("cholesky", "batched", _chol(), B233),
    case("cholesky", "f32", _chol(), M33.astype(F)),
    case("cholesky", "reads_lower", lambda m, a: m.linalg.cholesky(a), np.array([[4.0, 100.0], [2.0, 3.0]]),
         gradcheck=False),
    case("qr", "square", lambda m, a: tuple(m.linalg.qr(a)), M33),
    case("qr", "tall", lambda m, a: tuple(m.linalg.qr(a)), M43),
    case("qr", "wide", lambda m, a: tuple(m.linalg.qr(a)), M34),
    case("qr", "complete_wide", lambda m, a: tuple(m.linalg.qr(a, mode="complete")), M23),
    case("qr", "complete_tall", lambda m, a: tuple(m.linalg.qr(a, mode="complete")), M43, grad=False),
    case("qr", "r_mode", lambda m, a: m.linalg.qr(a, mode="r").R, M43, grad=False),
    case("qr", "batched_q_only", lambda m, a: m.linalg.qr(a).Q, B233),
    case("qr", "batched_r_only", lambda m, a: m.linalg.qr(a).R, B234),
    case("qr", "f32", lambda m, a: tuple(m.linalg.qr(a)), M43.astype(F)),
    case("eigh", "invariants", _eigh_invariants, M33),
    case("eigh", "eigenvalues", lambda m, a: m.linalg.eigh(a + a.mT).eigenvalues, B233),
    case("eigh", "upper", lambda m, a: m.linalg.eigvalsh(a + a.mT, UPLO="U"), M33),
    case("eigh", "eigvalsh", lambda m, a: m.linalg.eigvalsh(a + a.mT), M33),
    case("eigh", "f32", _eigh_invariants, M33.astype(F)),
    case("svd", "square", _svd_invariants(True), M33),
    case("svd", "tall_reduced", _svd_invariants(False), M43),
    case("svd", "wide_reduced", _svd_invariants(False), M34),
    case("svd", "tall_full", _svd_invariants(True), M43),
    case("svd", "wide_full", _svd_invariants(True), M23),
    case("svd", "batched", _svd_invariants(False), B234),
    case("svd", "f32", _svd_invariants(False), M34.astype(F)),
    case("svd", "svdvals", lambda m, a: m.linalg.svdvals(a), M34),
    case("svd", "empty", lambda m, a: tuple(m.linalg.svd(a)), E03, grad=False),
    case("pinv", "square", lambda m, a: m.linalg.pinv(a), M33),
    case("pinv", "tall", lambda m, a: m.linalg.pinv(a), M43),
    case("pinv", "wide", lambda m, a: m.linalg.pinv(a), M23),
    case("pinv", "batched", lambda m, a: m.linalg.pinv(a), B234),
    case("pinv", "hermitian", lambda m, a: m.linalg.pinv(a + a.mT, hermitian=True), M33),
    case("pinv", "rank_deficient", lambda m, a: m.linalg.pinv(a), SINGULAR, grad=False),
    case("pinv", "atol", lambda m, a: m.linalg.pinv(a, atol=0.5), np.diag([3.0, 1.0, 0.2]), grad=False),
    case("pinv", "rtol", lambda m, a: m.linalg.pinv(a, rtol=0.2), np.diag([3.0, 1.0, 0.5]), grad=False),
    case("pinv", "rcond", lambda m, a: m.linalg.pinv(a, 0.2), np.diag([3.0, 1.0, 0.5]), grad=False),
    case("pinv", "pinverse", lambda m, a: m.pinverse(a), M34),
    case("pinv", "f32", lambda m, a: m.linalg.pinv(a), M34.astype(F)),
    case("vecdot", "basic", lambda m, a, b: m.linalg.vecdot(a, b), M23, V3),
    case("vecdot", "1d", lambda m, a, b: m.linalg.vecdot(a, b), V3, V3 + 1),
    case("vecdot", "dim", lambda m, a, b: m.linalg.vecdot(a, b, dim=0), M23, M23[::-1].copy()),
    case("matmul", "linalg", lambda m, a, b: m.linalg.matmul(a, b), B223, M34),
]

ALL = MATMUL + EINSUM + DIAG + CDIST + NORMS + DECOMP


@pytest.mark.parametrize("fn,arrays,kw", ALL)
def test_parity(fn, arrays, kw):
    check(fn, *arrays, **kw)


@pytest.mark.parametrize("fn,arrays,kw", ALL)
def test_graph(fn, arrays, kw):
    """The recorded nodes, as torch records them."""
    c = _flat(fn(chainrule, *[_cr(a, True) for a in arrays]))
    t = _flat(fn(torch, *[_th(a, True) for a in arrays]))
    for x, y in zip(c, t, strict=True):
        if hasattr(y, "grad_fn"):
            assert graph(x) == graph(y), f"graph {graph(x)} vs torch {graph(y)}"


def _adjugate_t(a):
    """The cofactor matrix, entry by entry."""
    n = a.shape[0]
    minor = lambda i, j: np.delete(np.delete(a, i, 0), j, 1)  # noqa: E731
    return np.array([[(-1) ** (i + j) * np.linalg.det(minor(i, j)) for j in range(n)] for i in range(n)])


def test_det_gradient_of_a_singular_matrix():
    """Under create_graph, PyTorch's gradient is the adjugate (from the SVD); its plain first-order path is an LU
    solve that gives 0 for an exactly singular matrix."""
    a = chainrule.tensor(SINGULAR, requires_grad=True)
    (g,) = chainrule.autograd.grad(chainrule.linalg.det(a), a, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), _adjugate_t(SINGULAR), atol=1e-12)
    (g,) = chainrule.autograd.grad(chainrule.linalg.det(a), a)
    np.testing.assert_array_equal(g.numpy(), 0)
    t = torch.tensor(SINGULAR, requires_grad=True)
    np.testing.assert_array_equal(torch.autograd.grad(torch.linalg.det(t), t)[0].numpy(), 0)


def test_decomposition_results_have_lapack_layout():
    """Column-major matrices, as PyTorch returns them: later views and reshapes behave as there."""
    for fn in (lambda m, a: m.linalg.svd(a), lambda m, a: m.linalg.qr(a), lambda m, a: (m.linalg.inv(a[..., :3]),),
               lambda m, a: m.linalg.eigh(a[..., :3]), lambda m, a: (m.linalg.solve(a[..., :3], a[..., 0]),)):
        for c, t in zip(fn(chainrule, chainrule.tensor(B234)), fn(torch, torch.tensor(B234)), strict=True):
            assert c.stride() == t.stride()


def test_vector_norm_gradient_is_zero_at_the_origin():
    x = chainrule.zeros(3, requires_grad=True)
    chainrule.linalg.vector_norm(x).backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_decomposition_outputs_are_named():
    a = chainrule.tensor(M33)
    assert chainrule.linalg.slogdet(a)._fields == ("sign", "logabsdet")
    assert chainrule.linalg.eigh(a)._fields == ("eigenvalues", "eigenvectors")
    assert chainrule.linalg.qr(a)._fields == ("Q", "R")
    assert chainrule.linalg.svd(a)._fields == ("U", "S", "Vh")
    assert type(chainrule.linalg.svd(a)).__name__ == "linalg_svd"


def test_linalg_error_is_a_runtime_error():
    assert issubclass(chainrule.linalg.LinAlgError, RuntimeError)
    with pytest.raises(chainrule.linalg.LinAlgError):
        chainrule.linalg.inv(chainrule.zeros(2, 2))


def test_cross_without_dim_warns_once_and_picks_the_first_dim_of_size_3():
    a, b = chainrule.tensor(M33), chainrule.tensor(SYM)
    with pytest.warns(UserWarning, match="without specifying the dim"):
        out = chainrule.cross(a, b)
    np.testing.assert_allclose(out.numpy(), torch.cross(torch.tensor(M33), torch.tensor(SYM), dim=0).numpy())


def test_diagonal_is_a_writable_view():
    a = chainrule.zeros(3, 3)
    a.diagonal().add_(2.0)
    np.testing.assert_array_equal(a.numpy(), 2 * np.eye(3))


def test_qr_r_mode_has_no_derivative():
    a = chainrule.tensor(M43, requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='r'"):
        chainrule.linalg.qr(a, mode="r").R.sum().backward()


def test_qr_complete_tall_has_no_derivative():
    a = chainrule.tensor(M43, requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='complete' and nrows > ncols"):
        chainrule.linalg.qr(a, mode="complete").Q.sum().backward()


# ---- errors -----------------------------------------------------------------------------------------------
L3 = np.ones(3, dtype=np.int64)
ERRORS = [
    case("matmul", "0d", lambda m, a, b: m.matmul(a, b), np.array(1.0), V3),
    case("matmul", "number", lambda m, a: m.matmul(a, 2), V3),
    case("matmul", "1d_1d_size", lambda m, a, b: a @ b, V3, V4),
    case("matmul", "2d_1d_size", lambda m, a, b: a @ b, M23, V4),
    case("matmul", "1d_2d_size", lambda m, a, b: a @ b, V3, M43),
    case("matmul", "fold_size", lambda m, a, b: a @ b, B523, M43),
    case("matmul", "fold_vector_size", lambda m, a, b: a @ b, B523, V4),
    case("matmul", "1d_3d_size", lambda m, a, b: a @ b, V4, B534),
    case("matmul", "batch_size", lambda m, a, b: a @ b, B223, R.standard_normal((2, 4, 2))),
    case("matmul", "batch_broadcast", lambda m, a, b: a @ b, B523, R.standard_normal((4, 3, 2))),
    case("matmul", "dtype_1d", lambda m, a, b: a @ b, V3, V3.astype(F)),
    case("matmul", "dtype_mv", lambda m, a, b: a @ b, M23, V3.astype(F)),
    case("matmul", "dtype_mm", lambda m, a, b: a @ b, M23, M34.astype(F)),
    case("matmul", "dtype_bmm", lambda m, a, b: a @ b, B223, B234.astype(F)),
    case("matmul", "bool", lambda m, a, b: a @ b, INT23 > 0, INT34 > 0),
    case("mm", "not_matrix", lambda m, a, b: m.mm(a, b), V3, M34),
    case("mm", "not_matrix2", lambda m, a, b: m.mm(a, b), M23, V3),
    case("mm", "size", lambda m, a, b: m.mm(a, b), M23, M43),
    case("mm", "int_float", lambda m, a, b: m.mm(a, b), INT23, M34),
    case("bmm", "2d", lambda m, a, b: m.bmm(a, b), B223, M34),
    case("bmm", "size", lambda m, a, b: m.bmm(a, b), B223, R.standard_normal((3, 3, 2))),
    case("bmm", "bool", lambda m, a, b: m.bmm(a, b), B223 > 0, B234 > 0),
    case("mv", "2d_vec", lambda m, a, b: m.mv(a, b), M23, M32),
    case("mv", "size", lambda m, a, b: m.mv(a, b), M23, V4),
    case("mv", "dtype", lambda m, a, b: m.mv(a, b), M23, V3.astype(F)),
    case("dot", "2d", lambda m, a, b: m.dot(a, b), M23, V3),
    case("dot", "bool", lambda m, a, b: m.dot(a, b), V3 > 0, V3 > 0),
    case("vdot", "size", lambda m, a, b: m.vdot(a, b), V3, V4),
    case("vdot", "dtype", lambda m, a, b: m.vdot(a, b), V3, V3.astype(F)),
    case("outer", "2d", lambda m, a, b: m.outer(a, b), V3, M23),
    case("addmm", "dtype", lambda m, c, a, b: m.addmm(c, a, b), M34[:2], M23, M34.astype(F)),
    case("addmm", "dtype_mat1", lambda m, c, a, b: m.addmm(c, a, b), M34[:2], M23.astype(F), M34),
    case("addmm", "input_shape", lambda m, c, a, b: m.addmm(c, a, b), M34, M23, M34),
    case("addmm", "vector", lambda m, c, a, b: m.addmm(c, a, b), M34[:2], V3, M34),
    case("addmv", "size", lambda m, c, a, v: m.addmv(c, a, v), V3, M23, V3),
    case("addmv", "2d_input", lambda m, c, a, v: m.addmv(c, a, v), M23[:, :1], M23, V3),
    case("addmv", "dtype", lambda m, c, a, v: m.addmv(c, a, v), V2.astype(F), M23, V3),
    case("addbmm", "batches", lambda m, c, a, b: m.addbmm(c, a, b), M34[:2], B223, B534[:4]),
    case("addbmm", "sizes", lambda m, c, a, b: m.addbmm(c, a, b), M34[:2], B223, B223),
    case("addbmm", "input", lambda m, c, a, b: m.addbmm(c, a, b), M34, B223, B234),
    case("addbmm", "dtype", lambda m, c, a, b: m.addbmm(c, a, b), M34[:2], B223.astype(F), B234),
    case("baddbmm", "dtype_input", lambda m, c, a, b: m.baddbmm(c, a, b), B234[:, :2].astype(F), B223, B234),
    case("baddbmm", "dtype_batch", lambda m, c, a, b: m.baddbmm(c, a, b), B234[:, :2], B223, B234.astype(F)),
    case("baddbmm", "sizes", lambda m, c, a, b: m.baddbmm(c, a, b), B234[:, :2], B223, B223),
    case("baddbmm", "input", lambda m, c, a, b: m.baddbmm(c, a, b), B234, B223, B234),
    case("baddbmm", "bool", lambda m, c, a, b: m.baddbmm(c, a, b), B234[:, :2] > 0, B223 > 0, B234 > 0),
    case("einsum", "size", lambda m, a, b: m.einsum("ij,jk->ik", a, b), M23, M43),
    case("einsum", "fewer_operands", lambda m, a: m.einsum("ij,jk->ik", a), M23),
    case("einsum", "more_operands", lambda m, a, b: m.einsum("ij->ij", a, b), M23, M23),
    case("einsum", "unknown_output", lambda m, a: m.einsum("ij->ik", a), M23),
    case("einsum", "repeated_output", lambda m, a: m.einsum("ij->ii", a), M23),
    case("einsum", "diagonal_sizes", lambda m, a: m.einsum("ii->i", a), M23),
    case("einsum", "subscript_count", lambda m, a: m.einsum("ij", a), B234),
    case("einsum", "too_many_with_ellipsis", lambda m, a: m.einsum("ijk...", a), M23),
    case("einsum", "bad_subscript", lambda m, a: m.einsum("i0", a), M23),
    case("einsum", "bad_output_subscript", lambda m, a: m.einsum("ij->i0", a), M23),
    case("einsum", "dots", lambda m, a: m.einsum("i..j", a), M23),
    case("einsum", "two_ellipses", lambda m, a: m.einsum("...i...", a), M23),
    case("einsum", "output_dots", lambda m, a: m.einsum("ij->i.j", a), M23),
    case("einsum", "output_two_ellipses", lambda m, a: m.einsum("...ij->......", a), M23),
    case("einsum", "ellipsis_sizes", lambda m, a, b: m.einsum("...ij,...j", a, b), B234, R.standard_normal((5, 4))),
    case("einsum", "dtype", lambda m, a, b: m.einsum("ij,jk->ik", a, b), M23, M34.astype(F)),
    case("einsum", "no_operands", lambda m: m.einsum("ij")),
    case("einsum", "sublist_range", lambda m, a: m.einsum(a, [0, 60]), M23),
    case("tensordot", "negative", lambda m, a, b: m.tensordot(a, b, dims=-1), M23, M32),
    case("tensordot", "too_many", lambda m, a, b: m.tensordot(a, b, dims=3), M23, M32),
    case("tensordot", "lengths", lambda m, a, b: m.tensordot(a, b, dims=([1], [0, 1])), M23, M32),
    case("tensordot", "sizes", lambda m, a, b: m.tensordot(a, b, dims=([1], [0])), M23, M23),
    case("tensordot", "dtype", lambda m, a, b: m.tensordot(a, b, dims=1), M23, M32.astype(F)),
    case("tensordot", "ints", lambda m, a, b: m.tensordot(a, b, dims=(1, 0)), M23, M32),
    case("tensordot", "float_dims", lambda m, a, b: m.tensordot(a, b, dims=1.5), M23, M32),
    case("diagonal", "same_dims", lambda m, a: m.diagonal(a, 0, 1, -2), B234),
    case("diagonal", "dim_range", lambda m, a: m.diagonal(a, 0, 1, 3), B234),
    case("diagonal", "1d", lambda m, a: m.diagonal(a), V3),
    case("diag", "3d", lambda m, a: m.diag(a), B234),
    case("diag", "0d", lambda m, a: m.diag(a), np.array(1.0)),
    case("diag_embed", "same_dims", lambda m, a: m.diag_embed(a, 0, 1, -2), M23),
    case("diag_embed", "0d", lambda m, a: m.diag_embed(a), np.array(1.0)),
    case("tril", "1d", lambda m, a: m.tril(a), V3),
    case("triu", "0d", lambda m, a: m.triu(a), np.array(1.0)),
    case("trace", "1d", lambda m, a: m.trace(a), V3),
    case("trace", "bool", lambda m, a: m.trace(a), M33 > 0),
    case("cross", "length", lambda m, a, b: m.cross(a, b, dim=0), M23, M23),
    case("cross", "no_dim_of_3", lambda m, a, b: m.cross(a, b), M34[:2], M34[:2]),
    case("cross", "ndim", lambda m, a, b: m.linalg.cross(a, b), M23, V3),
    case("cross", "broadcast", lambda m, a, b: m.linalg.cross(a, b), M23, M43),
    case("cross", "dim_range", lambda m, a, b: m.linalg.cross(a, b, dim=5), M32, M32),
    case("cross", "dtype", lambda m, a, b: m.linalg.cross(a, b), L3, V3),
    case("kron", "noncontig", lambda m, a, b: m.kron(a.t(), b), M23, V2),
    case("cdist", "1d", lambda m, a, b: m.cdist(a, b), V3, M32),
    case("cdist", "columns", lambda m, a, b: m.cdist(a, b), M23, M32),
    case("cdist", "int", lambda m, a, b: m.cdist(a, b), INT23, M23),
    case("cdist", "negative_p", lambda m, a, b: m.cdist(a, b, p=-1), M23, M23),
    case("cdist", "mode", lambda m, a, b: m.cdist(a, b, compute_mode="foo"), M23, M23),
    case("cdist", "dtype", lambda m, a, b: m.cdist(a, b), M23, M23.astype(F)),
    case("cdist", "batch", lambda m, a, b: m.cdist(a, b), B223, R.standard_normal((3, 4, 3))),
    case("vector_norm", "int", lambda m, a: m.linalg.vector_norm(a), L3),
    case("vector_norm", "str_ord", lambda m, a: m.linalg.vector_norm(a, "fro"), V3),
    case("matrix_norm", "1d", lambda m, a: m.linalg.matrix_norm(a), V3),
    case("matrix_norm", "order", lambda m, a: m.linalg.matrix_norm(a, 3), M33),
    case("matrix_norm", "str_order", lambda m, a: m.linalg.matrix_norm(a, "foo"), M33),
    case("matrix_norm", "same_dims", lambda m, a: m.linalg.matrix_norm(a, dim=(0, -2)), M33),
    case("matrix_norm", "one_dim", lambda m, a: m.linalg.matrix_norm(a, dim=(0,)), M33),
    case("matrix_norm", "int", lambda m, a: m.linalg.matrix_norm(a, "nuc"), INT34),
    case("matrix_norm", "narrowing", lambda m, a: m.linalg.matrix_norm(a, dtype=m.float32), M33),
    case("norm", "3d_ord", lambda m, a: m.linalg.norm(a, 2), B234),
    case("norm", "three_dims", lambda m, a: m.linalg.norm(a, dim=(0, 1, 2)), B234),
    case("norm", "nuc_one_dim", lambda m, a: m.linalg.norm(a, "nuc", dim=1), B234),
    case("norm", "fro_1d", lambda m, a: m.linalg.norm(a, "fro"), V3),
    case("inv", "1d", lambda m, a: m.linalg.inv(a), V3),
    case("inv", "rect", lambda m, a: m.linalg.inv(a), M23),
    case("inv", "int", lambda m, a: m.linalg.inv(a), INT34[:3, :3]),
    case("inv", "singular", lambda m, a: m.linalg.inv(a), SINGULAR),
    case("inv", "zeros", lambda m, a: m.linalg.inv(a), np.zeros((3, 3))),
    case("inv", "singular_in_batch", lambda m, a: m.linalg.inv(a), np.stack([M33, np.zeros((3, 3))])),
    case("det", "rect", lambda m, a: m.linalg.det(a), M23),
    case("det", "int", lambda m, a: m.linalg.det(a), INT34[:3, :3]),
    case("slogdet", "1d", lambda m, a: m.linalg.slogdet(a), V3),
    case("solve", "shapes", lambda m, a, b: m.linalg.solve(a, b), M33, M23[:, :2]),
    case("solve", "vector_shape", lambda m, a, b: m.linalg.solve(a, b), M33, V2),
    case("solve", "batch", lambda m, a, b: m.linalg.solve(a, b), B233, R.standard_normal((4, 3, 1))),
    case("solve", "singular", lambda m, a, b: m.linalg.solve(a, b), SINGULAR, V3),
    case("solve", "singular_in_batch", lambda m, a, b: m.linalg.solve(a, b), np.stack([M33, SINGULAR]), M23),
    case("solve", "dtype", lambda m, a, b: m.linalg.solve(a, b), M33, V3.astype(F)),
    case("solve", "int", lambda m, a, b: m.linalg.solve(a, b), INT34[:3, :3], L3),
    case("solve", "rect", lambda m, a, b: m.linalg.solve(a, b), M23, V2),
    case("solve", "right_vector", lambda m, a, b: m.linalg.solve(a, b, left=False), M33, V3),
    case("cholesky", "not_pd", lambda m, a: m.linalg.cholesky(a), -np.eye(3)),
    case("cholesky", "not_pd_order2", lambda m, a: m.linalg.cholesky(a), np.array([[4.0, 2.0], [100.0, 3.0]])),
    case("cholesky", "upper_reads_upper", lambda m, a: m.linalg.cholesky(a, upper=True),
         np.array([[4.0, 100.0], [2.0, 3.0]])),
    case("cholesky", "in_batch", lambda m, a: m.linalg.cholesky(a), np.stack([np.eye(3), -np.eye(3)])),
    case("cholesky", "rect", lambda m, a: m.linalg.cholesky(a), M23),
    case("cholesky", "int", lambda m, a: m.linalg.cholesky(a), INT34[:3, :3]),
    case("qr", "1d", lambda m, a: m.linalg.qr(a), V3),
    case("qr", "mode", lambda m, a: m.linalg.qr(a, mode="foo"), M33),
    case("qr", "int", lambda m, a: m.linalg.qr(a), INT34),
    case("eigh", "rect", lambda m, a: m.linalg.eigh(a), M23),
    case("eigh", "uplo", lambda m, a: m.linalg.eigh(a, UPLO="X"), M33),
    case("eigh", "int", lambda m, a: m.linalg.eigh(a), INT34[:3, :3]),
    case("svd", "1d", lambda m, a: m.linalg.svd(a), V3),
    case("svd", "int", lambda m, a: m.linalg.svd(a), INT34),
    case("svd", "svdvals_1d", lambda m, a: m.linalg.svdvals(a), V3),
    case("svd", "driver", lambda m, a: m.linalg.svd(a, driver="gesvd"), M33),
    case("pinv", "1d", lambda m, a: m.linalg.pinv(a), V3),
    case("pinv", "int", lambda m, a: m.linalg.pinv(a), INT34),
    case("pinv", "rcond_and_rtol", lambda m, a: m.linalg.pinv(a, 0.1, rtol=0.2), M33),
    case("vecdot", "dtype", lambda m, a, b: m.linalg.vecdot(a, b), V3, V3.astype(F)),
    case("vecdot", "size", lambda m, a, b: m.linalg.vecdot(a, b), V3, V4),
    case("vecdot", "int", lambda m, a, b: m.linalg.vecdot(a, b), L3, L3),
]


@pytest.mark.parametrize("fn,arrays,kw", ERRORS)
@pytest.mark.filterwarnings("ignore:Using torch.cross")  # compared in test_cross_without_dim_warns_once
def test_errors(fn, arrays, kw):
    expect_error(fn, *arrays)


def test_cross_without_dim_warns_once():
    """Both warn once per process (TORCH_WARN_ONCE) with the same text; fresh processes, as xdist shares one."""
    pytest.importorskip("torch")
    code = ("import warnings, {m}\nwarnings.simplefilter('always')\na = {m}.ones(3, 3)\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always'); {m}.cross(a, a); {m}.cross(a, a)\n"
            "print(repr([(x.category.__name__, str(x.message)) for x in w]))")
    got = {m: subprocess.run([sys.executable, "-c", code.format(m=m)], capture_output=True, text=True, check=True)
           .stdout for m in ("chainrule", "torch")}
    assert got["chainrule"] == got["torch"] and "Cross.cpp" in got["torch"]


# ---- random shapes -----------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.lists(st.integers(1, 3), max_size=2),
       st.lists(st.integers(1, 3), max_size=2), st.booleans(), st.booleans())
def test_random_matmul_broadcasting(n, k, p, batch_a, batch_b, vec_a, vec_b):
    batch_b = [1 if i % 2 else s for i, s in enumerate(batch_b)]  # size-1 dims to broadcast
    batch_a = batch_a[:len(batch_a) - len(batch_b)] + [s if b == 1 else b for s, b in zip(batch_a[-len(batch_b):],
                                                                                         batch_b)] if batch_b else batch_a
    rng = np.random.default_rng(n * 9 + k * 3 + p)
    a = rng.standard_normal([k] if vec_a else batch_a + [n, k])
    b = rng.standard_normal([k] if vec_b else batch_b + [k, p])
    check(lambda m, x, y: x @ y, a, b, gradcheck=False)
    c = _flat((_cr(a, True) @ _cr(b, True)))[0]
    t = _flat((_th(a, True) @ _th(b, True)))[0]
    assert graph(c) == graph(t)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=2, max_size=3), st.sampled_from(["ij", "ji", "i", "j", ""]))
def test_random_einsum(shape, out):
    rng = np.random.default_rng(sum(shape))
    a = rng.standard_normal(shape[:2])
    b = rng.standard_normal(shape[1:2] + shape[2:])
    eq = "ij,j" + ("k" if len(shape) > 2 else "") + "->" + out
    check(lambda m, x, y: m.einsum(eq, x, y), a, b, gradcheck=False)


# ---- CUDA ---------------------------------------------------------------------------------------------------
def _run_on(dev, fn, arrays, grad):
    """Forward values, gradients and second-order gradients of fn on one device, as NumPy arrays."""
    ins = [chainrule.tensor(a, device=dev) for a in arrays]
    ins = [t.requires_grad_() if grad and t.is_floating_point() else t for t in ins]
    outs = _flat(fn(chainrule, *ins))
    diff = [t for t in ins if t.requires_grad]
    res = [o.detach().cpu().numpy() for o in outs]
    grads = [o for o in outs if o.requires_grad]
    if not grads:
        return res
    rng = np.random.default_rng(0)
    seeds = [chainrule.tensor(rng.standard_normal(tuple(o.shape)), device=dev).to(o.dtype) for o in grads]
    g = chainrule.autograd.grad(grads, diff, seeds, create_graph=True, allow_unused=True)
    total = sum(((gi * chainrule.tensor(rng.standard_normal(tuple(gi.shape)), device=dev)).sum()
                 for gi in g if gi is not None and gi.requires_grad), chainrule.tensor(0., device=dev))
    g2 = chainrule.autograd.grad(total, diff, allow_unused=True) if total.requires_grad else ()
    return res + [t.detach().cpu().numpy() for t in list(g) + list(g2) if t is not None]


@pytest.mark.skipif(not chainrule.cuda.is_available(), reason="no CUDA device with CuPy on this machine")
@pytest.mark.parametrize("fn,arrays,kw", ALL)
def test_cuda_matches_cpu(fn, arrays, kw):
    f32 = any(getattr(a, "dtype", None) == np.float32 for a in arrays)
    grad = kw.get("grad", True)
    for a, b in zip(_run_on("cpu", fn, arrays, grad), _run_on("cuda", fn, arrays, grad), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4 if f32 else 1e-7, atol=1e-4 if f32 else 1e-9, equal_nan=True)
