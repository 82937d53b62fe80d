"""`search_runs`: runs of the tracking store as a pandas DataFrame (or a list of `Run`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from tracekit.entities import Run, ViewType
from tracekit.store.backend import get_backend
from tracekit.tracking import state
from tracekit.validation import invalid

if TYPE_CHECKING:
    import pandas

DEFAULT_MAX_RESULTS = 100_000


def search_runs(experiment_ids: Sequence[str] | None = None, filter_string: str = "",
                run_view_type: ViewType | int = ViewType.ACTIVE_ONLY, max_results: int = DEFAULT_MAX_RESULTS,
                order_by: Sequence[str] | None = None, output_format: Literal["pandas", "list"] = "pandas",
                search_all_experiments: bool = False,
                experiment_names: Sequence[str] | None = None) -> pandas.DataFrame | list[Run]:
    """Runs matching `filter_string`, newest first unless `order_by` says otherwise ("metrics.loss ASC").

    Experiments: `experiment_ids` or `experiment_names` (not both), else all with `search_all_experiments`, else
    the current one. Filter fields: `metrics.<name>` (numbers), `params.<name>`, `tags.<key>` (for example
    `tags.mlflow.parentRunId` for the children of a run), and the attributes `status`, `run_name`, `run_id`,
    `start_time`, `end_time` (optionally written `attributes.status`, ...). Columns of the DataFrame: run_id,
    experiment_id, status, artifact_uri, start_time, end_time, run_name, then `metrics.*` (latest values, NaN when
    missing), `params.*` and `tags.*` (None when missing).

    >>> tracekit.search_runs(filter_string="metrics.accuracy > 0.9 AND params.model = 'rf'",
    ...                      order_by=["metrics.accuracy DESC"])
    """
    if output_format not in ("pandas", "list"):
        raise invalid(f"search_runs(): output_format must be 'pandas' or 'list', got {output_format!r}.")
    if experiment_ids and experiment_names:
        raise invalid("search_runs() takes experiment_ids or experiment_names, not both.")
    store = get_backend().tracking
    if experiment_names:
        found = [store.get_experiment_by_name(name) for name in experiment_names]
        ids = [experiment.experiment_id for experiment in found if experiment is not None]
        if not ids:
            return [] if output_format == "list" else _frame([])
    elif experiment_ids:
        ids = [experiment_ids] if isinstance(experiment_ids, str) else [str(e) for e in experiment_ids]
    elif search_all_experiments:
        ids = []
    else:
        ids = [state.current_experiment_id()]
    runs = list(store.search_runs(ids, filter_string or None, ViewType.parse(run_view_type), max_results,
                                  order_by))
    return runs if output_format == "list" else _frame(runs)


def _frame(runs: list[Run]) -> pandas.DataFrame:
    from tracekit.dataframes import runs_to_dataframe

    return runs_to_dataframe(runs)
