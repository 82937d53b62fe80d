"""Load: 8 client processes x 1,000 traces each, through the tracing API, into a tracking server on PostgreSQL with
two workers. Every trace is stored exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select

from tracekit.store.sql import schema
from tracekit.store.sql.traces import SqlTraceStore

pytestmark = pytest.mark.slow
CLIENTS = 8
TRACES_PER_CLIENT = 1000

CLIENT_SCRIPT = textwrap.dedent("""
    import sys
    import tracekit

    url, client = sys.argv[1], sys.argv[2]
    tracekit.set_tracking_uri(url)
    for number in range(int(sys.argv[3])):
        with tracekit.start_span("request", span_type="CHAIN") as root:
            root.set_inputs({"n": number})
            tracekit.update_current_trace(tags={"client": client, "n": str(number)})
            with tracekit.start_span("llm", span_type="LLM") as child:
                child.set_outputs("ok")
    tracekit.flush_trace_async_logging()
    stats = tracekit.tracing.stats()
    print(stats.exported, stats.replayed, stats.spilled, stats.dropped)
""")


def test_eight_clients_store_every_trace_exactly_once(postgres_uri, server_process, tmp_path):
    server = server_process(postgres_uri, "--workers", "2", "--log-level", "warning").start(timeout=60)
    script = tmp_path / "client.py"
    script.write_text(CLIENT_SCRIPT)
    env = {**os.environ, "TRACEKIT_EXPORT_BATCH_SIZE": "100", "TRACEKIT_EXPORT_RETRY_MAX_SECONDS": "30"}
    clients = [subprocess.Popen([sys.executable, str(script), server.url, str(index), str(TRACES_PER_CLIENT)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for index in range(CLIENTS)]
    for client in clients:
        out, err = client.communicate(timeout=300)
        assert client.returncode == 0, err
        exported, replayed, spilled, dropped = map(int, out.split())
        assert dropped == 0 and exported + replayed >= TRACES_PER_CLIENT, (out, err)

    store = SqlTraceStore(postgres_uri)
    try:
        expected = CLIENTS * TRACES_PER_CLIENT
        with store.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(schema.trace_info)) == expected
            assert connection.scalar(select(func.count()).select_from(schema.spans)) == 2 * expected
            pairs = connection.execute(
                select(func.count(), func.count(func.distinct(schema.trace_tags.c.value)))
                .where(schema.trace_tags.c.key == "n")).one()
            assert tuple(pairs) == (expected, TRACES_PER_CLIENT)
            per_client = dict(connection.execute(
                select(schema.trace_tags.c.value, func.count()).where(schema.trace_tags.c.key == "client")
                .group_by(schema.trace_tags.c.value)).all())
        assert per_client == {str(index): TRACES_PER_CLIENT for index in range(CLIENTS)}
    finally:
        store.close()
