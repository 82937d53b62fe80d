"""What the `tracekit traces` commands print: search results as a table, JSON or CSV, and one trace as a span tree
with durations (rich)."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timezone

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from tracekit.entities import Span, SpanStatusCode, Trace, TraceState

CSV_COLUMNS = ("trace_id", "experiment_id", "request_time", "execution_duration_ms", "state", "name",
               "request_preview", "response_preview", "client_request_id", "tags", "trace_metadata")

_STATE_STYLE = {TraceState.OK: "green", TraceState.ERROR: "bold red", TraceState.IN_PROGRESS: "yellow"}
_STATUS_STYLE = {SpanStatusCode.OK: "green", SpanStatusCode.ERROR: "bold red", SpanStatusCode.UNSET: "dim"}


def iso_time(milliseconds: int) -> str:
    """`2024-01-02T03:04:05.678Z`."""
    moment = datetime.fromtimestamp(milliseconds / 1000, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def format_duration_ns(nanoseconds: int | None) -> str:
    """`12.3 ms`, `1.20 s`, `850 µs`; `running` when unknown."""
    if nanoseconds is None:
        return "running"
    if nanoseconds >= 1_000_000_000:
        return f"{nanoseconds / 1e9:.2f} s"
    if nanoseconds >= 1_000_000:
        return f"{nanoseconds / 1e6:.1f} ms"
    return f"{nanoseconds / 1e3:.0f} µs"


def trace_name(trace: Trace) -> str:
    """The root span's name (empty when the trace has no spans loaded)."""
    root = trace.data.root_span
    return root.name if root is not None else ""


def _row(trace: Trace) -> dict[str, object]:
    info = trace.info
    return {
        "trace_id": info.trace_id,
        "experiment_id": info.experiment_id,
        "request_time": iso_time(info.request_time),
        "execution_duration_ms": info.execution_duration,
        "state": info.state.value,
        "name": trace_name(trace),
        "request_preview": info.request_preview,
        "response_preview": info.response_preview,
        "client_request_id": info.client_request_id,
        "tags": json.dumps(info.tags, ensure_ascii=False),
        "trace_metadata": json.dumps(info.trace_metadata, ensure_ascii=False),
    }


def traces_csv(traces: Sequence[Trace]) -> str:
    """One CSV row per trace (columns `CSV_COLUMNS`), with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for trace in traces:
        writer.writerow(_row(trace))
    return out.getvalue()


def traces_json(traces: Sequence[Trace]) -> str:
    """The traces (info and spans) as a JSON list."""
    return json.dumps([trace.to_dict() for trace in traces], indent=2, ensure_ascii=False)


def _clip(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def traces_table(traces: Sequence[Trace]) -> Table:
    """A rich table: id, start time, duration, state, name, request preview."""
    table = Table(title=f"{len(traces)} trace(s)", title_justify="left", expand=False)
    table.add_column("trace_id", no_wrap=True, min_width=35)
    table.add_column("request_time (UTC)", no_wrap=True, min_width=24)
    table.add_column("duration", justify="right", no_wrap=True)
    table.add_column("state", no_wrap=True)
    table.add_column("name", ratio=1, overflow="ellipsis")
    table.add_column("request", ratio=2, overflow="ellipsis")
    for trace in traces:
        info = trace.info
        duration = None if info.execution_duration is None else info.execution_duration * 1_000_000
        table.add_row(info.trace_id, iso_time(info.request_time), format_duration_ns(duration),
                      Text(info.state.value, style=_STATE_STYLE.get(info.state, "")),
                      _clip(trace_name(trace), 40), _clip(info.request_preview, 60))
    return table


def _span_label(span: Span) -> Text:
    label = Text()
    label.append(span.name, style="bold")
    label.append(f"  [{span.span_type}]", style="cyan")
    label.append(f"  {format_duration_ns(span.duration_ns)}", style="magenta")
    status = span.status.status_code
    label.append(f"  {status.value}", style=_STATUS_STYLE.get(status, ""))
    if status is SpanStatusCode.ERROR and span.status.description:
        label.append(f": {_clip(span.status.description, 80)}", style="red")
    return label


def span_tree(trace: Trace) -> Tree:
    """The trace's spans as a tree (children in start order), each with type, duration and status."""
    info = trace.info
    duration = None if info.execution_duration is None else info.execution_duration * 1_000_000
    header = Text()
    header.append(info.trace_id, style="bold")
    header.append(f"  {iso_time(info.request_time)}  {format_duration_ns(duration)}  ")
    header.append(info.state.value, style=_STATE_STYLE.get(info.state, ""))
    header.append(f"  experiment {info.experiment_id}", style="dim")
    tree = Tree(header)
    spans = trace.data.spans
    ids = {span.span_id for span in spans}
    children: dict[str | None, list[Span]] = defaultdict(list)
    for span in spans:
        children[span.parent_id if span.parent_id in ids else None].append(span)

    def add(node: Tree, parent_id: str | None, depth: int) -> None:
        for span in sorted(children.get(parent_id, ()), key=lambda s: (s.start_time_ns, s.span_id)):
            branch = node.add(_span_label(span))
            if depth < 200:
                add(branch, span.span_id, depth + 1)

    add(tree, None, 0)
    return tree


def print_trace(console: Console, trace: Trace) -> None:
    """The span tree, then the trace's tags and metadata."""
    console.print(span_tree(trace))
    for title, values in (("tags", trace.info.tags), ("metadata", trace.info.trace_metadata)):
        if values:
            console.print(Text(f"{title}:", style="bold"))
            for key, value in sorted(values.items()):
                console.print(f"  {key} = {_clip(value, 200)}", markup=False, highlight=False)
