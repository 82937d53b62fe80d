// The experiments list, and one experiment's page with its traces, runs and logged models as tabs.

import {getExperiment, searchExperiments, searchLoggedModels} from "./api.js";
import {badge, formatTime, h, tagChips} from "./dom.js";
import {pagedList} from "./paged_list.js";
import {href} from "./router.js";
import {runsList} from "./runs_tab.js";
import {sessionsList} from "./sessions_pages.js";
import {tracesTable} from "./traces_table.js";

const PAGE_SIZE = 50;
const TABS = [["traces", "Traces"], ["runs", "Runs"], ["models", "Logged models"], ["sessions", "Sessions"]];

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
  else if (current === "sessions") content = sessionsList(experimentId);
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
