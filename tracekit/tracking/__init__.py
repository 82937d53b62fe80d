"""Tracking: experiments, runs (params, metrics, tags) and logged models, and what is active now (run, model).

The fluent functions are re-exported from `tracekit`; they reach storage only through the `TrackingStore` of the
current tracking URI (`get_tracking_store()`), so a remote store can replace the SQL one without changing them.
Importing this package installs the hooks that link new traces to the active run and model.
"""

from tracekit.tracking import context as _context  # noqa: F401 - installs the trace hooks
from tracekit.tracking.registry import get_tracking_store
from tracekit.tracking.store import TrackingStore

__all__ = ["TrackingStore", "get_tracking_store"]
