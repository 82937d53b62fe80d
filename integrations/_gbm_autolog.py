"""What XGBoost and LightGBM autolog share: the options, the run around a training call, the per-iteration metric
callback's batching, and the logging steps after training. `xgboost.py` and `lightgbm.py` subclass `GbmAutolog`
with what differs per library (argument names, the callback's form, feature importance, the flavor).

Two entry points are patched per library: its `train` function and the `fit` of its scikit-learn-API estimators
(which calls `train`). The outermost one logs: a `fit` logs the estimator's params, the dataset and the estimator as
the model, and its inner `train` adds only the per-iteration metrics, early-stopping results and feature
importance; a `train` called directly logs all of it with the Booster as the model. Inside another training
autolog's call (an XGBClassifier in a scikit-learn Pipeline or GridSearchCV) both pass through: the outer one logs.
The library's `cv` is patched too (by the same outermost-call rule): it logs its params and, from the history it
returns, each metric's mean and standard deviation over the folds per round as `<set>-<metric>-mean` /
`<set>-<metric>-std` at step = round; no model, since cross-validation trains one per fold.

Every logging step runs on its own: a failure is reported once (`report_internal_error`), counted, and training
goes on and returns the real model.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tracekit.entities import Metric
from tracekit.integrations._patching import Library, PatchSet, PatchTarget, autolog_setup
from tracekit.integrations._sklearn_logging import log_params_in_batches
from tracekit.integrations._training_runs import EstimatorSettings, apply_patches, logging_step, training_run
from tracekit.integrations._training_scope import inside_training_call, quiet
from tracekit.store.column_limits import PARAM_VALUE_LENGTH
from tracekit.tracing.safety import report_internal_error
from tracekit.validation import check_key, metric_value, now_ms

#: Buffered per-iteration metric points are written at least this often (seconds) ...
FLUSH_SECONDS = 2.0
#: ... or when this many are waiting; the rest when training ends.
FLUSH_POINTS = 1000


@dataclass
class Settings(EstimatorSettings):
    """The options the library's `autolog()` was called with."""

    importance_types: tuple[str, ...] = ()
    model_format: str | None = None


class MetricBatcher:
    """Per-iteration metric points of one run, written together (one `log_batch` per FLUSH_SECONDS or
    FLUSH_POINTS): a write per iteration would cost more than a boosting round on small data."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self._points: list[Metric] = []
        self._last_flush = time.monotonic()

    def add(self, metrics: Mapping[str, float], step: int) -> None:
        """Buffer `metrics` at `step` (timestamped now); writes when the buffer is due."""
        now = now_ms()
        self._points.extend(Metric(key=check_key(key, "metric"), value=metric_value(key, value), timestamp=now,
                                   step=int(step)) for key, value in metrics.items())
        if len(self._points) >= FLUSH_POINTS or time.monotonic() - self._last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered."""
        from tracekit.store.backend import get_backend

        points, self._points = self._points, []
        self._last_flush = time.monotonic()
        if points:
            get_backend().tracking.log_batch(self.run_id, metrics=points)


@dataclass
class Session:
    """One autologged training call: its run and (for a `fit`) whether its inner `train` has been seen."""

    run_id: str
    from_estimator: bool
    batcher: MetricBatcher
    train_seen: bool = False
    callback_failed: bool = False
    #: the last iteration the metric callback saw (None before the first)
    last_iteration: int | None = None


