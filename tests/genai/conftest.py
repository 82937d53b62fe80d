"""genai tests run against the SQLite tracking store every test gets (tests/conftest.py) unless they ask for
PostgreSQL."""

from __future__ import annotations

import pytest


@pytest.fixture
def qa_rows() -> list[dict]:
    """Three answered questions with their expected answers: two right, one wrong."""
    return [
        {"inputs": {"question": "2+2?"}, "outputs": "4", "expectations": {"answer": "4"}},
        {"inputs": {"question": "capital of France?"}, "outputs": "Paris", "expectations": {"answer": "Paris"}},
        {"inputs": {"question": "3*3?"}, "outputs": "6", "expectations": {"answer": "9"}},
    ]
