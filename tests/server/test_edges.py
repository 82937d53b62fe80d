"""Robust edges: the body size limit (413 with a message), no stack trace ever sent, an unreachable database as 503
(which clients retry)."""

from __future__ import annotations

import gzip

from fastapi.testclient import TestClient
from server_helpers import TcpProxy, build_trace
from sqlalchemy.engine import make_url

from tracekit.server import ServerSettings, create_app
from tracekit.store.backend import Backend, open_backend
from tracekit.store.paging import PagedList
from tracekit.store.trace_store import TraceStore

API = "/api/v1/traces"


def test_body_over_the_limit_is_a_413_with_a_message(make_client):
    small = make_client(max_body_bytes=4096)
    body = {"traces": [build_trace(inputs={"text": "x" * 5000}).to_dict()]}
    answer = small.post(f"{API}/batch", json=body)
    assert answer.status_code == 413
    assert answer.json()["error_code"] == "REQUEST_TOO_LARGE"
    assert "4096 bytes" in answer.json()["message"]


def test_chunked_body_over_the_limit_is_a_413(make_client):
    small = make_client(max_body_bytes=4096)

    def chunks():
        for _ in range(10):
            yield b"x" * 1000

    answer = small.post(f"{API}/batch", content=chunks(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413


def test_gzip_body_over_the_limit_once_decoded_is_a_413(make_client):
    small = make_client(max_body_bytes=4096)
    bomb = gzip.compress(b"\x00" * 1_000_000)
    answer = small.post("/v1/traces", content=bomb,
                        headers={"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"})
    assert answer.status_code == 413


class BrokenStore(TraceStore):
    """A store whose reads fail in an unexpected way."""

    def write_traces(self, traces):
        pass

    def get_trace(self, trace_id):
        raise RuntimeError("internal detail: /srv/secret/path")

    def search_traces(self, *args, **kwargs) -> PagedList:
        raise KeyError("another internal detail")

    def set_trace_tag(self, trace_id, key, value):
        pass

    def delete_trace_tag(self, trace_id, key):
        pass

    def delete_traces(self, *args, **kwargs):
        return 0


def test_unexpected_errors_are_500_without_a_stack_trace(server_db, caplog):
    app = create_app(ServerSettings(backend_store_uri=server_db), backend=Backend(server_db, BrokenStore()))
    client = TestClient(app, raise_server_exceptions=False)
    for answer in (client.get(f"{API}/tr-{'a' * 32}"), client.post(f"{API}/search", json={})):
        assert answer.status_code == 500
        body = answer.json()
        assert body["error_code"] == "INTERNAL_ERROR" and "error id" in body["message"]
        for leak in ("Traceback", "internal detail", "RuntimeError", "KeyError", ".py"):
            assert leak not in answer.text
    assert "internal detail: /srv/secret/path" in caplog.text  # the server log has the details


def test_unknown_route_and_method_are_json(api):
    assert api.get("/api/v1/nothing").json()["error_code"] == "ENDPOINT_NOT_FOUND"
    assert api.put(f"{API}/search").status_code == 405


def test_unreachable_database_is_a_503_and_health_says_so(postgres_uri):
    target = make_url(postgres_uri)
    proxy = TcpProxy(target.port or 5432)
    proxy.start()
    proxied = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    backend = open_backend(proxied)
    store = backend.traces
    client = TestClient(create_app(ServerSettings(backend_store_uri=proxied), backend=backend),
                        raise_server_exceptions=False)
    try:
        assert client.get("/health").status_code == 200
        proxy.stop()
        store.close()
        assert client.get("/health").status_code == 503
        answer = client.post(f"{API}/search", json={})
        assert answer.status_code == 503
        assert answer.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
    finally:
        proxy.stop()
        store.close()


def test_a_backend_holding_traces_only_answers_tracking_requests_with_501(server_db):
    app = create_app(ServerSettings(backend_store_uri=server_db), backend=Backend(server_db, BrokenStore()))
    client = TestClient(app, raise_server_exceptions=False)
    answer = client.post("/api/v1/runs/search", json={})
    assert answer.status_code == 501
    assert answer.json()["error_code"] == "NOT_IMPLEMENTED" and "SQL database" in answer.json()["message"]
