"""A long text goes out once per exported span.

A chat span's prompt sits in several standard places at once: the request (`input.value`), the conversation
(`llm.input_messages.N.message.content`) and, with content capture on, the GenAI message events. The encoder keeps
each text of `MIN_CHARS` or more in one carrier (the flattened messages, or the events when they carry the text) and
puts a short pointer in its other places, listing each move under `keys.ELIDED_TEXTS`; decoding puts the text back
exactly, so a tracekit server stores the span as it was recorded.

A place is `["attr", key, *path]` or `["event", index, key, *path]`; `path` walks into an attribute holding JSON
text (dict keys and list indices), empty for the whole value.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, MutableSequence
from typing import Any

import orjson

from tracekit.constants import SpanAttributeKey
from tracekit.otlp.keys import ELIDED_TEXTS
from tracekit.otlp.messages import INPUT_MESSAGES, OUTPUT_MESSAGES

logger = logging.getLogger(__name__)

#: Shorter texts are cheap to repeat and shorter than a pointer.
MIN_CHARS = 256
_FLAT_PREFIXES = (INPUT_MESSAGES, OUTPUT_MESSAGES)
#: Attributes holding tracekit's JSON text that may repeat a carried text (in their leaves).
_JSON_TARGETS = (SpanAttributeKey.INPUTS, SpanAttributeKey.OUTPUTS, SpanAttributeKey.CHAT_MESSAGES,
                 SpanAttributeKey.CHAT_TOOLS)
_PAYLOAD_TARGETS = (("input.value", "input.mime_type"), ("output.value", "output.mime_type"))
Events = MutableSequence[tuple[str, dict[str, Any]]]
Place = list[Any]


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _json_container(text: str) -> Any:
    """The parsed JSON of `text` when it is an object or array written as `orjson` writes it (so putting a leaf
    back and writing it again gives the very same text), else None."""
    if not text.startswith(("{", "[")):
        return None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, (dict, list)) or orjson.dumps(value).decode() != text:
        return None
    return value


def _pointer(place: Place) -> str:
    where = place[1] if place[0] == "attr" else f"event {place[1]} {place[2]}"
    return f"[sent once: see {where}]"


class _Carried:
    """Every long text of the carrier, by value: the place it is sent in."""

    def __init__(self) -> None:
        self.places: dict[str, Place] = {}
        #: Each text as it stands inside JSON text (escaped): a target not containing one is not parsed.
        self.escaped: list[str] = []

    def add(self, head: Place, value: Any) -> None:
        if not isinstance(value, str) or len(value) < MIN_CHARS:
            return
        if value not in self.places:
            self.places[value] = head
            self.escaped.append(orjson.dumps(value).decode()[1:-1])
        parsed = _json_container(value)
        if parsed is not None:  # tool-call arguments, a choice's message: their long leaves too
            for path, text in _leaves(parsed):
                if len(text) >= MIN_CHARS and text not in self.places:
                    self.places[text] = [*head, *path]
                    self.escaped.append(orjson.dumps(text).decode()[1:-1])

    def in_json(self, text: str) -> bool:
        """Whether JSON `text` may hold a carried text (a substring test, no parsing)."""
        return any(escaped in text for escaped in self.escaped)


def send_texts_once(attributes: dict[str, Any], events: Events, texts_in_events: bool) -> None:
    """Replace, in `attributes` and `events` (exported, about to be sent), each long text the carrier holds by a
    pointer in every other place; the carrier is the events when `texts_in_events`, else the flattened messages."""
    carried = _Carried()
    flat_keys = [key for key in attributes if key.startswith(_FLAT_PREFIXES)]
    if texts_in_events:
        for index, (_, event_attributes) in enumerate(events):
            for key, value in event_attributes.items():
                carried.add(["event", index, key], value)
    else:
        for key in flat_keys:
            carried.add(["attr", key], attributes[key])
    if not carried.places:
        return
    moves: list[list[Place]] = []
    for key in _JSON_TARGETS:
        _elide_json(attributes, key, carried, moves)
    for key, mime_key in _PAYLOAD_TARGETS:
        if attributes.get(mime_key) == "application/json":
            _elide_json(attributes, key, carried, moves)
        else:
            _elide_whole(attributes, key, carried, moves)
    if texts_in_events:
        for key in flat_keys:
            _elide_whole(attributes, key, carried, moves)
    if moves:
        attributes[ELIDED_TEXTS] = orjson.dumps(moves).decode()


def _elide_whole(attributes: dict[str, Any], key: str, carried: _Carried, moves: list[list[Place]]) -> None:
    value = attributes.get(key)
    source = carried.places.get(value) if isinstance(value, str) else None
    if source is not None:
        attributes[key] = _pointer(source)
        moves.append([["attr", key], source])


def _elide_json(attributes: dict[str, Any], key: str, carried: _Carried, moves: list[list[Place]]) -> None:
    value = attributes.get(key)
    if not isinstance(value, str) or len(value) < MIN_CHARS:
        return
    if value in carried.places:
        _elide_whole(attributes, key, carried, moves)
        return
    if not carried.in_json(value):
        return
    parsed = _json_container(value)
    if parsed is None:
        return
    found = [(path, carried.places[text]) for path, text in _leaves(parsed) if text in carried.places]
    for path, source in found:
        _set(parsed, path, _pointer(source))
        moves.append([["attr", key, *path], source])
    if found:
        attributes[key] = orjson.dumps(parsed).decode()


def _set(container: Any, path: Any, value: Any) -> None:
    for step in path[:-1]:
        container = container[step]
    container[path[-1]] = value


def _get(container: Any, path: Any) -> Any:
    for step in path:
        container = container[step]
    return container


# --- decoding ------------------------------------------------------------------------------------------------------
def _holder(place: Any, attributes: Mapping[str, Any], events: list[dict[str, Any]]) -> tuple[Any, str, list[Any]]:
    """(the dict holding the place's attribute, its key, the path inside it)."""
    if place[0] == "attr":
        return attributes, place[1], list(place[2:])
    return events[place[1]], place[2], list(place[3:])


def restore_texts(attributes: dict[str, Any], events: list[dict[str, Any]]) -> None:
    """Put back the texts the encoder replaced by pointers (listed under `ELIDED_TEXTS`, which is removed);
    `events` are the span's event attributes. A move that does not fit what arrived is skipped and logged."""
    raw = attributes.pop(ELIDED_TEXTS, None)
    try:
        moves = orjson.loads(raw) if isinstance(raw, str) else []
    except orjson.JSONDecodeError:
        moves = []
    parsed: dict[tuple[int, str], Any] = {}  # JSON attributes being put back together, by (holder, key)
    holders: dict[int, Any] = {}
    skipped = 0
    for move in moves if isinstance(moves, list) else ():
        try:
            target, source = move
            holder, key, path = _holder(target, attributes, events)
            source_holder, source_key, source_path = _holder(source, attributes, events)
            text = source_holder[source_key]
            if source_path:
                text = _get(orjson.loads(text), source_path)
            if not isinstance(text, str):
                raise TypeError("not a text")
            if not path:
                holder[key] = text
                continue
            slot = (id(holder), key)
            if slot not in parsed:
                parsed[slot], holders[id(holder)] = orjson.loads(holder[key]), holder
            _set(parsed[slot], path, text)
        except (TypeError, ValueError, KeyError, IndexError, orjson.JSONDecodeError):
            skipped += 1
    for (holder_id, key), value in parsed.items():
        holders[holder_id][key] = orjson.dumps(value).decode()
    if skipped:
        logger.warning("%d text(s) a span sent once could not be put back in place; kept as the pointers sent",
                       skipped)
