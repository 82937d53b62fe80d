"""The run page lists the run's inputs: each dataset with its digest, context, source, size and columns, and the
logged models it used; dataset names are shown as text, never as markup."""

from __future__ import annotations

import pandas as pd
import pytest
from browser import chromium_context, require_browser
from server_helpers import ThreadedServer

import tracekit
from tracekit.server import ServerSettings, create_app
from tracekit.store.backend import close_backends


@pytest.fixture
def seeded_server(tmp_path):
    require_browser()
    uri = f"sqlite:///{tmp_path / 'ui.db'}"
    tracekit.set_tracking_uri(uri)
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "label": [0, 1, 0]})
    model = tracekit.create_external_model(name="base-model")
    with tracekit.start_run(run_name="with-inputs") as run:
        tracekit.log_input(tracekit.data.from_pandas(frame, source="s3://bucket/train.csv", name="train"),
                           context="training", tags={"version": "3"})
        tracekit.log_input(tracekit.data.from_pandas(frame.head(1), name="<b>bold</b>"), context="eval")
        tracekit.log_input(model=model.model_id)
    with tracekit.start_run(run_name="bare") as bare:
        pass
    close_backends()
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=uri))).start()
    yield server.url, run.info.run_id, bare.info.run_id, model.model_id
    server.stop()


def test_run_page_lists_datasets_and_models_used(seeded_server):
    from playwright.sync_api import expect, sync_playwright

    url, run_id, bare_id, model_id = seeded_server
    with sync_playwright() as playwright, chromium_context(playwright) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/#/runs/{run_id}")
        rows = page.locator("[data-testid=run-input-row]")
        expect(rows).to_have_count(2)
        expect(rows.nth(0).locator("[data-testid=run-input-name]")).to_have_text("train")
        expect(rows.nth(0).locator("[data-testid=run-input-context]")).to_have_text("training")
        expect(rows.nth(0)).to_contain_text("s3: s3://bucket/train.csv")
        expect(rows.nth(0)).to_contain_text("3 rows × 2 columns")
        expect(rows.nth(0)).to_contain_text("x: double, label: long")
        expect(rows.nth(0)).to_contain_text("version=3")
        expect(rows.nth(1).locator("[data-testid=run-input-name]")).to_have_text("<b>bold</b>")
        expect(page.locator("[data-testid=run-inputs] b")).to_have_count(0)
        expect(page.locator(f"[data-testid=run-input-models] a[href='#/models/{model_id}']")).to_have_count(1)
        page.goto(f"{url}/#/runs/{bare_id}")
        expect(page.locator("[data-testid=run-inputs]")).to_contain_text("No datasets or models")
        assert errors == []
