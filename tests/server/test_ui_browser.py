"""The trace explorer in a real browser: a tracking server (uvicorn on 127.0.0.1, SQLite) holding seeded traces,
driven by headless Chromium. Each test leaves screenshots in its tmp_path's `screenshots` folder, and fails if the
page threw a JavaScript error or asked anything of a host other than the server."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import chromium_context, require_browser
from server_helpers import ThreadedServer, build_trace
from ui_seed import ANSWER, PLAIN_TRACES, Seeded, seed_explorer

from tracekit.server import ServerSettings, create_app
from tracekit.store.sql.traces import SqlTraceStore

pytestmark = pytest.mark.slow
ROWS = "[data-testid=span-row]"
TRACE_ROWS = "[data-testid=trace-row]"
SEEDED_TRACES = PLAIN_TRACES + 3


@dataclass
class Explorer:
    url: str
    seeded: Seeded
    uri: str

    def at(self, route: str) -> str:
        return f"{self.url}/#/{route}"


@pytest.fixture(scope="module")
def explorer(tmp_path_factory) -> Explorer:
    require_browser()
    uri = f"sqlite:///{tmp_path_factory.mktemp('explorer') / 'server.db'}"
    seeded = seed_explorer(uri)
    server = ThreadedServer(create_app(ServerSettings(
        backend_store_uri=uri, artifacts_destination=str(tmp_path_factory.mktemp("served"))))).start()
    yield Explorer(server.url, seeded, uri)
    server.stop()


@pytest.fixture(scope="module")
def playwright():
    """Playwright's driver, started once for the module (a thread may run only one)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="module")
def browser_context(playwright, explorer):
    with chromium_context(playwright) as context:
        yield context


@pytest.fixture
def page(browser_context, explorer):
    """A new tab; the test fails if the page threw or fetched from anywhere but the server."""
    tab = browser_context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("request", lambda request: None if request.url.startswith((explorer.url + "/", "data:"))
           else elsewhere.append(request.url))
    yield tab
    tab.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not elsewhere, f"The page fetched from outside the server: {elsewhere}"


@pytest.fixture
def shot(tmp_path):
    """shot(page, "name"): save a screenshot to tmp_path/screenshots/name.png."""
    folder = tmp_path / "screenshots"
    folder.mkdir()

    def take(tab, name: str) -> Path:
        path = folder / f"{name}.png"
        tab.screenshot(path=str(path))
        assert path.stat().st_size > 1000
        return path

    return take


# How long a check waits for the page. Generous: on a busy CI machine a 1,000-span page has taken over 5 s to
# build (the tests check what the page shows; how fast it renders is measured in benchmarks/ui.py).
EXPECT_TIMEOUT_MS = 30_000


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    return playwright_expect(locator)


def open_table(page, explorer: Explorer, query: str = ""):
    page.goto(explorer.at(f"experiments/{explorer.seeded.experiment_id}/traces{query}"))
    expect(page.locator(TRACE_ROWS).first).to_be_visible()
    return page.locator(TRACE_ROWS)


def durations(page) -> list[int]:
    return [int(value) for value in page.locator("[data-testid=trace-duration]").evaluate_all(
        "cells => cells.map(cell => cell.dataset.ms)")]


# --- experiments and the traces table -------------------------------------------------------------------------------
def test_experiments_list_leads_to_an_experiments_traces(page, explorer, shot):
    page.goto(explorer.url + "/")
    expect(page.locator("[data-testid=experiment-row]")).to_have_count(2)  # Default and the seeded one
    shot(page, "experiments")
    page.get_by_role("link", name=explorer.seeded.experiment_name, exact=True).click()
    expect(page.locator(TRACE_ROWS)).to_have_count(SEEDED_TRACES)
    assert f"#/experiments/{explorer.seeded.experiment_id}/traces" in page.url
    expect(page.locator("[data-testid=trace-total]")).to_have_text(f"{SEEDED_TRACES} traces in all")
    shot(page, "traces")


