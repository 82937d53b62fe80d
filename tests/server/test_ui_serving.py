"""How the tracking server serves the trace explorer (without a browser): the page at `/` and at its own routes,
its assets from the package with nothing pointing elsewhere, and authentication in front of it."""

from __future__ import annotations

import base64
import fnmatch
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from server_helpers import build_trace

from tracekit.server import ServerSettings, create_app
from tracekit.server.ui import PAGE_ROUTES
from tracekit.store.sql.traces import SqlTraceStore

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "tracekit" / "server" / "ui" / "static"
ASSETS = sorted(path for path in STATIC.rglob("*") if path.is_file())
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def test_root_serves_the_explorer_page(api):
    answer = api.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert '<base href="/">' in answer.text
    assert '<script type="module" src="static/js/main.js"></script>' in answer.text
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy and "unsafe" not in policy


@pytest.mark.slow
def test_tracekit_server_command_serves_the_explorer(server_process):
    import httpx

    server = server_process(None, "--log-level", "warning").start()
    page = httpx.get(f"{server.url}/experiments/0/traces", timeout=10)
    assert page.status_code == 200 and '<base href="/">' in page.text
    script = httpx.get(f"{server.url}/static/js/main.js", timeout=10)
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize("path", ["/experiments", "/experiments/0/traces", "/traces/tr-" + "a" * 32,
                                  "/runs/abc", "/models/m-" + "1" * 32])
def test_page_routes_serve_the_same_page(api, path):
    assert path.split("/")[1] in PAGE_ROUTES
    answer = api.get(path)
    assert answer.status_code == 200
    assert answer.text == api.get("/").text


def test_page_knows_its_path_prefix_behind_a_proxy(server_db):
    with TestClient(create_app(ServerSettings(backend_store_uri=server_db)), root_path="/tracekit") as client:
        assert '<base href="/tracekit/">' in client.get("/experiments/0/traces").text


def test_api_paths_are_not_taken_by_the_page(api):
    assert api.get("/api/v1/traces/tr-" + "f" * 32).json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert api.get("/nowhere").status_code == 404


@pytest.mark.parametrize("asset", ASSETS, ids=lambda path: str(path.relative_to(STATIC)))
def test_every_asset_is_served_with_its_type(api, asset):
    answer = api.get(f"/static/{asset.relative_to(STATIC).as_posix()}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(TYPES[asset.suffix])
    assert answer.content == asset.read_bytes()
    assert answer.headers["cache-control"] == "no-cache"


def test_assets_load_nothing_from_elsewhere():
    # An absolute or protocol-relative URL anywhere in the page's code would be a fetch from outside the server
    # (the SVG namespace is a name, not a fetch).
    for asset in ASSETS:
        text = asset.read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert not re.search(r"https?://|(?<![:\w/])//[a-z0-9.-]+\.[a-z]{2,}/", text, re.IGNORECASE), asset
        if asset.suffix == ".css":
            assert not re.search(r"@import|url\(\s*['\"]?(?!data:)", text), asset


def test_module_imports_name_existing_files():
    for script in STATIC.rglob("*.js"):
        for target in re.findall(r"""from\s+["'](\.[^"']+)["']""", script.read_text(encoding="utf-8")):
            assert (script.parent / target).resolve().is_file(), f"{script.name} imports missing {target}"


def test_package_data_ships_every_asset():
    """pyproject's package-data globs (what regular and editable installs copy) cover every file the page needs."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "tracekit.server.ui"]
    package = STATIC.parent
    for asset in ASSETS:
        relative = asset.relative_to(package).as_posix()
        # setuptools globs: "*" stays within one folder.
        assert any(fnmatch.fnmatch(relative, pattern) and relative.count("/") == pattern.count("/")
                   for pattern in patterns), f"{relative} is not in package-data"


# --- authentication -------------------------------------------------------------------------------------------------
def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_basic_auth_challenges_the_page_so_the_browser_asks(make_client, tmp_path):
    users = tmp_path / "users"
    users.write_text("alice:s3cret\n")
    client = make_client(auth="basic", users_file=str(users))
    for path in ("/", "/experiments/0/traces", "/static/js/main.js"):
        answer = client.get(path)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == 'Basic realm="tracekit"'
        assert client.get(path, headers=basic("alice", "s3cret")).status_code == 200


def test_bearer_auth_serves_the_page_but_no_data_without_the_token(make_client, server_db, tmp_path):
    SqlTraceStore(server_db).write_traces([build_trace()])
    tokens = tmp_path / "tokens"
    tokens.write_text("tok-1\n")
    client = make_client(auth="bearer", tokens_file=str(tokens))
    for path in ("/", "/traces/tr-" + "a" * 32, "/static/js/api.js", "/static/app.css"):
        assert client.get(path).status_code == 200
    assert client.post("/api/v1/traces/search", json={}).status_code == 401
    assert client.get("/api/v1/experiments/0").status_code == 401
    assert client.post("/", json={}).status_code == 401  # only reading the page is open
    search = client.post("/api/v1/traces/search", json={}, headers={"Authorization": "Bearer tok-1"})
    assert search.status_code == 200 and len(search.json()["traces"]) == 1


# --- what the page reads --------------------------------------------------------------------------------------------
def test_search_without_spans_names_each_root_span(api, server_db):
    traces = [build_trace(name="answer"), build_trace(name="classify")]
    SqlTraceStore(server_db).write_traces(traces)
    page = api.post("/api/v1/traces/search", json={"include_spans": False}).json()
    assert all(not trace["data"]["spans"] for trace in page["traces"])
    assert page["root_span_names"] == {traces[0].info.trace_id: "answer", traces[1].info.trace_id: "classify"}
    with_spans = api.post("/api/v1/traces/search", json={}).json()
    assert "root_span_names" not in with_spans


def test_head_of_the_page_answers_like_get(api):
    head = api.head("/")
    assert head.status_code == 200
    assert head.headers["Content-Security-Policy"] == api.get("/").headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_cdn_loading_api_docs_are_off(api, path):
    assert api.get(path).status_code == 404
    assert api.get("/openapi.json").status_code == 200
