"""A LlamaIndex LLM that calls an OpenAI-compatible server through the real `openai` client, the way LlamaIndex's own
`llama-index-llms-openai` does (that package pins `openai<3`, which the project's other integrations outgrew): chat
and completion, sync and async, streamed with usage in the last chunk, the OpenAI response kept as `raw`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Sequence
from typing import Any

import openai
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms import LLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from pydantic import Field, PrivateAttr


def _wire(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    return [{"role": message.role.value, "content": message.content or ""} for message in messages]


def _reply(completion: Any) -> ChatResponse:
    choice = completion.choices[0]
    usage = completion.usage.model_dump() if completion.usage is not None else {}
    return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=choice.message.content or ""),
                        raw=completion, additional_kwargs=usage)


def _streamed(text: str, chunk: Any) -> tuple[str, ChatResponse]:
    """The reply's text so far with `chunk`'s delta added, and the ChatResponse for that chunk."""
    delta = chunk.choices[0].delta.content or "" if chunk.choices else ""
    text += delta
    usage = chunk.usage.model_dump() if chunk.usage is not None else {}
    return text, ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta, raw=chunk,
                              additional_kwargs=usage)


class OpenAI(LLM):
    """Chat completions of `model` at `api_base` (a local fake server in the tests)."""

    model: str = Field(default="gpt-4o-mini")
    api_base: str = Field(default="")
    api_key: str = Field(default="test-key")
    temperature: float = Field(default=0.1)
    max_retries: int = Field(default=0)
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)
    _client: Any = PrivateAttr()
    _async_client: Any = PrivateAttr()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        options = {"base_url": self.api_base, "api_key": self.api_key, "max_retries": self.max_retries}
        self._client = openai.OpenAI(**options)
        self._async_client = openai.AsyncOpenAI(**options)

    @classmethod
    def class_name(cls) -> str:
        return "fake_openai_llm"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name=self.model, is_chat_model=True)

    def _request(self, messages: Sequence[ChatMessage], **kwargs: Any) -> dict[str, Any]:
        return {"model": self.model, "messages": _wire(messages), "temperature": self.temperature,
                **self.additional_kwargs, **kwargs}

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return _reply(self._client.chat.completions.create(**self._request(messages, **kwargs)))

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return _reply(await self._async_client.chat.completions.create(**self._request(messages, **kwargs)))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> Generator[ChatResponse, None, None]:
        stream = self._client.chat.completions.create(**self._request(messages, stream=True, **kwargs))

        def chunks() -> Generator[ChatResponse, None, None]:
            text = ""
            for chunk in stream:
                text, response = _streamed(text, chunk)
                yield response

        return chunks()

    @llm_chat_callback()
    async def astream_chat(self, messages: Sequence[ChatMessage],
                           **kwargs: Any) -> AsyncGenerator[ChatResponse, None]:
        stream = await self._async_client.chat.completions.create(**self._request(messages, stream=True, **kwargs))

        async def chunks() -> AsyncGenerator[ChatResponse, None]:
            text = ""
            async for chunk in stream:
                text, response = _streamed(text, chunk)
                yield response

        return chunks()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        reply = self.chat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs)
        return CompletionResponse(text=reply.message.content or "", raw=reply.raw)

    @llm_completion_callback()
    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        reply = await self.achat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs)
        return CompletionResponse(text=reply.message.content or "", raw=reply.raw)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False,
                        **kwargs: Any) -> Generator[CompletionResponse, None, None]:
        raise NotImplementedError("the tests stream chats only")

    @llm_completion_callback()
    async def astream_complete(self, prompt: str, formatted: bool = False,
                               **kwargs: Any) -> AsyncGenerator[CompletionResponse, None]:
        raise NotImplementedError("the tests stream chats only")
