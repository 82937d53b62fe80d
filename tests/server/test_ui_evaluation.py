"""The run page of a `tracekit.genai.evaluate` run links to the traces it scored: through the page's data API (the
run's tags, and the trace search the link opens), and in a real browser when Chromium is installed."""

from __future__ import annotations

import pytest
from browser import chromium_context, require_browser
from server_helpers import ThreadedServer

import tracekit
from tracekit.server import ServerSettings, create_app

# The filter the run page's "Evaluation" link puts on the experiment's traces table (tracking_pages.js).
LINK_FILTER = "tags.`tracekit.evaluationRun` = '{run_id}'"


@tracekit.genai.scorer
def short(outputs):
    return len(outputs) < 10


@pytest.fixture
def evaluated(server_db):
    """Two traces from a production run scored by an evaluation, and one trace nobody scored."""
    tracekit.set_tracking_uri(server_db)
    tracekit.set_experiment("support")
    with tracekit.start_run(run_name="production") as production:
        for text in ("hello", "a much longer answer"):
            with tracekit.start_span("app") as span:
                span.set_outputs(text)
    with tracekit.start_span("unscored") as span:
        span.set_outputs("x")
    result = tracekit.genai.evaluate(tracekit.search_traces(run_id=production.info.run_id), scorers=[short])
    tracekit.flush_trace_async_logging()
    run = tracekit.get_run(result.run_id)
    return run, set(result.tables["eval_results_table"]["trace_id"])


def test_the_evaluation_runs_data_marks_it_and_its_link_finds_the_scored_traces(api, evaluated):
    run, scored = evaluated
    body = api.get(f"/api/v1/runs/{run.info.run_id}").json()
    assert body["data"]["tags"]["tracekit.evaluation"] == "genai"
    found = api.post("/api/v1/traces/search", json={
        "experiment_ids": [run.info.experiment_id], "include_spans": False,
        "filter_string": LINK_FILTER.format(run_id=run.info.run_id)}).json()
    assert {trace["info"]["trace_id"] for trace in found["traces"]} == scored
    assert len(scored) == 2


@pytest.mark.slow
def test_the_run_page_links_to_the_scored_traces_in_a_browser(server_db, evaluated, tmp_path):
    require_browser()
    from playwright.sync_api import expect

    run, scored = evaluated
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=server_db,
                                                      artifacts_destination=str(tmp_path / "served")))).start()
    try:
        with chromium_context() as context:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{server.url}/#/runs/{run.info.run_id}")
            link = page.locator("[data-testid=run-evaluated-traces]")
            expect(link).to_be_visible(timeout=30_000)
            link.click()
            rows = page.locator("[data-testid=trace-row]")
            expect(rows).to_have_count(2, timeout=30_000)
            shown = set(rows.evaluate_all("rows => rows.map(row => row.dataset.traceId)"))
            assert shown == scored
            assert not errors, errors
    finally:
        server.stop()


def test_evaluate_through_a_tracking_server_stores_feedback_and_tags(live_server):
    tracekit.set_tracking_uri(live_server.url)
    with tracekit.start_run(run_name="production") as production:
        for text in ("hello", "a much longer answer"):
            with tracekit.start_span("app") as span:
                span.set_outputs(text)
    result = tracekit.genai.evaluate(tracekit.search_traces(run_id=production.info.run_id), scorers=[short])
    assert result.metrics["short/mean"] == 0.5
    for trace_id, expected in zip(result.tables["eval_results_table"]["trace_id"],
                                  result.tables["eval_results_table"]["outputs"].map(lambda o: len(o) < 10),
                                  strict=True):
        trace = tracekit.get_trace(trace_id)
        assert trace.info.tags["tracekit.evaluationRun"] == result.run_id
        assert [(a.name, a.value) for a in trace.info.assessments] == [("short", expected)]