def test_table_shows_root_span_names_tags_and_links(page, explorer):
    open_table(page, explorer)
    agent = page.locator(f"{TRACE_ROWS}[data-trace-id='{explorer.seeded.agent_trace_id}']")
    expect(agent.locator("[data-testid=trace-name]")).to_have_text("answer_question")
    expect(agent.locator("[data-testid=trace-tags]")).to_contain_text("env=prod")
    expect(agent.locator("[data-testid=trace-status]")).to_have_text("OK")
    assert agent.locator("[data-testid=trace-run-link]").get_attribute("href") == f"#/runs/{explorer.seeded.run_id}"
    assert agent.locator("[data-testid=trace-model-link]").get_attribute("href") == \
        f"#/models/{explorer.seeded.model_id}"


def test_filter_narrows_the_table(page, explorer, shot):
    open_table(page, explorer)
    page.locator("[data-testid=filter-input]").fill("tags.env = 'dev' AND execution_time_ms > 0")
    with page.expect_request("**/api/v1/traces/search") as searched:
        page.locator("[data-testid=filter-input]").press("Enter")
    assert searched.value.post_data_json["filter_string"] == "tags.env = 'dev' AND execution_time_ms > 0"
    assert searched.value.post_data_json["include_spans"] is False
    rows = page.locator(TRACE_ROWS)
    expect(rows).to_have_count(PLAIN_TRACES // 2)
    for tags in rows.locator("[data-testid=trace-tags]").all_inner_texts():
        assert "env=dev" in tags
    assert "filter=tags.env" in page.url  # kept in the route: reload and back keep it
    shot(page, "filtered")
    page.reload()
    expect(page.locator(TRACE_ROWS)).to_have_count(PLAIN_TRACES // 2)
    expect(page.locator("[data-testid=filter-input]")).to_have_value("tags.env = 'dev' AND execution_time_ms > 0")


def test_malformed_filter_shows_the_servers_message_beside_the_box(page, explorer, shot):
    open_table(page, explorer)
    box = page.locator("[data-testid=filter-input]")
    box.fill("tags.env = 'prod' AND")
    box.press("Enter")
    error = page.locator("[data-testid=filter-form] + [data-testid=filter-error]")  # right under the box
    expect(error).to_be_visible()
    expect(error).to_contain_text("at position 21")
    expect(error).to_contain_text("expected a field name")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.locator(TRACE_ROWS)).to_have_count(0)
    shot(page, "filter-error")
    box.fill("tags.env = 'prod'")
    box.press("Enter")
    expect(error).to_be_hidden()
    expect(page.locator(TRACE_ROWS)).to_have_count(PLAIN_TRACES // 2 + 2)


def test_columns_sort_on_the_server(page, explorer):
    open_table(page, explorer)
    with page.expect_request("**/api/v1/traces/search") as searched:
        page.locator("[data-testid=sort-execution_time_ms]").click()
    assert searched.value.post_data_json["order_by"] == ["execution_time_ms DESC"]
    expect(page.locator(TRACE_ROWS).first).to_have_attribute("data-trace-id", explorer.seeded.big_trace_id)
    assert durations(page) == sorted(durations(page), reverse=True)
    page.locator("[data-testid=sort-execution_time_ms]").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Duration")
    expect(page.locator(TRACE_ROWS).last).to_have_attribute("data-trace-id", explorer.seeded.big_trace_id)
    assert durations(page) == sorted(durations(page))

    with page.expect_request("**/api/v1/traces/search") as searched:
        page.locator("[data-testid=sort-name]").click()
    assert searched.value.post_data_json["order_by"] == ["name ASC"]
    expect(page.locator(TRACE_ROWS).first.locator("[data-testid=trace-name]")).to_have_text("answer_question")
    names = page.locator("[data-testid=trace-name]").all_inner_texts()
    assert names == sorted(names) and "step-0" in names

    page.locator("[data-testid=sort-status]").click()
    expect(page.locator(TRACE_ROWS).first.locator("[data-testid=trace-status]")).to_have_text("ERROR")
    page.locator("[data-testid=sort-timestamp_ms]").click()
    expect(page.locator(TRACE_ROWS).first).to_have_attribute("data-trace-id", explorer.seeded.agent_trace_id)


def test_pages_follow_page_tokens(page, explorer):
    rows = open_table(page, explorer, "?size=25")
    expect(rows).to_have_count(25)
    first_page = rows.evaluate_all("rows => rows.map(row => row.dataset.traceId)")
    with page.expect_request("**/api/v1/traces/search") as searched:
        page.locator("[data-testid=page-next]").click()
    assert searched.value.post_data_json["page_token"]
    expect(rows).to_have_count(SEEDED_TRACES - 25)
    expect(page.locator("[data-testid=page-label]")).to_have_text(f"Page 2 · traces 26–{SEEDED_TRACES}")
    expect(page.locator("[data-testid=page-next]")).to_be_disabled()
    second_page = rows.evaluate_all("rows => rows.map(row => row.dataset.traceId)")
    assert not set(first_page) & set(second_page)
    page.locator("[data-testid=page-previous]").click()
    expect(rows).to_have_count(25)
    assert rows.evaluate_all("rows => rows.map(row => row.dataset.traceId)") == first_page
    expect(page.locator("[data-testid=page-previous]")).to_be_disabled()


def test_page_routes_given_as_paths_open_the_same_view(page, explorer):
    page.goto(f"{explorer.url}/experiments/{explorer.seeded.experiment_id}/traces?filter=tags.env%20%3D%20'dev'")
    expect(page.locator(TRACE_ROWS)).to_have_count(PLAIN_TRACES // 2)
    assert f"/#/experiments/{explorer.seeded.experiment_id}/traces" in page.url


def test_runs_and_models_tabs_list_them(page, explorer):
    page.goto(explorer.at(f"experiments/{explorer.seeded.experiment_id}/runs"))
    expect(page.locator("[data-testid=run-row]")).to_have_count(2)
    page.locator("[data-testid=tab-models]").click()
    expect(page.locator("[data-testid=model-row]")).to_have_count(1)
    page.get_by_role("link", name="support-agent", exact=True).click()
    expect(page.locator("[data-testid=model-name]")).to_have_text("support-agent")


# --- the trace page -------------------------------------------------------------------------------------------------
def open_trace(page, explorer: Explorer, trace_id: str):
    page.goto(explorer.at(f"traces/{trace_id}"))
    expect(page.locator(ROWS).first).to_be_visible()
    return page.locator(ROWS)


def test_trace_page_nests_spans_beside_a_timeline_to_scale(page, explorer, shot):
    rows = open_trace(page, explorer, explorer.seeded.agent_trace_id)
    expected = explorer.seeded.agent_tree
    expect(rows).to_have_count(len(expected))
    names = rows.locator("[data-testid=span-name]").all_inner_texts()
    levels = rows.evaluate_all("rows => rows.map(row => Number(row.getAttribute('aria-level')))")
    assert list(zip(names, [level - 1 for level in levels], strict=True)) == expected
    bars = page.locator("[data-testid=timeline-bar]")
    expect(bars).to_have_count(len(expected))
    # The trace lasts 1200 ms; search_docs runs 430-700 ms, retrieve 440-650 ms, the answering LLM 710-1190 ms.
    for name, start_ms, end_ms in (("answer_question", 0, 1200), ("search_docs", 430, 700),
                                   ("retrieve", 440, 650)):
        row = rows.filter(has=page.get_by_text(name, exact=True))
        bar = row.locator("[data-testid=timeline-bar]").bounding_box()
        cell = row.locator(".span-timeline-cell").bounding_box()
        assert (bar["x"] - cell["x"]) / cell["width"] == pytest.approx(start_ms / 1200, abs=0.005)
        assert bar["width"] / cell["width"] == pytest.approx((end_ms - start_ms) / 1200, abs=0.005)
    shot(page, "trace")


def test_selecting_a_span_shows_its_inputs_outputs_and_attributes(page, explorer, shot):
    rows = open_trace(page, explorer, explorer.seeded.agent_trace_id)
    rows.filter(has=page.get_by_text("retrieve", exact=True)).click()
    details = page.locator("[data-testid=span-details]")
    expect(details.locator("[data-testid=span-title]")).to_have_text("retrieve")
    expect(details.locator("[data-testid=span-inputs]")).to_contain_text('"query": "reset password"')
    expect(details.locator("[data-testid=span-outputs]")).to_contain_text('"page": "Account security"')
    expect(details.locator("[data-testid=span-attributes]")).to_contain_text('"retriever.index": "docs-v3"')
    expect(rows.filter(has=page.get_by_text("retrieve", exact=True))).to_have_attribute("aria-selected", "true")
    assert "span=a000000000000005" in page.url
    shot(page, "span-selected")
    page.reload()  # the selection is part of the route
    expect(details.locator("[data-testid=span-title]")).to_have_text("retrieve")


def test_large_json_folds_and_switches_to_raw_text(page, explorer):
    rows = open_trace(page, explorer, explorer.seeded.agent_trace_id)
    rows.nth(2).click()  # the first LLM call: a nested choices/message/tool_calls output
    outputs = page.locator("[data-testid=span-outputs]")
    folded = outputs.locator("details.json-node:not([open])").first
    expect(folded).to_be_visible()  # nested beyond two levels: folded, its children not built yet
    folded.locator("summary").first.click()
    expect(outputs).to_contain_text('"finish_reason": "tool_calls"')
    outputs.get_by_role("button", name="Raw").click()
    raw = outputs.locator(".json-raw")
    expect(raw).to_be_visible()
    expect(raw).to_contain_text('"finish_reason": "tool_calls"')


def test_chat_messages_read_as_a_conversation(page, explorer, shot):
    rows = open_trace(page, explorer, explorer.seeded.agent_trace_id)
    rows.filter(has=page.get_by_text("openai.chat.completions", exact=True)).nth(1).click()
    messages = page.locator("[data-testid=chat] > li")
    expect(messages).to_have_count(5)
    assert messages.evaluate_all("items => items.map(item => item.dataset.role)") == \
        ["system", "user", "assistant", "tool", "assistant"]
    expect(messages.nth(2).locator("[data-testid=chat-tool-call]")).to_contain_text("search_docs")
    expect(messages.nth(2).locator("[data-testid=chat-tool-call]")).to_contain_text('"query": "reset password"')
    expect(messages.nth(3)).to_contain_text("result of call call_7Qx")
    expect(messages.nth(4)).to_contain_text(ANSWER)
    shot(page, "chat")


def record_chat_trace(explorer: Explorer) -> str:
    """A trace recorded through the tracing API into the explorer's database (an experiment of its own, so the seeded
    lists keep their counts): a chat span given messages and tools with the MLflow 3 calls, and a planning span
    given tools only; the chat span records token usage as the autolog integrations do."""
    import tracekit
    from tracekit.store.backend import close_backends

    tool = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                                             "parameters": {"type": "object"}}}
    tracekit.set_tracking_uri(explorer.uri)
    tracekit.set_experiment("chat-api")

    @tracekit.trace(span_type="AGENT")
    def weather_agent() -> None:
        with tracekit.start_span("choose_tools", span_type="CHAIN") as plan:
            tracekit.set_span_chat_tools(plan, [tool])
        with tracekit.start_span("chat", span_type="CHAT_MODEL") as chat:
            chat.set_attribute("tracekit.chat.tokenUsage", {"input_tokens": 31, "output_tokens": 9})  # as autolog
            tracekit.set_span_chat_messages(chat, [{"role": "user", "content": "Weather in Oslo?"}])
            tracekit.set_span_chat_tools(chat, [tool])
            tracekit.set_span_chat_messages(chat, [
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "call_oslo", "type": "function",
                     "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}]},
                {"role": "tool", "tool_call_id": "call_oslo", "content": "Snow, -3 C"},
                {"role": "assistant", "content": "Snowy and cold."}], append=True)

    weather_agent()
    trace_id = tracekit.get_last_active_trace_id()
    tracekit.flush_trace_async_logging()
    close_backends()
    return trace_id


def test_chat_messages_and_tools_set_through_the_api_are_shown(page, explorer, shot):
    rows = open_trace(page, explorer, record_chat_trace(explorer))
    expect(page.locator("[data-testid=trace-tokens]")).to_have_text("40 (31 in, 9 out)")
    rows.filter(has=page.get_by_text("chat", exact=True)).click()
    messages = page.locator("[data-testid=chat] > li")
    expect(messages).to_have_count(4)
    assert messages.evaluate_all("items => items.map(item => item.dataset.role)") == \
        ["user", "assistant", "tool", "assistant"]
    expect(messages.nth(1).locator("[data-testid=chat-tool-call]")).to_contain_text("get_weather")
    expect(messages.nth(2)).to_contain_text("result of call call_oslo")
    expect(messages.nth(3)).to_contain_text("Snowy and cold.")
    expect(page.locator("[data-testid=span-chat] .chat-tools > summary")).to_have_text("Tools offered: get_weather")
    shot(page, "chat-api")

    rows.filter(has=page.get_by_text("choose_tools", exact=True)).click()  # tools without messages
    expect(page.locator("[data-testid=chat] > li")).to_have_count(0)
    expect(page.locator("[data-testid=span-chat] .chat-tools > summary")).to_have_text("Tools offered: get_weather")
    expect(page.locator("[data-testid=span-attributes]")).not_to_contain_text("tracekit.chat.tools")


def test_an_exception_shows_its_stack_trace(page, explorer, shot):
    rows = open_trace(page, explorer, explorer.seeded.error_trace_id)
    expect(page.locator("[data-testid=trace-header]")).to_contain_text("ERROR")
    expect(page.locator(".timeline-bar.bar-error")).to_have_count(2)
    rows.filter(has=page.get_by_text("lookup_order", exact=True)).click()
    exception = page.locator("[data-testid=exception]")
    expect(exception).to_contain_text("TimeoutError: orders service did not answer in 5.0 s")
    expect(exception.locator("[data-testid=stacktrace]")).to_contain_text(
        'File "/srv/agent/tools.py", line 42, in lookup_order')
    shot(page, "exception")


def test_folding_a_span_hides_its_descendants(page, explorer):
    rows = open_trace(page, explorer, explorer.seeded.agent_trace_id)
    plan = rows.filter(has=page.get_by_text("plan", exact=True))
    plan.locator(".twisty").click()
    expect(plan).to_have_attribute("aria-expanded", "false")
    expect(page.locator(f"{ROWS}:visible")).to_have_count(5)
    plan.locator(".twisty").click()
    expect(page.locator(f"{ROWS}:visible")).to_have_count(6)


def test_keyboard_moves_the_selection(page, explorer):
    rows = open_trace(page, explorer, explorer.seeded.agent_trace_id)
    rows.first.click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("[data-testid=span-title]")).to_have_text("openai.chat.completions")
    page.keyboard.press("ArrowLeft")  # a leaf: to its parent
    expect(page.locator("[data-testid=span-title]")).to_have_text("plan")


