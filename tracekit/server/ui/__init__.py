"""The trace explorer: a web UI for browsing and searching traces, served by the tracking server at `/`.

It is a single page written as plain ES modules and CSS (`static/`, shipped as package data, no build step), so
it works offline: every asset comes from this server, nothing from a CDN. It reads through the REST API under
`/api/v1` (traces, experiments, runs, logged models) with the browser's own credentials (HTTP Basic: the
browser's prompt) or a bearer token the page asks for and keeps for the tab's session.
"""

from tracekit.server.ui.routes import PAGE_ROUTES, install_ui, is_page_request

__all__ = ["PAGE_ROUTES", "install_ui", "is_page_request"]
