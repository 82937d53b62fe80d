// A run's inputs on its page: the datasets it used (name, digest, context, source, size, columns, tags) and the
// logged models it used. Everything shown is user content and goes in as text.

import {badge, clip, h} from "./dom.js";
import {href} from "./router.js";

const CONTEXT_TAG = "mlflow.data.context";

function parsed(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function sourceText(dataset) {
  const source = parsed(dataset.source);
  const uri = source && typeof source === "object" ? source.uri : null;
  return uri ? `${dataset.source_type}: ${uri}` : dataset.source_type;
}

function sizeText(profile) {
  if (!profile || typeof profile !== "object") return "—";
  const rows = Number.isFinite(profile.num_rows) ? profile.num_rows.toLocaleString() : "?";
  const columns = Number.isFinite(profile.num_columns) ? profile.num_columns.toLocaleString() : "?";
  return `${rows} rows × ${columns} columns`;
}

function columnsText(schemaText) {
  const schema = parsed(schemaText);
  if (!Array.isArray(schema)) return "—";
  return clip(schema.map((spec) => spec.name ? `${spec.name}: ${spec.type}` : String(spec.type)).join(", "), 160);
}

function datasetRow(input) {
  const dataset = input.dataset;
  const tags = input.tags || [];
  const context = tags.find((tag) => tag.key === CONTEXT_TAG);
  const otherTags = tags.filter((tag) => tag.key !== CONTEXT_TAG).map((tag) => `${tag.key}=${tag.value}`).join(", ");
  const profile = parsed(dataset.profile);
  return h("tr", {"data-testid": "run-input-row"},
    h("td", {"data-testid": "run-input-name"}, dataset.name),
    h("td", null, h("code", {title: dataset.digest}, dataset.digest)),
    h("td", {"data-testid": "run-input-context"}, context ? badge(context.value) : "—"),
    h("td", null, clip(sourceText(dataset), 80)),
    h("td", null, sizeText(profile)),
    h("td", {class: "preview"}, columnsText(dataset.schema)),
    h("td", null, otherTags || "—"));
}

/** The run's "Inputs" section, for its page. */
export function runInputsSection(run) {
  const inputs = run.inputs || {};
  const datasets = inputs.dataset_inputs || [];
  const models = inputs.model_inputs || [];
  const content = [];
  if (!datasets.length && !models.length) {
    content.push(h("p", {class: "muted"}, "No datasets or models logged as inputs (tracekit.log_input)."));
  }
  if (datasets.length) {
    content.push(h("div", {class: "table-wrap"}, h("table", {class: "data-table", "data-testid": "run-inputs-table"},
      h("thead", null, h("tr", null, ["Dataset", "Digest", "Context", "Source", "Size", "Columns", "Tags"].map(
        (title) => h("th", null, title)))),
      h("tbody", null, datasets.map(datasetRow)))));
  }
  if (models.length) {
    content.push(h("p", {"data-testid": "run-input-models"}, "Models used: ", models.map((model, index) => [
      index ? ", " : "", h("a", {href: href("models", model.model_id)}, model.model_id)])));
  }
  return h("section", {class: "page-section", "data-testid": "run-inputs"}, h("h2", null, "Inputs"), content);
}
