"""A run's and a logged model's artifacts in the trace explorer, in headless Chromium: the file tree, previews of
text, JSON, an image and a CSV table, and the download link, against a real server whose files were logged through
`tracekit-artifacts:` URIs."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest
from browser import chromium_context, require_browser
from server_helpers import ThreadedServer

import tracekit
from tracekit.artifacts import get_artifact_repository
from tracekit.server import ServerSettings, create_app

pytestmark = pytest.mark.slow
EXPECT_TIMEOUT_MS = 30_000


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    return playwright_expect(locator)


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A red `width` x `height` PNG, built by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def logged(tmp_path):
    """A server serving artifacts; a run with files logged through it."""
    require_browser()
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 'server.db'}",
                                                      artifacts_destination=str(tmp_path / "served")))).start()
    tracekit.set_tracking_uri(server.url)
    experiment_id = tracekit.create_experiment("artifacts-ui", artifact_location="tracekit-artifacts:/ui")
    with tracekit.start_run(experiment_id=experiment_id) as run:
        pass
    files = tmp_path / "files"
    (files / "plots").mkdir(parents=True)
    (files / "notes.txt").write_text("accuracy went up after the second epoch\n")
    (files / "config.json").write_text(json.dumps({"optimizer": "adam", "layers": [64, 32]}))
    (files / "plots" / "roc.png").write_bytes(tiny_png())
    (files / "predictions.csv").write_text('id,label,score\n1,cat,0.91\n2,"dog, big",0.12\n')
    get_artifact_repository(run.info.artifact_uri).log_artifacts(str(files))
    yield server, run
    server.stop()


def test_a_runs_artifacts_show_as_a_tree_with_previews_and_a_download(logged, tmp_path):
    server, run = logged
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright, chromium_context(playwright, accept_downloads=True) as context:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server.url}/#/runs/{run.info.run_id}")
        section = page.locator("[data-testid=run-artifacts]")
        files = section.locator("[data-testid=artifact-file]")
        expect(files).to_have_count(3)  # config.json, notes.txt, predictions.csv; plots/ is a folder
        expect(section.locator("[data-testid=artifact-folder]")).to_have_text("plots")
        preview = section.locator("[data-testid=artifact-preview]")

        files.filter(has_text="notes.txt").click()
        expect(preview.locator("[data-testid=artifact-text]")).to_have_text(
            "accuracy went up after the second epoch\n")
        expect(preview.locator("[data-testid=artifact-path]")).to_have_text("notes.txt")

        files.filter(has_text="config.json").click()
        expect(preview.locator("[data-testid=artifact-json]")).to_contain_text("adam")

        files.filter(has_text="predictions.csv").click()
        table = preview.locator("[data-testid=artifact-table]")
        expect(table.locator("th")).to_have_text(["id", "label", "score"])
        expect(table.locator("tbody tr").nth(1).locator("td")).to_have_text(["2", "dog, big", "0.12"])

        section.locator("[data-testid=artifact-folder]").click()
        section.locator("[data-testid=artifact-file]").filter(has_text="roc.png").click()
        image = preview.locator("[data-testid=artifact-image]")
        expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth === 4", arg=image.element_handle())
        page.screenshot(path=str(tmp_path / "run-artifacts.png"))

        with page.expect_download() as download:
            preview.locator("[data-testid=artifact-download]").click()
        saved = Path(download.value.path())
        assert download.value.suggested_filename == "roc.png"
        assert saved.read_bytes() == tiny_png()
    assert not errors, errors


def test_a_logged_models_artifacts_are_shown_on_its_page(logged, tmp_path):
    server, run = logged
    from playwright.sync_api import sync_playwright

    model = tracekit.create_external_model(name="ui-model", experiment_id=run.info.experiment_id)
    (tmp_path / "MLmodel").write_text("flavors:\n  python_function: {}\n")
    get_artifact_repository(model.artifact_location).log_artifact(str(tmp_path / "MLmodel"))

    with sync_playwright() as playwright, chromium_context(playwright) as context:
        page = context.new_page()
        page.goto(f"{server.url}/#/models/{model.model_id}")
        section = page.locator("[data-testid=model-artifacts]")
        mlmodel = section.locator("[data-testid=artifact-file]")
        expect(mlmodel).to_have_count(1)
        mlmodel.click()
        expect(section.locator("[data-testid=artifact-text]")).to_contain_text("python_function")
