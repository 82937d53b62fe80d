"""Contract checks a plugin author runs against their own store or repository: plain functions that exercise round
trips, searches and not-found errors through the base-class API and raise AssertionError naming the first broken
promise. Call them from a pytest test:

>>> from tracekit.plugins.testing import check_store
>>> def test_my_store_keeps_the_contract(tmp_path):
...     check_store(MyStore(f"my-scheme://{tmp_path}"))   # the class of a `tracekit.tracking_store` entry point

tracekit's own SQL stores pass them (tests/plugins/test_plugin_testing.py).
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

from tracekit import serialization
from tracekit.artifacts.repository import ArtifactRepository
from tracekit.constants import SpanAttributeKey, TraceMetadataKey
from tracekit.entities import (
    Feedback,
    Metric,
    Span,
    SpanStatus,
    SpanStatusCode,
    Trace,
    TraceData,
    TraceInfo,
    TraceState,
)
from tracekit.entities.assessment import new_assessment_id
from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.store.trace_store import TraceStore
from tracekit.store.tracking_store import TrackingStore

__all__ = ["check_artifact_repository", "check_assessments", "check_store", "check_trace_store",
           "check_tracking_store"]


def _expect(holds: bool, promise: str) -> None:
    # Explicit raise rather than `assert`: the checks must still run under `python -O`.
    if not holds:
        raise AssertionError(f"The store breaks the contract: {promise}.")


def _expect_raises(error: type[BaseException], call: Callable[[], Any], promise: str) -> None:
    try:
        call()
    except error:
        return
    except Exception as other:  # noqa: BLE001 - reported as the broken promise
        raise AssertionError(f"The store breaks the contract: {promise} (it raised {type(other).__name__}: "
                             f"{other}).") from other
    raise AssertionError(f"The store breaks the contract: {promise} (it raised nothing).")


def check_tracking_store(store: TrackingStore) -> None:
    """Experiments and runs round trip through `store`: creation, lookup by id and name, a taken name refused,
    params, metrics and tags logged and read back, runs found and not found by a filter, unknown ids
    ResourceNotFoundError."""
    name = f"contract-{uuid.uuid4().hex}"
    experiment_id = store.create_experiment(name, tags={"contract": "yes"})
    experiment = store.get_experiment(experiment_id)
    _expect(experiment.name == name and experiment.tags.get("contract") == "yes",
            "get_experiment returns the name and tags given to create_experiment")
    found = store.get_experiment_by_name(name)
    _expect(found is not None and found.experiment_id == experiment_id, "get_experiment_by_name finds it")
    _expect(store.get_experiment_by_name(f"{name}-missing") is None, "get_experiment_by_name of no experiment is None")
    _expect_raises(TracekitException, lambda: store.create_experiment(name), "a taken experiment name is refused")
    _expect_raises(ResourceNotFoundError, lambda: store.get_experiment("987654321"),
                   "get_experiment of an unknown id raises ResourceNotFoundError")

    now_ms = int(time.time() * 1000)
    run = store.create_run(experiment_id, "contract-run", now_ms, tags={"stage": "check"})
    run_id = run.info.run_id
    store.log_batch(run_id, metrics=[Metric("loss", 0.5, now_ms, 0), Metric("loss", 0.25, now_ms, 1)],
                    params={"alpha": "0.5"}, tags={"more": "tags"})
    stored = store.get_run(run_id)
    _expect(stored.data.params == {"alpha": "0.5"}, "get_run returns the logged params")
    _expect(stored.data.metrics.get("loss") == 0.25, "get_run returns the latest value of each metric")
    _expect(stored.data.tags.get("stage") == "check" and stored.data.tags.get("more") == "tags",
            "get_run returns the tags of create_run and log_batch")
    _expect([metric.value for metric in store.get_metric_history(run_id, "loss")] == [0.5, 0.25],
            "get_metric_history returns every point by step")
    store.update_run_info(run_id, "FINISHED", now_ms + 1)
    _expect(store.get_run(run_id).info.status == "FINISHED", "update_run_info sets the status")
    matching = store.search_runs([experiment_id], filter_string="params.alpha = '0.5'")
    _expect([found_run.info.run_id for found_run in matching] == [run_id], "search_runs finds the run by param")
    _expect(list(store.search_runs([experiment_id], filter_string="params.alpha = '0.9'")) == [],
            "search_runs finds nothing for a filter no run matches")
    _expect_raises(ResourceNotFoundError, lambda: store.get_run(uuid.uuid4().hex),
                   "get_run of an unknown id raises ResourceNotFoundError")


def _contract_trace(experiment_id: str) -> Trace:
    trace_id = f"tr-{uuid.uuid4().hex}"
    start_ns = time.time_ns()
    attributes = {SpanAttributeKey.SPAN_TYPE: serialization.dumps("CHAIN"),
                  SpanAttributeKey.INPUTS: serialization.dumps({"question": "q"}),
                  SpanAttributeKey.OUTPUTS: serialization.dumps({"answer": "a"})}
    root = Span(trace_id=trace_id, span_id=uuid.uuid4().hex[:16], parent_id=None, name="contract-root",
                start_time_ns=start_ns, end_time_ns=start_ns + 5_000_000, status=SpanStatus(SpanStatusCode.OK, ""),
                raw_attributes=attributes, events=[])
    info = TraceInfo(trace_id=trace_id, experiment_id=experiment_id, request_time=start_ns // 1_000_000,
                     execution_duration=5, state=TraceState.OK, request_preview='{"question": "q"}',
                     response_preview='{"answer": "a"}', client_request_id=None,
                     trace_metadata={TraceMetadataKey.TRACE_SCHEMA_VERSION: "1"},
                     tags={"contract": trace_id})
    return Trace(info=info, data=TraceData(spans=[root]))


def check_trace_store(store: TraceStore, experiment_id: str = "0", assessments: bool = True) -> None:
    """Traces round trip through `store` in `experiment_id`: written and read back with their spans and tags, found
    by a tag filter, tags set and deleted, an unknown id read as None; and, unless `assessments=False` (a store
    that does not keep feedback and expectations), the assessment checks of `check_assessments`."""
    trace = _contract_trace(experiment_id)
    trace_id = trace.info.trace_id
    store.write_traces([trace])
    stored = store.get_trace(trace_id)
    _expect(stored is not None, "get_trace returns a written trace")
    assert stored is not None  # for the type checker; _expect raised otherwise
    _expect([span.name for span in stored.data.spans] == ["contract-root"], "get_trace returns the spans written")
    _expect(stored.info.tags.get("contract") == trace_id, "get_trace returns the tags written")
    found = store.search_traces([experiment_id], filter_string=f"tags.contract = '{trace_id}'")
    _expect([found_trace.info.trace_id for found_trace in found] == [trace_id], "search_traces finds it by tag")
    _expect(list(store.search_traces([experiment_id], filter_string=f"tags.contract = '{trace_id}-none'")) == [],
            "search_traces finds nothing for a filter no trace matches")
    store.set_trace_tag(trace_id, "reviewed", "yes")
    retagged = store.get_trace(trace_id)
    _expect(retagged is not None and retagged.info.tags.get("reviewed") == "yes", "set_trace_tag adds a tag")
    store.delete_trace_tag(trace_id, "reviewed")
    untagged = store.get_trace(trace_id)
    _expect(untagged is not None and "reviewed" not in untagged.info.tags, "delete_trace_tag removes it")
    _expect(store.get_trace(f"tr-{uuid.uuid4().hex}") is None, "get_trace of an unknown id is None")
    if assessments:
        check_assessments(store, experiment_id)


def check_assessments(store: TraceStore, experiment_id: str = "0") -> None:
    """Feedback round trips through `store`: logged on a written trace, read back by id and on the trace, found by
    a `feedback.<name>` filter, updated, deleted, and an unknown assessment raising ResourceNotFoundError."""
    trace = _contract_trace(experiment_id)
    trace_id = trace.info.trace_id
    store.write_traces([trace])
    feedback = Feedback(name="contract_verdict", value="yes", trace_id=trace_id, assessment_id=new_assessment_id(),
                        rationale="checked")
    try:
        store.log_assessment(feedback)
    except TracekitException as error:
        raise AssertionError(f"The store breaks the contract: log_assessment stores feedback ({error.message} Pass "
                             "assessments=False to check_trace_store if this store does not keep "
                             "assessments.)") from error
    _expect(store.get_assessment(trace_id, str(feedback.assessment_id)) == feedback,
            "get_assessment returns the feedback logged")
    stored = store.get_trace(trace_id)
    _expect(stored is not None and stored.info.assessments == [feedback], "get_trace carries the feedback logged")
    found = store.search_traces([experiment_id], filter_string="feedback.contract_verdict = 'yes' AND "
                                                               f"tags.contract = '{trace_id}'")
    _expect([item.info.trace_id for item in found] == [trace_id], "search_traces finds it by its feedback")
    feedback.value, feedback.last_update_time_ms = "no", feedback.create_time_ms + 1
    store.update_assessment(feedback)
    _expect(store.get_assessment(trace_id, str(feedback.assessment_id)).value == "no",
            "update_assessment changes the value")
    store.delete_assessment(trace_id, str(feedback.assessment_id))
    _expect_raises(ResourceNotFoundError, lambda: store.get_assessment(trace_id, str(feedback.assessment_id)),
                   "get_assessment of a deleted assessment raises ResourceNotFoundError")


def check_store(store: Any) -> None:
    """The whole contract of a `tracekit.tracking_store` class on one instance `store`: every method of
    `TraceStore` and `TrackingStore` present (AssertionError naming those missing), then `check_tracking_store` and
    `check_trace_store` (traces in a new experiment of the store's own)."""
    from tracekit.plugins.loading import missing_methods

    missing = missing_methods(type(store), TraceStore, TrackingStore)
    _expect(not missing, f"the store implements every method of TraceStore and TrackingStore (missing: "
                         f"{', '.join(missing)})")
    check_tracking_store(store)
    experiment_id = store.create_experiment(f"contract-traces-{uuid.uuid4().hex[:12]}")
    check_trace_store(store, experiment_id)


def check_artifact_repository(repository: ArtifactRepository) -> None:
    """Files round trip through `repository` (an empty location): logged under a folder, listed, downloaded with the
    same bytes; a path climbing out of the root refused with TracekitException."""
    with tempfile.TemporaryDirectory() as scratch:
        source = os.path.join(scratch, "contract.txt")
        content = uuid.uuid4().bytes
        with open(source, "wb") as out:
            out.write(content)
        repository.log_artifact(source, artifact_path="contract")
        _expect([info.path for info in repository.list_artifacts("contract")] == ["contract/contract.txt"],
                "list_artifacts lists a logged file under its folder")
        downloaded = repository.download_artifacts("contract/contract.txt", os.path.join(scratch, "out"))
        with open(downloaded, "rb") as read_back:
            _expect(read_back.read() == content, "download_artifacts returns the bytes logged")
        _expect_raises(TracekitException, lambda: repository.log_artifact(source, artifact_path="../escaped"),
                       "an artifact path climbing out of the root is refused")
