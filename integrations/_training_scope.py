"""The one flag the training autologs (scikit-learn, XGBoost, LightGBM) share: set while one of them handles a call,
so the calls it makes (a Pipeline's inner fits, an XGBClassifier inside a GridSearchCV, the metrics autolog computes)
pass through unlogged. Only the outermost training call logs a run. Also `quiet`, what `silent=True` means while they
log."""

from __future__ import annotations

import contextvars

from tracekit.integrations._training_runs import quiet_while_logging as quiet

__all__ = ["inside_training_call", "quiet"]

inside_training_call: contextvars.ContextVar[bool] = contextvars.ContextVar("tracekit_inside_training_autolog",
                                                                            default=False)
