"""Routes of the trace explorer: the page at `/` and at each of its own paths (`/experiments/...`,
`/traces/...`, `/runs/...`, `/models/...`, `/registered-models/...`, `/compare`, `/sessions/...`, so links can be
shared), and its assets under `/static`."""

from __future__ import annotations

import functools
import html
from importlib import resources

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

PACKAGE = "tracekit.server.ui"
STATIC_PATH = "/static"
#: First path segments the page routes itself (its hash routes may be given as paths too).
PAGE_ROUTES = ("experiments", "traces", "runs", "models", "registered-models", "compare", "sessions")
_BASE_PLACEHOLDER = "%BASE_HREF%"

# Everything the page loads comes from this server; the API is its only connection. Images may also be blob: URLs,
# which the artifact previews build from the bytes they fetched (with the tab's token).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                           "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                           "frame-ancestors 'none'")
_SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff",
                     "Referrer-Policy": "no-referrer"}
# Module scripts are refused by browsers unless served with a JavaScript type, whatever the OS's mime table says.
_CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                  ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}

router = APIRouter(include_in_schema=False)


def is_page_request(method: str, path: str) -> bool:
    """Whether a request asks for the explorer's page or assets (which hold no data): GET or HEAD of `/`,
    `/static/...` or a page route. Under bearer auth these are served without a token, so the page can ask
    for one."""
    if method not in ("GET", "HEAD"):
        return False
    if path == "/" or path.startswith(STATIC_PATH + "/"):
        return True
    return path.lstrip("/").split("/", 1)[0] in PAGE_ROUTES


@functools.lru_cache(maxsize=1)
def _page_template() -> str:
    return (resources.files(PACKAGE) / "static" / "index.html").read_text(encoding="utf-8")


def _page(request: Request) -> HTMLResponse:
    # <base> makes the page's relative URLs (assets, API) work at any route and behind a path prefix.
    base = html.escape(request.scope.get("root_path", "").rstrip("/") + "/", quote=True)
    return HTMLResponse(_page_template().replace(_BASE_PLACEHOLDER, base),
                        headers={"Cache-Control": "no-cache", **_SECURITY_HEADERS})


@router.api_route("/", methods=["GET", "HEAD"])
def explorer_page(request: Request) -> HTMLResponse:
    """The trace explorer."""
    return _page(request)


for _route in PAGE_ROUTES:
    router.add_api_route(f"/{_route}", _page, methods=["GET"])
    router.add_api_route(f"/{_route}/{{rest:path}}", _page, methods=["GET"])


class _Assets(StaticFiles):
    """Static files with explicit content types, revalidated on each load (an upgraded server serves new code)."""

    def file_response(self, full_path, stat_result, scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        content_type = _CONTENT_TYPES.get("." + str(full_path).rsplit(".", 1)[-1])
        if content_type and status_code == 200:
            response.headers["Content-Type"] = content_type
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def install_ui(app: FastAPI) -> None:
    """Serve the trace explorer from `app`: the page routes and `/static`."""
    app.include_router(router)
    app.mount(STATIC_PATH, _Assets(packages=[(PACKAGE, "static")]), name="ui-static")
