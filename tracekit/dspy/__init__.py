"""`tracekit.dspy.autolog()`: MLflow's `mlflow.dspy.autolog()` for tracekit, tracing DSPy programs.

The integration itself lives in `tracekit.integrations.dspy`, imported only when `autolog()` is called, so that
`import tracekit` stays cheap and works without DSPy installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.autologging import autolog_integration


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace DSPy modules, language-model calls, retrievers and tools (`disable=True` or `log_traces=False` turns
    that off again); `silent=True` logs nothing during setup; `extra_tags` are added to every trace one of its
    calls starts. For DSPy, the last call of this or of `tracekit.autolog()` decides.

    >>> tracekit.dspy.autolog()
    >>> dspy.ChainOfThought("question -> answer")(question="...")  # one trace: module, predictor, LM spans
    """
    autolog_integration("dspy", disable, silent, log_traces, extra_tags)
