"""`RestTraceStore`: the trace store of a tracking server (`http://host:port`), spoken to over its REST API.

Writes are batched: one request per batch the export queue hands over, split so no request body exceeds
TRACEKIT_HTTP_MAX_REQUEST_BYTES. The server upserts by trace id, so a batch sent again after a lost answer is still
stored once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

import orjson

from tracekit import config
from tracekit.entities import Trace
from tracekit.entities.assessment import Assessment
from tracekit.exceptions import ResourceNotFoundError, TracekitException, TraceRejectedError
from tracekit.store.paging import PagedList
from tracekit.store.rest.client import TrackingServerClient, refuses_for_good
from tracekit.store.trace_store import TraceStore
from tracekit.store.uri import redact_uri
from tracekit.validation import check_max_results

API_PREFIX = "/api/v1"
TRACES = f"{API_PREFIX}/traces"


def _trace_path(trace_id: str) -> str:
    return f"{TRACES}/{quote(str(trace_id), safe='')}"


def _assessment_path(trace_id: str, assessment_id: str | None = None) -> str:
    path = f"{_trace_path(trace_id)}/assessments"
    return path if assessment_id is None else f"{path}/{quote(str(assessment_id), safe='')}"


def array_bodies(key: str, items: Iterable[dict[str, Any]], max_bytes: int,
                 max_items: int | None = None) -> Iterator[bytes]:
    """`{key: [...]}` request bodies holding `items` in order, each at most `max_bytes` long (unless a single item
    is longer) and of at most `max_items` items."""
    head, tail = b'{"' + key.encode() + b'":[', b"]}"
    encoded: list[bytes] = []
    size = len(head) + len(tail)
    for value in items:
        item = orjson.dumps(value)
        if encoded and (size + len(item) + 1 > max_bytes or len(encoded) == max_items):
            yield head + b",".join(encoded) + tail
            encoded, size = [], len(head) + len(tail)
        encoded.append(item)
        size += len(item) + 1
    if encoded:
        yield head + b",".join(encoded) + tail


def batch_bodies(traces: Sequence[Trace], max_bytes: int) -> Iterator[bytes]:
    """`{"traces": [...]}` request bodies holding `traces` in order, each at most `max_bytes` long unless a
    single trace is longer."""
    return array_bodies("traces", (trace.to_dict() for trace in traces), max_bytes)


class RestTraceStore(TraceStore):
    """Traces on a tracking server. Every method is one or a few HTTP requests.

    >>> store = RestTraceStore("http://127.0.0.1:5000")
    >>> store.search_traces(["0"], filter_string="tags.env = 'prod'", max_results=10)
    """

    def __init__(self, uri: str, client: TrackingServerClient | None = None) -> None:
        self.uri = uri
        self.client = client or TrackingServerClient(uri)

    def __repr__(self) -> str:
        return f"RestTraceStore({redact_uri(self.uri)!r})"

    def write_traces(self, traces: Sequence[Trace]) -> None:
        """Upload `traces` (upserted by trace id on the server)."""
        limit = max(1024, config.HTTP_MAX_REQUEST_BYTES.get())
        try:
            for body in batch_bodies(traces, limit):
                self.client.request("POST", f"{TRACES}/batch", content=body)
        except TracekitException as error:
            if not refuses_for_good(error):
                raise
            raise TraceRejectedError(f"The tracking server {self.client.base_url} refused the traces: "
                                     f"{error.message}") from error
        except (TypeError, ValueError) as error:  # a trace orjson cannot encode (text with lone surrogates)
            raise TraceRejectedError(f"A trace could not be encoded for the tracking server: {error}") from error

    def get_trace(self, trace_id: str) -> Trace | None:
        """The trace with that id, or None."""
        try:
            data = self.client.request("GET", _trace_path(trace_id))
        except ResourceNotFoundError:
            return None
        return Trace.from_dict(data)

    def search_traces(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int | None = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
        run_id: str | None = None,
        model_id: str | None = None,
        include_spans: bool = True,
    ) -> PagedList[Trace]:
        """One page of matching traces; `max_results=None` pages through the server's answers to return all."""
        if isinstance(experiment_ids, str):
            experiment_ids = [experiment_ids]
        check_max_results(max_results)
        request = {
            "experiment_ids": [str(e) for e in experiment_ids or ()],
            "filter_string": filter_string,
            "order_by": list(order_by) if order_by else None,
            "run_id": run_id,
            "model_id": model_id,
            "include_spans": include_spans,
        }
        if max_results is not None:
            answer = self.client.request("POST", f"{TRACES}/search",
                                         json={**request, "max_results": max_results, "page_token": page_token})
            return PagedList([Trace.from_dict(t) for t in answer["traces"]], answer.get("next_page_token"))
        collected: list[Trace] = []
        token = page_token
        while True:
            answer = self.client.request("POST", f"{TRACES}/search",
                                         json={**request, "max_results": SEARCH_PAGE_SIZE, "page_token": token})
            collected.extend(Trace.from_dict(t) for t in answer["traces"])
            token = answer.get("next_page_token")
            if not token:
                return PagedList(collected, None)

    def count_traces(self, experiment_ids: Sequence[str], run_id: str | None = None,
                     model_id: str | None = None) -> int:
        """How many traces match, counted by the server's database (one request, nothing loaded)."""
        if isinstance(experiment_ids, str):
            experiment_ids = [experiment_ids]
        params: dict[str, Any] = {"experiment_id": [str(e) for e in experiment_ids or ()]}
        if run_id is not None:
            params["run_id"] = str(run_id)
        if model_id is not None:
            params["model_id"] = str(model_id)
        return int(self.client.request("GET", f"{TRACES}/count", params=params)["count"])

    def set_trace_tag(self, trace_id: str, key: str, value: str) -> None:
        """Add or replace one tag of a stored trace."""
        self.client.request("POST", f"{_trace_path(trace_id)}/tags", json={"key": str(key), "value": str(value)})

    def delete_trace_tag(self, trace_id: str, key: str) -> None:
        """Remove one tag of a stored trace."""
        self.client.request("DELETE", f"{_trace_path(trace_id)}/tags", params={"key": str(key)})

    def delete_traces(
        self,
        experiment_id: str,
        max_timestamp_millis: int | None = None,
        max_traces: int | None = None,
        trace_ids: Sequence[str] | None = None,
    ) -> int:
        """Delete traces on the server; returns how many were deleted."""
        answer = self.client.request("POST", f"{TRACES}/delete", json={
            "experiment_id": str(experiment_id),
            "max_timestamp_millis": max_timestamp_millis,
            "max_traces": max_traces,
            "trace_ids": None if trace_ids is None else [str(t) for t in trace_ids],
        })
        return int(answer["traces_deleted"])

    def log_assessment(self, assessment: Assessment) -> None:
        """Store a new assessment on the server (its id given here, so a retried request stores it once)."""
        self.client.request("POST", _assessment_path(str(assessment.trace_id)), json=assessment.to_dict())

    def log_assessments(self, assessments: Sequence[Assessment]) -> None:
        """Store many assessments on the server: one request per batch of at most ASSESSMENT_BATCH of them and
        TRACEKIT_HTTP_MAX_REQUEST_BYTES (each batch stored all or none)."""
        limit = max(1024, config.HTTP_MAX_REQUEST_BYTES.get())
        for body in array_bodies("assessments", (assessment.to_dict() for assessment in assessments), limit,
                                 ASSESSMENT_BATCH):
            self.client.request("POST", f"{TRACES}/assessments/batch", content=body)

    def get_assessment(self, trace_id: str, assessment_id: str) -> Assessment:
        """The stored assessment (ResourceNotFoundError naming it if the server has none)."""
        return Assessment.from_dict(self.client.request("GET", _assessment_path(trace_id, assessment_id)))

    def update_assessment(self, assessment: Assessment) -> None:
        """Replace the stored assessment's name, value, rationale, error, metadata and update time."""
        self.client.request("PATCH", _assessment_path(str(assessment.trace_id), str(assessment.assessment_id)),
                            json=assessment.to_dict())

    def delete_assessment(self, trace_id: str, assessment_id: str) -> None:
        """Delete one assessment on the server."""
        self.client.request("DELETE", _assessment_path(trace_id, assessment_id))

    def ping(self) -> None:
        """Raise unless the server and its database answer."""
        self.client.request("GET", "/health")

    def close(self) -> None:
        """Close pooled connections."""
        self.client.close()


# Assessments per request of log_assessments (the server takes at most 1000).
ASSESSMENT_BATCH = 500

# Page size used when a caller asks for every match (max_results=None).
SEARCH_PAGE_SIZE = 1000
