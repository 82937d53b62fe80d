"""Traces link to the active run and the active model; set_active_model and friends; counting linked traces."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

import tracekit
from tracekit import TracekitException
from tracekit.constants import TraceMetadataKey
from tracekit.store.backend import close_backends, get_backend


@tracekit.trace
def answer(question: str) -> str:
    return question.upper()


def test_trace_in_a_run_records_the_run_and_goes_to_its_experiment(tracking_uri):
    experiment_id = tracekit.create_experiment("agents")
    with tracekit.start_run(experiment_id=experiment_id) as run:
        answer("hi")
    answer("outside")
    (trace,) = tracekit.search_traces(run_id=run.info.run_id, experiment_ids=[experiment_id], return_type="list")
    assert trace.info.trace_metadata[TraceMetadataKey.SOURCE_RUN] == run.info.run_id
    assert trace.info.experiment_id == experiment_id
    assert len(tracekit.search_traces(experiment_ids=["0"], return_type="list")) == 1


def test_search_by_run_or_model_covers_every_experiment_unless_narrowed():
    experiment_id = tracekit.create_experiment("elsewhere")
    model = tracekit.create_external_model(name="m")
    with tracekit.set_active_model(model_id=model.model_id):
        with tracekit.start_run(experiment_id=experiment_id) as run:
            answer("in another experiment than the current one")
    assert tracekit.get_experiment(tracekit.search_traces(run_id=run.info.run_id, return_type="list")[0]
                                   .info.experiment_id).name == "elsewhere"
    assert len(tracekit.search_traces(model_id=model.model_id)) == 1
    assert len(tracekit.TracekitClient().search_traces(run_id=run.info.run_id)) == 1
    assert len(tracekit.search_traces(run_id=run.info.run_id, experiment_ids=["0"])) == 0


def test_trace_in_a_nested_run_links_to_the_innermost_run():
    with tracekit.start_run() as parent:
        with tracekit.start_run(nested=True) as child:
            answer("inner")
        answer("outer")
    assert len(tracekit.search_traces(run_id=child.info.run_id)) == 1
    assert len(tracekit.search_traces(run_id=parent.info.run_id)) == 1


def test_run_filter_field_finds_the_runs_traces():
    with tracekit.start_run() as run:
        answer("a")
        answer("b")
    found = tracekit.search_traces(filter_string=f"run_id = '{run.info.run_id}'", return_type="list")
    assert len(found) == 2


def test_trace_with_an_active_model_records_the_model(tracking_uri):
    model = tracekit.create_external_model(name="chatbot_agent", model_type="agent")
    tracekit.log_model_params({"temperature": "0.7"}, model_id=model.model_id)
    tracekit.set_active_model(model_id=model.model_id)
    answer("linked")
    tracekit.clear_active_model()
    answer("not linked")
    (trace,) = tracekit.search_traces(model_id=model.model_id, return_type="list")
    assert trace.info.trace_metadata[TraceMetadataKey.MODEL_ID] == model.model_id
    assert len(tracekit.search_traces(filter_string=f"model_id = '{model.model_id}'")) == 1


def test_a_trace_can_link_to_a_run_and_a_model():
    model = tracekit.create_external_model(name="m")
    with tracekit.set_active_model(model_id=model.model_id), tracekit.start_run() as run:
        answer("both")
    (trace,) = tracekit.search_traces(run_id=run.info.run_id, model_id=model.model_id, return_type="list")
    assert trace.info.trace_metadata[TraceMetadataKey.MODEL_ID] == model.model_id


def test_count_traces_of_a_run_and_a_model_across_experiments(tracking_uri):
    model = tracekit.create_external_model(name="m")
    tracekit.set_active_model(model_id=model.model_id)
    with tracekit.start_run() as run:
        for n in range(3):
            answer(str(n))
    tracekit.set_experiment("elsewhere")
    answer("in another experiment")
    assert tracekit.count_traces(run_id=run.info.run_id) == 3
    assert tracekit.count_traces(model_id=model.model_id) == 4
    assert tracekit.count_traces(model_id=model.model_id, experiment_ids=["0"]) == 3
    assert tracekit.count_traces() == 1  # the current experiment
    assert tracekit.count_traces(run_id="no-such-run") == 0


def test_run_and_model_trace_lookups_use_an_index():
    answer("warm up")
    engine = get_backend(tracekit.get_tracking_uri()).traces.engine
    with engine.connect() as connection:
        for column in ("run_id", "model_id"):
            plan = " ".join(row[-1] for row in connection.execute(
                text(f"EXPLAIN QUERY PLAN SELECT count(*) FROM trace_info WHERE {column} = 'x'")))
            assert f"USING COVERING INDEX ix_trace_info_{column}" in plan


def test_set_active_model_by_name_creates_an_external_model_once():
    first = tracekit.set_active_model(name="support-bot")
    again = tracekit.set_active_model(name="support-bot")
    assert first.model_id == again.model_id
    assert tracekit.get_active_model_id() == first.model_id
    stored = tracekit.get_logged_model(first.model_id)
    assert stored.name == "support-bot" and stored.status == "READY"


def test_set_active_model_by_name_looks_in_the_current_experiment():
    in_default = tracekit.create_external_model(name="shared-name")
    tracekit.set_experiment("other")
    other = tracekit.set_active_model(name="shared-name")
    assert other.model_id != in_default.model_id


def test_set_active_model_with_name_and_mismatching_id_is_an_error():
    model = tracekit.create_external_model(name="right")
    with pytest.raises(TracekitException, match="is named 'right', not 'wrong'"):
        tracekit.set_active_model(name="wrong", model_id=model.model_id)


def test_set_active_model_needs_a_name_or_an_id():
    with pytest.raises(TracekitException, match="needs a name or a model_id"):
        tracekit.set_active_model()


def test_set_active_model_as_a_context_manager_restores_the_previous_model():
    outer = tracekit.set_active_model(name="outer")
    inner_model = tracekit.create_external_model(name="inner")
    with tracekit.set_active_model(model_id=inner_model.model_id) as inner:
        assert tracekit.get_active_model_id() == inner.model_id
        answer("inner")
    assert tracekit.get_active_model_id() == outer.model_id
    answer("outer")
    assert tracekit.count_traces(model_id=inner_model.model_id) == 1
    assert tracekit.count_traces(model_id=outer.model_id) == 1


def test_active_model_is_seen_by_every_thread():
    model = tracekit.set_active_model(name="served")
    seen = []
    thread = threading.Thread(target=lambda: seen.append(tracekit.get_active_model_id()))
    thread.start()
    thread.join()
    assert seen == [model.model_id]


def test_active_model_id_variable_is_the_default_until_cleared(monkeypatch):
    model = tracekit.create_external_model(name="from-env")
    monkeypatch.setenv("TRACEKIT_ACTIVE_MODEL_ID", model.model_id)
    tracekit.tracing.reset()  # settings of the trace path are read at start and on reset
    assert tracekit.get_active_model_id() == model.model_id
    answer("linked by the environment")
    assert tracekit.count_traces(model_id=model.model_id) == 1
    tracekit.clear_active_model()
    assert tracekit.get_active_model_id() is None


def test_trace_hooks_read_no_environment_variable_or_store(monkeypatch):
    answer("warm up")  # the export worker, in its own thread, may read settings while setting up its destinations
    tracekit.flush_trace_async_logging()
    model = tracekit.set_active_model(name="served")

    def forbidden(*_args, **_kwargs):
        raise AssertionError("the trace path read the environment or opened the tracking store")

    def trace_with_hooks_watched(question: str) -> None:
        with monkeypatch.context() as patch:
            patch.setattr("tracekit.config.Setting.get", forbidden)
            patch.setattr("tracekit.store.backend.get_backend", forbidden)
            answer(question)

    with tracekit.start_run() as run:
        trace_with_hooks_watched("in a run")
    trace_with_hooks_watched("outside")
    assert tracekit.count_traces(run_id=run.info.run_id) == 1
    assert tracekit.count_traces(model_id=model.model_id) == 2


def test_trace_hooks_do_no_io_once_the_experiment_is_known(exported, tmp_path):
    experiment = tracekit.set_experiment("known")
    close_backends()
    for leftover in tmp_path.glob("tracekit.db*"):
        leftover.unlink()
    (tmp_path / "tracekit.db").write_bytes(b"not a database")  # from here on, any store lookup fails
    with tracekit.start_span("no io"):
        pass
    (trace,) = exported()
    # A failed lookup is an internal error, raised in tests; were it swallowed, the trace would go to "0".
    assert trace.info.experiment_id == experiment.experiment_id


def test_experiment_name_variable_is_looked_up_once_for_traces(monkeypatch):
    monkeypatch.setenv("TRACEKIT_EXPERIMENT_NAME", "env-traces")
    tracekit.tracing.reset()
    answer("first")
    answer("second")
    experiment = tracekit.get_experiment_by_name("env-traces")
    assert experiment is not None
    assert tracekit.count_traces(experiment_ids=[experiment.experiment_id]) == 2
