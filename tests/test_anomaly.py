"""Anomaly detection and the saved-tensor checks that go with it, against torch 2.13."""
import warnings

import pytest

import chainrule
from scenario import same_as_torch

SCENARIOS = {
    "flags": """
print(torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled())
with torch.autograd.set_detect_anomaly(True, check_nan=False):
    print(torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled())
print(torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled())
torch.autograd.set_detect_anomaly(True)
print(torch.is_anomaly_enabled())
torch.autograd.set_detect_anomaly(False)
print(torch.is_anomaly_enabled())
""",
    "nan in a backward output": """
import warnings
x = torch.tensor([0.0, 1.0], requires_grad=True)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    with torch.autograd.detect_anomaly():
        y = (x.sqrt() * 0).sum()
        try:
            y.backward()
        except RuntimeError as e:
            print(e)
print(x.grad, torch.is_anomaly_enabled())
""",
    "in-place error hint in anomaly mode": """
import warnings
a = torch.ones(3, requires_grad=True)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    with torch.autograd.detect_anomaly(check_nan=False):
        y = a.exp(); y.add_(1)
        y.sum().backward()
""",
    "in-place error hint outside anomaly mode": """
a = torch.ones(3, requires_grad=True)
y = a.exp(); y.add_(1)
y.sum().backward()
""",
    "a saved tensor detached in place": """
a = torch.ones(3, requires_grad=True)
y = a * 2; z = y * y
y.detach_()
z.sum().backward()
""",
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(name):
    same_as_torch(SCENARIOS[name])


def test_warnings_name_the_node_and_the_forward_call():
    x = chainrule.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with chainrule.autograd.detect_anomaly():
            y = (x.sqrt() * 0).sum()  # the forward call the warning must show
            with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values in its 0th output."):
                y.backward()
    texts = [str(w.message) for w in caught]
    assert texts[0].startswith("Anomaly Detection has been enabled.")
    err = texts[1]
    assert err.startswith("Error detected in SqrtBackward0. Traceback of forward call that caused the error:\n")
    assert "y = (x.sqrt() * 0).sum()  # the forward call" in err and "chainrule/ops" not in err
    assert err.endswith("(Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:122.)")
    assert not chainrule.is_anomaly_enabled()


def test_nodes_made_outside_anomaly_mode_have_no_forward_trace():
    x = chainrule.tensor([0.0], requires_grad=True)
    y = (x.sqrt() * 0).sum()
    assert "traceback_" not in y.grad_fn.metadata
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with chainrule.autograd.set_detect_anomaly(True):
            with pytest.raises(RuntimeError, match="returned nan values"):
                y.backward()
    assert [str(w.message) for w in caught] == [
        "Error detected in SqrtBackward0. No forward pass information available. Enable detect anomaly during "
        "forward pass for more information. (Triggered internally at "
        "/__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:100.)"]
