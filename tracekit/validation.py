"""Checks and conversions for what users log: keys, param and tag values, metric values, steps and timestamps.

Every failure is a TracekitException naming the key and saying what is accepted, raised before anything is written.
"""

from __future__ import annotations

import math
import numbers
import sys
import time
from collections.abc import Collection, Mapping
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.store.column_limits import (
    EXPERIMENT_ID_LENGTH,
    KEY_LENGTH,
    NAME_LENGTH,
    PARAM_VALUE_LENGTH,
    TAG_VALUE_LENGTH,
)

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
#: Most ids one call (one server request) may name; databases cap bound parameters (PostgreSQL at 65,535).
MAX_IDS_PER_REQUEST = 1000


def invalid(message: str) -> TracekitException:
    """A TracekitException for bad input."""
    return TracekitException.invalid_parameter_value(message)


def check_choice(option: str, value: Any, supported: Collection[Any], where: str = "") -> None:
    """Refuse `value` for `option` unless it is one of `supported`; `where` ("sklearn autolog: ") starts the
    message."""
    if value not in supported:
        raise invalid(f"{where}{option} {value!r} is not supported: use one of {list(supported)}.")


def check_max_results(max_results: Any, at_most: int | None = None) -> None:
    """Raise unless `max_results` is a positive integer or None (no limit); the one check of every search's page size.

    With `at_most` (a server's page size, where a JSON null is no number), None is refused and integers above it too.

    >>> check_max_results(0)
    TracekitException: max_results must be a positive integer or None (no limit), got 0.
    """
    if max_results is None and at_most is None:
        return
    if (isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1
            or (at_most is not None and max_results > at_most)):
        accepted = "or None (no limit)" if at_most is None else f"of at most {at_most}"
        raise invalid(f"max_results must be a positive integer {accepted}, got {max_results!r}.")


def check_id_count(ids: Collection[Any], what: str) -> None:
    """Raise unless `ids` names at most MAX_IDS_PER_REQUEST ids."""
    if len(ids) > MAX_IDS_PER_REQUEST:
        raise invalid(f"At most {MAX_IDS_PER_REQUEST} {what} may be given in one call, got {len(ids)}: "
                      "split the call into several.")


def check_delete_criteria(experiment_id: Any, max_timestamp_millis: Any, max_traces: Any,
                          trace_ids: Any) -> None:
    """Raise unless a `delete_traces` call names an experiment and exactly one of `max_timestamp_millis` or
    `trace_ids`, with `max_traces` (a positive integer) only beside `max_timestamp_millis`, as MLflow requires."""
    call = "delete_traces()"
    if experiment_id is None or str(experiment_id) == "":
        raise invalid(f"{call} needs experiment_id: the experiment whose traces to delete.")
    if max_timestamp_millis is None and not trace_ids:
        raise invalid(f"{call} needs either max_timestamp_millis (delete traces started at or before that time, "
                      "in ms since the epoch) or trace_ids (a non-empty list of trace ids).")
    if max_timestamp_millis is not None and trace_ids:
        raise invalid(f"{call} takes only one of max_timestamp_millis and trace_ids, got both: "
                      "make two calls to delete by age and by id.")
    if max_timestamp_millis is not None and (isinstance(max_timestamp_millis, bool)
                                             or not isinstance(max_timestamp_millis, int)):
        raise invalid(f"{call}: max_timestamp_millis must be an integer (ms since the epoch), "
                      f"got {max_timestamp_millis!r}.")
    if max_traces is not None:
        if trace_ids:
            raise invalid(f"{call}: max_traces goes only with max_timestamp_millis, not with trace_ids "
                          "(every listed trace is deleted).")
        if isinstance(max_traces, bool) or not isinstance(max_traces, int) or max_traces < 1:
            raise invalid(f"{call}: max_traces must be a positive integer, got {max_traces!r}.")
    if trace_ids and (isinstance(trace_ids, str) or not all(isinstance(t, str) for t in trace_ids)):
        raise invalid(f"{call}: trace_ids must be a list of trace id strings, got {trace_ids!r:.200}.")


def check_experiment_ids(experiment_ids: Any) -> list[str]:
    """The distinct experiment ids of a search, sorted: at most MAX_IDS_PER_REQUEST of them, each a string that
    fits the experiment id column (checked here, since SQLite would take a longer one and find nothing)."""
    ids = sorted({str(e) for e in ([experiment_ids] if isinstance(experiment_ids, str) else experiment_ids or ())})
    check_id_count(ids, "experiment ids")
    for experiment_id in ids:
        if not experiment_id or len(experiment_id) > EXPERIMENT_ID_LENGTH:
            raise invalid(f"Experiment id {experiment_id[:60]!r} must be 1 to {EXPERIMENT_ID_LENGTH} characters "
                          f"long, got {len(experiment_id)}.")
    return ids


