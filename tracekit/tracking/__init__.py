"""Tracking: the fluent API for experiments, runs (params, metrics, tags) and logged models, and what is active now
(run, experiment, model).

The fluent functions are re-exported from `tracekit`; they reach storage only through the tracking store of the
current tracking URI's backend (`tracekit.store.backend.get_backend().tracking`), so a tracking server or a plugin
can replace the SQL database without changing them. Importing this package installs the hooks that link new traces to
the active run and model.
"""

from tracekit.tracking import state as _state  # noqa: F401 - installs the trace hooks
