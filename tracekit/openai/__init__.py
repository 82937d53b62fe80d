"""`tracekit.openai.autolog()`: MLflow's `mlflow.openai.autolog()` for tracekit, tracing OpenAI calls.

The integration itself lives in `tracekit.integrations.openai`, imported only when `autolog()` is called, so that
`import tracekit` stays cheap and works without OpenAI installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.autologging import autolog_integration


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace OpenAI calls (`disable=True` or `log_traces=False` turns that off again); `silent=True` logs nothing
    during setup; `extra_tags` are added to every trace one of its calls starts. For OpenAI, the last call of
    this or of `tracekit.autolog()` decides.

    >>> tracekit.openai.autolog(extra_tags={"app": "support-bot"})
    >>> client.chat.completions.create(...)  # recorded as a trace tagged app=support-bot
    """
    autolog_integration("openai", disable, silent, log_traces, extra_tags)
