"""`RestStore`: what a tracking server's URI serves (traces, experiments, runs, logged models and registered models)
through one pooled HTTP client, as one class built with the URI: tracekit's `http` and `https` entries of the store
groups (`tracekit.plugins.built_ins`), on the same contract as a plugin's store."""

from __future__ import annotations

from tracekit.registry.rest_registry import RestModelRegistryStore
from tracekit.store.rest.client import TrackingServerClient
from tracekit.store.rest.remote_traces import RestTraceStore
from tracekit.store.rest.remote_tracking import RestTrackingStore
from tracekit.store.uri import redact_uri


class RestStore(RestTraceStore, RestTrackingStore, RestModelRegistryStore):
    """Traces, tracking and the model registry of the tracking server at `uri`; nothing is connected until the
    first request.

    >>> store = RestStore("http://127.0.0.1:5000")
    >>> store.search_runs(["1"], filter_string="metrics.accuracy > 0.9")
    """

    def __init__(self, uri: str, client: TrackingServerClient | None = None) -> None:
        client = client or TrackingServerClient(uri)
        RestTraceStore.__init__(self, uri, client)
        RestTrackingStore.__init__(self, uri, client)
        RestModelRegistryStore.__init__(self, uri, client)

    def __repr__(self) -> str:
        return f"RestStore({redact_uri(self.uri)!r})"

    @staticmethod
    def check_uri(uri: str) -> None:
        """Raise TracekitException if `uri` is not a usable server URL, without connecting."""
        from tracekit.store.rest.client import server_base_url

        server_base_url(uri)
