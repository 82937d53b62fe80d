// A table of traces (one experiment's, one run's or one logged model's): the filter box (search_traces grammar;
// the server's message shown under it when the filter is malformed), columns sorted by the server (order_by),
// pages fetched with page tokens. Filter, sort and page size live in the route's query, so reload and back keep them.

import {ApiError, countTraces, searchTraces} from "./api.js";
import {assessmentColumns} from "./assessments_view.js";
import {badge, clip, formatMs, formatTime, h, replaceChildren, tagChips} from "./dom.js";
import {LLM_COLUMNS, llmCells} from "./llm_columns.js";
import {href, replaceParams} from "./router.js";

const SOURCE_RUN = "tracekit.sourceRun";
const MODEL_ID = "tracekit.modelId";
const PAGE_SIZES = [25, 50, 100, 200];
const DEFAULT_PAGE_SIZE = 50;
const DEFAULT_ORDER = {field: "timestamp_ms", descending: true};
const FILTER_EXAMPLE = "tags.env = 'prod' AND execution_time_ms > 500";

const COLUMNS = [
  {label: "Trace"},
  {label: "Name", field: "name", descendingFirst: false},
  {label: "Started", field: "timestamp_ms", descendingFirst: true},
  {label: "Duration", field: "execution_time_ms", descendingFirst: true},
  {label: "Status", field: "status", descendingFirst: false},
  ...LLM_COLUMNS,
  {label: "Request"},
  {label: "Response"},
  {label: "Tags"},
  {label: "Run", scope: "run"},
  {label: "Model", scope: "model"},
];

function parseOrder(text) {
  const match = /^\s*(\S+)(?:\s+(ASC|DESC))?\s*$/i.exec(text || "");
  if (!match || !COLUMNS.some((column) => column.field === match[1])) return {...DEFAULT_ORDER};
  return {field: match[1], descending: (match[2] || "ASC").toUpperCase() === "DESC"};
}

const orderText = (order) => `${order.field} ${order.descending ? "DESC" : "ASC"}`;

/**
 * The table for `scope` ({experimentId} | {runId} | {modelId}); `params` is the route's query.
 * Returns the element; it loads its first page at once.
 */
export function tracesTable(scope, params) {
  const state = {
    filter: params.get("filter") || "",
    order: parseOrder(params.get("order")),
    size: PAGE_SIZES.includes(Number(params.get("size"))) ? Number(params.get("size")) : DEFAULT_PAGE_SIZE,
    tokens: [null],  // page token of each page seen so far; the last is the page shown
    next: null,
    request: 0,
  };
  const columns = COLUMNS.filter((column) => !(column.scope === "run" && scope.runId)
    && !(column.scope === "model" && scope.modelId));

  const input = h("input", {type: "search", id: "trace-filter", name: "filter", class: "filter-input",
    placeholder: FILTER_EXAMPLE, value: state.filter, spellcheck: "false", autocomplete: "off",
    "aria-describedby": "trace-filter-error", "data-testid": "filter-input"});
  const error = h("pre", {id: "trace-filter-error", class: "filter-error", role: "alert", hidden: true,
    "data-testid": "filter-error"});
  const form = h("form", {class: "filter-bar", "data-testid": "filter-form", role: "search"},
    h("label", {for: "trace-filter"}, "Filter"), input,
    h("button", {type: "submit", class: "button"}, "Search"),
    h("button", {type: "button", class: "link-button", "data-testid": "filter-clear", onclick: () => {
      input.value = "";
      applyFilter();
    }}, "Clear"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilter();
  });

  const headRow = h("tr");
  const body = h("tbody");
  const table = h("table", {class: "data-table traces", "data-testid": "traces-table"}, h("thead", null, headRow), body);
  const pageLabel = h("span", {class: "page-label", "data-testid": "page-label"});
  const totalLabel = h("span", {class: "muted", "data-testid": "trace-total"});
  const previous = h("button", {type: "button", class: "button", "data-testid": "page-previous", onclick: () => {
    if (state.tokens.length > 1) {
      state.tokens.pop();
      load();
    }
  }}, "‹ Previous");
  const next = h("button", {type: "button", class: "button", "data-testid": "page-next", onclick: () => {
    if (state.next) {
      state.tokens.push(state.next);
      load();
    }
  }}, "Next ›");
  const sizeSelect = h("select", {"aria-label": "Traces per page", "data-testid": "page-size"},
    PAGE_SIZES.map((size) => h("option", {value: String(size), selected: size === state.size}, `${size} per page`)));
  sizeSelect.addEventListener("change", () => {
    state.size = Number(sizeSelect.value);
    restart();
  });

  function renderHead() {
    replaceChildren(headRow, columns.map((column) => {
      if (!column.field) return h("th", {scope: "col"}, column.label);
      const active = state.order.field === column.field;
      const arrow = active ? (state.order.descending ? " ▾" : " ▴") : "";
      return h("th", {scope: "col", "aria-sort": active ? (state.order.descending ? "descending" : "ascending") : "none"},
        h("button", {type: "button", class: "sort-button", "data-testid": `sort-${column.field}`, onclick: () => {
          state.order = active ? {field: column.field, descending: !state.order.descending}
            : {field: column.field, descending: column.descendingFirst};
          restart();
        }}, column.label, arrow));
    }));
  }

  function applyFilter() {
    state.filter = input.value.trim();
    restart();
  }

  function restart() {
    state.tokens = [null];
    replaceParams({filter: state.filter || null, order: orderText(state.order) === orderText(DEFAULT_ORDER) ? null
      : orderText(state.order), size: state.size === DEFAULT_PAGE_SIZE ? null : state.size});
    load();
  }

  function showError(message, position) {
    error.textContent = message;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    if (position !== null && position <= input.value.length) {
      input.focus();
      input.setSelectionRange(position, Math.min(position + 1, input.value.length));
    }
  }

  function clearError() {
    error.hidden = true;
    error.textContent = "";
    input.removeAttribute("aria-invalid");
  }

  async function load() {
    const request = ++state.request;
    renderHead();
    table.setAttribute("aria-busy", "true");
    previous.disabled = true;
    next.disabled = true;
    const pageToken = state.tokens[state.tokens.length - 1];
    let page;
    try {
      page = await searchTraces({
        experiment_ids: scope.experimentId === undefined ? [] : [scope.experimentId],
        filter_string: state.filter || null, max_results: state.size, order_by: [orderText(state.order)],
        page_token: pageToken, run_id: scope.runId || null, model_id: scope.modelId || null, include_spans: false,
      });
    } catch (failure) {
      if (request !== state.request) return;
      table.removeAttribute("aria-busy");
      previous.disabled = state.tokens.length <= 1;
      replaceChildren(body, emptyRow(columns.length, failure instanceof ApiError && failure.status === 400
        ? "Fix the filter to see traces." : "The traces could not be loaded."));
      pageLabel.textContent = "";
      const position = /at position (\d+)/.exec(failure.message);
      showError(failure.message, position ? Number(position[1]) : null);
      return;
    }
    if (request !== state.request) return;
    clearError();
    table.removeAttribute("aria-busy");
    state.next = page.next_page_token || null;
    const names = page.root_span_names || {};
    const judged = assessmentColumns(page.traces, (filter) => {
      input.value = filter;
      applyFilter();
    });
    headRow.append(...judged.heads);
    replaceChildren(body, page.traces.length ? page.traces.map((trace) => traceRow(trace, names, columns, judged))
      : emptyRow(columns.length, state.filter ? "No traces match this filter." : "No traces yet."));
    previous.disabled = state.tokens.length <= 1;
    next.disabled = !state.next;
    const first = (state.tokens.length - 1) * state.size;
    performance.mark("tracekit:traces-rendered", {detail: {rows: page.traces.length}});  // read by benchmarks/ui.py
    pageLabel.textContent = page.traces.length
      ? `Page ${state.tokens.length} · traces ${first + 1}–${first + page.traces.length}` : `Page ${state.tokens.length}`;
  }

  countTraces(scope).then((result) => {
    totalLabel.textContent = `${result.count.toLocaleString()} trace${result.count === 1 ? "" : "s"} in all`;
  }, () => {});

  const element = h("div", {class: "traces-view", "data-testid": "traces"}, form, error,
    h("div", {class: "table-wrap"}, table),
    h("div", {class: "pager"}, previous, pageLabel, next, sizeSelect, totalLabel));
  load();
  return element;
}