def test_thousand_span_trace_shows_every_row(page, explorer, shot):
    rows = open_trace(page, explorer, explorer.seeded.big_trace_id)
    expect(rows).to_have_count(1000)
    expect(page.locator("[data-testid=timeline-bar]")).to_have_count(1000)
    # Span i's parent is span (i - 1) // 4: five levels below the root.
    levels = rows.evaluate_all("rows => rows.map(row => Number(row.getAttribute('aria-level')))")
    assert max(levels) == 6 and levels[:3] == [1, 2, 3]
    last = rows.filter(has=page.get_by_text("step-999", exact=True))
    last.scroll_into_view_if_needed()
    expect(last).to_be_visible()
    last.click()
    expect(page.locator("[data-testid=span-inputs]")).to_contain_text('"index": 999')
    shot(page, "thousand-spans")


def test_parts_of_a_trace_and_unfinished_spans_still_show(page, explorer):
    """A span whose parent is not in the trace (a part recorded elsewhere) shows as a root; an unfinished span's
    bar runs to the end of the trace; nanosecond times stay exact (a 1 µs span reads 1.00 µs)."""
    from tracekit.entities import Span, SpanStatus, SpanStatusCode, Trace, TraceData, TraceInfo, TraceState

    trace_id, start = "tr-" + "d" * 32, 1_700_000_000_123_456_789

    def span(span_id, parent, name, begin, end):
        return Span(trace_id=trace_id, span_id=span_id, parent_id=parent, name=name, start_time_ns=start + begin,
                    end_time_ns=None if end is None else start + end, status=SpanStatus(SpanStatusCode.OK),
                    raw_attributes={}, events=[])

    spans = [span("d000000000000001", None, "root", 0, 4_000_000), span("d000000000000002", "d000000000000001",
                                                                         "tiny", 1_000, 2_000),
             span("d000000000000003", "d000000000000001", "still-running", 2_000_000, None),
             span("d000000000000004", "ffffffffffffffff", "from-elsewhere", 1_000_000, 3_000_000)]
    info = TraceInfo(trace_id=trace_id, experiment_id="0", request_time=start // 1_000_000,
                     execution_duration=4, state=TraceState.IN_PROGRESS)
    SqlTraceStore(explorer.uri).write_traces([Trace(info=info, data=TraceData(spans=spans))])
    rows = open_trace(page, explorer, trace_id)
    expect(rows).to_have_count(4)
    levels = dict(zip(rows.locator("[data-testid=span-name]").all_inner_texts(),
                      rows.evaluate_all("rows => rows.map(row => row.getAttribute('aria-level'))"), strict=True))
    assert levels == {"root": "1", "tiny": "2", "still-running": "2", "from-elsewhere": "1"}
    expect(rows.filter(has=page.get_by_text("tiny", exact=True)).locator(".bar-label")).to_have_text("1.00 µs")
    running = rows.filter(has=page.get_by_text("still-running", exact=True))
    expect(running.locator(".timeline-bar.bar-open")).to_have_count(1)
    expect(running.locator(".bar-label")).to_have_text("unfinished")


