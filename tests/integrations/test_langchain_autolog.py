"""LangChain autolog with langchain-core's fake chat models, real runnables, tools and a retriever: no network."""

from __future__ import annotations

import pytest

import tracekit
from tracekit import SpanStatusCode, SpanType
from tracekit.constants import SpanAttributeKey
from tracekit.integrations import _genai

pytest.importorskip("langchain_core")
from langchain_core.documents import Document  # noqa: E402
from langchain_core.language_models.fake import FakeListLLM  # noqa: E402
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage  # noqa: E402
from langchain_core.output_parsers import StrOutputParser  # noqa: E402
from langchain_core.prompts import ChatPromptTemplate  # noqa: E402
from langchain_core.retrievers import BaseRetriever  # noqa: E402
from langchain_core.runnables import RunnableLambda  # noqa: E402
from langchain_core.tools import tool  # noqa: E402

import tracekit.integrations.langchain as langchain_autolog  # noqa: E402


class KeywordRetriever(BaseRetriever):
    """Returns the documents sharing a word with the query."""

    documents: list[str]

    def _get_relevant_documents(self, query: str, *, run_manager=None) -> list[Document]:
        words = set(query.lower().split())
        return [Document(page_content=text) for text in self.documents if words & set(text.lower().split())]


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@tool
def broken_tool(city: str) -> str:
    """Always fails."""
    raise ValueError(f"no weather for {city}")


def chat_model(*replies: str) -> GenericFakeChatModel:
    messages = [AIMessage(content=reply, usage_metadata={"input_tokens": 7, "output_tokens": len(reply.split()),
                                                         "total_tokens": 7 + len(reply.split())})
                for reply in replies]
    return GenericFakeChatModel(messages=iter(messages))


def chain_with(model):
    prompt = ChatPromptTemplate.from_messages([("system", "You answer briefly."), ("user", "{question}")])
    return prompt | model | StrOutputParser()


@pytest.fixture(autouse=True)
def autologged():
    langchain_autolog.autolog()


def spans_by_name(trace: tracekit.Trace) -> dict[str, tracekit.Span]:
    return {span.name: span for span in trace.data.spans}


def test_chain_runs_become_nested_spans_with_fitting_types(exported):
    answer = chain_with(chat_model("Paris is sunny")).invoke({"question": "Weather in Paris?"})

    (trace,) = exported()
    spans = spans_by_name(trace)
    sequence = spans["RunnableSequence"]
    assert sequence.parent_id is None
    assert sequence.span_type == SpanType.CHAIN
    assert sequence.inputs == {"question": "Weather in Paris?"}
    assert sequence.outputs == answer == "Paris is sunny"
    for name in ("ChatPromptTemplate", "GenericFakeChatModel", "StrOutputParser"):
        assert spans[name].parent_id == sequence.span_id
    assert spans["GenericFakeChatModel"].span_type == SpanType.CHAT_MODEL


def test_chat_model_span_records_messages_and_usage(exported):
    chain_with(chat_model("Paris is sunny")).invoke({"question": "Weather in Paris?"})

    attributes = spans_by_name(exported()[0])["GenericFakeChatModel"].attributes
    assert attributes[SpanAttributeKey.CHAT_MESSAGES] == [
        {"role": "system", "content": "You answer briefly."},
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "Paris is sunny"},
    ]
    assert attributes[_genai.TOKEN_USAGE] == {"input_tokens": 7, "output_tokens": 3, "total_tokens": 10}
    assert attributes[_genai.USAGE_INPUT_TOKENS] == 7
    assert attributes[_genai.USAGE_OUTPUT_TOKENS] == 3


def test_stream_records_first_token_and_full_output(exported):
    chunks = list(chain_with(chat_model("Paris is sunny")).stream({"question": "Weather?"}))

    (trace,) = exported()
    spans = spans_by_name(trace)
    assert "".join(chunks) == "Paris is sunny"
    assert spans["RunnableSequence"].outputs == "Paris is sunny"
    assert [event.name for event in spans["GenericFakeChatModel"].events] == [_genai.FIRST_TOKEN_EVENT]


async def test_ainvoke_and_astream(exported):
    assert await chain_with(chat_model("one")).ainvoke({"question": "a"}) == "one"
    assert [chunk async for chunk in chain_with(chat_model("two")).astream({"question": "b"})] == ["two"]

    traces = exported()
    assert len(traces) == 2
    for trace in traces:
        spans = spans_by_name(trace)
        assert spans["GenericFakeChatModel"].parent_id == spans["RunnableSequence"].span_id


def test_batch_gives_one_trace_per_input(exported):
    outputs = chain_with(chat_model("one", "two", "three")).batch([{"question": q} for q in "abc"])

    traces = exported()
    assert sorted(outputs) == ["one", "three", "two"]
    assert len(traces) == 3
    assert sorted(spans_by_name(trace)["RunnableSequence"].outputs for trace in traces) == sorted(outputs)


