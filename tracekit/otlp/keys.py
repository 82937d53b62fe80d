"""The `tracekit.*` attribute names of tracekit's OTLP spans, beyond the span attributes every tracekit span has
(`tracekit.constants.SpanAttributeKey`: span type, inputs, outputs, ...). Values are JSON text, as tracekit stores
them."""

from __future__ import annotations


class TraceAttributeKey:
    """Trace-level data, carried by the root span of an exported trace."""

    TRACE_ID = "tracekit.trace.id"
    EXPERIMENT_ID = "tracekit.trace.experimentId"
    TAGS = "tracekit.trace.tags"
    METADATA = "tracekit.trace.metadata"
    CLIENT_REQUEST_ID = "tracekit.trace.clientRequestId"


#: Every key of `TraceAttributeKey`: taken off the root span when decoding, to become the trace's info again.
TRACE_LEVEL_KEYS = (TraceAttributeKey.TRACE_ID, TraceAttributeKey.EXPERIMENT_ID, TraceAttributeKey.TAGS,
                    TraceAttributeKey.METADATA, TraceAttributeKey.CLIENT_REQUEST_ID)

#: The standard keys (OpenInference, GenAI) the encoder added to a span, as a JSON list: decoding removes exactly
#: these, so an attribute the span had itself, even one equal to what would be derived, survives a round trip.
#: An entry `<prefix>*` (a prefix of `FLATTENED_PREFIXES`) names every key of that family on the span.
DERIVED_KEYS = "tracekit.otlp.derivedKeys"
#: The families of indexed keys (OpenInference's flattened messages and tools) a derived-keys entry may name whole.
FLATTENED_PREFIXES = ("llm.input_messages.", "llm.output_messages.", "llm.tools.")
#: How many of a span's events, at the end, the encoder added (GenAI message events, `tracekit.otlp.events`):
#: decoding removes them again.
DERIVED_EVENTS = "tracekit.otlp.derivedEvents"
#: The long texts sent once (`tracekit.otlp.dedupe`): JSON list of [place replaced by a pointer, place holding the
#: text].
ELIDED_TEXTS = "tracekit.otlp.elidedTexts"
