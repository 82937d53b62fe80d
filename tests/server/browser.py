"""Headless Chromium for the trace explorer's tests, benchmark and screenshots: Debian's `chromium` driven by
Playwright's Python package (which brings no browser of its own here; `playwright install` is never run).

Without Chromium (or Playwright) the browser tests skip, except under CI=true, where they fail: CI installs
Debian's `chromium` package (see .ci/run).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("TRACEKIT_TEST_CHROMIUM", "/usr/bin/chromium")
# Playwright adds --headless itself (headless=True); the rest keep the browser from reaching any network service.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 900}


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def require_browser() -> None:
    """Skip the calling test when there is no browser, or fail it under CI=true."""
    from ci import require_or_skip

    reason = browser_missing()
    if reason is not None:
        require_or_skip(f"Browser tests cannot run: {reason}")


@contextmanager
def chromium_context(playwright: Any = None, profile: str | None = None, **options: Any) -> Iterator[Any]:
    """A Playwright browser context of headless Chromium on a fresh profile folder (--user-data-dir; a new
    temporary one unless `profile` names an empty folder), removed afterwards. `playwright` is a started
    `sync_playwright()` (one per thread may run at a time; started here when not given); `options` go to
    `launch_persistent_context` (http_credentials=..., say)."""
    from playwright.sync_api import sync_playwright

    profile = profile or tempfile.mkdtemp(prefix="tracekit-chromium-")
    try:
        if playwright is None:
            with sync_playwright() as started:
                with _launch(started, profile, options) as context:
                    yield context
        else:
            with _launch(playwright, profile, options) as context:
                yield context
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@contextmanager
def _launch(playwright: Any, profile: str, options: dict[str, Any]) -> Iterator[Any]:
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS, viewport=VIEWPORT, **options)
    try:
        yield context
    finally:
        context.close()
