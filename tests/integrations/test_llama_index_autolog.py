"""LlamaIndex autolog, with LlamaIndex's real classes: a vector index over MockEmbedding, MockLLM, and an
OpenAI chat LLM on LlamaIndex's `LLM` base (llama_index_openai_llm.py beside this file) calling the fake OpenAI
server on 127.0.0.1.

Nothing here reaches the internet: the sentence splitter and the prompt helper use the tokenizer and NLTK data that
llama-index-core ships, and the only LLM that talks HTTP is pointed at the fake server.
"""

from __future__ import annotations

import json

import pytest
from llama_index.core import Document, VectorStoreIndex  # noqa: E402
from llama_index.core.chat_engine import SimpleChatEngine  # noqa: E402
from llama_index.core.embeddings import MockEmbedding  # noqa: E402
from llama_index.core.instrumentation import DispatcherSpanMixin  # noqa: E402
from llama_index.core.llms import ChatMessage, CompletionResponse, CustomLLM, LLMMetadata, MockLLM  # noqa: E402
from llama_index.core.llms.callbacks import llm_completion_callback  # noqa: E402
from llama_index.core.tools import FunctionTool  # noqa: E402
from llama_index_openai_llm import OpenAI  # noqa: E402

import tracekit
import tracekit.integrations.llama_index as llama_index_autolog  # noqa: E402
from tracekit import SpanStatusCode, SpanType
from tracekit.constants import SpanAttributeKey
from tracekit.integrations import _genai

QUESTION = "What is the capital of France?"
DOCUMENTS = [Document(text="Paris is the capital of France."), Document(text="Berlin is the capital of Germany.")]


@pytest.fixture(scope="module")
def index():
    """Built before autolog is on, so its embedding calls make no traces."""
    return VectorStoreIndex.from_documents(DOCUMENTS, embed_model=MockEmbedding(embed_dim=8))


@pytest.fixture(autouse=True)
def autologged():
    llama_index_autolog.autolog()


@pytest.fixture
def openai_llm(llm_server):
    return OpenAI(model="gpt-4o-mini", api_base=llm_server.openai_url, api_key="test-key", max_retries=0,
                  temperature=0.3)


def spans_by_name(trace: tracekit.Trace) -> dict[str, tracekit.Span]:
    return {span.name: span for span in trace.data.spans}


def only_trace(exported) -> tracekit.Trace:
    (trace,) = exported()
    return trace


class FailingLLM(CustomLLM):
    """An LLM whose completion raises the error it was given."""

    error: Exception

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="failing")

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs):
        raise self.error

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs):
        raise self.error


def test_query_engine_is_the_parent_of_its_retrieval_and_llm_spans(index, exported):
    response = index.as_query_engine(llm=MockLLM(max_tokens=4)).query(QUESTION)

    spans = spans_by_name(only_trace(exported))
    query, retrieve = spans["RetrieverQueryEngine.query"], spans["VectorIndexRetriever.retrieve"]
    embed, llm = spans["MockEmbedding.get_query_embedding"], spans["MockLLM.complete"]
    assert query.parent_id is None and query.span_type == SpanType.CHAIN
    assert retrieve.parent_id == query.span_id and llm.parent_id == query.span_id
    assert embed.parent_id == retrieve.span_id
    assert query.inputs == {"query": QUESTION} and query.outputs == response.response
    assert embed.span_type == SpanType.EMBEDDING and embed.outputs == {"count": 1, "dimensions": [8]}
    assert llm.span_type == SpanType.LLM
    assert llm.attributes[SpanAttributeKey.CHAT_MESSAGES][-1] == {"role": "assistant", "content": response.response}


def test_retriever_span_lists_the_retrieved_nodes_as_documents(index, exported):
    nodes = index.as_retriever(similarity_top_k=2).retrieve(QUESTION)

    retrieve = spans_by_name(only_trace(exported))["VectorIndexRetriever.retrieve"]
    assert retrieve.span_type == SpanType.RETRIEVER
    assert retrieve.inputs == {"query": QUESTION}
    assert retrieve.outputs == [{"id": node.node.node_id, "page_content": node.node.get_content(),
                                 "metadata": node.node.metadata, "score": node.score} for node in nodes]
    assert {document["page_content"] for document in retrieve.outputs} == {document.text for document in DOCUMENTS}


