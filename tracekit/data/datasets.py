"""`Dataset`: what every dataset from `tracekit.data` has (name, digest, source, schema, profile), and its stored
record."""

from __future__ import annotations

import json
from typing import Any

from tracekit.data.dataset_source import DatasetSource
from tracekit.entities.run_inputs import Dataset as DatasetRecord
from tracekit.types import Schema
from tracekit.validation import check_name, invalid

DEFAULT_DATASET_NAME = "dataset"
_MAX_DIGEST_LENGTH = 36


class Dataset:
    """A dataset described by its `name`, a `digest` of its content, its `source`, its `schema` (a
    `tracekit.types.Schema`, None when it cannot be inferred) and its `profile` (rows, columns). Build one with
    `tracekit.data.from_pandas` or `tracekit.data.from_numpy`."""

    def __init__(self, name: str | None, digest: str, source: DatasetSource, schema: Schema | None,
                 profile: dict[str, Any]) -> None:
        self.name = DEFAULT_DATASET_NAME if name is None else check_name(str(name), "dataset")
        if not isinstance(digest, str) or not digest or len(digest) > _MAX_DIGEST_LENGTH:
            raise invalid(f"A dataset digest is a non-empty string of at most {_MAX_DIGEST_LENGTH} characters, got "
                          f"{digest!r}.")
        self.digest = digest
        self.source = source
        self.schema = schema
        self.profile = profile

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, digest={self.digest!r}, source={self.source.uri!r})"

    def to_record(self) -> DatasetRecord:
        """The record the tracking store keeps (schema and profile as JSON)."""
        return DatasetRecord(name=self.name, digest=self.digest, source_type=self.source.source_type,
                             source=self.source.to_json(),
                             schema=None if self.schema is None else self.schema.to_json(),
                             profile=json.dumps(self.profile))

    def to_dict(self) -> dict[str, Any]:
        """The record's fields, for JSON."""
        return self.to_record().to_dict()
