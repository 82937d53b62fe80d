"""The PyTorch flavor: weights saved as a state_dict with the class and constructor arguments that rebuild the
module, loaded back with `torch.load(weights_only=True)` as a module in eval mode or as a pyfunc model; whole-module
pickles only when asked for, at save and at load."""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

import tracekit
from tracekit.exceptions import TracekitException

torch = pytest.importorskip("torch")
from torch_modules import NoArguments, TwoLayerRegressor  # noqa: E402


@pytest.fixture
def regressor():
    torch.manual_seed(0)
    return TwoLayerRegressor(inputs=3, hidden=5)


@pytest.fixture
def features() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)


def expected_output(model, features: np.ndarray) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(features)).numpy()


class Payload:
    """Unpickling this writes a marker file: what a hostile model file would do."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_saved_weights_load_as_a_module_in_eval_mode(tmp_path, regressor, features):
    path = tmp_path / "m"
    tracekit.pytorch.save_model(regressor, path, init_kwargs={"inputs": 3, "hidden": 5})

    flavor = yaml.safe_load((path / "MLmodel").read_text())["flavors"]["pytorch"]
    assert flavor["serialization_format"] == "state_dict"
    assert flavor["model_class"] == "torch_modules:TwoLayerRegressor"
    assert flavor["pytorch_version"] == torch.__version__
    loaded = tracekit.pytorch.load_model(str(path))
    assert isinstance(loaded, TwoLayerRegressor) and not loaded.training
    with torch.no_grad():
        np.testing.assert_allclose(loaded(torch.from_numpy(features)).numpy(), expected_output(regressor, features))


def test_pyfunc_predicts_frames_and_arrays_without_grad(tmp_path, regressor, features):
    path = tmp_path / "m"
    frame = pd.DataFrame(features.astype(np.float64), columns=["a", "b", "c"])
    tracekit.pytorch.save_model(regressor, path, init_kwargs={"inputs": 3, "hidden": 5}, input_example=frame[:2])
    model = tracekit.pyfunc.load_model(str(path))

    from_frame = model.predict(frame)
    assert isinstance(from_frame, pd.DataFrame) and from_frame.shape == (8, 1)
    np.testing.assert_allclose(from_frame.to_numpy(), expected_output(regressor, features), rtol=1e-6)
    signature = model.metadata.signature
    assert [spec.name for spec in signature.inputs] == ["a", "b", "c"]
    assert signature.outputs is not None


def test_pyfunc_predicts_on_numpy_with_a_tensor_signature(tmp_path, regressor, features):
    path = tmp_path / "m"
    tracekit.pytorch.save_model(regressor, path, init_kwargs={"inputs": 3, "hidden": 5}, input_example=features[:2])
    model = tracekit.pyfunc.load_model(str(path))

    predicted = model.predict(features)
    assert isinstance(predicted, np.ndarray) and not isinstance(predicted, torch.Tensor)
    np.testing.assert_allclose(predicted, expected_output(regressor, features), rtol=1e-6)
    assert model.metadata.signature.inputs.to_dict()[0]["type"] == "tensor"
    assert "torch==" in (path / "requirements.txt").read_text()


def test_logged_model_loads_from_its_models_uri(regressor, features):
    with tracekit.start_run() as run:
        info = tracekit.pytorch.log_model(regressor, name="net", init_kwargs={"inputs": 3, "hidden": 5},
                                          input_example=features[:2])

    assert tracekit.get_logged_model(info.model_id).source_run_id == run.info.run_id
    loaded = tracekit.pytorch.load_model(info.model_uri)
    with torch.no_grad():
        np.testing.assert_allclose(loaded(torch.from_numpy(features)).numpy(), expected_output(regressor, features))


def test_a_module_without_constructor_arguments_needs_no_init_kwargs(tmp_path, features):
    module = NoArguments()
    tracekit.pytorch.save_model(module, tmp_path / "m")

    loaded = tracekit.pytorch.load_model(str(tmp_path / "m"))
    assert torch.equal(loaded.linear.weight, module.linear.weight)


def test_missing_constructor_arguments_are_refused_when_saving(tmp_path, regressor):
    with pytest.raises(TracekitException, match=r"TwoLayerRegressor cannot be rebuilt.*missing a required argument"):
        tracekit.pytorch.save_model(regressor, tmp_path / "m")
    with pytest.raises(TracekitException, match="must be JSON values"):
        tracekit.pytorch.save_model(regressor, tmp_path / "m", init_kwargs={"inputs": 3, "hidden": object()})


def test_a_class_defined_inside_a_function_is_refused_with_the_way_out(tmp_path):
    class Local(torch.nn.Module):
        def forward(self, features):
            return features

    with pytest.raises(TracekitException, match="cannot be imported when the model is loaded.*code_paths"):
        tracekit.pytorch.save_model(Local(), tmp_path / "m")


def test_not_a_module_is_refused(tmp_path):
    with pytest.raises(TracekitException, match="takes a torch.nn.Module, got dict"):
        tracekit.pytorch.save_model({"weight": 1}, tmp_path / "m")


def test_a_hostile_pickle_in_place_of_the_weights_is_not_run(tmp_path, regressor):
    path = tmp_path / "m"
    tracekit.pytorch.save_model(regressor, path, init_kwargs={"inputs": 3, "hidden": 5})
    marker = tmp_path / "pwned"
    torch.save({"layers.0.weight": Payload(str(marker))}, path / "data" / "state_dict.pt")
    (path / "data" / "state_dict_raw.pt").write_bytes(pickle.dumps(Payload(str(marker))))

    with pytest.raises(TracekitException, match="not a plain PyTorch state_dict"):
        tracekit.pytorch.load_model(str(path))
    with pytest.raises(TracekitException, match="not a plain PyTorch state_dict"):
        tracekit.pyfunc.load_model(str(path))
    (path / "data" / "state_dict_raw.pt").replace(path / "data" / "state_dict.pt")
    with pytest.raises(TracekitException, match="not a plain PyTorch state_dict"):
        tracekit.pytorch.load_model(str(path))
    assert not marker.exists()


def test_an_mlmodel_switched_to_pickle_is_not_unpickled_without_consent(tmp_path, regressor):
    path = tmp_path / "m"
    tracekit.pytorch.save_model(regressor, path, init_kwargs={"inputs": 3, "hidden": 5})
    marker = tmp_path / "pwned"
    (path / "data" / "model.pth").write_bytes(pickle.dumps(Payload(str(marker))))
    mlmodel = yaml.safe_load((path / "MLmodel").read_text())
    mlmodel["flavors"]["pytorch"]["serialization_format"] = "pickle"
    (path / "MLmodel").write_text(yaml.safe_dump(mlmodel))

    with pytest.raises(TracekitException, match="pickled module.*allow_pickle=True"):
        tracekit.pytorch.load_model(str(path))
    with pytest.raises(TracekitException, match="pickled module"):
        tracekit.pyfunc.load_model(str(path))
    assert not marker.exists()


@pytest.mark.parametrize("model_class", ["os:system", "subprocess:Popen", "torch_modules", "no_such_module:Net"])
def test_a_model_class_that_is_not_an_importable_module_subclass_is_refused(tmp_path, regressor, model_class):
    path = tmp_path / "m"
    tracekit.pytorch.save_model(regressor, path, init_kwargs={"inputs": 3, "hidden": 5})
    mlmodel = yaml.safe_load((path / "MLmodel").read_text())
    mlmodel["flavors"]["pytorch"]["model_class"] = model_class
    (path / "MLmodel").write_text(yaml.safe_dump(mlmodel))

    with pytest.raises(TracekitException, match=r"not a torch.nn.Module subclass|cannot be imported|'module:Class"):
        tracekit.pytorch.load_model(str(path))


def test_whole_module_pickle_is_an_opt_in_at_save_and_at_load(tmp_path, regressor, features):
    path = tmp_path / "m"
    tracekit.pytorch.save_model(regressor, path, serialization_format="pickle")

    with pytest.raises(TracekitException, match="allow_pickle=True"):
        tracekit.pytorch.load_model(str(path))
    loaded = tracekit.pytorch.load_model(str(path), allow_pickle=True)
    with torch.no_grad():
        np.testing.assert_allclose(loaded(torch.from_numpy(features)).numpy(), expected_output(regressor, features))
    pyfunc = tracekit.pyfunc.load_model(str(path), model_config={"allow_pickle": True})
    np.testing.assert_allclose(pyfunc.predict(features), expected_output(regressor, features), rtol=1e-6)


def test_unknown_serialization_format_is_refused(tmp_path, regressor):
    with pytest.raises(TracekitException, match="serialization_format 'onnx' is not supported"):
        tracekit.pytorch.save_model(regressor, tmp_path / "m", serialization_format="onnx")


def test_a_class_from_code_paths_loads_where_it_is_not_installed(tmp_path, monkeypatch, features):
    source = tmp_path / "src"
    source.mkdir()
    (source / "scaled_net.py").write_text(
        "import torch\n\n\nclass ScaledNet(torch.nn.Module):\n"
        "    def __init__(self, scale):\n        super().__init__()\n        self.scale = scale\n"
        "        self.linear = torch.nn.Linear(3, 1)\n\n"
        "    def forward(self, x):\n        return self.linear(x) * self.scale\n")
    monkeypatch.syspath_prepend(str(source))
    from scaled_net import ScaledNet

    net = ScaledNet(scale=2.0)
    tracekit.pytorch.save_model(net, tmp_path / "m", init_kwargs={"scale": 2.0},
                                code_paths=[str(source / "scaled_net.py")])
    sys.path.remove(str(source))
    del sys.modules["scaled_net"]

    loaded = tracekit.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict(features), expected_output(net, features), rtol=1e-6)
    monkeypatch.delitem(sys.modules, "scaled_net")
