"""Make docs/trace-explorer.png, the README's picture of the trace explorer (rerun after changing the UI):

    .venv/bin/python docs/make_screenshot.py [--output docs/trace-explorer.png]

Seeds a fresh SQLite database with the browser tests' data (tests/server/ui_seed.py), serves it with the tracking
server on 127.0.0.1, and has headless Chromium (Debian's /usr/bin/chromium) open the agent trace with its final
chat call selected. `capture` is also run by tests/server/test_ui_browser.py, so the script keeps working.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def capture(page, url: str, seeded, target: Path) -> Path:
    """Open the agent trace of `seeded` on the server at `url`, select its answering chat call, save a PNG."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{url}/#/traces/{seeded.agent_trace_id}")
    rows = page.locator("[data-testid=span-row]")
    expect(rows).to_have_count(len(seeded.agent_tree))
    rows.last.click()
    expect(page.locator("[data-testid=chat] > li")).to_have_count(5)
    page.screenshot(path=str(target))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "trace-explorer.png")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "tests" / "server"), str(ROOT / "tests")]
    from browser import chromium_context
    from server_helpers import ThreadedServer
    from ui_seed import seed_explorer

    from tracekit.server import ServerSettings, create_app

    with tempfile.TemporaryDirectory() as folder:
        uri = f"sqlite:///{Path(folder) / 'explorer.db'}"
        seeded = seed_explorer(uri)
        server = ThreadedServer(create_app(ServerSettings(backend_store_uri=uri))).start()
        try:
            with chromium_context() as context:
                capture(context.new_page(), server.url, seeded, args.output)
        finally:
            server.stop()
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
