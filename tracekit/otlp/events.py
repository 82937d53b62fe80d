"""The OpenTelemetry GenAI message events tracekit writes on its exported LLM and CHAT_MODEL spans: one event per
input message (`gen_ai.system.message`, `gen_ai.user.message`, `gen_ai.assistant.message`, `gen_ai.tool.message`)
and one `gen_ai.choice` per answer message, their body fields as event attributes (a span event has no body; a
structured field, such as `tool_calls` or a choice's `message`, travels as JSON text).

Message text may be sensitive. As the convention asks of instrumentations, the events carry it only when
OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT says so (`true`, `event_only` or `span_and_event`); otherwise they
carry the conversation's shape alone: roles, tool-call ids and function names, finish reasons. The text itself is on
the span all the same (`llm.input_messages.N.*`): `tracekit.otlp.dedupe` sends each long text once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from tracekit import serialization
from tracekit.otlp.genai import GenAiKey
from tracekit.otlp.messages import split_output

#: Where message text goes: `span` (the flattened `llm.*_messages` keys only), `events` (the events carry it, the
#: flattened keys point at them), `both` (the user asked for two copies).
ContentCapture = Literal["span", "events", "both"]
_CAPTURE_BY_SETTING: dict[str, ContentCapture] = {"true": "events", "event_only": "events",
                                                  "span_and_event": "both"}
_EVENT_BY_ROLE = {"system": "gen_ai.system.message", "developer": "gen_ai.system.message",
                  "user": "gen_ai.user.message", "assistant": "gen_ai.assistant.message",
                  "tool": "gen_ai.tool.message", "function": "gen_ai.tool.message"}
_ROLE_BY_EVENT = {"gen_ai.system.message": "system", "gen_ai.user.message": "user",
                  "gen_ai.assistant.message": "assistant", "gen_ai.tool.message": "tool"}
#: Span types whose conversation goes out as message events.
CHAT_SPAN_TYPES = frozenset({"LLM", "CHAT_MODEL"})


def content_capture(setting: str) -> ContentCapture:
    """Where message text goes, for a value of OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT (any case; unset,
    `false`, `no_content` and `span_only` keep it off the events)."""
    return _CAPTURE_BY_SETTING.get(setting.strip().lower(), "span")


def _content(content: Any) -> str | None:
    if content is None or content == "":
        return None
    return content if isinstance(content, str) else serialization.dumps(content)


def _tool_calls(calls: Any, with_content: bool) -> list[dict[str, Any]]:
    found = []
    for call in calls if isinstance(calls, list) else ():
        if not isinstance(call, Mapping):
            continue
        nested = call.get("function")
        function: Mapping[str, Any] = nested if isinstance(nested, Mapping) else {}
        body: dict[str, Any] = {"name": function.get("name")}
        if with_content and function.get("arguments") is not None:
            body["arguments"] = function["arguments"]
        found.append({"id": call.get("id"), "type": call.get("type") or "function", "function": body})
    return found


def _input_event(message: Mapping[str, Any], with_content: bool) -> tuple[str, dict[str, Any]] | None:
    role = message.get("role")
    name = _EVENT_BY_ROLE.get(role) if isinstance(role, str) else None
    if name is None:
        return None
    body: dict[str, Any] = {}
    if role != _ROLE_BY_EVENT[name]:
        body["role"] = role  # the convention names the role only where it differs from the event's
    content = _content(message.get("content")) if with_content else None
    if content is not None:
        body["content"] = content
    calls = _tool_calls(message.get("tool_calls"), with_content)
    if calls:
        body["tool_calls"] = serialization.dumps(calls)
    if name == "gen_ai.tool.message" and isinstance(message.get("tool_call_id"), str):
        body["id"] = message["tool_call_id"]
    return name, body


def _choice_event(index: int, message: Mapping[str, Any], finish_reason: Any,
                  with_content: bool) -> tuple[str, dict[str, Any]]:
    body: dict[str, Any] = {"role": "assistant"}
    content = _content(message.get("content")) if with_content else None
    if content is not None:
        body["content"] = content
    calls = _tool_calls(message.get("tool_calls"), with_content)
    if calls:
        body["tool_calls"] = calls
    return "gen_ai.choice", {"index": index, "finish_reason": finish_reason if isinstance(finish_reason, str)
                             else "unknown", "message": serialization.dumps(body)}


def message_events(chat: Sequence[Mapping[str, Any]], attributes: Mapping[str, Any],
                   capture: ContentCapture) -> list[tuple[str, dict[str, Any]]]:
    """(name, attributes) of the GenAI events for a conversation in tracekit's chat shape (input messages, then the
    trailing assistant messages as choices); `attributes` are the span's exported attributes (its `gen_ai.system`
    and `gen_ai.response.finish_reasons`)."""
    with_content = capture != "span"
    split = split_output(chat)
    system = attributes.get(GenAiKey.SYSTEM)
    common = {GenAiKey.SYSTEM: system} if isinstance(system, str) else {}
    events = []
    for message in chat[:split]:
        event = _input_event(message, with_content)
        if event is not None:
            events.append((event[0], {**common, **event[1]}))
    reasons = attributes.get(GenAiKey.FINISH_REASONS)
    reasons = reasons if isinstance(reasons, (list, tuple)) else ()
    for index, message in enumerate(chat[split:]):
        name, body = _choice_event(index, message, reasons[index] if index < len(reasons) else None, with_content)
        events.append((name, {**common, **body}))
    return events
