"""Autolog for DSPy (`dspy`): programs, predictors, language-model calls, retrievers and tools as nested spans.

>>> import tracekit.integrations.dspy
>>> tracekit.integrations.dspy.autolog()
>>> qa = dspy.ChainOfThought("question -> answer")
>>> qa(question="What is tracing?")

Each call of a `dspy.Module` (`module(...)` or `await module.acall(...)`) is a CHAIN span named after the module's
class (an AGENT span for `ReAct` / `CodeAct`), under the span of the module that called it: a program's span parents
its predictors' spans, and theirs the language-model calls. Inputs are the call's keyword arguments (positional ones
named after `forward`'s parameters), outputs the returned `Prediction`'s fields. A predictor's span carries its
signature (`dspy.signature`, its instructions and field names).

Each call of a DSPy language model (`dspy.LM`, `DummyLM` and other `BaseLM` subclasses, `lm(...)` / `lm.acall`) is a
CHAT_MODEL span (LLM for `model_type="text"`) named after the LM class: the prompt or messages, the model and its
sampling parameters, the outputs, the conversation under `tracekit.chat.messages` and the token usage and response
model DSPy recorded for the call (read from the entry DSPy adds to the LM's history, so nothing is recorded there
when `dspy.settings.disable_history` is set; a cache hit has no usage). `dspy.Retrieve` and
`dspy.retrievers.Embeddings` calls are RETRIEVER spans (the query in, the passages out as documents);
`dspy.Tool` calls (a ReAct agent's tools) are TOOL spans named after the tool. Items that DSPy runs in its thread
pool (`module.batch`, `dspy.Parallel`, `dspy.Evaluate`) nest under the span current where the pool was started.

The adapters' `format` / `parse` steps are not separate spans: the LM span already holds the messages the adapter
formatted and the predictor's span the fields it parsed, so two more spans per predictor call would repeat them.

DSPy may send an LM call through LiteLLM (`engine="litellm"`, or a request its native engine cannot carry). With
LiteLLM autolog on as well, that `litellm.completion` span nests under the LM span rather than being suppressed: it
shows the provider request as sent, one span per retry, and a trace's token usage counts only the outermost span
that records tokens, so nothing is counted twice.
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Mapping
from typing import Any

from tracekit.constants import SpanAttributeKey
from tracekit.entities import SpanType
from tracekit.integrations import _genai
from tracekit.integrations._calls import CallRecorder, async_wrapper, sync_wrapper
from tracekit.integrations._patching import Library, PatchSet, PatchTarget, switch_autolog
from tracekit.tracing.context import current_span, with_current_context
from tracekit.tracing.safety import report_internal_error

MINIMUM_VERSION = (3, 4)
_PATCHES = PatchSet("dspy")
_LIBRARY = Library("dspy", "dspy", "dspy", MINIMUM_VERSION)

#: Span attributes of a predictor's span: its signature as text ("question -> answer"), its instructions, and
#: the names of its input and output fields.
SIGNATURE = "dspy.signature"
SIGNATURE_INSTRUCTIONS = "dspy.signature.instructions"
SIGNATURE_INPUTS = "dspy.signature.input_fields"
SIGNATURE_OUTPUTS = "dspy.signature.output_fields"
#: Span attribute of an LM span: the cost DSPy estimated for the call, when it knows the model's prices.
LM_COST = "dspy.lm.cost"
#: Span attribute of an LM span: DSPy's `model_type` ("chat", "text" or "responses").
LM_MODEL_TYPE = "dspy.lm.model_type"

# Module classes that run a tool-using loop: their span is an AGENT span.
_AGENT_MODULES = frozenset({"ReAct", "CodeAct"})
# The LM call the current context is inside, so the history entry DSPy records for it lands on its span.
_active_lm_call: contextvars.ContextVar[_LMRecorder | None] = contextvars.ContextVar("tracekit_dspy_lm_call",
                                                                                     default=None)


def autolog(disable: bool = False, silent: bool = False, log_traces: bool = True,
            extra_tags: Mapping[str, Any] | None = None) -> None:
    """Trace DSPy programs (`disable=True` or `log_traces=False` removes the patches). Safe to call repeatedly; if
    `dspy` is missing or older than 3.4, logs a warning and stays off. `silent=True` logs nothing while setting
    up; `extra_tags` are added to every trace one of its calls starts."""
    switch_autolog(_PATCHES, _LIBRARY, _targets, disable=disable, silent=silent, log_traces=log_traces,
                   extra_tags=extra_tags)


def _targets() -> list[PatchTarget]:
    return [
        *_call_and_acall("dspy.primitives.module", "Module", _ModuleRecorder),
        *_call_and_acall("dspy.clients.base_lm", "BaseLM", _LMRecorder),
        PatchTarget("dspy.clients.base_lm", "BaseLM", "update_history", _capture_history_entry),
        PatchTarget("dspy.retrievers.retrieve", "Retrieve", "__call__", sync_wrapper(_RetrieverRecorder)),
        PatchTarget("dspy.retrievers.embeddings", "Embeddings", "__call__", sync_wrapper(_RetrieverRecorder)),
        *_call_and_acall("dspy.adapters.types.tool", "Tool", _ToolRecorder),
        PatchTarget("dspy.utils.parallelizer", "ParallelExecutor", "_execute_parallel", _carry_current_span),
    ]


def _call_and_acall(module: str, class_name: str, recorder: type[CallRecorder]) -> list[PatchTarget]:
    """The class's `__call__` and its coroutine twin `acall`, both traced by `recorder`."""
    return [PatchTarget(module, class_name, "__call__", sync_wrapper(recorder)),
            PatchTarget(module, class_name, "acall", async_wrapper(recorder))]


