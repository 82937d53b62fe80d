"""Trace exporter plugins: `TRACEKIT_TRACE_EXPORTER=<name>` sends completed traces to the exporter an installed
plugin registers under that name in the entry-point group `tracekit.trace_exporter` (a callable taking no arguments
and returning a `TraceExporter`), in place of the tracking store."""

from __future__ import annotations

from tracekit import config
from tracekit.exceptions import TracekitException
from tracekit.plugins.loading import installed_names, load_named
from tracekit.tracing.exporter import TraceExporter

TRACE_EXPORTER_GROUP = "tracekit.trace_exporter"


def exporter_from_environment() -> TraceExporter | None:
    """A new exporter from the plugin TRACEKIT_TRACE_EXPORTER names (None when unset); TracekitException when no
    installed plugin has the name (listing those that are), or the plugin fails to load or build one."""
    name = config.TRACE_EXPORTER.get()
    if not name:
        return None
    factory = load_named(TRACE_EXPORTER_GROUP, name, contracts=(TraceExporter,))
    if factory is None:
        installed = ", ".join(installed_names(TRACE_EXPORTER_GROUP)) or "none"
        raise TracekitException.invalid_parameter_value(
            f"{config.TRACE_EXPORTER.name}={name!r} names no installed trace exporter. Installed: {installed} "
            f"(plugins in the entry-point group {TRACE_EXPORTER_GROUP!r}). Install the exporter's package or unset "
            f"the variable.")
    exporter = factory()
    if not isinstance(exporter, TraceExporter):
        raise TracekitException.invalid_parameter_value(
            f"The trace exporter plugin {name!r} returned {type(exporter).__name__}, not a "
            f"tracekit.plugins.TraceExporter.")
    return exporter
