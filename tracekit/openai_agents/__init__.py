"""`tracekit.openai_agents.autolog()`: MLflow's `mlflow.openai.autolog()` for agents, tracing the OpenAI Agents SDK.

The integration itself lives in `tracekit.integrations.openai_agents`, imported only when `autolog()` is called, so
that `import tracekit` stays cheap and works without the SDK installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.autologging import autolog_integration


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace OpenAI Agents SDK runs: agents, model calls, function tools, handoffs and guardrails as nested spans
    (`disable=True` or `log_traces=False` turns that off again); `silent=True` logs nothing during setup;
    `extra_tags` are added to every trace one of its runs starts. For the SDK, the last call of this or of
    `tracekit.autolog()` decides.

    >>> tracekit.openai_agents.autolog()
    >>> Runner.run_sync(agent, "What is the weather in Paris?")  # one trace: workflow, agent, response, tool
    """
    autolog_integration("openai_agents", disable, silent, log_traces, extra_tags)
