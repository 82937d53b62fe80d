// A run's or a logged model's artifacts: a folder tree (folders load when opened) beside a preview of the chosen
// file (text, JSON, YAML, images, CSV/TSV and logged tables as an HTML table) and its download link. Files are read
// through the server's artifact routes, so this works for `tracekit-artifacts:` locations the server serves.

import {artifactFileUrl, fetchArtifact, getToken, listArtifacts} from "./api.js";
import {h, replaceChildren} from "./dom.js";
import {jsonView} from "./json_view.js";

const PREVIEW_MAX_BYTES = 2 * 1024 * 1024;
const TABLE_MAX_ROWS = 500;
const IMAGE_TYPES = {png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp",
  bmp: "image/bmp", svg: "image/svg+xml"};
const TEXT_EXTENSIONS = new Set(["txt", "log", "md", "py", "yaml", "yml", "mlmodel", "toml", "ini", "cfg", "sh",
  "html", "xml", "js", "sql", "r", "ipynb", "jsonl", "requirements"]);

/** Where the server keeps `artifactUri`'s files (a path under its artifact root), or null if it does not serve it:
 * `tracekit-artifacts:/<path>`, or `tracekit-artifacts://<this host>/<path>`. */
export function servedArtifactPath(artifactUri) {
  const match = /^tracekit-artifacts:(\/\/([^/]*))?\/*(.*)$/i.exec(artifactUri || "");
  if (!match) return null;
  if (match[2] && match[2] !== location.host) return null;
  return match[3].replace(/\/+$/, "");
}

function extension(path) {
  const name = path.split("/").pop();
  if (name === "MLmodel") return "mlmodel";
  if (name === "requirements.txt") return "txt";
  return name.includes(".") ? name.split(".").pop().toLowerCase() : "";
}

function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The artifacts browser for `artifactUri` (a run's artifact_uri or a model's artifact_location). */
export function artifactsBrowser(artifactUri) {
  const root = servedArtifactPath(artifactUri);
  if (root === null) {
    return h("p", {class: "muted", "data-testid": "artifacts-elsewhere"}, artifactUri
      ? ["The artifacts are at ", h("code", null, artifactUri),
        ", which this server does not serve; read them with the tracekit client."]
      : "No artifact location.");
  }
  const preview = h("div", {class: "artifact-preview", "data-testid": "artifact-preview"},
    h("p", {class: "muted"}, "Choose a file to preview it."));
  const tree = h("ul", {class: "artifact-tree", "data-testid": "artifact-tree"});
  const browser = h("div", {class: "artifacts-browser"}, h("div", {class: "artifact-tree-pane"}, tree), preview);
  let selected = null;

  const select = (item, info) => {
    if (selected) selected.classList.remove("selected");
    selected = item;
    item.classList.add("selected");
    showPreview(preview, info, root);
  };

  const fill = async (list, path) => {
    replaceChildren(list, h("li", {class: "muted"}, "Loading…"));
    let files;
    try {
      files = (await listArtifacts(path)).files;
    } catch (error) {
      replaceChildren(list, h("li", {class: "error-text"}, error.message));
      return;
    }
    if (!files.length && path === root) {
      replaceChildren(list, h("li", {class: "muted", "data-testid": "artifacts-empty"}, "No artifacts."));
      return;
    }
    const prefix = root ? `${root}/` : "";
    replaceChildren(list, files.map((info) => {
      const name = info.path.split("/").pop();
      if (info.is_dir) {
        const children = h("ul", {class: "artifact-tree"});
        const folder = h("details", {class: "artifact-folder"},
          h("summary", {"data-testid": "artifact-folder", title: info.path.slice(prefix.length)}, name), children);
        folder.addEventListener("toggle", () => {
          if (folder.open && !children.childElementCount) fill(children, info.path);
        });
        return h("li", null, folder);
      }
      const item = h("li", {class: "artifact-file"});
      const button = h("button", {type: "button", class: "link-button artifact-file-button",
        "data-testid": "artifact-file", title: info.path.slice(prefix.length)}, name,
      h("span", {class: "muted artifact-size"}, formatBytes(info.file_size)));
      button.addEventListener("click", () => select(item, info));
      item.append(button);
      return item;
    }));
  };
  fill(tree, root);
  return browser;
}

function downloadLink(info) {
  const name = info.path.split("/").pop();
  const link = h("a", {href: artifactFileUrl(info.path).href, download: name, class: "button",
    "data-testid": "artifact-download"}, "Download");
  // A bearer token cannot ride on a plain link: fetch with it, then save the bytes.
  link.addEventListener("click", async (event) => {
    if (!getToken()) return;
    event.preventDefault();
    const url = URL.createObjectURL(await fetchArtifact(info.path));
    const save = h("a", {href: url, download: name});
    save.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  });
  return link;
}

async function showPreview(preview, info, root) {
  const relative = root ? info.path.slice(root.length + 1) : info.path;
  const header = h("div", {class: "artifact-preview-header"},
    h("code", {"data-testid": "artifact-path"}, relative), h("span", {class: "muted"}, formatBytes(info.file_size)),
    downloadLink(info));
  replaceChildren(preview, header, h("p", {class: "muted"}, "Loading…"));
  const kind = extension(info.path);
  if (!(kind in IMAGE_TYPES) && info.file_size > PREVIEW_MAX_BYTES) {
    replaceChildren(preview, header, h("p", {class: "muted"}, "Too large to preview; download it instead."));
    return;
  }
  let body;
  try {
    const blob = await fetchArtifact(info.path);
    body = await renderBody(blob, kind);
  } catch (error) {
    body = h("p", {class: "error-text"}, error.message);
  }
  replaceChildren(preview, header, body);
}

async function renderBody(blob, kind) {
  if (kind in IMAGE_TYPES) {
    const url = URL.createObjectURL(new Blob([blob], {type: IMAGE_TYPES[kind]}));
    const image = h("img", {src: url, alt: "", class: "artifact-image", "data-testid": "artifact-image"});
    image.addEventListener("load", () => URL.revokeObjectURL(url), {once: true});
    return image;
  }
  const text = await blob.text();
  if (kind === "csv" || kind === "tsv") return table(parseDelimited(text, kind === "tsv" ? "\t" : ","));
  if (kind === "json") {
    let value;
    try {
      value = JSON.parse(text);
    } catch {
      return textBlock(text);
    }
    // A logged table (log_table): {"columns": [...], "data": [[...], ...]}.
    if (value && Array.isArray(value.columns) && Array.isArray(value.data)) {
      return table([value.columns, ...value.data]);
    }
    return jsonView(value, {testid: "artifact-json"});
  }
  if (TEXT_EXTENSIONS.has(kind) || !text.includes("\u0000")) return textBlock(text);
  return h("p", {class: "muted"}, "A binary file; download it to open it.");
}

function textBlock(text) {
  return h("pre", {class: "artifact-text", "data-testid": "artifact-text"}, text);
}

/** Rows of a CSV or TSV text (quoted fields with doubled quotes, separators and newlines inside them). */
function parseDelimited(text, separator) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === "") quoted = true;
    else if (char === separator) { row.push(field); field = ""; }
    else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      if (rows.length > TABLE_MAX_ROWS) break;
    } else field += char;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function cellText(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function table(rows) {
  const [head, ...body] = rows;
  const shown = body.slice(0, TABLE_MAX_ROWS);
  return h("div", {class: "table-wrap artifact-table-wrap"},
    h("table", {class: "data-table artifact-table", "data-testid": "artifact-table"},
      h("thead", null, h("tr", null, (head || []).map((cell) => h("th", null, cellText(cell))))),
      h("tbody", null, shown.map((cells) => h("tr", null, cells.map((cell) => h("td", null, cellText(cell))))))),
    body.length > shown.length ? h("p", {class: "muted"}, `First ${shown.length} rows shown.`) : null);
}
