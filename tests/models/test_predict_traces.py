"""Each predict of a loaded pyfunc model is a trace linked to the model: root span `<name>.predict`, the model's
own @trace spans nested, `search_traces(model_id=...)` lists it; TRACEKIT_TRACE_PYFUNC_PREDICT=false turns it off."""

from __future__ import annotations

import pandas as pd
import pytest

import tracekit
from tracekit.exceptions import TracekitException
from tracekit.models import Model, infer_signature


class _Chain(tracekit.pyfunc.PythonModel):
    @tracekit.trace(name="retrieve")
    def retrieve(self, question):
        return f"doc about {question}"

    def predict(self, context, model_input, params=None):
        return [f"{self.retrieve(q)}" for q in model_input["question"]]


@pytest.fixture
def linked_model(tmp_path):
    """A custom model saved with the id of a logged model, loaded as pyfunc."""
    logged = tracekit.create_external_model(name="chain")
    tracekit.pyfunc.save_model(tmp_path / "chain", python_model=_Chain(),
                               mlflow_model=Model(artifact_path="chain", model_id=logged.model_id),
                               signature=infer_signature(pd.DataFrame({"question": ["q"]})))
    return tracekit.pyfunc.load_model(str(tmp_path / "chain"))


def test_predict_is_a_trace_linked_to_the_model_with_inner_spans_nested(linked_model):
    assert linked_model.predict({"question": "cats"}) == ["doc about cats"]
    tracekit.flush_trace_async_logging()

    traces = tracekit.search_traces(model_id=linked_model.model_id, return_type="list")
    assert len(traces) == 1
    spans = {span.name: span for span in traces[0].data.spans}
    root, inner = spans["chain.predict"], spans["retrieve"]
    assert root.parent_id is None and inner.parent_id == root.span_id
    assert root.inputs == {"data": {"question": "cats"}} and root.outputs == ["doc about cats"]


def test_the_model_link_does_not_leak_to_later_traces(linked_model):
    linked_model.predict({"question": "cats"})
    with tracekit.start_span("after"):
        pass
    tracekit.flush_trace_async_logging()

    assert len(tracekit.search_traces(model_id=linked_model.model_id, return_type="list")) == 1
    assert len(tracekit.search_traces(return_type="list")) == 2


def test_a_signature_error_is_recorded_on_the_trace_and_raised(linked_model):
    with pytest.raises(TracekitException, match="missing required column"):
        linked_model.predict({"other": "x"})
    tracekit.flush_trace_async_logging()

    (trace,) = tracekit.search_traces(model_id=linked_model.model_id, return_type="list")
    assert trace.info.state.value == "ERROR"


def test_large_inputs_are_recorded_as_shape_and_first_rows(tmp_path):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=lambda frame: frame)
    model = tracekit.pyfunc.load_model(str(tmp_path / "m"))

    model.predict(pd.DataFrame({"x": range(10_000)}))
    tracekit.flush_trace_async_logging()

    (trace,) = tracekit.search_traces(return_type="list")
    recorded = trace.data.spans[0].inputs["data"]
    assert recorded["shape"] == [10_000, 1] and recorded["columns"] == ["x"]
    assert recorded["data"][:2] == [[0], [1]] and len(recorded["data"]) == 100
    assert trace.data.spans[0].outputs["shape"] == [10_000, 1]


def test_dataframes_are_recorded_in_split_form(tmp_path):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=lambda frame: frame["x"] * 2)
    model = tracekit.pyfunc.load_model(str(tmp_path / "m"))

    model.predict(pd.DataFrame({"x": [1, 2], "label": ["a", "b"]}))
    tracekit.flush_trace_async_logging()

    (trace,) = tracekit.search_traces(return_type="list")
    assert trace.data.spans[0].inputs == {"data": {"columns": ["x", "label"], "data": [[1, "a"], [2, "b"]]}}
    assert trace.data.spans[0].outputs == [2, 4]


def test_tracing_predict_can_be_turned_off(linked_model, monkeypatch):
    monkeypatch.setenv("TRACEKIT_TRACE_PYFUNC_PREDICT", "false")
    tracekit.tracing.reset()
    try:
        assert linked_model.predict({"question": "cats"}) == ["doc about cats"]
    finally:
        monkeypatch.delenv("TRACEKIT_TRACE_PYFUNC_PREDICT")
        tracekit.tracing.reset()
    tracekit.flush_trace_async_logging()

    # the model's own @trace span is still a trace of its own, but nothing links to the model
    assert tracekit.search_traces(model_id=linked_model.model_id, return_type="list") == []
    assert [t.data.spans[0].name for t in tracekit.search_traces(return_type="list")] == ["retrieve"]


class _Fails(tracekit.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        raise KeyError("the model's own error")


def test_the_models_own_exception_propagates_unchanged_and_the_trace_records_it(tmp_path):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=_Fails())
    model = tracekit.pyfunc.load_model(str(tmp_path / "m"))

    with pytest.raises(KeyError, match="the model's own error"):
        model.predict("anything")
    tracekit.flush_trace_async_logging()

    (trace,) = tracekit.search_traces(return_type="list")
    assert trace.info.state.value == "ERROR"
    assert trace.data.spans[0].events[0].attributes["exception.type"] == "KeyError"
