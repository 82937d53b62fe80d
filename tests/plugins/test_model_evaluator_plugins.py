"""Model evaluators as plugins (entry-point group `tracekit.model_evaluator`): the example plugin's evaluator used
by `evaluate(evaluators=[...])` and chosen automatically, next to the built-in "default" found by the same lookup;
a broken plugin reported once and skipped unless asked for by name; names claimed twice and classes missing the
contract are errors naming them."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

import tracekit
from tracekit.exceptions import TracekitException
from tracekit.models.evaluation.evaluator_registry import MODEL_EVALUATOR_GROUP

DATA = pd.DataFrame({"x": [0.1, 0.7, 0.4, 0.9], "label": [0, 1, 1, 1]})


def threshold(frame):
    return (frame["x"] > 0.5).astype(int)


def test_the_example_plugins_evaluator_is_listed_and_evaluates_by_name(example_plugin):
    assert tracekit.models.list_evaluators() == ["default", "mismatches"]
    result = tracekit.models.evaluate(threshold, DATA, targets="label", model_type="classifier",
                                      evaluators=["mismatches"])

    assert result.metrics == {"mismatch_count": 1.0, "mismatch_rate": 0.25}
    assert result.artifacts["mismatches"].content == [2]
    run = tracekit.get_run(result.run_id)
    assert run.data.metrics == {"mismatch_count": 1.0, "mismatch_rate": 0.25}
    logged = {info.path for info in tracekit.artifacts.list_artifacts(run_id=result.run_id)}
    assert logged == {"mismatches.json"}


def test_without_evaluators_every_capable_one_runs_with_its_own_config(example_plugin):
    result = tracekit.models.evaluate(threshold, DATA, targets="label", model_type="classifier",
                                      evaluator_config={"default": {"metric_prefix": "d_"}, "mismatches": {}})
    assert result.metrics["mismatch_count"] == 1.0
    assert result.metrics["d_accuracy_score"] == 0.75

    regression = tracekit.models.evaluate(lambda frame: frame["x"], DATA, targets="label", model_type="regressor")
    assert "mismatch_count" not in regression.metrics, "the plugin says it cannot evaluate regressors"


def test_a_named_evaluator_that_cannot_evaluate_the_model_type_is_an_error(example_plugin):
    with pytest.raises(TracekitException, match="The evaluator 'mismatches' cannot evaluate model_type='regressor'"):
        tracekit.models.evaluate(lambda frame: frame["x"], DATA, targets="label", model_type="regressor",
                                 evaluators="mismatches")


def test_an_unknown_evaluator_lists_the_installed_ones(example_plugin):
    with pytest.raises(TracekitException, match=r"No evaluator is named 'mismatch'\. Available: default, mismatches"):
        tracekit.models.evaluate(threshold, DATA, targets="label", model_type="classifier", evaluators=["mismatch"])


BROKEN = """
    raise ImportError("needs a library that is not installed")
"""

HALF_DONE = """
    from tracekit.plugins import ModelEvaluator

    class OnlyCanEvaluate(ModelEvaluator):
        def can_evaluate(self, *, model_type, evaluator_config, **kwargs):
            return True
"""


def test_a_broken_plugin_is_reported_once_and_skipped_unless_named(plugin_site, caplog):
    plugin_site.install("broken-evaluator", "broken_evaluator", BROKEN, MODEL_EVALUATOR_GROUP,
                        ["broken = broken_evaluator:Evaluator"])
    caplog.set_level(logging.WARNING)
    for _ in range(2):
        result = tracekit.models.evaluate(threshold, DATA, targets="label", model_type="classifier")
        assert result.metrics["accuracy_score"] == 0.75
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and "broken" in r.getMessage()]
    assert len(errors) == 1 and "broken-evaluator" in errors[0] and "needs a library" in errors[0]
    assert len([r for r in caplog.records if "broken" in r.getMessage()]) <= 2, "one error, at most one skip notice"
    with pytest.raises(TracekitException, match="broken-evaluator.*failed to load: ImportError"):
        tracekit.models.evaluate(threshold, DATA, targets="label", model_type="classifier", evaluators="broken")


def test_a_plugin_named_default_replaces_the_built_in_as_in_every_group(plugin_site):
    plugin_site.install("shadow-evaluator", "shadow_evaluator", HALF_DONE, MODEL_EVALUATOR_GROUP,
                        ["default = shadow_evaluator:OnlyCanEvaluate"])
    assert tracekit.models.list_evaluators() == ["default"]
    with pytest.raises(TracekitException, match=r"'default' \(shadow_evaluator.*missing evaluate"):
        tracekit.models.evaluate(threshold, DATA, targets="label", model_type="classifier", evaluators="default")


def test_two_plugins_claiming_one_name_are_both_named(plugin_site):
    for distribution in ("first-evaluator", "second-evaluator"):
        module = distribution.replace("-", "_")
        plugin_site.install(distribution, module, HALF_DONE, MODEL_EVALUATOR_GROUP,
                            [f"twin = {module}:OnlyCanEvaluate"])
    with pytest.raises(TracekitException, match="first-evaluator.*second-evaluator|second-evaluator.*first-evaluator"):
        tracekit.models.evaluate(threshold, DATA, targets="label", model_type="classifier", evaluators="twin")


def test_a_class_missing_part_of_the_contract_is_named(plugin_site):
    plugin_site.install("half-evaluator", "half_evaluator", HALF_DONE, MODEL_EVALUATOR_GROUP,
                        ["half = half_evaluator:OnlyCanEvaluate"])
    with pytest.raises(TracekitException, match="does not implement the ModelEvaluator contract: missing evaluate"):
        tracekit.models.evaluate(threshold, DATA, targets="label", model_type="classifier", evaluators=["half"])


RAISING = """
    from tracekit.plugins import ModelEvaluator

    class Raising(ModelEvaluator):
        def can_evaluate(self, *, model_type, evaluator_config, **kwargs):
            raise RuntimeError("cannot tell")

        def evaluate(self, **kwargs):
            raise AssertionError("never called")
"""


def test_an_evaluator_whose_can_evaluate_raises_is_skipped_unless_named(plugin_site, caplog):
    plugin_site.install("raising-evaluator", "raising_evaluator", RAISING, MODEL_EVALUATOR_GROUP,
                        ["raising = raising_evaluator:Raising"])
    result = tracekit.models.evaluate(threshold, DATA, targets="label", model_type="classifier")
    assert result.metrics["accuracy_score"] == 0.75
    assert "'raising' is skipped: its can_evaluate raised RuntimeError: cannot tell" in caplog.text
    with pytest.raises(TracekitException, match="'raising' failed in can_evaluate: RuntimeError: cannot tell"):
        tracekit.models.evaluate(threshold, DATA, targets="label", model_type="classifier", evaluators=["raising"])


def test_a_flat_config_for_several_named_evaluators_is_refused(example_plugin):
    with pytest.raises(TracekitException, match="evaluator_config must be keyed by evaluator name"):
        tracekit.models.evaluate(threshold, DATA, targets="label", model_type="classifier",
                                 evaluators=["default", "mismatches"], evaluator_config={"pos_label": 1})
