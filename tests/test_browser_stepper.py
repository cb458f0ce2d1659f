"""Drive the backward stepper page in headless Chromium."""

from __future__ import annotations

from browser import chromium_page, screenshot

from chainrule.viz.model import VEdge, VGraph, VNode
from chainrule.viz.stepper_page import stepper_html


def example():
    """a=3, b=4, c=a*b, d=a+b, e=c+d: de/da = b + 1 = 5, de/db = a + 1 = 4.

    Steps in PyTorch's order: e, then d (created after c), then c, then the
    leaves' AccumulateGrad once both contributions have arrived.
    """
    graph = VGraph(
        [
            VNode("a", "a", "AccumulateGrad", ["data 3.0"], "leaf"),
            VNode("b", "b", "AccumulateGrad", ["data 4.0"], "leaf"),
            VNode("c", "c = a * b", "MulBackward0", ["data 12.0"]),
            VNode("d", "d = a + b", "AddBackward0", ["data 7.0"]),
            VNode("e", "e = c + d", "AddBackward0", ["data 19.0"], "output"),
        ],
        [VEdge("a", "c"), VEdge("b", "c"), VEdge("a", "d"), VEdge("b", "d"), VEdge("c", "e"), VEdge("d", "e")],
    )
    steps = [
        {"node": "e", "text": "e = c + d: AddBackward0 passes de/de = 1 to both inputs.",
         "grad_in": "1.0", "local": "de/dc = 1, de/dd = 1",
         "grad_out": {"c": "1.0", "d": "1.0"}, "leaf_grads": {}},
        {"node": "d", "text": "d = a + b: AddBackward0 passes its gradient 1 to a and b.",
         "grad_in": "1.0", "local": "dd/da = 1, dd/db = 1",
         "grad_out": {"a": "1.0", "b": "1.0"}, "leaf_grads": {}},
        {"node": "c", "text": "c = a * b: MulBackward0 sends grad * b to a and grad * a to b.",
         "grad_in": "1.0", "local": "dc/da = b = 4, dc/db = a = 3",
         "grad_out": {"a": "4.0", "b": "3.0"}, "leaf_grads": {}},
        {"node": "a", "text": "AccumulateGrad for a: a.grad = 1 + 4.",
         "grad_in": "5.0", "local": "", "grad_out": {}, "leaf_grads": {"a": "5.0"}},
        {"node": "b", "text": "AccumulateGrad for b: b.grad = 1 + 3.",
         "grad_in": "4.0", "local": "", "grad_out": {}, "leaf_grads": {"b": "4.0"}},
    ]
    return graph, steps


def _ids(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.dataset.id)")


def _flowing(page) -> set[tuple[str, str]]:
    pairs = page.eval_on_selector_all(".edge.flowing", "els => els.map(e => [e.dataset.src, e.dataset.dst])")
    return {tuple(p) for p in pairs}


def _leaf_grads(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "#leaf-grads tr[data-leaf]",
        "rows => Object.fromEntries(rows.map(r => [r.dataset.leaf, r.querySelector('td.grad').textContent]))",
    )


def test_stepper_walks_backward(tmp_path):
    graph, steps = example()
    page_file = tmp_path / "stepper.html"
    page_file.write_text(stepper_html(graph, steps, title="e = a*b + (a+b)"), encoding="utf-8")
    n = len(steps)

    with chromium_page() as page:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())

        assert page.text_content("#counter") == f"step 0 / {n}"
        assert _ids(page, ".node.current") == []
        assert _leaf_grads(page) == {"a": "None", "b": "None"}
        assert page.is_disabled("#prev")

        for k, step in enumerate(steps, start=1):
            page.click("#next")
            assert page.text_content("#counter") == f"step {k} / {n}"
            assert _ids(page, ".node.current") == [step["node"]]
            assert set(_ids(page, ".node.done")) == {s["node"] for s in steps[: k - 1]}
            assert _flowing(page) == {(src, step["node"]) for src in step["grad_out"]}
            assert step["text"] in page.text_content("#explain")
        assert page.is_disabled("#next")
        assert _leaf_grads(page) == {"a": "5.0", "b": "4.0"}
        assert page.get_attribute('#leaf-grads tr[data-leaf="b"]', "class") == "changed"

        # Gradient values are drawn on the flowing edges of the c step.
        page.click("#prev")
        page.click("#prev")
        assert page.text_content("#counter") == f"step 3 / {n}"
        assert sorted(page.eval_on_selector_all(".grad-tag", "ts => ts.map(t => t.textContent)")) == ["3.0", "4.0"]
        assert _leaf_grads(page) == {"a": "None", "b": "None"}
        screenshot(page, tmp_path, "stepper.png")

        page.keyboard.press("ArrowLeft")
        assert _ids(page, ".node.current") == ["d"]
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert page.text_content("#counter") == f"step 4 / {n}"
        assert _ids(page, ".node.current") == ["a"]
        assert _leaf_grads(page) == {"a": "5.0", "b": "None"}

    assert (tmp_path / "stepper.png").stat().st_size > 10_000
    assert errors == []
    assert requests and all(u.startswith(("file:", "data:")) for u in requests), requests


def test_stepper_text_is_inert(tmp_path):
    """Markup in labels and step text is shown as text, never parsed or run."""
    evil = '</script><img src=x onerror="document.title=\'pwned\'">'
    graph = VGraph([VNode("x", evil, kind="leaf"), VNode("y", "y", kind="output")], [VEdge("x", "y")])
    steps = [{"node": "y", "text": evil, "grad_out": {"x": evil}, "leaf_grads": {"x": evil}}]
    page_file = tmp_path / "evil.html"
    page_file.write_text(stepper_html(graph, steps, title=evil), encoding="utf-8")
    with chromium_page() as page:
        page.goto(page_file.as_uri())
        page.keyboard.press("ArrowRight")
        assert page.text_content("#counter") == "step 1 / 1"
        assert evil in page.text_content("#explain")
        assert _leaf_grads(page) == {"x": evil}
        assert page.title() == evil
        assert page.query_selector("img") is None
