"""DSPy autolog, against the real `dspy` package: its LM calling the fake OpenAI-compatible server on 127.0.0.1 (through
DSPy's own engine and through LiteLLM), and its `DummyLM`.

The fake server answers "echo: <last user message>"; a question that itself holds DSPy's output-field sections
comes back as a reply the chat adapter parses into those fields.
"""

from __future__ import annotations

import pytest

import tracekit
from tracekit import SpanStatusCode, SpanType
from tracekit.constants import SpanAttributeKey
from tracekit.integrations import _genai

dspy = pytest.importorskip("dspy")
from dspy.utils.dummies import DummyLM, dummy_rm  # noqa: E402

import tracekit.integrations.dspy as dspy_autolog  # noqa: E402
import tracekit.integrations.litellm as litellm_autolog  # noqa: E402

# Calls must reach the server (and nothing may be written to disk): no response cache at all.
dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=False)

QUESTION = "Why trace?\n[[ ## reasoning ## ]]\nto see\n[[ ## answer ## ]]\n42\n[[ ## completed ## ]]"


class QA(dspy.Module):
    """A program with one chain-of-thought predictor."""

    def __init__(self) -> None:
        super().__init__()
        self.think = dspy.ChainOfThought("question -> answer")

    def forward(self, question):
        return self.think(question=question)

    async def aforward(self, question):
        return await self.think.acall(question=question)


@pytest.fixture(autouse=True)
def autologged():
    dspy_autolog.autolog()


@pytest.fixture
def lm(llm_server):
    model = dspy.LM("openai/gpt-test", api_base=llm_server.openai_url, api_key="secret-key", cache=False,
                    num_retries=0, temperature=0.3)
    with dspy.context(lm=model, adapter=dspy.ChatAdapter()):
        yield model


def spans_by_name(trace: tracekit.Trace) -> dict[str, tracekit.Span]:
    return {span.name: span for span in trace.data.spans}


def test_program_span_parents_its_predictors_and_lm_call(lm, exported):
    prediction = QA()(question=QUESTION)

    assert prediction.answer == "42"
    (trace,) = exported()
    spans = spans_by_name(trace)
    assert set(spans) == {"QA", "ChainOfThought", "Predict", "LM"}
    program, cot, predict, call = spans["QA"], spans["ChainOfThought"], spans["Predict"], spans["LM"]
    assert program.parent_id is None
    assert (cot.parent_id, predict.parent_id, call.parent_id) == (program.span_id, cot.span_id, predict.span_id)
    assert [program.span_type, cot.span_type, predict.span_type] == [SpanType.CHAIN] * 3
    assert program.inputs == {"question": QUESTION}
    assert program.outputs == {"reasoning": "to see", "answer": "42"}
    assert predict.outputs == program.outputs


def test_predictor_span_carries_its_signature(lm, exported):
    QA()(question=QUESTION)

    predict = spans_by_name(exported()[0])["Predict"]
    assert predict.attributes[dspy_autolog.SIGNATURE] == "question -> reasoning, answer"
    assert predict.attributes[dspy_autolog.SIGNATURE_INPUTS] == ["question"]
    assert predict.attributes[dspy_autolog.SIGNATURE_OUTPUTS] == ["reasoning", "answer"]
    assert "answer" in predict.attributes[dspy_autolog.SIGNATURE_INSTRUCTIONS]


def test_lm_span_has_messages_model_parameters_and_usage_without_the_api_key(lm, exported):
    QA()(question=QUESTION)

    call = spans_by_name(exported()[0])["LM"]
    assert call.span_type == SpanType.CHAT_MODEL
    attributes = call.attributes
    assert attributes[_genai.REQUEST_MODEL] == "openai/gpt-test"
    assert attributes[_genai.SYSTEM] == "openai"
    assert attributes["gen_ai.request.temperature"] == 0.3
    assert attributes[_genai.RESPONSE_MODEL] == "gpt-test-2025"
    assert "secret-key" not in str(call.inputs) and "secret-key" not in str(attributes)
    messages = attributes[SpanAttributeKey.CHAT_MESSAGES]
    assert [message["role"] for message in messages] == ["system", "user", "assistant"]
    assert QUESTION in messages[1]["content"]
    assert messages[2]["content"].startswith("echo: ")
    assert call.inputs["messages"] == messages[:2]
    assert call.outputs == [messages[2]["content"]]
    usage = lm.history[-1]["usage"]
    assert usage["prompt_tokens"] > 0
    assert attributes[_genai.TOKEN_USAGE] == {"input_tokens": usage["prompt_tokens"],
                                              "output_tokens": usage["completion_tokens"],
                                              "total_tokens": usage["total_tokens"]}
    assert exported()[0].info.token_usage["total_tokens"] == usage["total_tokens"]


