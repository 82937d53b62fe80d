"""Request header and auth provider plugins, seen from a real tracking server on 127.0.0.1: the headers arrive on
every request, and the auth provider TRACEKIT_TRACKING_AUTH names is the one that authenticates."""

from __future__ import annotations

import logging

import pytest
from server_helpers import ThreadedServer

import tracekit
from tracekit.exceptions import TracekitException
from tracekit.plugins.request_auth import REQUEST_AUTH_PROVIDER_GROUP
from tracekit.plugins.request_headers import REQUEST_HEADER_PROVIDER_GROUP
from tracekit.server import ServerSettings, create_app
from tracekit.store.backend import close_backends

TOKEN = "plugin-token-0123456789"

HEADER_PROVIDERS = """
    from tracekit.plugins import RequestHeaderProvider

    class ClusterHeaders(RequestHeaderProvider):
        def in_context(self):
            return True

        def request_headers(self):
            return {"X-Cluster-Id": "c-42"}

    class Failing(RequestHeaderProvider):
        def in_context(self):
            return True

        def request_headers(self):
            raise RuntimeError("no cluster metadata")
"""

AUTH_PROVIDERS = f"""
    import httpx
    from tracekit.plugins import RequestAuthProvider

    class HeaderSetter(RequestAuthProvider):
        def get_name(self):
            return "vault"

        def get_auth(self):
            def set_headers(request):
                request.headers["Authorization"] = "Bearer {TOKEN}"
            return set_headers

    class HttpxBearer(RequestAuthProvider):
        def get_name(self):
            return "vault-httpx"

        def get_auth(self):
            class Bearer(httpx.Auth):
                def auth_flow(self, request):
                    request.headers["Authorization"] = "Bearer {TOKEN}"
                    yield request
            return Bearer()
"""


class HeaderRecorder:
    """ASGI wrapper keeping the headers of every HTTP request that reaches the app."""

    def __init__(self, app) -> None:
        self.app = app
        self.requests: list[dict[str, str]] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.requests.append({key.decode().lower(): value.decode() for key, value in scope["headers"]})
        await self.app(scope, receive, send)


@pytest.fixture
def recorded_server(tmp_path):
    recorder = HeaderRecorder(create_app(ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 'server.db'}")))
    running = ThreadedServer(recorder).start()
    yield running, recorder
    running.stop()


@pytest.fixture
def bearer_server(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACEKIT_SERVER_TOKENS", TOKEN)
    running = ThreadedServer(create_app(ServerSettings(backend_store_uri=f"sqlite:///{tmp_path / 'server.db'}",
                                                       auth="bearer"))).start()
    yield running
    running.stop()


def test_every_request_carries_the_plugins_headers(plugin_site, recorded_server, caplog):
    plugin_site.install("cluster-headers", "cluster_headers", HEADER_PROVIDERS, REQUEST_HEADER_PROVIDER_GROUP, [
        "cluster = cluster_headers:ClusterHeaders", "failing = cluster_headers:Failing"])
    server, recorder = recorded_server
    tracekit.set_tracking_uri(server.url)
    with caplog.at_level(logging.ERROR, logger="tracekit.plugins"):
        with tracekit.start_run() as run:
            tracekit.log_param("alpha", 0.5)
        assert tracekit.get_run(run.info.run_id).data.params == {"alpha": "0.5"}
    assert len(recorder.requests) >= 3
    assert all(headers.get("x-cluster-id") == "c-42" for headers in recorder.requests)
    assert sum("no cluster metadata" in record.getMessage() for record in caplog.records) == 1


@pytest.mark.parametrize("variable", ["TRACEKIT_TRACKING_AUTH", "MLFLOW_TRACKING_AUTH"])
@pytest.mark.parametrize("provider", ["vault", "vault-httpx"])
def test_auth_provider_named_in_the_environment_authenticates(plugin_site, bearer_server, monkeypatch, variable,
                                                              provider):
    plugin_site.install("vault-auth", "vault_auth", AUTH_PROVIDERS, REQUEST_AUTH_PROVIDER_GROUP, [
        "vault = vault_auth:HeaderSetter", "vault-httpx = vault_auth:HttpxBearer"])
    tracekit.set_tracking_uri(bearer_server.url)
    with pytest.raises(TracekitException) as refused:
        tracekit.create_experiment("without-auth")
    assert refused.value.error_code == "UNAUTHENTICATED"
    close_backends()
    monkeypatch.setenv(variable, provider)
    experiment_id = tracekit.create_experiment("with-auth")
    assert tracekit.get_experiment_by_name("with-auth").experiment_id == experiment_id


def test_unknown_auth_provider_name_lists_the_installed_ones(plugin_site, bearer_server, monkeypatch):
    plugin_site.install("vault-auth", "vault_auth", AUTH_PROVIDERS, REQUEST_AUTH_PROVIDER_GROUP, [
        "vault = vault_auth:HeaderSetter", "vault-httpx = vault_auth:HttpxBearer"])
    monkeypatch.setenv("TRACEKIT_TRACKING_AUTH", "kerberos")
    tracekit.set_tracking_uri(bearer_server.url)
    with pytest.raises(TracekitException, match=r"TRACEKIT_TRACKING_AUTH='kerberos'.*Installed: vault, vault-httpx"):
        tracekit.create_experiment("never")


def test_two_auth_providers_with_one_name_is_an_error_naming_both(plugin_site, bearer_server, monkeypatch):
    plugin_site.install("vault-auth", "vault_auth", AUTH_PROVIDERS, REQUEST_AUTH_PROVIDER_GROUP, [
        "vault = vault_auth:HeaderSetter"])
    plugin_site.install("other-vault", "other_vault", """
        from tracekit.plugins import RequestAuthProvider

        class AlsoVault(RequestAuthProvider):
            def get_name(self):
                return "vault"

            def get_auth(self):
                return lambda request: None
    """, REQUEST_AUTH_PROVIDER_GROUP, ["vault = other_vault:AlsoVault"])
    monkeypatch.setenv("TRACEKIT_TRACKING_AUTH", "vault")
    tracekit.set_tracking_uri(bearer_server.url)
    with pytest.raises(TracekitException, match="Two plugins claim the name 'vault'") as raised:
        tracekit.create_experiment("never")
    assert "vault-auth" in str(raised.value) and "other-vault" in str(raised.value)


def test_raw_and_streamed_requests_carry_the_headers_too(plugin_site, recorded_server):
    from tracekit.store.rest.client import TrackingServerClient

    plugin_site.install("cluster-headers", "cluster_headers", HEADER_PROVIDERS, REQUEST_HEADER_PROVIDER_GROUP, [
        "cluster = cluster_headers:ClusterHeaders"])
    server, recorder = recorded_server
    client = TrackingServerClient(server.url)
    client.send("GET", "/health").close()
    streamed = client.send("GET", "/version", stream=True, headers={"X-Cluster-Id": "override"})
    streamed.read()
    streamed.close()
    client.close()
    assert [headers.get("x-cluster-id") for headers in recorder.requests] == ["c-42", "override"]