def test_openai_llm_records_model_conversation_and_token_usage(index, openai_llm, llm_server, exported):
    response = index.as_query_engine(llm=openai_llm).query(QUESTION)

    spans = spans_by_name(only_trace(exported))
    chat = spans["OpenAI.chat"]
    assert chat.parent_id == spans["RetrieverQueryEngine.query"].span_id
    assert chat.span_type == SpanType.CHAT_MODEL
    attributes = chat.attributes
    assert attributes[_genai.REQUEST_MODEL] == "gpt-4o-mini"
    assert attributes[_genai.RESPONSE_MODEL] == "gpt-4o-mini-2025"
    assert attributes["gen_ai.request.temperature"] == 0.3
    assert attributes[_genai.FINISH_REASONS] == ["stop"]
    messages = attributes[SpanAttributeKey.CHAT_MESSAGES]
    sent = llm_server.requests[-1][1]["messages"]
    assert [message["role"] for message in messages] == [message["role"] for message in sent] + ["assistant"]
    assert QUESTION in messages[-2]["content"]
    assert messages[-1] == {"role": "assistant", "content": response.response}
    assert response.response.startswith("echo: ")
    # the fake server counts words: the reply's, and those of the JSON of the messages it was sent
    output_tokens, input_tokens = len(response.response.split()), len(json.dumps(sent).split())
    assert attributes[_genai.TOKEN_USAGE] == {"input_tokens": input_tokens, "output_tokens": output_tokens,
                                              "total_tokens": input_tokens + output_tokens}


