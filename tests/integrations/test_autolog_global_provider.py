"""Autolog with the global provider joined: an SDK's own OpenTelemetry spans nest under tracekit's span of the call."""

from __future__ import annotations

import pytest

import tracekit

anthropic = pytest.importorskip("anthropic")
import tracekit.integrations.anthropic as anthropic_autolog  # noqa: E402


def test_the_sdks_own_spans_nest_under_the_autolog_span(fresh_global_tracer_provider, anthropic_client):
    # The anthropic SDK makes OpenTelemetry spans of its own on the global provider (scope com.anthropic.sdk.python).
    tracekit.configure(use_global_tracer_provider=True)
    anthropic_autolog.autolog()
    anthropic_client.messages.create(model="claude-test", max_tokens=16, messages=[{"role": "user", "content": "hi"}])

    trace = tracekit.get_trace(tracekit.get_last_active_trace_id())
    autolog_span = trace.data.root_span
    assert autolog_span.name == "anthropic.messages"
    sdk_spans = [span for span in trace.data.spans if span is not autolog_span]
    assert sdk_spans and all(span.parent_id == autolog_span.span_id for span in sdk_spans)
    assert {span.get_attribute("tracekit.otel.scope") for span in sdk_spans} == {"com.anthropic.sdk.python"}
    assert len(tracekit.search_traces(return_type="list")) == 1
