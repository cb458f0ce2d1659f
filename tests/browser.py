"""Shared helper for page tests: Debian's Chromium driven by Python Playwright.

Skips when the browser or playwright is missing, except under CI (CHAINRULE_REQUIRE_BROWSER=1, set by
.ci/run), where a missing browser is a failure; `playwright install` is not used because it downloads
its own browser builds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason):
    if os.environ.get("CHAINRULE_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


@contextlib.contextmanager
def chromium_page(width: int = 1280, height: int = 800):
    """Yield a fresh Playwright page in headless Chromium."""
    if not os.path.exists(CHROMIUM):
        _missing(f"{CHROMIUM} not found (install Debian's package: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def screenshot(page, tmp_path: Path, name: str) -> Path:
    """Save a screenshot to tmp_path, and also to $CHAINRULE_SCREENSHOT_DIR if set."""
    path = tmp_path / name
    page.screenshot(path=str(path))
    extra = os.environ.get("CHAINRULE_SCREENSHOT_DIR")
    if extra:
        os.makedirs(extra, exist_ok=True)
        shutil.copy(path, os.path.join(extra, name))
    return path