function emptyRow(span, text) {
  return h("tr", {class: "empty-row"}, h("td", {colspan: String(span), class: "muted"}, text));
}

function traceRow(trace, names, columns, judged) {
  const info = trace.info;
  const metadata = info.trace_metadata || {};
  const link = href("traces", info.trace_id);
  const name = names[info.trace_id] || "";
  const cells = {
    Trace: h("td", {class: "nowrap"}, h("a", {href: link, class: "mono", title: info.trace_id,
      "data-testid": "trace-link"}, info.trace_id.slice(0, 11) + "…")),
    Name: h("td", {"data-testid": "trace-name"}, h("a", {href: link}, name || "—")),
    Started: h("td", {class: "nowrap", "data-testid": "trace-time", "data-ms": String(info.request_time)},
      formatTime(info.request_time)),
    Duration: h("td", {class: "num nowrap", "data-testid": "trace-duration",
      "data-ms": info.execution_duration === null ? "" : String(info.execution_duration)},
    formatMs(info.execution_duration)),
    Status: h("td", {"data-testid": "trace-status"}, badge(info.state)),
    Request: h("td", {class: "preview", title: info.request_preview || ""}, clip(info.request_preview, 80)),
    Response: h("td", {class: "preview", title: info.response_preview || ""}, clip(info.response_preview, 80)),
    Tags: h("td", {"data-testid": "trace-tags"}, tagChips(info.tags)),
    Run: h("td", {class: "nowrap"}, metadata[SOURCE_RUN] ? h("a", {href: href("runs", metadata[SOURCE_RUN]), class: "mono",
      title: metadata[SOURCE_RUN], "data-testid": "trace-run-link"}, metadata[SOURCE_RUN].slice(0, 8)) : ""),
    Model: h("td", {class: "nowrap"}, metadata[MODEL_ID] ? h("a", {href: href("models", metadata[MODEL_ID]), class: "mono",
      title: metadata[MODEL_ID], "data-testid": "trace-model-link"}, metadata[MODEL_ID].slice(0, 10)) : ""),
  };
  Object.assign(cells, llmCells(info));
  return h("tr", {"data-testid": "trace-row", "data-trace-id": info.trace_id},
    columns.map((column) => cells[column.label]), judged.cells(info));
}
