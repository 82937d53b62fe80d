// The traces table's LLM columns, read from each trace's metadata (no span is loaded): the model(s) its LLM spans
// called, input / output / total tokens, and the cost priced when the trace completed. Latency is the Duration
// column.

import {h} from "./dom.js";
import {href} from "./router.js";

const TOKEN_USAGE = "tracekit.trace.tokenUsage";
const MODEL_NAME = "tracekit.trace.model";
const COST = "tracekit.trace.cost";
const SESSION = "tracekit.trace.session";
const USER = "tracekit.trace.user";

export const LLM_COLUMNS = [{label: "LLM model"}, {label: "Tokens in"}, {label: "Tokens out"}, {label: "Tokens"},
  {label: "Cost"}];

/** A cost in US dollars, with enough digits for fractions of a cent. */
export function formatCost(dollars) {
  if (dollars === null || dollars === undefined || Number.isNaN(Number(dollars))) return "—";
  const value = Number(dollars);
  if (value === 0) return "$0";
  if (value < 0.01) return `$${value.toPrecision(2)}`;
  return `$${value.toFixed(value < 10 ? 4 : 2)}`;
}

export function formatCount(count) {
  return count === null || count === undefined ? "—" : Number(count).toLocaleString();
}

function tokenUsage(metadata) {
  try {
    const usage = JSON.parse(metadata[TOKEN_USAGE] || "null");
    return usage && typeof usage === "object" ? usage : null;
  } catch {
    return null;
  }
}

/** The cells of the LLM columns for one trace's info, by column label. */
export function llmCells(info) {
  const metadata = info.trace_metadata || {};
  const usage = tokenUsage(metadata);
  const cost = metadata[COST];
  const count = (key, testid) => h("td", {class: "num nowrap", "data-testid": testid},
    usage ? formatCount(usage[key]) : "");
  return {
    "LLM model": h("td", {class: "nowrap", "data-testid": "trace-llm-model"}, metadata[MODEL_NAME] || ""),
    "Tokens in": count("input_tokens", "trace-input-tokens"),
    "Tokens out": count("output_tokens", "trace-output-tokens"),
    Tokens: count("total_tokens", "trace-total-tokens"),
    Cost: h("td", {class: "num nowrap", "data-testid": "trace-cost", title: cost ? `${cost} USD` : null},
      cost ? formatCost(cost) : ""),
  };
}

/** The trace page's facts about its LLM calls and conversation: [label, value] pairs (undefined: not shown). */
export function llmFacts(info) {
  const metadata = info.trace_metadata || {};
  const session = metadata[SESSION];
  return [
    ["LLM model", metadata[MODEL_NAME] || undefined],
    ["Cost", metadata[COST] ? h("span", {"data-testid": "trace-cost"}, formatCost(metadata[COST])) : undefined],
    ["Session", session ? h("a", {href: href("sessions", info.experiment_id, session),
      "data-testid": "trace-session-link"}, session) : undefined],
    ["User", metadata[USER] || undefined],
  ];
}
