"""`set_span_chat_messages` and `set_span_chat_tools`: a chat span's conversation and offered tools, in the
OpenAI chat shape MLflow 3 uses, checked and stored as span attributes (`tracekit.chat.messages`,
`tracekit.chat.tools`) that the trace explorer shows as a conversation.

A message is `{"role": str, "content": str | list of parts | None, "name"?, "tool_calls"?, "tool_call_id"?,
"refusal"?}`; a part is `{"type": "text", "text"}`, `{"type": "image_url", "image_url": {"url"}}` or
`{"type": "input_audio", "input_audio": {"data", "format"}}`; a tool call is `{"id", "type": "function",
"function": {"name", "arguments": JSON text}}`. A tool is `{"type": "function", "function": {"name",
"description"?, "parameters"? (JSON schema object), "strict"?}}`. Other keys are kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tracekit.constants import SpanAttributeKey
from tracekit.exceptions import TracekitException
from tracekit.serialization import to_plain
from tracekit.tracing.live_span import LiveSpan, NoOpSpan

# content part type -> (key of its payload, the fields the payload needs as strings); "text" carries `text` itself
_PART_PAYLOADS = {"image_url": ("image_url", ("url",)), "input_audio": ("input_audio", ("data", "format"))}
_PART_TYPES = ("text", *_PART_PAYLOADS)


class _ShapeError(Exception):
    """A value not in the chat shape: `where` it is (`messages[1].content[0]`) and what it should be."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where} {problem}")


def _mapping(value: Any, where: str) -> dict[str, Any]:
    value = to_plain(value)
    if not isinstance(value, Mapping):
        raise _ShapeError(where, f"must be a dict, got {type(value).__name__} {value!r:.80}")
    return dict(value)


def _text(item: Mapping[str, Any], key: str, where: str, required: bool = True) -> None:
    value = item.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value):
        shown = "missing" if key not in item else f"{type(value).__name__} {value!r:.80}"
        raise _ShapeError(f"{where}.{key}", f"must be a {'non-empty ' if required else ''}string, got {shown}")


def _list(value: Any, where: str) -> list[Any]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise _ShapeError(where, f"must be a list, got {type(value).__name__} {value!r:.80}")
    return list(value)


def _check_part(part: Any, where: str) -> dict[str, Any]:
    part = _mapping(part, where)
    part_type = part.get("type")
    if part_type not in _PART_TYPES:
        raise _ShapeError(f"{where}.type", f"is {part_type!r}; valid content part types: "
                          f"{', '.join(map(repr, _PART_TYPES))}")
    if part_type == "text":
        _text(part, "text", where)
    else:
        payload_key, fields = _PART_PAYLOADS[part_type]
        payload = _mapping(part.get(payload_key), f"{where}.{payload_key}")
        for name in fields:
            _text(payload, name, f"{where}.{payload_key}")
    return part


def _check_tool_call(call: Any, where: str) -> dict[str, Any]:
    call = _mapping(call, where)
    _text(call, "id", where)
    if call.get("type", "function") != "function":
        raise _ShapeError(f"{where}.type", f"must be 'function', got {call.get('type')!r}")
    function = _mapping(call.get("function"), f"{where}.function")
    _text(function, "name", f"{where}.function")
    _text(function, "arguments", f"{where}.function")  # JSON text, as the model produced it
    return {**call, "function": function}


def _check_message(message: Any, where: str) -> dict[str, Any]:
    message = _mapping(message, where)
    _text(message, "role", where)
    for key in ("name", "tool_call_id", "refusal"):
        _text(message, key, where, required=False)
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        message["content"] = [_check_part(part, f"{where}.content[{index}]")
                              for index, part in enumerate(_list(content, f"{where}.content"))]
    if message.get("tool_calls") is not None:
        message["tool_calls"] = [_check_tool_call(call, f"{where}.tool_calls[{index}]")
                                 for index, call in enumerate(_list(message["tool_calls"], f"{where}.tool_calls"))]
    if content is None and not message.get("tool_calls") and message.get("refusal") is None:
        raise _ShapeError(where, "has no content: give `content`, `tool_calls` or `refusal`")
    return message


def _check_tool(tool: Any, where: str) -> dict[str, Any]:
    tool = _mapping(tool, where)
    if tool.get("type") != "function":
        raise _ShapeError(f"{where}.type", f"must be 'function', got {tool.get('type')!r}")
    function = _mapping(tool.get("function"), f"{where}.function")
    _text(function, "name", f"{where}.function")
    _text(function, "description", f"{where}.function", required=False)
    if function.get("parameters") is not None:
        _mapping(function["parameters"], f"{where}.function.parameters")
    if function.get("strict") is not None and not isinstance(function["strict"], bool):
        raise _ShapeError(f"{where}.function.strict", f"must be true or false, got {function['strict']!r}")
    return {**tool, "function": function}


def _require_span(span: Any, call: str) -> None:
    if not isinstance(span, (LiveSpan, NoOpSpan)):
        raise TracekitException.invalid_parameter_value(
            f"{call}: span must be a running span (from tracekit.start_span, tracekit.get_current_active_span or "
            f"TracekitClient.start_span), got {type(span).__name__}.")


def _checked(items: Any, name: str, check: Any, call: str, example: str) -> list[dict[str, Any]]:
    try:
        return [check(item, f"{name}[{index}]") for index, item in enumerate(_list(items, name))]
    except _ShapeError as error:
        raise TracekitException.invalid_parameter_value(f"{call}: {error}. Example of a valid value: {example}"
                                                        ) from None


def set_span_chat_messages(span: LiveSpan, messages: Sequence[Any], append: bool = False) -> None:
    """Record the conversation of a chat span (`tracekit.chat.messages`): the messages in OpenAI's chat shape,
    checked first (a TracekitException names the message and field that is wrong). With `append=True` they are
    added after the messages the span already holds.

    >>> with tracekit.start_span("chat", span_type=tracekit.SpanType.CHAT_MODEL) as span:
    ...     tracekit.set_span_chat_messages(span, [{"role": "user", "content": "hello"}])
    ...     tracekit.set_span_chat_messages(span, [{"role": "assistant", "content": "hi!"}], append=True)
    """
    call = "set_span_chat_messages()"
    _require_span(span, call)
    checked = _checked(messages, "messages", _check_message, call, '[{"role": "user", "content": "hello"}]')
    if append:
        existing = span.get_attribute(SpanAttributeKey.CHAT_MESSAGES)
        checked = [*(existing if isinstance(existing, list) else []), *checked]
    span.set_attribute(SpanAttributeKey.CHAT_MESSAGES, checked)


def set_span_chat_tools(span: LiveSpan, tools: Sequence[Any]) -> None:
    """Record the tools offered to the model in a chat span (`tracekit.chat.tools`), in OpenAI's function-tool
    shape, checked first (a TracekitException names the tool and field that is wrong).

    >>> tracekit.set_span_chat_tools(span, [{"type": "function", "function": {
    ...     "name": "add", "description": "Add two numbers",
    ...     "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}}}])
    """
    call = "set_span_chat_tools()"
    _require_span(span, call)
    checked = _checked(tools, "tools", _check_tool, call,
                       '[{"type": "function", "function": {"name": "add", "parameters": {"type": "object"}}}]')
    span.set_attribute(SpanAttributeKey.CHAT_TOOLS, checked)