def test_unknown_trace_says_so(page, explorer):
    page.goto(explorer.at("traces/tr-" + "f" * 32))
    expect(page.locator("[data-testid=not-found]")).to_contain_text("Trace not found")


# --- runs, logged models and links both ways ----------------------------------------------------------------------
def test_trace_links_to_its_run_which_lists_its_traces(page, explorer, shot):
    open_trace(page, explorer, explorer.seeded.agent_trace_id)
    page.locator("[data-testid=trace-run-link]").click()
    expect(page.locator("[data-testid=run-name]")).to_have_text("baseline")
    run_traces = page.locator(f"[data-testid=run-traces] {TRACE_ROWS}")
    expect(run_traces).to_have_count(2)
    expect(page.locator("[data-testid=run-params]")).to_contain_text("gpt-4o-mini")
    expect(page.locator("[data-testid=run-metrics]")).to_contain_text("accuracy")
    expect(page.locator("[data-testid=run-models]")).to_contain_text("support-agent")
    shot(page, "run")
    page.locator(f"[data-testid=run-traces] {TRACE_ROWS}[data-trace-id='{explorer.seeded.error_trace_id}'] "
                 "[data-testid=trace-link]").click()
    expect(page.locator("[data-testid=trace-id]")).to_have_text(explorer.seeded.error_trace_id)


