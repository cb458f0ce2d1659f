"""Run notebook cells like a Jupyter kernel, against torch or chainrule.

All cells share one namespace. `import torch` (any form) resolves to the chosen
module through a namespace-local `__import__`, so real torch and chainrule can
both be loaded in one process without touching sys.modules.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import itertools
import linecache
import warnings
from dataclasses import dataclass, field
from types import ModuleType

_cell_ids = itertools.count()


@dataclass
class CellResult:
    stdout: str = ""
    display: str | None = None  # repr of the last expression, if not None
    exception: tuple[str, str] | None = None  # (type name, message)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # (category, message, source line)
    rendered: str = ""  # what the notebook dump would show


class _Transcript(io.StringIO):
    """stdout that also feeds the rendered transcript, keeping Jupyter's order."""

    def __init__(self, transcript: io.StringIO):
        super().__init__()
        self._transcript = transcript

    def write(self, s):
        self._transcript.write(s)
        return super().write(s)


def _make_import(module: ModuleType):
    real_import = builtins.__import__
    target = module.__name__

    def _import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (name == "torch" or name.startswith("torch.")):
            name = target + name[len("torch"):]
        return real_import(name, globals, locals, fromlist, level)

    return _import


def make_namespace(module: ModuleType) -> dict:
    ns_builtins = dict(vars(builtins))
    ns_builtins["__import__"] = _make_import(module)
    return {"__name__": "__main__", "__builtins__": ns_builtins}


def _compile(source: str):
    """Compile a cell; return (body code, last-expression code or None)."""
    filename = f"<cell-{next(_cell_ids)}>"
    # Register the source so warnings can show their line, as IPython does.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    tree = ast.parse(source, filename)
    last = None
    # IPython: a trailing `;` suppresses display of the last expression.
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not source.rstrip().endswith(";"):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, "exec")
    return body, (compile(last, filename, "eval") if last is not None else None)


def run_cell(source: str, namespace: dict) -> CellResult:
    result = CellResult()
    transcript = io.StringIO()
    out = _Transcript(transcript)

    def showwarning(message, category, filename, lineno, file=None, line=None):
        line = (line if line is not None else linecache.getline(filename, lineno)).strip()
        result.warnings.append((category.__name__, str(message), line))
        # The dumps keep only the "  <source line>" part of a warning.
        transcript.write(f"  {line}\n")

    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = showwarning
        try:
            body, last = _compile(source)
            exec(body, namespace)
            value = eval(last, namespace) if last is not None else None
            if value is not None:
                result.display = repr(value)
        except Exception as e:  # a cell error doesn't stop the notebook
            result.exception = (type(e).__name__, str(e))
    result.stdout = out.getvalue()
    if result.display is not None:
        transcript.write(result.display + "\n")
    if result.exception is not None:
        transcript.write("%s: %s\n" % result.exception)
    result.rendered = transcript.getvalue()
    return result


def run_cells(cells, module: ModuleType) -> list[CellResult]:
    """Run cells (source strings or {"code": ...} dicts) in one namespace."""
    namespace = make_namespace(module)
    return [run_cell(c["code"] if isinstance(c, dict) else c, namespace) for c in cells]
