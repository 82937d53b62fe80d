"""JSON for span payloads that never raises: anything the user passes in or returns becomes valid JSON.

orjson does the common cases natively (dicts, lists, dataclasses, datetimes, numpy arrays); `_to_jsonable`
converts the rest (pydantic models, pandas objects, sets, bytes, arbitrary objects). A payload over the size limit
is replaced by a JSON string holding its start and a visible truncation marker, so the stored value still parses.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import logging
from collections.abc import Mapping
from typing import Any

import orjson

from tracekit import config

logger = logging.getLogger(__name__)

TRUNCATION_MARKER = "...[truncated by tracekit: {size} bytes, limit {limit}]"

_ORJSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS

# Read once (and again by `refresh_settings`) rather than from the environment on every span.
_payload_limit = config.MAX_SPAN_PAYLOAD_BYTES.get()


def refresh_settings() -> None:
    """Re-read TRACEKIT_MAX_SPAN_PAYLOAD_BYTES."""
    global _payload_limit
    _payload_limit = config.MAX_SPAN_PAYLOAD_BYTES.get()


def _to_jsonable(value: Any) -> Any:
    """Turn one object orjson does not know into something it does."""
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump) and not isinstance(value, type):
        return model_dump(mode="json")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(raw).decode("ascii")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    # pandas objects and numpy scalars that orjson's numpy support does not cover
    for method in ("to_dict", "tolist", "item"):
        convert = getattr(value, method, None)
        if callable(convert) and not isinstance(value, type):
            try:
                if method == "to_dict" and type(value).__name__ == "DataFrame":
                    return convert(orient="records")
                return convert()
            except Exception:  # noqa: BLE001 - fall through to the next way of showing the value
                continue
    return repr(value)


def _with_string_keys(value: Any, depth: int = 0) -> Any:
    """Copy of `value` with every dict key a string (orjson and json refuse tuple keys and the like)."""
    if depth > 100:
        return repr(value)
    if isinstance(value, Mapping):
        return {k if isinstance(k, str) else str(k): _with_string_keys(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_with_string_keys(item, depth + 1) for item in value]
    return value


def _fallback_dumps(value: Any) -> str:
    """The slow path for values orjson refuses outright (integers over 64 bits, cycles, odd keys)."""
    try:
        return json.dumps(_with_string_keys(value), default=_to_jsonable, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return json.dumps(repr(value), ensure_ascii=False)


def dumps(value: Any, limit: int | None = None) -> str:
    """Serialize `value` to JSON text; never raises; truncates to `limit` bytes (default: the configured limit)."""
    try:
        text = orjson.dumps(value, default=_to_jsonable, option=_ORJSON_OPTIONS).decode("utf-8")
    except Exception:  # noqa: BLE001 - orjson.JSONEncodeError and anything a converter raised
        text = _fallback_dumps(value)
    if limit is None:
        limit = _payload_limit
    # characters <= bytes <= 4 * characters, so only mid-sized text needs encoding to measure it
    if len(text) > limit or (len(text) * 4 > limit and len(text.encode("utf-8")) > limit):
        return truncate(text, limit)
    return text


def truncate(text: str, limit: int) -> str:
    """A JSON string of at most `limit` bytes holding the start of `text` and a marker giving the original size."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    marker = TRUNCATION_MARKER.format(size=len(encoded), limit=limit)
    keep = limit - len(marker.encode("utf-8")) - 2
    while True:
        prefix = encoded[: max(keep, 0)].decode("utf-8", errors="ignore")
        result = json.dumps(prefix + marker, ensure_ascii=False)
        overflow = len(result.encode("utf-8")) - limit
        if overflow <= 0 or keep <= 0:
            return result
        keep -= overflow  # escaped quotes and backslashes made it longer; trim by that much and retry


def loads(text: Any) -> Any:
    """Parse stored JSON text; a value that is not JSON (a plain OpenTelemetry attribute) is returned as it is."""
    if not isinstance(text, (str, bytes)):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text
