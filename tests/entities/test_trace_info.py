"""`TraceInfo.from_root_span`: the one place a trace's info is derived from the span heading it."""

from __future__ import annotations

from entity_builders import TRACE_ID, span

import tracekit
from tracekit.entities import TraceInfo, TraceState


def test_times_come_from_the_root_in_milliseconds():
    info = TraceInfo.from_root_span(TRACE_ID, span("r", None, start_ms=1_000, end_ms=1_250), experiment_id="7")
    assert (info.trace_id, info.experiment_id, info.request_time, info.execution_duration) == (TRACE_ID, "7",
                                                                                               1_000, 250)


def test_previews_are_the_roots_inputs_and_outputs():
    root = span("r", None, start_ms=1, end_ms=2, inputs={"q": "hi"}, outputs="yes")
    info = TraceInfo.from_root_span(TRACE_ID, root, experiment_id="0")
    assert (info.request_preview, info.response_preview) == ('{"q":"hi"}', '"yes"')


def test_long_previews_are_cut_to_1000_characters():
    root = span("r", None, start_ms=1, end_ms=2, inputs="x" * 5_000)
    preview = TraceInfo.from_root_span(TRACE_ID, root, experiment_id="0").request_preview
    assert len(preview) == 1_000 and preview.endswith("...")


def test_plain_attribute_values_of_other_sdks_are_previewed_as_json():
    root = span("r", None, start_ms=1, end_ms=2)
    root.raw_attributes["tracekit.spanInputs"] = {"q": 1}
    assert TraceInfo.from_root_span(TRACE_ID, root, experiment_id="0").request_preview == '{"q":1}'


def test_state_follows_the_root_unless_given():
    def state(root, given=None):
        return TraceInfo.from_root_span(TRACE_ID, root, experiment_id="0", state=given).state

    assert state(span("r", None, start_ms=1, end_ms=2)) is TraceState.OK
    assert state(span("r", None, start_ms=1, end_ms=2, failed=True)) is TraceState.ERROR
    assert state(span("r", None, start_ms=1, end_ms=None)) is TraceState.IN_PROGRESS
    assert state(span("r", None, start_ms=1, end_ms=2), TraceState.IN_PROGRESS) is TraceState.IN_PROGRESS


def test_tags_metadata_and_client_request_id_are_copied():
    tags, metadata = {"t": "1"}, {"m": "2"}
    info = TraceInfo.from_root_span(TRACE_ID, span("r", None, start_ms=1, end_ms=2), experiment_id="0",
                                    client_request_id="req-1", trace_metadata=metadata, tags=tags)
    tags["t"] = "changed"
    assert (info.client_request_id, info.trace_metadata, info.tags) == ("req-1", {"m": "2"}, {"t": "1"})


def test_without_a_root_the_info_is_empty_but_valid():
    info = TraceInfo.from_root_span(TRACE_ID, None, experiment_id="0")
    assert (info.request_time, info.execution_duration, info.state, info.request_preview) == (
        0, None, TraceState.OK, None)


def test_recorded_traces_get_their_info_from_the_root_span(exported):
    with tracekit.start_span("root") as root:
        root.set_inputs({"q": "hi"})
        root.set_outputs("yes")
        with tracekit.start_span("child"):
            pass
    trace = exported()[0]
    info = trace.info
    expected = TraceInfo.from_root_span(info.trace_id, trace.data.root_span, experiment_id=info.experiment_id,
                                        trace_metadata=info.trace_metadata)
    assert trace.info == expected
