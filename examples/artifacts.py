"""Files logged to a run: text, a config dict, a folder, a table; then read back by run and by runs:/ URI.

Run it as `python examples/artifacts.py`; the files land in tracekit-artifacts/ beside tracekit.db.
"""

import tempfile
from pathlib import Path

import tracekit

tracekit.set_experiment("artifacts-example")
with tracekit.start_run(run_name="evaluate") as run:
    tracekit.log_text("Accuracy went up after the tokenizer fix.", "notes/summary.txt")
    tracekit.log_dict({"model": "small", "temperature": 0.2}, "config.yaml")
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "predictions.csv").write_text("id,label\n1,cat\n2,dog\n")
        tracekit.log_artifacts(folder, artifact_path="outputs")
    tracekit.log_table({"question": ["What is 2+2?", "Capital of France?"], "correct": [True, False]},
                       "eval_results.json")
    print("artifacts at", tracekit.get_artifact_uri())

run_id = run.info.run_id
for info in tracekit.artifacts.list_artifacts(run_id=run_id):
    print("dir " if info.is_dir else "file", info.path, info.file_size or "")
print("config:", tracekit.artifacts.load_dict(f"runs:/{run_id}/config.yaml"))
print("summary:", tracekit.artifacts.load_text(f"runs:/{run_id}/notes/summary.txt"))
table = tracekit.load_table("eval_results.json", run_ids=[run_id], extra_columns=["run_id"])
print(f"table: {len(table)} rows, {int(table['correct'].sum())} correct")
local = tracekit.artifacts.download_artifacts(f"runs:/{run_id}/outputs", dst_path="downloaded")
print("downloaded:", sorted(p.name for p in Path(local).iterdir()))
