"""Run a snippet with `torch` bound to chainrule and to real torch; everything printed must match.

Printed text, the displayed last value, exceptions (type and message) and warnings are compared,
with "torch." read as "chainrule." and object addresses masked.
"""
import re

import pytest

import chainrule
from notebook_runner import run_cells

try:
    import torch
except ImportError:
    torch = None

_ADDR = re.compile(r"0x[0-9a-fA-F]+")


def _norm(text):
    if text is None:
        return None
    return _ADDR.sub("0x…", text.replace("torch.", "chainrule.").replace("torch::", "chainrule::"))


def _view(r):
    return {
        "stdout": _norm(r.stdout),
        "display": _norm(r.display),
        "exception": None if r.exception is None else (r.exception[0], _norm(r.exception[1])),
        "warnings": [(c, _norm(m)) for c, m, _ in r.warnings],
    }


def same_as_torch(*cells):
    """Run the cells with both libraries and assert identical observable behaviour."""
    if torch is None:
        pytest.skip("torch is not installed: parity scenarios need it")
    cells = ["import torch"] + list(cells)
    ours = run_cells(cells, chainrule)
    theirs = run_cells(cells, torch)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert b.exception is None or b.exception[0] != "NameError", f"broken scenario: {b.exception}"
        assert _view(a) == _view(b), f"cell {i}:\n{cells[i]}"
    return ours
