"""Scorers: code that judges one evaluated row (its inputs, outputs, expectations and trace) and says how good it was.

`@scorer` turns a plain function into a `Scorer`; subclassing `Scorer` and defining `__call__` does the same for a
class. Either way the parameters are bound by name: a scorer receives only those of `inputs`, `outputs`,
`expectations` and `trace` it asks for, and asking for any other name is an error when the scorer is defined.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from tracekit.entities.assessment import AssessmentSource, AssessmentSourceType, Feedback
from tracekit.exceptions import TracekitException

#: The names a scorer's parameters may have, in the order they are documented.
SCORER_PARAMETERS = ("inputs", "outputs", "expectations", "trace")

#: Aggregations a scorer may ask for by name; each takes the row values (bools as 0/1) and gives one number.
AGGREGATIONS = ("min", "max", "mean", "median", "variance", "p90", "p99")
DEFAULT_AGGREGATIONS = ("mean",)

Aggregation = str | Callable[[list[float]], float]

F = TypeVar("F", bound=Callable[..., Any])


def _checked_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TracekitException.invalid_parameter_value(f"A scorer's name must be a non-empty string, got {name!r}.")
    if "/" in name:
        # Metric names are `<scorer>/<aggregation>`: a slash in the scorer's name would make them ambiguous.
        raise TracekitException.invalid_parameter_value(f"Scorer name {name!r} must not contain '/'.")
    return name


def _checked_aggregations(name: str, aggregations: Sequence[Aggregation] | None) -> list[Aggregation]:
    if aggregations is None:
        return list(DEFAULT_AGGREGATIONS)
    if isinstance(aggregations, str) or not isinstance(aggregations, Sequence):
        raise TracekitException.invalid_parameter_value(
            f"Scorer {name!r}: aggregations must be a list, got {aggregations!r}.")
    for aggregation in aggregations:
        if isinstance(aggregation, str):
            if aggregation not in AGGREGATIONS:
                raise TracekitException.invalid_parameter_value(
                    f"Scorer {name!r}: unknown aggregation {aggregation!r}; use one of {', '.join(AGGREGATIONS)} "
                    f"or a function of the list of values.")
        elif not callable(aggregation):
            raise TracekitException.invalid_parameter_value(
                f"Scorer {name!r}: an aggregation must be a name or a function, got {type(aggregation).__name__}.")
    return list(aggregations)


def _requested_parameters(func: Callable[..., Any], name: str, skip_first: bool = False) -> tuple[str, ...]:
    """The row values `func` asks for; a parameter of another name (and without a default) is refused."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise TracekitException.invalid_parameter_value(
            f"Scorer {name!r}: cannot read the function's parameters ({exc}).") from None
    parameters = list(signature.parameters.values())
    if skip_first and parameters:
        parameters = parameters[1:]
    wanted: list[str] = []
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            wanted.extend(p for p in SCORER_PARAMETERS if p not in wanted)
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        elif parameter.name in SCORER_PARAMETERS:
            if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
                raise TracekitException.invalid_parameter_value(
                    f"Scorer {name!r}: parameter {parameter.name!r} is positional-only; scorers are called with "
                    f"keyword arguments.")
            if parameter.name not in wanted:
                wanted.append(parameter.name)
        elif parameter.default is inspect.Parameter.empty:
            raise TracekitException.invalid_parameter_value(
                f"Scorer {name!r} asks for a parameter {parameter.name!r} that evaluation does not provide; a "
                f"scorer's parameters must be among {', '.join(SCORER_PARAMETERS)}.")
    return tuple(wanted)


