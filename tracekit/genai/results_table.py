"""The per-row table of a `tracekit.genai.evaluate` call (`tables["eval_results_table"]`): each data row's inputs,
outputs, expectations, trace id and error, then per feedback name its value, rationale and error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracekit.entities.assessment import Feedback

RESERVED_COLUMNS = ("inputs", "outputs", "expectations", "trace_id", "error")


@dataclass
class RowOutcome:
    """What evaluating one row gave: its values, trace id, the feedback its scorers returned, and an error
    message when predict_fn failed or the scores could not be stored."""

    index: int
    inputs: Any = None
    outputs: Any = None
    expectations: dict[str, Any] | None = None
    trace_id: str | None = None
    existing_trace: bool = False
    error: str | None = None
    feedbacks: list[Feedback] = field(default_factory=list)

    def add(self, feedback: Feedback) -> None:
        """Keep one feedback of this row."""
        self.feedbacks.append(feedback)


def results_table(outcomes: list[RowOutcome]) -> Any:
    """One row per outcome, in data order; score columns in the order the feedback names first appeared. Columns
    `<name>/rationale` appear only when some feedback of that name has a rationale."""
    import pandas as pd

    names: dict[str, None] = {}
    with_rationale: set[str] = set()
    for outcome in outcomes:
        for feedback in outcome.feedbacks:
            names.setdefault(feedback.name)
            if feedback.rationale is not None:
                with_rationale.add(feedback.name)
    columns: dict[str, list[Any]] = {name: [] for name in RESERVED_COLUMNS}
    for name in names:
        columns[name] = []
        if name in with_rationale:
            columns[f"{name}/rationale"] = []
        columns[f"{name}/error"] = []
    for outcome in sorted(outcomes, key=lambda o: o.index):
        columns["inputs"].append(outcome.inputs)
        columns["outputs"].append(outcome.outputs)
        columns["expectations"].append(outcome.expectations)
        columns["trace_id"].append(outcome.trace_id)
        columns["error"].append(outcome.error)
        by_name = {feedback.name: feedback for feedback in outcome.feedbacks}
        for name in names:
            found = by_name.get(name)
            columns[name].append(None if found is None else found.value)
            if name in with_rationale:
                columns[f"{name}/rationale"].append(None if found is None else found.rationale)
            error = None if found is None else found.error
            columns[f"{name}/error"].append(
                None if error is None else f"{error.error_code}: {error.error_message}")
    # Score values keep the dtype pandas infers (floats or bools stay numeric); the rest hold objects.
    return pd.DataFrame({name: pd.Series(values) if name in names else pd.Series(values, dtype=object)
                         for name, values in columns.items()})
