"""OpenAI Agents SDK autolog, against the real `openai-agents` package running agents on the fake OpenAI server on
127.0.0.1 (the Responses API by default, Chat Completions through `OpenAIChatCompletionsModel`).

The fake server calls each offered tool once (a handoff is a tool to the model) and then answers with text, so a
triage agent hands off to the weather agent, which calls `get_weather` and answers.
"""

from __future__ import annotations

import asyncio
import gc

import pytest

import tracekit
from tracekit import SpanStatusCode, SpanType
from tracekit.constants import SpanAttributeKey
from tracekit.integrations import _genai

agents = pytest.importorskip("agents")
openai = pytest.importorskip("openai")
from agents import (  # noqa: E402
    Agent,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    OpenAIChatCompletionsModel,
    Runner,
    function_tool,
    input_guardrail,
)

import tracekit.integrations.openai as openai_autolog  # noqa: E402
import tracekit.integrations.openai_agents as agents_autolog  # noqa: E402

# The SDK's default processor exports to OpenAI's servers: these tests keep only tracekit's.
agents.set_trace_processors([])


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@pytest.fixture(autouse=True)
def autologged():
    agents_autolog.autolog()


@pytest.fixture
def client(llm_server):
    client = openai.AsyncOpenAI(base_url=llm_server.openai_url, api_key="test-key", max_retries=0)
    agents.set_default_openai_client(client, use_for_tracing=False)
    return client


def triage_agent(model: object = "gpt-test", tools: list | None = None) -> Agent:
    weather = Agent(name="weather agent", instructions="Answer about weather.", tools=tools or [get_weather],
                    model=model)
    return Agent(name="triage", instructions="Route the question.", handoffs=[weather], model=model)


def spans_named(trace: tracekit.Trace, name: str) -> list[tracekit.Span]:
    return [span for span in trace.data.spans if span.name == name]


def ancestors(trace: tracekit.Trace, span: tracekit.Span) -> list[str]:
    by_id = {each.span_id: each for each in trace.data.spans}
    names = []
    parent = span.parent_id
    while parent is not None:
        names.append(by_id[parent].name)
        parent = by_id[parent].parent_id
    return names


def test_run_with_handoff_and_tool_nests_agent_model_and_tool_spans(client, llm_server, exported):
    requests_before = len(llm_server.requests)
    result = Runner.run_sync(triage_agent(), "Weather in Paris?")

    assert result.final_output == "echo: Weather in Paris?"
    (trace,) = exported()
    (root,) = [span for span in trace.data.spans if span.parent_id is None]
    assert root.name == "Agent workflow" and root.span_type == SpanType.WORKFLOW
    assert root.outputs == "echo: Weather in Paris?"
    (triage,) = spans_named(trace, "triage")
    (weather,) = spans_named(trace, "weather agent")
    assert triage.span_type == weather.span_type == SpanType.AGENT
    assert triage.attributes["openai_agents.handoffs"] == ["weather agent"]
    assert weather.attributes["openai_agents.tools"] == ["get_weather"]
    (tool,) = spans_named(trace, "get_weather")
    assert tool.span_type == SpanType.TOOL
    assert tool.inputs == {"city": "Paris"} and tool.outputs == "sunny in Paris"
    assert "weather agent" in ancestors(trace, tool)
    (handoff,) = spans_named(trace, "handoff")
    assert handoff.inputs == {"from_agent": "triage"} and handoff.outputs == {"to_agent": "weather agent"}
    responses = spans_named(trace, "response")
    assert len(responses) == len(llm_server.requests) - requests_before == 3
    assert all(span.span_type == SpanType.CHAT_MODEL for span in responses)
    agent_of = [next(name for name in ancestors(trace, span) if name in ("triage", "weather agent"))
                for span in responses]
    assert agent_of == ["triage", "weather agent", "weather agent"]


