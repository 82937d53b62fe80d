"""The explorer's charts, run comparison, LLM columns and sums, and sessions, in a real browser (headless Chromium
against a tracking server on 127.0.0.1 holding `ui_seed`'s data; fixtures shared with test_ui_browser.py)."""

from __future__ import annotations

import pytest
import test_ui_browser as shared
from test_ui_browser import TRACE_ROWS, expect
from ui_seed import HISTORY_KEYS, HISTORY_STEPS, SESSIONS

# The same fixtures: a server holding ui_seed's data (one for this module), Chromium, a checked tab, screenshots.
explorer = shared.explorer
playwright = shared.playwright
browser_context = shared.browser_context
page = shared.page
shot = shared.shot

pytestmark = pytest.mark.slow
CHARTS = "[data-testid=metric-chart]"


def chart(page, key: str):
    return page.locator(f"{CHARTS}[data-metric='{key}']")


# --- charts on the run page -------------------------------------------------------------------------------------
def test_run_page_charts_every_metric_with_system_metrics_grouped(page, explorer, shot):
    page.goto(explorer.at(f"runs/{explorer.seeded.run_id}"))
    expect(page.locator(f"[data-testid=run-charts] {CHARTS}")).to_have_count(len(HISTORY_KEYS) + 2)
    system = page.locator("[data-testid=chart-group-system]")
    expect(system.locator(CHARTS)).to_have_count(2)
    expect(system).to_contain_text("system/cpu_utilization_percentage")
    expect(page.locator(f"[data-testid=chart-group-metrics] {CHARTS}")).to_have_count(3)  # accuracy, latency, loss
    loss = chart(page, "loss").locator("path[data-series]")
    expect(loss).to_have_attribute("data-points", str(HISTORY_STEPS))
    shot(page, "run-charts")
    # Every point of the loss curve is drawn, falling, with the spike at step 60 above its neighbours.
    ys = [float(part.split(" ")[1]) for part in loss.get_attribute("d")[1:].split("L")]
    assert len(ys) == HISTORY_STEPS
    assert ys[0] < ys[30] < ys[59] and ys[60] < ys[59] and ys[60] < ys[61]  # SVG y grows downwards


def test_the_x_axis_switches_to_time_without_asking_the_server_again(page, explorer):
    page.goto(explorer.at(f"runs/{explorer.seeded.run_id}"))
    expect(chart(page, "loss")).to_have_count(1)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.locator("[data-testid=run-charts] [data-testid=chart-x-axis]").select_option("time")
    expect(chart(page, "loss").locator("text").filter(has_text=":")).not_to_have_count(0)  # clock labels
    assert not [url for url in requests if "metric-history" in url]


# --- comparison -------------------------------------------------------------------------------------------------
def test_selected_runs_are_compared_with_differences_highlighted(page, explorer, shot):
    page.goto(explorer.at(f"experiments/{explorer.seeded.experiment_id}/runs"))
    expect(page.locator("[data-testid=run-row]")).to_have_count(2)
    compare = page.locator("[data-testid=compare-runs]")
    expect(compare).to_have_attribute("aria-disabled", "true")
    for box in page.locator("[data-testid=run-select]").all():
        box.check()
    expect(compare).to_have_text("Compare 2 runs")
    compare.click()
    expect(page.locator("[data-testid=compare-title]")).to_have_text("Comparing 2 runs")
    params = page.locator("[data-testid=compare-params-table]")
    expect(params.locator("tr[data-key=temperature]")).to_have_attribute("data-differs", "true")
    expect(params.locator("tr[data-key=temperature]")).to_contain_text("0.7")
    expect(params.locator("tr[data-key=model]")).to_have_attribute("data-differs", "false")
    expect(params.locator("tr[data-key=top_k]")).to_have_attribute("data-differs", "true")  # one run lacks it
    expect(page.locator("[data-testid=compare-metrics-table] tr[data-key=loss]")).to_have_count(1)
    expect(chart(page, "loss").locator("path[data-series]")).to_have_count(2)
    expect(chart(page, "loss").locator(".chart-legend")).to_contain_text("prompt-v2")
    shot(page, "compare")
    page.locator("[data-testid=compare-params-table-only-differences]").check()
    expect(params.locator("tr[data-key=model]")).to_be_hidden()
    expect(params.locator("tr[data-key=temperature]")).to_be_visible()


def test_compare_without_runs_says_what_to_do(page, explorer):
    page.goto(explorer.at("compare"))
    expect(page.get_by_text("Select runs in an experiment's runs tab")).to_be_visible()