def test_direct_lm_call_is_one_span_with_the_prompt(lm, exported):
    outputs = lm("hello there")

    (trace,) = exported()
    (call,) = trace.data.spans
    assert call.inputs == {"prompt": "hello there"}
    assert outputs == ["echo: hello there"]
    assert call.attributes[SpanAttributeKey.CHAT_MESSAGES] == [
        {"role": "user", "content": "hello there"}, {"role": "assistant", "content": "echo: hello there"}]
    assert call.attributes[_genai.TOKEN_USAGE]["output_tokens"] == 3


def test_positional_arguments_are_named_after_forward(lm, exported):
    QA()(QUESTION)

    assert spans_by_name(exported()[0])["QA"].inputs == {"question": QUESTION}


async def test_acall_nests_the_same_way(lm, exported):
    prediction = await QA().acall(question=QUESTION)

    assert prediction.answer == "42"
    spans = spans_by_name(exported()[0])
    assert set(spans) == {"QA", "ChainOfThought", "Predict", "LM"}
    assert spans["LM"].parent_id == spans["Predict"].span_id
    assert spans["LM"].attributes[_genai.TOKEN_USAGE]["input_tokens"] > 0


def test_batch_items_run_in_threads_nest_under_the_current_span(lm, exported):
    examples = [dspy.Example(question=QUESTION).with_inputs("question") for _ in range(3)]

    with tracekit.start_span("evaluate"):
        results = QA().batch(examples, num_threads=2, disable_progress_bar=True)

    assert [result.answer for result in results] == ["42"] * 3
    (trace,) = exported()
    outer = spans_by_name(trace)["evaluate"]
    programs = [span for span in trace.data.spans if span.name == "QA"]
    assert len(programs) == 3 and all(span.parent_id == outer.span_id for span in programs)
    assert len([span for span in trace.data.spans if span.name == "LM"]) == 3


def test_dummy_lm(exported):
    with dspy.context(lm=DummyLM([{"answer": "blue"}]), adapter=dspy.ChatAdapter()):
        prediction = dspy.Predict("question -> answer")(question="What colour is the sky?")

    assert prediction.answer == "blue"
    spans = spans_by_name(exported()[0])
    assert spans["DummyLM"].parent_id == spans["Predict"].span_id
    assert spans["DummyLM"].span_type == SpanType.CHAT_MODEL
    assert "blue" in spans["DummyLM"].outputs[0]
    assert spans["Predict"].outputs == {"answer": "blue"}


def test_litellm_engine_with_litellm_autolog_nests_the_litellm_span_and_counts_tokens_once(llm_server, exported):
    litellm_autolog.autolog()
    model = dspy.LM("openai/gpt-test", api_base=llm_server.openai_url, api_key="secret-key", cache=False,
                    num_retries=0, engine="litellm")
    with dspy.context(lm=model, adapter=dspy.ChatAdapter()):
        QA()(question=QUESTION)

    (trace,) = exported()
    spans = spans_by_name(trace)
    assert spans["litellm.completion"].parent_id == spans["LM"].span_id
    lm_usage = spans["LM"].attributes[_genai.TOKEN_USAGE]
    assert spans["litellm.completion"].attributes[_genai.TOKEN_USAGE] == lm_usage
    assert trace.info.token_usage == lm_usage  # the nested call's tokens are the same tokens


def test_react_agent_with_a_tool(exported):
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"sunny in {city}"

    answers = [{"next_thought": "look it up", "next_tool_name": "get_weather", "next_tool_args": {"city": "Paris"}},
               {"next_thought": "done", "next_tool_name": "finish", "next_tool_args": {}},
               {"reasoning": "the tool said so", "answer": "sunny"}]
    with dspy.context(lm=DummyLM(answers), adapter=dspy.ChatAdapter()):
        prediction = dspy.ReAct("question -> answer", tools=[get_weather])(question="Weather in Paris?")

    assert prediction.answer == "sunny"
    spans = spans_by_name(exported()[0])
    agent, tool = spans["ReAct"], spans["get_weather"]
    assert agent.span_type == SpanType.AGENT and agent.parent_id is None
    assert tool.span_type == SpanType.TOOL
    assert tool.inputs == {"city": "Paris"} and tool.outputs == "sunny in Paris"
    assert tool.attributes["dspy.tool.description"] == "The weather in a city."
    ancestors = {span.span_id: span.parent_id for span in exported()[0].data.spans}
    parent = tool.parent_id
    while ancestors.get(parent) is not None:
        parent = ancestors[parent]
    assert parent == agent.span_id


def test_retrieve_is_a_retriever_span_with_documents(exported):
    with dspy.context(rm=dummy_rm(["paris is sunny", "rome is warm", "oslo is cold"])):
        result = dspy.Retrieve(k=2)("paris")

    (trace,) = exported()
    (span,) = trace.data.spans
    assert span.name == "Retrieve" and span.span_type == SpanType.RETRIEVER
    assert span.inputs == {"query": "paris"}
    assert span.outputs == [{"page_content": passage} for passage in result.passages]
    assert span.attributes["dspy.retriever.k"] == 2


