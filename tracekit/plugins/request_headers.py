"""Request header providers: headers added to every request sent to a tracking server, from plugins in the
entry-point group `tracekit.request_header_provider`. A provider that raises is logged once and skipped."""

from __future__ import annotations

import abc

from tracekit.plugins.loading import load_instances, merge_provided

REQUEST_HEADER_PROVIDER_GROUP = "tracekit.request_header_provider"


class RequestHeaderProvider(abc.ABC):
    """Headers for requests to a tracking server; `request_headers()` is asked only when `in_context()` is True.

    >>> class ClusterHeaders(RequestHeaderProvider):
    ...     def in_context(self):
    ...         return "CLUSTER_ID" in os.environ
    ...     def request_headers(self):
    ...         return {"X-Cluster-Id": os.environ["CLUSTER_ID"]}
    """

    @abc.abstractmethod
    def in_context(self) -> bool:
        """Whether this provider has headers for requests sent now."""

    @abc.abstractmethod
    def request_headers(self) -> dict[str, str]:
        """The headers to add to the request."""


def resolve_request_headers() -> dict[str, str]:
    """The headers of every installed provider in context (loaded on the first call), later ones winning."""
    providers = load_instances(REQUEST_HEADER_PROVIDER_GROUP, RequestHeaderProvider)
    return merge_provided(providers, "request header provider", lambda provider: provider.request_headers())
