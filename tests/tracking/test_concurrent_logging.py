"""Several threads logging to one run at once: every point is stored once and the latest value is right."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import tracekit


def test_threads_logging_to_one_run_keep_every_point_and_the_true_latest(tracking_uri):
    with tracekit.start_run() as run:
        run_id = run.info.run_id

    def log(worker: int) -> None:
        for step in range(worker, 100, 4):
            tracekit.log_metrics({"shared": float(step), f"own-{worker}": float(step)}, step=step, run_id=run_id)
            tracekit.log_params({f"p{step}": step}, run_id=run_id)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(log, range(4)))

    stored = tracekit.get_run(run_id)
    assert stored.data.metrics["shared"] == 99.0
    assert {stored.data.metrics[f"own-{w}"] for w in range(4)} == {96.0, 97.0, 98.0, 99.0}
    assert len(stored.data.params) == 100
    assert [m.step for m in tracekit.get_metric_history(run_id, "shared")] == list(range(100))
