"""What `tracekit experiments search` and `tracekit runs search` print: a table, JSON or CSV.

JSON is the REST API's shape (`Experiment.to_dict()`, `Run.to_dict()`, NaN as null); the runs CSV has the columns of
`tracekit.search_runs`' DataFrame (`metrics.<key>`, `params.<key>`, `tags.<key>`).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence

import orjson
from rich.table import Table
from rich.text import Text

from tracekit.cli.output import format_duration_ns, iso_time
from tracekit.entities import Experiment, Run

EXPERIMENT_CSV_COLUMNS = ("experiment_id", "name", "lifecycle_stage", "artifact_location", "creation_time",
                          "last_update_time", "tags")
_RUN_STATUS_STYLE = {"FINISHED": "green", "FAILED": "bold red", "KILLED": "red", "RUNNING": "yellow"}
_SHOWN_VALUES = 4


def entities_json(entities: Sequence[Experiment | Run]) -> str:
    """The entities' dicts as a JSON list (NaN metric values as null, as the REST API sends them)."""
    return orjson.dumps([entity.to_dict() for entity in entities], option=orjson.OPT_INDENT_2).decode("utf-8")


def _time(milliseconds: int | None) -> str:
    return "" if milliseconds is None else iso_time(milliseconds)


def experiments_csv(experiments: Sequence[Experiment]) -> str:
    """One CSV row per experiment (columns `EXPERIMENT_CSV_COLUMNS`, tags as JSON), with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPERIMENT_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for experiment in experiments:
        writer.writerow({"experiment_id": experiment.experiment_id, "name": experiment.name,
                         "lifecycle_stage": experiment.lifecycle_stage,
                         "artifact_location": experiment.artifact_location,
                         "creation_time": _time(experiment.creation_time),
                         "last_update_time": _time(experiment.last_update_time),
                         "tags": json.dumps(experiment.tags, ensure_ascii=False)})
    return out.getvalue()


def experiments_table(experiments: Sequence[Experiment]) -> Table:
    """A rich table: id, name, stage, creation and update times, tags."""
    table = Table(title=f"{len(experiments)} experiment(s)", title_justify="left", expand=False)
    table.add_column("experiment_id", no_wrap=True)
    table.add_column("name", ratio=1, overflow="ellipsis")
    table.add_column("stage", no_wrap=True)
    table.add_column("created (UTC)", no_wrap=True, min_width=24)
    table.add_column("updated (UTC)", no_wrap=True, min_width=24)
    table.add_column("tags", ratio=1, overflow="ellipsis")
    for experiment in experiments:
        table.add_row(experiment.experiment_id, experiment.name, experiment.lifecycle_stage,
                      _time(experiment.creation_time), _time(experiment.last_update_time),
                      _pairs(experiment.tags))
    return table


def runs_csv(runs: Sequence[Run]) -> str:
    """One CSV row per run, with the columns of `search_runs`' DataFrame (times in ISO 8601, UTC)."""
    from tracekit.dataframes import runs_to_dataframe

    return runs_to_dataframe(runs).to_csv(index=False, lineterminator="\n")


def _number(value: float) -> str:
    return "NaN" if math.isnan(value) else f"{value:.6g}"


def _pairs(values: dict[str, str], limit: int = _SHOWN_VALUES) -> str:
    shown = [f"{key}={value}" for key, value in sorted(values.items())[:limit]]
    more = len(values) - limit
    return ", ".join(shown) + (f", +{more}" if more > 0 else "")


def runs_table(runs: Sequence[Run]) -> Table:
    """A rich table: id, name, status, start time, duration, the first metrics and params."""
    table = Table(title=f"{len(runs)} run(s)", title_justify="left", expand=False)
    table.add_column("run_id", no_wrap=True, min_width=32)
    table.add_column("run_name", ratio=1, overflow="ellipsis")
    table.add_column("status", no_wrap=True)
    table.add_column("start_time (UTC)", no_wrap=True, min_width=24)
    table.add_column("duration", justify="right", no_wrap=True)
    table.add_column("metrics", ratio=2, overflow="ellipsis")
    table.add_column("params", ratio=2, overflow="ellipsis")
    for run in runs:
        info, data = run.info, run.data
        duration = None if info.end_time is None else (info.end_time - info.start_time) * 1_000_000
        metrics = {key: _number(value) for key, value in data.metrics.items()}
        table.add_row(info.run_id, info.run_name or "", Text(info.status, style=_RUN_STATUS_STYLE.get(info.status, "")),
                      iso_time(info.start_time), format_duration_ns(duration), _pairs(metrics), _pairs(data.params))
    return table
