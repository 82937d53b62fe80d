"""`tracekit.data`: datasets a run trains or evaluates on, described (name, digest, source, schema, profile)
without copying their content, for `tracekit.log_input` and `tracekit.log_metric(..., dataset=...)`.

>>> dataset = tracekit.data.from_pandas(df, source="s3://bucket/train.parquet", targets="label", name="train")
>>> with tracekit.start_run():
...     tracekit.log_input(dataset, context="training")
"""

from tracekit.data.dataset_source import DatasetSource
from tracekit.data.datasets import Dataset
from tracekit.data.numpy_dataset import NumpyDataset, from_numpy
from tracekit.data.pandas_dataset import PandasDataset, from_pandas

__all__ = ["Dataset", "DatasetSource", "NumpyDataset", "PandasDataset", "from_numpy", "from_pandas"]
