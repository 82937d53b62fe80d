"""Autolog for LlamaIndex (`llama-index-core`): query engines, chat engines, retrievers, LLMs and embeddings become
nested spans.

>>> import tracekit.integrations.llama_index
>>> tracekit.integrations.llama_index.autolog()
>>> index = VectorStoreIndex.from_documents(documents)
>>> index.as_query_engine().query("What did the author do?")

What becomes a span (sync, async and streamed forms), named `<class>.<method>`:

- query engines' `query` / `aquery` (CHAIN): the query string in, the answer text out; a streamed answer
  (`streaming=True`) ends its span when `response_gen` is exhausted or closed;
- chat engines' `chat` / `achat` / `stream_chat` / `astream_chat` (CHAIN): the message and chat history in, the
  reply text out (a streamed reply is recorded on the span of the LLM call that produces it);
- retrievers' `retrieve` / `aretrieve` (RETRIEVER): the query in, the retrieved nodes out as documents
  (`id`, `page_content`, `metadata`, `score`);
- LLMs' `chat` / `achat` / `stream_chat` / `astream_chat` (CHAT_MODEL) and `complete` / `acomplete` /
  `stream_complete` / `astream_complete` (LLM): the conversation under `tracekit.chat.messages`, the model, the
  sampling parameters set on the LLM, token usage when the response carries it (OpenAI's does), a `first_token`
  event when streamed;
- tools' `call` / `acall` (TOOL): the arguments in, the output text out, the tool's name as `gen_ai.tool.name`
  (an agent's tool calls, whichever agent runs them);
- embedding models' `get_query_embedding`, `get_text_embedding`, `get_text_embedding_batch` and their `aget_`
  forms (EMBEDDING): the text in, the number and size of the vectors out.

Each span is a child of the current span, so a query engine's span is the parent of its retrieval, embedding and
LLM spans, and an OpenAI client call made inside an LLM span (with OpenAI autolog on too) nests under it.

How: wrapt patches, as in the other integrations. LlamaIndex implements these methods in each subclass (every LLM
class has its own `chat`), so the patches go on every class that defines one: those already imported when
`autolog()` runs, found by walking the subclasses of LlamaIndex's base classes, and those defined later, found by
a patch on `DispatcherSpanMixin.__init_subclass__` (the hook LlamaIndex's own instrumentation uses to reach new
subclasses). LlamaIndex's instrumentation dispatcher is not used to make the spans: its span ends when a method
returns, before a streamed reply is read, and it reports exceptions only as strings. A call into the same object
from inside one of its traced methods (`CustomLLM.chat` calling `self.complete`, a subclass calling `super().chat`)
adds no second span.
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import AsyncGenerator, Callable, Generator, Iterator, Mapping
from typing import Any

from tracekit.constants import SpanAttributeKey
from tracekit.entities import SpanType
from tracekit.integrations import _genai
from tracekit.integrations._calls import (
    CallRecorder,
    TracedAsyncStream,
    TracedStream,
    async_wrapper,
    sync_wrapper,
)
from tracekit.integrations._patching import Library, PatchSet, PatchTarget, Wrapper, switch_autolog
from tracekit.otlp.genai import REQUEST_PARAMETER_KEYS
from tracekit.tracing.context import reset_current, set_current
from tracekit.tracing.safety import report_internal_error

MINIMUM_VERSION = (0, 14)
_PATCHES = PatchSet("llama_index")
_LIBRARY = Library("llama_index", "llama_index.core", "llama-index-core", MINIMUM_VERSION)
_SYSTEM = "llama_index"
#: Span attribute of a TOOL span: the tool's name (the OpenTelemetry GenAI convention's key).
TOOL_NAME = "gen_ai.tool.name"

# The object whose traced method is running in this context: a call into the same object nests no second span.
_in_call: contextvars.ContextVar[object] = contextvars.ContextVar("tracekit_llama_index_in_call", default=None)


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace LlamaIndex query engines, chat engines, retrievers, LLMs, embeddings and tools (`disable=True` or
    `log_traces=False` removes the patches). Safe to call repeatedly; if `llama-index-core` is missing or older than
    0.14, logs a warning and stays off. `silent=True` logs nothing while setting up; `extra_tags` are added to every
    trace one of its calls starts."""
    switch_autolog(_PATCHES, _LIBRARY, _targets, disable=disable, silent=silent, log_traces=log_traces,
                   extra_tags=extra_tags)


