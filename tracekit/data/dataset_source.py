"""`DatasetSource`: where a dataset's content lives (a path, a URL, an object store URI), or that it was built in
code."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tracekit.validation import invalid

# URI schemes whose name is the source type as is; anything else with a scheme is "uri", a plain path "local".
_NAMED_SCHEMES = {"http": "http", "https": "http", "s3": "s3", "gs": "gs", "wasbs": "azure", "abfss": "azure",
                  "hf": "huggingface", "dbfs": "dbfs", "file": "local"}


_MAX_URI_LENGTH = 4000


@dataclass(frozen=True)
class DatasetSource:
    """A dataset's origin: `source_type` ("local", "http", "s3", "code", ...) and its `uri` (None for "code")."""

    source_type: str
    uri: str | None = None

    def to_json(self) -> str:
        """The JSON text stored as the dataset's source: `{"uri": ...}` ({} for code)."""
        return json.dumps({} if self.uri is None else {"uri": self.uri})

    @classmethod
    def resolve(cls, source: Any) -> DatasetSource:
        """The source a user passed: a `DatasetSource`, a path or URI string (or `os.PathLike`), or None (built
        in code)."""
        if source is None:
            return cls("code")
        if isinstance(source, DatasetSource):
            return source
        if isinstance(source, os.PathLike):
            source = os.fspath(source)
        if not isinstance(source, str) or not source.strip():
            raise invalid(f"A dataset source is a path or URI string (or a DatasetSource), got {source!r}.")
        if len(source) > _MAX_URI_LENGTH:
            raise invalid(f"A dataset source is at most {_MAX_URI_LENGTH} characters long, got {len(source)}.")
        scheme = urlsplit(source).scheme.lower()
        if not scheme or (len(scheme) == 1 and os.name == "nt"):  # a Windows drive letter is a path
            return cls("local", source)
        return cls(_NAMED_SCHEMES.get(scheme, "uri"), source)
