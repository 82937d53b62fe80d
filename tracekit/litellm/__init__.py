"""`tracekit.litellm.autolog()`: MLflow's `mlflow.litellm.autolog()` for tracekit, tracing LiteLLM calls.

The integration itself lives in `tracekit.integrations.litellm`, imported only when `autolog()` is called, so that
`import tracekit` stays cheap and works without LiteLLM installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.autologging import autolog_integration


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace LiteLLM calls (`disable=True` or `log_traces=False` turns that off again); `silent=True` logs nothing
    during setup; `extra_tags` are added to every trace one of its calls starts. For LiteLLM, the last call of
    this or of `tracekit.autolog()` decides.

    >>> tracekit.litellm.autolog(extra_tags={"app": "support-bot"})
    >>> litellm.completion(...)  # recorded as a trace tagged app=support-bot
    """
    autolog_integration("litellm", disable, silent, log_traces, extra_tags)
