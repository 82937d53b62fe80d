// Conversations: an experiment's sessions tab (traces grouped by their `tracekit.trace.session` metadata, set with
// update_current_trace(metadata={...})) and one session's page, its traces in order as the turns of a chat.

import {api, getExperiment, searchTraces} from "./api.js";
import {clip, formatMs, formatTime, h, parseAttribute, replaceChildren} from "./dom.js";
import {formatCost, formatCount, llmCells} from "./llm_columns.js";
import {pagedList} from "./paged_list.js";
import {href} from "./router.js";

const SESSION = "tracekit.trace.session";
const USER = "tracekit.trace.user";
const PAGE_SIZE = 50;
const TURNS_PER_PAGE = 100;

export function sessionsList(experimentId) {
  return pagedList({
    testid: "sessions",
    headers: ["Session", "User", "Traces", "First", "Last", "Tokens"],
    empty: "No sessions: traces join one when their code sets update_current_trace(metadata={\"tracekit.trace.session\": ...}).",
    fetchPage: async (_filter, token) => {
      const page = await api("sessions", {query: {experiment_id: experimentId, max_results: PAGE_SIZE,
        page_token: token}});
      return {items: page.sessions, next: page.next_page_token};
    },
    row: (session) => h("tr", {"data-testid": "session-row", "data-session-id": session.session_id},
      h("td", null, h("a", {href: href("sessions", experimentId, session.session_id), class: "mono",
        "data-testid": "session-link"}, clip(session.session_id, 48))),
      h("td", {"data-testid": "session-user"}, session.user || "—"),
      h("td", {class: "num", "data-testid": "session-traces"}, formatCount(session.traces)),
      h("td", {class: "nowrap"}, formatTime(session.first_time)),
      h("td", {class: "nowrap"}, formatTime(session.last_time)),
      h("td", {class: "num", "data-testid": "session-tokens"}, session.total_tokens ? formatCount(session.total_tokens)
        : "—")),
  });
}

/** A filter string matching one session's traces (quotes and backslashes escaped). */
export function sessionFilter(sessionId) {
  return `metadata.\`${SESSION}\` = '${sessionId.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** The text of a request or response preview: a chat's last message, a lone string field, else the JSON. */
function readable(preview) {
  const value = parseAttribute(preview);
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value?.messages) && value.messages.length) {
    const last = value.messages[value.messages.length - 1];
    if (typeof last?.content === "string") return last.content;
  }
  const strings = Object.values(value).filter((item) => typeof item === "string");
  if (strings.length === 1) return strings[0];
  return JSON.stringify(value, null, 1);
}

function turn(trace, number) {
  const info = trace.info;
  const cells = llmCells(info);
  return h("article", {class: "session-turn", "data-testid": "session-turn", "data-trace-id": info.trace_id},
    h("div", {class: "session-turn-head"},
      h("strong", null, `#${number}`), h("span", null, formatTime(info.request_time)),
      h("span", null, formatMs(info.execution_duration)),
      cells.Tokens.textContent ? h("span", null, `${cells.Tokens.textContent} tokens`) : null,
      cells.Cost.textContent ? h("span", null, cells.Cost.textContent) : null,
      h("a", {href: href("traces", info.trace_id), class: "mono", "data-testid": "session-trace-link"},
        info.trace_id.slice(0, 11) + "…")),
    h("div", {class: "session-message from-user", "data-testid": "session-input"},
      h("span", {class: "session-role"}, "Input"), clip(readable(info.request_preview), 4000)),
    info.response_preview ? h("div", {class: "session-message from-assistant", "data-testid": "session-output"},
      h("span", {class: "session-role"}, "Output"), clip(readable(info.response_preview), 4000)) : null);
}

export async function renderSession(view, experimentId, sessionId) {
  const experiment = await getExperiment(experimentId);
  view.setCrumbs([["Experiments", href("experiments")], [experiment.name, href("experiments", experimentId,
    "sessions")], [`Session ${clip(sessionId, 40)}`, null]]);
  document.title = `Session ${sessionId} · tracekit`;
  const turns = h("div", {"data-testid": "session-turns"});
  const more = h("button", {type: "button", class: "button", hidden: true, "data-testid": "session-more"},
    "Load later turns");
  const summary = h("p", {class: "muted", "data-testid": "session-summary"});
  const state = {token: null, count: 0, user: null, tokens: 0, cost: 0, priced: false};

  async function load() {
    more.disabled = true;
    const page = await searchTraces({experiment_ids: [experimentId], filter_string: sessionFilter(sessionId),
      order_by: ["timestamp_ms ASC"], max_results: TURNS_PER_PAGE, page_token: state.token, include_spans: false});
    for (const trace of page.traces) {
      state.count += 1;
      turns.append(turn(trace, state.count));
      const metadata = trace.info.trace_metadata || {};
      state.user = state.user || metadata[USER] || null;
      try {
        state.tokens += Number(JSON.parse(metadata["tracekit.trace.tokenUsage"] || "{}").total_tokens || 0);
      } catch {
        // a malformed usage counts as none
      }
      if (metadata["tracekit.trace.cost"]) {
        state.cost += Number(metadata["tracekit.trace.cost"]);
        state.priced = true;
      }
    }
    state.token = page.next_page_token || null;
    more.hidden = !state.token;
    more.disabled = false;
    if (!state.count) replaceChildren(turns, h("p", {class: "muted"}, "No traces in this session."));
    summary.textContent = [`${state.count} trace${state.count === 1 ? "" : "s"}${state.token ? " so far" : ""}`,
      state.user ? `user ${state.user}` : null, state.tokens ? `${formatCount(state.tokens)} tokens` : null,
      state.priced ? formatCost(state.cost) : null].filter(Boolean).join(" · ");
  }
  more.addEventListener("click", load);
  await load();
  view.show(
    h("section", {class: "page-header"},
      h("div", {class: "title-row"}, h("h1", {"data-testid": "session-id"}, sessionId)), summary),
    turns, more);
}
