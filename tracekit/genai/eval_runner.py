"""`tracekit.genai.evaluate`: run scorers over rows (calling predict_fn first when given), log each score as a
feedback assessment on the row's trace, and log the aggregates as metrics of an evaluation run."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracekit import error_codes
from tracekit.constants import RunTagKey, TraceTagKey
from tracekit.entities import Trace
from tracekit.entities.assessment import (
    AssessmentError,
    AssessmentSource,
    AssessmentSourceType,
    Feedback,
)
from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.genai.aggregation import FeedbackValues, aggregate
from tracekit.genai.eval_data import EvalRow, read_rows
from tracekit.genai.results_table import RESERVED_COLUMNS, RowOutcome, results_table
from tracekit.genai.row_traces import completed_trace, predict_row, record_row
from tracekit.genai.scorers import Aggregation, Scorer
from tracekit.models.evaluation.result import EvaluationResult

logger = logging.getLogger(__name__)

EVALUATION_KIND = "genai"
#: Rows are run, then their traces delivered and their feedback stored, this many at a time: the export queue is
#: flushed, and the feedback written in one transaction, once per chunk instead of once per score.
CHUNK_ROWS = 500
PREDICT_FN_METRIC = "predict_fn"


def evaluate(data: Any, predict_fn: Callable[..., Any] | None = None, scorers: Sequence[Scorer] | None = None,
             model_id: str | None = None) -> EvaluationResult:
    """Score every row of `data` with `scorers` and return an `EvaluationResult`.

    `data` is a DataFrame or a list of dicts with `inputs` (with `predict_fn`: a dict of its keyword arguments),
    `outputs`, `expectations` (a dict) and `trace`; or a list of `Trace`s; or the DataFrame `search_traces` returns
    (inputs and outputs then come from each trace's root span, expectations from its Expectation assessments).

    With `predict_fn`, each row's `predict_fn(**inputs)` runs under a new trace, linked to the evaluation run and to
    `model_id`. A row without a trace gets one recording its inputs and outputs. Every score is logged as a
    `Feedback` (source CODE, the scorer's name as source id) on the row's trace; a scorer that raises is logged as
    a Feedback with an `error`, counted in the `<scorer>/error_count` metric, and the evaluation goes on.

    Aggregates (`<name>/mean` and the scorer's other aggregations for numbers and bools, `<name>/count/<value>`
    for strings) are logged as metrics of the active run, or of a new run that is ended afterwards. The result's
    `tables["eval_results_table"]` has one row per data row: inputs, outputs, expectations, trace_id, error, and
    per score its value (`<name>`), rationale (`<name>/rationale`, when any) and error (`<name>/error`).

    >>> @tracekit.genai.scorer
    ... def exact_match(outputs, expectations):
    ...     return outputs == expectations["answer"]
    >>> result = tracekit.genai.evaluate(
    ...     data=[{"inputs": {"question": "2+2?"}, "expectations": {"answer": "4"}}],
    ...     predict_fn=answer, scorers=[exact_match])
    >>> result.metrics["exact_match/mean"]
    1.0
    """
    checked = _check_scorers(scorers)
    if predict_fn is not None and not callable(predict_fn):
        raise TracekitException.invalid_parameter_value(
            f"evaluate(): predict_fn must be callable, got {type(predict_fn).__name__}.")
    if predict_fn is not None and (inspect.iscoroutinefunction(predict_fn) or
                                   inspect.isasyncgenfunction(predict_fn)):
        raise TracekitException.invalid_parameter_value(
            "evaluate(): predict_fn is async; pass a plain function (for example one calling asyncio.run).")
    if model_id is not None and (not isinstance(model_id, str) or not model_id):
        raise TracekitException.invalid_parameter_value(
            f"evaluate(): model_id must be a logged model's id (a string), got {model_id!r}.")
    rows = read_rows(data, with_predict_fn=predict_fn is not None)
    if predict_fn is not None:
        _check_predict_fn_takes(predict_fn, rows)
    from tracekit.tracking import runs

    own_run = runs.active_run() is None
    run_id = runs.start_run().info.run_id if own_run else runs.target_run_id(None)
    try:
        result = _Evaluation(checked, predict_fn, model_id, run_id).run(rows)
    except BaseException:
        if own_run:
            runs.end_run("FAILED")
        raise
    if own_run:
        runs.end_run()
    return result


def _check_predict_fn_takes(predict_fn: Callable[..., Any], rows: list[EvalRow]) -> None:
    """Every row's inputs fit predict_fn's parameters (when its signature can be read)."""
    try:
        signature = inspect.signature(predict_fn)
    except (TypeError, ValueError):
        return
    for row in rows:
        try:
            signature.bind(**row.inputs)
        except TypeError as exc:
            raise TracekitException.invalid_parameter_value(
                f"evaluate(): row {row.index}: predict_fn cannot be called with inputs {sorted(row.inputs)} "
                f"({exc}); the keys of 'inputs' must be predict_fn's parameter names.") from None


def _check_scorers(scorers: Sequence[Scorer] | None) -> list[Scorer]:
    if scorers is None or isinstance(scorers, (str, Scorer)) or not isinstance(scorers, Sequence):
        raise TracekitException.invalid_parameter_value(
            f"evaluate(): scorers must be a non-empty list of scorers (from @tracekit.genai.scorer or Scorer "
            f"subclasses), got {scorers!r:.100}.")
    if not scorers:
        raise TracekitException.invalid_parameter_value("evaluate(): scorers is empty; pass at least one scorer.")
    seen: set[str] = set()
    for position, item in enumerate(scorers):
        if not isinstance(item, Scorer):
            hint = (" (a Scorer subclass: pass an instance, e.g. MyScorer())" if isinstance(item, type) and
                    issubclass(item, Scorer) else " (decorate functions with @tracekit.genai.scorer)")
            raise TracekitException.invalid_parameter_value(
                f"evaluate(): scorers[{position}] is {item!r:.80}, not a Scorer{hint}.")
        item.parameters  # noqa: B018 - makes sure a subclass that skipped Scorer.__init__ is set up
        if item.name in RESERVED_COLUMNS:
            raise TracekitException.invalid_parameter_value(
                f"evaluate(): scorers[{position}] is named {item.name!r}, a column of the results table; "
                f"give it another name.")
        if item.name in seen:
            raise TracekitException.invalid_parameter_value(
                f"evaluate(): two scorers are named {item.name!r}; scorer names must be distinct.")
        seen.add(item.name)
    return list(scorers)


@dataclass
class _Tally:
    """Per feedback name: its values over the rows and the aggregations of the scorer that made it."""

    values: dict[str, FeedbackValues] = field(default_factory=dict)
    aggregations: dict[str, Sequence[Aggregation]] = field(default_factory=dict)
    scorer_errors: dict[str, int] = field(default_factory=dict)
    first_error: dict[str, str] = field(default_factory=dict)

    def add(self, scorer: Scorer, feedback: Feedback) -> None:
        self.aggregations.setdefault(feedback.name, scorer.aggregations or ())
        self.values.setdefault(feedback.name, FeedbackValues()).add(feedback.value)

    def failed(self, scorer: Scorer, message: str) -> None:
        self.scorer_errors[scorer.name] = self.scorer_errors.get(scorer.name, 0) + 1
        self.first_error.setdefault(scorer.name, message)


class _Evaluation:
    """One call of `evaluate`: the scorers, the predict function, and the run and model it links to."""

    def __init__(self, scorers: list[Scorer], predict_fn: Callable[..., Any] | None, model_id: str | None,
                 run_id: str) -> None:
        self.scorers = scorers
        self.predict_fn = predict_fn
        self.model_id = model_id
        self.run_id = run_id
        self.trace_tags = {TraceTagKey.EVALUATION_RUN: run_id}
        self.wants_trace = any("trace" in s.parameters for s in scorers)
        self.tally = _Tally(scorer_errors={s.name: 0 for s in scorers})
        self.predict_errors = 0

    def run(self, rows: list[EvalRow]) -> EvaluationResult:
        from tracekit.tracking import runs

        runs.set_tags({RunTagKey.EVALUATION: EVALUATION_KIND})
        outcomes: list[RowOutcome] = []
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = [self._score_row(row) for row in rows[start:start + CHUNK_ROWS]]
            self._log_chunk(chunk)
            outcomes.extend(chunk)
        metrics = self._metrics()
        runs.log_metrics(metrics, run_id=self.run_id, model_id=self.model_id)
        self._warn_failures(len(rows))
        return EvaluationResult(metrics=metrics, run_id=self.run_id,
                                tables={"eval_results_table": results_table(outcomes)})

    # --- one row --------------------------------------------------------------------------------------------
    def _score_row(self, row: EvalRow) -> RowOutcome:
        outcome = RowOutcome(index=row.index, inputs=row.inputs, outputs=row.outputs,
                             expectations=row.expectations)
        trace: Trace | None = row.trace
        if trace is not None:
            outcome.trace_id = trace.info.trace_id
            outcome.existing_trace = True
        elif self.predict_fn is not None:
            made = predict_row(self.predict_fn, row.inputs, self.trace_tags, self.model_id)
            outcome.trace_id, outcome.outputs = made.trace_id, made.outputs
            if made.error is not None:
                self.predict_errors += 1
                outcome.error = f"predict_fn raised {type(made.error).__name__}: {made.error}"
                return outcome  # nothing to score without outputs; the trace shows the failure
        else:
            made = record_row(row.inputs, row.outputs, self.trace_tags, self.model_id)
            outcome.trace_id = made.trace_id
        if trace is None and self.wants_trace and outcome.trace_id is not None:
            trace = completed_trace(outcome.trace_id)
        for scorer in self.scorers:
            for feedback in self._judge(scorer, outcome, trace):
                outcome.add(feedback)
        return outcome

    def _judge(self, scorer: Scorer, outcome: RowOutcome, trace: Trace | None) -> list[Feedback]:
        from tracekit.genai.scorers import to_feedbacks

        try:
            returned = scorer.run(inputs=outcome.inputs, outputs=outcome.outputs,
                                  expectations=outcome.expectations, trace=trace)
            feedbacks = to_feedbacks(returned, scorer)
        except Exception as exc:  # noqa: BLE001 - a failing scorer is recorded on its row; the evaluation goes on
            self.tally.failed(scorer, f"{type(exc).__name__}: {exc}")
            return [Feedback(name=scorer.name, source=AssessmentSource(AssessmentSourceType.CODE.value, scorer.name),
                             error=AssessmentError.from_exception(exc))]
        for feedback in feedbacks:
            if feedback.error is not None:
                self.tally.failed(scorer, f"{feedback.error.error_code}: {feedback.error.error_message}")
            else:
                self.tally.add(scorer, feedback)
        return feedbacks

    # --- storing --------------------------------------------------------------------------------------------
    def _log_chunk(self, chunk: list[RowOutcome]) -> None:
        """Tag the chunk's stored traces with the evaluation run and store their feedback: after delivering the
        traces this chunk made (one flush), in one transaction each where the store allows."""
        from tracekit.client import TracekitClient
        from tracekit.tracing.fluent import flush_trace_async_logging

        flush_trace_async_logging()
        client = TracekitClient()
        scored = [outcome for outcome in chunk if outcome.trace_id is not None]
        existing = [str(outcome.trace_id) for outcome in scored if outcome.existing_trace]
        batch = [on_trace(str(outcome.trace_id), feedback) for outcome in scored for feedback in outcome.feedbacks]
        try:
            client.store.set_tag_on_traces(existing, TraceTagKey.EVALUATION_RUN, self.run_id)
            client.log_assessments(batch)
        except TracekitException as exc:
            if not _about_the_rows(exc):
                raise
            # A trace that is not stored (or a value the store refuses) fails the whole batch: row by row, the
            # other rows are stored and the failing ones say why.
            self._log_rows_one_by_one(scored)

    def _log_rows_one_by_one(self, outcomes: list[RowOutcome]) -> None:
        from tracekit.client import TracekitClient

        client = TracekitClient()
        for outcome in outcomes:
            trace_id = str(outcome.trace_id)
            try:
                if outcome.existing_trace:
                    client.set_trace_tag(trace_id, TraceTagKey.EVALUATION_RUN, self.run_id)
                client.log_assessments([on_trace(trace_id, feedback) for feedback in outcome.feedbacks])
            except TracekitException as exc:
                if not _about_the_rows(exc):
                    raise
                note = f"scores not logged on trace {trace_id}: {exc.message}"
                outcome.error = f"{outcome.error}; {note}" if outcome.error else note
                logger.warning("evaluate(): row %d: %s", outcome.index, note)

    # --- summary --------------------------------------------------------------------------------------------
    def _metrics(self) -> dict[str, float]:
        metrics: dict[str, float] = {}
        for name, values in self.tally.values.items():
            metrics.update(aggregate(name, values, self.tally.aggregations[name]))
        for scorer_name, count in self.tally.scorer_errors.items():
            metrics[f"{scorer_name}/error_count"] = float(count)
        if self.predict_fn is not None:
            metrics[f"{PREDICT_FN_METRIC}/error_count"] = float(self.predict_errors)
        return metrics

    def _warn_failures(self, total: int) -> None:
        for scorer_name, count in self.tally.scorer_errors.items():
            if count:
                logger.warning("evaluate(): scorer %r failed on %d of %d rows (first: %s); each failure is logged "
                               "as a feedback with an error on its row's trace.", scorer_name, count, total,
                               self.tally.first_error[scorer_name])
        if self.predict_errors:
            logger.warning("evaluate(): predict_fn raised on %d of %d rows; those rows were not scored (see the "
                           "'error' column and their traces).", self.predict_errors, total)


def on_trace(trace_id: str, feedback: Feedback) -> Feedback:
    """`feedback` with the trace id of the row it judged (set in place: the feedback was made for this row)."""
    feedback.trace_id = trace_id
    return feedback


def _about_the_rows(exc: TracekitException) -> bool:
    """True for a failure caused by what a row holds (its trace is not stored, a value is refused); False for the
    store itself failing, which no row can work around."""
    return isinstance(exc, ResourceNotFoundError) or exc.error_code == error_codes.INVALID_PARAMETER_VALUE
