"""The XGBoost and LightGBM flavors with the real libraries: models saved in the libraries' own formats (never
pickled) load back as themselves and as pyfunc models with equal predictions; a tampered model directory is refused
before anything outside the library is imported or any file is read as code."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

import tracekit
from tracekit.exceptions import TracekitException

xgboost = pytest.importorskip("xgboost")
lightgbm = pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(7)
    features = pd.DataFrame(rng.normal(size=(300, 4)), columns=["age", "income", "tenure", "usage"])
    labels = ((features["age"] + features["usage"] + rng.normal(scale=0.3, size=300)) > 0).astype(int)
    return features, labels


@pytest.fixture(scope="module")
def xgb_booster(frame):
    features, labels = frame
    return xgboost.train({"objective": "binary:logistic", "max_depth": 3}, xgboost.DMatrix(features, label=labels),
                         num_boost_round=8)


@pytest.fixture(scope="module")
def lgb_classifier(frame):
    features, labels = frame
    named = np.where(labels == 1, "churned", "stayed")
    return lightgbm.LGBMClassifier(n_estimators=8, num_leaves=7, verbose=-1).fit(features, named)


def mlmodel(path) -> dict:
    return yaml.safe_load((path / "MLmodel").read_text())


def rewrite_flavor(path, flavor: str, **changes) -> None:
    document = mlmodel(path)
    document["flavors"][flavor].update(changes)
    (path / "MLmodel").write_text(yaml.safe_dump(document))


@pytest.mark.parametrize("model_format", ["ubj", "json"])
def test_xgboost_booster_round_trips_in_its_own_format(tmp_path, frame, xgb_booster, model_format):
    features, _ = frame
    path = tmp_path / "booster"
    tracekit.xgboost.save_model(xgb_booster, path, model_format=model_format, input_example=features.head(3))

    flavor = mlmodel(path)["flavors"]["xgboost"]
    assert flavor["data"] == f"model.{model_format}" and flavor["model_format"] == model_format
    assert flavor["model_class"] == "xgboost.core.Booster"
    assert sorted(item.name for item in path.iterdir() if item.suffix in {".pkl", ".pickle"}) == []
    expected = xgb_booster.predict(xgboost.DMatrix(features))
    loaded = tracekit.xgboost.load_model(str(path))
    assert isinstance(loaded, xgboost.Booster)
    np.testing.assert_allclose(loaded.predict(xgboost.DMatrix(features)), expected)
    np.testing.assert_allclose(tracekit.pyfunc.load_model(str(path)).predict(features), expected)


def test_xgboost_classifier_loads_back_as_its_class(tmp_path, frame):
    features, labels = frame
    classifier = xgboost.XGBClassifier(n_estimators=6, max_depth=2).fit(features, labels)
    tracekit.xgboost.save_model(classifier, tmp_path / "m", input_example=features.head(2))

    assert mlmodel(tmp_path / "m")["flavors"]["xgboost"]["model_class"] == "xgboost.sklearn.XGBClassifier"
    loaded = tracekit.xgboost.load_model(str(tmp_path / "m"))
    assert type(loaded) is xgboost.XGBClassifier
    np.testing.assert_array_equal(loaded.predict(features), classifier.predict(features))
    np.testing.assert_allclose(loaded.predict_proba(features), classifier.predict_proba(features))
    np.testing.assert_array_equal(tracekit.pyfunc.load_model(str(tmp_path / "m")).predict(features),
                                  classifier.predict(features))


def test_lightgbm_booster_round_trips_as_a_text_model(tmp_path, frame):
    features, labels = frame
    booster = lightgbm.train({"objective": "regression", "verbose": -1}, lightgbm.Dataset(features, label=labels),
                             num_boost_round=5)
    tracekit.lightgbm.save_model(booster, tmp_path / "m", input_example=features.head(3))

    flavor = mlmodel(tmp_path / "m")["flavors"]["lightgbm"]
    assert flavor["model_class"] == "lightgbm.basic.Booster" and flavor["data"] == "model.lgb"
    assert (tmp_path / "m" / "model.lgb").read_text().startswith("tree\n")
    np.testing.assert_allclose(tracekit.lightgbm.load_model(str(tmp_path / "m")).predict(features),
                               booster.predict(features))
    np.testing.assert_allclose(tracekit.pyfunc.load_model(str(tmp_path / "m")).predict(features),
                               booster.predict(features))


def test_lightgbm_classifier_keeps_its_string_classes(tmp_path, frame, lgb_classifier):
    features, _ = frame
    tracekit.lightgbm.save_model(lgb_classifier, tmp_path / "m", input_example=features.head(3))

    state = json.loads((tmp_path / "m" / "estimator.json").read_text())
    assert state["classes"]["values"] == ["churned", "stayed"]
    loaded = tracekit.lightgbm.load_model(str(tmp_path / "m"))
    assert type(loaded) is lightgbm.LGBMClassifier and loaded.get_params()["num_leaves"] == 7
    np.testing.assert_array_equal(loaded.predict(features), lgb_classifier.predict(features))
    np.testing.assert_allclose(loaded.predict_proba(features), lgb_classifier.predict_proba(features))
    assert list(loaded.classes_) == ["churned", "stayed"]
    np.testing.assert_array_equal(tracekit.pyfunc.load_model(str(tmp_path / "m")).predict(features),
                                  lgb_classifier.predict(features))


def test_log_model_links_the_run_and_registers(frame, xgb_booster):
    features, _ = frame
    with tracekit.start_run() as run:
        info = tracekit.xgboost.log_model(xgb_booster, name="churn", input_example=features.head(3),
                                          registered_model_name="churn-model")

    logged = tracekit.get_logged_model(info.model_id)
    assert logged.source_run_id == run.info.run_id and logged.name == "churn"
    assert info.registered_model_version == 1
    assert [column.name for column in info.signature.inputs.inputs] == list(features.columns)
    registered = tracekit.xgboost.load_model("models:/churn-model/1")
    np.testing.assert_allclose(registered.predict(xgboost.DMatrix(features)),
                               xgb_booster.predict(xgboost.DMatrix(features)))


def test_pyfunc_predictions_are_traced_and_linked_to_the_model(frame, lgb_classifier):
    features, _ = frame
    info = tracekit.lightgbm.log_model(lgb_classifier, name="churn", input_example=features.head(3))

    tracekit.pyfunc.load_model(info.model_uri).predict(features.head(4))

    [trace] = tracekit.search_traces(model_id=info.model_id, return_type="list")
    assert trace.data.spans[0].name == "churn.predict"


def test_a_user_subclass_is_saved_as_its_library_class(tmp_path, frame, caplog):
    features, labels = frame

    class MyClassifier(xgboost.XGBClassifier):
        pass

    model = MyClassifier(n_estimators=3).fit(features, labels)
    tracekit.xgboost.save_model(model, tmp_path / "m")

    assert mlmodel(tmp_path / "m")["flavors"]["xgboost"]["model_class"] == "xgboost.sklearn.XGBClassifier"
    assert "saved as its xgboost base class" in caplog.text
    assert type(tracekit.xgboost.load_model(str(tmp_path / "m"))) is xgboost.XGBClassifier


def test_non_library_models_and_formats_are_refused(tmp_path, xgb_booster, lgb_classifier):
    with pytest.raises(TracekitException, match="model_format 'pickle' is not supported"):
        tracekit.xgboost.save_model(xgb_booster, tmp_path / "a", model_format="pickle")
    with pytest.raises(TracekitException, match="not a xgboost model"):
        tracekit.xgboost.save_model(lgb_classifier, tmp_path / "b")
    with pytest.raises(TracekitException, match="not fitted"):
        tracekit.lightgbm.save_model(lightgbm.LGBMRegressor(), tmp_path / "c")


def test_a_custom_objective_is_refused_with_what_to_do_instead(tmp_path, frame):
    features, labels = frame

    def squared_error(y_true, y_pred):
        return y_pred - y_true, np.ones_like(y_pred)

    model = lightgbm.LGBMRegressor(objective=squared_error, n_estimators=3, verbose=-1).fit(features, labels)

    with pytest.raises(TracekitException, match=r"'objective' is a function.*booster_"):
        tracekit.lightgbm.save_model(model, tmp_path / "m")


@pytest.fixture
def marker_module(tmp_path, monkeypatch):
    """A module that, if anything imported it, would leave a file behind: a hostile model's payload."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    marker = tmp_path / "pwned"
    (folder / "evil_payload.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\nclass Model:\n    def load_model(self, path):\n        pass\n")
    monkeypatch.syspath_prepend(str(folder))
    yield marker
    sys.modules.pop("evil_payload", None)


