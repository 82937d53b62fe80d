"""The default evaluator's metrics for text outputs ("text", "text-summarization", "question-answering"): a token
count per row (whitespace tokens: nothing is downloaded); with targets, exact match for question answering and
ROUGE-1/2/L for summarization (`rouge.py`). Per-row scores go to the results table; the metrics are their
aggregates."""

from __future__ import annotations

from typing import Any

import pandas as pd

from tracekit.models.evaluation.metrics import MetricValue, aggregate_scores

EXACT_MATCH_KEY = "exact_match/v1"
TOKEN_COUNT_KEY = "token_count"


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def token_count(predictions: pd.Series) -> MetricValue:
    """The number of whitespace-separated tokens of each output, with mean, variance and p90."""
    scores = [len(_text(value).split()) for value in predictions]
    return MetricValue(scores=scores, aggregate_results=aggregate_scores(scores))


def exact_match(predictions: pd.Series, targets: pd.Series) -> MetricValue:
    """1 for each output equal to its target (as text, surrounding whitespace ignored), 0 otherwise; the aggregate
    is the fraction that match."""
    scores = [int(_text(prediction).strip() == _text(target).strip())
              for prediction, target in zip(predictions, targets, strict=True)]
    fraction = sum(scores) / len(scores) if scores else float("nan")
    return MetricValue(scores=scores, aggregate_results={EXACT_MATCH_KEY: fraction})


def text_metrics(model_type: str, predictions: pd.Series, targets: pd.Series | None) -> dict[str, MetricValue]:
    """The built-in text metrics for `model_type`, keyed by their name in results."""
    values = {TOKEN_COUNT_KEY: token_count(predictions)}
    if model_type == "question-answering" and targets is not None:
        values[EXACT_MATCH_KEY] = exact_match(predictions, targets)
    if model_type == "text-summarization" and targets is not None:
        from tracekit.models.evaluation.rouge import rouge_metrics

        values.update(rouge_metrics(predictions, targets))
    return values
