"""Server app plugins: `tracekit server --app-name <name>` serves what the entry point `<name>` of the group
`tracekit.app` returns when given the built-in app.

Contract: the entry point's value is a callable taking the built-in tracking server app (a FastAPI app, with its
routes, middleware and lifespan) and returning the ASGI app to serve: the same app extended (routes, middleware
added) or a new ASGI app wrapping it (custom auth in front of it). Every worker process calls it once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracekit.exceptions import TracekitException
from tracekit.plugins.loading import installed_names, load_named

APP_PLUGIN_GROUP = "tracekit.app"

AppFactory = Callable[[Any], Any]


def load_app_factory(name: str) -> AppFactory:
    """The factory of the server app plugin `name`; TracekitException listing the installed app names when no
    plugin has that name, or naming the distribution when it fails to load or is not callable."""
    factory = load_named(APP_PLUGIN_GROUP, name)
    if factory is None:
        installed = ", ".join(installed_names(APP_PLUGIN_GROUP)) or "none"
        raise TracekitException.invalid_parameter_value(
            f"--app-name {name!r} names no installed server app. Installed: {installed} (plugins in the entry-point "
            f"group {APP_PLUGIN_GROUP!r}). Install the app's package, or leave out --app-name for the built-in app.")
    if not callable(factory):
        raise TracekitException.invalid_parameter_value(
            f"The {APP_PLUGIN_GROUP} plugin {name!r} is a {type(factory).__name__}, not a callable taking the "
            f"built-in app and returning the ASGI app to serve.")
    loaded: AppFactory = factory
    return loaded


def plugin_app(name: str, built_in: Any) -> Any:
    """The ASGI app the server app plugin `name` makes of `built_in`; TracekitException if it returns something
    that is not an ASGI app (not callable)."""
    app = load_app_factory(name)(built_in)
    if not callable(app):
        raise TracekitException.invalid_parameter_value(
            f"The {APP_PLUGIN_GROUP} plugin {name!r} returned {type(app).__name__}, not an ASGI app.")
    return app
