// The model registry: the registered models list, a model's page (versions, aliases, tags, description) and a
// version's page, which links to its logged model and run and lists the traces of that model.

import {getModelVersion, getRegisteredModel, searchModelVersions, searchRegisteredModels} from "./api.js";
import {badge, clip, facts, formatTime, h, keyValueTable, tagChips} from "./dom.js";
import {pagedList} from "./paged_list.js";
import {href} from "./router.js";
import {tracesTable} from "./traces_table.js";

const PAGE_SIZE = 50;

/** A filter-grammar string literal for any text (quotes and backslashes escaped). */
export function quoted(text) {
  return `'${String(text).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function section(title, testid, ...content) {
  return h("section", {class: "page-section", "data-testid": testid}, h("h2", null, title), content);
}

function aliasChips(aliases) {
  if (!aliases || !aliases.length) return null;
  return h("span", {class: "tags"}, aliases.map((alias) => h("span", {class: "tag alias"}, `@${alias}`)));
}

export function renderRegisteredModelsList(view) {
  view.setCrumbs([["Registered models", null]]);
  document.title = "Registered models · tracekit";
  view.show(
    h("section", {class: "page-header"}, h("h1", null, "Registered models")),
    pagedList({
      testid: "registered-models",
      headers: ["Name", "Latest version", "Aliases", "Last updated", "Tags"],
      filterPlaceholder: "name LIKE '%churn%' AND tags.team = 'growth'",
      empty: "No registered models. Register one with tracekit.register_model(model_uri, name).",
      fetchPage: async (filter, token) => {
        const page = await searchRegisteredModels({max_results: PAGE_SIZE, page_token: token,
          filter_string: filter});
        return {items: page.registered_models, next: page.next_page_token};
      },
      row: (model) => {
        const latest = Math.max(0, ...model.latest_versions.map((version) => version.version));
        return h("tr", {"data-testid": "registered-model-row", "data-name": model.name},
          h("td", null, h("a", {href: href("registered-models", model.name), "data-testid": "registered-model-link"},
            model.name)),
          h("td", {class: "num"}, latest ? h("a", {href: href("registered-models", model.name, "versions", latest)},
            `Version ${latest}`) : "—"),
          h("td", null, aliasChips(Object.keys(model.aliases))),
          h("td", {class: "nowrap"}, formatTime(model.last_updated_timestamp)),
          h("td", null, tagChips(model.tags)));
      },
    }));
}

function versionLinks(version) {
  return [
    ["Logged model", version.model_id
      ? h("a", {href: href("models", version.model_id), "data-testid": "version-model-link"}, version.model_id)
      : undefined],
    ["Run", version.run_id
      ? h("a", {href: href("runs", version.run_id), "data-testid": "version-run-link"}, version.run_id)
      : undefined],
  ];
}

export async function renderRegisteredModel(view, name) {
  const model = await getRegisteredModel(name);
  view.setCrumbs([["Registered models", href("registered-models")], [model.name, null]]);
  document.title = `${model.name} · tracekit`;
  const aliases = Object.fromEntries(Object.entries(model.aliases).map(([alias, version]) => [`@${alias}`,
    `version ${version}`]));
  view.show(
    h("section", {class: "page-header", "data-testid": "registered-model-header"},
      h("div", {class: "title-row"}, h("h1", {"data-testid": "registered-model-name"}, model.name)),
      model.description
        ? h("p", {class: "description", "data-testid": "registered-model-description"}, model.description) : null,
      facts([["Created", formatTime(model.creation_timestamp)], ["Updated", formatTime(model.last_updated_timestamp)]],
        "registered-model-facts")),
    h("div", {class: "columns"},
      section("Aliases", "registered-model-aliases", keyValueTable(aliases, "No aliases.")),
      section("Tags", "registered-model-tags", keyValueTable(model.tags, "No tags."))),
    section("Versions", "registered-model-versions", pagedList({
      testid: "model-versions",
      headers: ["Version", "Stage", "Aliases", "Status", "Created", "Source", "Logged model"],
      filterPlaceholder: "tags.validated = 'yes'",
      empty: "No versions.",
      fetchPage: async (filter, token) => {
        const scope = `name = ${quoted(model.name)}`;
        const page = await searchModelVersions({max_results: PAGE_SIZE, page_token: token,
          filter_string: filter ? `${scope} AND (${filter})` : scope});
        return {items: page.model_versions, next: page.next_page_token};
      },
      row: (version) => h("tr", {"data-testid": "model-version-row", "data-version": String(version.version)},
        h("td", null, h("a", {href: href("registered-models", model.name, "versions", version.version),
          "data-testid": "model-version-link"}, `Version ${version.version}`)),
        h("td", null, version.current_stage),
        h("td", null, aliasChips(version.aliases)),
        h("td", null, badge(version.status)),
        h("td", {class: "nowrap"}, formatTime(version.creation_timestamp)),
        h("td", {class: "mono", title: version.source}, clip(version.source, 60)),
        h("td", {class: "mono"}, version.model_id ? h("a", {href: href("models", version.model_id)}, version.model_id)
          : "—")),
    })));
}

export async function renderModelVersion(view, name, number, params) {
  const version = await getModelVersion(name, number);
  view.setCrumbs([["Registered models", href("registered-models")], [version.name,
    href("registered-models", version.name)], [`Version ${version.version}`, null]]);
  document.title = `${version.name} v${version.version} · tracekit`;
  view.show(
    h("section", {class: "page-header", "data-testid": "model-version-header"},
      h("div", {class: "title-row"},
        h("h1", {"data-testid": "model-version-title"}, `${version.name} · version ${version.version}`),
        badge(version.status), aliasChips(version.aliases)),
      version.description
        ? h("p", {class: "description", "data-testid": "model-version-description"}, version.description) : null,
      facts([
        ["Stage", version.current_stage],
        ["Source", h("code", null, version.source)],
        ...versionLinks(version),
        ["Created", formatTime(version.creation_timestamp)],
        ["Updated", formatTime(version.last_updated_timestamp)],
      ], "model-version-facts")),
    section("Tags", "model-version-tags", keyValueTable(version.tags, "No tags.")),
    version.model_id
      ? section("Traces of this model", "model-version-traces", tracesTable({modelId: version.model_id}, params))
      : section("Traces of this model", "model-version-traces",
        h("p", {class: "muted"}, "This version records no logged model, so no traces link to it.")));
}

/** The registered versions made from one logged model (for the logged model's page). */
export function registeredVersionsOf(modelId) {
  return pagedList({
    testid: "registered-versions",
    headers: ["Registered model", "Version", "Stage", "Aliases"],
    empty: "Not registered.",
    fetchPage: async (filter, token) => {
      const page = await searchModelVersions({max_results: PAGE_SIZE, page_token: token,
        filter_string: `model_id = ${quoted(modelId)}`});
      return {items: page.model_versions, next: page.next_page_token};
    },
    row: (version) => h("tr", {"data-testid": "registered-version-row"},
      h("td", null, h("a", {href: href("registered-models", version.name)}, version.name)),
      h("td", null, h("a", {href: href("registered-models", version.name, "versions", version.version),
        "data-testid": "registered-version-link"}, `Version ${version.version}`)),
      h("td", null, version.current_stage),
      h("td", null, aliasChips(version.aliases))),
  });
}
