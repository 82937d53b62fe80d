"""`search_traces`: traces of the tracking store as a pandas DataFrame (or a list of `Trace`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from tracekit.entities import Trace
from tracekit.exceptions import TracekitException
from tracekit.gc_pause import paused_gc
from tracekit.tracing.reader import TraceReader
from tracekit.validation import check_max_results

if TYPE_CHECKING:
    import pandas


def search_traces(
    experiment_ids: Sequence[str] | None = None,
    filter_string: str | None = None,
    max_results: int | None = None,
    order_by: Sequence[str] | None = None,
    extract_fields: Sequence[str] | None = None,
    run_id: str | None = None,
    model_id: str | None = None,
    return_type: Literal["pandas", "list"] = "pandas",
    include_spans: bool = True,
) -> pandas.DataFrame | list[Trace]:
    """Traces matching `filter_string` in the given experiments (default: the current one; with `run_id` or
    `model_id`, every experiment), newest first.

    Columns: trace_id, trace, client_request_id, state, request_time, execution_duration, request, response,
    trace_metadata, tags, spans, assessments, and one per valid `extract_fields` entry ("span.outputs.key").
    Each `spans` cell is a read-only sequence of the trace's spans as dicts (`Span.to_dict()` with decoded
    attributes, plus span_type, inputs and outputs), decoded from the stored JSON when the cell is first read (index,
    iteration, repr, ==) and kept: building the frame parses only each root span. A cell equals the list of those
    dicts, pickles as a plain list, and `cell.to_list()` or `list(cell)` gives a list (JSON encoders want that:
    `frame.to_json(default_handler=list)`); a stored span that cannot be decoded raises TracekitException naming the
    trace when its cell is read.
    Traces that ended in this process are delivered before the search runs, so they are always found. In Jupyter,
    the list (and each Trace) shows as a span tree; `tracekit.display_traces(frame)` renders the DataFrame's traces.
    `include_spans=False` reads no span at all (every `spans` cell is empty, `request` and `response` are
    None, `extract_fields` columns None); memory then grows with the traces' info, tags and metadata only.

    >>> tracekit.search_traces(filter_string="tags.env = 'prod' AND execution_time_ms > 500", max_results=10)
    >>> tracekit.search_traces(run_id=run.info.run_id, return_type="list")
    """
    if return_type not in ("pandas", "list"):
        raise TracekitException.invalid_parameter_value(
            f"search_traces(): return_type must be 'pandas' or 'list', got {return_type!r}.")
    check_max_results(max_results)
    with paused_gc():
        if return_type == "list":
            from tracekit.tracing.notebook_display import TraceList

            return TraceList(TraceReader().search(experiment_ids, filter_string=filter_string,
                                                  max_results=max_results, order_by=order_by, run_id=run_id,
                                                  model_id=model_id, include_spans=include_spans))
        from tracekit.dataframes import chunks_to_dataframe

        # Records, not traces: the DataFrame is built from each span's stored JSON without making `Span` objects,
        # as the store reads them, a chunk at a time.
        chunks = TraceReader().iter_record_chunks(experiment_ids, filter_string=filter_string,
                                             max_results=max_results, order_by=order_by, run_id=run_id,
                                             model_id=model_id, include_spans=include_spans)
        return chunks_to_dataframe(chunks, list(extract_fields) if extract_fields else None)


def count_traces(experiment_ids: Sequence[str] | None = None, run_id: str | None = None,
                 model_id: str | None = None) -> int:
    """How many traces are stored, counted in the database without loading them: a run's (`run_id`) or a
    model's (`model_id`) in every experiment unless `experiment_ids` narrows it, else the current experiment's.
    Traces that ended in this process are delivered first, so they are counted.

    >>> tracekit.count_traces(run_id=run.info.run_id)
    3
    """
    return TraceReader().count(experiment_ids, run_id=run_id, model_id=model_id)
