"""Runs: start/end, context manager statuses, nesting and its errors, resuming, last active run, deletion."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import tracekit
from tracekit import ResourceNotFoundError, RunStatus, TracekitException
from tracekit.constants import RunTagKey


def test_start_run_is_active_until_end_run(tracking_uri):
    run = tracekit.start_run(run_name="manual")
    assert tracekit.active_run().info.run_id == run.info.run_id
    assert run.info.status == "RUNNING" and run.info.end_time is None
    tracekit.end_run()
    assert tracekit.active_run() is None
    stored = tracekit.get_run(run.info.run_id)
    assert stored.info.status == "FINISHED"
    assert stored.info.end_time >= stored.info.start_time
    assert stored.info.run_name == "manual"
    assert stored.data.tags[RunTagKey.RUN_NAME] == "manual"


def test_run_ids_are_32_hex_digits():
    with tracekit.start_run() as run:
        pass
    assert len(run.info.run_id) == 32 and int(run.info.run_id, 16) >= 0
    assert run.info.run_uuid == run.info.run_id


def test_context_manager_finishes_the_run():
    with tracekit.start_run() as run:
        assert tracekit.active_run() is run
    assert tracekit.get_run(run.info.run_id).info.status == RunStatus.FINISHED


def test_context_manager_marks_failed_and_reraises_unchanged():
    error = ValueError("boom")
    with pytest.raises(ValueError) as raised:
        with tracekit.start_run() as run:
            raise error
    assert raised.value is error
    assert tracekit.get_run(run.info.run_id).info.status == "FAILED"
    assert tracekit.active_run() is None


def test_keyboard_interrupt_marks_killed():
    with pytest.raises(KeyboardInterrupt):
        with tracekit.start_run() as run:
            raise KeyboardInterrupt
    assert tracekit.get_run(run.info.run_id).info.status == "KILLED"


def test_end_run_with_a_status():
    run = tracekit.start_run()
    tracekit.end_run("killed")
    assert tracekit.get_run(run.info.run_id).info.status == "KILLED"


def test_end_run_rejects_an_invalid_status_listing_the_valid_ones():
    tracekit.start_run()
    with pytest.raises(TracekitException, match="FINISHED, FAILED, KILLED"):
        tracekit.end_run("DONE")
    tracekit.end_run()


def test_end_run_without_an_active_run_does_nothing():
    tracekit.end_run()
    assert tracekit.active_run() is None


def test_starting_a_run_while_one_is_active_needs_nested():
    with tracekit.start_run() as outer:
        with pytest.raises(TracekitException, match=f"Run {outer.info.run_id} is already active.*nested=True"):
            tracekit.start_run()
        assert tracekit.active_run() is outer


def test_nested_runs_record_their_parent(tracking_uri):
    with tracekit.start_run(run_name="parent") as parent:
        with tracekit.start_run(run_name="child", nested=True) as child:
            assert tracekit.active_run() is child
            with tracekit.start_run(nested=True) as grandchild:
                pass
        assert tracekit.active_run() is parent
    assert tracekit.get_run(child.info.run_id).data.tags[RunTagKey.PARENT_RUN_ID] == parent.info.run_id
    assert tracekit.get_parent_run(child.info.run_id).info.run_id == parent.info.run_id
    assert tracekit.get_parent_run(grandchild.info.run_id).info.run_id == child.info.run_id
    assert tracekit.get_parent_run(parent.info.run_id) is None


def test_nested_without_an_active_run_is_a_top_level_run():
    with tracekit.start_run(nested=True) as run:
        pass
    assert RunTagKey.PARENT_RUN_ID not in tracekit.get_run(run.info.run_id).data.tags


def test_parent_run_id_nests_under_a_run_that_is_not_active():
    with tracekit.start_run() as parent:
        pass
    with tracekit.start_run(parent_run_id=parent.info.run_id) as child:
        pass
    assert tracekit.get_parent_run(child.info.run_id).info.run_id == parent.info.run_id


def test_parent_run_id_must_match_the_active_run():
    with tracekit.start_run() as other:
        pass
    with tracekit.start_run():
        with pytest.raises(TracekitException, match=f"does not match parent_run_id {other.info.run_id}"):
            tracekit.start_run(nested=True, parent_run_id=other.info.run_id)


def test_parent_run_id_of_an_unknown_run_names_it():
    with pytest.raises(ResourceNotFoundError, match="'feedface'"):
        tracekit.start_run(parent_run_id="feedface")


def test_leaving_an_outer_block_ends_runs_left_open_inside_it():
    with tracekit.start_run() as outer:
        inner = tracekit.start_run(nested=True)
    assert tracekit.active_run() is None
    assert tracekit.get_run(inner.info.run_id).info.status == "FINISHED"
    assert tracekit.get_run(outer.info.run_id).info.status == "FINISHED"


def test_resuming_a_run_sets_it_running_and_adds_tags():
    with tracekit.start_run(tags={"a": "1"}) as run:
        tracekit.log_param("p", 1)
    with tracekit.start_run(run_id=run.info.run_id, tags={"b": "2"}) as resumed:
        assert resumed.info.status == "RUNNING" and resumed.info.end_time is None
        tracekit.log_metric("m", 3.0)
    stored = tracekit.get_run(run.info.run_id)
    assert stored.info.status == "FINISHED"
    assert stored.data.params == {"p": "1"} and stored.data.metrics == {"m": 3.0}
    assert stored.data.tags["a"] == "1" and stored.data.tags["b"] == "2"


def test_resuming_an_unknown_run_names_it():
    with pytest.raises(ResourceNotFoundError, match="'0123abcd'"):
        tracekit.start_run(run_id="0123abcd")


def test_start_run_tags_description_and_system_tags():
    with tracekit.start_run(tags={"team": "nlp"}, description="baseline") as run:
        pass
    tags = tracekit.get_run(run.info.run_id).data.tags
    assert tags["team"] == "nlp"
    assert tags[RunTagKey.NOTE] == "baseline"
    assert RunTagKey.USER in tags
    assert tags[RunTagKey.RUN_NAME] == run.info.run_name  # a generated name when none is given


def test_start_run_in_an_unknown_experiment_names_it():
    with pytest.raises(ResourceNotFoundError, match="'99'"):
        tracekit.start_run(experiment_id="99")


def test_last_active_run_is_the_active_one_then_the_last_ended():
    assert tracekit.last_active_run() is None
    with tracekit.start_run() as run:
        tracekit.log_param("x", 1)
        assert tracekit.last_active_run().data.params == {"x": "1"}
    last = tracekit.last_active_run()
    assert last.info.run_id == run.info.run_id and last.info.status == "FINISHED"


def test_get_run_of_unknown_id_names_it():
    with pytest.raises(ResourceNotFoundError, match="'nope' does not exist"):
        tracekit.get_run("nope")


def test_delete_run_keeps_it_readable(tracking_uri):
    with tracekit.start_run() as run:
        tracekit.log_param("x", 1)
    tracekit.delete_run(run.info.run_id)
    deleted = tracekit.get_run(run.info.run_id)
    assert deleted.info.lifecycle_stage == "deleted"
    assert deleted.data.params == {"x": "1"}
    with pytest.raises(TracekitException, match="deleted"):
        tracekit.log_params({"y": 2}, run_id=run.info.run_id)


def test_delete_unknown_run_names_it():
    with pytest.raises(ResourceNotFoundError, match="'ghost'"):
        tracekit.delete_run("ghost")


def test_each_thread_starts_without_an_active_run():
    seen = []
    with tracekit.start_run():
        thread = threading.Thread(target=lambda: seen.append(tracekit.active_run()))
        thread.start()
        thread.join()
    assert seen == [None]


def test_nested_runs_in_worker_threads_get_the_parent_through_with_current_context():
    with tracekit.start_run() as parent:
        def work(n: int) -> str:
            with tracekit.start_run(nested=True, run_name=f"worker-{n}") as child:
                tracekit.log_metric("n", n)
            return child.info.run_id

        with ThreadPoolExecutor(max_workers=4) as pool:
            child_ids = list(pool.map(tracekit.tracing.with_current_context(work), range(4)))
        assert tracekit.active_run() is parent
    for child_id in child_ids:
        assert tracekit.get_parent_run(child_id).info.run_id == parent.info.run_id
