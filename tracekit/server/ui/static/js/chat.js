// A chat span's messages (the tracekit.chat.messages attribute) as a conversation: one bubble per message with its
// role, text, tool calls and tool results. Messages follow the OpenAI shape ({role, content, tool_calls,
// tool_call_id}); content may be a list of blocks (Anthropic and multi-part messages: text, tool_use, tool_result,
// thinking, images). Anything not recognised is shown as JSON.

import {h} from "./dom.js";
import {jsonView} from "./json_view.js";

const TEXT_BLOCKS = new Set(["text", "input_text", "output_text"]);

/** The conversation view of `messages`; `tools` (tracekit.chat.tools) listed folded underneath. */
export function chatView(messages, tools) {
  const list = h("ol", {class: "chat", "data-testid": "chat"});
  for (const message of Array.isArray(messages) ? messages : []) list.append(renderMessage(message));
  if (Array.isArray(tools) && tools.length) {
    const names = tools.map(toolName).filter(Boolean);
    return h("div", null, list,
      h("details", {class: "chat-tools"}, h("summary", null, `Tools offered: ${names.join(", ") || tools.length}`),
        jsonView(tools)));
  }
  return list;
}

function toolName(tool) {
  if (!tool || typeof tool !== "object") return null;
  return (tool.function && tool.function.name) || tool.name || null;
}

function renderMessage(message) {
  if (!message || typeof message !== "object") {
    return h("li", {class: "chat-message chat-other"}, h("div", {class: "chat-role"}, "message"), jsonView(message));
  }
  const role = String(message.role || message.type || "message");
  const item = h("li", {class: `chat-message chat-${cssRole(role)}`, "data-role": role},
    h("div", {class: "chat-role"}, role, message.name ? h("span", {class: "muted"}, ` · ${message.name}`) : null));
  if (message.tool_call_id) item.append(h("div", {class: "chat-note"}, `result of call ${message.tool_call_id}`));
  appendContent(item, message.content !== undefined ? message.content : message.output);
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) item.append(renderToolCall(call));
  if (message.type === "function_call") item.append(renderToolCall({id: message.call_id, function: message}));
  return item;
}

function cssRole(role) {
  return ["system", "developer", "user", "assistant", "tool", "function"].includes(role) ? role : "other";
}

function appendContent(item, content) {
  if (content === null || content === undefined || content === "") return;
  if (typeof content === "string") {
    item.append(h("div", {class: "chat-text"}, content));
    return;
  }
  if (!Array.isArray(content)) {
    item.append(jsonView(content));
    return;
  }
  for (const block of content) {
    if (typeof block === "string") item.append(h("div", {class: "chat-text"}, block));
    else if (block && TEXT_BLOCKS.has(block.type)) item.append(h("div", {class: "chat-text"}, String(block.text ?? "")));
    else if (block && block.type === "thinking") {
      item.append(h("details", {class: "chat-thinking"}, h("summary", null, "thinking"),
        h("div", {class: "chat-text"}, String(block.thinking ?? ""))));
    } else if (block && block.type === "tool_use") {
      item.append(renderToolCall({id: block.id, function: {name: block.name, arguments: block.input}}));
    } else if (block && block.type === "tool_result") {
      const result = h("div", {class: "chat-tool-result"},
        h("div", {class: "chat-note"}, `result of call ${block.tool_use_id || ""}`));
      appendContent(result, block.content);
      item.append(result);
    } else if (block && /image/.test(String(block.type))) {
      item.append(h("div", {class: "chat-note"}, "[image]"));
    } else {
      item.append(jsonView(block));
    }
  }
}

function renderToolCall(call) {
  const fn = (call && call.function) || {};
  let args = fn.arguments;
  if (typeof args === "string") {
    try {
      args = JSON.parse(args);
    } catch {
      // arguments that are not JSON are shown as the model wrote them
    }
  }
  return h("div", {class: "chat-tool-call", "data-testid": "chat-tool-call"},
    h("div", {class: "chat-note"}, "calls ", h("code", null, String(fn.name || "?")),
      call && call.id ? h("span", {class: "muted"}, ` (${call.id})`) : null),
    args === undefined ? null : jsonView(args));
}
