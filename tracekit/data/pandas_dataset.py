"""`PandasDataset` and `from_pandas`: a DataFrame described as a dataset."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from tracekit.data.dataset_source import DatasetSource
from tracekit.data.datasets import Dataset
from tracekit.data.digest import SAMPLE_ROWS, frame_digest
from tracekit.exceptions import TracekitException
from tracekit.types import Schema
from tracekit.validation import invalid

if TYPE_CHECKING:
    import pandas

logger = logging.getLogger(__name__)


def infer_frame_schema(frame: pandas.DataFrame) -> Schema | None:
    """The schema of a frame's columns, object columns typed from a bounded sample; None (logged) when a column
    has no single type."""
    from tracekit.models.type_inference import infer_schema

    if frame.shape[1] == 0:
        return None
    try:
        return infer_schema(frame.head(SAMPLE_ROWS))
    except TracekitException as error:
        logger.info("No schema recorded for the dataset: %s", error)
        return None


class PandasDataset(Dataset):
    """A DataFrame as a dataset: `df` is the frame itself, `targets` and `predictions` name its label and
    prediction columns."""

    def __init__(self, df: pandas.DataFrame, source: DatasetSource, targets: str | None, name: str | None,
                 digest: str | None, predictions: str | None) -> None:
        for role, column in (("targets", targets), ("predictions", predictions)):
            if column is not None and column not in df.columns:
                raise invalid(f"from_pandas(): the {role} column {column!r} is not a column of the DataFrame "
                              f"(columns: {[str(c) for c in df.columns][:20]}).")
        profile: dict[str, Any] = {"num_rows": int(df.shape[0]), "num_columns": int(df.shape[1])}
        if targets is not None:
            profile["targets"] = str(targets)
        if predictions is not None:
            profile["predictions"] = str(predictions)
        super().__init__(name, digest if digest is not None else frame_digest(df), source, infer_frame_schema(df),
                         profile)
        self.df = df
        self.targets = targets
        self.predictions = predictions


def from_pandas(df: pandas.DataFrame, source: Any = None, targets: str | None = None, name: str | None = None,
                digest: str | None = None, predictions: str | None = None) -> PandasDataset:
    """Describe a DataFrame as a dataset to log with `tracekit.log_input` or link metrics to.

    `source` is where it came from (a path or URI; None: built in code); `targets` and `predictions` name the
    label and model-output columns; `name` defaults to "dataset"; `digest` defaults to a hash of the content
    (shape, columns, and a bounded sample of rows).

    >>> dataset = tracekit.data.from_pandas(df, source="data/train.csv", targets="label", name="train")
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise invalid(f"from_pandas() takes a pandas DataFrame, got {type(df).__name__}.")
    return PandasDataset(df, DatasetSource.resolve(source), targets, name, digest, predictions)
