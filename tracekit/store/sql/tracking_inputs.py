"""What runs used, in SQL: datasets recorded once per experiment (by name and digest) and the run_inputs rows (with
their tags) pointing at them or at logged models; written inside the caller's transaction, read a page of runs
at a time."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from tracekit.entities import Dataset, DatasetInput, InputTag, LoggedModelInput, RunInputs
from tracekit.exceptions import ResourceNotFoundError
from tracekit.store.column_limits import DATASET_PROFILE_LENGTH, DATASET_SOURCE_LENGTH
from tracekit.store.sql.database import SqlDatabase, chunks
from tracekit.store.sql.schema import datasets, logged_models, run_input_tags, run_inputs

DATASET_INPUT = "DATASET"
MODEL_INPUT = "MODEL"


def _dataset_id(database: SqlDatabase, connection: Connection, experiment_id: str, dataset: Dataset,
                now: int) -> str:
    """The id of the experiment's record of `dataset` (same name and digest), recorded now if it has none."""
    key = and_(datasets.c.experiment_id == experiment_id, datasets.c.name == dataset.name,
               datasets.c.digest == dataset.digest)
    found = connection.scalar(select(datasets.c.dataset_id).where(key))
    if found is not None:
        return str(found)
    # A concurrent writer may record the same dataset first: skip on conflict, then read whichever row won.
    database.insert_missing(connection, datasets, [{
        "dataset_id": uuid.uuid4().hex, "experiment_id": experiment_id, "name": dataset.name,
        "digest": dataset.digest, "source_type": dataset.source_type, "source": dataset.source,
        "schema_json": dataset.schema, "profile_json": dataset.profile, "creation_time": now}])
    return str(connection.scalar(select(datasets.c.dataset_id).where(key)))


def check_dataset_fits(dataset: Dataset) -> None:
    """Refuse a dataset record whose source or profile is longer than its column holds (MySQL's TEXT: 64 KB)."""
    from tracekit.validation import invalid

    for what, value, limit in (("source", dataset.source, DATASET_SOURCE_LENGTH),
                               ("profile", dataset.profile or "", DATASET_PROFILE_LENGTH)):
        if len(value) > limit:
            raise invalid(f"The {what} of dataset {dataset.name!r} is {len(value)} characters long; at most {limit} "
                          f"are stored.")


def write_inputs(database: SqlDatabase, connection: Connection, run_id: str, experiment_id: str,
                 dataset_inputs: Sequence[DatasetInput], model_inputs: Sequence[LoggedModelInput], now: int) -> None:
    """Record that run `run_id` used these datasets and models (a second use adds or replaces its tags);
    ResourceNotFoundError naming a model that does not exist."""
    model_ids = sorted({model.model_id for model in model_inputs})
    for chunk in chunks(model_ids):
        found = set(connection.scalars(select(logged_models.c.model_id).where(logged_models.c.model_id.in_(chunk))))
        missing = [model_id for model_id in chunk if model_id not in found]
        if missing:
            raise ResourceNotFoundError(f"Logged model with id {missing[0]!r} does not exist: it cannot be logged "
                                        f"as an input of run {run_id}.")
    for dataset_input in dataset_inputs:
        check_dataset_fits(dataset_input.dataset)
    rows: list[dict[str, Any]] = []
    tag_rows: list[dict[str, Any]] = []
    for dataset_input in dataset_inputs:
        dataset_id = _dataset_id(database, connection, experiment_id, dataset_input.dataset, now)
        rows.append({"run_id": run_id, "input_type": DATASET_INPUT, "input_id": dataset_id, "creation_time": now})
        tag_rows.extend({"run_id": run_id, "input_type": DATASET_INPUT, "input_id": dataset_id, "key": tag.key,
                         "value": tag.value} for tag in dataset_input.tags)
    rows.extend({"run_id": run_id, "input_type": MODEL_INPUT, "input_id": model_id, "creation_time": now}
                for model_id in model_ids)
    if rows:
        database.insert_missing(connection, run_inputs, rows)
    if tag_rows:
        unique = {(r["input_id"], r["key"]): r for r in tag_rows}  # the last value of a repeated tag wins
        database.upsert(connection, run_input_tags, list(unique.values()),
                        ["run_id", "input_type", "input_id", "key"])


def load_inputs(connection: Connection, run_ids: Sequence[str]) -> dict[str, RunInputs]:
    """{run id: RunInputs} for `run_ids`, each run's inputs in the order they were first logged; a few queries per
    chunk of ids, whatever the number of runs."""
    found: dict[str, RunInputs] = defaultdict(RunInputs)
    for chunk in chunks(list(run_ids)):
        tags: dict[tuple[str, str], list[InputTag]] = defaultdict(list)
        tag_query = (select(run_input_tags.c.run_id, run_input_tags.c.input_id, run_input_tags.c.key,
                            run_input_tags.c.value)
                     .where(run_input_tags.c.run_id.in_(chunk), run_input_tags.c.input_type == DATASET_INPUT)
                     .order_by(run_input_tags.c.key))
        for run_id, input_id, key, value in connection.execute(tag_query):
            tags[(run_id, input_id)].append(InputTag(key, value or ""))
        dataset_query = (select(run_inputs.c.run_id, datasets)
                         .join(datasets, datasets.c.dataset_id == run_inputs.c.input_id)
                         .where(run_inputs.c.run_id.in_(chunk), run_inputs.c.input_type == DATASET_INPUT)
                         .order_by(run_inputs.c.creation_time, datasets.c.name, datasets.c.digest))
        for row in connection.execute(dataset_query):
            dataset = Dataset(name=row.name, digest=row.digest, source_type=row.source_type, source=row.source,
                              schema=row.schema_json, profile=row.profile_json)
            found[row.run_id].dataset_inputs.append(
                DatasetInput(dataset, tuple(tags.get((row.run_id, row.dataset_id), ()))))
        model_query = (select(run_inputs.c.run_id, run_inputs.c.input_id)
                       .where(run_inputs.c.run_id.in_(chunk), run_inputs.c.input_type == MODEL_INPUT)
                       .order_by(run_inputs.c.creation_time, run_inputs.c.input_id))
        for run_id, model_id in connection.execute(model_query):
            found[run_id].model_inputs.append(LoggedModelInput(model_id))
    return found
