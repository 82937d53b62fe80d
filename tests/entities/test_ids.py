"""Trace and span ids: one format, parsed back, validated."""

from __future__ import annotations

import pytest

import tracekit
from tracekit.entities.ids import format_span_id, format_trace_id, is_valid_trace_id, parse_trace_id, require_trace_id
from tracekit.exceptions import TracekitException


def test_a_trace_id_is_tr_and_32_hex_digits():
    assert format_trace_id(0xAB) == "tr-" + "0" * 30 + "ab"


def test_a_formatted_trace_id_parses_back():
    otel_id = 0x1234_5678_9ABC_DEF0_1234_5678_9ABC_DEF0
    assert parse_trace_id(format_trace_id(otel_id)) == otel_id


@pytest.mark.parametrize("bad", ["", "tr-", "tr-" + "a" * 31, "tr-" + "a" * 33, "xx-" + "a" * 32,
                                 "tr-" + "g" * 32, "tr-" + "A" * 32, "tr-" + "a" * 32 + "\n", "tr-0x" + "a" * 30,
                                 None, 42])
def test_anything_else_is_not_a_trace_id(bad):
    assert not is_valid_trace_id(bad)
    with pytest.raises(ValueError):
        parse_trace_id(bad)  # type: ignore[arg-type]


def test_a_caller_passing_a_bad_trace_id_is_told_the_format():
    with pytest.raises(TracekitException, match="expected 'tr-' followed by 32 hex digits") as caught:
        require_trace_id("tr-nope")
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"


def test_a_span_id_is_16_hex_digits():
    assert format_span_id(0xAB) == "0" * 14 + "ab"


def test_spans_carry_ids_in_that_format(exported):
    with tracekit.start_span("root") as root:
        with tracekit.start_span("child") as child:
            pass
    assert is_valid_trace_id(root.trace_id)
    assert child.parent_id == root.span_id
    assert exported()[0].info.trace_id == root.trace_id