def is_enabled() -> bool:
    """Whether LlamaIndex calls are being traced."""
    return _PATCHES.active


# --- what to patch -------------------------------------------------------------------------------------------------
@functools.cache
def _base_classes() -> list[tuple[type, dict[str, type[CallRecorder]]]]:
    from llama_index.core.base.base_query_engine import BaseQueryEngine
    from llama_index.core.base.base_retriever import BaseRetriever
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.base.llms.base import BaseLLM
    from llama_index.core.chat_engine.types import BaseChatEngine
    from llama_index.core.tools.types import BaseTool

    return [
        (BaseQueryEngine, {"query": _QueryRecorder, "aquery": _QueryRecorder}),
        (BaseRetriever, {"retrieve": _RetrieverRecorder, "aretrieve": _RetrieverRecorder}),
        (BaseChatEngine, {name: _ChatEngineRecorder for name in ("chat", "achat", "stream_chat", "astream_chat")}),
        (BaseLLM, {**{name: _ChatRecorder for name in ("chat", "achat", "stream_chat", "astream_chat")},
                   **{name: _CompletionRecorder
                      for name in ("complete", "acomplete", "stream_complete", "astream_complete")}}),
        (BaseEmbedding, {name: _EmbeddingRecorder for name in (
            "get_query_embedding", "aget_query_embedding", "get_text_embedding", "aget_text_embedding",
            "get_text_embedding_batch", "aget_text_embedding_batch")}),
        (BaseTool, {"call": _ToolRecorder, "acall": _ToolRecorder}),
    ]


def _targets() -> list[PatchTarget]:
    import llama_index.core  # noqa: F401 - imports the engines, retrievers and LLMs it ships, so they are walked

    targets = [PatchTarget("llama_index.core.instrumentation", "DispatcherSpanMixin", "__init_subclass__",
                           _patch_new_class)]
    for base, methods in _base_classes():
        for cls in _with_subclasses(base):
            targets += _class_targets(cls, methods)
    return targets


def _with_subclasses(base: type) -> Iterator[type]:
    seen: set[type] = set()
    pending = [base]
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        pending.extend(cls.__subclasses__())


def _class_targets(cls: type, methods: Mapping[str, type[CallRecorder]]) -> list[PatchTarget]:
    """The methods of `methods` that `cls` itself implements (not abstract, not only inherited)."""
    targets = []
    for name, recorder in methods.items():
        method = vars(cls).get(name)
        if method is None or getattr(method, "__isabstractmethod__", False):
            continue
        recorder_cls = type(recorder.__name__, (recorder,), {"span_name": name})
        targets.append(PatchTarget(cls.__module__, cls, name, _once_per_object(name.startswith("a"), recorder_cls)))
    return targets


