"""A small OpenAI- and Anthropic-compatible HTTP server on 127.0.0.1, for tests, examples and benchmarks.

Endpoints: `/v1/chat/completions`, `/v1/responses`, `/v1/embeddings` (OpenAI), `/v1/messages` (Anthropic),
`/v1[beta]/models/<model>:generateContent` / `:streamGenerateContent` (Google Gemini) and `/model/<id>/converse` /
`/model/<id>/invoke` (AWS Bedrock runtime), each with SSE streaming where the real API has it (not Bedrock). The
reply is "echo: <last user text>"; a request carrying tools is answered with a call to the first tool (not by
Bedrock's InvokeModel or Gemini's stream). OpenAI chat completions and responses skip the tools called since the last
user message, and answer with text once every tool has been, so an agent loop ends. Special model names
drive the failure cases:

- `error-429` / `error-500`: that HTTP status with an error body in the provider's format;
- `malformed`: a 200 whose body has the wrong shape (a string where a list belongs).

>>> with FakeLLMServer() as server:
...     client = openai.OpenAI(base_url=server.openai_url, api_key="test", max_retries=0)
"""

from __future__ import annotations

import base64
import json
import re
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOOL_ARGUMENTS = {"city": "Paris"}
EMBEDDING_SIZE = 4


def _last_user_text(messages: Any) -> str:
    if isinstance(messages, str):
        return messages
    for message in reversed(messages or []):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        for part in content or []:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                return part["text"]
    return ""


def _count_words(value: Any) -> int:
    return max(1, len(json.dumps(value).split()))


def _tool_name(tool: dict[str, Any]) -> str:
    return tool.get("name") or tool.get("function", {}).get("name") or "tool"


def _called_tools(conversation: Any) -> list[str]:
    """Names of the tools an OpenAI chat conversation or responses input has called since its last user message."""
    if not isinstance(conversation, list):
        return []
    names: list[str] = []
    for item in conversation:
        if not isinstance(item, dict):
            continue
        if item.get("role") == "user":  # a new question: every tool may be called again
            names.clear()
        elif item.get("type") == "function_call":
            names.append(str(item.get("name")))
        for call in item.get("tool_calls") or []:
            names.append(str((call.get("function") or {}).get("name")))
    return names


