"""A trace exporter appending one JSON line per completed trace to the file EXAMPLE_PLUGIN_EXPORT_PATH names;
selected by `TRACEKIT_TRACE_EXPORTER=jsonl-file`."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from tracekit.entities import Trace
from tracekit.plugins import TraceExporter

PATH_VARIABLE = "EXAMPLE_PLUGIN_EXPORT_PATH"


class JsonLinesExporter(TraceExporter):
    """Appends `{"trace_id", "state", "spans"}` per trace to the file named by EXAMPLE_PLUGIN_EXPORT_PATH."""

    def export(self, traces: Sequence[Trace]) -> None:
        with open(os.environ[PATH_VARIABLE], "a", encoding="utf-8") as out:
            for trace in traces:
                line = {"trace_id": trace.info.trace_id, "state": str(trace.info.state),
                        "spans": [span.name for span in trace.data.spans]}
                out.write(json.dumps(line) + "\n")
