"""`tracekit.gemini.autolog()`: MLflow's `mlflow.gemini.autolog()` for tracekit, tracing Google GenAI (Gemini) calls.

The integration itself lives in `tracekit.integrations.gemini`, imported only when `autolog()` is called, so that
`import tracekit` stays cheap and works without Google GenAI (Gemini) installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.autologging import autolog_integration


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace Google GenAI (Gemini) calls (`disable=True` or `log_traces=False` turns that off again); `silent=True`
    logs nothing during setup; `extra_tags` are added to every trace one of its calls starts. For Google GenAI, the
    last call of this or of `tracekit.autolog()` decides.

    >>> tracekit.gemini.autolog(extra_tags={"app": "support-bot"})
    >>> client.models.generate_content(...)  # recorded as a trace tagged app=support-bot
    """
    autolog_integration("gemini", disable, silent, log_traces, extra_tags)
