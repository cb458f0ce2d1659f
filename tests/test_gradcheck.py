"""gradcheck and gradgradcheck catch wrong derivatives (the op suites rely on them where torch is absent)."""
import numpy as np
import pytest

import chainrule
from chainrule.autograd import GradcheckError, gradcheck, gradgradcheck
from chainrule.ops._op import apply, defop

# x**3 with a right first derivative that is constant to autograd (detach): its second derivative is lost
_cube_flat = defop("cube_flat", "CubeFlatBackward0", lambda xp, x: x ** 3, (lambda g, x: g * 3 * x.detach() ** 2,))
# x**3 with a wrong first derivative
_cube_wrong = defop("cube_wrong", "CubeWrongBackward0", lambda xp, x: x ** 3, (lambda g, x: g * 2 * x ** 2,))
_cube = defop("cube", "CubeBackward0", lambda xp, x: x ** 3, (lambda g, x: g * 3 * x ** 2,))


def _x():
    return chainrule.tensor(np.array([0.5, -1.25, 2.0]), requires_grad=True)


def test_right_derivatives_pass_both():
    assert gradcheck(lambda x: apply(_cube, (x,)), (_x(),))
    assert gradgradcheck(lambda x: apply(_cube, (x,)), (_x(),))


def test_wrong_first_derivative_fails_gradcheck():
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(lambda x: apply(_cube_wrong, (x,)), (_x(),))
    assert gradcheck(lambda x: apply(_cube_wrong, (x,)), (_x(),), raise_exception=False) is False


def test_lost_second_derivative_fails_gradgradcheck():
    f = lambda x: apply(_cube_flat, (x,))  # noqa: E731
    assert gradcheck(f, (_x(),))
    with pytest.raises(GradcheckError):
        gradgradcheck(f, (_x(),))


def test_gradgradcheck_through_a_view_made_in_the_check():
    """The numerical pass perturbs inputs under no_grad; first gradients must still be computed with grad."""
    assert gradgradcheck(lambda x: x[1:] ** 3, (_x(),))
