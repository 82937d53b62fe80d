// One trace: its facts and links, the span tree beside a timeline (one bar per span, start and length to scale of
// the trace's window), and the selected span's details.

import {getExperiment, getTrace} from "./api.js";
import {assessmentsPanel} from "./assessments_view.js";
import {badge, facts, formatMs, formatNs, formatTime, h, replaceChildren, tagChips} from "./dom.js";
import {jsonView} from "./json_view.js";
import {llmFacts} from "./llm_columns.js";
import {href, replaceParams} from "./router.js";
import {spanDetails} from "./span_details.js";
import {buildSpanTree, toBigInt} from "./span_tree.js";

const SOURCE_RUN = "tracekit.sourceRun";
const MODEL_ID = "tracekit.modelId";
const TOKEN_USAGE = "tracekit.trace.tokenUsage";
const INDENT_PX = 14;
const MAX_INDENT_LEVELS = 24;
const TICKS = 4;

export async function renderTracePage(view, traceId, params) {
  view.setCrumbs([["Experiments", href("experiments")], ["…", null], [traceId, null]]);
  let trace;
  try {
    trace = await getTrace(traceId);
  } catch (error) {
    if (error.status === 404) {
      view.show(h("div", {class: "empty", "data-testid": "not-found"}, h("h1", null, "Trace not found"),
        h("p", null, error.message)));
      return;
    }
    throw error;
  }
  const info = trace.info;
  const tree = buildSpanTree(trace.data.spans || []);
  const root = tree.order.find((node) => node.depth === 0);
  const experimentLink = h("a", {href: href("experiments", info.experiment_id, "traces"),
    "data-testid": "trace-experiment-link"}, `Experiment ${info.experiment_id}`);
  view.setCrumbs([["Experiments", href("experiments")],
    [`Experiment ${info.experiment_id}`, href("experiments", info.experiment_id, "traces")], [traceId, null]]);
  getExperiment(info.experiment_id).then((experiment) => {
    experimentLink.textContent = experiment.name;
    view.setCrumbs([["Experiments", href("experiments")],
      [experiment.name, href("experiments", info.experiment_id, "traces")], [traceId, null]]);
  }, () => {});

  const details = h("aside", {class: "span-details", "data-testid": "span-details", "aria-live": "polite"});
  const rows = h("div", {class: "span-rows", role: "tree", "aria-label": "Spans", "data-testid": "span-tree",
    tabindex: "0"});
  const rowOf = new Map();
  const collapsed = new Set();
  let selected = null;

  const select = (node, focus = false) => {
    if (selected) rowOf.get(selected).setAttribute("aria-selected", "false");
    selected = node;
    const row = rowOf.get(node);
    row.setAttribute("aria-selected", "true");
    if (focus) row.scrollIntoView({block: "nearest"});
    replaceChildren(details, spanDetails(node, tree.startNs));
    replaceParams({span: node.span.span_id});
  };

  const applyCollapse = () => {
    let hideBelow = Infinity;
    for (const node of tree.order) {
      if (node.depth <= hideBelow) hideBelow = Infinity;
      const row = rowOf.get(node);
      row.hidden = node.depth > hideBelow;
      if (!row.hidden && collapsed.has(node)) hideBelow = node.depth;
    }
  };

  const toggle = (node, expand) => {
    if (!node.children.length) return;
    const isCollapsed = collapsed.has(node);
    if (expand === undefined) expand = isCollapsed;
    if (expand) collapsed.delete(node);
    else collapsed.add(node);
    rowOf.get(node).setAttribute("aria-expanded", String(expand));
    applyCollapse();
  };

  for (const node of tree.order) {
    const row = spanRow(node, tree.totalNs, tree.startNs);
    row.addEventListener("click", (event) => {
      if (event.target.closest(".twisty")) toggle(node);
      else select(node);
    });
    rowOf.set(node, row);
  }
  rows.append(...rowOf.values());
  rows.addEventListener("keydown", (event) => {
    if (!selected) return;
    const visible = tree.order.filter((node) => !rowOf.get(node).hidden);
    const position = visible.indexOf(selected);
    if (event.key === "ArrowDown" && position < visible.length - 1) select(visible[position + 1], true);
    else if (event.key === "ArrowUp" && position > 0) select(visible[position - 1], true);
    else if (event.key === "ArrowLeft") {
      if (selected.children.length && !collapsed.has(selected)) toggle(selected, false);
      else if (selected.parent) select(selected.parent, true);
    } else if (event.key === "ArrowRight") toggle(selected, true);
    else return;
    event.preventDefault();
  });

  view.show(
    traceHeader(info, root, tree.order.length, experimentLink),
    assessmentsPanel(info.trace_id, info.assessments),
    tree.order.length ? h("div", {class: "trace-body"},
      h("div", {class: "span-pane"}, timelineHeader(tree.totalNs), rows),
      details) : h("p", {class: "muted empty"}, "This trace has no spans."));
  document.title = `${root ? root.span.name : traceId} · tracekit`;
  if (tree.order.length) {
    const wanted = params.get("span");
    select(tree.order.find((node) => node.span.span_id === wanted) || tree.order[0], Boolean(wanted));
  }
  performance.mark("tracekit:trace-rendered", {detail: {spans: tree.order.length}});  // read by benchmarks/ui.py
}

