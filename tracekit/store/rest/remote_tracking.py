"""`RestTrackingStore`: experiments, runs and logged models on a tracking server (`http://host:port`), over its
REST API. Each method is one request (a search asked for more than a page is several), on the same pooled
`TrackingServerClient` as the URI's trace store; the server's 4xx answers come back as the exceptions a local store
raises (`ResourceNotFoundError`, `InvalidFilterError`, `TracekitException` with the server's `error_code`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from tracekit.entities import (
    DatasetInput,
    Experiment,
    LoggedModel,
    LoggedModelInput,
    LoggedModelStatus,
    Metric,
    Run,
    RunInfo,
    RunStatus,
    ViewType,
)
from tracekit.exceptions import ResourceNotFoundError
from tracekit.store.paging import PagedList
from tracekit.store.rest.client import TrackingServerClient
from tracekit.store.rest.remote_traces import API_PREFIX, SEARCH_PAGE_SIZE
from tracekit.store.search.grammar import (
    EXPERIMENT_FIELDS,
    LOGGED_MODEL_FIELDS,
    RUN_FIELDS,
    FieldSet,
    parse_order_keys,
)
from tracekit.store.tracking_store import TrackingStore
from tracekit.store.uri import redact_uri
from tracekit.validation import check_dataset_filters, check_max_results

T = TypeVar("T")

EXPERIMENTS = f"{API_PREFIX}/experiments"
RUNS = f"{API_PREFIX}/runs"
MODELS = f"{API_PREFIX}/logged-models"


def _item(collection: str, item_id: str, *rest: str) -> str:
    return "/".join((collection, quote(str(item_id), safe=""), *rest))


def _experiment_ids(experiment_ids: Sequence[str] | str | None) -> list[str]:
    if isinstance(experiment_ids, str):
        return [experiment_ids]
    return [str(e) for e in experiment_ids or ()]


def _clauses(order_by: Any, fields: FieldSet) -> list[Any] | None:
    """`order_by` as a JSON list, checked here first so that a malformed clause raises the same
    InvalidFilterError as with a local store."""
    parse_order_keys(order_by, fields)
    if not order_by:
        return None
    if isinstance(order_by, (str, Mapping)):  # a lone clause, as the local store takes it
        return [order_by]
    return [dict(clause) if isinstance(clause, Mapping) else clause for clause in order_by]


def fetch_pages(client: TrackingServerClient, path: str, request: dict[str, Any], key: str,
                parse: Callable[[dict[str, Any]], T], max_results: int | None, page_token: str | None) -> PagedList[T]:
    """Up to `max_results` items (None: all) of a search at `path`, fetched a server page at a time; the answer
    holds the items under `key` and the next page's token."""
    check_max_results(max_results)
    items: list[T] = []
    token = page_token
    while True:
        size = SEARCH_PAGE_SIZE if max_results is None else min(SEARCH_PAGE_SIZE, max_results - len(items))
        answer = client.request("POST", path, json={**request, "max_results": size, "page_token": token})
        items.extend(parse(item) for item in answer[key])
        token = answer.get("next_page_token")
        if not token or (max_results is not None and len(items) >= max_results):
            return PagedList(items, token)


