"""`tracekit.autolog()`: switch on the autolog integration of every supported library that is installed.

The module is not named `autolog`: a submodule of that name would replace the function `tracekit.autolog` as soon
as anything imported it. The integrations are imported only when `autolog()` runs, so core never depends on them.
"""

from __future__ import annotations

import importlib
import logging

logger = logging.getLogger(__name__)

# integration module (under tracekit.integrations) -> (module it patches, distribution that provides it)
_INTEGRATIONS = {
    "openai": ("openai", "openai"),
    "anthropic": ("anthropic", "anthropic"),
    "langchain": ("langchain_core", "langchain-core"),
}


def autolog(disable: bool = False) -> list[str]:
    """Turn on tracing of every installed library tracekit integrates with (OpenAI, Anthropic, LangChain), or
    turn all of them off with `disable=True`. Libraries that are not installed are skipped quietly; call an
    integration's own `autolog()` (for example `tracekit.integrations.openai.autolog()`) to be warned instead.
    Returns the names of the integrations that are on afterwards.

    >>> tracekit.autolog()
    ['openai', 'langchain']
    """
    from tracekit.integrations._patching import is_installed

    enabled = []
    for name, (module, distribution) in _INTEGRATIONS.items():
        if not is_installed(module, distribution):
            continue
        integration = importlib.import_module(f"tracekit.integrations.{name}")
        integration.autolog(disable=disable)
        if integration.is_enabled():
            enabled.append(name)
    return enabled