def now_ms() -> int:
    """The current time in milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def check_key(key: Any, what: str) -> str:
    """`key` as a non-empty string of at most KEY_LENGTH characters."""
    if not isinstance(key, str):
        raise invalid(f"{what.capitalize()} keys must be strings, got {type(key).__name__}: {key!r}.")
    if not key or len(key) > KEY_LENGTH:
        raise invalid(f"{what.capitalize()} key {key[:60]!r} must be 1 to {KEY_LENGTH} characters long, got "
                      f"{len(key)}.")
    return key


def check_name(name: Any, what: str) -> str:
    """A name (of an experiment, run or model): a non-empty string of at most NAME_LENGTH characters."""
    if not isinstance(name, str) or not name.strip():
        raise invalid(f"{what.capitalize()} name must be a non-empty string, got {name!r}.")
    if len(name) > NAME_LENGTH:
        raise invalid(f"{what.capitalize()} name must be at most {NAME_LENGTH} characters long, got {len(name)}.")
    return name


def _text_value(key: str, value: Any, what: str, limit: int) -> str:
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        raise invalid(f"The value of {what} {key!r} is {len(text)} characters long; at most {limit} are stored.")
    return text


def param_items(params: Mapping[str, Any]) -> dict[str, str]:
    """Checked params, values as strings."""
    _require_mapping(params, "params")
    return {check_key(key, "param"): _text_value(key, value, "param", PARAM_VALUE_LENGTH)
            for key, value in params.items()}


def tag_items(tags: Mapping[str, Any] | None) -> dict[str, str]:
    """Checked tags, values as strings."""
    if tags is None:
        return {}
    _require_mapping(tags, "tags")
    return {check_key(key, "tag"): _text_value(key, value, "tag", TAG_VALUE_LENGTH) for key, value in tags.items()}


def _require_mapping(value: Any, what: str) -> None:
    if not isinstance(value, Mapping):
        raise invalid(f"{what} must be a dict of key -> value, got {type(value).__name__}.")


def metric_value(key: str, value: Any) -> float:
    """The float to store for a metric value; TracekitException naming the key if it is not a real number.

    +/-infinity become the largest/smallest finite doubles (no database stores infinity everywhere); NaN is kept.
    """
    if not isinstance(value, numbers.Real):
        raise invalid(f"Metric {key!r}: got {value!r} ({type(value).__name__}), which is not a number. Log an int or "
                      f"a float.")
    number = float(value)
    if math.isinf(number):
        return sys.float_info.max if number > 0 else -sys.float_info.max
    return number


def metric_step(key: str, step: Any) -> int:
    """The step of a metric point: 0 when None, else a 64-bit integer."""
    if step is None:
        return 0
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or not _INT64_MIN <= int(step) <= _INT64_MAX:
        raise invalid(f"Metric {key!r}: step must be a 64-bit integer, got {step!r}.")
    return int(step)


def metric_timestamp(key: str, timestamp: Any, default: int) -> int:
    """The time of a metric point in ms since the epoch: `default` when None."""
    if timestamp is None:
        return default
    if isinstance(timestamp, bool) or not isinstance(timestamp, numbers.Integral):
        raise invalid(f"Metric {key!r}: timestamp must be an integer (milliseconds since the epoch), got "
                      f"{timestamp!r}.")
    return int(timestamp)


def check_dataset_filters(datasets: Any) -> list[dict[str, str]]:
    """`search_logged_models(datasets=...)` checked: a list of {"dataset_name": str, "dataset_digest": str
    (optional)} dicts, returned with only those keys (empty for None or an empty list)."""
    if datasets is None:
        return []
    if isinstance(datasets, (str, bytes)) or not isinstance(datasets, (list, tuple)):
        raise invalid(f"datasets must be a list of {{'dataset_name': ..., 'dataset_digest': ...}} dicts, got "
                      f"{type(datasets).__name__}.")
    checked = []
    for position, entry in enumerate(datasets):
        if not isinstance(entry, Mapping):
            raise invalid(f"datasets[{position}] must be a dict with 'dataset_name' (and optionally "
                          f"'dataset_digest'), got {entry!r}.")
        unknown = sorted(set(entry) - {"dataset_name", "dataset_digest"})
        if unknown:
            raise invalid(f"datasets[{position}] has unknown keys {unknown}: only 'dataset_name' and "
                          f"'dataset_digest' are supported.")
        name = entry.get("dataset_name")
        if not isinstance(name, str) or not name:
            raise invalid(f"datasets[{position}] needs a non-empty 'dataset_name' string, got {name!r}.")
        item = {"dataset_name": name}
        digest = entry.get("dataset_digest")
        if digest is not None:
            if not isinstance(digest, str) or not digest:
                raise invalid(f"datasets[{position}]['dataset_digest'] must be a non-empty string, got {digest!r}.")
            item["dataset_digest"] = digest
        checked.append(item)
    return checked
