"""`TracekitClient.iter_traces`: every matching trace, page by page, on each real database."""

from __future__ import annotations

import pytest

import tracekit
from tracekit.exceptions import TracekitException

MS = 1_000_000


def trace_at(client: tracekit.TracekitClient, name: str, start_ms: int, failed: bool = False) -> str:
    root = client.start_trace(name, start_time_ns=start_ms * MS)
    client.end_trace(root.trace_id, end_time_ns=(start_ms + 5) * MS, status="ERROR" if failed else "OK")
    return root.trace_id


def test_iter_traces_yields_every_match_once_across_pages(tracking_uri):
    client = tracekit.TracekitClient()
    ids = [trace_at(client, f"t{n}", 1_700_000_000_000 + n, failed=n % 3 == 0) for n in range(25)]
    experiment_id = client.get_trace(ids[0]).info.experiment_id

    seen = [trace.info.trace_id for trace in client.iter_traces([experiment_id], page_size=4)]
    assert seen == list(reversed(ids))  # newest first, as search_traces, each once
    failed = [trace.info.trace_id
              for trace in client.iter_traces([experiment_id], filter_string="status = 'ERROR'", page_size=2,
                                              order_by=["timestamp_ms ASC"], include_spans=False)]
    assert failed == [ids[n] for n in range(25) if n % 3 == 0]


def test_iter_traces_is_lazy(tracking_uri):
    client = tracekit.TracekitClient()
    for n in range(5):
        trace_at(client, f"t{n}", 1_700_000_000_000 + n)
    pages: list[int] = []
    original = client.search_traces

    def counting(*args, **kwargs):
        page = original(*args, **kwargs)
        pages.append(len(page))
        return page

    client.search_traces = counting  # type: ignore[method-assign]
    iterator = client.iter_traces(page_size=2)
    next(iterator)
    assert pages == [2]  # one page read for the first trace, not the whole result


@pytest.mark.parametrize("page_size", [0, -1, 1.5, True])
def test_iter_traces_refuses_a_bad_page_size(page_size):
    with pytest.raises(TracekitException, match="page_size must be a positive integer"):
        next(tracekit.TracekitClient().iter_traces(page_size=page_size))
