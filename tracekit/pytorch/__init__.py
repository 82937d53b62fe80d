"""`tracekit.pytorch`: MLflow's `mlflow.pytorch` for tracekit; `autolog()` logs every PyTorch Lightning
`Trainer.fit` as a training run. Save, log and load `torch.nn.Module`s (LightningModules too) as their weights plus
the class and constructor arguments that rebuild them; they load back as modules in eval mode (`load_model`) or as
pyfunc models (`tracekit.pyfunc.load_model`). Weights are read with `torch.load(weights_only=True)`; whole-module
pickling is an explicit, unsafe opt-in (`serialization_format="pickle"`, `allow_pickle=True`).
Needs the `pytorch` extra (`pip install "tracekit[pytorch]"`).

>>> info = tracekit.pytorch.log_model(net, name="regressor", init_kwargs={"hidden": 8}, input_example=x[:3])
>>> tracekit.pytorch.load_model(info.model_uri)(torch.as_tensor(x))
"""

from tracekit.autologging import integration_attributes
from tracekit.models.pytorch_flavor import (
    FLAVOR_NAME,
    SERIALIZATION_FORMAT_PICKLE,
    SERIALIZATION_FORMAT_STATE_DICT,
    SUPPORTED_SERIALIZATION_FORMATS,
    _load_pyfunc,
    load_model,
    log_model,
    save_model,
)

__all__ = ["FLAVOR_NAME", "SERIALIZATION_FORMAT_PICKLE", "SERIALIZATION_FORMAT_STATE_DICT",
           "SUPPORTED_SERIALIZATION_FORMATS", "_load_pyfunc", "autolog", "load_model", "log_model", "save_model"]


__getattr__ = integration_attributes("pytorch")  # `autolog`, imported on first use
