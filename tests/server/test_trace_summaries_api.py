"""The explorer's summary routes, in-process against a real SQLite file: LLM usage by model (`GET llm-usage`),
sessions (`GET sessions`) and one page of a metric's history (`GET runs/{id}/metric-history/page`)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))

from test_trace_aggregates import llm_trace  # noqa: E402

from tracekit.entities import Trace  # noqa: E402


def upload(api, traces: list[Trace]) -> None:
    answer = api.post("/api/v1/traces/batch", json={"traces": [trace.to_dict() for trace in traces]})
    assert answer.status_code == 200, answer.text


def test_llm_usage_of_a_run_by_model(api):
    run = "a" * 32
    upload(api, [llm_trace(1, "gpt-4o-mini", 1000, 500, run_id=run), llm_trace(2, "gpt-4o", 10, 10, run_id=run),
                 llm_trace(3, "gpt-4o", 10, 10)])
    usage = api.get("/api/v1/llm-usage", params={"run_id": run}).json()["usage"]
    assert [(row["model"], row["traces"], row["total_tokens"]) for row in usage] == [
        ("gpt-4o-mini", 1, 1500), ("gpt-4o", 1, 20)]
    assert usage[0]["cost"] == (1000 * 0.15 + 500 * 0.60) / 1e6
    everything = api.get("/api/v1/llm-usage", params={"experiment_id": "0"}).json()["usage"]
    assert sum(row["traces"] for row in everything) == 3


def test_sessions_are_paged(api):
    upload(api, [llm_trace(10 + n, "gpt-4o-mini", 1, 1, session=f"conv-{n}", request_time=1_700_000_000_000 + n)
                 for n in range(3)])
    first = api.get("/api/v1/sessions", params={"experiment_id": "0", "max_results": 2}).json()
    assert [session["session_id"] for session in first["sessions"]] == ["conv-2", "conv-1"]
    second = api.get("/api/v1/sessions", params={"experiment_id": "0", "max_results": 2,
                                                 "page_token": first["next_page_token"]}).json()
    assert [session["session_id"] for session in second["sessions"]] == ["conv-0"]
    assert second["next_page_token"] is None
    forged = api.get("/api/v1/sessions", params={"experiment_id": "0", "page_token": "not-a-token"})
    assert forged.status_code == 400 and "page_token" in forged.json()["message"]
    too_many = api.get("/api/v1/sessions", params={"max_results": 5000})
    assert too_many.status_code in (400, 422)


def test_metric_history_comes_in_bounded_pages(api):
    run_id = api.post("/api/v1/runs", json={"experiment_id": "0", "start_time": 0}).json()["info"]["run_id"]
    points = [{"key": "loss", "value": None if step == 3 else 1 / (step + 1), "timestamp": 1000 + step, "step": step}
              for step in range(25)]
    assert api.post(f"/api/v1/runs/{run_id}/log-batch", json={"metrics": points}).status_code == 204
    seen, token = [], None
    while True:
        page = api.get(f"/api/v1/runs/{run_id}/metric-history/page",
                       params={"key": "loss", "max_results": 10, **({"page_token": token} if token else {})}).json()
        assert len(page["steps"]) == len(page["timestamps"]) == len(page["values"])
        seen += page["steps"]
        token = page["next_page_token"]
        if token is None:
            break
    assert seen == list(range(25))
    first = api.get(f"/api/v1/runs/{run_id}/metric-history/page", params={"key": "loss", "max_results": 5}).json()
    assert first["values"] == [1.0, 0.5, 1 / 3, None, 0.2] and first["timestamps"] == [1000, 1001, 1002, 1003, 1004]
    assert api.get(f"/api/v1/runs/{run_id}/metric-history/page",
                   params={"key": "loss", "max_results": 1_000_000}).status_code in (400, 422)
    assert api.get(f"/api/v1/runs/{run_id}/metric-history/page",
                   params={"key": "loss", "page_token": "-1"}).status_code in (400, 422)
    assert api.get(f"/api/v1/runs/{'f' * 32}/metric-history/page", params={"key": "loss"}).status_code == 404