@pytest.mark.parametrize("flavor", ["xgboost", "lightgbm"])
@pytest.mark.parametrize("model_class", ["evil_payload.Model", "os.system", "builtins.eval", "xgboost"])
def test_a_model_class_outside_the_library_is_refused_unimported(tmp_path, xgb_booster, lgb_classifier,
                                                                  marker_module, flavor, model_class):
    path = tmp_path / "m"
    module = getattr(tracekit, flavor)
    module.save_model(xgb_booster if flavor == "xgboost" else lgb_classifier, path)
    rewrite_flavor(path, flavor, model_class=model_class)

    with pytest.raises(TracekitException, match="model class"):
        module.load_model(str(path))
    with pytest.raises(TracekitException, match="model class"):
        tracekit.pyfunc.load_model(str(path))
    assert not marker_module.exists() and "evil_payload" not in sys.modules


def test_a_library_function_posing_as_model_class_is_refused(tmp_path, xgb_booster):
    tracekit.xgboost.save_model(xgb_booster, tmp_path / "m")
    rewrite_flavor(tmp_path / "m", "xgboost", model_class="xgboost.training.train")

    with pytest.raises(TracekitException, match="is not a xgboost model class"):
        tracekit.xgboost.load_model(str(tmp_path / "m"))


def test_a_pickle_in_place_of_the_model_is_not_unpickled(tmp_path, xgb_booster, marker_module):
    import pickle

    class Payload:
        def __reduce__(self):
            return (exec, (f"open({str(marker_module)!r}, 'w').write('ran')",))

    tracekit.xgboost.save_model(xgb_booster, tmp_path / "m", model_format="json")
    (tmp_path / "m" / "model.json").write_bytes(pickle.dumps(Payload()))

    with pytest.raises(TracekitException, match="not a readable XGBoost json model"):
        tracekit.pyfunc.load_model(str(tmp_path / "m"))
    assert not marker_module.exists()


