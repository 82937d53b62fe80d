"""The registry pages of the explorer in a real browser (headless Chromium against uvicorn on a SQLite file): the
registered models list, a model's page with its versions and aliases, and a version's page linking to its logged
model and run and listing that model's traces."""

from __future__ import annotations

import pytest
from browser import chromium_context, require_browser
from server_helpers import ThreadedServer

import tracekit
from tracekit.server import ServerSettings, create_app
from tracekit.store.backend import close_backends

pytestmark = pytest.mark.slow


@pytest.fixture
def registry_server(tmp_path):
    """A server on a file holding model `churn`: versions 1 and 2 (2 @champion, from a logged model with 3 traces)
    and `other` (no versions)."""
    require_browser()
    uri = f"sqlite:///{tmp_path / 'registry.db'}"
    tracekit.set_tracking_uri(uri)
    with tracekit.start_run(run_name="training") as run:
        first = tracekit.create_external_model(name="churn-v1")
        second = tracekit.create_external_model(name="churn-v2")
    with tracekit.set_active_model(model_id=second.model_id):
        for customer in ("acme", "globex", "initech"):
            tracekit.trace(lambda name: name.upper(), name="predict")(customer)
    tracekit.flush_trace_async_logging()
    tracekit.register_model(first.model_uri, "churn")
    tracekit.register_model(second.model_uri, "churn", tags={"validated": "yes"})
    client = tracekit.TracekitClient()
    client.set_registered_model_alias("churn", "champion", 2)
    client.update_registered_model("churn", description="Who is about to leave")
    client.create_registered_model("other")
    close_backends()
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=uri))).start()
    yield server.url, run.info.run_id, second.model_id
    server.stop()


def test_registry_pages_link_versions_to_their_model_run_and_traces(registry_server, tmp_path):
    from playwright.sync_api import expect

    url, run_id, _model_id = registry_server
    errors: list[str] = []
    with chromium_context() as context:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/#/experiments")
        page.locator("[data-testid=nav-registered-models]").click()
        rows = page.locator("[data-testid=registered-model-row]")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("Version 2")
        expect(rows.first).to_contain_text("@champion")
        page.locator("[data-testid=registered-models-filter]").fill("name LIKE 'oth%'")
        page.locator("[data-testid=registered-models] button[type=submit]").click()
        expect(rows).to_have_count(1)
        page.locator("[data-testid=registered-models-filter]").fill("run_id = 'x'")
        page.locator("[data-testid=registered-models] button[type=submit]").click()
        expect(page.locator("[data-testid=registered-models-error]")).to_contain_text("unknown field 'run_id'")

        page.goto(f"{url}/#/registered-models/churn")
        expect(page.locator("[data-testid=registered-model-name]")).to_have_text("churn")
        expect(page.locator("[data-testid=registered-model-description]")).to_have_text("Who is about to leave")
        expect(page.locator("[data-testid=registered-model-aliases]")).to_contain_text("version 2")
        versions = page.locator("[data-testid=model-version-row]")
        expect(versions).to_have_count(2)
        expect(versions.first).to_have_attribute("data-version", "2")
        page.screenshot(path=str(tmp_path / "registered_model.png"))

        versions.first.locator("[data-testid=model-version-link]").click()
        expect(page.locator("[data-testid=model-version-title]")).to_have_text("churn · version 2")
        expect(page.locator("[data-testid=model-version-tags]")).to_contain_text("validated")
        expect(page.locator("[data-testid=model-version-traces] [data-testid=trace-row]")).to_have_count(3)
        page.screenshot(path=str(tmp_path / "model_version.png"))
        page.locator("[data-testid=version-model-link]").click()
        expect(page.locator("[data-testid=model-name]")).to_have_text("churn-v2")
        expect(page.locator("[data-testid=registered-version-row]")).to_have_count(1)
        page.locator("[data-testid=registered-version-link]").click()
        expect(page.locator("[data-testid=version-run-link]")).to_have_text(run_id)
        page.locator("[data-testid=version-run-link]").click()
        expect(page.locator("[data-testid=run-name]")).to_have_text("training")

        page.goto(f"{url}/registered-models/churn/versions/9")
        expect(page.locator("[data-testid=page-error]")).to_contain_text("has no version 9")
    assert not errors, f"JavaScript errors on the page: {errors}"
