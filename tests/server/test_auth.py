"""Authentication: off by default; HTTP Basic or Bearer when asked; a request without valid credentials gets 401
and reads nothing; credentials never reach a log."""

from __future__ import annotations

import base64
import logging

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from server_helpers import ThreadedServer, build_trace

from tracekit.cli import main
from tracekit.exceptions import TracekitException
from tracekit.server import ServerSettings, create_app
from tracekit.server.login_limit import MAX_FAILURES, FailedLoginLimit
from tracekit.store.rest.remote_traces import RestTraceStore
from tracekit.store.sql.traces import SqlTraceStore

PASSWORD = "s3cret-Pa55word"
TOKEN = "tok-0123456789abcdef"
API = "/api/v1/traces"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def users_file(tmp_path):
    path = tmp_path / "users"
    path.write_text(f"# team\nalice:{PASSWORD}\n\nbob:other-password\n")
    return str(path)


@pytest.fixture
def basic_api(make_client, users_file):
    return make_client(auth="basic", users_file=users_file)


def test_auth_is_off_by_default(api):
    assert api.post(f"{API}/search", json={}).status_code == 200


@pytest.mark.parametrize("headers", [{}, basic("alice", "wrong"), basic("mallory", PASSWORD),
                                     {"Authorization": f"Bearer {PASSWORD}"}, {"Authorization": "Basic !!"}])
