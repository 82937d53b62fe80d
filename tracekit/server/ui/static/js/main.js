// Start of the trace explorer: route the page, show errors, ask for a bearer token when the server wants one.

import {setToken} from "./api.js";
import {h, replaceChildren} from "./dom.js";
import {renderExperiment, renderExperimentsList} from "./experiment_pages.js";
import {renderCompare} from "./run_compare.js";
import {renderSession} from "./sessions_pages.js";
import {renderModelVersion, renderRegisteredModel, renderRegisteredModelsList} from "./registry_pages.js";
import {adoptPathRoute, currentRoute, href} from "./router.js";
import {renderTracePage} from "./trace_page.js";
import {renderModel, renderRun} from "./tracking_pages.js";

const viewRoot = document.getElementById("view");
const crumbs = document.getElementById("crumbs");
const banner = document.getElementById("banner");
let generation = 0;

/** What a page renders into; a page replaced by a newer navigation writes nowhere. */
function makeView() {
  const mine = ++generation;
  const alive = () => mine === generation;
  return {
    alive,
    show(...children) {
      if (alive()) replaceChildren(viewRoot, children);
    },
    setCrumbs(items) {
      if (!alive()) return;
      replaceChildren(crumbs, items.map(([label, target], index) => [
        index ? h("span", {class: "crumb-sep", "aria-hidden": "true"}, "/") : null,
        target ? h("a", {href: target}, label) : h("span", {class: "crumb-current"}, label)]));
    },
  };
}

async function render() {
  const view = makeView();
  hideBanner();
  const {parts, params} = currentRoute();
  const [section, id, tab, number] = parts;
  try {
    if (!section || (section === "experiments" && !id)) renderExperimentsList(view);
    else if (section === "experiments") await renderExperiment(view, id, tab, params);
    else if (section === "traces" && id) await renderTracePage(view, id, params);
    else if (section === "runs" && id) await renderRun(view, id, params);
    else if (section === "models" && id) await renderModel(view, id, params);
    else if (section === "compare") await renderCompare(view, params);
    else if (section === "sessions" && id && tab) await renderSession(view, id, tab);
    else if (section === "registered-models" && !id) renderRegisteredModelsList(view);
    else if (section === "registered-models" && tab === "versions" && number) {
      await renderModelVersion(view, id, number, params);
    } else if (section === "registered-models" && !tab) await renderRegisteredModel(view, id);
    else view.show(h("div", {class: "empty"}, h("h1", null, "Page not found"),
      h("p", null, h("a", {href: href("experiments")}, "Go to the experiments"))));
  } catch (error) {
    if (!view.alive()) return;
    if (error.status === 401) return;  // the unauthenticated handler says what to do
    view.show(h("div", {class: "empty", "data-testid": "page-error"},
      h("h1", null, error.status === 404 ? "Not found" : "Something went wrong"), h("p", null, error.message)));
  }
  if (view.alive()) viewRoot.focus({preventScroll: true});
}

function hideBanner() {
  banner.hidden = true;
  banner.replaceChildren();
}

function askForToken(rejected) {
  if (banner.querySelector("form")) return;
  const input = h("input", {type: "password", name: "token", autocomplete: "current-password", required: true,
    "aria-label": "Token", "data-testid": "token-input"});
  const form = h("form", {class: "token-form", "data-testid": "token-form"},
    h("span", null, rejected ? "This token was not accepted. " : "This server needs a token. ",
      "Enter a token from its tokens list (kept in this tab only):"),
    input, h("button", {type: "submit", class: "button"}, "Sign in"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    render();
  });
  replaceChildren(banner, form);
  banner.hidden = false;
  input.focus();
}

window.addEventListener("tracekit:unauthenticated", (event) => {
  const error = event.detail;
  if (String(error.scheme).toLowerCase() === "bearer") {
    const hadToken = Boolean(sessionStorage.getItem("tracekit.token"));
    setToken(null);
    askForToken(hadToken);
  } else {
    replaceChildren(banner, h("span", {"data-testid": "auth-error"},
      `${error.message} Reload the page to sign in again.`));
    banner.hidden = false;
  }
  replaceChildren(viewRoot, h("p", {class: "muted empty"}, "Sign in to see traces."));
});

adoptPathRoute();
window.addEventListener("hashchange", render);
render();
