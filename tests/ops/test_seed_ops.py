"""Parity and finite differences for the ops the foundation issue needs (a sample; families have their own files)."""
import numpy as np
import pytest

from parity import check, expect_error

R = np.random.default_rng(1)
A = R.standard_normal((3, 4))
B = R.standard_normal((4,))
P = R.random((3, 4)) + 0.5


@pytest.mark.parametrize("fn,args", [
    (lambda m, a, b: a + b, (A, B)),
    (lambda m, a, b: a - b * 2, (A, B)),
    (lambda m, a: 1 - a, (A,)),
    (lambda m, a, b: a * b, (A, B)),
    (lambda m, a, b: a / b, (A, B)),
    (lambda m, a: 2 / a, (P,)),
    (lambda m, a: a ** 3, (A,)),
    (lambda m, a, b: a ** b, (P, B)),
    (lambda m, a: 2 ** a, (A,)),
    (lambda m, a: -a, (A,)),
    (lambda m, a: a.abs(), (A,)),
    (lambda m, a: m.exp(a), (A,)),
    (lambda m, a: m.log(a), (P,)),
    (lambda m, a: m.sqrt(a), (P,)),
    (lambda m, a: m.sin(a) + m.cos(a), (A,)),
    (lambda m, a: m.tanh(a), (A,)),
    (lambda m, a: m.sigmoid(a), (A,)),
    (lambda m, a: m.relu(a), (A,)),
    (lambda m, a: m.clamp(a, -0.5, 0.5), (A,)),
    (lambda m, a: a.clamp(min=0.1), (A,)),
    (lambda m, a: a.sum(), (A,)),
    (lambda m, a: a.sum(1, keepdim=True), (A,)),
    (lambda m, a: a.sum((0, 1)), (A,)),
    (lambda m, a: a.mean(), (A,)),
    (lambda m, a: a.mean(-1), (A,)),
    (lambda m, a: a.max(), (A,)),
    (lambda m, a: a.max(1), (A,)),
    (lambda m, a: a.max(0, keepdim=True), (A,)),
    (lambda m, a: a.min(1), (A,)),
    (lambda m, a, b: m.max(a, b), (A, B)),
    (lambda m, a, b: m.maximum(a, b), (A, B)),
    (lambda m, a, b: m.minimum(a, b), (A, B)),
    (lambda m, a, b: a @ b, (A, B)),
    (lambda m, a: a @ a.T, (A,)),
    (lambda m, a: a.t().mm(a), (A,)),
    (lambda m, a: a.reshape(2, 6).view(12), (A,)),
    (lambda m, a: a.transpose(0, 1), (A,)),
    (lambda m, a: a[1:, ::2], (A,)),
    (lambda m, a: a[[0, 2, 0]], (A,)),
    (lambda m, a: a[a > 0], (A,)),
    (lambda m, a: a[None, ..., 1], (A,)),
])
def test_op(fn, args):
    check(fn, *args)


def test_ties_in_max_split_evenly():
    check(lambda m, a: a.max(), np.array([1.0, 3.0, 3.0, 2.0]), gradgradcheck=False)  # a tie is a kink


def test_maximum_of_equal_inputs_halves():
    check(lambda m, a, b: m.maximum(a, b), np.array([1.0, 2.0]), np.array([1.0, 3.0]), gradgradcheck=False)


def test_float32():
    check(lambda m, a, b: (a * b).sum(0), A.astype(np.float32), B.astype(np.float32))


@pytest.mark.parametrize("fn,args", [
    (lambda m, a, b: a + b, (np.ones(3), np.ones(4))),
    (lambda m, a, b: a + b, (np.ones((2, 3)), np.ones((2, 4)))),
    (lambda m, a, b: a @ b, (np.ones((2, 3)), np.ones((4, 5)))),
    (lambda m, a: a.item(), (np.ones(3),)),
    (lambda m, a: a.sum(2), (np.ones((2, 3)),)),
    (lambda m, a: a.view(5), (np.ones((2, 3)),)),
    (lambda m, a: m.tensor([1, 2]).requires_grad_(), (np.ones(1),)),
    (lambda m, a: m.tensor([1, 2]).mean(), (np.ones(1),)),
])
def test_errors(fn, args):
    expect_error(fn, *args)
