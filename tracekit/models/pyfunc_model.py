"""`load_model` for the python_function flavor and `PyFuncModel`, whose predict enforces the signature and is
traced: each call is a trace (root span `<model name>.predict`, the model's own `@trace` spans nested) linked to
the model, so `search_traces(model_id=...)` finds it. TRACEKIT_TRACE_PYFUNC_PREDICT=false turns the tracing off.
The scoring server predicts with `predict_in_current_span`: its request span is the prediction's span there.

Loading runs the model's code (its loader module, its pickle or its models-from-code file): load only models you
trust. Reading a model's MLmodel file (`get_model_info`) never does.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

from tracekit import config
from tracekit.entities.span import SpanType
from tracekit.exceptions import TracekitException
from tracekit.models.enforcement import enforce_params, enforce_schema
from tracekit.models.environment import REQUIREMENTS_FILE
from tracekit.models.model import MLMODEL_FILE, Model, path_in_model_dir, read_mlmodel_file
from tracekit.models.model_saving import PYFUNC_FLAVOR
from tracekit.tracing import trace_defaults

logger = logging.getLogger(__name__)

# Inputs and outputs bigger than this many rows are recorded on the predict span as their shape and first rows, so
# tracing a 10,000-row batch costs about what tracing a 100-row one does.
MAX_TRACED_ROWS = 100

_trace_predict = config.TRACE_PYFUNC_PREDICT.get()


def _read_settings() -> None:
    global _trace_predict
    _trace_predict = config.TRACE_PYFUNC_PREDICT.get()


trace_defaults.add_settings_listener(_read_settings)


#: The type of the span recording a prediction: `predict`'s own, and the scoring server's request span, which stands
#: for the prediction there (so a served request and an in-process predict look alike).
PREDICT_SPAN_TYPE = SpanType.CHAIN

class PyFuncModel:
    """A model loaded with `tracekit.pyfunc.load_model`: `predict(data, params=None)`, and its `metadata` (the
    `Model` of its MLmodel file).

    >>> model = tracekit.pyfunc.load_model(info.model_uri)
    >>> model.predict(pd.DataFrame({"x": [1.0, 2.0]}))
    """

    def __init__(self, model_meta: Model, model_impl: Any, model_uri: str | None = None) -> None:
        if not hasattr(model_impl, "predict"):
            raise TracekitException.invalid_parameter_value(
                f"A pyfunc model implementation needs a predict method; {type(model_impl).__name__} has none.")
        self._model_meta = model_meta
        self._model_impl = model_impl
        self.model_uri = model_uri
        name = model_meta.artifact_path or type(self.unwrapped_model()).__name__
        self._span_name = f"{name}.predict"

    @property
    def metadata(self) -> Model:
        """The model's MLmodel contents (flavors, signature, ids)."""
        return self._model_meta

    @property
    def model_id(self) -> str | None:
        """The id of the logged model this was loaded from (None for a model only saved to a path)."""
        return self._model_meta.model_id

    def __repr__(self) -> str:
        loader = self._model_meta.flavors.get(PYFUNC_FLAVOR, {}).get("loader_module")
        return f"PyFuncModel(model_uri={self.model_uri!r}, model_id={self.model_id!r}, flavor={loader!r})"

    def unwrapped_model(self) -> Any:
        """The object underneath: the PythonModel of a custom model, the estimator of a sklearn model."""
        inner = self._model_impl
        for attribute in ("python_model", "model"):
            if hasattr(inner, attribute):
                return getattr(inner, attribute)
        return inner

    def unwrap_python_model(self) -> Any:
        """The `PythonModel` of a custom model; TracekitException for other flavors."""
        from tracekit.models.python_model import PythonModelPredictor

        if not isinstance(self._model_impl, PythonModelPredictor):
            raise TracekitException.invalid_parameter_value(
                "unwrap_python_model() is for custom models (tracekit.pyfunc.PythonModel); this model was saved by "
                f"{self._model_meta.flavors.get(PYFUNC_FLAVOR, {}).get('loader_module')!r}.")
        return self._model_impl.python_model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """Score `data` (checked and converted against the signature's inputs) with `params` (checked against its
        params, defaults filled in). Recorded as a trace linked to this model unless TRACEKIT_TRACE_PYFUNC_PREDICT
        is false."""
        if not _trace_predict:
            return self._predict(data, params)
        from tracekit.tracing.fluent import start_span
        from tracekit.tracking import state

        token = state.set_predicting_model_id(self.model_id)
        try:
            with start_span(self._span_name, span_type=PREDICT_SPAN_TYPE) as span:
                span.set_inputs({"data": _traced_value(data), **({"params": params} if params else {})})
                result = self._predict(data, params)
                span.set_outputs(_traced_value(result))
                return result
        finally:
            state.reset_predicting_model_id(token)

    def predict_in_current_span(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """`predict` without a span of its own, for a caller whose current span already stands for this prediction
        and records its inputs and outputs itself (the scoring server's request span); the caller links the trace to
        `model_id`. The model's own `@trace` spans nest under the caller's span."""
        return self._predict(data, params)

    def _predict(self, data: Any, params: dict[str, Any] | None) -> Any:
        signature = self._model_meta.signature
        if signature is not None and signature.inputs is not None:
            data = enforce_schema(data, signature.inputs)
        params = enforce_params(params, signature.params if signature is not None else None)
        return self._model_impl.predict(data, params=params)


def _traced_value(value: Any) -> Any:
    """What the predict span records of an input or output: a DataFrame in pandas' split form (`columns`, `data`:
    some 100 times cheaper to build than records), a Series as its values, and for one over MAX_TRACED_ROWS rows
    (a DataFrame, Series or array) its `shape` and first rows."""
    shape = getattr(value, "shape", None)
    if not isinstance(shape, tuple) or not shape:
        return value
    import pandas as pd

    large = shape[0] > MAX_TRACED_ROWS
    if isinstance(value, pd.DataFrame):
        rows = value.iloc[:MAX_TRACED_ROWS] if large else value
        recorded: dict[str, Any] = {"columns": value.columns.tolist(), "data": rows.to_numpy().tolist()}
        return {"shape": list(shape), **recorded} if large else recorded
    if isinstance(value, pd.Series):
        value = value.to_numpy()  # the values, as a list, without the index
    return {"shape": list(shape), "first_rows": value[:MAX_TRACED_ROWS]} if large else value


def load_model(model_uri: str, suppress_warnings: bool = False, dst_path: str | None = None,
               model_config: Mapping[str, Any] | None = None) -> PyFuncModel:
    """Load a model as a Python function from `models:/<model_id>`, `runs:/<run_id>/<name>`, a local path or an
    artifact URI. `model_config` overrides the saved model config of a custom model.

    This runs the model's code: load only models you trust (a pickle can run anything when it is read).

    >>> model = tracekit.pyfunc.load_model("models:/m-0123456789abcdef0123456789abcdef")
    """
    from tracekit.models.model_uris import download_model

    local = download_model(model_uri, dst_path)
    mlmodel_path = os.path.join(local, MLMODEL_FILE)
    model_meta = read_mlmodel_file(mlmodel_path)
    flavor = model_meta.flavors.get(PYFUNC_FLAVOR)
    if flavor is None or not flavor.get("loader_module"):
        raise TracekitException.invalid_parameter_value(
            f"The model at {model_uri!r} cannot be loaded as a Python function: {mlmodel_path!r} has no "
            f"python_function flavor with a loader_module (its flavors: {sorted(model_meta.flavors)}). Load it with "
            f"its own flavor's load_model.")
    if not suppress_warnings:
        _warn_on_version_mismatch(local)
    code = flavor.get("code")
    if code:
        code_dir = path_in_model_dir(local, str(code))
        if code_dir not in sys.path:
            sys.path.insert(0, code_dir)
    loader = _import_loader(str(flavor["loader_module"]), mlmodel_path)
    data = flavor.get("model_path") or flavor.get("data")
    data_path = path_in_model_dir(local, str(data)) if data else local
    implementation = (loader._load_pyfunc(data_path, model_config=model_config) if model_config is not None
                      else loader._load_pyfunc(data_path))
    return PyFuncModel(model_meta, implementation, str(model_uri))


def _import_loader(module_name: str, mlmodel_path: str) -> Any:
    try:
        loader = importlib.import_module(module_name)
    except ImportError as error:
        raise TracekitException.invalid_parameter_value(
            f"The loader module {module_name!r} named in {mlmodel_path!r} cannot be imported ({error}); install the "
            f"packages in the model's requirements.txt.") from error
    if not hasattr(loader, "_load_pyfunc"):
        raise TracekitException.invalid_parameter_value(
            f"The loader module {module_name!r} named in {mlmodel_path!r} has no _load_pyfunc(path) function.")
    return loader


def _warn_on_version_mismatch(model_dir: str) -> None:
    """Log, once per load, the pinned requirements whose installed version differs (as the seed describes)."""
    path = os.path.join(model_dir, REQUIREMENTS_FILE)
    if not os.path.isfile(path):
        return
    mismatched = []
    with open(path, encoding="utf-8") as file:
        for line in file:
            name, separator, wanted = line.strip().partition("==")
            if not separator:
                continue
            try:
                installed = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                installed = "not installed"
            if installed != wanted:
                mismatched.append(f"{name} (saved with {wanted}, installed: {installed})")
    if mismatched:
        logger.warning("The model in %s was saved with other package versions than this environment has: %s.",
                       model_dir, ", ".join(mismatched))
