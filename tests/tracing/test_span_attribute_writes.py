"""Attributes set on a live span land exactly as OpenTelemetry's own `set_attribute` would put them: a re-set key moves
to the end, the SDK's attribute count and value length limits still apply, and an ended span takes nothing more."""

from __future__ import annotations

import logging

import tracekit
from tracekit.constants import SpanAttributeKey


def test_reset_attribute_keeps_the_sdks_key_order(exported):
    with tracekit.start_span("order") as span:
        span.set_attribute("first", 1)
        span.set_attribute("second", 2)
        span.set_attribute("first", 3)
    (trace,) = exported()
    keys = [key for key in trace.data.spans[0].raw_attributes if key in ("first", "second")]
    assert keys == ["second", "first"]
    assert trace.data.spans[0].attributes["first"] == 3


def test_attribute_count_limit_drops_the_oldest(exported, monkeypatch):
    monkeypatch.setenv("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "3")
    tracekit.tracing.reset()
    with tracekit.start_span("limited") as span:  # its span type is the first of the three
        for index in range(5):
            span.set_attribute(f"key{index}", index)
    (trace,) = exported()
    assert list(trace.data.spans[0].raw_attributes) == ["key2", "key3", "key4"]


def test_value_length_limit_still_truncates(exported, monkeypatch):
    monkeypatch.setenv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "10")
    tracekit.tracing.reset()

    @tracekit.trace
    def echo(text):
        return text

    echo("a" * 50)
    (trace,) = exported()
    raw = trace.data.spans[0].raw_attributes
    assert raw[SpanAttributeKey.OUTPUTS] == '"' + "a" * 9
    assert len(raw[SpanAttributeKey.INPUTS]) == 10


def test_attribute_set_after_end_is_ignored_with_the_sdks_warning(exported, caplog):
    with tracekit.start_span("ended") as span:
        pass
    with caplog.at_level(logging.WARNING):
        span.set_attribute("late", 1)
    assert "Setting attribute on ended span" in caplog.text
    (trace,) = exported()
    assert "late" not in trace.data.spans[0].raw_attributes


def test_empty_key_is_dropped_as_the_sdk_drops_it(exported):
    with tracekit.start_span("empty key") as span:
        span.set_attribute("", 1)
        span.set_attribute("kept", 2)
    (trace,) = exported()
    raw = trace.data.spans[0].raw_attributes
    assert "" not in raw and raw["kept"] == "2"
