"""Autolog for LangChain (`langchain-core`): chains, chat models, LLMs, tools and retrievers become nested spans.

>>> import tracekit.integrations.langchain
>>> tracekit.integrations.langchain.autolog()
>>> chain = prompt | chat_model | parser
>>> chain.invoke({"question": "hi"})

Works for `invoke`, `ainvoke`, `stream`, `astream`, `batch` and `abatch`: every LangChain run is a span (CHAIN,
CHAT_MODEL, LLM, TOOL or RETRIEVER) under the span of its parent run; the outermost run goes under the current
tracekit span (your `@trace` function) or starts a new trace. Chat model spans carry the conversation under
`tracekit.chat.messages`, bound tools under `tracekit.chat.tools`, token usage, and a `first_token` event when
streamed. Code that a runnable calls (a `@trace` function inside a `RunnableLambda`, an OpenAI call inside a tool)
nests under that runnable's span.

How: tracekit's callback handler is added to every callback manager LangChain configures, and the context in which
LangChain runs a child runnable gets that runnable's span as the current tracekit span.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracekit.integrations._patching import Library, PatchSet, PatchTarget, switch_autolog
from tracekit.tracing.context import set_current
from tracekit.tracing.safety import report_internal_error

MINIMUM_VERSION = (0, 2)
_PATCHES = PatchSet("langchain")
_LIBRARY = Library("langchain", "langchain_core", "langchain-core", MINIMUM_VERSION)
_handler: Any = None


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace LangChain runs (`disable=True` stops). Safe to call repeatedly; if `langchain-core` is missing or
    older than 0.2, logs a warning and stays off.

    `log_traces=False` turns it off as `disable=True` does; `silent=True` logs nothing while setting up;
    `extra_tags` are added as tags to every trace that one of its calls starts.
    """
    switch_autolog(_PATCHES, _LIBRARY, _targets, disable=disable, silent=silent, log_traces=log_traces,
                   extra_tags=extra_tags)


def _targets() -> list[PatchTarget]:
    global _handler
    from tracekit.integrations._langchain_handler import TracekitCallbackHandler

    if _handler is None:
        _handler = TracekitCallbackHandler()
    return [
        PatchTarget("langchain_core.callbacks.manager", None, "_configure", _add_handler),
        PatchTarget("langchain_core.runnables.config", None, "_set_config_context", _enter_run_span),
    ]

def is_enabled() -> bool:
    """Whether LangChain runs are being traced."""
    return _PATCHES.active


def _add_handler(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    manager = wrapped(*args, **kwargs)
    try:
        if _handler not in manager.handlers:
            manager.add_handler(_handler, inherit=True)
    except Exception:  # noqa: BLE001
        report_internal_error("langchain autolog: adding the callback handler")
    return manager


def _enter_run_span(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # LangChain calls this inside the copied context it then runs a child runnable in: making the parent run's
    # span current there nests whatever that runnable calls, and leaves the caller's context untouched.
    result = wrapped(*args, **kwargs)
    try:
        config = (args[0] if args else kwargs.get("config")) or {}
        span = _handler.span_for(getattr(config.get("callbacks"), "parent_run_id", None))
        if span is not None:
            set_current(span)  # no reset: this is LangChain's own copied context, discarded after the run
    except Exception:  # noqa: BLE001
        report_internal_error("langchain autolog: entering a run's context")
    return result