def _patch_new_class(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> Any:
    # `__init_subclass__` is a classmethod: `instance` is the class being defined (a user's LLM, an integration
    # package's retriever imported after autolog()).
    result = wrapped(*args, **kwargs)
    try:
        if isinstance(instance, type):
            for base, methods in _base_classes():
                if issubclass(instance, base):
                    _PATCHES.extend(_class_targets(instance, methods))
    except Exception:  # noqa: BLE001
        report_internal_error("llama_index autolog: patching a newly defined class")
    return result


def _once_per_object(is_async: bool, recorder_cls: type[CallRecorder]) -> Wrapper:
    """A wrapper tracing the method with `recorder_cls`, unless the call comes from a traced method of the same
    object (then the outer call's span already covers it)."""
    if is_async:
        traced_async = async_wrapper(recorder_cls)

        async def trace_async(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                              kwargs: dict[str, Any]) -> Any:
            if instance is not None and _in_call.get() is instance:
                return await wrapped(*args, **kwargs)
            token = _in_call.set(instance)
            try:
                return await traced_async(wrapped, instance, args, kwargs)
            finally:
                _in_call.reset(token)

        return trace_async

    traced = sync_wrapper(recorder_cls)

    def trace(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if instance is not None and _in_call.get() is instance:
            return wrapped(*args, **kwargs)
        token = _in_call.set(instance)
        try:
            return traced(wrapped, instance, args, kwargs)
        finally:
            _in_call.reset(token)

    return trace


# --- what to record ------------------------------------------------------------------------------------------------
def _argument(args: tuple[Any, ...], kwargs: dict[str, Any], name: str) -> Any:
    return args[0] if args else kwargs.get(name)


def _query_text(query: Any) -> Any:
    """A query given as a string or a `QueryBundle`, as its text."""
    return getattr(query, "query_str", query)


def _message(message: Any) -> dict[str, Any]:
    """A LlamaIndex `ChatMessage` in the chat-messages format (`role`, `content`, `tool_calls`)."""
    role = getattr(message, "role", "user")
    result: dict[str, Any] = {"role": str(getattr(role, "value", role)), "content": getattr(message, "content", None)}
    tool_calls = (getattr(message, "additional_kwargs", None) or {}).get("tool_calls")
    if tool_calls:
        result["tool_calls"] = [_genai.to_plain(call) for call in tool_calls]
    return result


def _document(node: Any) -> dict[str, Any]:
    """A retrieved `NodeWithScore` as a document."""
    inner = getattr(node, "node", node)
    return {"id": getattr(inner, "node_id", None), "page_content": inner.get_content(),
            "metadata": dict(getattr(inner, "metadata", None) or {}), "score": getattr(node, "score", None)}


def _field(value: Any, *names: str) -> Any:
    """The first of `names` that `value` (a mapping or an object) has and is not None."""
    for name in names:
        found = value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)
        if found is not None:
            return found
    return None


def _rename(span: Any, instance: Any, method: str) -> None:
    span.otel_span.update_name(f"{type(instance).__name__}.{method}")


class _Recorder(CallRecorder):
    integration = "llama_index"

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        _rename(self.span, instance, self.span_name)
        self.record_request(instance, args, kwargs)

    def record_request(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Record the call's inputs."""


class _QueryRecorder(_Recorder):
    """A streamed answer comes back as a `StreamingResponse` whose `response_gen` yields the text: the span ends
    with that generator."""

    span_type = SpanType.CHAIN

    def __init__(self, span: Any) -> None:
        super().__init__(span)
        self.text: list[str] = []

    def record_request(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.span.set_inputs({"query": _query_text(_argument(args, kwargs, "str_or_query_bundle"))})

    def is_stream(self, result: Any) -> bool:
        generator = getattr(result, "response_gen", None)
        if isinstance(generator, Generator):
            self.stream_proxy = _stream_response_gen(_StreamUnderSpan)
            return True
        if isinstance(generator, AsyncGenerator):
            self.stream_proxy = _stream_response_gen(_AsyncStreamUnderSpan)
            return True
        return False

    def on_result(self, result: Any) -> None:
        self.span.set_outputs(_field(result, "response"))

    def on_chunk(self, chunk: Any) -> bool:
        if isinstance(chunk, str):
            self.text.append(chunk)
            return bool(chunk)
        return False

    def on_stream_end(self) -> None:
        self.span.set_outputs("".join(self.text))


class _StreamUnderSpan(TracedStream):
    """A streamed answer whose span is current while it makes each chunk: the LLM call that a query engine's
    answer stream starts only when it is first read nests under the query's span."""

    def __next__(self) -> Any:
        token = set_current(self._self_recorder.span)
        try:
            return super().__next__()
        finally:
            reset_current(token)


class _AsyncStreamUnderSpan(TracedAsyncStream):
    """The asynchronous counterpart of `_StreamUnderSpan`."""

    async def __anext__(self) -> Any:
        token = set_current(self._self_recorder.span)
        try:
            return await super().__anext__()
        finally:
            reset_current(token)


def _stream_response_gen(proxy: type[Any]) -> Callable[[Any, CallRecorder], Any]:
    def wrap_generator(response: Any, recorder: CallRecorder) -> Any:
        response.response_gen = proxy(response.response_gen, recorder)
        return response

    return wrap_generator


class _ChatEngineRecorder(_Recorder):
    """A chat engine call. A streamed one (`stream_chat`, `astream_chat`) returns before its reply is generated,
    often by a thread LlamaIndex starts, so its span stays open until the LLM streams it started have ended too
    (a span ending after its trace was written would be lost); the reply of the last of them is its output."""

    span_type = SpanType.CHAIN

    def __init__(self, span: Any) -> None:
        super().__init__(span)
        self.holds = 0  # streamed call: 1 until it returns, plus 1 per LLM stream it started that is still open
        self.lock = threading.Lock()

    def record_request(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        inputs: dict[str, Any] = {"message": _argument(args, kwargs, "message")}
        history = args[1] if len(args) > 1 else kwargs.get("chat_history")
        if history:
            inputs["chat_history"] = [_message(message) for message in history]
        self.span.set_inputs(inputs)
        if "stream" in self.span_name:
            self.holds = 1
            _streaming_chats[self.span.span_id] = self

    def on_result(self, result: Any) -> None:
        response = _field(result, "response")
        if response:
            self.span.set_outputs(response)

    def returned(self, result: Any) -> Any:
        if self.holds == 0:
            return super().returned(result)
        self.release()
        return result

    def failed(self, exc: BaseException) -> None:
        _streaming_chats.pop(self.span.span_id, None)
        super().failed(exc)

    def hold(self) -> None:
        """An LLM stream started under this call: keep the span open until it ends."""
        with self.lock:
            self.holds += 1

    def release(self, reply: Any = None, exc: BaseException | None = None) -> None:
        """The call returned, or one of its LLM streams ended (with `reply`, or failed with `exc`)."""
        with self.lock:
            self.holds -= 1
            done = self.holds == 0
        try:
            if reply is not None:
                self.span.set_outputs(reply)
            if exc is not None:
                self.span.record_exception(exc)
        except Exception:  # noqa: BLE001
            self._report("recording a streamed reply")
        if done:
            _streaming_chats.pop(self.span.span_id, None)
            self._end()


# span id -> the streamed chat engine call that span belongs to, while it waits for its LLM streams
_streaming_chats: dict[str, _ChatEngineRecorder] = {}


class _RetrieverRecorder(_Recorder):
    span_type = SpanType.RETRIEVER

    def record_request(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.span.set_inputs({"query": _query_text(_argument(args, kwargs, "str_or_query_bundle"))})

    def on_result(self, result: Any) -> None:
        self.span.set_outputs([_document(node) for node in result or []])


class _EmbeddingRecorder(_Recorder):
    """Outputs are a summary (count and dimensions of the vectors), not the vectors."""

    span_type = SpanType.EMBEDDING

    def record_request(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        name = "texts" if self.span_name.endswith("batch") else "query" if "query" in self.span_name else "text"
        self.span.set_inputs({name: _argument(args, kwargs, name)})
        self.span.set_attribute(_genai.SYSTEM, _SYSTEM)
        self.span.set_attribute(_genai.OPERATION, "embeddings")
        model = getattr(instance, "model_name", None)
        if model:
            self.span.set_attribute(_genai.REQUEST_MODEL, str(model))

    def on_result(self, result: Any) -> None:
        vectors = result if self.span_name.endswith("batch") else [result]
        dimensions = sorted({len(vector) for vector in vectors or []})
        self.span.set_outputs({"count": len(vectors or []), "dimensions": dimensions})


class _ToolRecorder(_Recorder):
    """A tool call (an agent's, or your own): the arguments in, the tool's output text out."""

    span_type = SpanType.TOOL

    def record_request(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        inputs: dict[str, Any] = dict(kwargs)
        if args:
            inputs["args"] = list(args)
        self.span.set_inputs(inputs)
        name = _field(getattr(instance, "metadata", None), "name")
        if name:
            self.span.set_attribute(TOOL_NAME, str(name))

    def on_result(self, result: Any) -> None:
        self.span.set_outputs(_field(result, "content"))
        if getattr(result, "is_error", False):
            self.span.set_status("ERROR", str(_field(result, "content")))


class _ChatRecorder(_Recorder):
    """An LLM's chat call; streamed replies arrive as `ChatResponse`s whose `message` holds the text so far."""

    span_type = SpanType.CHAT_MODEL
    operation = "chat"

    def __init__(self, span: Any) -> None:
        super().__init__(span)
        self.messages: list[dict[str, Any]] = []
        self.last_chunk: Any = None
        self.deltas: list[str] = []
        self.reply_content: Any = None
        self.chat_engine: _ChatEngineRecorder | None = None  # a streamed chat engine call waiting for this stream

    def record_request(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.messages = self.request_messages(args, kwargs)
        inputs: dict[str, Any] = {"messages": self.messages}
        inputs.update(_genai.request_inputs({key: value for key, value in kwargs.items()
                                             if key not in ("messages", "prompt", "formatted")}))
        self.span.set_inputs(inputs)
        self.span.set_attribute(_genai.SYSTEM, _SYSTEM)
        self.span.set_attribute(_genai.OPERATION, self.operation)
        model = getattr(instance, "model", None) or _field(getattr(instance, "metadata", None), "model_name")
        if model:
            self.span.set_attribute(_genai.REQUEST_MODEL, str(model))
        for parameter, key in REQUEST_PARAMETER_KEYS.items():
            value = getattr(instance, parameter, None)
            if isinstance(value, (int, float, str)) and not isinstance(value, bool):
                self.span.set_attribute(key, value)

    def request_messages(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        """The conversation sent to the model."""
        return [_message(message) for message in _argument(args, kwargs, "messages") or []]

    def reply(self, response: Any) -> dict[str, Any]:
        """The model's answer as a chat message."""
        return _message(response.message)

    def is_stream(self, result: Any) -> bool:
        if not isinstance(result, (Generator, AsyncGenerator)):
            return False
        chat_engine = _streaming_chats.get(self.span.parent_id or "")
        if chat_engine is not None:
            chat_engine.hold()
            self.chat_engine = chat_engine
        return True

    def finish_stream(self, exc: BaseException | None = None) -> None:
        super().finish_stream(exc)
        chat_engine, self.chat_engine = self.chat_engine, None
        if chat_engine is not None:
            chat_engine.release(self.reply_content, exc)

    def on_result(self, result: Any) -> None:
        self.record_response(result)

    def on_chunk(self, chunk: Any) -> bool:
        self.last_chunk = chunk
        delta = getattr(chunk, "delta", None)
        if isinstance(delta, str) and delta:
            self.deltas.append(delta)
            return True
        return False

    def on_stream_end(self) -> None:
        if self.last_chunk is not None:
            self.record_response(self.last_chunk)

    def record_response(self, response: Any) -> None:
        reply = self.reply(response)
        if self.deltas:  # a streamed reply: its text is what the chunks added, whatever the last chunk repeats
            reply["content"] = "".join(self.deltas)
        self.reply_content = reply["content"]
        self.span.set_outputs(reply)
        self.span.set_attribute(SpanAttributeKey.CHAT_MESSAGES, [*self.messages, reply])
        raw = getattr(response, "raw", None)
        choices = _field(raw, "choices") or []
        _genai.record_response_info(self.span, _field(raw, "model"), _field(raw, "id"),
                                    [_field(choice, "finish_reason") for choice in choices])
        usage = _field(raw, "usage")
        if usage is None:  # LlamaIndex's OpenAI LLM also copies the counts here
            usage = getattr(response, "additional_kwargs", None) or {}
        _genai.record_usage(self.span, _field(usage, "prompt_tokens", "input_tokens"),
                            _field(usage, "completion_tokens", "output_tokens"), _field(usage, "total_tokens"))


class _CompletionRecorder(_ChatRecorder):
    """An LLM's completion call: the prompt is recorded as a user message, the text as the assistant's reply."""

    span_type = SpanType.LLM
    operation = "text_completion"

    def request_messages(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"role": "user", "content": _argument(args, kwargs, "prompt")}]

    def reply(self, response: Any) -> dict[str, Any]:
        return {"role": "assistant", "content": response.text}
