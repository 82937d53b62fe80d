"""The LangChain callback handler behind `tracekit.integrations.langchain`: each LangChain run becomes a span.

LangChain reports a run's start and end in separate callbacks, so spans are kept by LangChain's `run_id` and a
child's parent is the span of its `parent_run_id`; a run without a known parent starts under the current tracekit
span (a user's `@trace` function), or as the root of a new trace.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

from tracekit.constants import SpanAttributeKey
from tracekit.entities import SpanType
from tracekit.integrations import _genai
from tracekit.integrations._patching import tag_trace
from tracekit.tracing.live_span import LiveSpan
from tracekit.tracing.runtime import RUNTIME
from tracekit.tracing.safety import report_internal_error
from tracekit.tracing.spans import start_child_of_current, start_live_span

_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool", "function": "function"}


@dataclass
class _Run:
    span: LiveSpan
    messages: list[dict[str, Any]] = field(default_factory=list)
    first_token_seen: bool = False


def _guarded(method):
    """Callbacks never raise into LangChain: a failure is reported once per callback and swallowed."""
    where = f"langchain autolog: {method.__name__}"

    def guarded(self: TracekitCallbackHandler, *args: Any, **kwargs: Any) -> None:
        if not RUNTIME.enabled and method.__name__.endswith("_start"):
            return
        try:
            method(self, *args, **kwargs)
        except Exception:  # noqa: BLE001
            report_internal_error(where)

    guarded.__name__ = method.__name__
    guarded.__doc__ = method.__doc__
    return guarded


def _run_name(serialized: dict[str, Any] | None, kwargs: dict[str, Any], default: str) -> str:
    name = kwargs.get("name")
    if name:
        return str(name)
    if serialized:
        if serialized.get("name"):
            return str(serialized["name"])
        path = serialized.get("id")
        if path:
            return str(path[-1])
    return default


def message_to_dict(message: Any) -> dict[str, Any]:
    """A LangChain message in the chat-messages format (`role`, `content`, `tool_calls`, `tool_call_id`)."""
    kind = getattr(message, "type", None)
    role = getattr(message, "role", None) if kind == "chat" else _ROLES.get(str(kind), kind)
    result: dict[str, Any] = {"role": role, "content": getattr(message, "content", message)}
    tool_calls = getattr(message, "tool_calls", None)
    if tool_calls:
        result["tool_calls"] = [{"id": call.get("id"), "type": "function",
                                 "function": {"name": call.get("name"), "arguments": json.dumps(call.get("args"))}}
                                for call in tool_calls]
    if getattr(message, "tool_call_id", None):
        result["tool_call_id"] = message.tool_call_id
    return result


class TracekitCallbackHandler(BaseCallbackHandler):
    """Turns LangChain runs (chains, chat models, LLMs, tools, retrievers) into tracekit spans."""

    # Run in the caller's thread and context, in order: a child's start must see its parent's span.
    run_inline = True
    raise_error = False

    def __init__(self) -> None:
        self._runs: dict[UUID, _Run] = {}

    def span_for(self, run_id: UUID | None) -> LiveSpan | None:
        """The span of a running LangChain run, or None."""
        run = self._runs.get(run_id) if run_id is not None else None
        return None if run is None else run.span

    # --- span bookkeeping ---------------------------------------------------------------------------------------
    def _start(self, run_id: UUID, parent_run_id: UUID | None, name: str, span_type: str, inputs: Any,
               metadata: dict[str, Any] | None) -> _Run:
        parent = self.span_for(parent_run_id)
        if parent is not None:
            span = start_live_span(name, span_type, None, parent)
        else:
            span = start_child_of_current(name, span_type, None)
            tag_trace("langchain", span)
        span.set_inputs(inputs)
        if metadata:
            span.set_attribute("langchain.metadata", metadata)
        run = self._runs[run_id] = _Run(span)
        return run

    def _end(self, run_id: UUID, outputs: Any, inputs: Any = None) -> _Run | None:
        run = self._runs.pop(run_id, None)
        if run is None:
            return None
        if inputs is not None:  # streamed runs learn their full input only at the end
            run.span.set_inputs(inputs)
        run.span.set_outputs(outputs)
        run.span.end()
        return run

    def _fail(self, run_id: UUID, error: BaseException) -> None:
        run = self._runs.pop(run_id, None)
        if run is not None:
            run.span.record_exception(error)
            run.span.end()

    # --- chains ---------------------------------------------------------------------------------------------------
    @_guarded
    def on_chain_start(self, serialized: dict[str, Any], inputs: Any, *, run_id: UUID,
                       parent_run_id: UUID | None = None, metadata: dict[str, Any] | None = None,
                       **kwargs: Any) -> None:
        self._start(run_id, parent_run_id, _run_name(serialized, kwargs, "chain"), SpanType.CHAIN, inputs,
                    metadata)

    @_guarded
    def on_chain_end(self, outputs: Any, *, run_id: UUID, inputs: Any = None, **kwargs: Any) -> None:
        self._end(run_id, outputs, inputs)

    @_guarded
    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

    @_guarded
    def on_agent_action(self, action: Any, *, run_id: UUID, **kwargs: Any) -> None:
        span = self.span_for(run_id)
        if span is not None:
            span.add_event("agent_action", {"tool": action.tool, "tool_input": action.tool_input,
                                            "log": action.log})

    @_guarded
    def on_agent_finish(self, finish: Any, *, run_id: UUID, **kwargs: Any) -> None:
        span = self.span_for(run_id)
        if span is not None:
            span.add_event("agent_finish", {"return_values": finish.return_values, "log": finish.log})

    # --- chat models and LLMs -----------------------------------------------------------------------------------
    @_guarded
    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[Any]], *, run_id: UUID,
                            parent_run_id: UUID | None = None, metadata: dict[str, Any] | None = None,
                            **kwargs: Any) -> None:
        run = self._start(run_id, parent_run_id, _run_name(serialized, kwargs, "chat_model"), SpanType.CHAT_MODEL,
                          messages, metadata)
        run.messages = [message_to_dict(message) for batch in messages for message in batch]
        self._record_model_request(run.span, kwargs.get("invocation_params"), metadata)

    @_guarded
    def on_llm_start(self, serialized: dict[str, Any], prompts: list[str], *, run_id: UUID,
                     parent_run_id: UUID | None = None, metadata: dict[str, Any] | None = None,
                     **kwargs: Any) -> None:
        run = self._start(run_id, parent_run_id, _run_name(serialized, kwargs, "llm"), SpanType.LLM, prompts,
                          metadata)
        self._record_model_request(run.span, kwargs.get("invocation_params"), metadata)

    @staticmethod
    def _record_model_request(span: LiveSpan, params: dict[str, Any] | None, metadata: dict[str, Any] | None):
        params = params or {}
        metadata = metadata or {}
        if params:
            span.set_attribute("langchain.invocation_params", params)
        provider = metadata.get("ls_provider")
        if provider:
            span.set_attribute(_genai.SYSTEM, provider)
        model = metadata.get("ls_model_name") or params.get("model") or params.get("model_name")
        if model:
            span.set_attribute(_genai.REQUEST_MODEL, str(model))
        tools = params.get("tools")
        if tools:
            span.set_attribute(SpanAttributeKey.CHAT_TOOLS, tools)

    @_guarded
    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._runs.get(run_id)
        if run is not None and not run.first_token_seen:
            run.first_token_seen = True
            run.span.add_event(_genai.FIRST_TOKEN_EVENT)

    @_guarded
    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._runs.get(run_id)
        if run is None:
            return
        generations = [generation for batch in response.generations for generation in batch]
        replies = [message_to_dict(generation.message) for generation in generations
                   if getattr(generation, "message", None) is not None]
        span = run.span
        if replies:
            span.set_attribute(SpanAttributeKey.CHAT_MESSAGES, [*run.messages, *replies])
        llm_output = response.llm_output or {}
        _genai.record_response_info(span, llm_output.get("model_name") or llm_output.get("model"), None, [
            (generation.generation_info or {}).get("finish_reason") for generation in generations])
        _record_usage(span, generations, llm_output)
        self._end(run_id, replies[0] if len(replies) == 1 else
                  replies or [generation.text for generation in generations])

    @_guarded
    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

    # --- tools and retrievers -----------------------------------------------------------------------------------
    @_guarded
    def on_tool_start(self, serialized: dict[str, Any], input_str: str, *, run_id: UUID,
                      parent_run_id: UUID | None = None, metadata: dict[str, Any] | None = None,
                      inputs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._start(run_id, parent_run_id, _run_name(serialized, kwargs, "tool"), SpanType.TOOL,
                    inputs if inputs is not None else input_str, metadata)

    @_guarded
    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, output)

    @_guarded
    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

    @_guarded
    def on_retriever_start(self, serialized: dict[str, Any], query: str, *, run_id: UUID,
                           parent_run_id: UUID | None = None, metadata: dict[str, Any] | None = None,
                           **kwargs: Any) -> None:
        self._start(run_id, parent_run_id, _run_name(serialized, kwargs, "retriever"), SpanType.RETRIEVER,
                    {"query": query}, metadata)

    @_guarded
    def on_retriever_end(self, documents: Sequence[Any], *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, list(documents))

    @_guarded
    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)


def _record_usage(span: LiveSpan, generations: list[Any], llm_output: dict[str, Any]) -> None:
    found = [getattr(getattr(generation, "message", None), "usage_metadata", None) for generation in generations]
    counts: list[Any] = [count for count in found if count]
    if counts:
        _genai.record_usage(span, sum(count.get("input_tokens", 0) for count in counts),
                            sum(count.get("output_tokens", 0) for count in counts),
                            sum(count.get("total_tokens", 0) for count in counts))
        return
    usage = llm_output.get("token_usage") or llm_output.get("usage") or {}
    if usage:
        _genai.record_usage(span, usage.get("prompt_tokens", usage.get("input_tokens")),
                            usage.get("completion_tokens", usage.get("output_tokens")), usage.get("total_tokens"))
