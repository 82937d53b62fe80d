// The experiments list, and one experiment's page with its traces, runs and logged models as tabs.

import {getExperiment, searchExperiments, searchLoggedModels, searchRuns} from "./api.js";
import {badge, clip, formatMs, formatTime, h, tagChips} from "./dom.js";
import {pagedList} from "./paged_list.js";
import {href} from "./router.js";
import {tracesTable} from "./traces_table.js";

const PAGE_SIZE = 50;
const TABS = [["traces", "Traces"], ["runs", "Runs"], ["models", "Logged models"]];

export function renderExperimentsList(view) {
  view.setCrumbs([["Experiments", null]]);
  document.title = "Experiments · tracekit";
  view.show(
    h("section", {class: "page-header"}, h("h1", null, "Experiments")),
    pagedList({
      testid: "experiments",
      headers: ["Name", "ID", "Created", "Last updated", "Tags"],
      filterPlaceholder: "name LIKE '%agent%'",
      empty: "No experiments.",
      fetchPage: async (filter, token) => {
        const page = await searchExperiments({max_results: PAGE_SIZE, page_token: token, filter_string: filter});
        return {items: page.experiments, next: page.next_page_token};
      },
      row: (experiment) => h("tr", {"data-testid": "experiment-row", "data-experiment-id": experiment.experiment_id},
        h("td", null, h("a", {href: href("experiments", experiment.experiment_id, "traces"),
          "data-testid": "experiment-link"}, experiment.name)),
        h("td", {class: "mono"}, experiment.experiment_id),
        h("td", {class: "nowrap"}, formatTime(experiment.creation_time)),
        h("td", {class: "nowrap"}, formatTime(experiment.last_update_time)),
        h("td", null, tagChips(experiment.tags))),
    }));
}

export async function renderExperiment(view, experimentId, tab, params) {
  const experiment = await getExperiment(experimentId);
  const current = TABS.some(([key]) => key === tab) ? tab : "traces";
  view.setCrumbs([["Experiments", href("experiments")], [experiment.name, null]]);
  document.title = `${experiment.name} · tracekit`;
  let content;
  if (current === "traces") content = tracesTable({experimentId}, params);
  else if (current === "runs") content = runsList(experimentId);
  else content = modelsList({experimentIds: [experimentId]});
  view.show(
    h("section", {class: "page-header"},
      h("div", {class: "title-row"}, h("h1", {"data-testid": "experiment-name"}, experiment.name),
        h("span", {class: "muted mono"}, `id ${experiment.experiment_id}`)),
      tagChips(experiment.tags)),
    h("nav", {class: "tabs", "aria-label": "Experiment"}, TABS.map(([key, label]) =>
      h("a", {href: href("experiments", experimentId, key), class: key === current ? "tab active" : "tab",
        "aria-current": key === current ? "page" : null, "data-testid": `tab-${key}`}, label))),
    content);
}

function runsList(experimentId) {
  return pagedList({
    testid: "runs",
    headers: ["Run", "Run ID", "Status", "Started", "Duration", "Metrics"],
    filterPlaceholder: "metrics.accuracy > 0.9 AND params.lr = '0.01'",
    empty: "No runs in this experiment.",
    fetchPage: async (filter, token) => {
      const page = await searchRuns({experiment_ids: [experimentId], filter_string: filter, max_results: PAGE_SIZE,
        page_token: token});
      return {items: page.runs, next: page.next_page_token};
    },
    row: (run) => {
      const info = run.info;
      const metrics = Object.entries(run.data.metrics || {}).slice(0, 4)
        .map(([key, value]) => `${key}=${Number(value).toPrecision(4)}`).join(", ");
      return h("tr", {"data-testid": "run-row"},
        h("td", null, h("a", {href: href("runs", info.run_id)}, info.run_name || info.run_id)),
        h("td", {class: "mono"}, info.run_id),
        h("td", null, badge(info.status)),
        h("td", {class: "nowrap"}, formatTime(info.start_time)),
        h("td", {class: "num nowrap"}, info.end_time ? formatMs(info.end_time - info.start_time) : "—"),
        h("td", {class: "preview"}, clip(metrics, 80)));
    },
  });
}

/** Logged models of experiments (or of one run, with a filter on source_run_id). */
export function modelsList({experimentIds, sourceRunId}) {
  return pagedList({
    testid: "models",
    headers: ["Model", "Model ID", "Status", "Type", "Created", "Source run"],
    filterPlaceholder: sourceRunId ? null : "name = 'support-agent' AND tags.version = 'v2'",
    empty: sourceRunId ? "No logged models from this run." : "No logged models in this experiment.",
    fetchPage: async (filter, token) => {
      const own = sourceRunId ? `source_run_id = '${sourceRunId.replaceAll("'", "\\'")}'` : null;
      const page = await searchLoggedModels({experiment_ids: experimentIds,
        filter_string: [own, filter].filter(Boolean).join(" AND ") || null, max_results: PAGE_SIZE, page_token: token,
        order_by: [{field_name: "creation_time", ascending: false}]});
      return {items: page.models, next: page.next_page_token};
    },
    row: (model) => h("tr", {"data-testid": "model-row"},
      h("td", null, h("a", {href: href("models", model.model_id)}, model.name)),
      h("td", {class: "mono"}, model.model_id),
      h("td", null, badge(model.status)),
      h("td", null, model.model_type || "—"),
      h("td", {class: "nowrap"}, formatTime(model.creation_timestamp)),
      h("td", null, model.source_run_id ? h("a", {href: href("runs", model.source_run_id), class: "mono"},
        model.source_run_id.slice(0, 8)) : "—")),
  });
}
