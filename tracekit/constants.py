"""Reserved attribute, tag and metadata keys that tracekit writes on spans and traces."""

from __future__ import annotations


class SpanAttributeKey:
    """Keys of the span attributes tracekit sets; their values are JSON text."""

    SPAN_TYPE = "tracekit.spanType"
    INPUTS = "tracekit.spanInputs"
    OUTPUTS = "tracekit.spanOutputs"
    FUNCTION_NAME = "tracekit.spanFunctionName"
    CHAT_MESSAGES = "tracekit.chat.messages"
    CHAT_TOOLS = "tracekit.chat.tools"


class TraceMetadataKey:
    """Keys of trace metadata tracekit fills in when a trace starts."""

    SOURCE_RUN = "tracekit.sourceRun"
    MODEL_ID = "tracekit.modelId"
    TRACE_SCHEMA_VERSION = "tracekit.traceSchemaVersion"
    EVICTED = "tracekit.evictedInProgress"


class RunTagKey:
    """Keys of the run tags tracekit sets (searchable like any tag: `tags.tracekit.parentRunId = '...'`)."""

    RUN_NAME = "tracekit.runName"
    PARENT_RUN_ID = "tracekit.parentRunId"
    USER = "tracekit.user"
    SOURCE_NAME = "tracekit.source.name"
    NOTE = "tracekit.note.content"


class TraceTagKey:
    """Keys of trace tags tracekit sets."""

    TRACE_NAME = "tracekit.traceName"


TRACE_SCHEMA_VERSION = "1"
TRACE_ID_PREFIX = "tr-"
REQUEST_PREVIEW_LENGTH = 1000
