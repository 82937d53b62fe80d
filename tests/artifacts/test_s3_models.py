"""Models whose experiment keeps its artifacts in S3 (moto's server): log_model uploads the model directory, and
load_model, get_model_info and set_signature work through models:/<model_id>."""

from __future__ import annotations

import boto3
import numpy as np
import pandas as pd

import tracekit
from tracekit.models import get_model_info, infer_signature, set_signature


class _Double(tracekit.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input["x"] * 2


def test_a_model_logged_to_s3_loads_back(s3_bucket, s3_endpoint):
    experiment_id = tracekit.create_experiment("s3-models", artifact_location=f"s3://{s3_bucket}/experiments")
    tracekit.set_experiment(experiment_id=experiment_id)
    frame = pd.DataFrame({"x": [1.0, 2.0]})

    info = tracekit.pyfunc.log_model(name="double", python_model=_Double(), input_example=frame)

    keys = {item["Key"] for item in boto3.client("s3", endpoint_url=s3_endpoint).list_objects_v2(
        Bucket=s3_bucket)["Contents"]}
    assert f"experiments/models/{info.model_id}/artifacts/MLmodel" in keys
    assert get_model_info(info.model_uri).model_id == info.model_id
    assert np.array_equal(tracekit.pyfunc.load_model(info.model_uri).predict(frame), [2.0, 4.0])

    set_signature(info.model_uri, infer_signature(frame, frame["x"]))
    assert get_model_info(info.model_uri).signature.outputs is not None
