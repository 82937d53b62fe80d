"""JSON for span payloads that never raises: anything the user passes in or returns becomes valid JSON.

orjson does the common cases natively (dicts, lists, dataclasses, datetimes, numpy arrays); `_to_jsonable`
converts the rest (pydantic models, pandas objects, sets, bytes, arbitrary objects). A payload over the size limit
is replaced by a JSON string holding its start and a visible truncation marker, so the stored value still parses.

Values no store could take are made safe here, when they are captured, so one bad value costs only its own place
and never its trace or its batch: lone surrogates become backslash escapes; integers beyond 64 bits, NaN and
infinity, structures nested deeper than 100 levels (or cyclic) and objects whose conversion or `repr` raises become
text with a `[tracekit: ...]` marker. `safe_str` and `safe_primitive` do the same for tags, metadata, names and
OpenTelemetry attribute values.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import enum
import json
import logging
import math
import uuid
from collections.abc import Mapping
from typing import Any

import orjson

from tracekit import config

logger = logging.getLogger(__name__)

TRUNCATION_MARKER = "...[truncated by tracekit: {size} bytes, limit {limit}]"

_ORJSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
# What orjson accepts; JSON readers (orjson included) lose precision past this, so larger integers become text.
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1
# Deeper structures are cut with a marker (orjson itself stops at 255 levels).
_MAX_DEPTH = 100

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


def marker(what: str) -> str:
    """The visible note that replaces a value (or part of one) tracekit could not store as it was."""
    return f"[tracekit: {what}]"


def safe_text(text: str) -> str:
    """`text` as every store and JSON encoder takes it: lone surrogates (from `os.fsdecode` of an undecodable file
    name, say) become visible backslash escapes (`\\udcff`) instead of failing the whole trace at export."""
    if text.isascii():  # the usual case, answered from a flag of the string: no encoded copy is made
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _type_name(value: Any) -> str:
    try:
        return str(type(value).__qualname__)
    except Exception:  # noqa: BLE001 - a hostile metaclass
        return "object"


def _int(value: int) -> int | str:
    if _INT_MIN <= value <= _INT_MAX:
        return value
    try:
        digits = str(value)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        return marker(f"integer of {value.bit_length()} bits, beyond 64 bits")
    return f"{digits} {marker('integer beyond 64 bits, stored as text')}"


def _float(value: float) -> float | str:
    return value if math.isfinite(value) else f"{value!r} {marker('not a JSON number')}"


def safe_str(value: Any) -> str:
    """`str(value)` made safe to store (see `safe_text`); never raises, even if the object's `__str__` does."""
    if isinstance(value, str):
        return safe_text(value)
    try:
        return safe_text(str(value))
    except Exception as error:  # noqa: BLE001 - the object's __str__ raised
        return marker(f"{_type_name(value)} object whose str() raised {type(error).__name__}")


def safe_str_map(mapping: Any) -> dict[str, str]:
    """Tags or metadata as `{str: str}` (see `safe_str`); a mapping whose iteration raises gives one marked entry."""
    try:
        items = list(mapping.items())
    except Exception as error:  # noqa: BLE001 - the user's mapping raised
        return {"tracekit.error": marker(f"{_type_name(mapping)} could not be read: {type(error).__name__}")}
    return {safe_str(key): safe_str(value) for key, value in items}


def safe_primitive(value: Any) -> str | bool | int | float:
    """An OpenTelemetry attribute value (str, bool, int, float) every exporter and store takes: text made safe,
    integers beyond 64 bits and NaN/infinity as marked text; anything else as JSON text."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        return _float(value)
    return dumps(value)


def _jsonable(value: Any, depth: int) -> Any:
    """A copy of `value` that orjson serializes without fail: each value it cannot take is replaced by a marked
    rendering, so a bad value costs only its own place in the structure."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        return _float(value)
    if depth >= _MAX_DEPTH:
        return marker(f"{_type_name(value)} nested deeper than {_MAX_DEPTH} levels")
    try:
        if isinstance(value, dict):
            return {safe_str(key): _jsonable(item, depth + 1) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [_jsonable(item, depth + 1) for item in value]
        if isinstance(value, (datetime.date, datetime.time)):
            return value.isoformat()
        if isinstance(value, uuid.UUID):
            return str(value)
        converted = _to_jsonable(value)
    except RecursionError:
        return marker(f"{_type_name(value)} nested too deeply to convert")
    except Exception as error:  # noqa: BLE001 - the user's object raised while being converted or shown
        return marker(f"{_type_name(value)} object whose conversion raised {type(error).__name__}")
    if isinstance(converted, str):
        return safe_text(converted)
    return _jsonable(converted, depth + 1)


def _has_non_finite(value: Any, depth: int = 0) -> bool:
    """Whether a float NaN or infinity hides in `value` (orjson writes them as null, silently)."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if depth < _MAX_DEPTH:
        if isinstance(value, dict):
            return any(_has_non_finite(item, depth + 1) for item in value.values())
        if isinstance(value, (list, tuple)):
            return any(_has_non_finite(item, depth + 1) for item in value)
    return False


def _safe_dumps(value: Any) -> str:
    """The slow path, for values orjson refuses (integers over 64 bits, surrogates, cycles, deep nesting, objects
    whose repr raises) or would alter silently (NaN)."""
    try:
        return orjson.dumps(_jsonable(value, 0)).decode("utf-8")
    except Exception as error:  # noqa: BLE001 - never raise into the user's code
        return orjson.dumps(marker(f"{_type_name(value)} value that could not be serialized: "
                                   f"{type(error).__name__}")).decode("utf-8")


def dumps(value: Any, limit: int | None = None) -> str:
    """Serialize `value` to JSON text; never raises; truncates to `limit` bytes (default: the configured limit).

    A part of `value` JSON cannot hold faithfully (see `_jsonable`) is replaced by a rendering with a
    `[tracekit: ...]` marker; the rest is kept.
    """
    try:
        raw = orjson.dumps(value, default=_to_jsonable, option=_ORJSON_OPTIONS)
        # null in the output may be a NaN orjson wrote as null: only then walk the value to check
        text = _safe_dumps(value) if b"null" in raw and _has_non_finite(value) else raw.decode("utf-8")
    except Exception:  # noqa: BLE001 - orjson.JSONEncodeError and anything a converter raised
        text = _safe_dumps(value)
    return limited(text, limit)


def limited(text: str, limit: int | None = None) -> str:
    """JSON `text` as it is, or, over `limit` bytes (default: the configured limit), cut by `truncate`."""
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


def to_plain(value: Any) -> Any:
    """A pydantic model (an SDK's request or response object) as a dict without its unset (None) fields; anything
    else unchanged."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(exclude_none=True, mode="json")
    return value


def loads(text: Any) -> Any:
    """Parse stored JSON text; a value that is not JSON (a plain OpenTelemetry attribute) is returned as it is."""
    if not isinstance(text, (str, bytes)):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text
