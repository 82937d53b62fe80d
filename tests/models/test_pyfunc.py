"""Custom pyfunc models: the seed's AddN, artifacts and load_context, model_config, models from code, plain
callables, predict without a context, params, and serving inputs."""

from __future__ import annotations

import json
import textwrap

import pandas as pd
import pytest

import tracekit
from tracekit.exceptions import TracekitException
from tracekit.models import (
    ModelConfig,
    convert_input_example_to_serving_input,
    infer_signature,
    validate_serving_input,
)


def test_the_seed_add_n_example(tmp_path, add_n_model):
    tracekit.pyfunc.save_model(path=str(tmp_path / "add_n_model"), python_model=add_n_model)

    loaded = tracekit.pyfunc.load_model(str(tmp_path / "add_n_model"))
    model_input = pd.DataFrame([range(10)])
    assert loaded.predict(model_input).equals(pd.DataFrame([range(5, 15)]))
    assert loaded.unwrap_python_model().n == 5
    assert loaded.metadata.flavors["python_function"]["python_model"] == "python_model.pkl"


class _Lookup(tracekit.pyfunc.PythonModel):
    def load_context(self, context):
        with open(context.artifacts["table"]) as file:
            self.table = dict(line.strip().split("=") for line in file)
        self.prefix = context.model_config["prefix"]

    def predict(self, context, model_input, params=None):
        suffix = (params or {}).get("suffix", "")
        return [f"{self.prefix}{self.table[key]}{suffix}" for key in model_input["key"]]


def test_artifacts_reach_load_context_and_model_config_the_context(tmp_path):
    table = tmp_path / "table.txt"
    table.write_text("a=apple\nb=banana\n")
    signature = infer_signature(pd.DataFrame({"key": ["a"]}), params={"suffix": "!"})
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=_Lookup(), artifacts={"table": str(table)},
                               model_config={"prefix": "> "}, signature=signature)
    table.unlink()  # the model keeps its own copy

    loaded = tracekit.pyfunc.load_model(str(tmp_path / "m"))
    assert loaded.predict(pd.DataFrame({"key": ["b", "a"]})) == ["> banana!", "> apple!"]
    assert loaded.predict({"key": "a"}, params={"suffix": "?"}) == ["> apple?"]
    overridden = tracekit.pyfunc.load_model(str(tmp_path / "m"), model_config={"prefix": "* "})
    assert overridden.predict({"key": "a"}) == ["* apple!"]


def test_a_plain_callable_is_a_model(tmp_path):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=lambda frame: frame["x"] * 2)

    assert tracekit.pyfunc.load_model(str(tmp_path / "m")).predict(pd.DataFrame({"x": [1, 2]})).tolist() == [2, 4]


class _NoContext(tracekit.pyfunc.PythonModel):
    def predict(self, model_input, params=None):
        return model_input.upper()


def test_predict_without_a_context_argument(tmp_path):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=_NoContext())

    assert tracekit.pyfunc.load_model(str(tmp_path / "m")).predict("hi") == "HI"


AGENT_CODE = textwrap.dedent('''
    import tracekit
    from tracekit.models import ModelConfig

    config = ModelConfig(development_config={"greeting": "dev"})


    class Agent(tracekit.pyfunc.PythonModel):
        @tracekit.trace(name="compose")
        def compose(self, question):
            return f"{config.get('greeting')}: {question}"

        def predict(self, context, model_input, params=None):
            return [self.compose(q) for q in model_input["question"]]


    tracekit.models.set_model(Agent())
''')


def test_model_from_code_is_saved_as_source_and_configured_at_load(tmp_path):
    code = tmp_path / "agent.py"
    code.write_text(AGENT_CODE)
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=str(code), model_config={"greeting": "hello"},
                               input_example={"question": "hi"})

    assert not (tmp_path / "m" / "python_model.pkl").exists()
    assert (tmp_path / "m" / "agent.py").read_text() == AGENT_CODE
    loaded = tracekit.pyfunc.load_model(str(tmp_path / "m"))
    assert loaded.predict({"question": "hi"}) == ["hello: hi"]


def test_model_from_code_without_model_config_refuses_to_read_one(tmp_path):
    code = tmp_path / "agent.py"
    code.write_text(AGENT_CODE)
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=str(code))

    with pytest.raises(TracekitException, match="saved without model_config"):
        tracekit.pyfunc.load_model(str(tmp_path / "m"))


def test_model_code_that_never_calls_set_model_is_refused(tmp_path):
    code = tmp_path / "agent.py"
    code.write_text("x = 1\n")

    with pytest.raises(TracekitException, match="never calls set_model"):
        tracekit.pyfunc.save_model(tmp_path / "m", python_model=str(code))


def test_model_config_development_config_and_missing_keys(tmp_path):
    (tmp_path / "config.yaml").write_text("key1: value1\n")

    assert ModelConfig(development_config=str(tmp_path / "config.yaml")).get("key1") == "value1"
    with pytest.raises(TracekitException, match="has no key 'nope'"):
        ModelConfig(development_config={"key1": 1}).get("nope")
    with pytest.raises(TracekitException, match="no configuration"):
        ModelConfig()


def test_serving_input_from_an_example_is_validated_by_predicting(tmp_path, add_n_model, numbers_frame):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=add_n_model, input_example=numbers_frame)
    serving_input = convert_input_example_to_serving_input(numbers_frame)

    assert json.loads(serving_input) == json.loads((tmp_path / "m" / "serving_input_example.json").read_text())
    result = validate_serving_input(str(tmp_path / "m"), serving_input)
    assert result.to_dict("list") == {"a": [6, 7], "b": [5.5, 6.5]}
    with pytest.raises(TracekitException, match=r"missing required column\(s\) \['b'\]"):
        validate_serving_input(str(tmp_path / "m"), {"dataframe_records": [{"a": 1}]})
    with pytest.raises(TracekitException, match="exactly one of"):
        validate_serving_input(str(tmp_path / "m"), {"rows": []})


def test_unpicklable_model_error_says_what_to_do(tmp_path):
    import threading

    class Holder(tracekit.pyfunc.PythonModel):
        def __init__(self):
            self.lock = threading.Lock()

        def predict(self, context, model_input, params=None):
            return model_input

    with pytest.raises(TracekitException, match="load_context"):
        tracekit.pyfunc.save_model(tmp_path / "m", python_model=Holder())


class _UsesHelper(tracekit.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        import shout_helper

        return shout_helper.shout(model_input)


def test_code_paths_are_importable_at_load(tmp_path, monkeypatch):
    helper_dir = tmp_path / "src"
    helper_dir.mkdir()
    (helper_dir / "shout_helper.py").write_text("def shout(text):\n    return text.upper() + '!'\n")
    monkeypatch.syspath_prepend(str(helper_dir))
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=_UsesHelper(),
                               code_paths=[str(helper_dir / "shout_helper.py")])
    monkeypatch.delitem(__import__("sys").modules, "shout_helper", raising=False)
    (helper_dir / "shout_helper.py").unlink()

    assert tracekit.pyfunc.load_model(str(tmp_path / "m")).predict("hi") == "HI!"


@pytest.mark.parametrize("name", ["../escape", "a/b", ""])
def test_artifact_names_that_would_leave_the_model_are_refused(tmp_path, add_n_model, name):
    (tmp_path / "file.txt").write_text("x")

    with pytest.raises(TracekitException, match="not a valid artifact name"):
        tracekit.pyfunc.save_model(tmp_path / "m", python_model=add_n_model,
                                   artifacts={name: str(tmp_path / "file.txt")})
