"""Registry tests: the registry on each real database (`registry_uri`: the tracking URI, which the registry URI
defaults to), and a logged model with its source run to register."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import tracekit
from tracekit.store.backend import close_backends


@pytest.fixture
def registry_uri(db_uri) -> Iterator[str]:
    """The tracking URI (and so the registry URI) set to an emptied database of each kind."""
    close_backends()
    tracekit.set_tracking_uri(db_uri)
    yield db_uri
    close_backends()


@pytest.fixture
def client(registry_uri) -> tracekit.TracekitClient:
    """A client of the registry on each database kind."""
    return tracekit.TracekitClient()


@pytest.fixture
def logged_model() -> tracekit.LoggedModel:
    """A READY logged model created inside a finished run of the current tracking store."""
    with tracekit.start_run():
        return tracekit.create_external_model(name="classifier")