class Scorer:
    """A judge of one row. Subclass it and define `__call__` with any of the keyword parameters `inputs`, `outputs`,
    `expectations` and `trace`; return a bool, a number, a string, a `Feedback` or a list of `Feedback`s.

    `name` (default: the class's name) names the feedback logged on each row's trace and the metrics aggregated over
    the rows; `aggregations` picks those metrics (default `["mean"]`; names from `AGGREGATIONS` or functions of the
    list of values).

    >>> class ExactMatch(tracekit.genai.Scorer):
    ...     def __call__(self, outputs, expectations):
    ...         return outputs == expectations["answer"]
    >>> tracekit.genai.evaluate(data, scorers=[ExactMatch()])
    """

    name: str = ""
    aggregations: Sequence[Aggregation] | None = None

    def __init__(self, name: str | None = None, aggregations: Sequence[Aggregation] | None = None) -> None:
        self.name = _checked_name(name if name is not None else (type(self).name or type(self).__name__))
        chosen = aggregations if aggregations is not None else type(self).aggregations
        self.aggregations = _checked_aggregations(self.name, chosen)
        self._wanted = _requested_parameters(self._scoring_function(), self.name)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__call__" in cls.__dict__:
            # A parameter nobody can pass is a mistake better reported when the class is defined than on every row.
            _requested_parameters(cls.__dict__["__call__"], cls.__name__, skip_first=True)

    def __call__(self, **kwargs: Any) -> Any:
        """Judge one row; subclasses define it with the parameters they need."""
        raise TracekitException.not_implemented(
            f"Scorer {self.name!r}: define __call__(self, inputs=..., outputs=..., expectations=..., trace=...) in "
            f"the subclass, or decorate a function with @tracekit.genai.scorer.")

    def _scoring_function(self) -> Callable[..., Any]:
        return self.__call__

    @property
    def parameters(self) -> tuple[str, ...]:
        """The parameters this scorer asks for, among `SCORER_PARAMETERS`."""
        wanted = self.__dict__.get("_wanted")
        if wanted is None:  # a subclass whose __init__ did not call Scorer.__init__
            Scorer.__init__(self, name=self.__dict__.get("name"), aggregations=self.__dict__.get("aggregations"))
            wanted = self._wanted
        return tuple(wanted)

    def run(self, *, inputs: Any = None, outputs: Any = None, expectations: Any = None, trace: Any = None) -> Any:
        """Call the scorer with the row's values it asks for, and return what it returned."""
        row = {"inputs": inputs, "outputs": outputs, "expectations": expectations, "trace": trace}
        return self._scoring_function()(**{name: row[name] for name in self.parameters})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class FunctionScorer(Scorer):
    """The `Scorer` that `@scorer` makes of a function; calling it calls the function."""

    def __init__(self, func: Callable[..., Any], name: str | None = None,
                 aggregations: Sequence[Aggregation] | None = None) -> None:
        if not callable(func):
            raise TracekitException.invalid_parameter_value(
                f"@scorer decorates a function, got {type(func).__name__}.")
        self._func = func
        default = getattr(func, "__name__", None) or type(func).__name__
        super().__init__(name=name if name is not None else default,
                         aggregations=aggregations)
        self.__doc__ = getattr(func, "__doc__", None)
        self.__wrapped__ = func

    def _scoring_function(self) -> Callable[..., Any]:
        return self._func

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the decorated function as it is (so a scorer can be unit-tested directly)."""
        return self._func(*args, **kwargs)


@overload
def scorer(func: F, /) -> FunctionScorer: ...


@overload
def scorer(func: None = None, /, *, name: str | None = None,
           aggregations: Sequence[Aggregation] | None = None) -> Callable[[F], FunctionScorer]: ...


def scorer(func: Callable[..., Any] | None = None, /, *, name: str | None = None,
           aggregations: Sequence[Aggregation] | None = None) -> FunctionScorer | Callable[[F], FunctionScorer]:
    """Make a `Scorer` of a function whose parameters are any of `inputs`, `outputs`, `expectations` and `trace`.

    Use it bare or with `name` (default: the function's name) and `aggregations` (default `["mean"]`). The function
    returns a bool, a number, a string, a `Feedback` or a list of `Feedback`s.

    >>> @tracekit.genai.scorer
    ... def is_concise(outputs):
    ...     return len(outputs) < 200
    >>> @tracekit.genai.scorer(name="correct", aggregations=["mean", "min"])
    ... def correctness(outputs, expectations):
    ...     return outputs == expectations["answer"]
    """
    if func is not None:
        return FunctionScorer(func, name=name, aggregations=aggregations)

    def decorate(function: F) -> FunctionScorer:
        return FunctionScorer(function, name=name, aggregations=aggregations)

    return decorate


def to_feedbacks(result: Any, scorer: Scorer) -> list[Feedback]:
    """What a scorer returned, as feedback from the scorer (source CODE, its name as source id): a bool, number or
    string becomes one feedback named after the scorer; Feedbacks are kept (their source set to the scorer's when
    they have the default one). Anything else raises `TracekitException` naming the scorer and the type."""
    source = AssessmentSource(AssessmentSourceType.CODE.value, scorer.name)
    if isinstance(result, Feedback):
        return [_from_scorer(result, source)]
    if isinstance(result, list) and result and all(isinstance(item, Feedback) for item in result):
        return [_from_scorer(item, source) for item in result]
    value = _plain_value(result)
    if value is _NOT_A_VALUE:
        raise TracekitException.invalid_parameter_value(
            f"Scorer {scorer.name!r} returned {_describe(result)}; a scorer returns a bool, a number, a string, a "
            f"Feedback or a non-empty list of Feedbacks.")
    return [Feedback(name=scorer.name, value=value, source=source)]


_NOT_A_VALUE = object()
_DEFAULT_SOURCE = AssessmentSource()


def _from_scorer(feedback: Feedback, source: AssessmentSource) -> Feedback:
    if feedback.value is None and feedback.error is None:
        raise TracekitException.invalid_parameter_value(
            f"Scorer {source.source_id!r} returned Feedback {feedback.name!r} with neither a value nor an error.")
    if feedback.source == _DEFAULT_SOURCE:
        feedback.source = source
    value = _plain_value(feedback.value)
    if value is not _NOT_A_VALUE:
        feedback.value = value
    return feedback


def _plain_value(value: Any) -> Any:
    """bool, int, float and str as themselves; numpy scalars and other real numbers as the Python bool or number."""
    if getattr(value, "shape", None) == () and callable(getattr(value, "item", None)):
        value = value.item()  # a numpy scalar (numpy's bool is not a numbers.Number)
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return _NOT_A_VALUE


def _describe(result: Any) -> str:
    if result is None:
        return "None"
    if isinstance(result, list):
        return "an empty list" if not result else f"a list holding {type(result[0]).__name__}"
    return f"a {type(result).__name__}"
