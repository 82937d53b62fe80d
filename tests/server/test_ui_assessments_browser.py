"""Feedback and expectations in the trace explorer, in headless Chromium against a real tracking server (uvicorn on
127.0.0.1, SQLite): a trace's page lists its assessments and a person adds feedback (thumbs, or a value with a
rationale) that the store then holds with source HUMAN; the traces table shows a column per assessment name and
filters on a value."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from browser import chromium_context, require_browser
from server_helpers import ThreadedServer, build_trace

from tracekit.entities.assessment import AssessmentSource, Expectation, Feedback, new_assessment_id
from tracekit.server import ServerSettings, create_app
from tracekit.store.sql.traces import SqlTraceStore

pytestmark = pytest.mark.slow
EXPECT_TIMEOUT_MS = 30_000


@dataclass
class Judged:
    url: str
    uri: str
    good: str
    bad: str
    plain: str


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    return playwright_expect(locator)


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> Iterator[Judged]:
    """A server holding three traces: one judged good (feedback and an expectation), one bad, one unjudged."""
    require_browser()
    uri = f"sqlite:///{tmp_path_factory.mktemp('judged') / 'server.db'}"
    store = SqlTraceStore(uri)
    good, bad, plain = build_trace(), build_trace(), build_trace()
    store.write_traces([good, bad, plain])
    for trace, verdict in ((good, "yes"), (bad, "no")):
        store.log_assessment(Feedback(name="verdict", value=verdict, trace_id=trace.info.trace_id,
                                      assessment_id=new_assessment_id(), rationale=f"judged {verdict}",
                                      source=AssessmentSource("LLM_JUDGE", "judge-1")))
    store.log_assessment(Expectation(name="expected_answer", value="Paris", trace_id=good.info.trace_id,
                                     assessment_id=new_assessment_id()))
    store.close()
    server = ThreadedServer(create_app(ServerSettings(backend_store_uri=uri))).start()
    yield Judged(server.url, uri, good.info.trace_id, bad.info.trace_id, plain.info.trace_id)
    server.stop()


@pytest.fixture(scope="module")
def browser_context(judged):
    with chromium_context() as context:
        yield context


@pytest.fixture
def page(browser_context, judged):
    tab = browser_context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    tab.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def stored(judged: Judged, trace_id: str):
    store = SqlTraceStore(judged.uri)
    try:
        return store.get_trace(trace_id).info.assessments
    finally:
        store.close()


def test_trace_page_lists_its_assessments(page, judged, tmp_path):
    page.goto(f"{judged.url}/#/traces/{judged.good}")
    rows = page.locator("[data-testid=assessment-row]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("[data-testid=assessment-name]")).to_have_text("verdict")
    expect(rows.nth(0).locator("[data-testid=assessment-value]")).to_have_text("yes")
    expect(rows.nth(0).locator("[data-testid=assessment-source]")).to_have_text("LLM_JUDGE · judge-1")
    expect(rows.nth(0).locator("[data-testid=assessment-rationale]")).to_have_text("judged yes")
    expect(rows.nth(1).locator("[data-testid=assessment-value]")).to_have_text("Paris")
    page.screenshot(path=str(tmp_path / "assessments.png"))


def test_a_person_adds_thumbs_and_a_value_with_a_rationale(page, judged):
    page.goto(f"{judged.url}/#/traces/{judged.plain}")
    expect(page.locator("[data-testid=no-assessments]")).to_be_visible()
    page.get_by_test_id("thumbs-up").click()
    rows = page.locator("[data-testid=assessment-row]")
    expect(rows).to_have_count(1)
    page.get_by_test_id("feedback-name").fill("helpfulness")
    page.get_by_test_id("feedback-value").fill("0.7")
    page.get_by_test_id("feedback-rationale").fill("close, <b>not</b> quite")
    page.get_by_test_id("feedback-submit").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator("[data-testid=assessment-rationale]")).to_have_text("close, <b>not</b> quite")
    thumbs, score = stored(judged, judged.plain)
    assert (thumbs.name, thumbs.value, thumbs.source.source_type) == ("user_feedback", True, "HUMAN")
    assert (score.name, score.value, score.rationale) == ("helpfulness", 0.7, "close, <b>not</b> quite")
    page.reload()
    expect(page.locator("[data-testid=assessment-row]")).to_have_count(2)


def test_a_refused_feedback_shows_the_servers_message(page, judged):
    before = stored(judged, judged.plain)
    page.goto(f"{judged.url}/#/traces/{judged.plain}")
    page.get_by_test_id("feedback-name").fill("   ")
    page.get_by_test_id("thumbs-down").click()
    expect(page.get_by_test_id("feedback-error")).to_contain_text("name")
    assert stored(judged, judged.plain) == before


def test_traces_table_has_a_column_per_assessment_and_filters_on_a_value(page, judged, tmp_path):
    page.goto(f"{judged.url}/#/experiments/0/traces")
    rows = page.locator("[data-testid=trace-row]")
    expect(rows).to_have_count(3)
    heads = page.locator("[data-testid=assessment-column]")
    expect(heads).to_contain_text(["expected_answer", "verdict"])
    page.screenshot(path=str(tmp_path / "assessment-columns.png"))
    good_row = page.locator(f"[data-trace-id='{judged.good}']")
    good_row.locator("[data-testid=assessment-cell][data-name=verdict] button").click()
    expect(page.get_by_test_id("filter-input")).to_have_value("feedback.verdict = 'yes'")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-trace-id", judged.good)
