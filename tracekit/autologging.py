"""`tracekit.autolog()` and the per-library entry points (`tracekit.openai.autolog()`, ...): switch on the autolog
integrations of the supported libraries.

The module is not named `autolog`: a submodule of that name would replace the function `tracekit.autolog` as soon
as anything imported it. The integrations are imported only when an `autolog()` runs, so core never depends on them;
`tracekit.autolog()` leaves the libraries themselves to the program's own imports (see `tracekit.autolog_hooks`).
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tracekit import autolog_hooks
from tracekit.exceptions import TracekitException

# integration module (under tracekit.integrations) -> (module it patches, distribution that provides it)
_INTEGRATIONS = {
    "openai": ("openai", "openai"),
    "anthropic": ("anthropic", "anthropic"),
    "langchain": ("langchain_core", "langchain-core"),
    "litellm": ("litellm", "litellm"),
    "llama_index": ("llama_index.core", "llama-index-core"),
    "mistral": ("mistralai", "mistralai"),
    "gemini": ("google.genai", "google-genai"),
    "bedrock": ("botocore", "boto3"),
    "dspy": ("dspy", "dspy"),
    "openai_agents": ("agents", "openai-agents"),
    "sklearn": ("sklearn", "scikit-learn"),
    "xgboost": ("xgboost", "xgboost"),
    "lightgbm": ("lightgbm", "lightgbm"),
    # PyTorch Lightning; the integration itself stays quiet when torch is installed without Lightning
    "pytorch": ("torch", "torch"),
}
# (module, distribution) whose import switches on a deferred integration, where not the entry above: Lightning
# (importing torch alone must not import Lightning, which also imports torch itself) and botocore (the module the
# Bedrock integration patches, with its own version)
_IMPORT_TRIGGERS = {"pytorch": (("lightning.pytorch", "lightning"), ("pytorch_lightning", "pytorch-lightning")),
                    "bedrock": (("botocore", "botocore"),)}
# integrations that log training runs (params, metrics, models) rather than traces
_TRAINING_INTEGRATIONS = frozenset({"sklearn", "xgboost", "lightgbm", "pytorch"})


def autolog(log_input_examples: bool = False, log_model_signatures: bool = True, log_models: bool = True,
            log_datasets: bool = True, log_traces: bool = True, disable: bool = False, exclusive: bool = False,
            disable_for_unsupported_versions: bool = False, silent: bool = False,
            extra_tags: Mapping[str, Any] | None = None,
            exclude_flavors: Iterable[str] | None = None) -> list[str]:
    """Turn on every installed library tracekit integrates with (tracing of OpenAI, Anthropic, LangChain, LiteLLM,
    LlamaIndex, Mistral, Google GenAI, AWS Bedrock, DSPy, the OpenAI Agents SDK; training runs of scikit-learn,
    XGBoost, LightGBM and PyTorch Lightning), or turn all of them off with `disable=True`. Libraries that are not
    installed are skipped quietly; call a library's own entry point (for example `tracekit.openai.autolog()`) to be
    warned instead. Returns the names of the integrations that are on afterwards, including those waiting for their
    library to be imported.

    The call imports none of the libraries: one the program has already imported is patched at once, one installed
    but not imported yet is patched when (if ever) the program imports it, by a post-import hook, with the options
    of the latest `tracekit.autolog()` call. Its version is checked now, from the package metadata (a version older
    than supported warns and stays off); a failure while patching on import is logged and counted
    (`tracekit.tracing.safety.internal_error_counts`) and never breaks the import. `disable=True` also cancels
    the patching of libraries not imported yet, and so does a later call of the library's own `autolog(...)`,
    which (unlike this) imports its library and patches it at once.

    - `log_traces=False`: the integrations are turned off (nothing is patched), so their calls make no traces.
    - `exclude_flavors`: integration names (`"openai"`, `"anthropic"`, `"langchain"`, `"litellm"`, `"llama_index"`,
      `"mistral"`, `"gemini"`, `"bedrock"`, `"dspy"`, `"openai_agents"`, `"sklearn"`, `"xgboost"`, `"lightgbm"`,
      `"pytorch"`) left as they are.
    - `log_input_examples`, `log_model_signatures`, `log_models`, `log_datasets`, `exclusive`,
      `disable_for_unsupported_versions`: passed to the scikit-learn, XGBoost, LightGBM and PyTorch Lightning
      autologs (see `tracekit.sklearn.autolog`, ...; each takes those it has), unless you configured one yourself
      with its own `autolog(...)`, whose options take precedence.
    - `silent=True`: tracekit logs nothing and library warnings are ignored while the integrations are set up.
    - `extra_tags`: tags added to every trace that an autologged call starts (not to a trace it joins, such as
      one opened by your own `@tracekit.trace` function).
    - For the tracing integrations `exclusive` changes nothing (their traces are linked to the active run exactly
      as traces of `@tracekit.trace` functions are), and an integration always stays off (with a warning) for a
      library version older than it supports, while newer versions are always tried.

    >>> tracekit.autolog(exclude_flavors=["langchain"], extra_tags={"team": "search"})
    ['openai', 'anthropic', 'sklearn', 'xgboost']
    """
    from tracekit.integrations._patching import check_extra_tags, is_installed

    excluded = _checked_flavors(exclude_flavors)
    check_extra_tags(extra_tags)  # now: a deferred integration would only find out when its library is imported
    options: dict[str, Any] = {"disable": disable, "silent": silent, "log_traces": log_traces,
                               "extra_tags": extra_tags}
    training_options = dict(options, log_input_examples=log_input_examples,
                            log_model_signatures=log_model_signatures, log_models=log_models,
                            log_datasets=log_datasets, exclusive=exclusive,
                            disable_for_unsupported_versions=disable_for_unsupported_versions)
    enabled = []
    for name, (module, distribution) in _INTEGRATIONS.items():
        if name in excluded or not is_installed(module, distribution):
            continue
        training = name in _TRAINING_INTEGRATIONS
        turning_off = disable or (not log_traces and not training)  # training runs do not depend on log_traces
        switch = functools.partial(_switch, name, training_options if training else options)
        triggers = _import_triggers(name)
        if not any(module in sys.modules for module, _ in triggers):
            # not imported yet: patch it when (if ever) the program imports it, rather than import it now
            if turning_off:
                autolog_hooks.cancel(name)
            elif triggers:
                if _version_supported(name, triggers, silent):
                    autolog_hooks.defer(name, [module for module, _ in triggers], switch)
                    enabled.append(name)
                continue
            if f"tracekit.integrations.{name}" not in sys.modules:
                continue  # never switched on: nothing to remove
        autolog_hooks.cancel(name)
        if switch():
            enabled.append(name)
    return enabled


def _switch(name: str, options: Mapping[str, Any]) -> bool:
    """Run integration `name`'s autolog with `tracekit.autolog()`'s options; returns whether it is on afterwards."""
    integration = importlib.import_module(f"tracekit.integrations.{name}")
    if name in _TRAINING_INTEGRATIONS:
        integration.autolog_from_global(**options)
    else:
        integration.autolog(**options)
    return bool(integration.is_enabled())


def _import_triggers(name: str) -> list[tuple[str, str]]:
    """The installed modules whose import switches integration `name` on, with their distributions."""
    from tracekit.integrations._patching import is_installed

    if name not in _IMPORT_TRIGGERS:
        return [_INTEGRATIONS[name]]
    return [(module, distribution) for module, distribution in _IMPORT_TRIGGERS[name]
            if is_installed(module, distribution)]


def _version_supported(name: str, triggers: list[tuple[str, str]], silent: bool) -> bool:
    """Whether an installed library of integration `name` is recent enough (warning, unless `silent`, if not),
    checked from package metadata now rather than when the library is imported."""
    from tracekit.integrations._patching import version_supported

    minimum = importlib.import_module(f"tracekit.integrations.{name}").MINIMUM_VERSION
    if any(version_supported(name, distribution, minimum, True) for _, distribution in triggers):
        return True
    return version_supported(name, triggers[0][1], minimum, silent)  # warns once (Lightning has two packages)


def cancel_pending(name: str) -> None:
    """Forget a `tracekit.autolog()` waiting for integration `name`'s library to be imported: the library's own
    `autolog(...)` (which calls this) is the later call, so it decides."""
    autolog_hooks.cancel(name)


def integration_attributes(name: str) -> Callable[[str], Any]:
    """A module `__getattr__` for a library's entry point (`tracekit.sklearn`, ...) whose `autolog` is integration
    `name`'s own function: imported on first use, since core imports integrations lazily."""
    def attribute(attribute_name: str) -> Any:
        if attribute_name == "autolog":
            return importlib.import_module(f"tracekit.integrations.{name}").autolog
        raise AttributeError(f"module 'tracekit.{name}' has no attribute {attribute_name!r}")

    return attribute


def autolog_integration(name: str, disable: bool, silent: bool, log_traces: bool,
                        extra_tags: Mapping[str, Any] | None) -> None:
    """One library's entry point (`tracekit.openai.autolog()` and its siblings): its integration's `autolog()`."""
    cancel_pending(name)
    integration = importlib.import_module(f"tracekit.integrations.{name}")
    integration.autolog(disable=disable, silent=silent, log_traces=log_traces, extra_tags=extra_tags)


def _checked_flavors(exclude_flavors: Iterable[str] | None) -> set[str]:
    if exclude_flavors is None:
        return set()
    if isinstance(exclude_flavors, str):
        exclude_flavors = [exclude_flavors]
    names = set(exclude_flavors)
    unknown = sorted(str(name) for name in names - _INTEGRATIONS.keys())
    if unknown:
        raise TracekitException.invalid_parameter_value(
            f"exclude_flavors names unknown integrations {unknown}; the integrations are "
            f"{sorted(_INTEGRATIONS)}.")
    return names
