"""`tracekit.autolog()` and the behaviour every integration shares: switching on and off, missing libraries."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

import tracekit.integrations._patching as patching
from tracekit import autolog

pytest.importorskip("openai")
pytest.importorskip("anthropic")
pytest.importorskip("langchain_core")
pytest.importorskip("sklearn")

import tracekit.integrations.anthropic as anthropic_autolog  # noqa: E402
import tracekit.integrations.langchain as langchain_autolog  # noqa: E402
import tracekit.integrations.openai as openai_autolog  # noqa: E402

# Every integration, in tracekit.autolog()'s order; the dev extra installs all their libraries.
ALL = ["openai", "anthropic", "langchain", "litellm", "llama_index", "mistral", "gemini", "bedrock", "dspy",
       "openai_agents", "sklearn", "xgboost", "lightgbm", "pytorch"]


def test_autolog_turns_on_every_installed_integration():
    assert autolog() == ALL
    assert openai_autolog.is_enabled() and anthropic_autolog.is_enabled() and langchain_autolog.is_enabled()


def test_autolog_disable_turns_them_all_off():
    autolog()
    assert autolog(disable=True) == []
    assert not (openai_autolog.is_enabled() or anthropic_autolog.is_enabled() or langchain_autolog.is_enabled())


def test_autolog_skips_libraries_that_are_not_installed_quietly(monkeypatch, caplog):
    real = patching.installed_version
    monkeypatch.setattr(patching, "installed_version",
                        lambda name: None if name == "anthropic" else real(name))

    assert autolog() == [name for name in ALL if name != "anthropic"]
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_integration_warns_and_stays_off_when_its_library_is_missing(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "openai", None)  # makes `import openai` raise ImportError

    openai_autolog.autolog()

    assert not openai_autolog.is_enabled()
    assert "openai" in caplog.text and "not installed" in caplog.text


def test_integration_warns_and_stays_off_for_an_unsupported_version(monkeypatch, caplog):
    monkeypatch.setattr(patching, "installed_version", lambda name: "0.28.1")

    openai_autolog.autolog()

    assert not openai_autolog.is_enabled()
    assert "0.28.1" in caplog.text and "openai>=1.0" in caplog.text


def test_missing_method_in_an_older_version_is_skipped(monkeypatch):
    from openai.resources import responses

    monkeypatch.delattr(responses.Responses, "create")  # as if this version had no responses API
    openai_autolog.autolog()

    assert openai_autolog.is_enabled()
    assert not hasattr(responses.Responses, "create")


def test_patch_wrapped_over_by_another_library_passes_calls_through_after_disable(openai_client, exported):
    import wrapt
    from openai.resources.chat.completions import Completions

    original = vars(Completions)["create"]
    openai_autolog.autolog()
    calls = []

    def other(wrapped, instance, args, kwargs):
        calls.append(1)
        return wrapped(*args, **kwargs)

    wrapt.wrap_function_wrapper(Completions, "create", other)
    try:
        openai_autolog.autolog(disable=True)
        openai_client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    finally:
        Completions.create = original  # take both patches off

    assert calls == [1]  # the other library's patch still works
    assert exported() == []  # ours records nothing


def _run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_tracekit_autolog_is_a_function_on_the_package():
    assert _run_python("import tracekit; print(tracekit.autolog())") == str(ALL)


def test_tracekit_autolog_stays_a_function_after_an_integration_is_imported():
    code = "import inspect, tracekit, tracekit.integrations.openai; print(inspect.isfunction(tracekit.autolog))"
    assert _run_python(code) == "True"



def test_disable_all_imports_no_integration_that_was_never_on():
    code = ("import sys, tracekit; tracekit.autolog(disable=True); "
            "print(sorted(name for name in ('litellm', 'mistralai', 'google.genai', 'tracekit.integrations.openai') "
            "if name in sys.modules))")
    assert _run_python(code) == "[]"
