"""Lifecycle of experiments, runs and models (active or deleted), and which of them a search returns."""

from __future__ import annotations

import enum

from tracekit.exceptions import TracekitException


class LifecycleStage:
    """Whether an experiment, run or logged model is in use or deleted (deleted ones are kept, not erased)."""

    ACTIVE = "active"
    DELETED = "deleted"


class ViewType(enum.IntEnum):
    """Which experiments or runs a search returns: active ones (the default), deleted ones, or all."""

    ACTIVE_ONLY = 1
    DELETED_ONLY = 2
    ALL = 3

    @classmethod
    def parse(cls, value: ViewType | int | str) -> ViewType:
        """A ViewType from itself, its number or its name ("ACTIVE_ONLY"); TracekitException otherwise."""
        try:
            if isinstance(value, str) and not value.isdigit():
                return cls[value.strip().upper()]
            return cls(int(value))
        except (KeyError, ValueError, TypeError):
            valid = ", ".join(f"{member.name} ({member.value})" for member in cls)
            raise TracekitException.invalid_parameter_value(
                f"Invalid view type {value!r}: use one of {valid}.") from None

    def stages(self) -> tuple[str, ...]:
        """The lifecycle stages this view includes."""
        if self is ViewType.ACTIVE_ONLY:
            return (LifecycleStage.ACTIVE,)
        if self is ViewType.DELETED_ONLY:
            return (LifecycleStage.DELETED,)
        return (LifecycleStage.ACTIVE, LifecycleStage.DELETED)
