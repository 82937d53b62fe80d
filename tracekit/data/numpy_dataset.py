"""`NumpyDataset` and `from_numpy`: numpy features (and targets) described as a dataset."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tracekit.data.dataset_source import DatasetSource
from tracekit.data.datasets import Dataset
from tracekit.data.digest import SAMPLE_ROWS, array_digest
from tracekit.exceptions import TracekitException
from tracekit.types import Schema
from tracekit.validation import invalid

if TYPE_CHECKING:
    import numpy

logger = logging.getLogger(__name__)


def _as_array(value: Any, what: str) -> numpy.ndarray:
    import numpy as np

    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (list, tuple)):
        return np.asarray(value)
    raise invalid(f"from_numpy(): {what} must be a numpy array (or a dict of them), got {type(value).__name__}.")


def _schema(arrays: Mapping[str | None, numpy.ndarray]) -> Schema | None:
    from tracekit.models.type_inference import infer_schema

    try:
        samples = {name: array[:SAMPLE_ROWS] if array.ndim else array for name, array in arrays.items()}
        if list(samples) == [None]:
            return infer_schema(samples[None])
        return infer_schema({str(name): array for name, array in samples.items()})
    except TracekitException as error:
        logger.info("No schema recorded for the dataset: %s", error)
        return None


class NumpyDataset(Dataset):
    """Numpy features (an array, or a dict of named arrays) and optional targets as a dataset."""

    def __init__(self, features: numpy.ndarray | dict[str, numpy.ndarray], source: DatasetSource,
                 targets: numpy.ndarray | dict[str, numpy.ndarray] | None, name: str | None,
                 digest: str | None) -> None:
        named: dict[str | None, numpy.ndarray] = (
            {str(k): _as_array(v, f"feature {k!r}") for k, v in features.items()}
            if isinstance(features, Mapping) else {None: _as_array(features, "features")})
        if not named:
            raise invalid("from_numpy(): features is an empty dict; give at least one array.")
        target_arrays: dict[str | None, numpy.ndarray] = (
            {str(k): _as_array(v, f"target {k!r}") for k, v in targets.items()}
            if isinstance(targets, Mapping)
            else ({} if targets is None else {None: _as_array(targets, "targets")}))
        first = next(iter(named.values()))
        profile: dict[str, Any] = {
            "num_rows": int(first.shape[0]) if first.ndim else 1,
            "num_columns": int(first.size // first.shape[0]) if first.ndim and first.shape[0] else 0,
            "features_shape": {str(k): list(v.shape) for k, v in named.items()} if None not in named
            else list(first.shape)}
        if target_arrays:
            profile["targets_shape"] = ({str(k): list(v.shape) for k, v in target_arrays.items()}
                                        if None not in target_arrays else list(target_arrays[None].shape))
        computed = digest if digest is not None else array_digest(*named.values(), *target_arrays.values())
        super().__init__(name, computed, source, _schema(named), profile)
        self.features = features
        self.targets = targets


def from_numpy(features: numpy.ndarray | dict[str, numpy.ndarray], source: Any = None,
               targets: numpy.ndarray | dict[str, numpy.ndarray] | None = None, name: str | None = None,
               digest: str | None = None) -> NumpyDataset:
    """Describe numpy features (and targets) as a dataset to log with `tracekit.log_input` or link metrics to.

    >>> dataset = tracekit.data.from_numpy(np.asarray([[1, 2], [3, 4]]), source="data.csv", name="train")
    """
    return NumpyDataset(features, DatasetSource.resolve(source), targets, name, digest)
