"""chainrule.explain_grad (alias why_no_grad): why .grad is None, or not what was expected."""

import pytest

import chainrule as torch


def setup():
    w = torch.tensor(2.0, requires_grad=True)
    x = torch.tensor(3.0)
    y = w * x
    loss = y * y
    return w, x, y, loss


def test_alias_and_report_forms():
    assert torch.why_no_grad is torch.explain_grad
    _, _, y, loss = setup()
    r = torch.explain_grad(y, loss, name="y")
    assert str(r).startswith("Why y.grad is None:") and repr(r) == str(r)
    assert r._repr_markdown_().startswith("**Why y.grad is None**")
    assert r.findings[0]["fix"]


def test_not_a_leaf():
    _, _, y, loss = setup()
    r = torch.explain_grad(y, loss, name="y")
    assert r.causes == ["not_leaf"]
    assert "y.retain_grad()" in str(r) and "MulBackward0" in str(r)


def test_retained_non_leaf_is_checked_like_a_leaf():
    _, _, y, loss = setup()
    y.retain_grad()
    assert torch.explain_grad(y, loss).causes == ["no_backward"]
    loss.backward(retain_graph=True)
    assert torch.explain_grad(y, loss).causes == ["as_expected"]


def test_never_required_grad_and_used_as_a_constant():
    _, x, _, loss = setup()
    r = torch.explain_grad(x, loss, name="x")
    assert r.causes == ["requires_grad_false"]
    assert "constant input of MulBackward0" in str(r) and "x.requires_grad_()" in str(r)


def test_created_under_no_grad():
    w = torch.tensor(2.0, requires_grad=True)
    with torch.no_grad():
        v = w * 2  # looks like a leaf: no grad_fn, requires_grad=False
    assert torch.explain_grad(v).causes == ["requires_grad_false"]
    assert "no_grad()" in str(torch.explain_grad(v))
    loss = (v * w).sum()
    r = torch.explain_grad(v, loss, name="v")
    assert r.causes == ["requires_grad_false"] and "constant input" in str(r)


def test_detached():
    w, *_ = setup()
    d = w.detach()
    r = torch.explain_grad(d, name="d")
    assert r.causes == ["detached"] and ".detach()" in str(r)


def test_not_connected_to_the_output():
    *_, loss = setup()
    other = torch.tensor(1.0, requires_grad=True)
    r = torch.explain_grad(other, loss, name="other")
    assert r.causes == ["not_connected"] and "no_grad()" in str(r)


def test_not_connected_through_a_detached_copy():
    w = torch.tensor(2.0, requires_grad=True)
    k = torch.tensor(3.0, requires_grad=True)
    loss = w.detach() * k
    r = torch.explain_grad(w, loss, name="w")
    assert r.causes == ["not_connected"] and "w.detach()" in str(r)


def test_output_computed_without_a_graph():
    w = torch.tensor(2.0, requires_grad=True)
    with torch.no_grad():
        loss = w * w
    assert torch.explain_grad(w, loss).causes == ["output_has_no_graph"]


def test_backward_not_called_yet():
    w, _, _, loss = setup()
    assert torch.explain_grad(w, loss).causes == ["no_backward"]
    assert torch.explain_grad(w).causes == ["no_backward"]
    assert "output=" in str(torch.explain_grad(w))


def test_as_expected_then_accumulated_over_two_backwards():
    w, _, _, loss = setup()
    loss.backward(retain_graph=True)
    assert torch.explain_grad(w, loss).causes == ["as_expected"]
    loss.backward(retain_graph=True)
    r = torch.explain_grad(w, loss, name="w")
    assert r.causes == ["accumulated"] and "2 times" in str(r)


def test_accumulated_from_another_loss():
    w, _, _, loss = setup()
    (w * 5).backward()
    loss.backward(retain_graph=True)
    r = torch.explain_grad(w, loss)
    assert r.causes == ["accumulated"] and "several backward" in str(r)


def test_zeroed():
    w, _, _, loss = setup()
    loss.backward(retain_graph=True)
    w.grad.zero_()
    assert torch.explain_grad(w, loss).causes == ["zeroed"]
    assert torch.explain_grad(w).causes == ["zeroed"]


def test_graph_freed_so_nothing_to_compare():
    w, _, _, loss = setup()
    loss.backward()
    r = torch.explain_grad(w, loss)
    assert r.causes == ["graph_freed"] and "retain_graph=True" in str(r)


def test_holds_a_gradient_without_output():
    w, _, _, loss = setup()
    loss.backward()
    r = torch.explain_grad(w, name="w")
    assert r.causes == ["has_grad"] and not r.grad_is_none and str(r).startswith("What w.grad holds")


def test_rejects_non_tensors():
    with pytest.raises(TypeError):
        torch.explain_grad(3.0)
    with pytest.raises(TypeError):
        torch.explain_grad(torch.tensor(1.0), output=2.0)
