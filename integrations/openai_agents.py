"""Autolog for the OpenAI Agents SDK (`openai-agents`, imported as `agents`): runs, agents, model calls, function
tools, handoffs and guardrails as nested spans.

>>> import tracekit.integrations.openai_agents
>>> tracekit.integrations.openai_agents.autolog()
>>> Runner.run_sync(agent, "What is the weather in Paris?")

Each SDK trace (a `Runner.run` / `run_sync` / `run_streamed`, or your own `agents.trace(...)` block) becomes a
WORKFLOW span named after the workflow, under the current tracekit span (your `@trace` function) or as the root of
a new trace; the SDK's spans nest under it as their SDK parents say:

| SDK span | tracekit span |
| --- | --- |
| agent | AGENT named after the agent; its tools, handoffs and output type |
| response (Responses API) | CHAT_MODEL: input items, the response, model, conversation, token usage |
| generation (Chat Completions) | CHAT_MODEL: messages, output, model and its settings, token usage |
| function | TOOL named after the tool: arguments (parsed JSON) in, result out |
| handoff | CHAIN `handoff`, with the agents it went from and to |
| guardrail | GUARDRAIL named after the guardrail, whether it was triggered |
| anything else (custom, task, turn, MCP tools, speech) | UNKNOWN (or TASK) named after it, its data as attributes |

An error the SDK records on a span (a tool that raised, a model error, the turn a guardrail stopped) ends that span
as ERROR; an exception that ends the run (streamed too, where `stream_events()` raises it) or your
`agents.trace(...)` block also ends its WORKFLOW span as ERROR, with the exception as an event; your exception
reaches you from the SDK unchanged. What the SDK leaves out of its spans (`RunConfig(trace_include_sensitive_data=
False)`) is not recorded, and with the SDK's tracing turned off (`set_tracing_disabled(True)`,
`OPENAI_AGENTS_DISABLE_TRACING=1`) nothing is.

Why a tracing processor rather than patches around the SDK's functions: the SDK already opens a span at every step
that matters, with the data a trace needs (token usage included), and `agents.add_trace_processor` is its public,
stable way to receive them; the functions that run agents, tools and handoffs are internal and change between
releases. Small wrapt patches remain: a run's trace left by an exception is marked failed (the SDK's trace has no
status), and when the SDK makes one of its spans (or its trace) current, the matching tracekit span becomes current
too, so that what runs inside it — a `@trace` function in a tool, an OpenAI client call
with OpenAI autolog also on — nests there instead of starting a trace of its own. (The model call's OpenAI span then
sits under the response span: the trace's token usage counts only the outermost span with tokens, so once.)

The processor is added next to the SDK's own ones: tracekit does not remove the SDK's default exporter to OpenAI's
servers (`agents.set_trace_processors([...])` replaces the list if you want only tracekit's). It stays registered
after `autolog(disable=True)` but records nothing new.
"""

from __future__ import annotations

import json
import sys
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tracekit.constants import SpanAttributeKey
from tracekit.entities import SpanStatusCode, SpanType
from tracekit.integrations import _genai
from tracekit.integrations._patching import Library, PatchSet, PatchTarget, switch_autolog, tag_trace
from tracekit.tracing.context import reset_current, set_current
from tracekit.tracing.live_span import LiveSpan
from tracekit.tracing.runtime import RUNTIME
from tracekit.tracing.safety import report_internal_error
from tracekit.tracing.spans import start_child_of_current, start_live_span

MINIMUM_VERSION = (0, 24)
_PATCHES = PatchSet("openai_agents")
_LIBRARY = Library("openai_agents", "agents", "openai-agents", MINIMUM_VERSION)
#: Span attribute prefix for the SDK's data that has no tracekit key (`openai_agents.tools`, ...).
PREFIX = "openai_agents."