async def test_abatch(exported):
    await chain_with(chat_model("one", "two")).abatch([{"question": "a"}, {"question": "b"}])

    assert len(exported()) == 2


def test_runs_nest_under_the_users_trace_and_user_code_nests_under_runs(exported):
    @tracekit.trace
    def shout(text: str) -> str:
        return text.upper()

    @tracekit.trace(span_type=SpanType.AGENT)
    def agent(question: str) -> str:
        chain = chain_with(chat_model("quiet answer")) | RunnableLambda(shout)
        return chain.invoke({"question": question})

    assert agent("hi") == "QUIET ANSWER"

    (trace,) = exported()
    spans = spans_by_name(trace)
    assert spans["RunnableSequence"].parent_id == spans["agent"].span_id
    # RunnableLambda(shout) is a CHAIN span named after the function; the @trace span of shout sits under it
    (lambda_span,) = [s for s in trace.data.spans if s.name == "shout" and s.span_type == SpanType.CHAIN]
    (traced,) = [s for s in trace.data.spans if s.name == "shout" and s.span_type == SpanType.UNKNOWN]
    assert traced.parent_id == lambda_span.span_id
    assert lambda_span.parent_id == spans["RunnableSequence"].span_id


def test_tool_span(exported):
    assert get_weather.invoke({"city": "Paris"}) == "sunny in Paris"

    (span,) = exported()[0].data.spans
    assert span.name == "get_weather"
    assert span.span_type == SpanType.TOOL
    assert span.inputs == {"city": "Paris"}
    assert span.outputs == "sunny in Paris"


def test_tool_error_marks_the_span_and_propagates(exported):
    with pytest.raises(ValueError, match="no weather for Rome"):
        broken_tool.invoke({"city": "Rome"})

    (span,) = exported()[0].data.spans
    assert span.status.status_code == SpanStatusCode.ERROR
    assert span.events[0].name == "exception"


def test_retriever_span(exported):
    retriever = KeywordRetriever(documents=["traces are stored in SQL", "spans nest", "unrelated"])

    documents = retriever.invoke("where are traces stored")

    (span,) = exported()[0].data.spans
    assert span.span_type == SpanType.RETRIEVER
    assert span.inputs == {"query": "where are traces stored"}
    assert [document["page_content"] for document in span.outputs] == [d.page_content for d in documents]


def test_llm_span(exported):
    llm = FakeListLLM(responses=["forty-two"])

    assert llm.invoke("meaning of life?") == "forty-two"

    (span,) = exported()[0].data.spans
    assert span.span_type == SpanType.LLM
    assert span.inputs == ["meaning of life?"]
    assert span.outputs == ["forty-two"]


def test_chain_error_marks_spans_error_and_propagates(exported):
    def fail(_: str) -> str:
        raise RuntimeError("step failed")

    chain = chain_with(chat_model("x")) | RunnableLambda(fail)
    with pytest.raises(RuntimeError, match="step failed"):
        chain.invoke({"question": "q"})

    spans = spans_by_name(exported()[0])
    assert spans["RunnableSequence"].status.status_code == SpanStatusCode.ERROR
    assert spans["fail"].status.status_code == SpanStatusCode.ERROR


def test_disable_stops_tracing(exported):
    langchain_autolog.autolog(disable=True)
    assert not langchain_autolog.is_enabled()

    assert chain_with(chat_model("x")).invoke({"question": "q"}) == "x"
    assert exported() == []


def test_autolog_is_idempotent(exported):
    langchain_autolog.autolog()
    langchain_autolog.autolog()

    chain_with(chat_model("x")).invoke({"question": "q"})
    assert len(exported()[0].data.spans) == 4


def test_broken_handler_never_breaks_the_chain(exported, internal_warnings, monkeypatch):
    from tracekit.integrations import _langchain_handler

    def broken(*args, **kwargs):
        raise RuntimeError("integration bug")

    monkeypatch.setattr(_langchain_handler, "_record_usage", broken)

    model = chat_model("one", "two")
    assert chain_with(model).invoke({"question": "a"}) == "one"
    assert chain_with(model).invoke({"question": "b"}) == "two"
    assert len(internal_warnings()) == 1
    assert len(exported()) == 2


def test_trace_token_usage_sums_the_chat_model_calls(exported):
    model = chat_model("Paris is sunny", "Oslo is cold today")
    chain = chain_with(model)

    @tracekit.trace
    def compare() -> list[str]:
        return [chain.invoke({"question": "Paris?"}), chain.invoke({"question": "Oslo?"})]

    compare()
    (trace,) = exported()
    assert trace.info.token_usage == {"input_tokens": 14, "output_tokens": 7, "total_tokens": 21}
