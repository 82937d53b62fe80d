"""A query parameter documented as one value (`?run_id=...`) that a request repeats is refused, not silently read as
its last copy: a client that sends `?run_id=a&run_id=b` meant something the API does not do, and should hear so.
Parameters documented as lists (`?experiment_id=1&experiment_id=2`) may repeat."""

from __future__ import annotations

import types
import typing
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import Request

from tracekit.exceptions import TracekitException

_SEQUENCE_ORIGINS = (list, tuple, set, frozenset, Sequence)


def _repeatable(annotation: object) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_repeatable(argument) for argument in typing.get_args(annotation))
    return origin in _SEQUENCE_ORIGINS or annotation in (list, tuple, set)


def _query_fields(dependant: Any) -> Iterator[Any]:
    """The query parameters of a route's dependant and of everything it depends on."""
    yield from dependant.query_params
    for sub_dependant in dependant.dependencies:
        yield from _query_fields(sub_dependant)


def refuse_repeated_single_values(request: Request) -> None:
    """FastAPI dependency: a 400 naming the first query parameter given several times where one value is taken."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    counts = Counter(key for key, _ in request.query_params.multi_items())
    if all(count == 1 for count in counts.values()):
        return
    repeatable = {field.alias for field in _query_fields(dependant) if _repeatable(field.field_info.annotation)}
    for name, count in counts.items():
        if count > 1 and name not in repeatable:
            raise TracekitException.invalid_parameter_value(
                f"Query parameter {name!r} was given {count} times; it takes one value.")
