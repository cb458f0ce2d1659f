"""`chainrule tour`: one offline report of the seed examples, gradients checked against PyTorch."""

import html
import json
import re

import numpy as np
import pytest

from chainrule.tour import EXAMPLES, run_tour

torch = pytest.importorskip("torch")


def pytorch_grads(ex):
    """The example's code run with real PyTorch: the oracle for the report's numbers."""
    ns = {"torch": torch}
    exec(ex.code, ns)  # noqa: S102  (the tour's own example code)
    grads = torch.autograd.grad(ns[ex.output], [ns[w] for w in ex.wrt])
    return {w: g.numpy() for w, g in zip(ex.wrt, grads)}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    return run_tour(out)


def sections(page: str) -> dict:
    found = re.finditer(r'<section class="example" id="([\w-]+)".*?</section>', page, re.DOTALL)
    return {m.group(1): m.group(0) for m in found}


def test_summary_lists_each_examples_gradients(tmp_path, capsys):
    run_tour(tmp_path)
    out = capsys.readouterr().out
    assert "∂c/∂a = 10, ∂c/∂b = 40" in out
    assert "∂e/∂a = 5, ∂e/∂b = 4" in out
    assert "∂loss/∂w = 6.69176, ∂loss/∂b = 0.99877" in out  # as torch computes it (sigmoid_backward)
    assert "∂loss/∂bias = [-5.8]" in out
    assert out.rstrip().endswith(str((tmp_path / "index.html").resolve()))


@pytest.mark.parametrize("ex", EXAMPLES, ids=[e.slug for e in EXAMPLES])
def test_each_example_has_code_values_gradients_derivation_graph_and_stepper(report, ex):
    index = report
    section = sections(index.read_text(encoding="utf-8"))[ex.slug]
    assert html.escape(ex.code.rstrip()) in section
    expected = pytorch_grads(ex)
    shown = dict(re.findall(r'<tr data-wrt="(\w+)">.*?data-value="([^"]*)"', section, re.DOTALL))
    assert list(shown) == list(ex.wrt)
    for w, value in shown.items():
        np.testing.assert_allclose(json.loads(html.unescape(value)), expected[w], rtol=1e-5)
    assert section.count('<div class="derivation">') == len(ex.wrt)
    assert section.count("<svg") == 1
    link = re.search(r'class="stepper-link" href="([^"]+)"', section).group(1)
    assert link == f"{ex.slug}-backward.html" and (index.parent / link).is_file()


def test_report_is_self_contained(report):
    index = report
    for page in [index, *index.parent.glob("*-backward.html")]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="(https?:)?//', text), page.name
        assert "<link" not in text and "@import" not in text
