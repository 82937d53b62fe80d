"""Fixtures for the autolog tests: the fake LLM server on 127.0.0.1, clients pointed at it, and clean patches."""

from __future__ import annotations

import logging
import os
import tempfile

import pytest
from fake_llm_server import FakeLLMServer

# LiteLLM fetches its model price list from the internet on import unless told to use the copy it ships.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# DSPy keeps a response cache on disk under the home directory unless told where; the DSPy tests also turn it off.
os.environ.setdefault("DSPY_CACHEDIR", os.path.join(tempfile.gettempdir(), "tracekit-tests-dspy-cache"))


@pytest.fixture(scope="session")
def llm_server():
    """One fake OpenAI/Anthropic server for the whole session."""
    with FakeLLMServer() as server:
        yield server


@pytest.fixture(autouse=True)
def no_patches_left():
    """Every test starts and ends with all integrations off."""
    from tracekit import autolog

    autolog(disable=True)
    yield
    autolog(disable=True)


@pytest.fixture
def internal_warnings(internal_errors_swallowed, caplog):
    """Warnings tracekit logs about its own failures, swallowed as for users, each place's first one at WARNING."""
    caplog.set_level(logging.WARNING, logger="tracekit")

    def collect() -> list[logging.LogRecord]:
        return [record for record in caplog.records
                if record.levelno == logging.WARNING and "autolog" in record.getMessage()]

    return collect


@pytest.fixture
def openai_client(llm_server):
    openai = pytest.importorskip("openai")
    with openai.OpenAI(base_url=llm_server.openai_url, api_key="test-key", max_retries=0) as client:
        yield client


@pytest.fixture
async def async_openai_client(llm_server):
    openai = pytest.importorskip("openai")
    async with openai.AsyncOpenAI(base_url=llm_server.openai_url, api_key="test-key", max_retries=0) as client:
        yield client


@pytest.fixture
def anthropic_client(llm_server):
    anthropic = pytest.importorskip("anthropic")
    with anthropic.Anthropic(base_url=llm_server.anthropic_url, api_key="test-key", max_retries=0) as client:
        yield client


@pytest.fixture
async def async_anthropic_client(llm_server):
    anthropic = pytest.importorskip("anthropic")
    async with anthropic.AsyncAnthropic(base_url=llm_server.anthropic_url, api_key="test-key",
                                        max_retries=0) as client:
        yield client
