"""Datasets linked to runs, metrics and model checkpoints, with system metrics and async logging.

A toy training loop logs each epoch's loss asynchronously, records its training data as a run input, scores two
checkpoints on a validation and a test set, and finds the checkpoint that does best on the test set alone.

    python examples/datasets_and_checkpoints.py
"""

import numpy as np
import pandas as pd

import tracekit

rng = np.random.default_rng(7)
frame = pd.DataFrame({"x1": rng.normal(size=200), "x2": rng.normal(size=200)})
frame["label"] = (frame.x1 + frame.x2 > 0).astype(int)
train = tracekit.data.from_pandas(frame.iloc[:120], source="data/train.csv", targets="label", name="train")
validation = tracekit.data.from_pandas(frame.iloc[120:160], targets="label", name="validation")
test = tracekit.data.from_pandas(frame.iloc[160:], targets="label", name="test")

tracekit.set_experiment("datasets-example")
tracekit.set_system_metrics_sampling_interval(0.2)
with tracekit.start_run(run_name="training", log_system_metrics=True) as run:
    tracekit.log_input(train, context="training")
    for epoch in range(50):
        tracekit.log_metric("loss", 1.0 / (epoch + 1), step=epoch, synchronous=False)
    scores = {"epoch-10": {validation: 0.91, test: 0.84}, "epoch-50": {validation: 0.89, test: 0.90}}
    for name, by_dataset in scores.items():
        checkpoint = tracekit.create_external_model(name=name)
        for dataset, accuracy in by_dataset.items():
            tracekit.log_metric("accuracy", accuracy, model_id=checkpoint.model_id, dataset=dataset)
    tracekit.flush_async_logging()

stored = tracekit.get_run(run.info.run_id)
for dataset_input in stored.inputs.dataset_inputs:
    print(f"input {dataset_input.dataset.name} ({dataset_input.context or 'no context'}), "
          f"digest {dataset_input.dataset.digest}")
print(f"loss points: {len(tracekit.get_metric_history(run.info.run_id, 'loss'))}")
print(f"system metrics: {sorted(k for k in stored.data.metrics if k.startswith('system/'))[:3]} ...")
best = tracekit.search_logged_models(filter_string="metrics.accuracy > 0.85", datasets=[{"dataset_name": "test"}],
                                     output_format="list")
print(f"checkpoints above 0.85 on test: {[model.name for model in best]}")
