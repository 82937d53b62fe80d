"""What a test does when a real part it needs (a database server, a browser) is missing."""

from __future__ import annotations

import os

import pytest


def require_or_skip(message: str) -> None:
    """Skip the calling test, or fail it under CI=true, where every real part must be present."""
    in_ci = os.environ.get("CI", "").lower() == "true"
    (pytest.fail if in_ci else pytest.skip)(message)