# --- LLM columns and sums ---------------------------------------------------------------------------------------
def test_traces_table_shows_model_tokens_and_cost(page, explorer, shot):
    page.goto(explorer.at(f"experiments/{explorer.seeded.experiment_id}/traces"))
    agent = page.locator(f"{TRACE_ROWS}[data-trace-id='{explorer.seeded.agent_trace_id}']")
    expect(agent.locator("[data-testid=trace-llm-model]")).to_have_text("gpt-4o-mini")
    # Two LLM calls of 412 in / 58 out tokens each.
    expect(agent.locator("[data-testid=trace-input-tokens]")).to_have_text("824")
    expect(agent.locator("[data-testid=trace-output-tokens]")).to_have_text("116")
    expect(agent.locator("[data-testid=trace-total-tokens]")).to_have_text("940")
    expect(agent.locator("[data-testid=trace-cost]")).to_have_text("$0.00019")  # (824 × 0.15 + 116 × 0.60) / 1M
    plain = page.locator(f"{TRACE_ROWS}[data-trace-id='{explorer.seeded.error_trace_id}']")
    expect(plain.locator("[data-testid=trace-cost]")).to_have_text("")
    shot(page, "traces-llm-columns")
    agent.locator("[data-testid=trace-link]").click()
    facts = page.locator("[data-testid=trace-facts]")
    expect(facts.locator("[data-testid=trace-cost]")).to_have_text("$0.00019")
    expect(facts).to_contain_text("gpt-4o-mini")


def test_run_and_model_pages_sum_tokens_and_cost(page, explorer, shot):
    page.goto(explorer.at(f"runs/{explorer.seeded.run_id}"))
    usage = page.locator("[data-testid=run-llm-usage]")
    expect(usage.locator("[data-testid=llm-usage-row]")).to_have_count(1)
    expect(usage.locator("[data-testid=llm-usage-model]")).to_have_text("gpt-4o-mini")
    expect(usage.locator("[data-testid=llm-usage-total-tokens]")).to_have_text("940")
    expect(usage.locator("[data-testid=llm-usage-total-cost]")).to_have_text("$0.00019")
    shot(page, "run-llm-usage")
    page.goto(explorer.at(f"models/{explorer.seeded.model_id}"))
    expect(page.locator("[data-testid=model-llm-usage] [data-testid=llm-usage-total-tokens]")).to_have_text("940")


# --- sessions ---------------------------------------------------------------------------------------------------
def test_sessions_tab_lists_conversations_and_opens_one_in_order(page, explorer, shot):
    page.goto(explorer.at(f"experiments/{explorer.seeded.experiment_id}/sessions"))
    rows = page.locator("[data-testid=session-row]")
    expect(rows).to_have_count(len(SESSIONS))
    user, numbers = SESSIONS["conv-42"]
    conversation = page.locator("[data-testid=session-row][data-session-id=conv-42]")
    expect(conversation.locator("[data-testid=session-user]")).to_have_text(user)
    expect(conversation.locator("[data-testid=session-traces]")).to_have_text(str(len(numbers)))
    shot(page, "sessions")
    conversation.locator("[data-testid=session-link]").click()
    expect(page.locator("[data-testid=session-id]")).to_have_text("conv-42")
    turns = page.locator("[data-testid=session-turn]")
    expect(turns).to_have_count(len(numbers))
    # Oldest first: plain trace 4 started before 2, which started before 1.
    assert turns.evaluate_all("turns => turns.map(turn => turn.dataset.traceId)") == [
        f"tr-{number:032x}" for number in numbers]
    expect(turns.first.locator("[data-testid=session-input]")).to_contain_text("q4")
    expect(turns.first.locator("[data-testid=session-output]")).to_contain_text("a4")
    expect(page.locator("[data-testid=session-summary]")).to_contain_text(f"user {user}")
    shot(page, "session")
    turns.first.locator("[data-testid=session-trace-link]").click()
    expect(page.locator("[data-testid=span-row]").first).to_be_visible()
    page.locator("[data-testid=trace-session-link]").click()  # and back to the conversation
    expect(page.locator("[data-testid=session-turn]")).to_have_count(len(numbers))


def test_a_long_series_is_drawn_with_few_points_and_keeps_its_spikes(page, explorer):
    page.goto(explorer.at("experiments"))
    drawn = page.evaluate("""async () => {
      const {lineChart} = await import(new URL("static/js/charts.js", document.baseURI).href);
      const xs = Float64Array.from({length: 10000}, (_, i) => i);
      const ys = Float64Array.from({length: 10000}, (_, i) => (i === 7321 ? 100 : i === 2500 ? -50 : Math.sin(i)));
      ys[9000] = NaN;  // a gap
      const chart = lineChart({title: "long", series: [{label: "run", xs, ys}], width: 420, height: 220});
      document.body.append(chart);
      const path = chart.querySelector("path[data-series]");
      const points = path.getAttribute("d").match(/[ML][^ML]+/g).map((part) => part.slice(1).split(" ").map(Number));
      return {drawn: Number(path.dataset.drawn), moves: (path.getAttribute("d").match(/M/g) || []).length,
              lowest: Math.min(...points.map(([, y]) => y)), highest: Math.max(...points.map(([, y]) => y)),
              top: 10, bottom: 220 - 26};
    }""")
    assert drawn["drawn"] <= 4 * 420  # at most 4 points per pixel column of the plot
    assert drawn["moves"] == 2  # the gap breaks the line once
    assert drawn["lowest"] == pytest.approx(drawn["top"], abs=0.1)  # the +100 spike reaches the top
    assert drawn["highest"] == pytest.approx(drawn["bottom"], abs=0.1)  # the -50 dip reaches the bottom
