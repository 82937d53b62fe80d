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
    #: Token usage of an LLM, chat or embedding call: {"input_tokens": int, "output_tokens": int, "total_tokens": int}.
    CHAT_TOKEN_USAGE = "tracekit.chat.tokenUsage"
    #: On spans of other tracers (instrumentation packages): their OpenTelemetry span kind when not INTERNAL,
    #: and their instrumentation scope's name, kept so OTLP export can send them as they were made.
    OTEL_SPAN_KIND = "tracekit.otel.spanKind"
    OTEL_SCOPE = "tracekit.otel.scope"


class TraceMetadataKey:
    """Keys of trace metadata tracekit fills in when a trace starts (and, for the token usage, when it ends)."""

    SOURCE_RUN = "tracekit.sourceRun"
    MODEL_ID = "tracekit.modelId"
    TRACE_SCHEMA_VERSION = "tracekit.traceSchemaVersion"
    EVICTED = "tracekit.evictedInProgress"
    #: The trace's token usage summed over its LLM spans when it completed (JSON: input_tokens, output_tokens,
    #: total_tokens); read as `TraceInfo.token_usage`. MLflow 3 keeps the same object under `mlflow.trace.tokenUsage`.
    TOKEN_USAGE = "tracekit.trace.tokenUsage"
    #: The LLM model(s) the trace's token-counting spans called, comma-separated in order of first call.
    MODEL_NAME = "tracekit.trace.model"
    #: The trace's LLM cost in US dollars (a decimal number as text), priced when the trace completed
    #: (tracekit.entities.model_prices); absent when no counted span's model has a price.
    COST = "tracekit.trace.cost"
    #: Set by the user (`update_current_trace(metadata={...})`): the conversation and the end user a trace belongs
    #: to; the experiment's sessions view groups traces by the first, in order.
    SESSION = "tracekit.trace.session"
    USER = "tracekit.trace.user"


class RunTagKey:
    """Keys of the run tags tracekit sets: MLflow's system tag names, so a filter written for MLflow
    (`tags.mlflow.parentRunId = '...'`) finds the same runs."""

    RUN_NAME = "mlflow.runName"
    PARENT_RUN_ID = "mlflow.parentRunId"
    USER = "mlflow.user"
    SOURCE_NAME = "mlflow.source.name"
    SOURCE_TYPE = "mlflow.source.type"
    GIT_COMMIT = "mlflow.source.git.commit"
    GIT_BRANCH = "mlflow.source.git.branch"
    GIT_REPO_URL = "mlflow.source.git.repoURL"
    GIT_DIRTY = "mlflow.source.git.dirty"
    NOTE = "mlflow.note.content"
    #: tracekit's own: set on the run of a `tracekit.genai.evaluate` call ("genai"); the run page then links to the
    #: traces tagged with `TraceTagKey.EVALUATION_RUN`.
    EVALUATION = "tracekit.evaluation"


#: The names these tags were stored under before tracekit took MLflow's (migration 0003 renames stored ones); still
#: accepted wherever a run tag key is given: filters, order keys, set_tag and delete_tag.
LEGACY_RUN_TAG_KEYS = {
    "tracekit.runName": RunTagKey.RUN_NAME,
    "tracekit.parentRunId": RunTagKey.PARENT_RUN_ID,
    "tracekit.user": RunTagKey.USER,
    "tracekit.source.name": RunTagKey.SOURCE_NAME,
    "tracekit.note.content": RunTagKey.NOTE,
}


def run_tag_key(key: str) -> str:
    """The stored name of a run tag key: MLflow's name for a legacy `tracekit.*` system tag, else `key` itself."""
    return LEGACY_RUN_TAG_KEYS.get(key, key)


class TraceTagKey:
    """Keys of trace tags tracekit sets."""

    TRACE_NAME = "tracekit.traceName"
    #: Where the trace's files (span values too large to keep inline) are stored.
    ARTIFACT_LOCATION = "tracekit.artifactLocation"
    #: The run of the `tracekit.genai.evaluate` call that scored the trace (a trace may have come from another run).
    EVALUATION_RUN = "tracekit.evaluationRun"


#: The instrumentation scope (tracer name) of every span tracekit itself starts.
INSTRUMENTATION_NAME = "tracekit"
TRACE_SCHEMA_VERSION = "1"
TRACE_ID_PREFIX = "tr-"
REQUEST_PREVIEW_LENGTH = 1000
