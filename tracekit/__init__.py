"""tracekit: OpenTelemetry-based tracing for ML and LLM applications, stored in SQL and searchable as DataFrames.

This module is the one place that lists the public API.
"""

from tracekit import (
    anthropic,
    artifacts,
    bedrock,
    dspy,
    gemini,
    langchain,
    litellm,
    llama_index,
    mistral,
    openai,
    openai_agents,
    tracing,
)
from tracekit.artifacts.media import log_figure, log_image
from tracekit.artifacts.run_artifacts import get_artifact_uri, log_artifact, log_artifacts, log_dict, log_text
from tracekit.artifacts.tables import load_table, log_table
from tracekit.autologging import autolog
from tracekit.client import TracekitClient
from tracekit.entities import (
    Assessment,
    AssessmentError,
    AssessmentSource,
    AssessmentSourceType,
    Expectation,
    Experiment,
    Feedback,
    LoggedModel,
    LoggedModelStatus,
    Metric,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    Span,
    SpanEvent,
    SpanStatus,
    SpanStatusCode,
    SpanType,
    Trace,
    TraceData,
    TraceInfo,
    TraceState,
    ViewType,
)
from tracekit.evaluation_shortcuts import evaluate, validate_evaluation_results
from tracekit.exceptions import (
    InvalidFilterError,
    ModelValidationFailedException,
    ResourceNotFoundError,
    TracekitException,
    TraceRejectedError,
    TrackingServerUnavailableError,
)
from tracekit.registry.entities import ModelVersion, ModelVersionStatus, RegisteredModel
from tracekit.registry.registry_api import register_model, search_model_versions, search_registered_models
from tracekit.registry.registry_uri import get_registry_uri, set_registry_uri
from tracekit.system_metrics import (
    disable_system_metrics_logging,
    enable_system_metrics_logging,
    set_system_metrics_node_id,
    set_system_metrics_samples_before_logging,
    set_system_metrics_sampling_interval,
)
from tracekit.tracing import configure
from tracekit.tracing.assessments import (
    delete_assessment,
    get_assessment,
    log_assessment,
    log_expectation,
    log_feedback,
    update_assessment,
)
from tracekit.tracing.chat import set_span_chat_messages, set_span_chat_tools
from tracekit.tracing.decorator import trace
from tracekit.tracing.fluent import (
    add_trace,
    flush_trace_async_logging,
    get_active_trace_id,
    get_current_active_span,
    get_last_active_trace,
    get_last_active_trace_id,
    get_trace,
    start_span,
    update_current_trace,
)
from tracekit.tracing.live_span import LiveSpan
from tracekit.tracing.notebook_display import display_traces
from tracekit.tracing.search import count_traces, search_traces
from tracekit.tracing.trace_management import delete_trace_tag, delete_traces, set_trace_tag
from tracekit.tracking.active_model import ActiveModel, clear_active_model, get_active_model_id, set_active_model
from tracekit.tracking.async_logging import RunOperations, flush_async_logging
from tracekit.tracking.experiments import (
    create_experiment,
    delete_experiment,
    get_experiment,
    get_experiment_by_name,
    search_experiments,
    set_experiment,
    set_experiment_tag,
    set_experiment_tags,
)
from tracekit.tracking.inputs import log_input
from tracekit.tracking.logged_models import (
    create_external_model,
    delete_logged_model_tag,
    finalize_logged_model,
    get_logged_model,
    initialize_logged_model,
    last_logged_model,
    log_model_params,
    search_logged_models,
    set_logged_model_tags,
)
from tracekit.tracking.run_search import search_runs
from tracekit.tracking.runs import (
    ActiveRun,
    active_run,
    delete_run,
    delete_tag,
    end_run,
    get_metric_history,
    get_parent_run,
    get_run,
    last_active_run,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    set_tag,
    set_tags,
    start_run,
)
from tracekit.tracking_uri import get_tracking_uri, set_tracking_uri

__version__ = "0.1.0"