@pytest.mark.parametrize("changes, message", [
    ({"model_format": "pickle"}, "model_format 'pickle' is not one of"),
    ({"data": "../../outside.ubj"}, "outside the model directory"),
    ({"data": "model.pkl"}, r"does not end in \.ubj"),
])
def test_tampered_xgboost_file_entries_are_refused(tmp_path, xgb_booster, changes, message):
    tracekit.xgboost.save_model(xgb_booster, tmp_path / "m")
    rewrite_flavor(tmp_path / "m", "xgboost", **changes)

    with pytest.raises(TracekitException, match=message):
        tracekit.xgboost.load_model(str(tmp_path / "m"))


@pytest.mark.parametrize("state_change, message", [
    ({"fitted": {"__class__": "x"}}, "'__class__', which is not a fitted attribute"),
    ({"fitted": {"_Booster": "x"}}, "'_Booster', which is not a fitted attribute"),
    ({"params": {"no_such_param": 1}}, None),
    ({"classes": {"dtype": "|V8", "values": [1]}}, "classes are not a list of labels"),
    ({"params": "rm -rf"}, "not a JSON object with 'params' and 'fitted'"),
])
def test_a_tampered_lightgbm_estimator_state_is_refused_or_harmless(tmp_path, frame, lgb_classifier, state_change,
                                                                     message):
    features, _ = frame
    tracekit.lightgbm.save_model(lgb_classifier, tmp_path / "m")
    state_path = tmp_path / "m" / "estimator.json"
    state = json.loads(state_path.read_text())
    for key, value in state_change.items():
        state[key] = {**state[key], **value} if isinstance(value, dict) and key != "classes" else value
    state_path.write_text(json.dumps(state))

    if message is None:  # unknown params go to LightGBM as params, which is data, not code
        loaded = tracekit.lightgbm.load_model(str(tmp_path / "m"))
        np.testing.assert_array_equal(loaded.predict(features), lgb_classifier.predict(features))
        return
    with pytest.raises(TracekitException, match=message):
        tracekit.lightgbm.load_model(str(tmp_path / "m"))


def test_a_model_without_the_flavor_is_refused_by_name(tmp_path, add_n_model):
    tracekit.pyfunc.save_model(tmp_path / "m", python_model=add_n_model)

    with pytest.raises(TracekitException, match="no xgboost flavor"):
        tracekit.xgboost.load_model(str(tmp_path / "m"))
    with pytest.raises(TracekitException, match="no lightgbm flavor"):
        tracekit.lightgbm.load_model(str(tmp_path / "m"))
