"""OTLP, tracekit's one vocabulary for it: what tracekit writes on an OTLP span and how it reads one back.

- `keys`: the `tracekit.*` attribute names tracekit puts on OTLP spans beside the span attributes of
  `tracekit.constants.SpanAttributeKey` (trace-level data on the root span, the standard keys it derived);
- `convention`: the small base every semantic convention implements, both directions;
- `conventions`: the one translation, both ways, used by the OTLP decoder and by in-process spans of other tracers
  (`tracekit.tracing.live_span`): span type, inputs, outputs, conversation, tools, model and token usage;
- `openinference` and `genai`: the OpenInference and OpenTelemetry GenAI conventions, each table in its module;
- `messages`: chat messages between tracekit's shape and OpenInference's flattened keys, GenAI's JSON messages and
  GenAI's message events;
- `events`: the GenAI message events added to exported LLM and CHAT_MODEL spans (their text per
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT);
- `dedupe`: each long text of an exported span sent once, pointers elsewhere, put back on decoding;
- `encode`: a tracekit `Trace` -> OpenTelemetry `ReadableSpan`s / an OTLP `ExportTraceServiceRequest`;
- `decode`: an OTLP `ExportTraceServiceRequest` -> tracekit `Trace`s;
- `protobuf`: an OTLP/HTTP body (protobuf or JSON) -> `ExportTraceServiceRequest`.

The client-side exporter (`tracekit.exporters.otlp`) encodes with it, the tracking server's `/v1/traces` decodes
with it. `import tracekit` loads the encoder (the runtime checks the OTLP settings at start-up) but no protobuf:
protobuf modules load only when a request is built (`encode.encode_request`) or read (`decode`, `protobuf`).
"""
