"""Every `TRACEKIT_*` setting in one place: its name, type, default and meaning; and, at the end, the standard
`OTEL_*` variables tracekit reads for OTLP export.

A setting MLflow also has names its `MLFLOW_*` variable as `fallback`, read when the `TRACEKIT_*` one is unset, so
an environment set up for MLflow works unchanged: a value set in code wins, then `TRACEKIT_*`, then `MLFLOW_*`,
then the default. A setting with a second tracekit name lists it under `aliases`, read after the name itself.

The tracing runtime reads these when tracekit is imported and again on `tracekit.tracing.reset()` (the hot path never
touches the environment); the tracking URI and experiment are read when they are needed. A value that does not parse
is logged and the default used, as the OpenTelemetry SDK does for its own `OTEL_*` variables.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One environment variable (and the MLflow variable read when it is unset): `get()` returns its parsed value
    or the default."""

    name: str
    type: type
    default: T
    doc: str
    fallback: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The variables read, first one set wins: `name`, its `aliases`, then `fallback` if the setting has one."""
        return (self.name, *self.aliases, self.fallback) if self.fallback else (self.name, *self.aliases)

    def get(self) -> T:
        """The current value from the environment, or the default when unset or malformed."""
        found = self._raw()
        if found is None:
            return self.default
        variable, raw = found
        try:
            return self._parse(raw)
        except ValueError:
            logger.warning("Ignoring %s=%r: expected %s; using the default %r.", variable, raw,
                           self.type.__name__, self.default)
            return self.default

    def is_set(self) -> bool:
        """Whether the variable (or its fallback) is present in the environment."""
        return self._raw() is not None

    def _raw(self) -> tuple[str, str] | None:
        for variable in self.names:
            raw = os.environ.get(variable, "").strip()
            if raw:
                return variable, raw
        return None

    def _parse(self, raw: str):
        if self.type is bool:
            lowered = raw.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError(raw)
        value = self.type(raw)
        if self.type in (int, float) and value < 0:
            raise ValueError(raw)
        return value


TRACKING_URI = Setting(
    "TRACEKIT_TRACKING_URI", str, "",
    "Where traces and tracking data are stored. Unset: sqlite:///tracekit.db in the working directory.",
    fallback="MLFLOW_TRACKING_URI")
REGISTRY_URI = Setting(
    "TRACEKIT_REGISTRY_URI", str, "",
    "Where registered models are stored (set_registry_uri() overrides it). Unset: the tracking URI.",
    fallback="MLFLOW_REGISTRY_URI")
EXPERIMENT_ID = Setting(
    "TRACEKIT_EXPERIMENT_ID", str, "", "Experiment for new traces and runs; unset: default '0'.",
    fallback="MLFLOW_EXPERIMENT_ID")
EXPERIMENT_NAME = Setting(
    "TRACEKIT_EXPERIMENT_NAME", str, "",
    "Experiment (by name, created if missing) for new traces, runs and models; set_experiment() overrides it, and it "
    "overrides TRACEKIT_EXPERIMENT_ID.",
    fallback="MLFLOW_EXPERIMENT_NAME")
ACTIVE_MODEL_ID = Setting(
    "TRACEKIT_ACTIVE_MODEL_ID", str, "",
    "Logged model new traces link to when set_active_model() was not called (clear_active_model() ignores it); read "
    "at import and on tracekit.tracing.reset().")
TRACE_BUFFER_MAX_SIZE = Setting(
    "TRACEKIT_TRACE_BUFFER_MAX_SIZE", int, 1000,
    "How many unfinished traces are held in memory; the oldest is exported as IN_PROGRESS beyond that.")
TRACE_BUFFER_TTL_SECONDS = Setting(
    "TRACEKIT_TRACE_BUFFER_TTL_SECONDS", float, 3600.0,
    "How long an unfinished trace is held before it is exported as IN_PROGRESS.")
MAX_SPAN_PAYLOAD_BYTES = Setting(
    "TRACEKIT_MAX_SPAN_PAYLOAD_BYTES", int, 67_108_864,
    "Largest JSON size of one span input, output or attribute; larger values are truncated with a marker. A value "
    "is held in memory until its trace is exported, so this bounds what one value costs.")
MAX_INLINE_BYTES = Setting(
    "TRACEKIT_MAX_INLINE_BYTES", int, 1_048_576,
    "Largest JSON size of a span value stored in the span table; larger ones are stored as artifacts of the trace "
    "(<experiment artifact location>/traces/<trace_id>/artifacts) and read back by get_trace and search_traces.")
ASYNC_TRACE_LOGGING = Setting(
    "TRACEKIT_ASYNC_TRACE_LOGGING", bool, True,
    "Export completed traces from a background thread (true) or in the thread that ends the root span (false).")
ASYNC_TRACE_QUEUE_SIZE = Setting(
    "TRACEKIT_ASYNC_TRACE_QUEUE_SIZE", int, 10_000,
    "How many completed traces wait for the background exporter before new ones go to the spill file.")
EXPORT_BATCH_SIZE = Setting(
    "TRACEKIT_EXPORT_BATCH_SIZE", int, 500, "Most traces written in one store transaction.")
EXPORT_MAX_INTERVAL_MILLIS = Setting(
    "TRACEKIT_ASYNC_TRACE_LOGGING_MAX_INTERVAL_MILLIS", int, 200,
    "How long the background exporter waits, after a trace arrives, for more to write in the same transaction (100 "
    "waiting traces, a flush or exit end the wait at once). Fewer, larger writes keep the exporter from competing "
    "with the program on every trace; 0 writes each trace as soon as it arrives.",
    fallback="MLFLOW_ASYNC_TRACE_LOGGING_MAX_INTERVAL_MILLIS")
EXPORT_QUEUE_FULL_WAIT_SECONDS = Setting(
    "TRACEKIT_EXPORT_QUEUE_FULL_WAIT_SECONDS", float, 0.05,
    "How long a caller waits for room in a full export queue before the trace goes to the spill file.")
EXPORT_RETRY_MAX_SECONDS = Setting(
    "TRACEKIT_EXPORT_RETRY_MAX_SECONDS", float, 30.0,
    "How long a batch is retried with backoff before it is written to the spill file.")
SPILL_DIR = Setting(
    "TRACEKIT_SPILL_DIR", str, "",
    "Folder for traces the store could not take yet. Unset: ~/.tracekit/spill.")
EXIT_TIMEOUT_S = Setting(
    "TRACEKIT_EXIT_TIMEOUT_S", float, 10.0,
    "At exit and on SIGTERM: how long the export queue may take to deliver what is pending (a store that hangs "
    "included) before the rest, the batch being written too, goes to the spill file.")
HANDLE_SIGTERM = Setting(
    "TRACEKIT_HANDLE_SIGTERM", bool, True,
    "Install a SIGTERM handler (from the main thread, at import) that flushes within TRACEKIT_EXIT_TIMEOUT_S, spills "
    "the rest, then hands the signal to the handler installed before it (by default the process is terminated by "
    "the signal, as without tracekit). false: leave SIGTERM alone.")
TRACE_EXPORTER = Setting(
    "TRACEKIT_TRACE_EXPORTER", str, "",
    "Name of a trace exporter plugin (entry-point group tracekit.trace_exporter) that completed traces go to in place "
    "of the tracking store. A name no plugin provides is logged and traces go to the store.")
ENABLE_DUAL_EXPORT = Setting(
    "TRACEKIT_ENABLE_DUAL_EXPORT", bool, False,
    "With an OTLP endpoint configured, send traces to the tracking store as well as to OTLP.")
TRACE_SAMPLING_RATIO = Setting(
    "TRACEKIT_TRACE_SAMPLING_RATIO", float, 1.0,
    "Fraction of traces recorded (0.0 to 1.0), decided at the root span; children follow, so whole traces are kept "
    "or dropped, never parts of one. Dropped traces are counted in tracing.stats().sampled_out.")
USE_GLOBAL_TRACER_PROVIDER = Setting(
    "TRACEKIT_USE_GLOBAL_TRACER_PROVIDER", bool, False,
    "Join OpenTelemetry's global TracerProvider and current-span context, so spans of OpenTelemetry instrumentation "
    "packages nest under tracekit spans and are stored in the same trace (see tracekit.configure). Read at import "
    "(joining then, before any span starts) and on tracekit.tracing.reset().",
    aliases=("TRACEKIT_USE_GLOBAL_PROVIDER",))
TRACE_PYFUNC_PREDICT = Setting(
    "TRACEKIT_TRACE_PYFUNC_PREDICT", bool, True,
    "Record each predict of a loaded pyfunc model (tracekit.pyfunc.load_model) as a trace linked to the model "
    "(search_traces(model_id=...)); false: predict runs untraced. Read at import and on tracekit.tracing.reset().")
ENABLE_ASYNC_LOGGING = Setting(
    "TRACEKIT_ENABLE_ASYNC_LOGGING", bool, False,
    "Default of `synchronous` for log_metric(s), log_param(s) and set_tag(s): true logs from a background thread "
    "(each call returns a RunOperations to wait on), false logs before returning.",
    fallback="MLFLOW_ENABLE_ASYNC_LOGGING")
ASYNC_LOGGING_QUEUE_SIZE = Setting(
    "TRACEKIT_ASYNC_LOGGING_QUEUE_SIZE", int, 10_000,
    "How many async log calls may wait for the background logger; a caller finding the queue full waits for room "
    "(nothing is dropped).")
ASYNC_LOGGING_BATCH_SIZE = Setting(
    "TRACEKIT_ASYNC_LOGGING_BATCH_SIZE", int, 1_000,
    "Most metrics, params and tags the background logger writes to one run in one store call.")
ENABLE_SYSTEM_METRICS_LOGGING = Setting(
    "TRACEKIT_ENABLE_SYSTEM_METRICS_LOGGING", bool, False,
    "Log system metrics (CPU, memory, disk, network, GPU) of every run started without an explicit "
    "log_system_metrics=; needs psutil (pip install 'tracekit[system-metrics]').",
    fallback="MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING")
SYSTEM_METRICS_SAMPLING_INTERVAL = Setting(
    "TRACEKIT_SYSTEM_METRICS_SAMPLING_INTERVAL", float, 10.0,
    "Seconds between two samples of system metrics.", fallback="MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL")
SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING = Setting(
    "TRACEKIT_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING", int, 1,
    "How many samples are averaged into each logged system metric point.",
    fallback="MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING")
SYSTEM_METRICS_NODE_ID = Setting(
    "TRACEKIT_SYSTEM_METRICS_NODE_ID", str, "",
    "Identifier of this machine in system metric names (system/<node_id>/...), for runs spanning several nodes.",
    fallback="MLFLOW_SYSTEM_METRICS_NODE_ID")
SERVING_MODEL_URI = Setting(
    "TRACEKIT_SERVING_MODEL_URI", str, "",
    "The model a scoring server (`tracekit models serve`) loads; set by the command for its worker processes.")
SERVING_MAX_BODY_BYTES = Setting(
    "TRACEKIT_SERVING_MAX_BODY_BYTES", int, 64 * 1024 * 1024,
    "The largest /invocations request body a scoring server reads; larger ones are answered 413.")
ENV_ROOT = Setting(
    "TRACEKIT_ENV_ROOT", str, "",
    "Where `--env-manager virtualenv` keeps the virtual environments it builds for models, one folder per hash of a "
    "model's environment files (reused by every model with the same files). Unset: ~/.tracekit/envs.")
DEPLOYMENTS_ROOT = Setting(
    "TRACEKIT_DEPLOYMENTS_ROOT", str, "",
    "Where the built-in `local` deployment target records its deployments (deployments.json) and keeps their "
    "servers' logs. Unset: ~/.tracekit/deployments.")
SERVING_DEPLOYMENT_NAME = Setting(
    "TRACEKIT_SERVING_DEPLOYMENT_NAME", str, "",
    "The deployment a scoring server runs for (set by the `local` deployment target); each request's trace is tagged "
    "`tracekit.deploymentName` with it.")
RAISE_INTERNAL_ERRORS = Setting(
    "TRACEKIT_RAISE_INTERNAL_ERRORS", bool, False,
    "Re-raise a failure inside tracekit (a span that cannot start or end, an autolog recorder that breaks, a trace "
    "default that cannot be resolved) instead of logging it and going on. For tracekit's own tests and for "
    "debugging tracekit; leave it off in production, where it would let tracekit's errors reach your code. Read "
    "when such a failure happens.")
MODEL_PRICES = Setting(
    "TRACEKIT_MODEL_PRICES", str, "",
    "Path of a JSON file of LLM prices, {\"model\": {\"input\": dollars, \"output\": dollars}} per 1M tokens, "
    "added over the default table (tracekit.entities.model_prices) when a trace's cost is computed; "
    "tracekit.tracing.set_model_prices() wins over it.")

# --- Standard OpenTelemetry variables tracekit reads (the SDK and the OTLP exporters read them too) -------------------
OTLP_TRACES_ENDPOINT = Setting(
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", str, "",
    "Full URL of the OTLP traces endpoint (http://host:4318/v1/traces, or http://host:4317 for gRPC). Set: traces "
    "go to OTLP instead of the tracking store (to both with TRACEKIT_ENABLE_DUAL_EXPORT=true).")
OTLP_ENDPOINT = Setting(
    "OTEL_EXPORTER_OTLP_ENDPOINT", str, "",
    "Base URL of an OTLP endpoint for every signal; for HTTP, /v1/traces is appended. Used when the traces "
    "variable is unset.")
OTLP_TRACES_PROTOCOL = Setting(
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", str, "",
    "http/protobuf (default) or grpc.")
OTLP_PROTOCOL = Setting("OTEL_EXPORTER_OTLP_PROTOCOL", str, "", "Protocol for every signal; see the traces one.")
OTLP_TRACES_HEADERS = Setting(
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS", str, "",
    "Headers sent with each export, as comma-separated key=value pairs (values URL-encoded).")
OTLP_HEADERS = Setting("OTEL_EXPORTER_OTLP_HEADERS", str, "", "Headers for every signal; see the traces one.")
OTLP_TRACES_TIMEOUT = Setting(
    "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", str, "",
    "Seconds one export (with the OTLP exporter's own retries) may take; default 10. Read by the exporter.")
SERVICE_NAME = Setting(
    "OTEL_SERVICE_NAME", str, "", "service.name of the exported resource. Read by the OpenTelemetry SDK.")
RESOURCE_ATTRIBUTES = Setting(
    "OTEL_RESOURCE_ATTRIBUTES", str, "",
    "More resource attributes, as key=value pairs separated by commas. Read by the OpenTelemetry SDK.")
GENAI_CAPTURE_MESSAGE_CONTENT = Setting(
    "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", str, "",
    "Whether the GenAI message events on exported LLM and CHAT_MODEL spans carry the message text: true (or "
    "event_only) puts it in the events, which the span's llm.*_messages keys then point at; span_and_event sends it "
    "in both; unset, false, no_content or span_only: events carry roles, tool-call ids and finish reasons only.")

# --- artifacts -------------------------------------------------------------------------------------------------------
DEFAULT_ARTIFACT_ROOT = Setting(
    "TRACEKIT_DEFAULT_ARTIFACT_ROOT", str, "",
    "Where experiments created without an artifact_location keep their files (<root>/<experiment_id>): a local "
    "path, file:, s3:// or another artifact URI. Unset: tracekit-artifacts beside a SQLite database file, or "
    "./tracekit-artifacts in the working directory for PostgreSQL and MySQL. A root given in code (sql_backend's "
    "default_artifact_root, as a tracking server serving artifacts passes) wins over this setting.")

S3_ENDPOINT_URL = Setting(
    "TRACEKIT_S3_ENDPOINT_URL", str, "",
    "Endpoint of an S3-compatible service (MinIO, Ceph, a local test server) for s3:// artifact URIs. Unset: AWS S3. "
    "Credentials and region come from the usual AWS_* variables, ~/.aws or an IAM role.",
    fallback="MLFLOW_S3_ENDPOINT_URL")
S3_IGNORE_TLS = Setting(
    "TRACEKIT_S3_IGNORE_TLS", bool, False,
    "Do not check the S3 endpoint's TLS certificate (a self-signed MinIO); prefer AWS_CA_BUNDLE with its CA.",
    fallback="MLFLOW_S3_IGNORE_TLS")
S3_UPLOAD_EXTRA_ARGS = Setting(
    "TRACEKIT_S3_UPLOAD_EXTRA_ARGS", str, "",
    "JSON object of extra arguments for every S3 upload, e.g. {\"ServerSideEncryption\": \"aws:kms\", "
    "\"SSEKMSKeyId\": \"1234\"}.",
    fallback="MLFLOW_S3_UPLOAD_EXTRA_ARGS")
S3_MULTIPART_THRESHOLD_BYTES = Setting(
    "TRACEKIT_S3_MULTIPART_THRESHOLD_BYTES", int, 8 * 1024 * 1024,
    "Files at least this large are uploaded to S3 in parts, several at a time (S3 needs parts of 5 MiB or more).")
S3_MULTIPART_CHUNK_BYTES = Setting(
    "TRACEKIT_S3_MULTIPART_CHUNK_BYTES", int, 8 * 1024 * 1024,
    "Size of each part of a multipart S3 upload (at least 5 MiB; S3 allows at most 10,000 parts per file).")

# --- database timeouts (SQL tracking URIs) ---------------------------------------------------------------------------
SQL_CONNECT_TIMEOUT_S = Setting(
    "TRACEKIT_SQL_CONNECT_TIMEOUT_S", float, 10.0,
    "Seconds to open a connection to a PostgreSQL or MySQL tracking database (connect_timeout of the driver; "
    "PyMySQL then waits for the server's greeting up to TRACEKIT_SQL_STATEMENT_TIMEOUT_S).")
SQL_STATEMENT_TIMEOUT_S = Setting(
    "TRACEKIT_SQL_STATEMENT_TIMEOUT_S", float, 60.0,
    "Seconds one statement may take: PostgreSQL statement_timeout, MySQL read and write timeouts (the latter also "
    "end a wait on a server that accepted the connection and stopped answering). 0: no limit.")
SQLITE_BUSY_TIMEOUT_S = Setting(
    "TRACEKIT_SQLITE_BUSY_TIMEOUT_S", float, 30.0,
    "Seconds a SQLite statement waits for another process's write lock before failing with 'database is locked'.")

# --- the tracking server client (tracking URIs http:// and https://) -------------------------------------------------
TRACKING_USERNAME = Setting(
    "TRACEKIT_TRACKING_USERNAME", str, "",
    "User name sent to a tracking server with HTTP Basic authentication (with TRACEKIT_TRACKING_PASSWORD).",
    fallback="MLFLOW_TRACKING_USERNAME")
TRACKING_PASSWORD = Setting(
    "TRACEKIT_TRACKING_PASSWORD", str, "",
    "Password sent to a tracking server with HTTP Basic authentication (with TRACEKIT_TRACKING_USERNAME).",
    fallback="MLFLOW_TRACKING_PASSWORD")
TRACKING_TOKEN = Setting(
    "TRACEKIT_TRACKING_TOKEN", str, "",
    "Bearer token sent to a tracking server; Basic authentication wins when a user name and password are set.",
    fallback="MLFLOW_TRACKING_TOKEN")
TRACKING_AUTH = Setting(
    "TRACEKIT_TRACKING_AUTH", str, "",
    "Name of the request auth provider plugin (entry-point group tracekit.request_auth_provider) that authenticates "
    "requests to a tracking server; it wins over the user name, password and token.",
    fallback="MLFLOW_TRACKING_AUTH")
HTTP_REQUEST_TIMEOUT = Setting(
    "TRACEKIT_HTTP_REQUEST_TIMEOUT", float, 30.0,
    "Seconds a request to a tracking server may take (connecting, sending, waiting for the answer).")
HTTP_MAX_REQUEST_BYTES = Setting(
    "TRACEKIT_HTTP_MAX_REQUEST_BYTES", int, 8_388_608,
    "Largest body the client sends to a tracking server in one request; bigger trace batches are split.")

# --- the tracking server (`tracekit server`) ------------------------------------------------------------------------
SERVER_BACKEND_STORE_URI = Setting(
    "TRACEKIT_SERVER_BACKEND_STORE_URI", str, "",
    "Database the tracking server stores into (set by `tracekit server --backend-store-uri`). Unset: "
    "sqlite:///tracekit.db in the server's working directory.")
SERVER_AUTH = Setting(
    "TRACEKIT_SERVER_AUTH", str, "none",
    "Authentication the tracking server requires: none, basic or bearer (set by `tracekit server --auth`).")
SERVER_USERS_FILE = Setting(
    "TRACEKIT_SERVER_USERS_FILE", str, "",
    "With --auth basic: a file of `username:password` lines (blank lines and # comments ignored).")
SERVER_USERS = Setting(
    "TRACEKIT_SERVER_USERS", str, "",
    "With --auth basic: comma-separated `username:password` pairs, added to those of the users file.")
SERVER_TOKENS_FILE = Setting(
    "TRACEKIT_SERVER_TOKENS_FILE", str, "",
    "With --auth bearer: a file of accepted tokens, one a line (blank lines and # comments ignored).")
SERVER_TOKENS = Setting(
    "TRACEKIT_SERVER_TOKENS", str, "",
    "With --auth bearer: comma-separated accepted tokens, added to those of the tokens file.")
SERVER_MAX_BODY_BYTES = Setting(
    "TRACEKIT_SERVER_MAX_BODY_BYTES", int, 67_108_864,
    "Largest request body the tracking server reads (after gzip decoding for OTLP); larger ones get 413.")
SERVER_ARTIFACTS_DESTINATION = Setting(
    "TRACEKIT_SERVER_ARTIFACTS_DESTINATION", str, "",
    "Where a tracking server serving artifacts keeps them: a local folder or an s3:// URI (set by `tracekit server "
    "--artifacts-destination`). Unset: ./tracekit-artifacts in the server's working directory.")
SERVER_SERVE_ARTIFACTS = Setting(
    "TRACEKIT_SERVER_SERVE_ARTIFACTS", bool, True,
    "Whether the tracking server proxies artifact uploads and downloads (`tracekit-artifacts:` URIs) to its "
    "artifacts destination (`--serve-artifacts` / `--no-serve-artifacts`).")
SERVER_ARTIFACTS_ONLY = Setting(
    "TRACEKIT_SERVER_ARTIFACTS_ONLY", bool, False,
    "Serve the artifact routes only, with no backend store (`tracekit server --artifacts-only`).")
SERVER_DEFAULT_ARTIFACT_ROOT = Setting(
    "TRACEKIT_SERVER_DEFAULT_ARTIFACT_ROOT", str, "",
    "Artifact root of experiments created through the tracking server without a location (`--default-artifact-root`)."
    " Unset: tracekit-artifacts:/ when the server serves artifacts, else the backend store's own default.")
SERVER_TRACE_RETENTION_DAYS = Setting(
    "TRACEKIT_SERVER_TRACE_RETENTION_DAYS", float, 0.0,
    "Traces older than this many days are deleted by the tracking server in the background "
    "(`--trace-retention-days`); 0 keeps them forever.")
SERVER_RETENTION_INTERVAL_SECONDS = Setting(
    "TRACEKIT_SERVER_RETENTION_INTERVAL_SECONDS", float, 3600.0,
    "How often a tracking server with a trace retention looks for expired traces, in seconds.")
SERVER_APP_NAME = Setting(
    "TRACEKIT_SERVER_APP_NAME", str, "",
    "Name of a server app plugin (entry-point group tracekit.app, `tracekit server --app-name`) that wraps or extends "
    "the built-in tracking server app. Unset: the built-in app.")
SERVER_MAX_ARTIFACT_BYTES = Setting(
    "TRACEKIT_SERVER_MAX_ARTIFACT_BYTES", int, 1_099_511_627_776,
    "Largest artifact file the tracking server accepts in one upload (streamed to disk, never held in memory); "
    "larger ones get 413. Default 1 TiB.")