function traceHeader(info, root, spanCount, experimentLink) {
  const metadata = info.trace_metadata || {};
  const runId = metadata[SOURCE_RUN];
  const modelId = metadata[MODEL_ID];
  const shownApart = new Set([SOURCE_RUN, MODEL_ID, TOKEN_USAGE]);
  const otherMetadata = Object.fromEntries(Object.entries(metadata).filter(([key]) => !shownApart.has(key)));
  return h("section", {class: "page-header", "data-testid": "trace-header"},
    h("div", {class: "title-row"},
      h("h1", null, root ? root.span.name : info.trace_id), badge(info.state)),
    facts([
      ["Trace ID", h("code", {"data-testid": "trace-id"}, info.trace_id)],
      ["Experiment", experimentLink],
      ["Run", runId ? h("a", {href: href("runs", runId), "data-testid": "trace-run-link"}, runId) : undefined],
      ["Logged model", modelId ? h("a", {href: href("models", modelId), "data-testid": "trace-model-link"}, modelId)
        : undefined],
      ["Started", formatTime(info.request_time)],
      ["Duration", formatMs(info.execution_duration)],
      ["Spans", String(spanCount)],
      ["Tokens", tokenUsage(metadata[TOKEN_USAGE])],
      ...llmFacts(info),
      ["Client request ID", info.client_request_id || undefined],
      ["Tags", tagChips(info.tags, "\u0000") || undefined],
    ], "trace-facts"),
    Object.keys(otherMetadata).length
      ? h("details", {class: "metadata"}, h("summary", null, "Metadata"), jsonView(otherMetadata)) : null);
}

// The trace's token usage ({input_tokens, output_tokens, total_tokens}, summed over its LLM calls) as one line.
function tokenUsage(text) {
  let usage;
  try {
    usage = text ? JSON.parse(text) : null;
  } catch {
    return undefined;
  }
  if (!usage || typeof usage !== "object") return undefined;
  return h("span", {"data-testid": "trace-tokens"},
    `${usage.total_tokens ?? "?"} (${usage.input_tokens ?? "?"} in, ${usage.output_tokens ?? "?"} out)`);
}

function timelineHeader(totalNs) {
  const ticks = h("div", {class: "timeline-ticks"});
  for (let i = 0; i <= TICKS; i++) {
    const tick = h("span", {class: "tick"}, i ? formatNs(Math.round((totalNs * i) / TICKS)) : "0");
    tick.style.left = `${(100 * i) / TICKS}%`;
    if (i === TICKS) tick.classList.add("tick-last");
    ticks.append(tick);
  }
  return h("div", {class: "span-grid-header"}, h("div", {class: "tree-head"}, "Span"),
    h("div", {class: "timeline-head"}, ticks));
}

function spanRow(node, totalNs, startNs) {
  const span = node.span;
  const typeClass = `type-${node.type.toLowerCase()}`;
  const error = span.status && span.status.code === "ERROR";
  const hasChildren = node.children.length > 0;

  const treeCell = h("div", {class: "span-tree-cell", title: `${span.name} (depth ${node.depth})`},
    hasChildren ? h("button", {type: "button", class: "twisty", tabindex: "-1", "aria-label": "Fold or unfold"})
      : h("span", {class: "twisty-space"}),
    h("span", {class: `type-badge ${typeClass}`}, node.type),
    h("span", {class: "span-name", "data-testid": "span-name"}, span.name),
    node.depth > MAX_INDENT_LEVELS ? h("span", {class: "muted depth-note"}, ` · depth ${node.depth}`) : null);
  treeCell.style.paddingLeft = `${6 + Math.min(node.depth, MAX_INDENT_LEVELS) * INDENT_PX}px`;

  const left = totalNs > 0 ? (100 * node.offsetNs) / totalNs : 0;
  const length = node.durationNs === null ? totalNs - node.offsetNs : node.durationNs;
  const width = totalNs > 0 ? (100 * length) / totalNs : 100;
  const bar = h("div", {class: `timeline-bar ${typeClass}${error ? " bar-error" : ""}${node.durationNs === null ? " bar-open" : ""}`,
    "data-testid": "timeline-bar", "data-offset-ns": String(node.offsetNs), "data-duration-ns": String(length),
    title: `${span.name}: starts at +${formatNs(node.offsetNs)}, lasts ${node.durationNs === null ? "(unfinished)" : formatNs(length)}`});
  bar.style.left = `${left}%`;
  bar.style.width = `${width}%`;
  // The duration goes beside the bar where there is room, else inside its end.
  const label = h("span", {class: "bar-label"}, node.durationNs === null ? "unfinished" : formatNs(node.durationNs));
  if (left + width < 80) label.style.left = `calc(${left + width}% + 4px)`;
  else if (left > 15) label.style.right = `calc(${100 - left}% + 4px)`;
  else {
    label.style.right = `calc(${100 - left - width}% + 4px)`;
    label.classList.add("bar-label-inside");
  }
  const cell = h("div", {class: "span-timeline-cell"}, bar, label);
  for (const event of span.events || []) {
    if (event.timestamp_ns === undefined || event.timestamp_ns === null || totalNs <= 0) continue;
    const at = Number(toBigInt(event.timestamp_ns) - startNs);
    const mark = h("span", {class: `event-mark${event.name === "exception" ? " event-exception" : ""}`,
      title: `${event.name} at +${formatNs(at)}`});
    mark.style.left = `${Math.min(100, Math.max(0, (100 * at) / totalNs))}%`;
    cell.append(mark);
  }

  return h("div", {class: `span-row${error ? " row-error" : ""}`, role: "treeitem", "aria-level": String(node.depth + 1),
    "aria-selected": "false", "aria-expanded": hasChildren ? "true" : null, "data-span-id": span.span_id,
    "data-depth": String(node.depth), "data-testid": "span-row"}, treeCell, cell);
}
