"""The README's tour snippet runs as written and prints what its comments say."""
import contextlib
import io
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _tour_snippet():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"```python\n(import chainrule as torch\n.*?)```", text, re.S).group(1)


def test_readme_tour_snippet_runs_and_prints_what_it_says(tmp_path, monkeypatch):
    code = _tour_snippet()
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue()
    # Every `print(...)  # text` line promises that text; the explain line promises the final sum.
    for line in code.splitlines():
        m = re.match(r"print\((?!torch\.explain).*\)\s+# (.+)$", line)
        if m:
            assert m.group(1) in printed, m.group(1)
    assert "∂e/∂a = 1·4 + 1·1" in printed and "= 5" in printed
    assert (tmp_path / "graph.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    page = (tmp_path / "backward.html").read_text()
    assert "<html" in page.lower() and not re.search(r"""(src|href)=["']https?:""", page)  # offline
