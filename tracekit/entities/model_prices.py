"""What LLM tokens cost: a default price table (US dollars per 1M tokens, as the providers listed them on
`PRICES_AS_OF`) that users extend or override with `tracekit.tracing.set_model_prices({...})` or a JSON file named
by `TRACEKIT_MODEL_PRICES`.

A model name matches its own entry, else the longest entry it starts with followed by `-` or `:`
(`gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`; a provider prefix such as `openai/` is dropped first).
Costs are computed when a trace completes, from the table of the process that completes it, and stored with the
trace (`TraceMetadataKey.COST`), so listing traces costs nothing extra and a later price change leaves stored costs
as they were.

>>> tracekit.tracing.set_model_prices({"my-finetune": {"input": 0.5, "output": 1.5}})
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from tracekit import config
from tracekit.exceptions import TracekitException

logger = logging.getLogger(__name__)

PRICES_AS_OF = "2025-06-01"


class ModelPrice(NamedTuple):
    """US dollars per 1M input (prompt) and output (completion) tokens."""

    input: float
    output: float


DEFAULT_PRICES: dict[str, ModelPrice] = {
    "gpt-4o": ModelPrice(2.50, 10.00),
    "gpt-4o-mini": ModelPrice(0.15, 0.60),
    "gpt-4.1": ModelPrice(2.00, 8.00),
    "gpt-4.1-mini": ModelPrice(0.40, 1.60),
    "gpt-4.1-nano": ModelPrice(0.10, 0.40),
    "gpt-4-turbo": ModelPrice(10.00, 30.00),
    "gpt-3.5-turbo": ModelPrice(0.50, 1.50),
    "o1": ModelPrice(15.00, 60.00),
    "o3": ModelPrice(2.00, 8.00),
    "o3-mini": ModelPrice(1.10, 4.40),
    "o4-mini": ModelPrice(1.10, 4.40),
    "text-embedding-3-small": ModelPrice(0.02, 0.0),
    "text-embedding-3-large": ModelPrice(0.13, 0.0),
    "claude-opus-4": ModelPrice(15.00, 75.00),
    "claude-sonnet-4": ModelPrice(3.00, 15.00),
    "claude-3-7-sonnet": ModelPrice(3.00, 15.00),
    "claude-3-5-sonnet": ModelPrice(3.00, 15.00),
    "claude-3-5-haiku": ModelPrice(0.80, 4.00),
    "claude-3-haiku": ModelPrice(0.25, 1.25),
    "gemini-2.5-pro": ModelPrice(1.25, 10.00),
    "gemini-2.5-flash": ModelPrice(0.30, 2.50),
    "gemini-2.0-flash": ModelPrice(0.10, 0.40),
    "gemini-1.5-flash": ModelPrice(0.075, 0.30),
    "gemini-1.5-pro": ModelPrice(1.25, 5.00),
}

_lock = threading.Lock()
_user_prices: dict[str, ModelPrice] = {}
_file_prices: tuple[str, dict[str, ModelPrice]] | None = None  # (path, prices) of the file last read
_merged: tuple[str, dict[str, ModelPrice]] | None = None  # (file path, table) in force; reset when prices change


def parse_prices(prices: Mapping[str, Any], where: str = "set_model_prices") -> dict[str, ModelPrice]:
    """`{"model": {"input": dollars_per_1M, "output": dollars_per_1M}}` (or `[input, output]`) checked and
    converted; a TracekitException names the entry that is wrong."""
    if not isinstance(prices, Mapping):
        raise TracekitException.invalid_parameter_value(
            f"{where}: expected a mapping of model name to prices, got {type(prices).__name__}.")
    parsed: dict[str, ModelPrice] = {}
    for name, price in prices.items():
        if not isinstance(name, str) or not name.strip():
            raise TracekitException.invalid_parameter_value(f"{where}: model names must be non-empty strings, "
                                                            f"got {name!r}.")
        if isinstance(price, Mapping):
            values = (price.get("input"), price.get("output", 0.0))
        elif isinstance(price, (list, tuple)) and len(price) == 2:
            values = (price[0], price[1])
        else:
            raise TracekitException.invalid_parameter_value(
                f"{where}: the price of {name!r} must be {{'input': ..., 'output': ...}} in dollars per 1M tokens, "
                f"got {price!r}.")
        if not all(isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
                   for value in values):
            raise TracekitException.invalid_parameter_value(
                f"{where}: the price of {name!r} must be two non-negative numbers (dollars per 1M input and output "
                f"tokens), got {price!r}.")
        parsed[name.strip().lower()] = ModelPrice(float(values[0]), float(values[1]))  # type: ignore[arg-type]
    return parsed


def set_model_prices(prices: Mapping[str, Any] | None) -> None:
    """Add or replace model prices (US dollars per 1M tokens) for traces completed from now on in this process:
    `{"gpt-4o": {"input": 2.5, "output": 10.0}}`; None forgets the prices set this way. These win over the file
    named by `TRACEKIT_MODEL_PRICES`, which wins over the default table."""
    global _merged
    parsed = parse_prices(prices) if prices is not None else None
    with _lock:
        _merged = None
        if parsed is None:
            _user_prices.clear()
        else:
            _user_prices.update(parsed)


def _prices_from_file() -> dict[str, ModelPrice]:
    global _file_prices
    path = config.MODEL_PRICES.get()
    if not path:
        return {}
    with _lock:
        if _file_prices is not None and _file_prices[0] == path:
            return _file_prices[1]
    try:
        loaded = parse_prices(json.loads(Path(path).read_text(encoding="utf-8")), where=f"TRACEKIT_MODEL_PRICES "
                                                                                        f"({path})")
    except (OSError, ValueError, TracekitException) as error:
        logger.warning("Ignoring the model prices in %s: %s", path, error)
        loaded = {}
    with _lock:
        _file_prices = (path, loaded)
    return loaded


def model_prices() -> dict[str, ModelPrice]:
    """The prices in force: the defaults, then the TRACEKIT_MODEL_PRICES file's, then those set in code (merged
    once, then reused until either changes; treat the answer as read-only)."""
    global _merged
    path = config.MODEL_PRICES.get()
    current = _merged
    if current is not None and current[0] == path:
        return current[1]
    merged = dict(DEFAULT_PRICES)
    merged.update(_prices_from_file())
    with _lock:
        merged.update(_user_prices)
        _merged = (path, merged)
    return merged


def price_of(model: str, prices: Mapping[str, ModelPrice] | None = None) -> ModelPrice | None:
    """The price of `model` (exact name, else the longest listed name it extends), or None when unknown."""
    table = model_prices() if prices is None else prices
    name = model.strip().lower()
    if name in table:
        return table[name]
    if "/" in name:
        name = name.rsplit("/", 1)[1]
        if name in table:
            return table[name]
    best = None
    for listed in table:
        if name.startswith(listed) and name[len(listed):len(listed) + 1] in ("-", ":", "@") and (
                best is None or len(listed) > len(best)):
            best = listed
    return None if best is None else table[best]


def cost_of(price: ModelPrice, input_tokens: int, output_tokens: int) -> float:
    """US dollars for that many tokens at `price`."""
    return (input_tokens * price.input + output_tokens * price.output) / 1_000_000
