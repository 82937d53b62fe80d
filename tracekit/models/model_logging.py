"""Logging a model: a LoggedModel (PENDING) is created in the current experiment with the active run as its
source, the flavor writes the model directory, the files go to the model's artifact location, and the model turns
READY; if anything fails it turns FAILED and the error propagates."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from typing import Any

from tracekit.entities import LoggedModelStatus
from tracekit.exceptions import TracekitException
from tracekit.models.model import Model, ModelInfo

logger = logging.getLogger(__name__)


def log_model(name: str | None, flavor: Any, *, registered_model_name: str | None = None,
              metadata: dict[str, Any] | None = None, run_id: str | None = None,
              params: Mapping[str, Any] | None = None, tags: Mapping[str, Any] | None = None,
              model_type: str | None = None, **kwargs: Any) -> ModelInfo:
    """Log a model with `flavor.save_model(path=..., mlflow_model=..., **kwargs)` as a new logged model `name`;
    its ModelInfo (`model_uri` is `models:/<model_id>`)."""
    from tracekit.artifacts import get_artifact_repository
    from tracekit.tracking import state
    from tracekit.tracking.logged_models import finalize_logged_model, get_logged_model, initialize_logged_model

    if registered_model_name is not None:
        from tracekit.registry.registry_checks import check_model_name

        check_model_name(registered_model_name)  # a bad name is refused before anything is logged
    if not hasattr(flavor, "save_model"):
        raise TracekitException.invalid_parameter_value(
            f"Model.log(): flavor must be a module (or object) with save_model(path, mlflow_model=..., ...), got "
            f"{flavor!r}.")
    source_run_id = run_id if run_id is not None else state.active_run_id()
    logged = initialize_logged_model(name=name, source_run_id=source_run_id, params=params, tags=tags,
                                     model_type=model_type)
    model = Model(artifact_path=logged.name, run_id=source_run_id, model_id=logged.model_id, metadata=metadata)
    try:
        if not logged.artifact_location:
            raise TracekitException.invalid_state(
                f"Logged model {logged.model_id} has no artifact location, so its files have nowhere to go.")
        with tempfile.TemporaryDirectory(prefix="tracekit-log-model-") as scratch:
            local = os.path.join(scratch, "model")
            flavor.save_model(path=local, mlflow_model=model, **kwargs)
            get_artifact_repository(logged.artifact_location).log_artifacts(local)
    except BaseException:
        try:
            finalize_logged_model(logged.model_id, LoggedModelStatus.FAILED)
        except Exception:  # noqa: BLE001 - the original error matters more than the status update's
            logger.warning("Could not mark logged model %s FAILED.", logged.model_id, exc_info=True)
        raise
    finalize_logged_model(logged.model_id, LoggedModelStatus.READY)
    info = model.get_model_info(f"models:/{logged.model_id}")
    info.params = dict(get_logged_model(logged.model_id).params)
    if registered_model_name is not None:
        from tracekit.registry.registry_api import register_model

        info.registered_model_version = register_model(info.model_uri, registered_model_name).version
    return info