def test_response_span_has_conversation_model_and_usage(client, exported):
    Runner.run_sync(triage_agent(), "Weather in Paris?")

    (trace,) = exported()
    first = spans_named(trace, "response")[0]
    attributes = first.attributes
    assert attributes[_genai.RESPONSE_MODEL] == "gpt-test-2025"
    assert attributes[SpanAttributeKey.CHAT_MESSAGES][0] == {"role": "system", "content": "Route the question."}
    assert attributes[SpanAttributeKey.CHAT_MESSAGES][1] == {"role": "user", "content": "Weather in Paris?"}
    call = attributes[SpanAttributeKey.CHAT_MESSAGES][-1]["tool_calls"][0]
    assert call["function"]["name"] == "transfer_to_weather_agent"
    assert attributes[_genai.TOKEN_USAGE]["input_tokens"] > 0
    usages = [span.attributes[_genai.TOKEN_USAGE] for span in spans_named(trace, "response")]
    assert trace.info.token_usage == {key: sum(usage[key] for usage in usages) for key in usages[0]}


async def test_async_run(client, exported):
    result = await Runner.run(triage_agent(), "Weather in Rome?")

    assert result.final_output == "echo: Weather in Rome?"
    (trace,) = exported()
    assert len(spans_named(trace, "get_weather")) == 1
    assert len(spans_named(trace, "response")) == 3


async def test_streamed_run(client, exported):
    result = Runner.run_streamed(triage_agent(), "Weather in Rome?")
    events = [event async for event in result.stream_events()]

    assert events and result.final_output == "echo: Weather in Rome?"
    (trace,) = exported()
    responses = spans_named(trace, "response")
    assert len(responses) == 3 and all(span.attributes[_genai.TOKEN_USAGE]["total_tokens"] > 0 for span in responses)
    assert spans_named(trace, "get_weather")[0].outputs == "sunny in Paris"


def test_chat_completions_model_gives_generation_spans(client, exported):
    model = OpenAIChatCompletionsModel(model="gpt-test", openai_client=client)

    result = Runner.run_sync(triage_agent(model), "Weather in Oslo?")

    assert result.final_output == "echo: Weather in Oslo?"
    (trace,) = exported()
    generations = spans_named(trace, "generation")
    assert len(generations) == 3
    first = generations[0]
    assert first.span_type == SpanType.CHAT_MODEL
    assert first.inputs["messages"][0] == {"role": "system", "content": "Route the question."}
    assert first.attributes[_genai.REQUEST_MODEL] == "gpt-test"
    assert first.attributes[_genai.TOKEN_USAGE]["output_tokens"] >= 0
    assert trace.info.token_usage["total_tokens"] > 0
    assert spans_named(trace, "get_weather")[0].outputs == "sunny in Paris"


def test_failing_tool_is_an_error_span_and_the_run_goes_on(client, exported):
    @function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        raise RuntimeError("weather service down")

    result = Runner.run_sync(triage_agent(tools=[get_weather]), "Weather in Paris?")

    assert result.final_output == "echo: Weather in Paris?"
    (tool,) = spans_named(exported()[0], "get_weather")
    assert tool.status.status_code == SpanStatusCode.ERROR
    assert tool.status.description == "Error running tool (non-fatal)"
    assert tool.attributes["openai_agents.error"]["tool_name"] == "get_weather"
    assert "error occurred" in tool.outputs  # what the SDK told the model instead


def test_model_error_propagates_unchanged_and_marks_spans_error(client, exported):
    agent = Agent(name="solo", instructions="Answer.", model="error-500")
    agents_autolog.autolog(disable=True)
    with pytest.raises(Exception) as untraced:
        Runner.run_sync(agent, "hi")
    agents_autolog.autolog()
    with pytest.raises(Exception) as traced:
        Runner.run_sync(agent, "hi")

    assert type(traced.value) is type(untraced.value) is openai.InternalServerError
    assert_failed_by_the_model(exported(), traced.value)


def assert_failed_by_the_model(traces: list[tracekit.Trace], error: Exception) -> None:
    """One trace whose model call and workflow span are ERROR, the workflow with `error` as its exception event."""
    (trace,) = traces
    (response,) = spans_named(trace, "response")
    assert response.status.status_code == SpanStatusCode.ERROR
    assert all(span.end_time_ns for span in trace.data.spans)
    (workflow,) = [span for span in trace.data.spans if span.parent_id is None]
    assert workflow.span_type == SpanType.WORKFLOW
    assert workflow.status.status_code == SpanStatusCode.ERROR
    assert workflow.status.description == f"{type(error).__name__}: {error}"
    assert [event.name for event in workflow.events] == ["exception"]
    assert trace.info.state == "ERROR"


