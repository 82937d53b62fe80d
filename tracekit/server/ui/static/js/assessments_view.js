// Feedback and expectations (assessments) in the explorer: the panel of a trace's page (the list, and a form a
// person adds feedback with: Good or Bad (true / false), or a value, with a rationale; logged with source HUMAN),
// and the traces table's extra columns (one per assessment name on the page; a value is a link filtering on it).

import {logAssessment} from "./api.js";
import {clip, formatTime, h, replaceChildren} from "./dom.js";

const DEFAULT_NAME = "user_feedback";
const UI_SOURCE = {source_type: "HUMAN", source_id: "tracekit-ui"};
const MAX_COLUMNS = 8;
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An assessment value as short text: true/false, numbers and strings as they are, anything else as JSON. */
export function valueText(assessment) {
  const value = assessment.value;
  if (value === null || value === undefined) {
    return assessment.error ? `error: ${assessment.error.error_code}` : "—";
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** What a person typed as a value: true/false and numbers as such, anything else as a string. */
export function parseValue(text) {
  const trimmed = text.trim();
  if (trimmed === "true" || trimmed === "false") return trimmed === "true";
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(trimmed)) return Number(trimmed);
  return text;
}

/** The search_traces filter matching `kind.name = value`, or null when the value cannot be written in one. */
export function filterFor(kind, name, value) {
  let key;
  if (PLAIN_NAME.test(name)) key = name;
  else if (!name.includes("`")) key = `\`${name}\``;
  else return null;
  let literal;
  if (typeof value === "boolean") literal = String(value);
  else if (typeof value === "number" && Number.isFinite(value)) literal = String(value);
  else if (typeof value === "string") literal = `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  else return null;
  return `${kind}.${key} = ${literal}`;
}

function assessmentRow(assessment) {
  const source = assessment.source || {};
  return h("tr", {"data-testid": "assessment-row", "data-assessment-id": assessment.assessment_id},
    h("td", {"data-testid": "assessment-name"}, assessment.name),
    h("td", {class: "muted"}, assessment.kind),
    h("td", {class: "mono", "data-testid": "assessment-value", title: valueText(assessment)},
      clip(valueText(assessment), 200)),
    h("td", {"data-testid": "assessment-source"}, `${source.source_type || "?"} · ${source.source_id || "?"}`),
    h("td", {"data-testid": "assessment-rationale"}, assessment.rationale || ""),
    h("td", {class: "nowrap"}, formatTime(assessment.last_update_time_ms || assessment.create_time_ms)));
}

/** The assessments section of a trace's page: its feedback and expectations, and the form adding feedback. */
export function assessmentsPanel(traceId, assessments) {
  const body = h("tbody");
  const empty = h("p", {class: "muted", "data-testid": "no-assessments"}, "No feedback or expectations yet.");
  const table = h("table", {class: "data-table", "data-testid": "assessments-table"},
    h("thead", null, h("tr", null, ["Name", "Kind", "Value", "Source", "Rationale", "Updated"].map(
      (label) => h("th", {scope: "col"}, label)))), body);
  const show = (items) => {
    replaceChildren(body, items.map(assessmentRow));
    table.hidden = !items.length;
    empty.hidden = Boolean(items.length);
  };
  const shown = [...(assessments || [])];
  show(shown);

  const name = h("input", {type: "text", name: "name", value: DEFAULT_NAME, required: true, maxlength: "250",
    "aria-label": "Feedback name", "data-testid": "feedback-name", class: "filter-input feedback-name"});
  const value = h("input", {type: "text", name: "value", placeholder: "or a value: yes, 0.8…",
    "aria-label": "Feedback value", "data-testid": "feedback-value", class: "filter-input"});
  const rationale = h("input", {type: "text", name: "rationale", placeholder: "rationale (optional)",
    "aria-label": "Rationale", "data-testid": "feedback-rationale", class: "filter-input feedback-rationale"});
  const status = h("span", {role: "status", class: "muted", "data-testid": "feedback-status"});
  const error = h("pre", {role: "alert", class: "filter-error", hidden: true, "data-testid": "feedback-error"});

  const submit = async (feedbackValue) => {
    error.hidden = true;
    status.textContent = "Saving…";
    try {
      const stored = await logAssessment(traceId, {kind: "feedback", name: name.value.trim(), value: feedbackValue,
        rationale: rationale.value.trim() || null, source: UI_SOURCE});
      shown.push(stored);
      show(shown);
      value.value = "";
      rationale.value = "";
      status.textContent = `Feedback “${stored.name}” saved.`;
    } catch (failure) {
      status.textContent = "";
      error.textContent = failure.message;
      error.hidden = false;
    }
  };
  const form = h("form", {class: "feedback-form", "data-testid": "feedback-form"},
    h("label", null, "Add feedback "), name,
    h("button", {type: "button", class: "button", title: "Good", "aria-label": "Thumbs up",
      "data-testid": "thumbs-up", onclick: () => submit(true)}, "✓ Good"),
    h("button", {type: "button", class: "button", title: "Bad", "aria-label": "Thumbs down",
      "data-testid": "thumbs-down", onclick: () => submit(false)}, "✗ Bad"),
    value, rationale,
    h("button", {type: "submit", class: "button", "data-testid": "feedback-submit"}, "Add"), status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!value.value.trim()) {
      error.textContent = "Give a value, or press Good or Bad.";
      error.hidden = false;
      return;
    }
    submit(parseValue(value.value));
  });
  return h("section", {class: "page-section", "data-testid": "assessments"},
    h("h2", null, "Feedback and expectations"), table, empty, form, error);
}

/**
 * Extra columns of the traces table, one per assessment (kind and name) on the page's traces, at most MAX_COLUMNS:
 * {heads: [th], cells(info) -> [td]}. A cell shows the latest value of that name; clicking it calls
 * `filterOn(filter)` with the filter matching that value.
 */
export function assessmentColumns(traces, filterOn) {
  const keys = new Map();
  for (const trace of traces) {
    for (const assessment of trace.info.assessments || []) {
      keys.set(`${assessment.kind}.${assessment.name}`, {kind: assessment.kind, name: assessment.name});
    }
  }
  const columns = [...keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, MAX_COLUMNS)
    .map(([, column]) => column);
  const heads = columns.map((column) => h("th", {scope: "col", "data-testid": "assessment-column",
    title: `${column.kind}.${column.name}`}, column.name));
  const cells = (info) => columns.map((column) => {
    const matching = (info.assessments || []).filter((a) => a.kind === column.kind && a.name === column.name);
    const latest = matching[matching.length - 1];
    if (!latest) return h("td", {class: "muted"}, "");
    const filter = filterFor(column.kind, column.name, latest.value);
    const text = clip(valueText(latest), 40);
    return h("td", {"data-testid": "assessment-cell", "data-name": column.name},
      filter ? h("button", {type: "button", class: "link-button", title: `Filter: ${filter}`,
        "data-testid": "assessment-filter", onclick: () => filterOn(filter)}, text) : text);
  });
  return {heads, cells};
}
