"""Chat messages in the three shapes tracekit meets on spans, to and from tracekit's own (`tracekit.tracing.chat`:
OpenAI's chat shape, `{"role", "content", "tool_calls"?, "tool_call_id"?, "name"?}`):

- OpenInference's flattened attributes, `llm.input_messages.<i>.message.role` / `.content` /
  `.contents.<j>.message_content.type|text|image.image.url` / `.name` / `.tool_call_id` /
  `.tool_calls.<k>.tool_call.id|function.name|function.arguments` (and `llm.output_messages.*`), tools as
  `llm.tools.<i>.tool.json_schema`;
- GenAI's JSON messages (`gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions`):
  `{"role", "parts": [{"type": "text", "content"} | {"type": "tool_call", "id", "name", "arguments"} |
  {"type": "tool_call_response", "id", "response"}]}`;
- GenAI's message events (`gen_ai.system.message`, `gen_ai.user.message`, `gen_ai.assistant.message`,
  `gen_ai.tool.message`, `gen_ai.choice`) and the older `gen_ai.content.prompt` / `gen_ai.content.completion`.

Readers are lenient: what another SDK sent is taken as far as it fits, a message that does not fit is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tracekit import serialization

INPUT_MESSAGES = "llm.input_messages."
OUTPUT_MESSAGES = "llm.output_messages."
TOOLS = "llm.tools."
_INDEXED = re.compile(r"(\d+)\.(.+)")
_TOOL_CALLS = "message.tool_calls."
_CONTENTS = "message.contents."


# --- common ------------------------------------------------------------------------------------------------------
def _json(value: Any) -> Any:
    """A structured value that may travel as JSON text."""
    if isinstance(value, str):
        try:
            return serialization.loads(value)
        except ValueError:
            return value
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else serialization.dumps(value)


def _message(role: Any, content: Any = None, tool_calls: list[dict[str, Any]] | None = None,
             **extra: Any) -> dict[str, Any] | None:
    """A tracekit chat message, or None when `role` is not a non-empty string."""
    if not isinstance(role, str) or not role:
        return None
    if content is not None and not isinstance(content, (str, list)):
        content = _text(content)
    message: dict[str, Any] = {"role": role, "content": content if content is not None or tool_calls else ""}
    if content is None and tool_calls:
        message["content"] = None
    if tool_calls:
        message["tool_calls"] = tool_calls
    message.update({key: value for key, value in extra.items() if isinstance(value, str) and value})
    return message


def _tool_call(call_id: Any, name: Any, arguments: Any) -> dict[str, Any] | None:
    if not isinstance(name, str) or not name:
        return None
    return {"id": call_id if isinstance(call_id, str) and call_id else name, "type": "function",
            "function": {"name": name, "arguments": _text(arguments if arguments is not None else {})}}


# --- OpenInference's flattened attributes ------------------------------------------------------------------------
def _group(attributes: Mapping[str, Any], prefix: str) -> dict[int, dict[str, Any]]:
    """{index: {rest of the key: value}} for the keys `<prefix><index>.<rest>`."""
    groups: dict[int, dict[str, Any]] = {}
    for key, value in attributes.items():
        if key.startswith(prefix):
            match = _INDEXED.fullmatch(key, len(prefix))
            if match is not None:
                groups.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return dict(sorted(groups.items()))


def flat_groups(attributes: Mapping[str, Any]) -> dict[str, dict[int, dict[str, Any]]]:
    """`_group` for the input messages, output messages and tools at once: one pass over the keys."""
    found: dict[str, dict[int, dict[str, Any]]] = {INPUT_MESSAGES: {}, OUTPUT_MESSAGES: {}, TOOLS: {}}
    for key, value in attributes.items():
        if not key.startswith("llm."):
            continue
        for prefix, groups in found.items():
            if key.startswith(prefix):
                match = _INDEXED.fullmatch(key, len(prefix))
                if match is not None:
                    groups.setdefault(int(match.group(1)), {})[match.group(2)] = value
                break
    return {prefix: dict(sorted(groups.items())) for prefix, groups in found.items()}


def _flat_message(fields: Mapping[str, Any]) -> dict[str, Any] | None:
    nested = len(fields) > 2 or "message.content" not in fields  # more than role and content
    calls = [_tool_call(call.get("tool_call.id"), call.get("tool_call.function.name"),
                        call.get("tool_call.function.arguments"))
             for call in (_group(fields, _TOOL_CALLS).values() if nested else ())]
    content = fields.get("message.content")
    if content is None:
        parts = []
        for part in _group(fields, _CONTENTS).values():
            kind = part.get("message_content.type")
            if kind == "text" and isinstance(part.get("message_content.text"), str):
                parts.append({"type": "text", "text": part["message_content.text"]})
            elif kind == "image" and isinstance(part.get("message_content.image.image.url"), str):
                parts.append({"type": "image_url", "image_url": {"url": part["message_content.image.image.url"]}})
        content = parts or None
    return _message(fields.get("message.role"), content, [call for call in calls if call is not None],
                    name=fields.get("message.name"), tool_call_id=fields.get("message.tool_call_id"))


def read_flat_messages(groups: Mapping[int, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The messages of one prefix's groups (`flat_groups(...)[INPUT_MESSAGES]`), in index order."""
    messages = (_flat_message(fields) for fields in groups.values())
    return [message for message in messages if message is not None]


