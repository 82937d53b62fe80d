"""`EvaluationResult`: what an evaluation produced (metric values, artifacts it logged, per-row tables)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tracekit.exceptions import TracekitException


@dataclass
class EvaluationArtifact:
    """One file an evaluation logged: its artifact `uri` and, when the evaluator kept it, the `content` (a figure, a
    DataFrame, a dict)."""

    uri: str
    content: Any = None


@dataclass
class EvaluationResult:
    """The outcome of `tracekit.models.evaluate` or `tracekit.genai.evaluate`.

    `metrics` maps a metric name to its value; `artifacts` maps an artifact name to the `EvaluationArtifact` logged
    for it; `tables` maps a table name (`"eval_results_table"` for the per-row results) to a DataFrame; `run_id` is
    the run the metrics were logged to.
    """

    metrics: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, EvaluationArtifact] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    run_id: str | None = None
    baseline_model_metrics: dict[str, Any] | None = None

    def save(self, path: str | Path) -> None:
        """Write metrics, artifact URIs and tables under directory `path` (created if missing)."""
        root = Path(path)
        root.mkdir(parents=True, exist_ok=True)
        summary = {"metrics": self.metrics, "run_id": self.run_id,
                   "baseline_model_metrics": self.baseline_model_metrics,
                   "artifacts": {name: art.uri for name, art in self.artifacts.items()},
                   "tables": sorted(self.tables)}
        (root / "evaluation.json").write_text(json.dumps(summary, default=str, indent=2))
        tables_dir = root / "tables"
        tables_dir.mkdir(exist_ok=True)
        for name, frame in self.tables.items():
            frame.to_json(tables_dir / f"{_safe_name(name)}.json", orient="split", default_handler=str)

    @classmethod
    def load(cls, path: str | Path) -> EvaluationResult:
        """Read back what `save` wrote."""
        root = Path(path)
        try:
            summary = json.loads((root / "evaluation.json").read_text())
        except (OSError, ValueError) as exc:
            raise TracekitException.invalid_parameter_value(
                f"EvaluationResult.load: {root} holds no saved evaluation ({exc})") from exc
        tables = {name: pd.read_json(root / "tables" / f"{_safe_name(name)}.json", orient="split")
                  for name in summary.get("tables", [])}
        return cls(metrics=summary.get("metrics", {}),
                   artifacts={n: EvaluationArtifact(uri=u) for n, u in summary.get("artifacts", {}).items()},
                   tables=tables, run_id=summary.get("run_id"),
                   baseline_model_metrics=summary.get("baseline_model_metrics"))


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
