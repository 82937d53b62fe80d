// LLM usage of a run's or a logged model's traces: tokens and cost summed by the LLM model called (one SQL
// aggregate on the server, GET llm-usage), with a total row.

import {api} from "./api.js";
import {h, replaceChildren} from "./dom.js";
import {formatCost, formatCount} from "./llm_columns.js";

/** The usage table for `scope` ({runId} | {modelId} | {experimentId}); returns the element and fills it. */
export function llmUsage(scope) {
  const element = h("div", {"data-testid": "llm-usage"}, h("p", {class: "muted"}, "Loading…"));
  api("llm-usage", {query: {run_id: scope.runId, model_id: scope.modelId, experiment_id: scope.experimentId}})
    .then(({usage}) => {
      if (!usage.length) {
        replaceChildren(element, h("p", {class: "muted"}, "No trace here records token usage."));
        return;
      }
      const total = usage.reduce((sum, row) => ({
        traces: sum.traces + row.traces, input: sum.input + row.input_tokens, output: sum.output + row.output_tokens,
        tokens: sum.tokens + row.total_tokens, cost: row.cost === null ? sum.cost : (sum.cost || 0) + row.cost,
      }), {traces: 0, input: 0, output: 0, tokens: 0, cost: null});
      const cells = (label, traces, input, output, tokens, cost, testid) => [
        h("td", {"data-testid": testid}, label), h("td", {class: "num"}, formatCount(traces)),
        h("td", {class: "num"}, formatCount(input)), h("td", {class: "num"}, formatCount(output)),
        h("td", {class: "num", "data-testid": `${testid}-tokens`}, formatCount(tokens)),
        h("td", {class: "num", "data-testid": `${testid}-cost`}, formatCost(cost))];
      replaceChildren(element, h("div", {class: "table-wrap"}, h("table", {class: "data-table"},
        h("thead", null, h("tr", null, ["LLM model", "Traces", "Tokens in", "Tokens out", "Tokens", "Cost"]
          .map((label) => h("th", {scope: "col"}, label)))),
        h("tbody", null, usage.map((row) => h("tr", {"data-testid": "llm-usage-row"},
          cells(row.model || "(model not named)", row.traces, row.input_tokens, row.output_tokens, row.total_tokens,
            row.cost, "llm-usage-model"))),
        h("tr", {class: "usage-total"}, cells("Total", total.traces, total.input, total.output, total.tokens,
          total.cost, "llm-usage-total"))))));
    }, (error) => replaceChildren(element, h("p", {class: "muted"}, `Usage could not be loaded: ${error.message}`)));
  return element;
}