def read_flat_tools(groups: Mapping[int, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The tools offered to the model (`flat_groups(...)[TOOLS]`, from `llm.tools.<i>.tool.json_schema`), in
    tracekit's function-tool shape."""
    tools = []
    for fields in groups.values():
        schema = _json(fields.get("tool.json_schema"))
        if isinstance(schema, Mapping) and isinstance(schema.get("function"), Mapping):
            tools.append(dict(schema))
        elif isinstance(schema, Mapping) and isinstance(schema.get("name"), str):
            tools.append({"type": "function", "function": dict(schema)})
    return tools


def flat_message_attributes(messages: Sequence[Mapping[str, Any]], prefix: str) -> dict[str, Any]:
    """OpenInference's flattened attributes for tracekit chat `messages`."""
    flat: dict[str, Any] = {}
    for index, message in enumerate(messages):
        at = f"{prefix}{index}.message."
        flat[at + "role"] = message.get("role")
        content = message.get("content")
        if isinstance(content, str):
            flat[at + "content"] = content
        elif isinstance(content, list):
            for number, part in enumerate(content):
                part_at = f"{at}contents.{number}.message_content."
                if isinstance(part, Mapping) and part.get("type") == "text":
                    flat[part_at + "type"], flat[part_at + "text"] = "text", part.get("text")
                elif isinstance(part, Mapping) and part.get("type") == "image_url":
                    flat[part_at + "type"] = "image"
                    flat[part_at + "image.image.url"] = (part.get("image_url") or {}).get("url")
        for key in ("name", "tool_call_id"):
            if isinstance(message.get(key), str):
                flat[at + key] = message[key]
        for number, call in enumerate(message.get("tool_calls") or ()):
            call_at = f"{at}tool_calls.{number}.tool_call."
            function = call.get("function") or {}
            flat[call_at + "id"] = call.get("id")
            flat[call_at + "function.name"] = function.get("name")
            flat[call_at + "function.arguments"] = function.get("arguments")
    return {key: value for key, value in flat.items() if isinstance(value, str)}


def flat_tool_attributes(tools: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """`llm.tools.<i>.tool.json_schema` for tracekit's function tools."""
    return {f"{TOOLS}{index}.tool.json_schema": serialization.dumps(tool) for index, tool in enumerate(tools)}


# --- GenAI JSON messages -----------------------------------------------------------------------------------------
def _genai_message(item: Any) -> list[dict[str, Any]]:
    """tracekit messages for one GenAI message (a tool response part becomes a `tool` message of its own)."""
    if not isinstance(item, Mapping):
        return []
    role, parts = item.get("role"), item.get("parts")
    if not isinstance(parts, list):  # the OpenAI shape, as some instrumentations write it
        message = _message(role, item.get("content"), _openai_tool_calls(item.get("tool_calls")),
                           tool_call_id=item.get("tool_call_id") or item.get("id"), name=item.get("name"))
        return [message] if message is not None else []
    texts, calls, messages = [], [], []
    for part in parts:
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        if kind == "text":
            texts.append(_text(part.get("content", "")))
        elif kind == "tool_call":
            call = _tool_call(part.get("id"), part.get("name"), part.get("arguments"))
            if call is not None:
                calls.append(call)
        elif kind == "tool_call_response":
            response = _message("tool", _text(part.get("response", "")), tool_call_id=part.get("id"))
            if response is not None:
                messages.append(response)
    if texts or calls or not messages:
        message = _message(role, "\n".join(texts) if texts else None, calls, name=item.get("name"))
        if message is not None:
            messages.insert(0, message)
    return messages


def _openai_tool_calls(calls: Any) -> list[dict[str, Any]]:
    found = []
    calls = _json(calls)
    for call in calls if isinstance(calls, list) else ():
        if isinstance(call, Mapping):
            nested = call.get("function")
            function: Mapping[str, Any] = nested if isinstance(nested, Mapping) else call
            made = _tool_call(call.get("id"), function.get("name"), function.get("arguments"))
            if made is not None:
                found.append(made)
    return found


def read_genai_messages(value: Any) -> list[dict[str, Any]]:
    """tracekit messages for a GenAI messages attribute (a JSON list, as text or as a value)."""
    items = _json(value)
    return [message for item in items for message in _genai_message(item)] if isinstance(items, list) else []


def read_genai_system(value: Any) -> list[dict[str, Any]]:
    """The system message of `gen_ai.system_instructions` (a list of parts, or text)."""
    parts = _json(value)
    if isinstance(parts, list):
        text = "\n".join(_text(part.get("content", "")) for part in parts
                         if isinstance(part, Mapping) and part.get("type") == "text")
    else:
        text = _text(parts) if parts is not None else ""
    return [{"role": "system", "content": text}] if text else []


# --- GenAI message events ----------------------------------------------------------------------------------------
_EVENT_ROLES = {"gen_ai.system.message": "system", "gen_ai.user.message": "user",
                "gen_ai.assistant.message": "assistant", "gen_ai.tool.message": "tool"}


def _event_message(role: str, attributes: Mapping[str, Any]) -> dict[str, Any] | None:
    return _message(attributes.get("role") if isinstance(attributes.get("role"), str) else role,
                    _json_content(attributes.get("content")), _openai_tool_calls(attributes.get("tool_calls")),
                    tool_call_id=attributes.get("id") if role == "tool" else None)


def _json_content(content: Any) -> Any:
    parsed = _json(content)
    return parsed if isinstance(parsed, list) and all(isinstance(part, Mapping) for part in parsed) else content


def read_event_messages(events: Iterable[tuple[str, Mapping[str, Any]]]) -> tuple[list[dict[str, Any]],
                                                                                  list[dict[str, Any]]]:
    """(input messages, output messages) carried by a span's GenAI events."""
    inputs: list[dict[str, Any]] = []
    outputs: list[dict[str, Any]] = []
    for name, attributes in events:
        if not name.startswith("gen_ai."):
            continue
        if name in _EVENT_ROLES:
            message = _event_message(_EVENT_ROLES[name], attributes)
            if message is not None:
                inputs.append(message)
        elif name == "gen_ai.choice":
            body = _json(attributes.get("message"))
            message = _event_message("assistant", body if isinstance(body, Mapping) else attributes)
            if message is not None:
                outputs.append(message)
        elif name == "gen_ai.content.prompt":
            inputs.extend(read_genai_messages(attributes.get("gen_ai.prompt")))
        elif name == "gen_ai.content.completion":
            outputs.extend(read_genai_messages(attributes.get("gen_ai.completion")))
    return inputs, outputs


def split_output(messages: Sequence[Mapping[str, Any]]) -> int:
    """Where the model's answer starts in a tracekit conversation: the trailing assistant messages."""
    start = len(messages)
    while start > 0 and messages[start - 1].get("role") == "assistant":
        start -= 1
    return start
