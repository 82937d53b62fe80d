// Building DOM nodes and formatting values. Text always goes in as text nodes, never as HTML.

/** An element: h("a", {href: "#/x", class: "link", onclick: fn}, "text", child, [more]). */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key === "style") Object.assign(element.style, value);
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, String(value));
  }
  appendChildren(element, children);
  return element;
}

/** Append children (nodes, strings, numbers, nested arrays; null and false skipped). */
export function appendChildren(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replace an element's content. */
export function replaceChildren(element, ...children) {
  element.replaceChildren();
  return appendChildren(element, children);
}

const pad = (number, width = 2) => String(number).padStart(width, "0");

/** A time in ms since the epoch as local "YYYY-MM-DD HH:MM:SS". */
export function formatTime(ms) {
  if (ms === null || ms === undefined || ms === "") return "—";
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return String(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A duration in nanoseconds, in the unit that reads best ("850 µs", "12.3 ms", "1.25 s", "2 m 5 s"). */
export function formatNs(ns) {
  if (ns === null || ns === undefined) return "—";
  const value = Number(ns);
  if (value < 1e3) return `${value} ns`;
  if (value < 1e6) return `${trim(value / 1e3)} µs`;
  if (value < 1e9) return `${trim(value / 1e6)} ms`;
  if (value < 60e9) return `${trim(value / 1e9)} s`;
  const seconds = Math.round(value / 1e9);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} m ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} m`;
}

/** A duration in milliseconds (trace info), as formatNs does. */
export function formatMs(ms) {
  return ms === null || ms === undefined ? "—" : formatNs(Number(ms) * 1e6);
}

function trim(value) {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** The first `limit` characters of a text, with an ellipsis when cut. */
export function clip(text, limit) {
  if (text === null || text === undefined) return "";
  const s = String(text);
  return s.length > limit ? s.slice(0, limit - 1) + "…" : s;
}

/** A status badge (OK, ERROR, IN_PROGRESS, RUNNING, READY, ...). */
export function badge(text, extraClass = "") {
  const value = String(text || "UNSET");
  return h("span", {class: `badge badge-${value.toLowerCase()} ${extraClass}`.trim()}, value);
}

/** Parse a stored attribute value (JSON text); a value that is not JSON is returned as it is. */
export function parseAttribute(value) {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A key/value table (dl) of pairs [label, value-node-or-text]; pairs with undefined values are skipped. */
export function facts(pairs, testid) {
  const list = h("dl", {class: "facts", "data-testid": testid});
  for (const [label, value] of pairs) {
    if (value === undefined) continue;
    list.append(h("dt", null, label), h("dd", null, value === null || value === "" ? "—" : value));
  }
  return list;
}

/** Tag chips for a {key: value} object. */
export function tagChips(tags, hidePrefix = "tracekit.") {
  const entries = Object.entries(tags || {}).filter(([key]) => !key.startsWith(hidePrefix));
  if (!entries.length) return null;
  return h("span", {class: "tags"}, entries.map(([key, value]) =>
    h("span", {class: "tag", title: `${key} = ${value}`}, h("span", {class: "tag-key"}, key), "=",
      h("span", {class: "tag-value"}, clip(value, 40)))));
}

/** A table of {key: value} pairs (params, metrics, tags), or a muted note when empty. */
export function keyValueTable(object, emptyText, testid) {
  const entries = Object.entries(object || {}).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return h("p", {class: "muted", "data-testid": testid}, emptyText);
  return h("table", {class: "kv", "data-testid": testid},
    h("tbody", null, entries.map(([key, value]) => h("tr", null, h("th", null, key), h("td", null, String(value))))));
}
