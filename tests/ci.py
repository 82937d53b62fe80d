"""What a test does when a real part it needs (a database server, a browser) is missing: it skips, or under CI=true,
where every real part must be present, it fails (tests/ci_skips.py fails the other skips under CI=true)."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    """Whether this is CI's run (CI=true), where no test may skip."""
    return os.environ.get("CI", "").lower() == "true"


def require_or_skip(message: str) -> None:
    """Skip the calling test, or fail it under CI=true, where every real part must be present."""
    (pytest.fail if in_ci() else pytest.skip)(message)