async def test_a_failed_streamed_run_marks_its_workflow_span_error(client, exported):
    agent = Agent(name="solo", instructions="Answer.", model="error-500")

    result = Runner.run_streamed(agent, "hi")
    with pytest.raises(openai.InternalServerError) as raised:
        _ = [event async for event in result.stream_events()]

    assert_failed_by_the_model(exported(), raised.value)


async def test_a_streamed_run_stopped_by_a_raising_tool_marks_its_workflow_span_error(client, exported):
    @function_tool(failure_error_function=None)  # the tool's exception stops the run instead of going to the model
    def get_weather(city: str) -> str:
        """The weather in a city."""
        raise RuntimeError("weather service down")

    result = Runner.run_streamed(triage_agent(tools=[get_weather]), "Weather in Paris?")
    with pytest.raises(Exception, match="weather service down"):
        _ = [event async for event in result.stream_events()]

    (trace,) = exported()
    (workflow,) = [span for span in trace.data.spans if span.parent_id is None]
    assert workflow.status.status_code == SpanStatusCode.ERROR
    assert "weather service down" in workflow.status.description
    assert [event.name for event in workflow.events] == ["exception"]


async def test_a_streamed_run_inside_the_users_trace_block_leaves_the_block_to_decide(client, exported):
    with agents.trace("my workflow"):
        result = Runner.run_streamed(triage_agent(), "Weather in Paris?")
        _ = [event async for event in result.stream_events()]

    (trace,) = exported()
    (workflow,) = spans_named(trace, "my workflow")
    assert workflow.status.status_code == SpanStatusCode.OK
    assert workflow.events == []


async def test_streamed_runs_are_forgotten_once_finished_and_untraced_ones_never_remembered(client, exported):
    failing = Agent(name="solo", instructions="Answer.", model="error-500")
    for agent, config in ((triage_agent(), None), (failing, None),
                          (failing, agents.RunConfig(tracing_disabled=True))):
        result = Runner.run_streamed(agent, "hi", run_config=config)
        try:
            _ = [event async for event in result.stream_events()]
        except openai.InternalServerError:
            pass

    assert len(exported()) == 2  # the untraced run made none
    assert len(agents_autolog._streamed_traces) == 0  # memory stays bounded by the runs in flight


def test_abandoned_streamed_runs_are_not_kept_and_a_finished_one_is_still_marked(client, exported):
    async def start_and_drop_streams() -> None:
        for _ in range(200):
            Runner.run_streamed(Agent(name="solo", instructions="Answer.", model="gpt-test"), "hi").cancel()

    # Each run's background task is cancelled before it starts, so its SDK trace never starts or finishes; once the
    # event loop is gone nothing holds the runs but tracekit, if it did.
    asyncio.run(start_and_drop_streams())
    gc.collect()

    assert len(agents_autolog._streamed_traces) == 0
    asyncio.run(finish_two_streamed_runs())
    statuses = [[span for span in trace.data.spans if span.parent_id is None][0].status.status_code
                for trace in exported()]
    assert statuses == [SpanStatusCode.ERROR, SpanStatusCode.OK]


async def finish_two_streamed_runs() -> None:
    failed = Runner.run_streamed(Agent(name="solo", instructions="Answer.", model="error-500"), "hi")
    with pytest.raises(openai.InternalServerError):
        _ = [event async for event in failed.stream_events()]
    succeeded = Runner.run_streamed(triage_agent(), "Weather in Paris?")
    _ = [event async for event in succeeded.stream_events()]


def test_an_exception_leaving_the_users_trace_block_fails_its_workflow_span(client, exported):
    with pytest.raises(ValueError, match="after the run"):
        with agents.trace("my workflow"):
            Runner.run_sync(triage_agent(), "Weather in Paris?")
            raise ValueError("after the run")

    (trace,) = exported()
    (workflow,) = spans_named(trace, "my workflow")
    assert workflow.status.status_code == SpanStatusCode.ERROR
    assert workflow.status.description == "ValueError: after the run"
    assert len(spans_named(trace, "get_weather")) == 1  # the run inside it is recorded as before