def test_trace_links_to_its_logged_model_which_lists_its_traces(page, explorer, shot):
    open_trace(page, explorer, explorer.seeded.agent_trace_id)
    page.locator("[data-testid=trace-model-link]").click()
    expect(page.locator("[data-testid=model-name]")).to_have_text("support-agent")
    model_traces = page.locator(f"[data-testid=model-traces] {TRACE_ROWS}")
    expect(model_traces).to_have_count(1 + PLAIN_TRACES // 5)
    shot(page, "model")
    page.locator("[data-testid=model-run-link]").click()
    expect(page.locator("[data-testid=run-name]")).to_have_text("baseline")


def test_table_run_link_opens_the_run(page, explorer):
    open_table(page, explorer)
    page.locator(f"{TRACE_ROWS}[data-trace-id='tr-{3:032x}'] [data-testid=trace-run-link]").click()
    expect(page.locator("[data-testid=run-name]")).to_have_text("prompt-v2")
    expect(page.locator(f"[data-testid=run-traces] {TRACE_ROWS}")).to_have_count(PLAIN_TRACES // 3)


# --- the README's screenshot --------------------------------------------------------------------------------------
def test_readme_screenshot_script_makes_its_picture(page, explorer, tmp_path):
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "docs" / "make_screenshot.py"
    spec = importlib.util.spec_from_file_location("make_screenshot", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    target = tmp_path / "explorer.png"
    module.capture(page, explorer.url, explorer.seeded, target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 20_000


# --- authentication -------------------------------------------------------------------------------------------------
@pytest.fixture
def auth_server(tmp_path):
    """start(auth=..., users_file=... | tokens_file=...): a server with one trace, behind authentication."""
    require_browser()
    servers = []

    def start(**settings) -> str:
        uri = f"sqlite:///{tmp_path / f'auth-{len(servers)}.db'}"
        store = SqlTraceStore(uri)
        store.write_traces([build_trace(name="guarded")])
        store.close()
        server = ThreadedServer(create_app(ServerSettings(backend_store_uri=uri, **settings))).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


def test_basic_auth_uses_the_browsers_own_credentials(playwright, auth_server, tmp_path, shot):
    users = tmp_path / "users.txt"
    users.write_text("alice:s3cret\n")
    url = auth_server(auth="basic", users_file=str(users))
    from playwright.sync_api import Error as PlaywrightError

    with chromium_context(playwright) as anonymous:
        tab = anonymous.new_page()
        challenges = []
        tab.on("response", lambda response: challenges.append((response.status, response.headers.get(
            "www-authenticate", ""))))
        # The server's 401 carries a Basic challenge: a person gets the browser's prompt; headless, none is given.
        with pytest.raises(PlaywrightError, match="ERR_INVALID_AUTH_CREDENTIALS"):
            tab.goto(url + "/")
        assert challenges == [(401, 'Basic realm="tracekit"')]
    with chromium_context(playwright, http_credentials={"username": "alice", "password": "s3cret"}) as signed_in:
        tab = signed_in.new_page()
        tab.goto(url + "/#/experiments/0/traces")
        expect(tab.locator(TRACE_ROWS)).to_have_count(1)
        expect(tab.locator("[data-testid=trace-name]")).to_have_text("guarded")
        shot(tab, "basic-auth")


def test_bearer_auth_page_asks_for_the_token(playwright, auth_server, tmp_path, shot):
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("tok-123\n")
    url = auth_server(auth="bearer", tokens_file=str(tokens))
    with chromium_context(playwright) as context:
        tab = context.new_page()
        tab.goto(url + "/#/experiments/0/traces")
        form = tab.locator("[data-testid=token-form]")
        expect(form).to_be_visible()
        expect(tab.locator(TRACE_ROWS)).to_have_count(0)
        tab.locator("[data-testid=token-input]").fill("wrong")
        tab.locator("[data-testid=token-input]").press("Enter")
        expect(form).to_contain_text("not accepted")
        tab.locator("[data-testid=token-input]").fill("tok-123")
        tab.locator("[data-testid=token-input]").press("Enter")
        expect(tab.locator(TRACE_ROWS)).to_have_count(1)
        expect(form).to_be_hidden()
        shot(tab, "bearer-auth")
        assert re.search(r"#/experiments/0/traces", tab.url)