_SPAN_TYPES = {"agent": SpanType.AGENT, "response": SpanType.CHAT_MODEL, "generation": SpanType.CHAT_MODEL,
               "function": SpanType.TOOL, "handoff": SpanType.CHAIN, "guardrail": SpanType.GUARDRAIL,
               "task": SpanType.TASK, "turn": SpanType.TASK}


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace OpenAI Agents SDK runs (`disable=True` or `log_traces=False` stops recording). Safe to call
    repeatedly; if `openai-agents` is missing or older than 0.24, logs a warning and stays off. `silent=True` logs
    nothing while setting up; `extra_tags` are added to every trace one of its runs starts."""
    switch_autolog(_PATCHES, _LIBRARY, _targets, disable=disable, silent=silent, log_traces=log_traces,
                   extra_tags=extra_tags)


def is_enabled() -> bool:
    """Whether OpenAI Agents SDK runs are being traced."""
    return _PATCHES.active


def _targets() -> list[PatchTarget]:
    _register_processor()
    return [
        PatchTarget("agents.tracing.scope", "Scope", "set_current_span", _mirror_current),
        PatchTarget("agents.tracing.scope", "Scope", "set_current_trace", _mirror_current),
        # a run's trace (or your `agents.trace(...)` block) left by an exception: the SDK's trace has no status
        PatchTarget("agents.tracing.context", "TraceCtxManager", "__exit__", _fail_run_on_exception),
        PatchTarget("agents.tracing.traces", "TraceImpl", "__exit__", _fail_run_on_exception),
        # a streamed run finishes its trace in a background task, where the exception stays until you read events
        PatchTarget("agents.run", "AgentRunner", "run_streamed", _remember_streamed_trace),
        PatchTarget("agents.tracing.traces", "TraceImpl", "finish", _fail_streamed_run_on_exception),
    ]


_processor: Any = None
_registered_blindly = False


def _register_processor() -> None:
    """Add tracekit's processor to the SDK's provider unless it is there (someone may have replaced the list)."""
    global _processor, _registered_blindly
    import agents
    from agents.tracing import get_trace_provider

    if _processor is None:
        _processor = _make_processor()
    multi = getattr(get_trace_provider(), "_multi_processor", None)
    current = getattr(multi, "_processors", None)
    if current is not None:
        if _processor not in current:
            agents.add_trace_processor(_processor)
    elif not _registered_blindly:  # a provider that does not show its list: add once
        agents.add_trace_processor(_processor)
        _registered_blindly = True


def _mirror_current(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    token = wrapped(*args, **kwargs)
    try:
        sdk_object = args[0] if args else next(iter(kwargs.values()), None)
        if _processor is not None and sdk_object is not None:
            _processor.make_current(sdk_object)
    except Exception:  # noqa: BLE001
        report_internal_error("openai_agents autolog: making a span current")
    return token


def _fail_run_on_exception(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    error = args[1] if len(args) > 1 else kwargs.get("exc_val")
    if isinstance(error, Exception) and _processor is not None:
        try:
            sdk_trace = getattr(instance, "trace", instance)  # TraceCtxManager holds the trace; TraceImpl is one
            _processor.fail(sdk_trace, error)
        except Exception:  # noqa: BLE001
            report_internal_error("openai_agents autolog: recording a failed run")
    return wrapped(*args, **kwargs)


# The SDK traces of the streamed runs started and not finished yet. Held weakly: a run whose stream is dropped
# before its background task starts (cancelled, or its event loop closed) never finishes its trace, and must not
# stay here once the SDK lets go of it. The SDK's `TraceImpl` supports weak references (its base has no slots).
_streamed_traces: weakref.WeakSet[Any] = weakref.WeakSet()
_streamed_lock = threading.Lock()


def _remember_streamed_trace(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    result = wrapped(*args, **kwargs)
    try:
        from agents.tracing.traces import TraceImpl

        trace = getattr(result, "trace", None)  # None inside your own trace block; a no-op trace when tracing is off
        if isinstance(trace, TraceImpl) and _recording():
            with _streamed_lock:
                _streamed_traces.add(trace)
    except Exception:  # noqa: BLE001
        report_internal_error("openai_agents autolog: remembering a streamed run")
    return result


def _fail_streamed_run_on_exception(wrapped: Any, instance: Any, args: tuple[Any, ...],
                                    kwargs: dict[str, Any]) -> Any:
    # The streaming loop finishes its run's trace in an `except` or `finally` block: the exception on its way there
    # is the one `stream_events()` raises to you.
    try:
        with _streamed_lock:
            streamed = instance in _streamed_traces
            _streamed_traces.discard(instance)
        error = sys.exc_info()[1]
        if streamed and isinstance(error, Exception) and _processor is not None:
            _processor.fail(instance, error)
    except Exception:  # noqa: BLE001
        report_internal_error("openai_agents autolog: recording a failed streamed run")
    return wrapped(*args, **kwargs)


@dataclass
class _Open:
    span: LiveSpan
    token: Any = None  # set while the tracekit span is current (mirroring the SDK)
    has_inputs: bool = False


def _make_processor() -> Any:
    from agents.tracing import TracingProcessor

    class TracekitTracingProcessor(TracingProcessor):
        """Turns the SDK's traces and spans into tracekit spans (see the module docstring)."""

        def __init__(self) -> None:
            self._open: dict[str, _Open] = {}
            self._lock = threading.Lock()

        # --- the SDK's processor interface ----------------------------------------------------------------------
        def on_trace_start(self, trace: Any) -> None:
            if not _recording():
                return
            try:
                span = start_child_of_current(str(trace.name or "Agent workflow"), SpanType.WORKFLOW, None)
                tag_trace("openai_agents", span)
                group = getattr(trace, "group_id", None)
                if group:
                    span.set_attribute(PREFIX + "group_id", str(group))
                metadata = getattr(trace, "metadata", None)
                if metadata:
                    span.set_attribute(PREFIX + "metadata", _genai.to_plain(metadata))
                self._remember(trace.trace_id, span)
            except Exception:  # noqa: BLE001
                report_internal_error("openai_agents autolog: starting a trace")

        def on_trace_end(self, trace: Any) -> None:
            self._finish(trace.trace_id, None)

        def on_span_start(self, span: Any) -> None:
            if not _recording():
                return
            try:
                parent = self._find(span.parent_id) or self._find(span.trace_id)
                data = span.span_data
                kind = getattr(data, "type", "span")
                name = _span_name(kind, data)
                span_type = _SPAN_TYPES.get(kind, SpanType.UNKNOWN)
                if parent is not None:
                    live = start_live_span(name, span_type, None, parent.span)
                else:
                    live = start_child_of_current(name, span_type, None)
                    tag_trace("openai_agents", live)
                self._remember(span.span_id, live)
            except Exception:  # noqa: BLE001
                report_internal_error("openai_agents autolog: starting a span")

        def on_span_end(self, span: Any) -> None:
            self._finish(span.span_id, span)

        def shutdown(self) -> None:
            pass

        def force_flush(self) -> None:
            pass

        # --- bookkeeping ----------------------------------------------------------------------------------------
        def make_current(self, sdk_object: Any) -> None:
            """The SDK made its span or trace current: make the matching tracekit span current too."""
            key = getattr(sdk_object, "span_id", None) or getattr(sdk_object, "trace_id", None)
            entry = self._find(key)
            if entry is not None and entry.token is None:
                entry.token = set_current(entry.span)

        def fail(self, sdk_trace: Any, error: Exception) -> None:
            """A run's trace is being left by `error` (the exception reaching you): its workflow span is ERROR."""
            entry = self._find(getattr(sdk_trace, "trace_id", None))
            if entry is not None:
                entry.span.record_exception(error)  # also sets the status to ERROR

        def _summarize_run(self, trace_id: str, model_call: _ModelCall) -> None:
            # The SDK's trace carries no input or output: the run's first model input and its last reply are the
            # workflow span's, so a trace list shows what was asked and answered.
            root = self._find(trace_id)
            if root is None:
                return
            inputs, answer = model_call
            if not root.has_inputs:
                root.has_inputs = True
                root.span.set_inputs(inputs)
            if answer:
                root.span.set_outputs(answer)

        def _remember(self, key: str, span: LiveSpan) -> None:
            with self._lock:
                self._open[key] = _Open(span)

        def _find(self, key: str | None) -> _Open | None:
            return self._open.get(key) if key is not None else None

        def _finish(self, key: str, sdk_span: Any) -> None:
            with self._lock:
                entry = self._open.pop(key, None)
            if entry is None:
                return
            if entry.token is not None:
                try:
                    reset_current(entry.token)
                except (ValueError, RuntimeError):
                    pass  # ended in another context than the SDK made it current in: nothing to restore here
            try:
                model_call = _record(entry.span, sdk_span) if sdk_span is not None else None
                if model_call is not None:
                    self._summarize_run(sdk_span.trace_id, model_call)
            except Exception:  # noqa: BLE001
                report_internal_error("openai_agents autolog: recording a span")
            try:
                entry.span.end()
            except Exception:  # noqa: BLE001
                report_internal_error("openai_agents autolog: ending a span")

    return TracekitTracingProcessor()


