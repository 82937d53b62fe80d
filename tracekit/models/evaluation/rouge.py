"""ROUGE for "text-summarization": the F-measure of ROUGE-1, ROUGE-2 (n-gram overlap) and ROUGE-L (longest common
subsequence) between each output and its target, computed here with no model or download. Tokens are as the
reference `rouge_score` package makes them without a stemmer: lower case, runs of letters and digits."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pandas as pd

from tracekit.models.evaluation.metrics import MetricValue, aggregate_scores

ROUGE_KEYS = ("rouge1/v1", "rouge2/v1", "rougeL/v1")
_NON_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def tokens(text: Any) -> list[str]:
    """The ROUGE tokens of `text` (None and NaN have none)."""
    if text is None or (isinstance(text, float) and text != text):
        return []
    return _NON_ALPHANUMERIC.sub(" ", str(text).lower()).split()


def _f_measure(overlap: int, predicted: int, reference: int) -> float:
    if not overlap:
        return 0.0
    precision, recall = overlap / predicted, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(predicted: list[str], reference: list[str], n: int) -> float:
    """ROUGE-N F-measure: the overlap of the n-gram counts."""
    grams = [Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1)) for words in (predicted, reference)]
    overlap = sum((grams[0] & grams[1]).values())
    return _f_measure(overlap, sum(grams[0].values()), sum(grams[1].values()))


def rouge_l(predicted: list[str], reference: list[str]) -> float:
    """ROUGE-L F-measure: the longest common subsequence of the two token lists (O(len * len) time)."""
    if not predicted or not reference:
        return 0.0
    previous = [0] * (len(reference) + 1)
    for word in predicted:
        current = [0]
        for position, other in enumerate(reference):
            current.append(previous[position] + 1 if word == other else max(previous[position + 1], current[-1]))
        previous = current
    return _f_measure(previous[-1], len(predicted), len(reference))


def rouge_metrics(predictions: pd.Series, targets: pd.Series) -> dict[str, MetricValue]:
    """rouge1, rouge2 and rougeL per row (F-measure), with mean, variance and p90."""
    scores: dict[str, list[float]] = {key: [] for key in ROUGE_KEYS}
    for prediction, target in zip(predictions, targets, strict=True):
        predicted, reference = tokens(prediction), tokens(target)
        scores["rouge1/v1"].append(rouge_n(predicted, reference, 1))
        scores["rouge2/v1"].append(rouge_n(predicted, reference, 2))
        scores["rougeL/v1"].append(rouge_l(predicted, reference))
    return {key: MetricValue(scores=values, aggregate_results=aggregate_scores(values))
            for key, values in scores.items()}