class RestTrackingStore(TrackingStore):
    """The tracking store of a tracking server.

    >>> store = RestTrackingStore("http://127.0.0.1:5000")
    >>> store.search_runs(["1"], filter_string="metrics.accuracy > 0.9")
    """

    def __init__(self, uri: str, client: TrackingServerClient | None = None) -> None:
        self.uri = uri
        # A backend passes the client it shares with the server's trace store (one connection pool per server).
        self.client = client or TrackingServerClient(uri)

    def __repr__(self) -> str:
        return f"RestTrackingStore({redact_uri(self.uri)!r})"

    def _pages(self, path: str, request: dict[str, Any], key: str, parse: Callable[[dict[str, Any]], T],
               max_results: int | None, page_token: str | None) -> PagedList[T]:
        return fetch_pages(self.client, path, request, key, parse, max_results, page_token)

    # --- experiments ----------------------------------------------------------------------------------------------
    def create_experiment(self, name: str, artifact_location: str | None = None,
                          tags: Mapping[str, str] | None = None) -> str:
        """Create an experiment; TracekitException RESOURCE_ALREADY_EXISTS if the name is taken."""
        answer = self.client.request("POST", EXPERIMENTS, json={
            "name": name, "artifact_location": artifact_location, "tags": dict(tags or {})})
        return str(answer["experiment_id"])

    def get_experiment(self, experiment_id: str) -> Experiment:
        """The experiment with that id (deleted ones too)."""
        return Experiment.from_dict(self.client.request("GET", _item(EXPERIMENTS, experiment_id)))

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        """The experiment with that exact name (deleted ones too), or None."""
        try:
            answer = self.client.request("GET", f"{EXPERIMENTS}/get-by-name", params={"experiment_name": name})
        except ResourceNotFoundError:
            return None
        return Experiment.from_dict(answer)

    def search_experiments(self, view_type: ViewType = ViewType.ACTIVE_ONLY, max_results: int | None = None,
                           filter_string: str | None = None, order_by: Sequence[str] | None = None,
                           page_token: str | None = None) -> PagedList[Experiment]:
        """Experiments matching the filter, most recently updated first unless `order_by` says otherwise."""
        request = {"filter_string": filter_string, "view_type": ViewType.parse(view_type).name,
                   "order_by": _clauses(order_by, EXPERIMENT_FIELDS)}
        return self._pages(f"{EXPERIMENTS}/search", request, "experiments", Experiment.from_dict, max_results,
                           page_token)

    def delete_experiment(self, experiment_id: str) -> None:
        """Mark the experiment and its runs deleted."""
        self.client.request("DELETE", _item(EXPERIMENTS, experiment_id))

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        """Add or replace one tag of an experiment."""
        self.client.request("POST", _item(EXPERIMENTS, experiment_id, "tags"), json={"key": key, "value": value})

    # --- runs -----------------------------------------------------------------------------------------------------
    def create_run(self, experiment_id: str, run_name: str | None, start_time: int,
                   tags: Mapping[str, str] | None = None, user_id: str | None = None) -> Run:
        """Create a RUNNING run in an active experiment."""
        return Run.from_dict(self.client.request("POST", RUNS, json={
            "experiment_id": str(experiment_id), "run_name": run_name, "start_time": int(start_time),
            "tags": dict(tags or {}), "user_id": user_id}))

    def get_run(self, run_id: str) -> Run:
        """The run with its params, latest metrics and tags (deleted runs too)."""
        return Run.from_dict(self.client.request("GET", _item(RUNS, run_id)))

    def update_run_info(self, run_id: str, status: str, end_time: int | None,
                        run_name: str | None = None) -> RunInfo:
        """Set a run's status and end time (None clears it), and its name if given."""
        answer = self.client.request("PATCH", _item(RUNS, run_id), json={
            "status": RunStatus(status).value, "end_time": end_time, "run_name": run_name})
        return RunInfo.from_dict(answer)

    def delete_run(self, run_id: str) -> None:
        """Mark the run deleted."""
        self.client.request("DELETE", _item(RUNS, run_id))

    def log_batch(self, run_id: str, metrics: Sequence[Metric] = (), params: Mapping[str, str] | None = None,
                  tags: Mapping[str, str] | None = None) -> None:
        """Log metrics, params and tags to a run in one request (one transaction on the server)."""
        points = [{"key": m.key, "value": m.value, "timestamp": m.timestamp, "step": m.step, "model_id": m.model_id,
                   "dataset_name": m.dataset_name, "dataset_digest": m.dataset_digest} for m in metrics]
        if not (points or params or tags):
            return
        self.client.request("POST", _item(RUNS, run_id, "log-batch"), json={
            "metrics": points, "params": dict(params or {}), "tags": dict(tags or {})})

    def log_inputs(self, run_id: str, datasets: Sequence[DatasetInput] = (),
                   models: Sequence[LoggedModelInput] = ()) -> None:
        """Record datasets and logged models a run used, in one request (one transaction on the server)."""
        if datasets or models:
            self.client.request("POST", _item(RUNS, run_id, "log-inputs"), json={
                "datasets": [item.to_dict() for item in datasets], "models": [item.to_dict() for item in models]})

    def delete_tag(self, run_id: str, key: str) -> None:
        """Remove one tag of a run; ResourceNotFoundError if the run has no such tag."""
        self.client.request("DELETE", _item(RUNS, run_id, "tags"), params={"key": key})

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        """Every logged point of one metric of a run, by step then time."""
        answer = self.client.request("GET", _item(RUNS, run_id, "metric-history"), params={"key": key})
        return [Metric.from_dict(point) for point in answer["metrics"]]

    def search_runs(self, experiment_ids: Sequence[str], filter_string: str | None = None,
                    run_view_type: ViewType = ViewType.ACTIVE_ONLY, max_results: int | None = None,
                    order_by: Sequence[str] | None = None, page_token: str | None = None) -> PagedList[Run]:
        """Runs of the experiments (all if none are given) matching the filter; `max_results=None`: all of them."""
        request = {"experiment_ids": _experiment_ids(experiment_ids), "filter_string": filter_string,
                   "run_view_type": ViewType.parse(run_view_type).name, "order_by": _clauses(order_by, RUN_FIELDS)}
        return self._pages(f"{RUNS}/search", request, "runs", Run.from_dict, max_results, page_token)

    # --- logged models --------------------------------------------------------------------------------------------
    def create_logged_model(self, experiment_id: str, name: str, status: LoggedModelStatus,
                            source_run_id: str | None = None, model_type: str | None = None,
                            tags: Mapping[str, str] | None = None,
                            params: Mapping[str, str] | None = None) -> LoggedModel:
        """Create a logged model in an active experiment."""
        return LoggedModel.from_dict(self.client.request("POST", MODELS, json={
            "experiment_id": str(experiment_id), "name": name, "status": LoggedModelStatus(status).value,
            "source_run_id": source_run_id, "model_type": model_type, "tags": dict(tags or {}),
            "params": dict(params or {})}))

    def get_logged_model(self, model_id: str) -> LoggedModel:
        """The logged model with its tags, params and latest metrics."""
        return LoggedModel.from_dict(self.client.request("GET", _item(MODELS, model_id)))

    def finalize_logged_model(self, model_id: str, status: LoggedModelStatus) -> LoggedModel:
        """Set a model's final status (READY or FAILED)."""
        return LoggedModel.from_dict(self.client.request("POST", _item(MODELS, model_id, "finalize"),
                                                         json={"status": LoggedModelStatus(status).value}))

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, str]) -> None:
        """Add or replace tags of a logged model."""
        if tags:
            self.client.request("POST", _item(MODELS, model_id, "tags"), json={"tags": dict(tags)})

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Remove one tag of a logged model."""
        self.client.request("DELETE", _item(MODELS, model_id, "tags"), params={"key": key})

    def log_logged_model_params(self, model_id: str, params: Mapping[str, str]) -> None:
        """Log params of a logged model; one already logged with another value is an error."""
        if params:
            self.client.request("POST", _item(MODELS, model_id, "params"), json={"params": dict(params)})

    def search_logged_models(self, experiment_ids: Sequence[str], filter_string: str | None = None,
                             max_results: int | None = None, order_by: Sequence[Any] | None = None,
                             page_token: str | None = None,
                             datasets: Sequence[Mapping[str, str]] | None = None) -> PagedList[LoggedModel]:
        """Logged models of the experiments (all if none are given) matching the filter (metric comparisons on
        `datasets` only, if given)."""
        request: dict[str, Any] = {"experiment_ids": _experiment_ids(experiment_ids), "filter_string": filter_string,
                                   "order_by": _clauses(order_by, LOGGED_MODEL_FIELDS)}
        on_datasets = check_dataset_filters(datasets)
        if on_datasets:
            request["datasets"] = on_datasets
        return self._pages(f"{MODELS}/search", request, "models", LoggedModel.from_dict, max_results, page_token)

    def close(self) -> None:
        """Close pooled connections (shared with the URI's trace store; reopened on next use)."""
        self.client.close()
