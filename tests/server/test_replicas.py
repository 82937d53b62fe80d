"""Two tracking servers on one PostgreSQL database behind nginx (Debian's, started here as the load balancer): eight
client processes stream traces through the balancer while one server is killed and restarted; every trace is stored
exactly once, and a page token one server hands out is valid on the other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
from ci import require_or_skip
from nginx_balancer import NGINX, Balancer
from server_helpers import ServerProcess, free_port
from waiting import wait_until

from tracekit.store.rest.remote_traces import RestTraceStore
from tracekit.store.sql.traces import SqlTraceStore

pytestmark = pytest.mark.slow

CLIENTS = 8
TRACES_PER_CLIENT = 120

CLIENT_SCRIPT = textwrap.dedent("""
    import json, sys, time
    import tracekit

    index, count = int(sys.argv[1]), int(sys.argv[2])

    @tracekit.trace
    def work(n):
        with tracekit.start_span("inner"):
            time.sleep(0.002)
        return n

    for n in range(count):
        with tracekit.start_span(f"client{index}-trace{n}"):
            work(n)
        time.sleep(0.02)  # a steady stream lasting seconds, so the kill lands mid-stream however fast the store is
    tracekit.flush_trace_async_logging()
    stats = tracekit.tracing.stats()
    print(json.dumps({"completed": stats.completed, "exported": stats.exported, "spilled": stats.spilled,
                      "replayed": stats.replayed, "rejected": stats.rejected, "dropped": stats.dropped}))
""")


@pytest.fixture
def balancer(tmp_path, postgres_uri):
    if not os.path.exists(NGINX):
        require_or_skip("nginx is not installed (apt-get install nginx)")
    servers = [ServerProcess(postgres_uri, tmp_path / f"server{i}.log", "--workers", "1").start() for i in (0, 1)]
    nginx = Balancer(tmp_path, free_port(), [server.port for server in servers])
    try:
        nginx.start()
        yield nginx.url, servers, postgres_uri
    finally:
        nginx.stop()
        for server in servers:
            server.stop()


def test_two_servers_behind_nginx_store_every_trace_once_while_one_restarts(balancer, tmp_path):
    url, servers, database_uri = balancer
    script = tmp_path / "client.py"
    script.write_text(CLIENT_SCRIPT)
    env = {**os.environ, "TRACEKIT_TRACKING_URI": url, "TRACEKIT_SPILL_DIR": str(tmp_path / "spill"),
           "TRACEKIT_EXPORT_RETRY_MAX_SECONDS": "60"}
    clients = [subprocess.Popen([sys.executable, str(script), str(index), str(TRACES_PER_CLIENT)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for index in range(CLIENTS)]
    store = SqlTraceStore(database_uri)
    try:
        # Kill one server once traces are flowing, and bring it back on the same port.
        assert wait_until(lambda: store.count_traces([]) >= 100, 120, interval=0.2)
        assert store.count_traces([]) < CLIENTS * TRACES_PER_CLIENT  # still streaming when the server dies
        servers[0].kill()
        time.sleep(1.0)
        servers[0].start()
        outputs = [client.communicate(timeout=300) for client in clients]
        for client, (_out, err) in zip(clients, outputs, strict=True):
            assert client.returncode == 0, err[-2000:]
        stats = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
        assert sum(s["completed"] for s in stats) == CLIENTS * TRACES_PER_CLIENT
        assert all(s["dropped"] == 0 and s["rejected"] == 0 for s in stats), stats
        assert all(s["spilled"] == s["replayed"] for s in stats), stats

        traces = store.search_traces([], max_results=None, include_spans=True)
        names = [trace.data.root_span.name for trace in traces]
        assert len(names) == CLIENTS * TRACES_PER_CLIENT
        assert len(set(names)) == len(names)  # each trace once
        assert set(names) == {f"client{i}-trace{n}" for i in range(CLIENTS) for n in range(TRACES_PER_CLIENT)}
        assert all(len(trace.data.spans) == 3 for trace in traces)  # no trace lost a span in the restart
    finally:
        for client in clients:
            if client.poll() is None:
                client.kill()
        store.close()


def test_a_page_token_from_one_server_is_valid_on_the_other(balancer):
    _url, servers, database_uri = balancer
    store = SqlTraceStore(database_uri)
    from trace_builders import build_trace

    store.write_traces([build_trace(tags={"n": str(n)}) for n in range(30)])
    store.close()
    first, second = (RestTraceStore(server.url) for server in servers)
    try:
        page_one = first.search_traces(["0"], max_results=20, include_spans=False)
        assert page_one.token
        page_two = second.search_traces(["0"], max_results=20, page_token=page_one.token, include_spans=False)
        ids = [trace.info.trace_id for trace in [*page_one, *page_two]]
        assert len(ids) == 30 and len(set(ids)) == 30
        assert page_two.token is None
    finally:
        first.close()
        second.close()
