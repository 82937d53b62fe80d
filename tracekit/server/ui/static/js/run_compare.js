// Runs side by side (#/compare?runs=id1,id2,...): parameters with the rows that differ highlighted, latest
// metrics, and every metric's history overlaid, one line per run.

import {getRun} from "./api.js";
import {formatNumber} from "./charts.js";
import {h} from "./dom.js";
import {metricCharts} from "./metric_charts.js";
import {href} from "./router.js";
import {MAX_COMPARED} from "./runs_tab.js";

function section(title, testid, ...content) {
  return h("section", {class: "page-section", "data-testid": testid}, h("h2", null, title), content);
}

/** A table with a row per key and a column per run; rows whose values differ get the `differs` class. */
function compareTable(runs, valuesOf, format, testid, emptyText) {
  const keys = [...new Set(runs.flatMap((run) => Object.keys(valuesOf(run))))].sort((a, b) => a.localeCompare(b));
  if (!keys.length) return h("p", {class: "muted", "data-testid": testid}, emptyText);
  const onlyDifferences = h("input", {type: "checkbox", "data-testid": `${testid}-only-differences`});
  const rows = keys.map((key) => {
    const values = runs.map((run) => valuesOf(run)[key]);
    const differs = new Set(values.map((value) => (value === undefined ? "\u0000missing" : String(value)))).size > 1;
    return h("tr", {class: differs ? "differs" : null, "data-key": key, "data-differs": String(differs)},
      h("th", {scope: "row"}, key),
      values.map((value) => h("td", {class: typeof value === "number" ? "num" : null},
        value === undefined ? "—" : format(value))));
  });
  onlyDifferences.addEventListener("change", () => {
    for (const row of rows) row.hidden = onlyDifferences.checked && row.dataset.differs !== "true";
  });
  return h("div", null,
    h("label", {class: "muted"}, onlyDifferences, " Only rows that differ"),
    h("div", {class: "table-wrap"}, h("table", {class: "data-table compare-table", "data-testid": testid},
      h("thead", null, h("tr", null, h("th", {scope: "col"}, "Key"), runs.map((run) => h("th", {scope: "col"},
        h("a", {href: href("runs", run.info.run_id)}, run.info.run_name || run.info.run_id.slice(0, 8)))))),
      h("tbody", null, rows))));
}

export async function renderCompare(view, params) {
  const ids = [...new Set((params.get("runs") || "").split(",").map((id) => id.trim()).filter(Boolean))]
    .slice(0, MAX_COMPARED);
  if (!ids.length) {
    view.show(h("div", {class: "empty"}, h("h1", null, "No runs to compare"),
      h("p", null, "Select runs in an experiment's runs tab, then choose Compare.")));
    return;
  }
  const runs = await Promise.all(ids.map((id) => getRun(id)));
  const experimentId = runs[0].info.experiment_id;
  view.setCrumbs([["Experiments", href("experiments")], ["Runs", href("experiments", experimentId, "runs")],
    [`Comparing ${runs.length} runs`, null]]);
  document.title = `Compare ${runs.length} runs · tracekit`;
  const metricKeys = runs.flatMap((run) => Object.keys(run.data.metrics || {}));
  const labels = runs.map((run) => ({runId: run.info.run_id, label: run.info.run_name || run.info.run_id.slice(0, 8)}));
  view.show(
    h("section", {class: "page-header"}, h("h1", {"data-testid": "compare-title"}, `Comparing ${runs.length} runs`),
      h("p", {class: "muted"}, labels.map(({label}) => label).join(" · "))),
    section("Parameters", "compare-params", compareTable(runs, (run) => run.data.params || {}, String,
      "compare-params-table", "None of these runs has parameters.")),
    section("Metrics (latest)", "compare-metrics", compareTable(runs, (run) => run.data.metrics || {},
      (value) => formatNumber(Number(value)), "compare-metrics-table", "None of these runs has metrics.")),
    section("Metric charts", "compare-charts", metricCharts(labels, metricKeys, {testid: "compare-metric-charts"})));
}
