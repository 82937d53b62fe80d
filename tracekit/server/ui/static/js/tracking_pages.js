// A run's page and a logged model's page: what they are, what was logged to them (values and artifact files), and
// their traces.

import {getExperiment, getLoggedModel, getRun} from "./api.js";
import {artifactsBrowser} from "./artifacts_view.js";
import {badge, facts, formatMs, formatTime, h, keyValueTable} from "./dom.js";
import {modelsList} from "./experiment_pages.js";
import {llmUsage} from "./llm_usage.js";
import {metricCharts} from "./metric_charts.js";
import {registeredVersionsOf} from "./registry_pages.js";
import {href} from "./router.js";
import {runInputsSection} from "./run_inputs_view.js";
import {tracesTable} from "./traces_table.js";

async function experimentName(experimentId) {
  try {
    return (await getExperiment(experimentId)).name;
  } catch {
    return `Experiment ${experimentId}`;
  }
}

// Set on the run of a tracekit.genai.evaluate call; the traces it scored carry EVALUATED_BY = the run id (they may
// come from other runs, so the run's own traces table below does not list them all).
const EVALUATION = "tracekit.evaluation";
const EVALUATED_BY = "tracekit.evaluationRun";

function evaluatedTracesLink(info, tags) {
  if (!tags[EVALUATION]) return undefined;
  const filter = `tags.\`${EVALUATED_BY}\` = '${info.run_id}'`;
  return h("a", {href: href("experiments", info.experiment_id, "traces", {filter}),
    "data-testid": "run-evaluated-traces"}, "Traces scored by this evaluation");
}

function section(title, testid, ...content) {
  return h("section", {class: "page-section", "data-testid": testid}, h("h2", null, title), content);
}

export async function renderRun(view, runId, params) {
  const run = await getRun(runId);
  const info = run.info;
  const data = run.data;
  const name = await experimentName(info.experiment_id);
  const title = info.run_name || info.run_id;
  view.setCrumbs([["Experiments", href("experiments")], [name, href("experiments", info.experiment_id, "runs")],
    [title, null]]);
  document.title = `${title} · tracekit`;
  const tags = data.tags || {};
  const parent = tags["mlflow.parentRunId"];
  const note = tags["mlflow.note.content"];
  view.show(
    h("section", {class: "page-header", "data-testid": "run-header"},
      h("div", {class: "title-row"}, h("h1", {"data-testid": "run-name"}, title), badge(info.status)),
      note ? h("p", {class: "description", "data-testid": "run-description"}, note) : null,
      facts([
        ["Run ID", h("code", null, info.run_id)],
        ["Experiment", h("a", {href: href("experiments", info.experiment_id, "traces")}, name)],
        ["Parent run", parent ? h("a", {href: href("runs", parent)}, parent) : undefined],
        ["Started", formatTime(info.start_time)],
        ["Duration", info.end_time ? formatMs(info.end_time - info.start_time) : "running"],
        ["User", info.user_id || undefined],
        ["Evaluation", evaluatedTracesLink(info, tags)],
      ], "run-facts")),
    h("div", {class: "columns"},
      section("Parameters", "run-params", keyValueTable(data.params, "No parameters.")),
      section("Metrics (latest)", "run-metrics", keyValueTable(data.metrics, "No metrics.")),
      section("Tags", "run-tags", keyValueTable(data.tags, "No tags."))),
    runInputsSection(run),
    section("Metric charts", "run-charts", metricCharts([{runId: info.run_id, label: title}],
      Object.keys(data.metrics || {}))),
    section("LLM usage of its traces", "run-llm-usage", llmUsage({runId: info.run_id})),
    section("Artifacts", "run-artifacts", artifactsBrowser(info.artifact_uri)),
    section("Logged models from this run", "run-models",
      modelsList({experimentIds: [info.experiment_id], sourceRunId: info.run_id})),
    section("Traces", "run-traces", tracesTable({runId: info.run_id}, params)));
}

export async function renderModel(view, modelId, params) {
  const model = await getLoggedModel(modelId);
  const name = await experimentName(model.experiment_id);
  view.setCrumbs([["Experiments", href("experiments")], [name, href("experiments", model.experiment_id, "models")],
    [model.name, null]]);
  document.title = `${model.name} · tracekit`;
  const metrics = {};
  for (const metric of model.metrics || []) metrics[metric.key] = metric.value;
  view.show(
    h("section", {class: "page-header", "data-testid": "model-header"},
      h("div", {class: "title-row"}, h("h1", {"data-testid": "model-name"}, model.name), badge(model.status)),
      facts([
        ["Model ID", h("code", null, model.model_id)],
        ["Experiment", h("a", {href: href("experiments", model.experiment_id, "traces")}, name)],
        ["Type", model.model_type || undefined],
        ["Source run", model.source_run_id
          ? h("a", {href: href("runs", model.source_run_id), "data-testid": "model-run-link"}, model.source_run_id)
          : undefined],
        ["Created", formatTime(model.creation_timestamp)],
        ["Updated", formatTime(model.last_updated_timestamp)],
      ], "model-facts")),
    h("div", {class: "columns"},
      section("Parameters", "model-params", keyValueTable(model.params, "No parameters.")),
      section("Metrics (latest)", "model-metrics", keyValueTable(metrics, "No metrics.")),
      section("Tags", "model-tags", keyValueTable(model.tags, "No tags."))),
    section("Registered as", "model-registered-versions", registeredVersionsOf(model.model_id)),
    section("LLM usage of its traces", "model-llm-usage", llmUsage({modelId: model.model_id})),
    section("Artifacts", "model-artifacts", artifactsBrowser(model.artifact_location)),
    section("Traces", "model-traces", tracesTable({modelId: model.model_id}, params)));
}
