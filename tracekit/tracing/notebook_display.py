"""Compact HTML views of traces for Jupyter: a trace's span tree with each span's type, status, duration and a
timing bar; a list of traces as a table whose rows open onto their trees.

Everything shown (span names, types, ids, status messages) is user content: it is escaped, never interpreted.
Views are bounded: at most `MAX_SPANS` spans of a trace and `MAX_TRACES` traces are drawn, the rest counted.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from tracekit.entities.span import Span
from tracekit.entities.trace import Trace, span_order

MAX_SPANS = 200
MAX_TRACES = 50

_STYLE = (
    "<style>"
    ".tk-trace{font-family:system-ui,sans-serif;font-size:13px;line-height:1.4}"
    ".tk-trace table{border-collapse:collapse;width:100%}"
    ".tk-trace td,.tk-trace th{padding:2px 6px;text-align:left;vertical-align:middle;border-bottom:1px solid #eee}"
    ".tk-trace .tk-bar{position:relative;height:8px;min-width:120px;background:#f2f2f2}"
    ".tk-trace .tk-bar span{position:absolute;top:0;height:8px;background:#4c8bf5}"
    ".tk-trace .tk-ERROR{color:#c62828;font-weight:600}.tk-trace .tk-OK{color:#2e7d32}"
    ".tk-trace .tk-muted{color:#777}"
    "</style>"
)


def _text(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _ms(duration_ns: int | None) -> str:
    if duration_ns is None:
        return "running"
    ms = duration_ns / 1e6
    return f"{ms:.1f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


def _status(code: str) -> str:
    label = code.replace("StatusCode.", "") if code else "UNSET"
    return f'<span class="tk-{_text(label)}">{_text(label)}</span>'


def _tree_order(spans: list[Span]) -> list[tuple[int, Span]]:
    """(depth, span) pairs in depth-first order, children by start time; orphans (parent not in the trace) are
    roots."""
    ids = {span.span_id for span in spans}
    children: dict[str | None, list[Span]] = defaultdict(list)
    for span in spans:
        children[span.parent_id if span.parent_id in ids else None].append(span)
    ordered: list[tuple[int, Span]] = []
    stack = [(0, span) for span in sorted(children[None], key=span_order, reverse=True)]
    while stack and len(ordered) < MAX_SPANS:
        depth, span = stack.pop()
        ordered.append((depth, span))
        stack.extend((depth + 1, child) for child in sorted(children[span.span_id], key=span_order, reverse=True))
    return ordered


def span_tree_html(trace: Trace) -> str:
    """The span tree of `trace` as an HTML table: name (indented by depth), type, status, duration, timing bar."""
    spans = list(trace.data.spans)
    if not spans:
        return '<p class="tk-muted">No spans.</p>'
    start = min(span.start_time_ns for span in spans)
    end = max((span.end_time_ns or span.start_time_ns) for span in spans)
    total = max(end - start, 1)
    rows = []
    ordered = _tree_order(spans)
    for depth, span in ordered:
        left = 100.0 * (span.start_time_ns - start) / total
        width = max(100.0 * ((span.end_time_ns or end) - span.start_time_ns) / total, 0.5)
        rows.append(
            f'<tr><td style="padding-left:{6 + 16 * min(depth, 30)}px">{_text(span.name)}</td>'
            f'<td class="tk-muted">{_text(span.span_type)}</td><td>{_status(span.status.status_code.value)}</td>'
            f"<td>{_ms(span.duration_ns)}</td>"
            f'<td><div class="tk-bar"><span style="left:{left:.2f}%;width:{min(width, 100 - left):.2f}%">'
            f"</span></div></td></tr>")
    hidden = len(spans) - len(ordered)
    more = f'<p class="tk-muted">… {hidden} more spans not shown.</p>' if hidden > 0 else ""
    return ("<table><thead><tr><th>Span</th><th>Type</th><th>Status</th><th>Duration</th><th>Timeline</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>{more}")


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration_ms(trace: Trace) -> str:
    root = trace.data.root_span
    if root is not None and root.duration_ns is not None:
        return _ms(root.duration_ns)
    duration = trace.info.execution_duration
    return "running" if duration is None else _ms(duration * 1_000_000)


def trace_html(trace: Trace) -> str:
    """A trace as compact HTML: its id, state, start time and duration above its span tree."""
    info = trace.info
    state = info.state.value if hasattr(info.state, "value") else str(info.state)
    return (f'{_STYLE}<div class="tk-trace"><div><b>Trace</b> <code>{_text(info.trace_id)}</code> · '
            f"{_status(state)} · {_when(info.request_time)} · {_duration_ms(trace)}</div>"
            f"{span_tree_html(trace)}</div>")


def traces_html(traces: Iterable[Trace]) -> str:
    """Several traces as one HTML table (root span, state, start, duration, span count); each row opens onto its
    span tree."""
    items = list(traces)
    shown = items[:MAX_TRACES]
    rows = []
    for trace in shown:
        info = trace.info
        root = trace.data.root_span
        state = info.state.value if hasattr(info.state, "value") else str(info.state)
        rows.append(
            f"<tr><td><details><summary><code>{_text(info.trace_id)}</code> {_text(root.name if root else '')}"
            f"</summary>{span_tree_html(trace)}</details></td><td>{_status(state)}</td>"
            f"<td>{_when(info.request_time)}</td><td>{_duration_ms(trace)}</td>"
            f"<td>{len(trace.data.spans)}</td></tr>")
    more = (f'<p class="tk-muted">… {len(items) - len(shown)} more traces not shown.</p>'
            if len(items) > len(shown) else "")
    return (f'{_STYLE}<div class="tk-trace"><table><thead><tr><th>Trace</th><th>State</th><th>Started</th>'
            f"<th>Duration</th><th>Spans</th></tr></thead><tbody>{''.join(rows)}</tbody></table>{more}</div>")


class TraceList(list[Trace]):
    """A list of traces (what `search_traces(return_type="list")` returns) that Jupyter shows as a table."""

    def _repr_html_(self) -> str:
        return traces_html(self)


class TracesView:
    """What `display_traces` returns: Jupyter renders it as HTML; `html` holds the markup."""

    def __init__(self, traces: list[Trace]) -> None:
        self.traces = traces
        self.html = trace_html(traces[0]) if len(traces) == 1 else traces_html(traces)

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"TracesView({len(self.traces)} traces)"


def display_traces(traces: Any) -> TracesView:
    """A rendered view of traces for a notebook: pass a `Trace`, a list of them, or the DataFrame `search_traces`
    returns (its `trace` column is read; the frame itself is left as it is). Only the first MAX_TRACES rows of a
    frame are parsed.

    >>> tracekit.display_traces(tracekit.search_traces(max_results=20))
    """
    from tracekit.validation import invalid

    if isinstance(traces, Trace):
        return TracesView([traces])
    column = getattr(traces, "columns", None)
    if column is not None:
        if "trace" not in traces.columns:
            raise invalid("display_traces(): the DataFrame has no 'trace' column; pass what search_traces() "
                          "returned.")
        values = list(traces["trace"].head(MAX_TRACES + 1))
        parsed = [value if isinstance(value, Trace) else Trace.from_json(value) for value in values]
        return TracesView(parsed)
    if isinstance(traces, (str, bytes)):
        raise invalid("display_traces() takes a Trace, a list of traces or search_traces()'s DataFrame, not text.")
    try:
        items = list(traces)
    except TypeError:
        raise invalid(f"display_traces() takes a Trace, a list of traces or search_traces()'s DataFrame, got "
                      f"{type(traces).__name__}.") from None
    bad = next((item for item in items if not isinstance(item, Trace)), None)
    if bad is not None:
        raise invalid(f"display_traces(): every item must be a Trace, got {type(bad).__name__}.")
    return TracesView(items)