def test_requests_without_valid_credentials_get_401_and_no_data(basic_api, server_db, headers):
    trace = build_trace()
    SqlTraceStore(server_db).write_traces([trace])
    answer = basic_api.get(f"{API}/{trace.info.trace_id}", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Basic")
    assert trace.info.trace_id not in answer.text and answer.json()["error_code"] == "UNAUTHENTICATED"
    upload = basic_api.post(f"{API}/batch", json={"traces": [build_trace().to_dict()]}, headers=headers)
    assert upload.status_code == 401
    assert SqlTraceStore(server_db).count_traces(["0"]) == 1


def test_valid_basic_credentials_pass(basic_api):
    assert basic_api.post(f"{API}/search", json={}, headers=basic("alice", PASSWORD)).status_code == 200
    assert basic_api.post(f"{API}/search", json={}, headers=basic("bob", "other-password")).status_code == 200


def test_health_needs_no_credentials(basic_api):
    assert basic_api.get("/health").status_code == 200


def test_credentials_are_checked_before_the_body_is_read(make_client, users_file):
    small = make_client(auth="basic", users_file=users_file, max_body_bytes=2048)
    answer = small.post(f"{API}/batch", content=b"x" * 10_000, headers={"Content-Type": "application/json"})
    assert answer.status_code == 401


def test_otlp_ingest_is_protected_too(basic_api):
    assert basic_api.post("/v1/traces", json={"resourceSpans": []}).status_code == 401


def test_bearer_tokens_from_the_environment(make_client, monkeypatch):
    monkeypatch.setenv("TRACEKIT_SERVER_TOKENS", f"other-token, {TOKEN}")
    bearer = make_client(auth="bearer")
    assert bearer.post(f"{API}/search", json={}, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    refused = bearer.post(f"{API}/search", json={}, headers={"Authorization": "Bearer nope"})
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_openapi_document_declares_the_security_scheme(basic_api):
    document = basic_api.get("/openapi.json", headers=basic("alice", PASSWORD)).json()
    assert document["components"]["securitySchemes"] == {"basic": {"type": "http", "scheme": "basic"}}
    assert document["paths"][f"{API}/search"]["post"]["security"] == [{"basic": []}]


def test_basic_auth_without_users_fails_at_startup(server_db):
    with pytest.raises(TracekitException, match="needs users"):
        create_app(ServerSettings(backend_store_uri=server_db, auth="basic"))


@pytest.fixture
def basic_server(server_db, users_file):
    running = ThreadedServer(create_app(ServerSettings(backend_store_uri=server_db, auth="basic",
                                                       users_file=users_file))).start()
    yield running
    running.stop()


@pytest.fixture
def bearer_server(server_db, monkeypatch):
    monkeypatch.setenv("TRACEKIT_SERVER_TOKENS", TOKEN)
    running = ThreadedServer(create_app(ServerSettings(backend_store_uri=server_db, auth="bearer"))).start()
    yield running
    running.stop()


def test_client_sends_username_and_password_from_the_environment(basic_server, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("TRACEKIT_TRACKING_USERNAME", "alice")
    monkeypatch.setenv("TRACEKIT_TRACKING_PASSWORD", PASSWORD)
    store = RestTraceStore(basic_server.url)
    store.write_traces([build_trace()])
    assert len(store.search_traces(["0"])) == 1
    monkeypatch.setenv("TRACEKIT_TRACKING_PASSWORD", "wrong")
    with pytest.raises(TracekitException, match="TRACEKIT_TRACKING_USERNAME") as refused:
        RestTraceStore(basic_server.url).search_traces(["0"])
    assert refused.value.error_code == "UNAUTHENTICATED"
    assert PASSWORD not in caplog.text and base64.b64encode(f"alice:{PASSWORD}".encode()).decode() not in caplog.text
    assert "Rejected POST /api/v1/traces/search" in caplog.text


def test_client_falls_back_on_mlflow_username_and_password(basic_server, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "alice")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", PASSWORD)
    store = RestTraceStore(basic_server.url)
    store.write_traces([build_trace()])
    assert len(store.search_traces(["0"])) == 1


def test_tracekit_credentials_win_over_mlflow_ones(basic_server, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "alice")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", PASSWORD)
    monkeypatch.setenv("TRACEKIT_TRACKING_USERNAME", "alice")
    monkeypatch.setenv("TRACEKIT_TRACKING_PASSWORD", "wrong")
    with pytest.raises(TracekitException, match="HTTP 401"):
        RestTraceStore(basic_server.url).search_traces(["0"])


def test_client_falls_back_on_an_mlflow_token_and_tracekit_token_wins(bearer_server, server_db, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", TOKEN)
    RestTraceStore(bearer_server.url).write_traces([build_trace()])
    monkeypatch.setenv("TRACEKIT_TRACKING_TOKEN", "not-the-token")
    with pytest.raises(TracekitException, match="HTTP 401"):
        RestTraceStore(bearer_server.url).write_traces([build_trace()])
    assert SqlTraceStore(server_db).count_traces(["0"]) == 1


def test_client_sends_a_bearer_token_from_the_environment(bearer_server, server_db, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("TRACEKIT_TRACKING_TOKEN", TOKEN)
    RestTraceStore(bearer_server.url).write_traces([build_trace()])
    monkeypatch.setenv("TRACEKIT_TRACKING_TOKEN", "not-the-token")
    with pytest.raises(TracekitException, match="HTTP 401"):
        RestTraceStore(bearer_server.url).write_traces([build_trace()])
    assert SqlTraceStore(server_db).count_traces(["0"]) == 1
    assert TOKEN not in caplog.text


@pytest.mark.slow
def test_server_process_logs_never_show_credentials(server_process, monkeypatch):
    server = server_process(None, "--auth", "basic", "--log-level", "debug",
                            env={"TRACEKIT_SERVER_USERS": f"alice:{PASSWORD}"}).start()
    good, bad = basic("alice", PASSWORD), basic("alice", PASSWORD + "x")
    assert httpx.post(f"{server.url}{API}/search", json={}, headers=good).status_code == 200
    assert httpx.post(f"{server.url}{API}/search", json={}, headers=bad).status_code == 401
    assert httpx.get(f"{server.url}/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 401
    server.stop()
    logs = server.logs()
    assert "Rejected POST /api/v1/traces/search" in logs
    for secret in (PASSWORD, good["Authorization"], bad["Authorization"], TOKEN):
        assert secret not in logs


def test_cli_refuses_basic_auth_without_users(tmp_path):
    result = CliRunner().invoke(main, ["server", "--backend-store-uri", f"sqlite:///{tmp_path / 'x.db'}",
                                       "--auth", "basic"])
    assert result.exit_code != 0
    assert "needs users" in result.output


TRACKING_REQUESTS = [
    ("POST", "/api/v1/experiments", {"name": "secret-project"}),
    ("POST", "/api/v1/experiments/search", {}),
    ("GET", "/api/v1/experiments/0", None),
    ("POST", "/api/v1/runs", {"experiment_id": "0", "start_time": 1}),
    ("POST", "/api/v1/runs/search", {}),
    ("POST", "/api/v1/logged-models/search", {}),
    ("GET", "/api/v1/traces/count", None),
]


@pytest.mark.parametrize(("method", "path", "body"), TRACKING_REQUESTS)
def test_tracking_routes_need_credentials_too(basic_api, server_db, method, path, body):
    answer = basic_api.request(method, path, json=body)
    assert answer.status_code == 401 and answer.json()["error_code"] == "UNAUTHENTICATED"
    assert "Default" not in answer.text  # the default experiment's name: nothing was read
    alice = basic("alice", PASSWORD)
    experiments = basic_api.post("/api/v1/experiments/search", json={"view_type": "ALL"}, headers=alice).json()
    assert [e["name"] for e in experiments["experiments"]] == ["Default"]  # nothing was written
    assert basic_api.post("/api/v1/runs/search", json={}, headers=alice).json()["runs"] == []
    assert basic_api.request(method, path, json=body, headers=alice).status_code == 200


def test_fluent_tracking_api_sends_credentials(basic_server, monkeypatch):
    import tracekit
    from tracekit.store.backend import close_backends

    monkeypatch.setenv("TRACEKIT_TRACKING_USERNAME", "alice")
    monkeypatch.setenv("TRACEKIT_TRACKING_PASSWORD", PASSWORD)
    tracekit.set_tracking_uri(basic_server.url)
    try:
        with tracekit.start_run() as run:
            tracekit.log_metric("m", 1.0)
        assert tracekit.get_run(run.info.run_id).data.metrics == {"m": 1.0}
    finally:
        close_backends()


def test_a_rejected_path_cannot_forge_a_log_line(basic_api, caplog):
    with caplog.at_level(logging.WARNING, logger="tracekit.server.auth"):
        assert basic_api.get("/api/v1/traces/x%0aFORGED").status_code == 401
    assert caplog.records
    for line in caplog.text.splitlines():
        assert not line.startswith("FORGED")


def test_failed_logins_are_rate_limited_per_client_address(make_client, users_file):
    app = make_client(auth="basic", users_file=users_file).app
    guesser = TestClient(app, client=("203.0.113.7", 40000))
    neighbour = TestClient(app, client=("203.0.113.8", 40000))
    for attempt in range(MAX_FAILURES):
        assert guesser.get("/api/v1/experiments/0", headers=basic("alice", f"guess-{attempt}")).status_code == 401
    blocked = guesser.get("/api/v1/experiments/0", headers=basic("alice", "guess-again"))
    assert blocked.status_code == 429
    assert blocked.json()["error_code"] == "TOO_MANY_REQUESTS"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    # The right password does not unlock the address either: no guessing past the limit.
    assert guesser.get("/api/v1/experiments/0", headers=basic("alice", PASSWORD)).status_code == 429
    # Another address is not affected.
    assert neighbour.get("/api/v1/experiments/0", headers=basic("alice", PASSWORD)).status_code == 200


def test_failed_login_limit_frees_an_address_after_the_window_and_stays_bounded():
    limit = FailedLoginLimit(max_failures=3, window_seconds=60, max_clients=100)
    for second in range(3):
        limit.failed("198.51.100.1", now=1000.0 + second)
    assert limit.retry_after("198.51.100.1", now=1003.0) == 57
    assert limit.retry_after("198.51.100.1", now=1060.5) == 0  # the first failure left the window
    for number in range(1000):
        limit.failed(f"10.0.{number // 256}.{number % 256}", now=2000.0)
    assert limit.tracked_clients() == 100
