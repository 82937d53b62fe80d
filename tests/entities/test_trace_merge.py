"""Merging copies and parts of one trace in memory (`tracekit.entities.trace_merge`), and the spans heading them."""

from __future__ import annotations

from entity_builders import TRACE_ID, span

from tracekit.entities import Trace, TraceData, TraceInfo, TraceState
from tracekit.entities.trace import span_order, top_span
from tracekit.entities.trace_merge import is_fragment, merge_copies, merge_trace, stretched_window

ROOT = span("root", None, start_ms=100, end_ms=200, inputs="question", outputs="answer")
CHILD = span("child", "root", start_ms=110, end_ms=150)
GRANDCHILD = span("grandchild", "child", start_ms=120, end_ms=130)
REMOTE_CALL = span("remote", "caller-in-other-service", start_ms=90, end_ms=210)


def part(*spans, tags=None, metadata=None) -> Trace:
    """A trace of `spans` whose info comes from its top span, as the tracing core and OTLP ingest make them."""
    head = top_span(list(spans))
    info = TraceInfo.from_root_span(TRACE_ID, head, experiment_id="1", tags=tags, trace_metadata=metadata)
    return Trace(info=info, data=TraceData(spans=sorted(spans, key=span_order)))


def test_spans_sort_in_the_order_they_ended_children_first():
    assert [s.span_id for s in sorted([ROOT, GRANDCHILD, CHILD], key=span_order)] == ["grandchild", "child", "root"]


def test_the_top_span_is_the_parentless_one():
    assert top_span([GRANDCHILD, ROOT, CHILD]) is ROOT


def test_without_a_parentless_span_the_earliest_orphan_heads():
    assert top_span([GRANDCHILD, CHILD]) is CHILD
    assert top_span([]) is None


def test_a_part_whose_root_has_a_remote_parent_is_a_fragment():
    assert is_fragment(part(REMOTE_CALL))
    assert not is_fragment(part(ROOT, CHILD))
    assert not is_fragment(Trace(info=part(ROOT).info, data=TraceData()))


def test_merging_adds_spans_and_takes_the_info_of_the_copy_holding_the_root():
    merged = merge_trace(part(CHILD, GRANDCHILD), part(ROOT))
    assert {s.span_id for s in merged.data.spans} == {"root", "child", "grandchild"}
    assert merged.info == part(ROOT).info


def test_a_part_arriving_after_the_root_keeps_the_roots_info():
    merged = merge_trace(part(ROOT), part(GRANDCHILD))
    assert (merged.info.request_preview, merged.info.execution_duration) == ('"question"', 100)


def test_a_span_sent_twice_keeps_the_incoming_copy():
    finished = span("child", "root", start_ms=110, end_ms=160, name="finished")
    merged = merge_trace(part(ROOT, CHILD), part(finished))
    assert [s.name for s in merged.data.spans if s.span_id == "child"] == ["finished"]


def test_tags_and_metadata_merge_by_key_with_the_incoming_copy_winning():
    merged = merge_trace(part(ROOT, tags={"a": "1", "b": "1"}, metadata={"m": "1"}),
                         part(CHILD, tags={"b": "2"}, metadata={"n": "2"}))
    assert (merged.info.tags, merged.info.trace_metadata) == ({"a": "1", "b": "2"}, {"m": "1", "n": "2"})


def test_copies_merge_whatever_their_order_with_whole_copies_over_fragments():
    whole, fragment = part(ROOT, CHILD), part(REMOTE_CALL)
    assert merge_copies([fragment, whole]) == merge_copies([whole, fragment])
    merged = merge_copies([whole, fragment])
    assert merged.info.request_preview == '"question"'
    assert [s.span_id for s in merged.data.spans] == ["child", "root", "remote"]


def test_merged_copies_stretch_their_window_over_every_span():
    merged = merge_copies([part(ROOT, CHILD), part(REMOTE_CALL)])
    assert (merged.info.request_time, merged.info.execution_duration) == (90, 120)


def test_one_copy_is_returned_as_it_is():
    whole = part(ROOT)
    assert merge_copies([whole]) is whole


def test_a_window_covering_its_spans_is_left_alone_despite_rounding():
    assert stretched_window(100, 100, 100 * 1_000_000 + 999_999, 201 * 1_000_000 + 999_999) == (100, 100)


def test_a_window_is_stretched_to_spans_outside_it():
    assert stretched_window(100, 100, 90 * 1_000_000, 250 * 1_000_000 + 1) == (90, 161)


def test_a_running_trace_keeps_no_duration():
    assert stretched_window(100, None, 90 * 1_000_000, None) == (90, None)
    assert part(span("r", None, start_ms=1, end_ms=None)).info.state is TraceState.IN_PROGRESS
