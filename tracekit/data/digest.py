"""Digests of dataset content: stable across processes and machines, computed from a bounded sample so that a
huge frame or array costs no more than `SAMPLE_ROWS` rows to hash.

The sample is the first `SAMPLE_ROWS // 2` rows and `SAMPLE_ROWS // 2` rows spread evenly over the rest, so a
change at the start or anywhere in a strided row changes the digest; together with the shape, column names and
types it tells datasets apart without reading all of them.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy
    import pandas

SAMPLE_ROWS = 10_000
DIGEST_LENGTH = 16


def sample_positions(rows: int, limit: int = SAMPLE_ROWS) -> Any:
    """The row positions hashed for a table of `rows` rows: all of them up to `limit`, else the head and an even
    stride over the rest (a numpy array)."""
    import numpy as np

    if rows <= limit:
        return np.arange(rows)
    head = limit // 2
    strided = np.linspace(head, rows - 1, num=limit - head, dtype=np.int64)
    return np.concatenate([np.arange(head), strided])


def _finish(hasher: Any) -> str:
    return str(hasher.hexdigest()[:DIGEST_LENGTH])


def frame_digest(frame: pandas.DataFrame) -> str:
    """The digest of a DataFrame: its shape, column names and dtypes, and the hashed values of a bounded sample of
    its rows."""
    import pandas as pd

    hasher = hashlib.sha256()
    hasher.update(repr((frame.shape, [str(c) for c in frame.columns], [str(t) for t in frame.dtypes])).encode())
    sample = frame.iloc[sample_positions(len(frame))]
    try:
        hashed = pd.util.hash_pandas_object(sample, index=False)
    except TypeError:  # unhashable cells (lists, dicts): hash their text instead
        hashed = pd.util.hash_pandas_object(sample.astype(str), index=False)
    hasher.update(hashed.to_numpy().tobytes())
    return _finish(hasher)


def array_digest(*arrays: numpy.ndarray | None) -> str:
    """The digest of numpy arrays (features, then targets): each one's shape, dtype and the bytes of a bounded
    sample of its rows."""
    import numpy as np

    hasher = hashlib.sha256()
    for array in arrays:
        if array is None:
            hasher.update(b"none")
            continue
        hasher.update(repr((array.shape, str(array.dtype))).encode())
        if array.ndim == 0:
            sample = array.reshape(1)
        else:
            sample = array[sample_positions(array.shape[0])]
        if sample.dtype.kind == "O":
            hasher.update(repr(sample.tolist()).encode())
        else:
            hasher.update(np.ascontiguousarray(sample).tobytes())
    return _finish(hasher)