def _recording() -> bool:
    return _PATCHES.active and RUNTIME.enabled


def _span_name(kind: str, data: Any) -> str:
    if kind in ("agent", "function", "guardrail", "custom"):
        return str(getattr(data, "name", None) or kind)
    if kind == "turn":
        return f"turn {getattr(data, 'turn', '')}".strip()
    return kind


# --- what each kind of SDK span records ---------------------------------------------------------------------------
#: What a model call's recorder hands back for the workflow span: (the call's inputs, its last text reply or None).
_ModelCall = tuple[Any, Any]


def _record(live: LiveSpan, sdk_span: Any) -> _ModelCall | None:
    """Record the ended SDK span on `live`; a model call also returns its inputs and reply (see `_ModelCall`)."""
    data = sdk_span.span_data
    recorder = _RECORDERS.get(str(getattr(data, "type", "")), _record_other)
    model_call = recorder(live, data)
    error = sdk_span.error
    if error:
        message = str(error.get("message") if isinstance(error, Mapping) else error)
        details = error.get("data") if isinstance(error, Mapping) else None
        if details:
            live.set_attribute(PREFIX + "error", _genai.to_plain(details))
        live.set_status(SpanStatusCode.ERROR, message)
    return model_call


def _record_agent(live: LiveSpan, data: Any) -> None:
    for field in ("tools", "handoffs"):
        value = getattr(data, field, None)
        if value:
            live.set_attribute(PREFIX + field, list(value))
    if getattr(data, "output_type", None):
        live.set_attribute(PREFIX + "output_type", str(data.output_type))


