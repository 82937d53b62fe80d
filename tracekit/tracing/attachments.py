"""Span values too large to keep inline: stored as artifacts of their trace and read back transparently.

When a completed trace is exported to a tracking URI, every span attribute (inputs and outputs included) whose JSON
text is longer than `TRACEKIT_MAX_INLINE_BYTES` is written to the trace's artifact location,
`<experiment artifact location>/traces/<trace_id>/artifacts`, as `attachments/<span_id>/<digest>.json`, and the
attribute keeps only a small reference (`{"tracekit.attachment": {"path": ..., "size": ...}}`). Reading a trace back
(`get_trace`, `search_traces`, `TracekitClient`) puts the values back in place, so a 50 MB prompt costs the span table
a few dozen bytes and the reader nothing but a file read.

This runs in the export worker, never on the traced call: the hot path does no I/O.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson

from tracekit import config
from tracekit.artifacts.trace_folders import trace_artifact_location
from tracekit.constants import TraceTagKey
from tracekit.entities import Span, Trace, TraceData, TraceInfo
from tracekit.store.trace_records import TraceRecord

logger = logging.getLogger(__name__)

ATTACHMENT_KEY = "tracekit.attachment"
_REFERENCE_PREFIX = '{"' + ATTACHMENT_KEY + '"'
_ATTACHMENTS_FOLDER = "attachments"

#: Finds the artifact location of an experiment (None when the backend keeps no experiments or it has none).
ExperimentLocation = Callable[[str], "str | None"]


def store_large_values(traces: Sequence[Trace], experiment_location: ExperimentLocation,
                       limit: int | None = None) -> list[Trace]:
    """`traces` with every attribute value over `limit` bytes (default `TRACEKIT_MAX_INLINE_BYTES`) written to the
    trace's artifact location and replaced by a reference. Traces without such values are returned as they are (the
    same objects); the others are copies, so a failed write leaves the batch untouched for the retry.

    A trace whose experiment has no artifact location keeps its values inline (logged once per batch)."""
    if limit is None:
        limit = config.MAX_INLINE_BYTES.get()
    result: list[Trace] = []
    for trace in traces:
        large = _large_values(trace, limit)
        if not large:
            result.append(trace)
            continue
        location = experiment_location(trace.info.experiment_id)
        if location is None:
            logger.warning("Trace %s has %d span values over %d bytes but experiment %s has no artifact location; "
                           "they are stored inline.", trace.info.trace_id, len(large), limit,
                           trace.info.experiment_id)
            result.append(trace)
            continue
        result.append(_externalize(trace, large, trace_artifact_location(location, trace.info.trace_id)))
    return result


def has_attachments(info: TraceInfo | TraceRecord) -> bool:
    """Whether the exporter moved values of this trace (its info or stored record) out to its artifact location (it
    tags those traces)."""
    return TraceTagKey.ARTIFACT_LOCATION in info.tags


def load_large_values(trace: Trace) -> Trace:
    """`trace` with the values `store_large_values` moved out put back (the same object when it has none). A value
    that cannot be read stays a reference and is logged: a missing attachment never hides the rest of the trace."""
    location = trace.info.tags.get(TraceTagKey.ARTIFACT_LOCATION)
    if not location:  # the exporter tags every trace it moved values out of
        return trace
    references = [(index, key, value) for index, span in enumerate(trace.data.spans)
                  for key, value in span.raw_attributes.items()
                  if isinstance(value, str) and value.startswith(_REFERENCE_PREFIX)]
    if not references:
        return trace
    from tracekit.artifacts import get_artifact_repository

    replaced: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="tracekit-attachments-") as folder:
        try:
            repository = get_artifact_repository(location)
        except Exception:  # noqa: BLE001 - the trace is still worth returning without its attachments
            logger.warning("The attachments of trace %s at %s cannot be opened.", trace.info.trace_id, location,
                           exc_info=True)
            return trace
        for index, key, value in references:
            text = _read_attachment(repository, value, folder, trace.info.trace_id)
            if text is not None:
                replaced.setdefault(index, dict(trace.data.spans[index].raw_attributes))[key] = text
    if not replaced:
        return trace
    spans = [_with_attributes(span, replaced[index]) if index in replaced else span
             for index, span in enumerate(trace.data.spans)]
    return Trace(info=trace.info, data=TraceData(spans=spans))


def _large_values(trace: Trace, limit: int) -> list[tuple[int, str, str]]:
    # len() counts characters, at most the byte count: only values that could be over the limit are encoded
    return [(index, key, value) for index, span in enumerate(trace.data.spans)
            for key, value in span.raw_attributes.items()
            if isinstance(value, str) and len(value) * 4 > limit and len(value.encode("utf-8")) > limit]


def _externalize(trace: Trace, large: list[tuple[int, str, str]], location: str) -> Trace:
    from tracekit.artifacts import get_artifact_repository

    replaced: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="tracekit-attachments-") as folder:
        for index, key, value in large:
            span = trace.data.spans[index]
            relative = f"{_ATTACHMENTS_FOLDER}/{span.span_id}/{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"
            local_path = os.path.join(folder, *relative.split("/"))
            os.makedirs(os.path.dirname(local_path), exist_ok=True)
            encoded = value.encode("utf-8")
            with open(local_path, "wb") as file:
                file.write(encoded)
            reference = orjson.dumps({ATTACHMENT_KEY: {"path": relative, "size": len(encoded), "key": key}})
            replaced.setdefault(index, dict(span.raw_attributes))[key] = reference.decode()
        get_artifact_repository(location).log_artifacts(folder)
    spans = [_with_attributes(span, replaced[index]) if index in replaced else span
             for index, span in enumerate(trace.data.spans)]
    info = dataclasses.replace(trace.info, tags={**trace.info.tags, TraceTagKey.ARTIFACT_LOCATION: location})
    return Trace(info=info, data=TraceData(spans=spans))


def _read_attachment(repository: Any, reference: str, folder: str, trace_id: str) -> str | None:
    try:
        path = orjson.loads(reference)[ATTACHMENT_KEY]["path"]
        local_path = repository.download_artifacts(path, dst_path=folder)
        with open(local_path, encoding="utf-8") as file:
            return file.read()
    except Exception:  # noqa: BLE001 - see load_large_values
        logger.warning("An attachment of trace %s could not be read (%s); its reference is returned instead.",
                       trace_id, reference[:200], exc_info=True)
        return None


def _with_attributes(span: Span, attributes: Mapping[str, Any]) -> Span:
    return Span(trace_id=span.trace_id, span_id=span.span_id, parent_id=span.parent_id, name=span.name,
                start_time_ns=span.start_time_ns, end_time_ns=span.end_time_ns, status=span.status,
                raw_attributes=dict(attributes), events=span.events)
