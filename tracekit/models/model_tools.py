"""Working with a saved or logged model by URI: its `ModelInfo`, a new signature, a check of a serving request,
and the pip requirements it needs."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.models.model import MLMODEL_FILE, Model, ModelInfo, read_mlmodel_file
from tracekit.models.signature import ModelSignature

logger = logging.getLogger(__name__)


def get_model_info(model_uri: str) -> ModelInfo:
    """The ModelInfo of the model at `model_uri`, read from its MLmodel file alone (nothing is loaded or
    unpickled).

    >>> get_model_info("models:/m-0123456789abcdef0123456789abcdef").signature
    """
    return Model.load(model_uri).get_model_info(str(model_uri))


def set_signature(model_uri: str, signature: ModelSignature) -> None:
    """Replace the signature in the MLmodel file of the model at `model_uri` (a local path, `models:/<model_id>`,
    `runs:/...` or an artifact URI whose store allows overwriting).

    >>> set_signature(model_info.model_uri, infer_signature(test_df, predictions))
    """
    from tracekit.models.model_uris import download_model_file, local_path_of, model_artifact_uri

    if not isinstance(signature, ModelSignature):
        raise TracekitException.invalid_parameter_value(
            f"set_signature() takes a ModelSignature, got {type(signature).__name__}.")
    location = model_artifact_uri(model_uri)
    mlmodel_path = download_model_file(model_uri, MLMODEL_FILE)
    model = read_mlmodel_file(mlmodel_path)
    model.signature = signature
    if local_path_of(location) is not None:
        model.save(mlmodel_path)
        return
    from tracekit.artifacts import get_artifact_repository

    with tempfile.TemporaryDirectory(prefix="tracekit-signature-") as scratch:
        model.save(os.path.join(scratch, MLMODEL_FILE))
        get_artifact_repository(location).log_artifact(os.path.join(scratch, MLMODEL_FILE))


def validate_serving_input(model_uri: str, serving_input: str | Mapping[str, Any]) -> Any:
    """Load the model at `model_uri` and score `serving_input` (a scoring-server request body, as JSON text or a
    dict) with it, as a server would; the prediction, or the error a server would answer with.

    >>> validate_serving_input(model_info.model_uri, convert_input_example_to_serving_input(example))
    """
    from tracekit.models.input_example import parse_serving_input
    from tracekit.models.pyfunc_model import load_model

    data, params = parse_serving_input(serving_input)
    return load_model(model_uri).predict(data, params)


_PROBE = """
import json, sys
import tracekit.pyfunc
already = set(sys.modules)
tracekit.pyfunc.load_model(sys.argv[1], suppress_warnings=True)
print(json.dumps(sorted({name.split(".")[0] for name in set(sys.modules) - already})))
"""


def infer_pip_requirements(model_uri: str, flavor: str = "python_function",
                           fallback: Sequence[str] | None = None) -> list[str]:
    """The pinned pip requirements of the packages a model imports when it is loaded, found by loading it in a
    separate Python process (so this one imports nothing of it); `fallback` is returned, with a warning, if that
    fails (an error is raised when there is no fallback).

    Packages tracekit itself imports (numpy, pandas) are not seen as the model's; tracekit is always listed."""
    from tracekit.models.environment import requirements_for_modules
    from tracekit.models.model_uris import download_model

    if flavor != "python_function":
        raise TracekitException.invalid_parameter_value(
            f"infer_pip_requirements(): only flavor='python_function' is supported, got {flavor!r}.")
    local = download_model(model_uri)
    done = subprocess.run([sys.executable, "-c", _PROBE, local], capture_output=True, text=True, timeout=600,
                          check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        if fallback is None:
            raise TracekitException(f"Could not load the model at {model_uri!r} to infer its requirements: {reason}")
        logger.warning("Could not load the model at %r to infer its requirements (%s); using the fallback %s.",
                       model_uri, reason, list(fallback))
        return list(fallback)
    return requirements_for_modules(json.loads(done.stdout.strip().splitlines()[-1]))