def _record_function(live: LiveSpan, data: Any) -> None:
    arguments = data.input
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            pass
    live.set_inputs(arguments)
    live.set_outputs(data.output)
    if getattr(data, "mcp_data", None):
        live.set_attribute(PREFIX + "mcp_data", _genai.to_plain(data.mcp_data))


def _record_response(live: LiveSpan, data: Any) -> _ModelCall:
    response = data.response
    prompt = data.input
    messages: list[Any] = []
    instructions = getattr(response, "instructions", None) if response is not None else None
    if isinstance(instructions, str) and instructions:
        messages.append({"role": "system", "content": instructions})
    if isinstance(prompt, str):
        messages.append({"role": "user", "content": prompt})
    elif isinstance(prompt, list):
        messages.extend(_genai.to_plain(item) for item in prompt)
    inputs = {"input": _genai.to_plain(prompt)} if prompt is not None else None
    live.set_inputs(inputs)
    live.set_attribute(_genai.SYSTEM, "openai")
    live.set_attribute(_genai.OPERATION, "responses")
    if response is None:
        return inputs, None
    live.set_outputs(_genai.to_plain(response))
    _genai.record_response_info(live, response.model, response.id, [response.status])
    tools = getattr(response, "tools", None)
    if tools:
        live.set_attribute(SpanAttributeKey.CHAT_TOOLS, _genai.to_plain(tools))
    replies: list[dict[str, Any]] = []
    for item in response.output or []:
        item_kind = getattr(item, "type", None)
        if item_kind == "message":
            text = "".join(part.text for part in item.content or [] if getattr(part, "text", None))
            replies.append({"role": "assistant", "content": text})
        elif item_kind == "function_call":
            replies.append({"role": "assistant", "tool_calls": [{
                "id": item.call_id, "type": "function", "function": {"name": item.name, "arguments": item.arguments}}]})
    live.set_attribute(SpanAttributeKey.CHAT_MESSAGES, [*messages, *replies])
    usage = response.usage
    if usage is not None:
        _genai.record_usage(live, usage.input_tokens, usage.output_tokens, usage.total_tokens)
    return inputs, _last_text(replies)


def _record_generation(live: LiveSpan, data: Any) -> _ModelCall:
    messages = [_genai.to_plain(message) for message in data.input or []]
    replies = [_genai.to_plain(message) for message in data.output or []]
    inputs = {"messages": messages}
    live.set_inputs(inputs)
    live.set_outputs(replies)
    live.set_attribute(_genai.SYSTEM, "openai")
    live.set_attribute(_genai.OPERATION, "chat")
    if data.model:
        live.set_attribute(_genai.REQUEST_MODEL, str(data.model))
    if data.model_config:
        live.set_attribute(PREFIX + "model_config", _genai.to_plain(data.model_config))
    live.set_attribute(SpanAttributeKey.CHAT_MESSAGES, [*messages, *replies])
    usage = data.usage or {}
    if usage:
        _genai.record_usage(live, usage.get("input_tokens"), usage.get("output_tokens"), usage.get("total_tokens"))
    return inputs, _last_text(replies)


def _last_text(replies: list[Any]) -> Any:
    texts = [reply.get("content") for reply in replies if isinstance(reply, Mapping) and reply.get("content")]
    return texts[-1] if texts else None


def _record_handoff(live: LiveSpan, data: Any) -> None:
    live.set_inputs({"from_agent": data.from_agent})
    live.set_outputs({"to_agent": data.to_agent})


def _record_guardrail(live: LiveSpan, data: Any) -> None:
    live.set_attribute(PREFIX + "triggered", bool(data.triggered))
    live.set_outputs({"triggered": bool(data.triggered)})


def _record_other(live: LiveSpan, data: Any) -> None:
    # Aggregated usage (task and turn spans) stays out of the token-usage keys: their model calls record it.
    exported: Mapping[str, Any] = (data.export() if hasattr(data, "export") else None) or {}
    for key, value in exported.items():
        if key not in ("type", "name") and value is not None:
            live.set_attribute(PREFIX + key, _genai.to_plain(value))


_RECORDERS = {"agent": _record_agent, "function": _record_function, "response": _record_response,
              "generation": _record_generation, "handoff": _record_handoff, "guardrail": _record_guardrail}