# The models half (and tracekit.genai, which returns its results in their EvaluationResult) imports numpy, pandas and
# PyYAML: loaded on first use (`tracekit.pyfunc.load_model(...)`), so that
# `import tracekit` stays light for tracing alone.
_LAZY_SUBMODULES = frozenset({"data", "deployments", "genai", "lightgbm", "models", "pyfunc", "pytorch", "sklearn",
                              "types", "xgboost"})


#: The same class under MLflow's name, so `mlflow.MlflowClient()` keeps working after `import tracekit as mlflow`.
MlflowClient = TracekitClient


def __getattr__(name: str) -> object:
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"tracekit.{name}")
    raise AttributeError(f"module 'tracekit' has no attribute {name!r}")


__all__ = [
    "ActiveModel",
    "ActiveRun",
    "Assessment",
    "AssessmentError",
    "AssessmentSource",
    "AssessmentSourceType",
    "Expectation",
    "Experiment",
    "Feedback",
    "InvalidFilterError",
    "LiveSpan",
    "LoggedModel",
    "LoggedModelStatus",
    "Metric",
    "MlflowClient",
    "ModelValidationFailedException",
    "ModelVersion",
    "ModelVersionStatus",
    "RegisteredModel",
    "ResourceNotFoundError",
    "Run",
    "RunData",
    "RunInfo",
    "RunStatus",
    "Span",
    "SpanEvent",
    "SpanStatus",
    "SpanStatusCode",
    "SpanType",
    "Trace",
    "TraceData",
    "TraceInfo",
    "TraceState",
    "TracekitClient",
    "TracekitException",
    "TraceRejectedError",
    "TrackingServerUnavailableError",
    "ViewType",
    "active_run",
    "add_trace",
    "anthropic",
    "artifacts",
    "autolog",
    "bedrock",
    "configure",
    "clear_active_model",
    "count_traces",
    "create_experiment",
    "create_external_model",
    "delete_assessment",
    "delete_experiment",
    "delete_logged_model_tag",
    "delete_run",
    "delete_tag",
    "delete_trace_tag",
    "delete_traces",
    "deployments",
    "dspy",
    "end_run",
    "evaluate",
    "finalize_logged_model",
    "flush_trace_async_logging",
    "genai",
    "get_active_model_id",
    "get_active_trace_id",
    "gemini",
    "get_artifact_uri",
    "get_assessment",
    "get_current_active_span",
    "get_experiment",
    "get_experiment_by_name",
    "get_last_active_trace",
    "get_last_active_trace_id",
    "get_logged_model",
    "get_metric_history",
    "get_parent_run",
    "get_registry_uri",
    "get_run",
    "get_trace",
    "get_tracking_uri",
    "langchain",
    "litellm",
    "llama_index",
    "mistral",
    "initialize_logged_model",
    "last_active_run",
    "last_logged_model",
    "load_table",
    "log_artifact",
    "log_artifacts",
    "log_assessment",
    "log_dict",
    "log_expectation",
    "log_feedback",
    "log_figure",
    "log_image",
    "log_metric",
    "log_metrics",
    "log_model_params",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "models",
    "openai",
    "openai_agents",
    "pyfunc",
    "register_model",
    "search_experiments",
    "search_logged_models",
    "search_model_versions",
    "search_registered_models",
    "search_runs",
    "search_traces",
    "set_active_model",
    "set_experiment",
    "set_experiment_tag",
    "set_experiment_tags",
    "set_logged_model_tags",
    "set_registry_uri",
    "set_span_chat_messages",
    "set_span_chat_tools",
    "set_tag",
    "set_tags",
    "set_trace_tag",
    "set_tracking_uri",
    "sklearn",
    "pytorch",
    "xgboost",
    "lightgbm",
    "start_run",
    "start_span",
    "trace",
    "tracing",
    "types",
    "update_assessment",
    "update_current_trace",
    "validate_evaluation_results",
    "RunOperations",
    "flush_async_logging",
    "log_input",
    "data",
    "disable_system_metrics_logging",
    "enable_system_metrics_logging",
    "set_system_metrics_node_id",
    "set_system_metrics_samples_before_logging",
    "set_system_metrics_sampling_interval",
    "display_traces",
]
