"""Judging GenAI applications: scorers over traces.

`@scorer` (or a `Scorer` subclass) says how good one answer is; `evaluate` runs scorers over a dataset or stored
traces, logs every score as feedback on the row's trace and the aggregates as metrics of an evaluation run.

>>> @tracekit.genai.scorer
... def exact_match(outputs, expectations):
...     return outputs == expectations["answer"]
>>> tracekit.genai.evaluate(tracekit.search_traces(), scorers=[exact_match])
"""

from tracekit.entities.assessment import AssessmentError, AssessmentSource, Expectation, Feedback
from tracekit.genai.eval_runner import evaluate
from tracekit.genai.scorers import AGGREGATIONS, Scorer, scorer
from tracekit.models.evaluation.result import EvaluationResult

__all__ = [
    "AGGREGATIONS",
    "AssessmentError",
    "AssessmentSource",
    "EvaluationResult",
    "Expectation",
    "Feedback",
    "Scorer",
    "evaluate",
    "scorer",
]
