"""A hyperparameter sweep as nested runs: one parent run, one child run per configuration, then a query of the
children as a DataFrame. Traces of the evaluation calls are linked to the child run they ran in.
    python examples/nested_run_sweep.py
"""

from __future__ import annotations

import tracekit


def train_model(learning_rate: float, batch_size: int) -> dict[str, float]:
    """Stands in for training: a made-up score that peaks at lr=0.01, bs=32."""
    return {"learning_rate": learning_rate, "batch_size": batch_size}


@tracekit.trace
def evaluate_model(model: dict[str, float]) -> float:
    penalty = abs(model["learning_rate"] - 0.01) * 2 + abs(model["batch_size"] - 32) / 200
    return round(0.95 - penalty, 4)


def main() -> None:
    tracekit.set_experiment("hyperparameter-sweep")
    with tracekit.start_run(run_name="hyperparameter_sweep") as parent_run:
        tracekit.log_param("search_strategy", "grid")
        best_score, best_params = 0.0, {}
        for learning_rate in [0.001, 0.01, 0.1]:
            for batch_size in [16, 32, 64]:
                with tracekit.start_run(nested=True, run_name=f"lr_{learning_rate}_bs_{batch_size}"):
                    params = {"learning_rate": learning_rate, "batch_size": batch_size}
                    tracekit.log_params(params)
                    score = evaluate_model(train_model(learning_rate, batch_size))
                    for epoch in range(3):
                        tracekit.log_metric("loss", 1.0 - score + 0.1 * (2 - epoch), step=epoch)
                    tracekit.log_metric("accuracy", score)
                    if score > best_score:
                        best_score, best_params = score, params
        tracekit.log_params({f"best_{key}": value for key, value in best_params.items()})
        tracekit.log_metric("best_accuracy", best_score)

    children = tracekit.search_runs(
        filter_string=f"tags.mlflow.parentRunId = '{parent_run.info.run_id}'",
        order_by=["metrics.accuracy DESC"],
    )
    print(f"{len(children)} child runs, best first:")
    print(children[["run_name", "params.learning_rate", "params.batch_size", "metrics.accuracy",
                    "metrics.loss"]].to_string(index=False))

    best = children.iloc[0]
    print(f"best run {best['run_name']}: {tracekit.count_traces(run_id=best['run_id'])} trace(s) linked")
    good = tracekit.search_runs(filter_string="metrics.accuracy > 0.9 AND params.batch_size = '32'")
    print(f"runs with accuracy > 0.9 at batch size 32: {sorted(good['run_name'])}")
    parent = tracekit.get_run(parent_run.info.run_id)
    print(f"parent {parent.info.run_name}: {parent.info.status}, best_accuracy={parent.data.metrics['best_accuracy']}")


if __name__ == "__main__":
    main()