def test_direct_llm_chat_is_one_span_with_the_conversation(openai_llm, exported):
    reply = openai_llm.chat([ChatMessage(role="system", content="Be brief."), ChatMessage(role="user", content="hi")])

    (chat,) = only_trace(exported).data.spans
    assert chat.name == "OpenAI.chat"
    assert chat.inputs["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]
    assert chat.outputs == {"role": "assistant", "content": "echo: hi"} == {"role": "assistant",
                                                                            "content": reply.message.content}
    assert chat.attributes[_genai.TOKEN_USAGE] == {"input_tokens": reply.raw.usage.prompt_tokens,
                                                   "output_tokens": reply.raw.usage.completion_tokens,
                                                   "total_tokens": reply.raw.usage.total_tokens}


def test_a_call_into_the_same_llm_from_its_own_method_adds_no_span(exported):
    # CustomLLM.chat is implemented by calling self.complete: one call, one span.
    MockLLM(max_tokens=2).chat([ChatMessage(role="user", content="hi")])

    (span,) = only_trace(exported).data.spans
    assert span.name == "MockLLM.chat" and span.span_type == SpanType.CHAT_MODEL


def test_streamed_query_ends_when_the_answer_is_read(index, exported):
    response = index.as_query_engine(llm=MockLLM(max_tokens=3), streaming=True).query(QUESTION)
    assert exported() == []
    text = "".join(response.response_gen)

    spans = spans_by_name(only_trace(exported))
    query, llm = spans["RetrieverQueryEngine.query"], spans["MockLLM.stream_complete"]
    assert query.outputs == text == "text text text"
    assert llm.parent_id == query.span_id and llm.end_time_ns <= query.end_time_ns
    assert llm.attributes[SpanAttributeKey.CHAT_MESSAGES][-1] == {"role": "assistant", "content": text}
    assert [event.name for event in llm.events] == [_genai.FIRST_TOKEN_EVENT]


async def test_async_streamed_query_ends_when_the_answer_is_read(index, exported):
    response = await index.as_query_engine(llm=MockLLM(max_tokens=3), streaming=True).aquery(QUESTION)
    text = "".join([token async for token in response.async_response_gen()])

    spans = spans_by_name(only_trace(exported))
    query = spans["RetrieverQueryEngine.aquery"]
    assert query.outputs == text == "text text text"
    assert spans["MockLLM.astream_complete"].parent_id == query.span_id


def test_streamed_openai_chat_assembles_the_reply_and_its_usage(llm_server, exported):
    llm = OpenAI(model="gpt-4o-mini", api_base=llm_server.openai_url, api_key="test-key", max_retries=0,
                 additional_kwargs={"stream_options": {"include_usage": True}})
    chunks = list(llm.stream_chat([ChatMessage(role="user", content="hello there")]))

    (chat,) = only_trace(exported).data.spans
    assert chat.name == "OpenAI.stream_chat"
    assert chat.outputs == {"role": "assistant", "content": chunks[-1].message.content}
    assert chunks[-1].message.content == "echo: hello there"
    assert chat.attributes[_genai.TOKEN_USAGE]["output_tokens"] == 3
    assert [event.name for event in chat.events] == [_genai.FIRST_TOKEN_EVENT]


async def test_async_query_nests_retrieval_and_llm(index, openai_llm, exported):
    response = await index.as_query_engine(llm=openai_llm).aquery(QUESTION)

    spans = spans_by_name(only_trace(exported))
    query = spans["RetrieverQueryEngine.aquery"]
    assert query.outputs == response.response
    assert spans["VectorIndexRetriever.aretrieve"].parent_id == query.span_id
    assert spans["OpenAI.achat"].parent_id == query.span_id
    assert spans["OpenAI.achat"].attributes[_genai.TOKEN_USAGE]["total_tokens"] > 0


async def test_async_streamed_chat(openai_llm, exported):
    stream = await openai_llm.astream_chat([ChatMessage(role="user", content="hello there")])
    chunks = [chunk async for chunk in stream]

    (chat,) = only_trace(exported).data.spans
    assert chat.name == "OpenAI.astream_chat"
    assert chat.outputs["content"] == chunks[-1].message.content == "echo: hello there"


def test_chat_engine_is_the_parent_of_its_llm_call(exported):
    engine = SimpleChatEngine.from_defaults(llm=MockLLM(max_tokens=2))
    reply = engine.chat("hi")

    spans = spans_by_name(only_trace(exported))
    chat = spans["SimpleChatEngine.chat"]
    assert chat.span_type == SpanType.CHAIN
    assert chat.inputs == {"message": "hi"} and chat.outputs == reply.response
    assert spans["MockLLM.chat"].parent_id == chat.span_id


def test_streamed_chat_engine_span_ends_with_its_llm_stream(exported):
    # SimpleChatEngine reads the LLM's stream in a thread of its own, after stream_chat has returned.
    reply = SimpleChatEngine.from_defaults(llm=MockLLM(max_tokens=3)).stream_chat("hi")
    text = "".join(reply.response_gen)

    spans = spans_by_name(only_trace(exported))
    chat, llm = spans["SimpleChatEngine.stream_chat"], spans["MockLLM.stream_chat"]
    assert llm.parent_id == chat.span_id and llm.end_time_ns <= chat.end_time_ns
    assert chat.outputs == text == "text text text"
    assert llm.outputs == {"role": "assistant", "content": text}


async def test_async_streamed_chat_engine(exported):
    reply = await SimpleChatEngine.from_defaults(llm=MockLLM(max_tokens=2)).astream_chat("hi")
    text = "".join([token async for token in reply.async_response_gen()])

    spans = spans_by_name(only_trace(exported))
    chat = spans["SimpleChatEngine.astream_chat"]
    assert spans["MockLLM.astream_chat"].parent_id == chat.span_id
    assert chat.outputs == text == "text text"


def test_tool_call_is_a_tool_span(exported):
    def multiply(a: int, b: int) -> int:
        """Multiply two integers."""
        return a * b

    output = FunctionTool.from_defaults(fn=multiply).call(a=6, b=7)

    (span,) = only_trace(exported).data.spans
    assert span.name == "FunctionTool.call" and span.span_type == SpanType.TOOL
    assert span.inputs == {"a": 6, "b": 7} and span.outputs == output.content == "42"
    assert span.attributes[llama_index_autolog.TOOL_NAME] == "multiply"


def test_exception_in_the_llm_ends_its_span_as_error_and_propagates_unchanged(index, exported):
    error = RuntimeError("model unavailable")
    with pytest.raises(RuntimeError) as raised:
        index.as_query_engine(llm=FailingLLM(error=error)).query(QUESTION)

    assert raised.value is error
    spans = spans_by_name(only_trace(exported))
    for name in ("FailingLLM.complete", "RetrieverQueryEngine.query"):
        assert spans[name].status.status_code == SpanStatusCode.ERROR
        assert spans[name].events[0].name == "exception"
    assert spans["VectorIndexRetriever.retrieve"].status.status_code == SpanStatusCode.OK


def test_api_error_of_the_openai_llm_propagates(llm_server, exported):
    import openai

    # LlamaIndex refuses unknown model names, so the failure comes from a path the fake server does not serve
    llm = OpenAI(model="gpt-4o-mini", api_base=f"{llm_server.openai_url}/missing", api_key="test-key",
                 max_retries=0)
    with pytest.raises(openai.NotFoundError):
        llm.chat([ChatMessage(role="user", content="hi")])

    (chat,) = only_trace(exported).data.spans
    assert chat.status.status_code == SpanStatusCode.ERROR
    assert "NotFoundError" in str(chat.events[0].attributes)


def test_a_class_defined_after_autolog_is_traced(exported):
    class EchoLLM(CustomLLM):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(model_name="echo")

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs):
            return CompletionResponse(text=prompt)

        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs):
            raise NotImplementedError

    assert EchoLLM().complete("ping").text == "ping"

    (span,) = only_trace(exported).data.spans
    assert span.name == "EchoLLM.complete"
    assert span.attributes[_genai.REQUEST_MODEL] == "echo"


