// Readable JSON: a pretty-printed tree whose objects and arrays fold (<details>), large ones folded from the start
// and their children built only when opened, long strings cut with a "show all" button; a "Raw" switch shows the
// indented JSON text.

import {h} from "./dom.js";

const OPEN_DEPTH = 2;          // nodes deeper than this start folded
const OPEN_MAX_CHILDREN = 25;  // ... and so do nodes with more children than this
const CHILDREN_PER_BATCH = 200;
const STRING_PREVIEW = 600;

/** A JSON viewer for `value` (any JSON-compatible value; BigInt shown as a number). */
export function jsonView(value, {testid} = {}) {
  const tree = h("div", {class: "json-tree"}, renderValue(value, 0));
  const raw = h("pre", {class: "json-raw", hidden: true});
  const toggle = h("button", {type: "button", class: "link-button json-raw-toggle", title: "Show the JSON text"},
    "Raw");
  toggle.addEventListener("click", () => {
    const showRaw = raw.hidden;
    if (showRaw && !raw.textContent) raw.textContent = stringify(value);
    raw.hidden = !showRaw;
    tree.hidden = showRaw;
    toggle.textContent = showRaw ? "Tree" : "Raw";
  });
  return h("div", {class: "json-view", "data-testid": testid}, toggle, tree, raw);
}

/** JSON text indented by two spaces (BigInt written as its digits). */
export function stringify(value) {
  return JSON.stringify(value, (key, item) => (typeof item === "bigint" ? Number(item) : item), 2) ?? "undefined";
}

function renderValue(value, depth) {
  if (value === null) return h("span", {class: "json-null"}, "null");
  if (typeof value === "bigint" || typeof value === "number") return h("span", {class: "json-number"}, String(value));
  if (typeof value === "boolean") return h("span", {class: "json-boolean"}, String(value));
  if (typeof value === "string") return renderString(value);
  if (Array.isArray(value)) return renderContainer(value.map((item, index) => [index, item]), depth, true);
  if (typeof value === "object") return renderContainer(Object.entries(value), depth, false);
  return h("span", null, String(value));
}

function renderString(text) {
  const multiline = text.includes("\n");
  const element = h("span", {class: multiline ? "json-string json-multiline" : "json-string"});
  if (text.length <= STRING_PREVIEW) {
    element.textContent = multiline ? text : JSON.stringify(text);
    return element;
  }
  element.textContent = (multiline ? text : JSON.stringify(text)).slice(0, STRING_PREVIEW) + "…";
  const more = h("button", {type: "button", class: "link-button"}, `show all ${text.length.toLocaleString()} characters`);
  more.addEventListener("click", () => {
    element.textContent = multiline ? text : JSON.stringify(text);
  });
  return h("span", null, element, " ", more);
}

function renderContainer(entries, depth, isArray) {
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  if (!entries.length) return h("span", {class: "json-punct"}, open + close);
  const size = isArray ? `${entries.length} item${entries.length === 1 ? "" : "s"}`
    : `${entries.length} key${entries.length === 1 ? "" : "s"}`;
  const details = h("details", {class: "json-node"},
    h("summary", null, h("span", {class: "json-punct"}, open), h("span", {class: "json-size"}, ` ${size} `),
      h("span", {class: "json-punct json-close-inline"}, close)));
  const body = h("div", {class: "json-children"});
  details.append(body, h("span", {class: "json-punct json-close"}, close));
  let shown = 0;
  const showMore = () => {
    const batch = entries.slice(shown, shown + CHILDREN_PER_BATCH);
    for (const [key, item] of batch) {
      body.append(h("div", {class: "json-entry"},
        isArray ? h("span", {class: "json-index"}, `${key}: `) : h("span", {class: "json-key"}, `${JSON.stringify(key)}: `),
        renderValue(item, depth + 1)));
    }
    shown += batch.length;
    if (shown < entries.length) {
      const button = h("button", {type: "button", class: "link-button json-more"},
        `show ${Math.min(CHILDREN_PER_BATCH, entries.length - shown)} more of ${entries.length - shown}`);
      button.addEventListener("click", () => {
        button.remove();
        showMore();
      });
      body.append(button);
    }
  };
  if (depth < OPEN_DEPTH && entries.length <= OPEN_MAX_CHILDREN) {
    details.open = true;
    showMore();
  } else {
    details.addEventListener("toggle", () => {
      if (details.open && shown === 0) showMore();
    });
  }
  return details;
}
