"""`tracekit.langchain.autolog()`: MLflow's `mlflow.langchain.autolog()` for tracekit, tracing LangChain calls.

The integration itself lives in `tracekit.integrations.langchain`, imported only when `autolog()` is called, so that
`import tracekit` stays cheap and works without LangChain installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.autologging import autolog_integration


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace LangChain calls (`disable=True` or `log_traces=False` turns that off again); `silent=True` logs nothing
    during setup; `extra_tags` are added to every trace one of its calls starts. For LangChain, the last call of
    this or of `tracekit.autolog()` decides.

    >>> tracekit.langchain.autolog(extra_tags={"app": "support-bot"})
    >>> chain.invoke(...)  # recorded as a trace tagged app=support-bot
    """
    autolog_integration("langchain", disable, silent, log_traces, extra_tags)
