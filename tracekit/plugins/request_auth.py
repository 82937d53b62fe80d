"""Request auth providers: how requests to a tracking server authenticate, chosen by name with
`TRACEKIT_TRACKING_AUTH=<name>` (or `MLFLOW_TRACKING_AUTH`) among the plugins in the entry-point group
`tracekit.request_auth_provider`."""

from __future__ import annotations

import abc
from collections.abc import Callable, Generator
from typing import Any

import httpx

from tracekit import config
from tracekit.exceptions import TracekitException
from tracekit.plugins.loading import (
    check_contract,
    contract_text,
    duplicate_name_error,
    group_entry_points,
    load_all,
    report_failure_once,
)

REQUEST_AUTH_PROVIDER_GROUP = "tracekit.request_auth_provider"


class RequestAuthProvider(abc.ABC):
    """A named way to authenticate requests to a tracking server.

    >>> class VaultAuth(RequestAuthProvider):
    ...     def get_name(self):
    ...         return "vault"
    ...     def get_auth(self):
    ...         return httpx.BasicAuth("svc", read_secret())
    """

    @abc.abstractmethod
    def get_name(self) -> str:
        """The name users select this provider by (`TRACEKIT_TRACKING_AUTH=<name>`)."""

    @abc.abstractmethod
    def get_auth(self) -> httpx.Auth | Callable[[httpx.Request], Any]:
        """An `httpx.Auth`, or a callable given each outgoing `httpx.Request` to set its headers on."""


class _CallableAuth(httpx.Auth):
    """Runs a provider's callable on each request."""

    def __init__(self, set_headers: Callable[[httpx.Request], Any]) -> None:
        self._set_headers = set_headers

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        returned = self._set_headers(request)
        yield returned if isinstance(returned, httpx.Request) else request


def _providers_by_name() -> dict[str, tuple[RequestAuthProvider, str]]:
    found: dict[str, tuple[RequestAuthProvider, str]] = {}
    entry_points = {(ep.name, ep.value): ep for ep in group_entry_points(REQUEST_AUTH_PROVIDER_GROUP)}
    for plugin in load_all(REQUEST_AUTH_PROVIDER_GROUP):
        try:
            if not (isinstance(plugin.obj, type) and issubclass(plugin.obj, RequestAuthProvider)):
                raise TypeError(f"{plugin.value} is not a subclass of {contract_text(RequestAuthProvider)}")
            check_contract(f"The {REQUEST_AUTH_PROVIDER_GROUP} plugin {plugin.name!r} ({plugin.value}, from "
                           f"{plugin.distribution})", plugin.obj, RequestAuthProvider)
            provider = plugin.obj()
            name = str(provider.get_name())
        except Exception as error:  # noqa: BLE001 - a broken provider never hides the others
            entry_point = entry_points[(plugin.name, plugin.value)]
            report_failure_once(REQUEST_AUTH_PROVIDER_GROUP, entry_point, error)
            continue
        if name in found:
            other, other_dist = found[name]
            raise duplicate_name_error(REQUEST_AUTH_PROVIDER_GROUP, name, [
                (other_dist, f"{type(other).__module__}:{type(other).__qualname__}"),
                (plugin.distribution, plugin.value)])
        found[name] = (provider, plugin.distribution)
    return found


def auth_from_environment() -> httpx.Auth | None:
    """The auth of the provider named by TRACEKIT_TRACKING_AUTH (None when unset); TracekitException naming the
    installed providers when no provider has that name."""
    name = config.TRACKING_AUTH.get()
    if not name:
        return None
    providers = _providers_by_name()
    if name not in providers:
        installed = ", ".join(sorted(providers)) or "none"
        raise TracekitException.invalid_parameter_value(
            f"{config.TRACKING_AUTH.name}={name!r} names no installed request auth provider. Installed: {installed} "
            f"(plugins in the entry-point group {REQUEST_AUTH_PROVIDER_GROUP!r}). Install the provider's package or "
            f"unset the variable.")
    auth = providers[name][0].get_auth()
    if isinstance(auth, httpx.Auth):
        return auth
    if callable(auth):
        return _CallableAuth(auth)
    raise TracekitException.invalid_parameter_value(
        f"The request auth provider {name!r} returned {type(auth).__name__} from get_auth(): expected an httpx.Auth "
        f"or a callable taking the httpx.Request.")
