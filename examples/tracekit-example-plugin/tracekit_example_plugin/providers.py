"""The example's providers: a tag on every run, a header on every request to a tracking server, and an auth
provider selected by `TRACEKIT_TRACKING_AUTH=example-plugin-token`."""

from __future__ import annotations

import os
from collections.abc import Callable

import httpx

from tracekit.plugins import RequestAuthProvider, RequestHeaderProvider, RunContextProvider
from tracekit_example_plugin import __version__

CLUSTER_VARIABLE = "EXAMPLE_PLUGIN_CLUSTER"
APP_KEY_VARIABLE = "EXAMPLE_PLUGIN_APP_KEY"
TOKEN_VARIABLE = "EXAMPLE_PLUGIN_TOKEN"
AUTH_NAME = "example-plugin-token"


class PluginRunContextProvider(RunContextProvider):
    """Tags every new run with the plugin's version, and with the cluster when EXAMPLE_PLUGIN_CLUSTER is set."""

    def in_context(self) -> bool:
        return True

    def tags(self) -> dict[str, str]:
        tags = {"example_plugin.version": __version__}
        if os.environ.get(CLUSTER_VARIABLE):
            tags["example_plugin.cluster"] = os.environ[CLUSTER_VARIABLE]
        return tags


class PluginRequestHeaderProvider(RequestHeaderProvider):
    """Sends `X-Example-Plugin-Cluster` on every request while EXAMPLE_PLUGIN_CLUSTER is set, and
    `X-Example-Plugin-Key` (what the plugin's server app asks for) while EXAMPLE_PLUGIN_APP_KEY is set."""

    def in_context(self) -> bool:
        return bool(os.environ.get(CLUSTER_VARIABLE) or os.environ.get(APP_KEY_VARIABLE))

    def request_headers(self) -> dict[str, str]:
        headers = {}
        if os.environ.get(CLUSTER_VARIABLE):
            headers["X-Example-Plugin-Cluster"] = os.environ[CLUSTER_VARIABLE]
        if os.environ.get(APP_KEY_VARIABLE):
            headers["X-Example-Plugin-Key"] = os.environ[APP_KEY_VARIABLE]
        return headers


class PluginRequestAuthProvider(RequestAuthProvider):
    """A bearer token read from EXAMPLE_PLUGIN_TOKEN at each request."""

    def get_name(self) -> str:
        return AUTH_NAME

    def get_auth(self) -> Callable[[httpx.Request], None]:
        def set_token(request: httpx.Request) -> None:
            request.headers["Authorization"] = f"Bearer {os.environ.get(TOKEN_VARIABLE, '')}"

        return set_token
