"""`tracekit.llama_index.autolog()`: MLflow's `mlflow.llama_index.autolog()` for tracekit, tracing LlamaIndex.

The integration itself lives in `tracekit.integrations.llama_index`, imported only when `autolog()` is called, so
that `import tracekit` stays cheap and works without LlamaIndex installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.autologging import autolog_integration


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace LlamaIndex query engines, chat engines, retrievers, LLMs and embeddings as nested spans
    (`disable=True` or `log_traces=False` turns that off again); `silent=True` logs nothing during setup;
    `extra_tags` are added to every trace one of its calls starts. For LlamaIndex, the last call of this or of
    `tracekit.autolog()` decides.

    >>> tracekit.llama_index.autolog(extra_tags={"app": "docs-qa"})
    >>> index.as_query_engine().query("...")  # a trace: query, retrieve, embedding and LLM spans
    """
    autolog_integration("llama_index", disable, silent, log_traces, extra_tags)
