"""`tracekit.autolog()` imports no library: one not imported yet is patched when the program imports it.

Each test runs a fresh interpreter, so `sys.modules` holds only what the test code imports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("openai")

_PATCHED = ("from openai.resources.chat.completions import Completions; "
            "patched = type(vars(Completions)['create']).__name__ == 'FunctionWrapper'")


def _run_python(code: str, tmp_path, **env: str) -> dict:
    """Run `code` in a fresh interpreter with a SQLite store in `tmp_path`; it prints one JSON object last."""
    environment = dict(os.environ, TRACEKIT_TRACKING_URI=f"sqlite:///{tmp_path / 'store.db'}",
                       TRACEKIT_RAISE_INTERNAL_ERRORS="false", LITELLM_LOCAL_MODEL_COST_MAP="True", **env)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300, env=environment, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "stderr": done.stderr}


def test_autolog_before_import_traces_calls_of_the_library_imported_later(tmp_path, llm_server):
    result = _run_python(f"""
        import json, sys, tracekit
        on = tracekit.autolog(extra_tags={{"first": "call"}})
        on_again = tracekit.autolog(extra_tags={{"team": "search"}})  # the options in force at import
        imported_by_autolog = "openai" in sys.modules
        import openai
        client = openai.OpenAI(base_url={llm_server.openai_url!r}, api_key="test-key", max_retries=0)
        client.chat.completions.create(model="m", messages=[{{"role": "user", "content": "hi"}}])
        tracekit.flush_trace_async_logging()
        trace = tracekit.get_trace(tracekit.get_last_active_trace_id())
        print(json.dumps({{"on": on, "on_again": on_again, "imported_by_autolog": imported_by_autolog,
                          "span": trace.data.spans[0].name, "tags": trace.info.tags}}))
    """, tmp_path)

    assert "openai" in result["on"] and result["on_again"] == result["on"]
    assert not result["imported_by_autolog"]
    assert result["span"] == "openai.chat.completions"
    assert result["tags"].get("team") == "search" and "first" not in result["tags"]


def test_autolog_imports_none_of_the_slow_libraries(tmp_path):
    slow = ["litellm", "lightning", "pytorch_lightning", "torch", "llama_index.core", "agents", "dspy",
            "langchain_core", "sklearn", "openai"]
    result = _run_python(f"""
        import json, sys, tracekit
        on = tracekit.autolog()
        print(json.dumps({{"on": on, "imported": [name for name in {slow!r} if name in sys.modules]}}))
    """, tmp_path)

    assert {"litellm", "pytorch", "llama_index", "openai_agents"} <= set(result["on"])
    assert result["imported"] == []


def test_a_library_already_imported_is_patched_at_once(tmp_path):
    result = _run_python(f"""
        import json, openai, tracekit
        tracekit.autolog()
        {_PATCHED}
        print(json.dumps({{"patched": patched}}))
    """, tmp_path)

    assert result["patched"]


def test_disable_before_the_import_cancels_the_patch(tmp_path):
    result = _run_python(f"""
        import json, tracekit
        tracekit.autolog()
        on = tracekit.autolog(disable=True)
        import openai
        {_PATCHED}
        print(json.dumps({{"on": on, "patched": patched}}))
    """, tmp_path)

    assert result == {"on": [], "patched": False, "stderr": result["stderr"]}


def test_the_library_entry_point_called_later_decides(tmp_path):
    result = _run_python(f"""
        import json, tracekit
        tracekit.autolog()
        tracekit.openai.autolog(disable=True)
        import openai
        {_PATCHED}
        print(json.dumps({{"patched": patched}}))
    """, tmp_path)

    assert not result["patched"]


def test_calling_autolog_twice_patches_once(tmp_path):
    result = _run_python("""
        import json, tracekit
        tracekit.autolog()
        tracekit.autolog()
        import openai
        from openai.resources.chat.completions import Completions
        wrapper = vars(Completions)["create"]
        print(json.dumps({"once": type(wrapper.__wrapped__).__name__ == "function"}))
    """, tmp_path)

    assert result["once"]


def test_a_failure_while_patching_on_import_does_not_break_the_import(tmp_path):
    result = _run_python("""
        import json, tracekit
        import tracekit.integrations.openai as integration
        from tracekit.tracing.safety import internal_error_counts

        def broken():
            raise RuntimeError("patching failed")

        integration._targets = broken
        tracekit.autolog()
        import openai
        print(json.dumps({"client": openai.OpenAI.__name__, "errors": internal_error_counts()}))
    """, tmp_path)

    assert result["client"] == "OpenAI"
    assert result["errors"] == {"autolog of openai on import": 1}
    assert "patching failed" in result["stderr"]


@pytest.mark.parametrize("name, module", [("sklearn", "sklearn"), ("xgboost", "xgboost"), ("lightgbm", "lightgbm"),
                                          ("pytorch", "lightning.pytorch")])
def test_a_training_library_entry_point_called_later_decides(tmp_path, name, module):
    pytest.importorskip(module)
    result = _run_python(f"""
        import json, tracekit
        tracekit.autolog()
        tracekit.{name}.autolog(disable=True)
        import {module}
        from tracekit.integrations import {name} as integration
        disabled_stays_off = not integration.is_enabled()
        tracekit.{name}.autolog(silent=True)
        print(json.dumps({{"disabled_stays_off": disabled_stays_off, "on_later": integration.is_enabled(),
                          "name": tracekit.{name}.autolog.__name__}}))
    """, tmp_path)

    assert result["disabled_stays_off"]
    assert result["on_later"]
    assert result["name"] == "autolog"
