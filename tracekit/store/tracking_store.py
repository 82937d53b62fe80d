"""The tracking store contract: experiments, runs and logged models, whatever holds them (a SQL database here; the
tracking server's REST client later). The fluent API talks only to this contract.

Every method takes and returns plain values and entities, so that each maps onto one request of a REST API.
Unknown ids raise `ResourceNotFoundError` naming the id; bad input raises `TracekitException`.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from tracekit.entities import (
    DatasetInput,
    Experiment,
    LoggedModel,
    LoggedModelInput,
    LoggedModelStatus,
    Metric,
    Run,
    RunInfo,
    ViewType,
)
from tracekit.exceptions import TracekitException
from tracekit.store.paging import PagedList


class MetricSeries(NamedTuple):
    """One page of a metric's history as columns (NaN where a value is NaN), and whether more points follow."""

    steps: list[int]
    timestamps: list[int]
    values: list[float]
    more: bool


class TrackingStore(abc.ABC):
    """Stores experiments, runs (params, metrics, tags) and logged models, and searches them."""

    # --- experiments ----------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def create_experiment(self, name: str, artifact_location: str | None = None,
                          tags: Mapping[str, str] | None = None) -> str:
        """Create an experiment and return its id; TracekitException if the name is taken (even by a deleted one)."""

    @abc.abstractmethod
    def get_experiment(self, experiment_id: str) -> Experiment:
        """The experiment with that id (deleted ones too)."""

    @abc.abstractmethod
    def get_experiment_by_name(self, name: str) -> Experiment | None:
        """The experiment with that exact name (deleted ones too), or None."""

    @abc.abstractmethod
    def search_experiments(self, view_type: ViewType = ViewType.ACTIVE_ONLY, max_results: int | None = None,
                           filter_string: str | None = None, order_by: Sequence[str] | None = None,
                           page_token: str | None = None) -> PagedList[Experiment]:
        """Experiments matching the filter, most recently updated first unless `order_by` says otherwise."""

    @abc.abstractmethod
    def delete_experiment(self, experiment_id: str) -> None:
        """Mark the experiment and its runs deleted (kept, with their data)."""

    @abc.abstractmethod
    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        """Add or replace one tag of an experiment."""

    # --- runs -----------------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def create_run(self, experiment_id: str, run_name: str | None, start_time: int,
                   tags: Mapping[str, str] | None = None, user_id: str | None = None) -> Run:
        """Create a RUNNING run in an active experiment."""

    @abc.abstractmethod
    def get_run(self, run_id: str) -> Run:
        """The run with its params, latest metrics and tags (deleted runs too)."""

    @abc.abstractmethod
    def update_run_info(self, run_id: str, status: str, end_time: int | None,
                        run_name: str | None = None) -> RunInfo:
        """Set a run's status and end time (None clears it, for a resumed run), and its name if given."""

    @abc.abstractmethod
    def delete_run(self, run_id: str) -> None:
        """Mark the run deleted (kept, with its data)."""

    @abc.abstractmethod
    def log_batch(self, run_id: str, metrics: Sequence[Metric] = (), params: Mapping[str, str] | None = None,
                  tags: Mapping[str, str] | None = None) -> None:
        """Log metrics, params and tags to a run in one transaction. A param already logged with another value is
        an error (nothing of the batch is written); a metric with a `model_id` is also linked to that model."""

    def log_inputs(self, run_id: str, datasets: Sequence[DatasetInput] = (),
                   models: Sequence[LoggedModelInput] = ()) -> None:
        """Record datasets (each with its input tags) and logged models a run used; logging the same dataset again
        adds or replaces its tags. Stores that predate datasets refuse with a clear error."""
        raise TracekitException(f"{type(self).__name__} does not record run inputs (datasets, models): "
                                f"log_input() needs a store that implements log_inputs().")

    @abc.abstractmethod
    def delete_tag(self, run_id: str, key: str) -> None:
        """Remove one tag of a run; ResourceNotFoundError if the run has no such tag."""

    @abc.abstractmethod
    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        """Every logged point of one metric of a run, by step then time."""

    def get_metric_series(self, run_id: str, key: str, max_results: int, offset: int = 0) -> MetricSeries:
        """Points `offset` to `offset + max_results` of one metric's history (by step then time) as columns, for
        charts. This fallback slices the whole history; stores that can page in place override it."""
        points = self.get_metric_history(run_id, key)
        page = points[offset:offset + max_results]
        return MetricSeries([point.step for point in page], [point.timestamp for point in page],
                            [point.value for point in page], len(points) > offset + max_results)

    @abc.abstractmethod
    def search_runs(self, experiment_ids: Sequence[str], filter_string: str | None = None,
                    run_view_type: ViewType = ViewType.ACTIVE_ONLY, max_results: int | None = None,
                    order_by: Sequence[str] | None = None, page_token: str | None = None) -> PagedList[Run]:
        """Runs of the experiments matching the filter, newest first unless `order_by` says otherwise."""

    # --- logged models --------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def create_logged_model(self, experiment_id: str, name: str, status: LoggedModelStatus,
                            source_run_id: str | None = None, model_type: str | None = None,
                            tags: Mapping[str, str] | None = None,
                            params: Mapping[str, str] | None = None) -> LoggedModel:
        """Create a logged model (id `m-<32 hex>`) in an active experiment."""

    @abc.abstractmethod
    def get_logged_model(self, model_id: str) -> LoggedModel:
        """The logged model with its tags, params and latest metrics."""

    @abc.abstractmethod
    def finalize_logged_model(self, model_id: str, status: LoggedModelStatus) -> LoggedModel:
        """Set a model's final status (READY or FAILED)."""

    @abc.abstractmethod
    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, str]) -> None:
        """Add or replace tags of a logged model."""

    @abc.abstractmethod
    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Remove one tag of a logged model; ResourceNotFoundError if it has no such tag."""

    @abc.abstractmethod
    def log_logged_model_params(self, model_id: str, params: Mapping[str, str]) -> None:
        """Log params of a logged model; one already logged with another value is an error."""

    @abc.abstractmethod
    def search_logged_models(self, experiment_ids: Sequence[str], filter_string: str | None = None,
                             max_results: int | None = None, order_by: Sequence[Any] | None = None,
                             page_token: str | None = None,
                             datasets: Sequence[Mapping[str, str]] | None = None) -> PagedList[LoggedModel]:
        """Logged models of the experiments matching the filter, newest first unless `order_by` says otherwise;
        `order_by` entries are clauses ("metrics.accuracy DESC") or {"field_name", "ascending"} dicts. With
        `datasets` ({"dataset_name", optional "dataset_digest"} dicts), a metric comparison holds when the model's
        latest value of that metric on one of those datasets satisfies it."""

    def close(self) -> None:
        """Release connections."""
