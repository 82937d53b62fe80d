"""OTLP/HTTP bodies -> `ExportTraceServiceRequest`: binary protobuf, or JSON as the OTLP specification writes it
(trace and span ids as hex strings rather than protobuf-JSON's base64, camelCase or snake_case field names, enums as
numbers, unknown fields ignored)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tracekit.exceptions import TracekitException

PROTOBUF_MEDIA_TYPES = ("application/x-protobuf", "application/protobuf")
JSON_MEDIA_TYPE = "application/json"

_ID_FIELDS = ("traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id")


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, lower case, without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _bad(message: str) -> TracekitException:
    return TracekitException.invalid_parameter_value(f"Invalid OTLP request: {message}")


# Fields holding a message, or a list of messages, in a trace export request. protobuf's JSON parser, told to ignore
# unknown fields, would read a string given for a message as an empty message; the OTLP JSON is checked first.
_MESSAGE_FIELDS = frozenset({"resource", "scope", "status", "value", "arrayValue", "array_value", "kvlistValue",
                             "kvlist_value"})
_MESSAGE_LIST_FIELDS = frozenset({"resourceSpans", "resource_spans", "scopeSpans", "scope_spans", "spans",
                                  "attributes", "events", "links", "values"})


def _prepare_json(node: Any, where: str) -> None:
    """Check that messages are JSON objects, and rewrite hex ids of spans and links in place into base64, which
    protobuf's JSON parser expects."""
    for key, value in node.items():
        if value is None and key not in _MESSAGE_LIST_FIELDS:
            continue
        if key in _ID_FIELDS and isinstance(value, str):
            try:
                node[key] = base64.b64encode(bytes.fromhex(value)).decode("ascii")
            except ValueError:
                raise _bad(f"{where}.{key} is {value[:40]!r}, not a hex string.") from None
        elif key in _MESSAGE_FIELDS:
            if not isinstance(value, dict):
                raise _bad(f"{where}.{key} must be an object.")
            _prepare_json(value, f"{where}.{key}")
        elif key in _MESSAGE_LIST_FIELDS:
            if not isinstance(value, list):
                raise _bad(f"{where}.{key} must be a list.")
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    raise _bad(f"{where}.{key}[{index}] must be an object.")
                _prepare_json(item, f"{where}.{key}[{index}]")


def decode_export_request(body: bytes, content_type: str | None) -> ExportTraceServiceRequest:
    """The `ExportTraceServiceRequest` in `body`; TracekitException (400) naming what is malformed, or (415) for
    a media type that is neither protobuf nor JSON."""
    kind = media_type(content_type)
    request = ExportTraceServiceRequest()
    if kind in PROTOBUF_MEDIA_TYPES:
        try:
            request.ParseFromString(body)
        except (DecodeError, ValueError) as error:
            raise _bad(f"the body is not a protobuf ExportTraceServiceRequest ({error}).") from error
        return request
    if kind == JSON_MEDIA_TYPE:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            raise _bad(f"the body is not JSON ({error}).") from error
        if not isinstance(data, dict):
            raise _bad("the JSON body must be an object with a resourceSpans list.")
        try:
            _prepare_json(data, "body")
            json_format.ParseDict(data, request, ignore_unknown_fields=True)
        except (json_format.ParseError, binascii.Error, ValueError, TypeError, RecursionError) as error:
            raise _bad(str(error)) from error
        return request
    raise TracekitException.unsupported_media_type(
        f"Unsupported Content-Type {content_type!r} for OTLP: send application/x-protobuf "
        "or application/json.")
