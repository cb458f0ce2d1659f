"""The `chainrule` command: explain an expression, refuse anything else, run the tour."""

import os
import subprocess
import sys

import pytest

from chainrule.cli import Refused, evaluate, main


def run(*args, cwd=None):
    """`python -m chainrule ...` in a fresh process, as a user would run it."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120, check=False)


def test_explain_prints_value_gradients_and_derivation():
    p = run("explain", "a*b + (a+b)", "a=3", "b=4")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "f = a*b + (a+b) = 19" in out
    assert "∂f/∂a = 5" in out and "∂f/∂b = 4" in out
    assert "∂f/∂mul₁·∂mul₁/∂a + ∂f/∂add₁·∂add₁/∂a" in out
    assert " ".join(out.split()).count("With the numbers:") == 2


def test_wrt_draw_and_stepper(tmp_path, capsys):
    svg, page = tmp_path / "graph.svg", tmp_path / "backward.html"
    code = main(["explain", "exp(-a) * sigmoid(b) + log(b)", "a=1", "b=2", "--wrt", "a",
                 "--draw", str(svg), "--stepper", str(page)])
    out = capsys.readouterr().out
    assert code == 0
    assert "∂f/∂a = -0.324027" in out and "∂f/∂b" not in out
    assert svg.read_text().startswith("<svg") and "<html" in page.read_text()
    assert f"wrote {svg}" in out and f"wrote {page}" in out


def test_list_values_need_a_reduction(capsys):
    assert main(["explain", "sum(x * x)", "x=[1, 2, 3]"]) == 0
    assert "∂f/∂x = [2, 4, 6]" in capsys.readouterr().out
    assert main(["explain", "x * x", "x=[1, 2]"]) == 2
    assert "sum(...)" in capsys.readouterr().err


@pytest.mark.parametrize("expr, message", [
    ("__import__('os')", "calling __import__ is not allowed"),
    ("a.real", "attribute access"),
    ("(lambda: a)()", "is not allowed"),
    ("lambda: a", "lambda is not allowed"),
    ("a[0]", "subscripts"),
    ("a * q", "unknown name 'q'"),
    ("open('x')", "calling open is not allowed"),
    ("exp", "exp is a function"),
    ("exp(a, a)", "exactly one argument"),
    ("exp(x=a)", "exactly one argument"),
    ("'s' * a", "constant is not allowed"),
    ("a if a else a", "if/else"),
    ("a +", "not a valid expression"),
    ("9**9**9 * a", "can't evaluate"),
    ("2 + 3", "none of the bound names"),
])
def test_refused_expressions_exit_2(expr, message, capsys):
    assert main(["explain", expr, "a=1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chainrule explain: ") and message in err


def test_refused_in_a_real_process():
    p = run("explain", "__import__('os').system('echo hacked')", "a=1")
    assert p.returncode == 2 and "hacked" not in p.stdout and "not allowed" in p.stderr


@pytest.mark.parametrize("args, message", [
    (["a*b", "a=3", "b"], "expected NAME=VALUE"),
    (["a", "a=os"], "must be a number"),
    (["a", "a=True"], "must be a number"),
    (["exp(a)", "exp=1", "a=2"], "function name"),
    (["a", "a=1", "--wrt", "z"], "--wrt names z"),
])
def test_bad_bindings_exit_2(args, message, capsys):
    assert main(["explain", *args]) == 2
    assert message in capsys.readouterr().err


def test_evaluate_walks_the_tree_without_eval():
    assert evaluate("-(2 ** 3) / 4 + +1", {}) == -1.0
    with pytest.raises(Refused):
        evaluate("x" + "[0]" * 3, {"x": 1.0})
    with pytest.raises(Refused, match="nested too deeply"):
        evaluate("-" * 100000 + "1", {})


def test_usage_errors_are_argparse_exit_2():
    p = run("explain")
    assert p.returncode == 2 and "usage:" in p.stderr
    p = run("frobnicate")
    assert p.returncode == 2


def test_tour_command(tmp_path):
    p = run("tour", "--out", str(tmp_path / "t"))
    assert p.returncode == 0, p.stderr
    assert "∂e/∂a = 5, ∂e/∂b = 4" in p.stdout
    assert f"report: {(tmp_path / 't' / 'index.html').resolve()}" in p.stdout


def test_tour_default_directory(tmp_path):
    p = run("tour", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "chainrule-tour" / "index.html").is_file()
