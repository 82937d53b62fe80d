// What one span holds, readable: conversation (chat spans), exceptions with their stack traces, inputs, outputs,
// the other attributes, and events.

import {badge, facts, formatNs, h, parseAttribute} from "./dom.js";
import {chatView} from "./chat.js";
import {jsonView} from "./json_view.js";
import {toBigInt} from "./span_tree.js";

const INPUTS = "tracekit.spanInputs";
const OUTPUTS = "tracekit.spanOutputs";
const SPAN_TYPE = "tracekit.spanType";
const CHAT_MESSAGES = "tracekit.chat.messages";
const CHAT_TOOLS = "tracekit.chat.tools";
const SHOWN_APART = new Set([INPUTS, OUTPUTS, SPAN_TYPE, CHAT_MESSAGES, CHAT_TOOLS]);

// Event attributes hold primitives as they are and other values as JSON text.
function parseEventValue(value) {
  if (typeof value === "string" && /^\s*[[{]/.test(value)) return parseAttribute(value);
  return value;
}

function section(title, testid, ...content) {
  return h("section", {class: "detail-section", "data-testid": testid}, h("h3", null, title), content);
}

function exceptionView(event) {
  const attributes = event.attributes || {};
  const type = attributes["exception.type"] || "Exception";
  const message = attributes["exception.message"];
  const stacktrace = attributes["exception.stacktrace"];
  return h("div", {class: "exception", "data-testid": "exception"},
    h("div", {class: "exception-title"}, h("strong", null, String(type)), message ? `: ${message}` : ""),
    stacktrace ? h("pre", {class: "stacktrace", "data-testid": "stacktrace"}, String(stacktrace)) : null);
}

/** The details panel content for one node of the span tree (see span_tree.js); `startNs` is the trace's start. */
export function spanDetails(node, startNs) {
  const span = node.span;
  const attributes = span.attributes || {};
  const status = span.status || {};
  const content = [
    h("div", {class: "detail-title"},
      h("h2", {"data-testid": "span-title"}, span.name),
      h("span", {class: `type-badge type-${node.type.toLowerCase()}`}, node.type), " ", badge(status.code)),
    facts([
      ["Span ID", h("code", null, span.span_id)],
      ["Parent", span.parent_id ? h("code", null, span.parent_id) : "—"],
      ["Starts at", `+${formatNs(node.offsetNs)}`],
      ["Duration", node.durationNs === null ? "unfinished" : formatNs(node.durationNs)],
      ["Status message", status.message ? status.message : undefined],
    ], "span-facts"),
  ];

  // set_span_chat_tools may be called without set_span_chat_messages: the tools still get the section
  if (attributes[CHAT_MESSAGES] !== undefined || attributes[CHAT_TOOLS] !== undefined) {
    content.push(section("Conversation", "span-chat",
      chatView(parseAttribute(attributes[CHAT_MESSAGES]), parseAttribute(attributes[CHAT_TOOLS]))));
  }
  const events = span.events || [];
  const exceptions = events.filter((event) => event.name === "exception");
  if (exceptions.length) content.push(section("Exception", "span-exception", exceptions.map(exceptionView)));
  content.push(section("Inputs", "span-inputs", INPUTS in attributes
    ? jsonView(parseAttribute(attributes[INPUTS])) : h("p", {class: "muted"}, "No inputs recorded.")));
  content.push(section("Outputs", "span-outputs", OUTPUTS in attributes
    ? jsonView(parseAttribute(attributes[OUTPUTS])) : h("p", {class: "muted"}, "No outputs recorded.")));

  const others = {};
  for (const key of Object.keys(attributes).sort()) {
    if (!SHOWN_APART.has(key)) others[key] = parseAttribute(attributes[key]);
  }
  content.push(section("Attributes", "span-attributes", Object.keys(others).length
    ? jsonView(others) : h("p", {class: "muted"}, "No other attributes.")));

  if (events.length) {
    content.push(section(`Events (${events.length})`, "span-events", h("ol", {class: "events"}, events.map((event) => {
      const at = event.timestamp_ns === undefined || event.timestamp_ns === null ? null : Number(toBigInt(event.timestamp_ns) - startNs);
      const eventAttributes = {};
      for (const [key, value] of Object.entries(event.attributes || {})) eventAttributes[key] = parseEventValue(value);
      return h("li", {class: "event"},
        h("div", null, h("strong", null, event.name), at === null ? "" : h("span", {class: "muted"}, ` at +${formatNs(at)}`)),
        Object.keys(eventAttributes).length ? jsonView(eventAttributes) : null);
    }))));
  }
  return content;
}
