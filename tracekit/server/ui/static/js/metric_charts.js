// Every metric's history as charts: one chart per metric key, one line per run (a run page has one run, the compare
// page several), system/* metrics in their own group, x by step or by time. Histories are read in pages of the
// bounded metric-history route and kept, so switching the x axis draws again without asking the server.

import {api} from "./api.js";
import {lineChart, SERIES_COLORS} from "./charts.js";
import {h, replaceChildren} from "./dom.js";

const PAGE_POINTS = 25000;
const MAX_POINTS = 200000;  // per run and metric: the chart draws at most a few thousand anyway
const PARALLEL = 4;
const SYSTEM_PREFIX = "system/";

/** Every point of one metric of a run (at most MAX_POINTS), as {steps, times, values} typed arrays. */
export async function metricHistory(runId, key) {
  const steps = [], times = [], values = [];
  let token = null;
  do {
    const page = await api(`runs/${encodeURIComponent(runId)}/metric-history/page`,
      {query: {key, max_results: PAGE_POINTS, page_token: token}});
    steps.push(...page.steps);
    times.push(...page.timestamps);
    for (const value of page.values) values.push(value === null ? NaN : value);
    token = page.next_page_token;
  } while (token && steps.length < MAX_POINTS);
  return {steps: Float64Array.from(steps, Number), times: Float64Array.from(times, Number),
    values: Float64Array.from(values)};
}

/** x values sorted, with their y values: by time the points are re-ordered (they are stored by step). */
function xy(history, xKind) {
  if (xKind === "step") return {xs: history.steps, ys: history.values};
  const order = Array.from(history.times.keys()).sort((a, b) => history.times[a] - history.times[b]);
  return {xs: Float64Array.from(order, (i) => history.times[i]), ys: Float64Array.from(order, (i) => history.values[i])};
}

async function inParallel(tasks, limit) {
  const queue = [...tasks];
  const workers = Array.from({length: Math.min(limit, queue.length)}, async () => {
    while (queue.length) await queue.shift()();
  });
  await Promise.all(workers);
}

/**
 * Charts of `keys` for `runs` ([{runId, label}]); returns the element at once and fills it as histories arrive.
 * Options: `testid`.
 */
export function metricCharts(runs, keys, {testid = "metric-charts"} = {}) {
  const sorted = [...new Set(keys)].sort((a, b) => a.localeCompare(b));
  const groups = [["Metrics", sorted.filter((key) => !key.startsWith(SYSTEM_PREFIX))],
    ["System metrics", sorted.filter((key) => key.startsWith(SYSTEM_PREFIX))]].filter(([, list]) => list.length);
  const histories = new Map();  // `${runId}\n${key}` -> history
  const slots = new Map();  // key -> element
  let xKind = "step";
  const axis = h("select", {"aria-label": "Chart x axis", "data-testid": "chart-x-axis"},
    h("option", {value: "step"}, "x: step"), h("option", {value: "time"}, "x: time"));
  axis.addEventListener("change", () => {
    xKind = axis.value;
    for (const key of sorted) draw(key);
  });
  const status = h("span", {class: "muted", "data-testid": "charts-status"});

  function draw(key) {
    const series = [];
    runs.forEach(({runId, label}, index) => {
      const history = histories.get(`${runId}\n${key}`);
      if (!history || !history.steps.length) return;  // this run never logged the metric
      series.push({label, color: SERIES_COLORS[index % SERIES_COLORS.length], ...xy(history, xKind)});
    });
    const chart = lineChart({title: key, series, xKind, testid: "metric-chart"});
    chart.dataset.metric = key;
    slots.get(key).replaceWith(chart);
    slots.set(key, chart);
  }

  if (!sorted.length) return h("p", {class: "muted", "data-testid": testid}, "No metrics to chart.");
  const element = h("div", {class: "metric-charts", "data-testid": testid},
    h("div", {class: "chart-toolbar"}, axis, status),
    groups.map(([title, list]) => h("div", {class: "chart-group", "data-testid": `chart-group-${title === "Metrics"
      ? "metrics" : "system"}`}, h("h3", null, title), h("div", {class: "chart-grid-cards"}, list.map((key) => {
      const slot = h("figure", {class: "chart", "aria-busy": "true"}, h("figcaption", {class: "chart-title"}, key),
        h("p", {class: "muted"}, "Loading…"));
      slots.set(key, slot);
      return slot;
    })))));

  const started = performance.now();
  status.textContent = "Loading histories…";
  const failures = [];
  inParallel(sorted.map((key) => async () => {
    await Promise.all(runs.map(async ({runId}) => {
      try {
        histories.set(`${runId}\n${key}`, await metricHistory(runId, key));
      } catch (error) {
        failures.push(`${key}: ${error.message}`);
      }
    }));
    draw(key);
  }), PARALLEL).then(() => {
    replaceChildren(status, failures.length ? `Some histories could not be loaded (${failures[0]}).` : "");
    performance.measure("tracekit:charts-rendered", {start: started, end: performance.now()});
  });
  return element;
}
