// A simple paged table (experiments, runs, logged models): optional filter box whose errors show under it, and
// Previous / Next through page tokens.

import {h, replaceChildren} from "./dom.js";

/**
 * options: {headers: [label], fetchPage: async (filter, token) => ({items, next}), row: item => <tr>,
 *           filterPlaceholder (omit for no filter box), empty: text, testid}
 */
export function pagedList({headers, fetchPage, row, filterPlaceholder, empty, testid}) {
  const state = {tokens: [null], next: null, filter: "", request: 0};
  const body = h("tbody");
  const error = h("pre", {class: "filter-error", role: "alert", hidden: true, "data-testid": `${testid}-error`});
  const previous = h("button", {type: "button", class: "button", onclick: () => {
    state.tokens.pop();
    load();
  }}, "‹ Previous");
  const next = h("button", {type: "button", class: "button", onclick: () => {
    state.tokens.push(state.next);
    load();
  }}, "Next ›");
  const label = h("span", {class: "page-label"});
  let form = null;
  if (filterPlaceholder) {
    const input = h("input", {type: "search", class: "filter-input", placeholder: filterPlaceholder,
      "aria-label": "Filter", spellcheck: "false", autocomplete: "off", "data-testid": `${testid}-filter`});
    form = h("form", {class: "filter-bar", role: "search"}, h("label", null, "Filter"), input,
      h("button", {type: "submit", class: "button"}, "Search"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      state.filter = input.value.trim();
      state.tokens = [null];
      load();
    });
  }

  async function load() {
    const request = ++state.request;
    previous.disabled = next.disabled = true;
    let page;
    try {
      page = await fetchPage(state.filter || null, state.tokens[state.tokens.length - 1]);
    } catch (failure) {
      if (request !== state.request) return;
      error.textContent = failure.message;
      error.hidden = false;
      replaceChildren(body, h("tr", {class: "empty-row"}, h("td", {colspan: String(headers.length), class: "muted"},
        "Nothing to show.")));
      previous.disabled = state.tokens.length <= 1;
      return;
    }
    if (request !== state.request) return;
    error.hidden = true;
    state.next = page.next || null;
    replaceChildren(body, page.items.length ? page.items.map(row)
      : h("tr", {class: "empty-row"}, h("td", {colspan: String(headers.length), class: "muted"}, empty)));
    previous.disabled = state.tokens.length <= 1;
    next.disabled = !state.next;
    label.textContent = `Page ${state.tokens.length}`;
  }

  load();
  return h("div", {class: "paged-list", "data-testid": testid}, form, error,
    h("div", {class: "table-wrap"}, h("table", {class: "data-table"},
      h("thead", null, h("tr", null, headers.map((header) => h("th", {scope: "col"}, header)))), body)),
    h("div", {class: "pager"}, previous, label, next));
}
