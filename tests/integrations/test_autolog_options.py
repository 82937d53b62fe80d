"""`tracekit.autolog()`'s options and the per-library entry points (`tracekit.openai.autolog()`, ...), each shown by
what it changes in the traces recorded from real library calls against the fake server on 127.0.0.1."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

import tracekit
import tracekit.integrations._patching as patching
from tracekit import autologging

pytest.importorskip("openai")
pytest.importorskip("anthropic")
pytest.importorskip("langchain_core")

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage  # noqa: E402

USER = [{"role": "user", "content": "hello there"}]


@pytest.fixture
def call_openai(openai_client):
    return lambda: openai_client.chat.completions.create(model="gpt-test", messages=USER)


@pytest.fixture
def call_anthropic(anthropic_client):
    return lambda: anthropic_client.messages.create(model="claude-test", max_tokens=64, messages=USER)


@pytest.fixture
def call_langchain():
    return lambda: GenericFakeChatModel(messages=iter([AIMessage(content="hi")])).invoke("hello there")


@pytest.fixture
def tracekit_records(caplog):
    """Log records tracekit emits at any level."""
    caplog.set_level(logging.DEBUG, logger="tracekit")
    return lambda: [record for record in caplog.records if record.name.startswith("tracekit")]


def test_log_traces_false_records_no_trace(call_openai, call_anthropic, call_langchain, exported):
    # training runs are not traces
    assert tracekit.autolog(log_traces=False) == ["sklearn", "xgboost", "lightgbm", "pytorch"]

    call_openai()
    call_anthropic()
    call_langchain()

    assert exported() == []


def test_excluded_flavor_is_left_untraced(call_openai, call_anthropic, exported):
    assert tracekit.autolog(exclude_flavors=["openai"]) == ["anthropic", "langchain", "litellm", "llama_index",
                                                           "mistral", "gemini", "bedrock", "dspy", "openai_agents",
                                                           "sklearn", "xgboost", "lightgbm", "pytorch"]

    call_openai()
    call_anthropic()

    [trace] = exported()
    assert [span.name for span in trace.data.spans] == ["anthropic.messages"]


def test_unknown_flavor_is_refused_naming_the_valid_ones():
    with pytest.raises(tracekit.TracekitException) as raised:
        tracekit.autolog(exclude_flavors=["openai", "catboost"])

    assert "'catboost'" in raised.value.message
    assert ("['anthropic', 'bedrock', 'dspy', 'gemini', 'langchain', 'lightgbm', 'litellm', 'llama_index', 'mistral', "
            "'openai', 'openai_agents', 'pytorch', 'sklearn', 'xgboost']" in raised.value.message)
    assert not tracekit.integrations.openai.is_enabled()  # nothing was switched on


def test_extra_tags_are_tags_of_the_traces_autologged_calls_start(call_openai, call_langchain, exported):
    tracekit.autolog(extra_tags={"team": "search", "attempt": 2})

    call_openai()
    call_langchain()

    traces = exported()
    assert len(traces) == 2
    for trace in traces:
        assert trace.info.tags["team"] == "search"
        assert trace.info.tags["attempt"] == "2"


def test_extra_tags_leave_a_trace_the_call_only_joins_alone(call_openai, exported):
    tracekit.autolog(extra_tags={"team": "search"})

    @tracekit.trace
    def answer() -> None:
        call_openai()

    answer()

    [trace] = exported()
    assert len(trace.data.spans) == 2
    assert "team" not in trace.info.tags


def test_extra_tags_must_be_a_mapping():
    with pytest.raises(tracekit.TracekitException, match="extra_tags must be a dict"):
        tracekit.openai.autolog(extra_tags=["team", "search"])  # type: ignore[arg-type]


def test_setup_warnings_are_logged_without_silent(monkeypatch, tracekit_records):
    monkeypatch.setattr(patching, "installed_version", lambda name: "0.0.1")  # too old for every integration

    assert tracekit.autolog() == []

    warned = [record for record in tracekit_records() if record.levelno == logging.WARNING]
    assert len(warned) == len(autologging._INTEGRATIONS)  # one per integration


def test_silent_setup_logs_nothing(monkeypatch, tracekit_records):
    monkeypatch.setattr(patching, "installed_version", lambda name: "0.0.1")

    assert tracekit.autolog(silent=True) == []
    tracekit.openai.autolog(silent=True)

    assert tracekit_records() == []


def test_silent_leaves_later_warnings_alone(monkeypatch, tracekit_records):
    monkeypatch.setattr(patching, "installed_version", lambda name: "0.0.1")
    tracekit.autolog(silent=True)

    tracekit.openai.autolog()

    assert [record.levelno for record in tracekit_records()] == [logging.WARNING]


@pytest.mark.parametrize(("library", "span_name"), [("openai", "openai.chat.completions"),
                                                     ("anthropic", "anthropic.messages"),
                                                     ("langchain", "GenericFakeChatModel")])
def test_library_entry_point_traces_that_library_only(library, span_name, request, exported):
    calls = [request.getfixturevalue(f"call_{name}") for name in ("openai", "anthropic", "langchain")]

    getattr(tracekit, library).autolog()
    for call in calls:
        call()

    [trace] = exported()
    assert [span.name for span in trace.data.spans] == [span_name]


@pytest.mark.parametrize("library", ["openai", "anthropic", "langchain"])
def test_library_entry_point_disable_and_log_traces_false_stop_tracing(library, request, exported):
    call = request.getfixturevalue(f"call_{library}")
    entry_point = getattr(tracekit, library)

    entry_point.autolog(extra_tags={"app": "bot"})
    call()
    entry_point.autolog(disable=True)
    call()
    entry_point.autolog()
    entry_point.autolog(log_traces=False)
    call()

    [trace] = exported()
    assert trace.info.tags["app"] == "bot"


def test_library_entry_point_overrides_what_autolog_set_for_it(call_openai, call_anthropic, exported):
    tracekit.autolog(extra_tags={"team": "search"})
    tracekit.openai.autolog(extra_tags={"team": "billing"})

    call_openai()
    call_anthropic()

    tags = sorted(trace.info.tags["team"] for trace in exported())
    assert tags == ["billing", "search"]


def test_entry_points_work_after_a_bare_import_without_loading_integrations():
    code = ("import sys, tracekit\n"
            "assert not any(name.startswith('tracekit.integrations') for name in sys.modules)\n"
            "import tracekit.openai\n"
            "assert 'tracekit.integrations.openai' not in sys.modules\n"
            "tracekit.openai.autolog()\n"
            "print(tracekit.integrations.openai.is_enabled())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