def test_tripped_guardrail_is_a_guardrail_span(client, exported):
    @input_guardrail
    def no_secrets(context, agent, user_input):
        return GuardrailFunctionOutput(output_info="secret asked", tripwire_triggered="secret" in str(user_input))

    agent = Agent(name="guarded", instructions="Answer.", model="gpt-test", input_guardrails=[no_secrets])
    with pytest.raises(InputGuardrailTripwireTriggered):
        Runner.run_sync(agent, "tell me the secret")

    (trace,) = exported()
    (guardrail,) = spans_named(trace, "no_secrets")
    assert guardrail.span_type == SpanType.GUARDRAIL
    assert guardrail.attributes["openai_agents.triggered"] is True
    (turn,) = spans_named(trace, "turn 1")
    assert turn.status.status_code == SpanStatusCode.ERROR
    assert turn.attributes["openai_agents.error"] == {"guardrail": "no_secrets"}
    (workflow,) = [span for span in trace.data.spans if span.parent_id is None]
    assert workflow.status.status_code == SpanStatusCode.ERROR
    assert "InputGuardrailTripwireTriggered" in workflow.status.description


def test_run_nests_under_the_users_span_and_a_traced_function_in_a_tool_nests_under_the_tool(client, exported):
    @tracekit.trace
    def look_up(city: str) -> str:
        return f"sunny in {city}"

    @function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return look_up(city)

    with tracekit.start_span("my app"):
        Runner.run_sync(triage_agent(tools=[get_weather]), "Weather in Paris?")

    (trace,) = exported()
    (look,) = spans_named(trace, "look_up")
    assert ancestors(trace, look)[:1] == ["get_weather"]
    assert ancestors(trace, look)[-2:] == ["Agent workflow", "my app"]


def test_openai_autolog_as_well_nests_the_client_call_under_the_response_span(client, exported):
    openai_autolog.autolog()

    Runner.run_sync(triage_agent(), "Weather in Paris?")

    (trace,) = exported()
    calls = spans_named(trace, "openai.responses")
    assert len(calls) == 3
    assert all(ancestors(trace, call)[0] == "response" for call in calls)
    usages = [span.attributes[_genai.TOKEN_USAGE]["total_tokens"] for span in spans_named(trace, "response")]
    assert trace.info.token_usage["total_tokens"] == sum(usages)  # the same tokens, counted once


def test_disable_stops_recording_and_removes_the_patches(client, exported):
    from agents.tracing.scope import Scope

    patched = vars(Scope)["set_current_span"]
    agents_autolog.autolog(disable=True)

    assert vars(Scope)["set_current_span"] is not patched
    assert Runner.run_sync(triage_agent(), "Weather in Paris?").final_output == "echo: Weather in Paris?"
    assert exported() == []
    assert not agents_autolog.is_enabled()


def test_extra_tags_tag_the_traces_a_run_starts(client, exported):
    agents_autolog.autolog(disable=True)
    agents_autolog.autolog(extra_tags={"app": "weather"})

    Runner.run_sync(triage_agent(), "Weather in Paris?")

    assert exported()[0].info.tags["app"] == "weather"


def test_package_entry_point_and_tracekit_autolog_turn_it_on():
    agents_autolog.autolog(disable=True)
    tracekit.openai_agents.autolog()
    assert agents_autolog.is_enabled()
    tracekit.autolog(disable=True)
    assert not agents_autolog.is_enabled()
    assert "openai_agents" in tracekit.autolog()


def test_broken_integration_never_breaks_the_run(client, exported, internal_warnings, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("cannot record")

    monkeypatch.setitem(agents_autolog._RECORDERS, "response", broken)

    result = Runner.run_sync(triage_agent(), "Weather in Paris?")

    assert result.final_output == "echo: Weather in Paris?"
    assert len(internal_warnings()) == 1  # "recording a span", reported once
    (trace,) = exported()
    assert len(spans_named(trace, "response")) == 3  # still ended, without what failed to record
