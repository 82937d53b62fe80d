"""`tracekit.mistral.autolog()`: MLflow's `mlflow.mistral.autolog()` for tracekit, tracing Mistral calls.

The integration itself lives in `tracekit.integrations.mistral`, imported only when `autolog()` is called, so that
`import tracekit` stays cheap and works without Mistral installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.autologging import autolog_integration


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace Mistral calls (`disable=True` or `log_traces=False` turns that off again); `silent=True` logs nothing
    during setup; `extra_tags` are added to every trace one of its calls starts. For Mistral, the last call of
    this or of `tracekit.autolog()` decides.

    >>> tracekit.mistral.autolog(extra_tags={"app": "support-bot"})
    >>> client.chat.complete(...)  # recorded as a trace tagged app=support-bot
    """
    autolog_integration("mistral", disable, silent, log_traces, extra_tags)