def _next_tool(tools: list[dict[str, Any]], conversation: Any) -> tuple[str | None, str]:
    """(the first tool not called yet, or None when all were; the id of the call to make)."""
    called = _called_tools(conversation)
    pending = [_tool_name(tool) for tool in tools if _tool_name(tool) not in called]
    return (pending[0] if pending else None), f"call_{len(called) + 1}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so the benchmark measures calls rather than TCP handshakes
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    # --- plumbing ---------------------------------------------------------------------------------------------
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        self.server.requests.append((self.path, body))
        routes = {"/v1/chat/completions": self._chat, "/v1/responses": self._responses,
                  "/v1/embeddings": self._embeddings, "/v1/messages": self._messages}
        if self.path.startswith("/model/"):
            self._bedrock(body)
            return
        if self.path.startswith(("/v1beta/models/", "/v1/models/")):
            self._gemini(body)
            return
        route = routes.get(self.path.split("?")[0])
        if route is None:
            self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        model = body.get("model", "")
        if model.startswith("error-"):
            status = int(model.split("-")[1])
            if self.path.startswith("/v1/messages"):
                kind = "rate_limit_error" if status == 429 else "api_error"
                self._send_json(status, {"type": "error", "error": {"type": kind, "message": f"fake {status}"}})
            else:
                self._send_json(status, {"error": {"message": f"fake {status}", "type": "server_error",
                                                   "code": str(status)}})
            return
        route(body)

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_events(self, events: list[tuple[str | None, Any]], done: bool = False) -> None:
        lines = []
        for name, payload in events:
            if name is not None:
                lines.append(f"event: {name}\n")
            lines.append(f"data: {json.dumps(payload)}\n\n")
        if done:
            lines.append("data: [DONE]\n\n")
        data = "".join(lines).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # --- OpenAI chat completions ------------------------------------------------------------------------------
    def _chat(self, body: dict[str, Any]) -> None:
        model = body["model"]
        if model == "malformed":
            self._send_json(200, {"id": "chatcmpl-bad", "object": "chat.completion", "choices": "oops"})
            return
        text = f"echo: {_last_user_text(body.get('messages'))}"
        tool, call_id = _next_tool(body.get("tools") or [], body.get("messages"))
        tools = [tool] if tool else []
        prompt_tokens = _count_words(body.get("messages"))
        completion_tokens = len(text.split())
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                 "total_tokens": prompt_tokens + completion_tokens}
        base = {"id": "chatcmpl-1", "created": int(time.time()), "model": f"{model}-2025"}
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": text}
            finish = "stop"
            if tools:
                message = {"role": "assistant", "content": None, "tool_calls": [{
                    "id": call_id, "type": "function",
                    "function": {"name": tool, "arguments": json.dumps(TOOL_ARGUMENTS)}}]}
                finish = "tool_calls"
            self._send_json(200, {**base, "object": "chat.completion", "usage": usage, "choices": [
                {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}]})
            return
        chunk = {**base, "object": "chat.completion.chunk"}
        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        if tools:
            arguments = json.dumps(TOOL_ARGUMENTS)
            deltas.append({"tool_calls": [{"index": 0, "id": call_id, "type": "function",
                                           "function": {"name": tool, "arguments": ""}}]})
            deltas += [{"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
                       for piece in (arguments[:8], arguments[8:])]
            finish = "tool_calls"
        else:
            deltas += [{"content": piece} for piece in re.findall(r"\S+\s*", text)]  # a word and the spacing after it
            finish = "stop"
        events: list[tuple[str | None, Any]] = [
            (None, {**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}) for delta in deltas]
        events.append((None, {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}))
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append((None, {**chunk, "choices": [], "usage": usage}))
        self._send_events(events, done=True)

    # --- OpenAI responses ---------------------------------------------------------------------------------------
    def _responses(self, body: dict[str, Any]) -> None:
        model = body["model"]
        prompt = body.get("input")
        text = f"echo: {_last_user_text(prompt)}"
        input_tokens, output_tokens = _count_words(prompt), len(text.split())
        item: dict[str, Any] = {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                                "content": [{"type": "output_text", "text": text, "annotations": []}]}
        tool, call_id = _next_tool(body.get("tools") or [], prompt)
        if tool:
            item = {"type": "function_call", "id": f"fc_{call_id}", "call_id": call_id, "status": "completed",
                    "name": tool, "arguments": json.dumps(TOOL_ARGUMENTS)}
        response = {"id": "resp_1", "object": "response", "created_at": time.time(), "model": f"{model}-2025",
                    "status": "completed", "output": [item], "parallel_tool_calls": True, "tool_choice": "auto",
                    "tools": body.get("tools") or [], "instructions": body.get("instructions"),
                    "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens,
                              "total_tokens": input_tokens + output_tokens,
                              "input_tokens_details": {"cached_tokens": 0},
                              "output_tokens_details": {"reasoning_tokens": 0}}}
        if not body.get("stream"):
            self._send_json(200, response)
            return
        started = {**response, "status": "in_progress", "output": [], "usage": None}
        events: list[tuple[str | None, Any]] = [("response.created", {"type": "response.created",
                                                                       "response": started})]
        for word in text.split(" "):
            events.append(("response.output_text.delta", {
                "type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0,
                "delta": word, "logprobs": []}))
        events.append(("response.completed", {"type": "response.completed", "response": response}))
        for number, (_, payload) in enumerate(events):
            payload["sequence_number"] = number
        self._send_events(events)

    # --- OpenAI embeddings --------------------------------------------------------------------------------------
    def _embeddings(self, body: dict[str, Any]) -> None:
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = []
        for index, _ in enumerate(inputs):
            vector = [float(index + 1) / (position + 1) for position in range(EMBEDDING_SIZE)]
            if body.get("encoding_format") == "base64":
                packed = struct.pack(f"<{EMBEDDING_SIZE}f", *vector)
                data.append({"object": "embedding", "index": index, "embedding": base64.b64encode(packed).decode()})
            else:
                data.append({"object": "embedding", "index": index, "embedding": vector})
        tokens = _count_words(inputs)
        self._send_json(200, {"id": "embd-1", "object": "list", "data": data, "model": body["model"],
                              "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    # --- Anthropic messages -------------------------------------------------------------------------------------
    def _messages(self, body: dict[str, Any]) -> None:
        model = body["model"]
        text = f"echo: {_last_user_text(body.get('messages'))}"
        input_tokens, output_tokens = _count_words(body.get("messages")), len(text.split())
        tools = body.get("tools") or []
        if tools:
            block: dict[str, Any] = {"type": "tool_use", "id": "toolu_1", "name": _tool_name(tools[0]),
                                     "input": TOOL_ARGUMENTS}
            stop_reason = "tool_use"
        else:
            block = {"type": "text", "text": text}
            stop_reason = "end_turn"
        message = {"id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": [block],
                   "stop_reason": stop_reason, "stop_sequence": None,
                   "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens}}
        if not body.get("stream"):
            self._send_json(200, message)
            return
        started = {**message, "content": [], "stop_reason": None,
                   "usage": {"input_tokens": input_tokens, "output_tokens": 1}}
        events: list[tuple[str | None, Any]] = [("message_start", {"type": "message_start", "message": started})]
        if tools:
            events.append(("content_block_start", {"type": "content_block_start", "index": 0,
                                                   "content_block": {**block, "input": {}}}))
            arguments = json.dumps(TOOL_ARGUMENTS)
            events += [("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                "delta": {"type": "input_json_delta", "partial_json": piece}})
                       for piece in (arguments[:8], arguments[8:])]
        else:
            events.append(("content_block_start", {"type": "content_block_start", "index": 0,
                                                   "content_block": {"type": "text", "text": ""}}))
            words = text.split(" ")
            events += [("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                "delta": {"type": "text_delta", "text": piece}})
                       for piece in [word + " " for word in words[:-1]] + [words[-1]]]
        events += [
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                               "usage": {"output_tokens": output_tokens}}),
            ("message_stop", {"type": "message_stop"}),
        ]
        self._send_events(events)


    # --- Google Gemini (generateContent) -----------------------------------------------------------------------
    def _gemini(self, body: dict[str, Any]) -> None:
        path = self.path.split("?")[0]
        model, _, method = path.split("/models/", 1)[1].partition(":")
        if model.startswith("error-"):
            status = int(model.split("-")[1])
            kind = "RESOURCE_EXHAUSTED" if status == 429 else "INTERNAL"
            self._send_json(status, {"error": {"code": status, "message": f"fake {status}", "status": kind}})
            return
        user_text = ""
        for content in reversed(body.get("contents") or []):
            if content.get("role", "user") == "user":
                user_text = "".join(part.get("text", "") for part in content.get("parts") or [])
                break
        prompt_tokens = _count_words(body.get("contents"))
        words = ["echo: ", user_text]
        usage = {"promptTokenCount": prompt_tokens, "candidatesTokenCount": len(words),
                 "totalTokenCount": prompt_tokens + len(words)}
        base = {"modelVersion": f"{model}-001", "responseId": "gemini-1"}
        if method == "generateContent":
            declarations = [declaration for tool in body.get("tools") or []
                            for declaration in tool.get("functionDeclarations") or []]
            parts: list[dict[str, Any]] = [{"text": "".join(words)}]
            if declarations:
                parts = [{"functionCall": {"name": declarations[0]["name"], "args": TOOL_ARGUMENTS}}]
            self._send_json(200, {**base, "usageMetadata": usage, "candidates": [{
                "index": 0, "finishReason": "STOP", "content": {"role": "model", "parts": parts}}]})
            return
        events: list[tuple[str | None, Any]] = [
            (None, {**base, "candidates": [{"index": 0, "content": {"role": "model", "parts": [{"text": word}]}}]})
            for word in words]
        events.append((None, {**base, "usageMetadata": usage, "candidates": [{
            "index": 0, "finishReason": "STOP", "content": {"role": "model", "parts": [{"text": ""}]}}]}))
        self._send_events(events)


    # --- AWS Bedrock runtime (Converse; InvokeModel with Anthropic's message format) -----------------------------
    def _bedrock(self, body: dict[str, Any]) -> None:
        from urllib.parse import unquote

        model, _, operation = unquote(self.path.split("?")[0].removeprefix("/model/")).rpartition("/")
        if model.startswith("error-"):
            status = int(model.split("-")[1])
            kind = "ThrottlingException" if status == 429 else "InternalServerException"
            data = json.dumps({"message": f"fake {status}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("x-amzn-ErrorType", f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        input_tokens = _count_words(body.get("messages"))
        if operation == "converse":
            messages = [{"role": message.get("role"), "content": message.get("content")}
                        for message in body.get("messages") or []]
            content: list[dict[str, Any]] = [{"text": f"echo: {_last_user_text(messages)}"}]
            tools = (body.get("toolConfig") or {}).get("tools") or []
            if tools:
                content = [{"toolUse": {"toolUseId": "tooluse-1", "name": tools[0]["toolSpec"]["name"],
                                        "input": TOOL_ARGUMENTS}}]
            self._send_json(200, {
                "output": {"message": {"role": "assistant", "content": content}},
                "stopReason": "tool_use" if tools else "end_turn", "metrics": {"latencyMs": 1},
                "usage": {"inputTokens": input_tokens, "outputTokens": 3, "totalTokens": input_tokens + 3}})
            return
        text = f"echo: {_last_user_text(body.get('messages'))}"
        data = json.dumps({"id": "msg-bedrock-1", "type": "message", "role": "assistant", "model": model,
                           "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                           "usage": {"input_tokens": input_tokens, "output_tokens": 3}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Amzn-Bedrock-Input-Token-Count", str(input_tokens))
        self.send_header("X-Amzn-Bedrock-Output-Token-Count", "3")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[tuple[str, dict[str, Any]]]


class FakeLLMServer:
    """The fake server, running in a background thread until `stop()` (or the end of a `with` block)."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.requests = []
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-llm-server", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def openai_url(self) -> str:
        """`base_url` for `openai.OpenAI`."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def anthropic_url(self) -> str:
        """`base_url` for `anthropic.Anthropic`."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[tuple[str, dict[str, Any]]]:
        """(path, JSON body) of every request received so far."""
        return self._server.requests

    def start(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


if __name__ == "__main__":
    with FakeLLMServer() as running:
        print(f"fake LLM server on {running.openai_url} (Ctrl-C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
