// Hash routes (#/experiments/0/traces?filter=...), so any static host path serves the page; the same routes given
// as paths (/experiments/0/traces) are turned into hash routes on load.

const PAGE_ROUTES = ["experiments", "traces", "runs", "models", "registered-models", "compare", "sessions"];

/** The current route: {parts: ["experiments", "0", "traces"], params: URLSearchParams}. */
export function currentRoute() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query] = splitOnce(hash, "?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return {parts, params: new URLSearchParams(query || "")};
}

function splitOnce(text, separator) {
  const index = text.indexOf(separator);
  return index < 0 ? [text, ""] : [text.slice(0, index), text.slice(index + 1)];
}

/** The hash of a route: href("traces", id) -> "#/traces/<id>"; params (an object) become the query. */
export function href(...parts) {
  let params = null;
  if (parts.length && typeof parts[parts.length - 1] === "object") params = parts.pop();
  const path = "#/" + parts.map((part) => encodeURIComponent(String(part))).join("/");
  const query = params ? new URLSearchParams(
    Object.entries(params).filter(([, value]) => value !== null && value !== undefined && value !== "")).toString()
    : "";
  return query ? `${path}?${query}` : path;
}

/** Change the current route's query without rendering again (filter, sort: so reload and back keep them). */
export function replaceParams(params) {
  const {parts} = currentRoute();
  const target = href(...parts, params);
  if (target !== location.hash) history.replaceState(history.state, "", target);
}

/** A page route given as a path (/experiments/0/traces): the same route as a hash, in place. */
export function adoptPathRoute() {
  const base = new URL(document.baseURI);
  if (location.hash || !location.pathname.startsWith(base.pathname)) return;
  const relative = location.pathname.slice(base.pathname.length);
  if (PAGE_ROUTES.includes(relative.split("/")[0])) {
    history.replaceState(null, "", `${base.pathname}#/${relative}${location.search}`);
  }
}
