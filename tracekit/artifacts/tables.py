"""Tables as run artifacts: `log_table` writes a dict of columns or a DataFrame as JSON in pandas' "split"
orientation (`{"columns": [...], "data": [[...], ...]}`), appending to a table already logged under that name;
`load_table` reads one table from several runs into one DataFrame.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tracekit.artifacts.artifact_paths import normalize_artifact_path
from tracekit.artifacts.repository import ArtifactRepository
from tracekit.artifacts.run_artifacts import log_file_content, run_artifact_repository
from tracekit.exceptions import ResourceNotFoundError, TracekitException

if TYPE_CHECKING:
    import pandas

_RUN_COLUMNS = ("run_id", "experiment_id", "run_name", "status", "start_time", "end_time", "user_id",
                "artifact_uri")


def _table_path(artifact_file: str) -> str:
    relative = normalize_artifact_path(artifact_file)
    if not relative.lower().endswith(".json"):
        raise TracekitException.invalid_parameter_value(
            f"Invalid table artifact_file {artifact_file!r}: tables are stored as JSON; give a path ending in .json.")
    return relative


def _frame_of(data: Any) -> pandas.DataFrame:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if not isinstance(data, dict):
        raise TracekitException.invalid_parameter_value(
            f"log_table() takes a dict of column name -> list of values or a pandas DataFrame, got "
            f"{type(data).__name__}.")
    try:
        return pd.DataFrame(data)
    except ValueError as error:
        raise TracekitException.invalid_parameter_value(
            f"log_table() could not make a table of the dict: {error}. Give every column a list of the same "
            f"length.") from error


def _read_table(repository: ArtifactRepository, relative: str) -> pandas.DataFrame | None:
    """The table stored at `relative` in `repository`, or None if there is none."""
    import pandas as pd

    folder, _, name = relative.rpartition("/")
    if not any(info.path == relative and not info.is_dir for info in repository.list_artifacts(folder or None)):
        return None
    with tempfile.TemporaryDirectory(prefix="tracekit-table-") as scratch:
        local = repository.download_artifacts(relative, scratch)
        try:
            with open(local, encoding="utf-8") as reader:
                stored = json.load(reader)
            return pd.DataFrame(stored["data"], columns=stored["columns"])
        except (ValueError, KeyError, TypeError) as error:
            raise TracekitException.invalid_parameter_value(
                f"The artifact {relative!r} of {repository.artifact_uri!r} is not a table in JSON split orientation "
                f"as log_table() writes it: {error}.") from error


def _with_listed_spans(frame: pandas.DataFrame) -> pandas.DataFrame:
    """`frame` with each `SpanList` cell (a `search_traces` frame's `spans`) as a plain list: `to_json` cannot write
    a sequence other than a list and would store an empty object in its place."""
    from tracekit.span_list import SpanList

    lazy = [name for name, column in frame.items()
            if column.dtype == object and any(type(value) is SpanList for value in column)]
    if not lazy:
        return frame
    return frame.assign(**{str(name): frame[name].map(lambda value: value.to_list() if type(value) is SpanList
                                                      else value) for name in lazy})


def log_table(data: dict[str, Any] | pandas.DataFrame, artifact_file: str, run_id: str | None = None) -> None:
    """Log a table (a dict of column name -> values, or a DataFrame) as the JSON file `artifact_file` of the active
    run or `run_id`; if the run already has a table there, the new rows are appended to it.

    >>> tracekit.log_table({"inputs": ["What is tracekit?"], "toxicity": [0.0]}, "eval_results.json")
    """
    import pandas as pd

    from tracekit.tracking.runs import target_run_id

    relative = _table_path(artifact_file)
    frame = _with_listed_spans(_frame_of(data))
    repository = run_artifact_repository(target_run_id(run_id))
    existing = _read_table(repository, relative)
    if existing is not None:
        frame = pd.concat([existing, frame], ignore_index=True)

    def write(local_file: str) -> None:
        frame.to_json(local_file, orient="split", index=False, date_format="iso", force_ascii=False)

    log_file_content(relative, write, lambda: repository)


def load_table(artifact_file: str, run_ids: Sequence[str] | None = None,
               extra_columns: Sequence[str] | None = None) -> pandas.DataFrame:
    """The table `artifact_file` logged by `log_table`, read from each of `run_ids` (default: every run of the
    current experiment that has it) and concatenated. `extra_columns` adds columns of run information to each row:
    any of run_id, experiment_id, run_name, status, start_time, end_time, user_id, artifact_uri.

    >>> tracekit.load_table("eval_results.json", run_ids=[run_id], extra_columns=["run_id"])
    """
    import pandas as pd

    from tracekit.store.backend import get_backend
    from tracekit.tracking import state

    relative = _table_path(artifact_file)
    columns = list(extra_columns or ())
    unknown = [column for column in columns if column not in _RUN_COLUMNS]
    if unknown:
        raise TracekitException.invalid_parameter_value(
            f"Unknown extra_columns {unknown}: load_table() can add {', '.join(_RUN_COLUMNS)}.")
    store = get_backend().tracking
    if run_ids is None:
        runs = list(store.search_runs([state.current_experiment_id()], max_results=None))
        required = False
    else:
        runs = [store.get_run(str(run_id)) for run_id in run_ids]
        required = True
    frames = []
    for run in runs:
        table = _read_table(run_artifact_repository(run.info.run_id), relative) if run.info.artifact_uri else None
        if table is None:
            if required:
                raise ResourceNotFoundError(f"Run {run.info.run_id} has no table {relative!r}; log one with "
                                            f"log_table(data, {relative!r}).")
            continue
        for column in columns:
            if column in table.columns:
                raise TracekitException.invalid_parameter_value(
                    f"The table {relative!r} of run {run.info.run_id} already has a column {column!r}; leave it out "
                    f"of extra_columns.")
            table[column] = getattr(run.info, column)
        frames.append(table)
    if not frames:
        where = f"runs {list(run_ids)}" if run_ids is not None else \
            f"any run of experiment {state.current_experiment_id()}"
        raise ResourceNotFoundError(f"No table {relative!r} was logged in {where}.")
    return pd.concat(frames, ignore_index=True)