def test_embeddings_retriever_records_corpus_indices(exported):
    corpus = ["tracing spans", "cooking pasta", "tracing traces"]

    def embed(texts):
        import numpy

        return numpy.array([[text.count("tracing"), text.count("pasta"), 1.0] for text in texts], dtype="float32")

    retriever = dspy.retrievers.Embeddings(corpus=corpus, embedder=embed, k=2)
    exported()  # building the index makes no trace
    result = retriever("tracing")

    (span,) = exported()[0].data.spans
    assert span.name == "Embeddings" and span.span_type == SpanType.RETRIEVER
    assert span.inputs == {"query": "tracing"}
    assert [document["page_content"] for document in span.outputs] == result.passages
    assert [document["metadata"]["index"] for document in span.outputs] == list(result.indices)


def test_lm_error_gives_error_spans_and_propagates_unchanged(llm_server, exported):
    model = dspy.LM("openai/error-500", api_base=llm_server.openai_url, api_key="k", cache=False, num_retries=0)
    with dspy.context(lm=model, adapter=dspy.ChatAdapter()):
        dspy_autolog.autolog(disable=True)
        with pytest.raises(Exception) as untraced:
            dspy.Predict("question -> answer")(question="hi")
        dspy_autolog.autolog()
        with pytest.raises(Exception) as traced:
            dspy.Predict("question -> answer")(question="hi")

    assert type(traced.value) is type(untraced.value)
    assert str(traced.value) == str(untraced.value)
    spans = spans_by_name(exported()[0])
    for name in ("Predict", "LM"):
        assert spans[name].status.status_code == SpanStatusCode.ERROR
        assert spans[name].events[-1].name == "exception"


def test_disable_removes_the_patches(lm, exported):
    patched = vars(dspy.Module)["__call__"]
    dspy_autolog.autolog(disable=True)

    assert vars(dspy.Module)["__call__"] is not patched
    assert QA()(question=QUESTION).answer == "42"
    assert exported() == []
    assert not dspy_autolog.is_enabled()


def test_extra_tags_tag_the_traces_a_program_starts(lm, exported):
    dspy_autolog.autolog(disable=True)
    dspy_autolog.autolog(extra_tags={"app": "qa"})

    QA()(question=QUESTION)

    assert exported()[0].info.tags["app"] == "qa"


def test_package_entry_point_and_tracekit_autolog_turn_it_on():
    dspy_autolog.autolog(disable=True)
    tracekit.dspy.autolog()
    assert dspy_autolog.is_enabled()
    tracekit.autolog(disable=True)
    assert not dspy_autolog.is_enabled()
    assert "dspy" in tracekit.autolog()


def test_broken_integration_never_breaks_the_call(lm, exported, internal_warnings, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("cannot record")

    monkeypatch.setattr(_genai, "record_usage", broken)
    monkeypatch.setattr(dspy_autolog, "_fields", broken)

    prediction = QA()(question=QUESTION)

    assert prediction.answer == "42"
    assert len(internal_warnings()) == 1  # one place failed ("recording the response"), reported once
    assert len(exported()) == 1


@pytest.mark.parametrize("is_async", [False, True])
async def test_a_streamified_program_gives_the_same_span_tree_with_the_final_prediction(lm, exported, is_async):
    QA()(question=QUESTION)
    (plain,) = exported()
    streamed_program = dspy.streamify(QA(), stream_listeners=[dspy.streaming.StreamListener("answer")],
                                      is_async_program=is_async)

    chunks = [chunk async for chunk in streamed_program(question=QUESTION)]

    prediction = chunks[-1]
    assert isinstance(prediction, dspy.Prediction) and prediction.answer == "42"
    answer_pieces = [chunk.chunk for chunk in chunks if isinstance(chunk, dspy.streaming.StreamResponse)]
    assert "".join(answer_pieces).strip() == "42"  # the LM call did stream
    streamed = exported()[1]
    shape = [(span.name, span.span_type) for span in plain.data.spans]
    assert sorted(shape) == sorted((span.name, span.span_type) for span in streamed.data.spans)
    spans = spans_by_name(streamed)
    by_id = {span.span_id: span.name for span in streamed.data.spans}
    assert {name: by_id.get(span.parent_id) for name, span in spans.items()} == {
        "QA": None, "ChainOfThought": "QA", "Predict": "ChainOfThought", "LM": "Predict"}
    assert spans["QA"].outputs == {"reasoning": "to see", "answer": "42"}
    assert spans["QA"].status.status_code == SpanStatusCode.OK
    assert "[[ ## answer ## ]]" in str(spans["LM"].outputs)  # the streamed reply, put together
