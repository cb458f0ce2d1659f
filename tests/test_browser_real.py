"""The stepper page of real recorded backward passes, driven in headless Chromium."""

from __future__ import annotations

import pytest
from browser import chromium_page, screenshot
from test_viz_draw import abcde, linear_model

import chainrule
import chainrule.viz as viz
from chainrule.viz.graph_walk import brief_text


def _leaf_grads(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "#leaf-grads tr[data-leaf]",
        "rows => Object.fromEntries(rows.map(r => [r.dataset.leaf, r.querySelector('td.grad').textContent]))",
    )


def _tag_boxes(page) -> list[list[float]]:
    return page.eval_on_selector_all(
        ".grad-tag rect", "rs => rs.map(r => { const b = r.getBBox(); return [b.x, b.y, b.width, b.height]; })")


def _overlap(p, q) -> bool:
    return p[0] < q[0] + q[2] and q[0] < p[0] + p[2] and p[1] < q[1] + q[3] and q[1] < p[1] + p[3]


@pytest.mark.parametrize("seed", [abcde, linear_model], ids=lambda f: f.__name__)
def test_step_through_a_recorded_backward(seed, tmp_path):
    root, names = seed(chainrule)
    st = viz.stepper(root, names=names)
    leaves = {n.id: names[n.title] for n in st.graph.nodes if n.kind == "leaf"}
    n = len(st.steps)
    page_file = st.save(tmp_path / "backward.html")

    with chromium_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        assert page.text_content("#counter") == f"step 0 / {n}"
        assert set(_leaf_grads(page).values()) == {"None"}

        for k, step in enumerate(st.steps, start=1):
            page.click("#next")
            assert page.text_content("#counter") == f"step {k} / {n}"
            current = page.eval_on_selector_all("#graph .node.current", "els => els.map(e => e.dataset.id)")
            assert current == [step["node"]]
            assert step["text"] in page.text_content("#explain")
            boxes = _tag_boxes(page)  # one gradient pill per edge it flows along, none on another
            assert len(boxes) == len(step["grad_out"])
            assert not any(_overlap(p, q) for i, p in enumerate(boxes) for q in boxes[i + 1:]), boxes
        assert page.is_disabled("#next")
        # The table ends where autograd ended: each leaf's .grad, formatted as the page formats it.
        assert _leaf_grads(page) == {vid: brief_text(t.grad) for vid, t in leaves.items()}

        page.click("#prev")
        assert page.text_content("#counter") == f"step {n - 1} / {n}"
        assert _leaf_grads(page)[st.steps[-1]["node"]] == "None"  # the last leaf's grad is not in yet
        shot = screenshot(page, tmp_path, f"stepper_{seed.__name__}.png")

    assert shot.stat().st_size > 10_000
    assert errors == []
