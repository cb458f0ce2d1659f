"""The tour report in headless Chromium: every example shows autograd's gradients and a drawn
graph, and a stepper page walks backward to the same leaf gradients."""

from __future__ import annotations

import json

import numpy as np
from browser import chromium_page, screenshot

import chainrule
from chainrule.tour import EXAMPLES, run_tour


def autograd_grads(ex) -> dict:
    ns = {"torch": chainrule}
    exec(ex.code, ns)  # noqa: S102  (the tour's own example code)
    grads = chainrule.autograd.grad(ns[ex.output], [ns[w] for w in ex.wrt])
    return {w: g.detach().numpy() for w, g in zip(ex.wrt, grads)}


def _leaf_grads(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "#leaf-grads tr[data-leaf]",
        "rows => Object.fromEntries(rows.map(r => [r.cells[0].textContent, r.querySelector('td.grad').textContent]))",
    )


def test_tour_report_in_a_browser(tmp_path):
    index = run_tour(tmp_path / "tour")
    with chromium_page(1280, 900) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(index.as_uri())

        for ex in EXAMPLES:
            section = f'section[data-example="{ex.slug}"]'
            assert page.is_visible(section)
            shown = page.eval_on_selector_all(
                f"{section} table.grads tr",
                "rows => rows.map(r => [r.dataset.wrt, r.querySelector('td.grad').dataset.value, "
                "r.querySelector('td.grad').innerText])")
            expected = autograd_grads(ex)
            assert [w for w, _, _ in shown] == list(ex.wrt)
            for w, value, text in shown:
                np.testing.assert_allclose(json.loads(value), expected[w], rtol=1e-6)
                assert text.strip()
            # The graph rendered: a laid-out SVG with a box per node, not just markup.
            box = page.eval_on_selector(f"{section} figure.graph svg", "s => s.getBoundingClientRect().toJSON()")
            assert box["width"] > 100 and box["height"] > 100
            assert page.eval_on_selector_all(f"{section} svg .node", "ns => ns.length") >= 3
            assert page.eval_on_selector(f"{section} .derivation", "d => d.innerText").count("∂") > 4

        page.click('a[href="#two-paths"]')
        screenshot(page, tmp_path, "tour.png")

        # Follow one stepper link and step backward to the end.
        ex = next(e for e in EXAMPLES if e.slug == "two-paths")
        page.click(f'section[data-example="{ex.slug}"] a.stepper-link')
        page.wait_for_load_state()
        assert page.url.endswith(f"{ex.slug}-backward.html")
        assert all(v == "None" for v in _leaf_grads(page).values())
        total = int(page.text_content("#counter").split("/")[1])
        for _ in range(total):
            page.click("#next")
        assert page.is_disabled("#next")
        assert page.text_content("#counter") == f"step {total} / {total}"
        grads = _leaf_grads(page)
        for w, g in autograd_grads(ex).items():
            assert float(grads[w]) == g.item()
        screenshot(page, tmp_path, "tour-stepper.png")

    assert errors == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert (tmp_path / "tour.png").stat().st_size > 20_000