def is_enabled() -> bool:
    """Whether DSPy calls are being traced."""
    return _PATCHES.active


# --- modules ----------------------------------------------------------------------------------------------------
def _named_arguments(function: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments by name: positional ones bound to `function`'s parameters (self excluded)."""
    if not args:
        return dict(kwargs)
    try:
        signature = inspect.signature(function)
        bound = signature.bind_partial(instance, *args, **kwargs).arguments
    except (TypeError, ValueError):
        return {"args": list(args), **kwargs}
    named: dict[str, Any] = {}
    for name, value in list(bound.items())[1:]:  # the first is self
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            named.update(value)
        else:
            named[name] = list(value) if kind is inspect.Parameter.VAR_POSITIONAL else value
    return named


def _fields(result: Any) -> Any:
    """A `Prediction`'s (or `Example`'s) fields as a dict; anything else as it is."""
    items = getattr(result, "items", None)
    if callable(items) and hasattr(result, "_store"):
        return dict(items())
    return result


def _signature_of(module: Any) -> Any:
    signature = getattr(module, "signature", None)
    if signature is None:  # ChainOfThought and other wrappers keep theirs on an inner predictor
        signature = getattr(getattr(module, "predict", None), "signature", None)
    return signature if hasattr(signature, "input_fields") else None


class _DspyRecorder(CallRecorder):
    """A DSPy call's span, named after the object called (`name_of`) with the type `type_of` gives."""

    integration = "dspy"

    @classmethod
    def span_identity(cls, instance: Any) -> tuple[str, str]:
        return cls.name_of(instance), cls.type_of(instance)

    @classmethod
    def name_of(cls, instance: Any) -> str:
        return type(instance).__name__

    @classmethod
    def type_of(cls, instance: Any) -> str:
        return cls.span_type


class _ModuleRecorder(_DspyRecorder):
    span_name = "Module"
    span_type = SpanType.CHAIN

    @classmethod
    def type_of(cls, instance: Any) -> str:
        is_agent = any(base.__name__ in _AGENT_MODULES for base in type(instance).__mro__)
        return SpanType.AGENT if is_agent else SpanType.CHAIN

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.span.set_inputs(_named_arguments(type(instance).forward, instance, args, kwargs))
        signature = _signature_of(instance)
        if signature is not None:
            self.span.set_attribute(SIGNATURE, str(signature.signature))
            self.span.set_attribute(SIGNATURE_INSTRUCTIONS, str(signature.instructions))
            self.span.set_attribute(SIGNATURE_INPUTS, list(signature.input_fields))
            self.span.set_attribute(SIGNATURE_OUTPUTS, list(signature.output_fields))

    def on_result(self, result: Any) -> None:
        self.span.set_outputs(_fields(result))


# --- language models --------------------------------------------------------------------------------------------
def _reply(output: Any) -> dict[str, Any]:
    """One LM output (a string, or a dict with "text" and maybe "tool_calls") as an assistant message."""
    if isinstance(output, str):
        return {"role": "assistant", "content": output}
    if isinstance(output, Mapping):
        message: dict[str, Any] = {"role": "assistant", "content": output.get("text")}
        if output.get("tool_calls"):
            message["tool_calls"] = _genai.to_plain(output["tool_calls"])
        return message
    return {"role": "assistant", "content": _genai.to_plain(output)}


class _LMRecorder(_DspyRecorder):
    span_name = "LM"
    span_type = SpanType.CHAT_MODEL

    def __init__(self, span: Any) -> None:
        super().__init__(span)
        self.lm: Any = None
        self.messages: list[Any] = []
        self.entry: Mapping[str, Any] | None = None
        self._lm_token: contextvars.Token[_LMRecorder | None] | None = None

    @classmethod
    def type_of(cls, instance: Any) -> str:
        return SpanType.LLM if getattr(instance, "model_type", "chat") == "text" else SpanType.CHAT_MODEL

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.lm = instance
        self._lm_token = _active_lm_call.set(self)
        prompt = args[0] if args else kwargs.get("prompt")
        call = {key: value for key, value in kwargs.items() if not key.startswith("api_") and key != "prompt"}
        inputs = {"prompt": prompt, **call} if prompt is not None else call
        messages = kwargs.get("messages")
        if isinstance(messages, list):
            self.messages = list(messages)
        elif isinstance(prompt, str):
            self.messages = [{"role": "user", "content": prompt}]
        model = str(getattr(instance, "model", ""))
        parameters = {key: value for key, value in {**(getattr(instance, "kwargs", None) or {}), **call}.items()
                      if not key.startswith("api_") and key != "messages"}
        text = getattr(instance, "model_type", "chat") == "text"
        _genai.record_request(self.span, model.split("/", 1)[0] if "/" in model else "dspy",
                              "text_completion" if text else "chat", {**parameters, "model": model})
        self.span.set_inputs(inputs)  # record_request set the parameters as inputs: the call's own are wanted
        self.span.set_attribute(LM_MODEL_TYPE, str(getattr(instance, "model_type", "chat")))

    def on_result(self, result: Any) -> None:
        self.span.set_outputs(result)
        replies = [_reply(output) for output in result] if isinstance(result, list) else []
        if self.messages or replies:
            self.span.set_attribute(SpanAttributeKey.CHAT_MESSAGES, [*self.messages, *replies])
        entry = self.entry
        if entry is None:
            return
        _genai.record_response_info(self.span, entry.get("response_model"))
        usage = entry.get("usage") or {}
        if isinstance(usage, Mapping) and usage:
            _genai.record_usage(self.span, usage.get("prompt_tokens"), usage.get("completion_tokens"),
                                usage.get("total_tokens"))
        cost = entry.get("cost")
        if isinstance(cost, (int, float)):
            self.span.set_attribute(LM_COST, cost)

    def returned(self, result: Any) -> Any:
        self._leave()
        return super().returned(result)

    def failed(self, exc: BaseException) -> None:
        self._leave()
        super().failed(exc)

    def _leave(self) -> None:
        token, self._lm_token = self._lm_token, None
        if token is not None:
            try:
                _active_lm_call.reset(token)
            except (ValueError, RuntimeError):  # ended in another context than it started in
                self._report("leaving an LM call's context")


def _capture_history_entry(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    result = wrapped(*args, **kwargs)
    try:
        call = _active_lm_call.get()
        if call is not None and call.lm is instance:
            entry = args[0] if args else kwargs.get("entry")
            if isinstance(entry, Mapping):
                call.entry = entry
    except Exception:  # noqa: BLE001
        report_internal_error("dspy autolog: reading the LM call's history entry")
    return result


def _carry_current_span(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # DSPy's thread pool (module.batch, dspy.Parallel, Evaluate) runs each item in a worker thread: hand the
    # current span over, so the items' spans nest under it rather than each starting a trace.
    try:
        if current_span.get() is not None:
            if args:
                args = (with_current_context(args[0]), *args[1:])
            elif "function" in kwargs:
                kwargs = {**kwargs, "function": with_current_context(kwargs["function"])}
    except Exception:  # noqa: BLE001
        report_internal_error("dspy autolog: handing the current span to DSPy's threads")
    return wrapped(*args, **kwargs)


# --- retrievers and tools ---------------------------------------------------------------------------------------
class _RetrieverRecorder(_DspyRecorder):
    """Outputs are the passages as documents (`page_content`, and `metadata` with the corpus index if known)."""

    span_name = "Retrieve"
    span_type = SpanType.RETRIEVER

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.span.set_inputs(_named_arguments(type(instance).forward, instance, args, kwargs))
        k = getattr(instance, "k", None)
        if isinstance(k, int):
            self.span.set_attribute("dspy.retriever.k", k)

    def on_result(self, result: Any) -> None:
        passages = getattr(result, "passages", None)
        if not isinstance(passages, list):
            self.span.set_outputs(_fields(result))
            return
        indices = getattr(result, "indices", None)
        documents = []
        for position, passage in enumerate(passages):
            document: dict[str, Any] = {"page_content": passage}
            if isinstance(indices, list) and position < len(indices):
                document["metadata"] = {"index": _genai.to_plain(indices[position])}
            documents.append(document)
        self.span.set_outputs(documents)


class _ToolRecorder(_DspyRecorder):
    span_name = "Tool"
    span_type = SpanType.TOOL

    @classmethod
    def name_of(cls, instance: Any) -> str:
        return str(getattr(instance, "name", None) or type(instance).__name__)

    def on_start(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.span.set_inputs(dict(kwargs))
        description = getattr(instance, "desc", None)
        if description:
            self.span.set_attribute("dspy.tool.description", str(description))

    def on_result(self, result: Any) -> None:
        self.span.set_outputs(result)