def test_traces_are_stored_and_found_with_search_traces(index):
    index.as_query_engine(llm=MockLLM(max_tokens=2)).query(QUESTION)
    tracekit.flush_trace_async_logging()

    (trace,) = tracekit.search_traces(return_type="list")
    names = {span.name for span in trace.data.spans}
    assert {"RetrieverQueryEngine.query", "VectorIndexRetriever.retrieve", "MockLLM.complete"} <= names
    assert trace.data.root_span.inputs == {"query": QUESTION}


def test_extra_tags_go_on_the_traces_it_starts(index, exported):
    llama_index_autolog.autolog(extra_tags={"app": "docs-qa"})
    index.as_query_engine(llm=MockLLM(max_tokens=2)).query(QUESTION)

    assert only_trace(exported).info.tags["app"] == "docs-qa"


def test_disable_removes_the_patches(index, exported):
    llama_index_autolog.autolog(disable=True)
    originals = MockLLM.__dict__["complete"], vars(DispatcherSpanMixin)["__init_subclass__"]
    llama_index_autolog.autolog()
    assert MockLLM.__dict__["complete"] is not originals[0]
    llama_index_autolog.autolog(disable=True)

    assert (MockLLM.__dict__["complete"], vars(DispatcherSpanMixin)["__init_subclass__"]) == originals
    index.as_query_engine(llm=MockLLM(max_tokens=2)).query(QUESTION)
    assert exported() == []
    assert not llama_index_autolog.is_enabled()


def test_package_entry_point_and_tracekit_autolog_turn_it_on():
    llama_index_autolog.autolog(disable=True)
    tracekit.llama_index.autolog()
    assert llama_index_autolog.is_enabled()
    tracekit.autolog(disable=True)
    assert not llama_index_autolog.is_enabled()
    assert "llama_index" in tracekit.autolog()
    assert llama_index_autolog.is_enabled()


def test_broken_recording_never_breaks_the_call(index, exported, internal_warnings, monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("cannot record")

    monkeypatch.setattr(llama_index_autolog, "_document", broken)
    response = index.as_query_engine(llm=MockLLM(max_tokens=2)).query(QUESTION)

    assert response.response == "text text"
    assert len(internal_warnings()) == 1  # recording the retriever's response
    assert len(only_trace(exported).data.spans) == 4
