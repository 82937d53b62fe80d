"""`tracekit.bedrock.autolog()`: MLflow's `mlflow.bedrock.autolog()` for tracekit, tracing AWS Bedrock calls.

The integration itself lives in `tracekit.integrations.bedrock`, imported only when `autolog()` is called, so that
`import tracekit` stays cheap and works without AWS Bedrock installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.autologging import autolog_integration


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace AWS Bedrock calls (`disable=True` or `log_traces=False` turns that off again); `silent=True` logs nothing
    during setup; `extra_tags` are added to every trace one of its calls starts. For AWS Bedrock, the last call of
    this or of `tracekit.autolog()` decides.

    >>> tracekit.bedrock.autolog(extra_tags={"app": "support-bot"})
    >>> boto3.client("bedrock-runtime").converse(...)  # recorded as a trace tagged app=support-bot
    """
    autolog_integration("bedrock", disable, silent, log_traces, extra_tags)
