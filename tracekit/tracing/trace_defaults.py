"""What a new trace starts with: its experiment and the metadata linking it to what is active (run, model).

Tracking code registers providers here, so the tracing core does not import it; each provider is called once per
trace, when the root span starts, and must be cheap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from tracekit import config, serialization
from tracekit.constants import TRACE_SCHEMA_VERSION, TraceMetadataKey
from tracekit.entities.experiment import DEFAULT_EXPERIMENT_ID
from tracekit.tracing.safety import report_internal_error

logger = logging.getLogger(__name__)

ExperimentResolver = Callable[[], "str | None"]
MetadataProvider = Callable[[], "dict[str, str] | None"]

_experiment_resolver: ExperimentResolver | None = None
_metadata_providers: list[MetadataProvider] = []
_settings_listeners: list[Callable[[], None]] = []
# TRACEKIT_EXPERIMENT_ID, read once per runtime build instead of once per trace
_configured_experiment_id = config.EXPERIMENT_ID.get()


def refresh_settings() -> None:
    """Re-read TRACEKIT_EXPERIMENT_ID, and let the providers re-read the settings they cache."""
    global _configured_experiment_id
    _configured_experiment_id = config.EXPERIMENT_ID.get()
    for listener in _settings_listeners:
        listener()


def add_settings_listener(listener: Callable[[], None]) -> None:
    """Call `listener` whenever settings are re-read (`tracekit.tracing.reset()`), so that a provider can cache
    the environment variables it needs instead of reading them on every trace."""
    if listener not in _settings_listeners:
        _settings_listeners.append(listener)


def set_experiment_resolver(resolver: ExperimentResolver | None) -> None:
    """Install the function that names the current experiment (tracking code does this)."""
    global _experiment_resolver
    _experiment_resolver = resolver


def register_metadata_provider(provider: MetadataProvider) -> None:
    """Add a function whose returned dict is merged into every new trace's metadata."""
    if provider not in _metadata_providers:
        _metadata_providers.append(provider)


def current_experiment_id() -> str:
    """The experiment new traces go to: the resolver's answer, else TRACEKIT_EXPERIMENT_ID, else "0"."""
    if _experiment_resolver is not None:
        try:
            resolved = _experiment_resolver()
            if resolved:
                return str(resolved)
        except Exception:  # noqa: BLE001 - tracing must not fail because a resolver did
            report_internal_error("resolving the experiment of a new trace (the default is used)")
    return _configured_experiment_id or DEFAULT_EXPERIMENT_ID


def initial_metadata() -> dict[str, str]:
    """Metadata every new trace starts with."""
    metadata = {TraceMetadataKey.TRACE_SCHEMA_VERSION: TRACE_SCHEMA_VERSION}
    for provider in _metadata_providers:
        try:
            extra = provider()
        except Exception:  # noqa: BLE001
            report_internal_error("a trace metadata provider (the trace starts without its metadata)")
            continue
        if extra:
            _add_safe(metadata, extra)
    return metadata


def _add_safe(metadata: dict[str, str], extra: dict[str, str]) -> None:
    """Add `extra` to `metadata` made safe to store (`serialization.safe_str_map`). A provider's ids (run, model) are
    plain ASCII text: checked here without a call per key and value, since this runs for every trace."""
    try:
        for key, value in extra.items():
            if type(key) is not str or type(value) is not str or not key.isascii() or not value.isascii():
                break
            metadata[key] = value
        else:
            return
    except Exception:  # noqa: BLE001 - a mapping whose iteration raises: safe_str_map gives its marked entry
        pass
    metadata.update(serialization.safe_str_map(extra))
