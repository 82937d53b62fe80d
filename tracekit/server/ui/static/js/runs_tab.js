// An experiment's runs tab: the runs with a checkbox each, and "Compare" for the ones selected (kept across pages):
// their params side by side and their metrics overlaid (run_compare.js).

import {searchRuns} from "./api.js";
import {badge, clip, formatMs, formatTime, h} from "./dom.js";
import {pagedList} from "./paged_list.js";
import {href} from "./router.js";

const PAGE_SIZE = 50;
export const MAX_COMPARED = 10;

export function runsList(experimentId) {
  const selected = new Set();
  const compare = h("a", {class: "button", "data-testid": "compare-runs", "aria-disabled": "true"}, "Compare");
  const note = h("span", {class: "muted", "data-testid": "runs-selected"});
  function update() {
    const ids = [...selected];
    compare.textContent = ids.length ? `Compare ${ids.length} run${ids.length === 1 ? "" : "s"}` : "Compare";
    if (ids.length) {
      compare.setAttribute("href", href("compare", {runs: ids.join(",")}));
      compare.removeAttribute("aria-disabled");
    } else {
      compare.removeAttribute("href");
      compare.setAttribute("aria-disabled", "true");
    }
    note.textContent = ids.length >= MAX_COMPARED ? `At most ${MAX_COMPARED} runs are compared at once.`
      : "Select runs to chart their metrics together and compare their parameters.";
  }
  update();
  const list = pagedList({
    testid: "runs",
    headers: ["", "Run", "Run ID", "Status", "Started", "Duration", "Metrics"],
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
      const box = h("input", {type: "checkbox", "aria-label": `Select ${info.run_name || info.run_id}`,
        "data-testid": "run-select", checked: selected.has(info.run_id)});
      box.addEventListener("change", () => {
        if (box.checked && selected.size >= MAX_COMPARED) box.checked = false;
        else if (box.checked) selected.add(info.run_id);
        else selected.delete(info.run_id);
        update();
      });
      return h("tr", {"data-testid": "run-row", "data-run-id": info.run_id},
        h("td", {class: "select-cell"}, box),
        h("td", null, h("a", {href: href("runs", info.run_id)}, info.run_name || info.run_id)),
        h("td", {class: "mono"}, info.run_id),
        h("td", null, badge(info.status)),
        h("td", {class: "nowrap"}, formatTime(info.start_time)),
        h("td", {class: "num nowrap"}, info.end_time ? formatMs(info.end_time - info.start_time) : "—"),
        h("td", {class: "preview"}, clip(metrics, 80)));
    },
  });
  return h("div", null, h("div", {class: "chart-toolbar"}, compare, note), list);
}
