"""What a completed LLM trace records for the traces table: the model its LLM spans called and their cost, from
the default price table, a TRACEKIT_MODEL_PRICES file or `tracing.set_model_prices`; and the session and user a
trace is given with `update_current_trace`, found again with a metadata filter."""

from __future__ import annotations

import json
import time

import pytest

import tracekit
from tracekit import SpanType
from tracekit.constants import SpanAttributeKey, TraceMetadataKey
from tracekit.entities.model_prices import DEFAULT_PRICES, PRICES_AS_OF, price_of
from tracekit.exceptions import TracekitException


@pytest.fixture(autouse=True)
def forget_prices():
    yield
    tracekit.tracing.set_model_prices(None)


def chat(model: str, input_tokens: int, output_tokens: int, *, response_model: str | None = None,
         metadata: dict | None = None) -> str:
    """One traced agent call whose LLM span called `model`; returns the trace id."""
    @tracekit.trace(span_type=SpanType.AGENT)
    def agent() -> None:
        if metadata:
            tracekit.update_current_trace(metadata=metadata)
        with tracekit.start_span("chat", span_type=SpanType.CHAT_MODEL) as span:
            span.set_attribute("gen_ai.request.model", model)
            if response_model:
                span.set_attribute("gen_ai.response.model", response_model)
            span.set_attribute(SpanAttributeKey.CHAT_TOKEN_USAGE, {
                "input_tokens": input_tokens, "output_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens})

    agent()
    time.sleep(0.002)  # the next trace starts in a later millisecond, so time orders them
    return tracekit.get_last_active_trace_id()


def stored_metadata(trace_id: str) -> dict[str, str]:
    (listed,) = [trace for trace in tracekit.search_traces(include_spans=False, return_type="list")
                 if trace.info.trace_id == trace_id]
    return listed.info.trace_metadata


def test_an_llm_trace_stores_its_model_and_cost(tracking_uri):
    trace_id = chat("gpt-4o-mini", 1000, 500, response_model="gpt-4o-mini-2024-07-18")
    metadata = stored_metadata(trace_id)
    assert metadata[TraceMetadataKey.MODEL_NAME] == "gpt-4o-mini-2024-07-18"  # the response's model wins
    assert float(metadata[TraceMetadataKey.COST]) == pytest.approx((1000 * 0.15 + 500 * 0.60) / 1e6)


def test_a_model_without_a_price_has_a_name_and_no_cost(tracking_uri):
    metadata = stored_metadata(chat("my-finetune", 10, 5))
    assert metadata[TraceMetadataKey.MODEL_NAME] == "my-finetune"
    assert TraceMetadataKey.COST not in metadata


def test_set_model_prices_adds_and_overrides_prices(tracking_uri):
    tracekit.tracing.set_model_prices({"my-finetune": {"input": 1.0, "output": 2.0}, "gpt-4o": [0.0, 1.0]})
    assert float(stored_metadata(chat("my-finetune", 1_000_000, 500_000))[TraceMetadataKey.COST]) == 2.0
    assert float(stored_metadata(chat("gpt-4o", 5, 1_000_000))[TraceMetadataKey.COST]) == 1.0
    tracekit.tracing.set_model_prices(None)
    assert TraceMetadataKey.COST not in stored_metadata(chat("my-finetune", 10, 5))


def test_a_prices_file_extends_the_table(tracking_uri, tmp_path, monkeypatch):
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"acme-large": {"input": 4, "output": 8}}))
    monkeypatch.setenv("TRACEKIT_MODEL_PRICES", str(prices))
    assert float(stored_metadata(chat("acme-large", 250_000, 0))[TraceMetadataKey.COST]) == 1.0
    tracekit.tracing.set_model_prices({"acme-large": {"input": 0, "output": 0}})  # code wins over the file
    assert float(stored_metadata(chat("acme-large", 250_000, 0))[TraceMetadataKey.COST]) == 0.0


def test_an_unreadable_prices_file_is_ignored_with_a_warning(tracking_uri, tmp_path, monkeypatch, caplog):
    broken = tmp_path / "broken.json"
    broken.write_text('{"acme": "cheap"}')
    monkeypatch.setenv("TRACEKIT_MODEL_PRICES", str(broken))
    metadata = stored_metadata(chat("gpt-4o-mini", 1_000_000, 0))
    assert float(metadata[TraceMetadataKey.COST]) == pytest.approx(0.15)  # the defaults still apply
    assert "Ignoring the model prices" in caplog.text and "'acme'" in caplog.text


@pytest.mark.parametrize("prices, message", [
    ({"gpt-4o": {"input": -1, "output": 2}}, "non-negative"),
    ({"gpt-4o": "cheap"}, "'gpt-4o' must be"),
    ({"": {"input": 1}}, "non-empty"),
    (["gpt-4o"], "mapping"),
])
def test_bad_prices_are_refused_naming_the_entry(prices, message):
    with pytest.raises(TracekitException, match=message):
        tracekit.tracing.set_model_prices(prices)


def test_model_names_match_their_family_and_provider_prefix():
    assert price_of("gpt-4o-mini-2024-07-18") == DEFAULT_PRICES["gpt-4o-mini"]
    assert price_of("GPT-4o") == DEFAULT_PRICES["gpt-4o"]
    assert price_of("openai/gpt-4.1-nano") == DEFAULT_PRICES["gpt-4.1-nano"]
    assert price_of("claude-3-5-haiku-20241022") == DEFAULT_PRICES["claude-3-5-haiku"]
    assert price_of("gpt-4omni") is None and price_of("unknown") is None
    assert PRICES_AS_OF[:4].isdigit()


def test_two_models_in_one_trace_are_both_named_and_priced(tracking_uri):
    @tracekit.trace(span_type=SpanType.AGENT)
    def agent() -> None:
        for model in ("gpt-4o-mini", "gpt-4o"):
            with tracekit.start_span(model, span_type=SpanType.LLM) as span:
                span.set_attributes({"gen_ai.request.model": model, "gen_ai.usage.input_tokens": 1_000_000,
                                     "gen_ai.usage.output_tokens": 0})

    agent()
    metadata = stored_metadata(tracekit.get_last_active_trace_id())
    assert metadata[TraceMetadataKey.MODEL_NAME] == "gpt-4o-mini, gpt-4o"
    assert float(metadata[TraceMetadataKey.COST]) == pytest.approx(0.15 + 2.50)


def test_a_sessions_traces_are_found_by_their_session_metadata(tracking_uri):
    first = chat("gpt-4o-mini", 1, 1, metadata={"tracekit.trace.session": "conv-1", "tracekit.trace.user": "ann"})
    chat("gpt-4o-mini", 1, 1, metadata={"tracekit.trace.session": "conv-2"})
    second = chat("gpt-4o-mini", 1, 1, metadata={"tracekit.trace.session": "conv-1", "tracekit.trace.user": "ann"})
    found = tracekit.search_traces(filter_string="metadata.`tracekit.trace.session` = 'conv-1'",
                                   order_by=["timestamp_ms ASC"], return_type="list")
    assert [trace.info.trace_id for trace in found] == [first, second]
    assert found[0].info.trace_metadata["tracekit.trace.user"] == "ann"
