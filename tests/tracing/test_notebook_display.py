"""Notebook display: a Trace, the list `search_traces(return_type="list")` returns and (through `display_traces`)
its DataFrame render as a compact span tree with durations and statuses; user text is escaped, never markup."""

from __future__ import annotations

import re
import time

import pandas as pd
import pytest

import tracekit
from tracekit import TracekitException
from tracekit.tracing import notebook_display


@tracekit.trace(name="pipeline")
def _pipeline(question: str) -> str:
    with tracekit.start_span("retrieve", span_type="RETRIEVER"):
        time.sleep(0.002)
    with tracekit.start_span("generate", span_type="LLM"):
        pass
    return "answer"


@tracekit.trace(name="<script>alert('x')</script>")
def _hostile() -> None:
    with tracekit.start_span('<img src=x onerror="steal()">'):
        pass


@tracekit.trace(name="failing")
def _failing() -> None:
    raise ValueError("boom")


def _last_trace() -> tracekit.Trace:
    return tracekit.get_trace(tracekit.get_last_active_trace_id())


def _rows(markup: str) -> list[str]:
    return re.findall(r"<tr><td style=\"padding-left:(\d+)px\">(.*?)</td>", markup)


def test_trace_shows_its_span_tree_with_types_durations_and_status():
    _pipeline("hi")
    markup = _last_trace()._repr_html_()
    assert _rows(markup) == [("6", "pipeline"), ("22", "retrieve"), ("22", "generate")]
    assert "RETRIEVER" in markup and "LLM" in markup
    assert re.search(r"retrieve</td>.*?<td>\d+\.\d ms</td>", markup)
    assert '<span class="tk-OK">OK</span>' in markup
    assert "{" not in markup.split("</style>")[1]  # a view, not a JSON dump


def test_failed_spans_are_marked_as_errors():
    with pytest.raises(ValueError):
        _failing()
    assert '<span class="tk-ERROR">ERROR</span>' in _last_trace()._repr_html_()


def test_user_text_is_escaped_never_markup():
    _hostile()
    markup = _last_trace()._repr_html_()
    assert "<script>" not in markup and "<img" not in markup
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in markup
    assert "&lt;img src=x onerror=&quot;steal()&quot;&gt;" in markup
    listed = tracekit.display_traces(tracekit.search_traces()).html
    assert "<script>" not in listed and "&lt;script&gt;" in listed


def test_search_results_as_a_list_render_as_a_table_of_traces():
    _pipeline("a")
    _pipeline("b")
    traces = tracekit.search_traces(return_type="list")
    assert isinstance(traces, list) and len(traces) == 2
    markup = traces._repr_html_()
    assert markup.count("<details>") == 2
    assert all(trace.info.trace_id in markup for trace in traces)


def test_the_dataframe_is_rendered_by_display_traces_and_left_untouched():
    _pipeline("a")
    frame = tracekit.search_traces()
    before = frame.copy()
    view = tracekit.display_traces(frame)
    assert "pipeline" in view._repr_html_() and "retrieve" in view._repr_html_()
    pd.testing.assert_frame_equal(frame, before)
    assert not hasattr(pd.DataFrame, "_tracekit_patched")


def test_big_views_stay_bounded(monkeypatch):
    monkeypatch.setattr(notebook_display, "MAX_SPANS", 2)
    monkeypatch.setattr(notebook_display, "MAX_TRACES", 1)
    _pipeline("a")
    _pipeline("b")
    assert "1 more spans not shown" in _last_trace()._repr_html_()
    assert "1 more traces not shown" in tracekit.search_traces(return_type="list")._repr_html_()


def test_display_traces_refuses_what_is_not_traces():
    with pytest.raises(TracekitException, match="no 'trace' column"):
        tracekit.display_traces(pd.DataFrame({"a": [1]}))
    with pytest.raises(TracekitException, match="every item must be a Trace"):
        tracekit.display_traces([1, 2])
    with pytest.raises(TracekitException, match="not text"):
        tracekit.display_traces("tr-123")