class GbmAutolog:
    """The autolog of one gradient-boosting library; subclasses fill in the library-specific hooks."""

    #: integration name, also the flavor name
    name = ""
    #: newest minor version tested (`disable_for_unsupported_versions=True` stays off for newer ones)
    newest_tested: tuple[int, ...] = ()
    #: `cv` arguments logged as params when given (beside its `params`, `num_boost_round` and `nfold`)
    cv_options: tuple[str, ...] = ()

    def __init__(self, library: Library) -> None:
        self.library = library
        self.patches = PatchSet(library.integration, needs_tracing=False)
        self.settings = Settings()
        self.configured_explicitly = False
        #: "train" and "cv" -> the library function's signature, read when the patches are made
        self.signatures: dict[str, inspect.Signature] = {}
        self._session: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
            f"tracekit_{library.integration}_session", default=None)

    # -- library hooks ---------------------------------------------------------------------------------------------

    def train_targets(self, wrapper: Callable[..., Any]) -> list[PatchTarget]:
        """The library's `train` functions (every module-level name the library calls it by); records `train`'s
        signature in `signatures["train"]`."""
        raise NotImplementedError

    def estimator_classes(self) -> list[type]:
        """The scikit-learn-API estimator classes whose `fit` is patched."""
        raise NotImplementedError

    def add_callback(self, arguments: dict[str, Any], session: Session) -> dict[str, Any]:
        """The arguments with autolog's metric callback added to a new callbacks list (the user's is kept)."""
        raise NotImplementedError

    def train_params(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The params a direct `train` call logs."""
        raise NotImplementedError

    def train_data(self, arguments: dict[str, Any]) -> tuple[Any, Any]:
        """(features, labels) of the training set as numpy or pandas, or (None, None) if they cannot be had
        cheaply; read before training (LightGBM frees the raw data when it builds its Dataset)."""
        raise NotImplementedError

    def early_stopping_metrics(self, booster: Any, session: Session) -> dict[str, float]:
        """`best_iteration`, `stopped_iteration` and the best score(s) when early stopping was on, else {}."""
        raise NotImplementedError

    def feature_importance(self, booster: Any) -> dict[str, dict[str, float]]:
        """importance type -> {feature name: importance}."""
        raise NotImplementedError

    def cv_targets(self, wrapper: Callable[..., Any]) -> list[PatchTarget]:
        """The library's `cv` functions (every module-level name it is called by); records `cv`'s signature in
        `signatures["cv"]`."""
        raise NotImplementedError

    def cv_history(self, result: Any) -> dict[str, list[float]]:
        """`cv`'s result as metric key (`<set>-<metric>-mean` / `-std`) -> its value per round."""
        raise NotImplementedError

    def flavor(self) -> Any:
        """The flavor module (`save_model`/`log_model`) and the predictor class for signatures."""
        raise NotImplementedError

    def predictions(self, model: Any, example: Any) -> Any:
        """The model's predictions on the input example (for the signature)."""
        raise NotImplementedError

    # -- the library functions' arguments ------------------------------------------------------------------------

    def bound(self, function: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any] | None:
        """The arguments of a call of `function` ("train" or "cv") by name, defaults not filled in; None if they do
        not bind (the library will refuse them itself and say so)."""
        signature = self.signatures.get(function)
        if signature is None:
            return None
        try:
            return dict(signature.bind_partial(*args, **kwargs).arguments)
        except TypeError:
            return None

    def default(self, function: str, parameter: str) -> Any:
        """The default of `function`'s `parameter` (None if it has none)."""
        signature = self.signatures.get(function)
        found = signature.parameters.get(parameter) if signature is not None else None
        return None if found is None or found.default is inspect.Parameter.empty else found.default

    def cv_params(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The params a `cv` call logs: its `params`, `num_boost_round`, `nfold` and the `cv_options` given."""
        params = arguments.get("params") or {}
        logged = dict(params.items() if isinstance(params, Mapping) else params)
        for name in ("num_boost_round", "nfold"):
            logged[name] = arguments.get(name, self.default("cv", name))
        logged.update({name: arguments[name] for name in self.cv_options if arguments.get(name) is not None})
        return logged

    # -- switching on and off ----------------------------------------------------------------------------------------

    def autolog(self, explicit: bool, *, disable: bool = False, silent: bool = False,
                disable_for_unsupported_versions: bool = False, extra_tags: Mapping[str, Any] | None = None,
                **options: Any) -> None:
        """Check the options, store them and switch the patches on or off (`explicit`: the library's own
        `autolog()`, whose options then take precedence over `tracekit.autolog()`'s)."""
        self.configured_explicitly = explicit and not disable
        with autolog_setup(self.library.integration, silent, extra_tags):
            if disable:
                self.patches.remove()
                return
            self.settings = Settings.chosen(silent, extra_tags, **options)
            apply_patches(self.patches, self.library, self.newest_tested, self._targets,
                          disable_for_unsupported_versions=disable_for_unsupported_versions, silent=silent)

    def autolog_from_global(self, disable: bool, silent: bool, log_traces: bool,
                            extra_tags: Mapping[str, Any] | None, **options: Any) -> None:
        """`tracekit.autolog()`'s call: `disable` always applies; the options only if the library's own
        `autolog()` has not set them."""
        if disable:
            self.autolog(False, disable=True, silent=silent)
            return
        if self.configured_explicitly and self.patches.active:
            return
        self.autolog(False, silent=silent, extra_tags=extra_tags, **options)

    def _targets(self) -> list[PatchTarget]:
        targets = self.train_targets(self._train_wrapper) + self.cv_targets(self._cv_wrapper)
        for klass in self.estimator_classes():
            if "fit" in vars(klass):
                targets.append(PatchTarget(klass.__module__, klass.__qualname__, "fit", self._fit_wrapper))
        return targets

    # -- the patched calls -------------------------------------------------------------------------------------------

    def _fit_wrapper(self, wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                     kwargs: dict[str, Any]) -> Any:
        if instance is None or inside_training_call.get():
            return wrapped(*args, **kwargs)
        features = args[0] if args else kwargs.get("X")
        labels = args[1] if len(args) > 1 else kwargs.get("y")
        return self._run(wrapped, args, kwargs, from_estimator=True,
                         before=lambda session: None,
                         after=lambda session, result: self._log_estimator(session, instance, features, labels))

    def _train_wrapper(self, wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                       kwargs: dict[str, Any]) -> Any:
        session = self._session.get()
        if session is not None and session.from_estimator and not session.train_seen:
            session.train_seen = True
            return self._train_in_session(wrapped, args, kwargs, session)
        if inside_training_call.get():
            return wrapped(*args, **kwargs)
        arguments = self.bound("train", args, kwargs)
        if arguments is None:
            return wrapped(*args, **kwargs)
        data: list[Any] = [None, None]

        def before(session: Session) -> None:
            self._step("logging the training params", lambda: log_params_in_batches(
                {key: str(value)[:PARAM_VALUE_LENGTH] for key, value in self.train_params(arguments).items()},
                session.run_id))
            if self.settings.log_datasets or self.settings.log_models:
                found = self._step("reading the training data", lambda: self.train_data(arguments))
                if found is not None:
                    data[:] = found

        def after(session: Session, booster: Any) -> None:
            self._log_model(session, booster, data[0], data[1])

        return self._run(lambda: self._train_in_session(wrapped, args, kwargs, self._session.get()), (), {},
                         from_estimator=False, before=before, after=after)

    def _cv_wrapper(self, wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
        if inside_training_call.get():
            return wrapped(*args, **kwargs)
        arguments = self.bound("cv", args, kwargs)
        if arguments is None:
            return wrapped(*args, **kwargs)
        with training_run(self.name, self.settings, inside_training_call) as run_id:
            if run_id is None:
                return wrapped(*args, **kwargs)
            with quiet(self.settings.silent):
                self._step("logging the cv params", lambda: log_params_in_batches(
                    {key: str(value)[:PARAM_VALUE_LENGTH] for key, value in self.cv_params(arguments).items()},
                    run_id))
            result = wrapped(*args, **kwargs)
            with quiet(self.settings.silent):
                self._step("logging the cv metrics", lambda: self._log_cv_history(run_id, result))
            return result

    def _log_cv_history(self, run_id: str, result: Any) -> None:
        batcher = MetricBatcher(run_id)
        history = self.cv_history(result)
        rounds = max((len(values) for values in history.values()), default=0)
        for step in range(rounds):
            batcher.add({key: values[step] for key, values in history.items() if step < len(values)}, step)
        batcher.flush()

    def _run(self, call: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], from_estimator: bool,
             before: Callable[[Session], None], after: Callable[[Session, Any], None]) -> Any:
        """`call` as the outermost training call, in the run `training_run` gives it (see there)."""
        with training_run(self.name, self.settings, inside_training_call) as run_id:
            if run_id is None:
                return call(*args, **kwargs)
            session = Session(run_id, from_estimator=from_estimator, batcher=MetricBatcher(run_id))
            token = self._session.set(session)
            try:
                with quiet(self.settings.silent):
                    before(session)
                result = call(*args, **kwargs)
                with quiet(self.settings.silent):
                    self._step("logging the trained model", lambda: after(session, result))
                return result
            finally:
                self._session.reset(token)

    def _train_in_session(self, wrapped: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                          session: Session | None) -> Any:
        """`train` with the metric callback, then the per-booster results: early stopping, feature importance."""
        arguments = self.bound("train", args, kwargs) if session is not None else None
        if session is None or arguments is None:
            return wrapped(*args, **kwargs)
        with quiet(self.settings.silent):
            patched = self._step("adding the metric callback", lambda: self.add_callback(arguments, session))
        try:
            booster = wrapped(**patched) if patched is not None else wrapped(*args, **kwargs)
        finally:
            with quiet(self.settings.silent):
                self._step("logging the per-iteration metrics", session.batcher.flush)
        with quiet(self.settings.silent):
            self._log_booster_results(session, booster)
        return booster

    def record_iteration(self, session: Session, metrics: Mapping[str, float], step: int) -> None:
        """The callback's body: buffer one iteration's eval metrics; never raises into training (after a failure,
        the session's later iterations are skipped)."""
        session.last_iteration = step
        if session.callback_failed or not metrics:
            return
        try:
            session.batcher.add(metrics, step)
        except Exception:  # noqa: BLE001 - training goes on
            session.callback_failed = True
            with quiet(self.settings.silent):
                report_internal_error(f"{self.name} autolog: logging per-iteration metrics")

    # -- logging steps -----------------------------------------------------------------------------------------------

    def _step(self, what: str, action: Callable[[], Any]) -> Any:
        return logging_step(self.name, what, action)

    def _log_booster_results(self, session: Session, booster: Any) -> None:
        import tracekit

        stopped = self._step("reading early-stopping results", lambda: self.early_stopping_metrics(booster, session))
        if stopped:
            self._step("logging early-stopping results", lambda: tracekit.log_metrics(
                stopped, synchronous=True, run_id=session.run_id))
        importance = self._step("computing feature importance", lambda: self.feature_importance(booster))
        for importance_type, values in (importance or {}).items():
            self._step("logging feature importance", functools.partial(
                tracekit.log_dict, values, f"feature_importance_{importance_type}.json", run_id=session.run_id))

    def _log_estimator(self, session: Session, estimator: Any, features: Any, labels: Any) -> None:
        import tracekit
        from tracekit.integrations._sklearn_logging import estimator_params, estimator_tags

        self._step("logging the estimator's tags",
                   lambda: tracekit.set_tags(estimator_tags(estimator), synchronous=True))
        self._step("logging the estimator's params",
                   lambda: log_params_in_batches(estimator_params(estimator), session.run_id))
        self._log_model(session, estimator, features, labels)

    def _log_model(self, session: Session, model: Any, features: Any, labels: Any) -> None:
        """The training dataset as a run input and `model` as the logged model "model" of the run."""
        import tracekit
        from tracekit.integrations._sklearn_logging import input_example_rows, training_dataset

        if self.settings.log_datasets and features is not None:
            dataset = self._step("describing the training dataset", lambda: training_dataset(features, labels))
            if dataset is not None:
                self._step("logging the training dataset", lambda: tracekit.log_input(dataset, context="train"))
        if not self.settings.log_models:
            return
        example = input_example_rows(features) if features is not None else None
        signature = None
        if self.settings.log_model_signatures and example is not None:
            from tracekit.models import infer_signature

            signature = self._step("inferring the model signature",
                                   lambda: infer_signature(example, self.predictions(model, example)))
        options = {"model_format": self.settings.model_format} if self.settings.model_format else {}
        self._step("logging the model", lambda: self.flavor().log_model(
            model, name="model", registered_model_name=self.settings.registered_model_name, signature=signature,
            input_example=example if self.settings.log_input_examples else None, **options))
