"""The default evaluator's retriever metrics: precision, recall and NDCG (binary relevance) of the top k retrieved
document ids against the relevant ones, per row and aggregated; k is `evaluator_config["retriever_k"]` (3)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from tracekit.exceptions import TracekitException
from tracekit.models.evaluation.metrics import MetricValue, aggregate_scores

DEFAULT_RETRIEVER_K = 3


def retriever_k(config: dict[str, Any]) -> int:
    """`retriever_k` from the evaluator config (3 when absent); TracekitException unless a positive integer."""
    k = config.get("retriever_k", DEFAULT_RETRIEVER_K)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise TracekitException.invalid_parameter_value(
            f"evaluator_config['retriever_k'] must be a positive integer, got {k!r}.")
    return k


def _documents(value: Any, what: str, row: int) -> list[Any]:
    if isinstance(value, str) or not isinstance(value, (Sequence, pd.Series)) and not hasattr(value, "tolist"):
        raise TracekitException.invalid_parameter_value(
            f"model_type='retriever' needs a list of document ids per row in the {what}; row {row} holds "
            f"{type(value).__name__} {value!r}.")
    return list(value.tolist() if hasattr(value, "tolist") else value)


def precision_at_k(retrieved: list[Any], relevant: set[Any], k: int) -> float:
    """The fraction of the first k retrieved documents that are relevant (1 when nothing was retrieved and nothing
    is relevant)."""
    top = retrieved[:k]
    if not top:
        return 1.0 if not relevant else 0.0
    return sum(doc in relevant for doc in top) / len(top)


def recall_at_k(retrieved: list[Any], relevant: set[Any], k: int) -> float:
    """The fraction of the relevant documents among the first k retrieved (1 when nothing is relevant and nothing
    was retrieved, 0 when nothing is relevant but something was)."""
    if not relevant:
        return 1.0 if not retrieved else 0.0
    return len(relevant.intersection(retrieved[:k])) / len(relevant)


def ndcg_at_k(retrieved: list[Any], relevant: set[Any], k: int) -> float:
    """Normalized discounted cumulative gain of the first k retrieved documents, each relevant one counting 1."""
    if not relevant:
        return 1.0 if not retrieved else 0.0
    dcg = sum(1.0 / math.log2(rank + 2) for rank, doc in enumerate(retrieved[:k]) if doc in relevant)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
    return dcg / ideal


def retriever_metrics(predictions: pd.Series, targets: pd.Series, k: int) -> dict[str, MetricValue]:
    """precision_at_<k>, recall_at_<k> and ndcg_at_<k> per row, with mean, variance and p90."""
    functions = {f"precision_at_{k}": precision_at_k, f"recall_at_{k}": recall_at_k, f"ndcg_at_{k}": ndcg_at_k}
    scores: dict[str, list[float]] = {name: [] for name in functions}
    for row, (retrieved_value, relevant_value) in enumerate(zip(predictions, targets, strict=True)):
        retrieved = _documents(retrieved_value, "predictions", row)
        relevant = set(_documents(relevant_value, "targets", row))
        for name, function in functions.items():
            scores[name].append(function(retrieved, relevant, k))
    return {name: MetricValue(scores=values, aggregate_results=aggregate_scores(values))
            for name, values in scores.items()}
