"""The shape of a semantic convention tracekit speaks over OTLP: keys derived from a tracekit span on export, and a
span type, inputs and outputs read from a span another SDK made."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from tracekit import serialization

if TYPE_CHECKING:
    from tracekit.entities import Span, Trace


class TokenCounts(NamedTuple):
    """A span's token counts; None where not recorded as an integer."""

    input: int | None
    output: int | None
    total: int | None


class Convention(abc.ABC):
    """One convention, both directions. `encode*` fill in its keys from tracekit's data; the readers return None
    when a foreign span's attributes do not say."""

    @abc.abstractmethod
    def encode(self, span: Span, span_type: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """This convention's keys for `span`, whose type is `span_type` (parsed once for every convention);
        `attributes` are the span's attributes as exported (tracekit's keys as JSON text, the others as
        OpenTelemetry values)."""

    def encode_trace(self, trace: Trace) -> dict[str, Any]:
        """This convention's keys for the root span that describe the whole trace."""
        return {}

    @abc.abstractmethod
    def span_type(self, attributes: Mapping[str, Any]) -> str | None:
        """The tracekit span type these attributes name."""

    def inputs(self, attributes: Mapping[str, Any]) -> str | None:
        """The span's inputs as tracekit's JSON text."""
        return None

    def outputs(self, attributes: Mapping[str, Any]) -> str | None:
        """The span's outputs as tracekit's JSON text."""
        return None

    def conversation(self, attributes: Mapping[str, Any], events: Sequence[tuple[str, Mapping[str, Any]]]
                     ) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        """(the conversation: input then output messages, the tools offered to the model), in tracekit's chat
        shapes (`tracekit.tracing.chat`); None for what the span does not record."""
        return None, None

    def token_counts(self, attributes: Mapping[str, Any]) -> TokenCounts | None:
        """The span's token counts, None when it records none."""
        return None

    def genai_attributes(self, attributes: Mapping[str, Any]) -> dict[str, Any]:
        """GenAI keys another convention's keys say (the model as `gen_ai.request.model` / `gen_ai.response.model`,
        request parameters as `gen_ai.request.*`): tracekit's integrations record a model call with them."""
        return {}

    def restore(self, attributes: dict[str, Any], derived: set[str]) -> None:
        """Put back the tracekit keys (JSON text) that tracekit's encoder sent only as this convention's `derived`
        keys."""


def json_text(value: Any, is_json: bool) -> str:
    """tracekit's stored form (JSON text) of a payload attribute: a string declared to be JSON is kept as it is when
    it parses, anything else is serialized."""
    if is_json and isinstance(value, str):
        try:
            serialization.loads(value)
            return value
        except ValueError:
            pass
    return serialization.dumps(value)
