"""Assessments: judgements attached to a trace (or one of its spans). A `Feedback` says how good an answer was (from a
person, an LLM judge or code); an `Expectation` says what the right answer would have been (ground truth)."""

from __future__ import annotations

import enum
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tracekit.exceptions import TracekitException

ASSESSMENT_ID_PREFIX = "a-"


class AssessmentSourceType(str, enum.Enum):
    """Who made an assessment."""

    SOURCE_TYPE_UNSPECIFIED = "SOURCE_TYPE_UNSPECIFIED"
    HUMAN = "HUMAN"
    LLM_JUDGE = "LLM_JUDGE"
    CODE = "CODE"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class AssessmentSource:
    """The source of an assessment: its type (`HUMAN`, `LLM_JUDGE`, `CODE`) and an id within that type (a user name,
    a judge model, a scorer's name)."""

    source_type: str = AssessmentSourceType.CODE.value
    source_id: str = "default"

    def __post_init__(self) -> None:
        value = self.source_type.value if isinstance(self.source_type, AssessmentSourceType) else self.source_type
        if not isinstance(value, str) or value.upper() not in AssessmentSourceType.__members__:
            allowed = ", ".join(t.value for t in AssessmentSourceType
                                if t is not AssessmentSourceType.SOURCE_TYPE_UNSPECIFIED)
            raise TracekitException.invalid_parameter_value(
                f"AssessmentSource: source_type {self.source_type!r} is not one of {allowed}")
        object.__setattr__(self, "source_type", value.upper())
        if not isinstance(self.source_id, str) or not self.source_id:
            raise TracekitException.invalid_parameter_value(
                f"AssessmentSource: source_id must be a non-empty string, got {self.source_id!r}")

    def to_dict(self) -> dict[str, str]:
        """`{"source_type": ..., "source_id": ...}`."""
        return {"source_type": self.source_type, "source_id": self.source_id}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AssessmentSource:
        """Inverse of `to_dict`."""
        return cls(source_type=data.get("source_type", AssessmentSourceType.CODE.value),
                   source_id=data.get("source_id", "default"))


@dataclass
class AssessmentError:
    """Why a feedback has no value: the scorer or judge that should have produced it failed."""

    error_code: str
    error_message: str | None = None
    stack_trace: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain fields."""
        return {"error_code": self.error_code, "error_message": self.error_message, "stack_trace": self.stack_trace}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AssessmentError:
        """Inverse of `to_dict`."""
        return cls(error_code=data["error_code"], error_message=data.get("error_message"),
                   stack_trace=data.get("stack_trace"))

    @classmethod
    def from_exception(cls, exc: BaseException) -> AssessmentError:
        """The error of a raised exception: its type as the code, its text as the message, and its stack."""
        import traceback

        stack = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return cls(error_code=type(exc).__name__, error_message=str(exc), stack_trace=stack)


def new_assessment_id() -> str:
    """`a-` and 32 hex digits."""
    return ASSESSMENT_ID_PREFIX + uuid.uuid4().hex


def _check_value(kind: str, name: str, value: Any) -> None:
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise TracekitException.invalid_parameter_value(
            f"{kind} {name!r}: value must be JSON-serializable (a bool, number, string, list or dict), "
            f"got {type(value).__name__}") from exc


@dataclass
class Assessment:
    """What feedback and expectations share. `trace_id` and `assessment_id` are filled in when the assessment is
    logged; times are ms since the epoch; `span_id` ties it to one span instead of the whole trace."""

    kind: ClassVar[str] = "assessment"

    name: str
    source: AssessmentSource = field(default_factory=AssessmentSource)
    trace_id: str | None = None
    span_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    assessment_id: str | None = None
    create_time_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    last_update_time_ms: int | None = None
    value: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise TracekitException.invalid_parameter_value(
                f"{type(self).__name__}: name must be a non-empty string, got {self.name!r}")
        if self.source is None:
            self.source = AssessmentSource()
        elif not isinstance(self.source, AssessmentSource):
            raise TracekitException.invalid_parameter_value(
                f"{type(self).__name__} {self.name!r}: source must be an AssessmentSource, "
                f"got {type(self.source).__name__}")
        if self.metadata is None:
            self.metadata = {}
        if not isinstance(self.metadata, dict):
            raise TracekitException.invalid_parameter_value(
                f"{type(self).__name__} {self.name!r}: metadata must be a dict, got {type(self.metadata).__name__}")
        self.metadata = {str(k): str(v) for k, v in self.metadata.items()}
        if self.last_update_time_ms is None:
            self.last_update_time_ms = self.create_time_ms
        _check_value(type(self).__name__, self.name, self.value)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; `kind` says whether it is a feedback or an expectation."""
        return {
            "assessment_id": self.assessment_id, "kind": self.kind, "name": self.name, "trace_id": self.trace_id,
            "span_id": self.span_id, "source": self.source.to_dict(), "value": self.value,
            "metadata": dict(self.metadata), "create_time_ms": self.create_time_ms,
            "last_update_time_ms": self.last_update_time_ms,
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Assessment:
        """A `Feedback` or `Expectation` from `to_dict`'s output (chosen by its `kind`)."""
        kind = data.get("kind")
        common: dict[str, Any] = dict(
            name=data["name"], source=AssessmentSource.from_dict(data.get("source") or {}),
            trace_id=data.get("trace_id"), span_id=data.get("span_id"), metadata=dict(data.get("metadata") or {}),
            assessment_id=data.get("assessment_id"), create_time_ms=int(data.get("create_time_ms") or 0),
            last_update_time_ms=data.get("last_update_time_ms"), value=data.get("value"))
        if kind == Feedback.kind:
            error = data.get("error")
            return Feedback(**common, rationale=data.get("rationale"),
                            error=AssessmentError.from_dict(error) if error else None)
        if kind == Expectation.kind:
            return Expectation(**common)
        raise TracekitException.invalid_parameter_value(
            f"assessment: kind must be 'feedback' or 'expectation', got {kind!r}")


@dataclass
class Feedback(Assessment):
    """A judgement of a trace or span: `value` (bool, number, string, list or dict), an optional `rationale`, or an
    `error` when the judge failed to give one."""

    kind: ClassVar[str] = "feedback"

    rationale: str | None = None
    error: AssessmentError | None = None

    def to_dict(self) -> dict[str, Any]:
        """`Assessment.to_dict` plus `rationale` and `error`."""
        data = super().to_dict()
        data["rationale"] = self.rationale
        data["error"] = self.error.to_dict() if self.error else None
        return data


@dataclass
class Expectation(Assessment):
    """The expected answer (ground truth) for a trace or span."""

    kind: ClassVar[str] = "expectation"


def restore_assessment(kind: str, source_type: str, source_id: str, **fields: Any) -> Assessment:
    """A `Feedback` (kind "feedback") or `Expectation` from fields a store checked when it took them, built without
    checking them again: reading thousands of assessments with a page of traces stays cheap. `fields` are the
    dataclass fields other than `source` (a feedback's `rationale` and `error` default to None)."""
    cls: type[Assessment] = Expectation if kind == Expectation.kind else Feedback
    assessment = cls.__new__(cls)
    source = AssessmentSource.__new__(AssessmentSource)
    object.__setattr__(source, "source_type", source_type)
    object.__setattr__(source, "source_id", source_id)
    if cls is Feedback:
        fields.setdefault("rationale", None)
        fields.setdefault("error", None)
    assessment.__dict__.update(fields, source=source)
    return assessment
