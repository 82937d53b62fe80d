"""tracekit keeps to its own TracerProvider: the application's OpenTelemetry setup is untouched."""

from __future__ import annotations

from opentelemetry import trace as otel_trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import tracekit


def test_application_provider_keeps_its_spans_and_gets_none_of_tracekits(exported):
    app_exporter = InMemorySpanExporter()
    app_provider = TracerProvider()
    app_provider.add_span_processor(SimpleSpanProcessor(app_exporter))
    app_tracer = app_provider.get_tracer("app")
    global_before = otel_trace.get_tracer_provider()

    @tracekit.trace
    def traced():
        with app_tracer.start_as_current_span("app-inner"):
            return 1

    with app_tracer.start_as_current_span("app-outer") as outer:
        traced()

    assert otel_trace.get_tracer_provider() is global_before  # tracekit never set the global provider
    app_spans = {span.name: span for span in app_exporter.get_finished_spans()}
    assert set(app_spans) == {"app-outer", "app-inner"}
    # the app's spans keep their own parentage, not adopted by tracekit's span
    assert app_spans["app-inner"].parent.span_id == outer.get_span_context().span_id
    (trace,) = exported()
    assert [span.name for span in trace.data.spans] == ["traced"]
    assert trace.data.spans[0].parent_id is None  # and tracekit's root is not a child of the app's span
