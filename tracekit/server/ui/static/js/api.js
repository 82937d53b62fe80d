// The tracking server's REST API, as the page uses it. Errors come back as ApiError with the server's message.

const API_ROOT = new URL("api/v1/", document.baseURI);
const TOKEN_KEY = "tracekit.token";

/** An error answer of the API: HTTP status, the server's error_code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The bearer token entered in this tab (kept for the tab's session only), or null. */
export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Nanosecond times exceed what a JavaScript number holds exactly; read them as BigInt where the browser gives
// the source text of each number (JSON.parse source access), else as numbers (off by at most a microsecond).
function reviveNanoseconds(key, value, context) {
  if (typeof value === "number" && key.endsWith("_ns") && context && typeof context.source === "string") {
    return BigInt(context.source);
  }
  return value;
}

/** Call the API: api("traces/search", {body: {...}}) POSTs JSON; api("runs/ID") GETs. */
export async function api(path, {method, body, query} = {}) {
  const url = new URL(path, API_ROOT);
  for (const [key, value] of Object.entries(query || {})) {
    if (value === null || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, item);
  }
  const headers = {Accept: "application/json"};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = {method: method || (body === undefined ? "GET" : "POST"), headers, credentials: "same-origin"};
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new ApiError(0, "NETWORK", `The tracking server did not answer (${error.message}).`);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text, reviveNanoseconds) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = (data && data.message) || `${response.status} ${response.statusText}`;
    const error = new ApiError(response.status, (data && data.error_code) || "HTTP_ERROR", message);
    if (response.status === 401) {
      error.scheme = (response.headers.get("WWW-Authenticate") || "").split(" ")[0];
      window.dispatchEvent(new CustomEvent("tracekit:unauthenticated", {detail: error}));
    }
    throw error;
  }
  return data;
}

/** Trace search (POST traces/search); `include_spans` false for tables. */
export function searchTraces(request) {
  return api("traces/search", {body: request});
}

export function getTrace(traceId) {
  return api(`traces/${encodeURIComponent(traceId)}`);
}

/** Log a feedback or expectation on a stored trace; answers the stored assessment. */
export function logAssessment(traceId, assessment) {
  return api(`traces/${encodeURIComponent(traceId)}/assessments`, {body: assessment});
}

export function countTraces({experimentId, runId, modelId}) {
  return api("traces/count", {query: {experiment_id: experimentId, run_id: runId, model_id: modelId}});
}

export function searchExperiments(request) {
  return api("experiments/search", {body: {view_type: "ACTIVE_ONLY", ...request}});
}

export function getExperiment(experimentId) {
  return api(`experiments/${encodeURIComponent(experimentId)}`);
}

export function getRun(runId) {
  return api(`runs/${encodeURIComponent(runId)}`);
}

export function searchRuns(request) {
  return api("runs/search", {body: request});
}

export function getLoggedModel(modelId) {
  return api(`logged-models/${encodeURIComponent(modelId)}`);
}

export function searchLoggedModels(request) {
  return api("logged-models/search", {body: request});
}

/** Registered models search (POST registered-models/search). */
export function searchRegisteredModels(request) {
  return api("registered-models/search", {body: request});
}

export function getRegisteredModel(name) {
  return api(`registered-models/${encodeURIComponent(name)}`);
}

/** Model versions search (POST model-versions/search). */
export function searchModelVersions(request) {
  return api("model-versions/search", {body: request});
}

export function getModelVersion(name, version) {
  return api(`registered-models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`);
}

/** The direct children of an artifact folder (a path relative to the server's artifact root). */
export function listArtifacts(path) {
  return api("artifacts/list", {query: {path}});
}

/** The URL of an artifact file's download route. */
export function artifactFileUrl(path) {
  return new URL(`artifacts/files/${path.split("/").map(encodeURIComponent).join("/")}`, API_ROOT);
}

/** An artifact file's bytes as a Blob (with the tab's token, if any). */
export async function fetchArtifact(path) {
  const headers = {};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(artifactFileUrl(path), {headers, credentials: "same-origin"});
  } catch (error) {
    throw new ApiError(0, "NETWORK", `The tracking server did not answer (${error.message}).`);
  }
  if (!response.ok) {
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    throw new ApiError(response.status, (data && data.error_code) || "HTTP_ERROR",
      (data && data.message) || `${response.status} ${response.statusText}`);
  }
  return response.blob();
}
