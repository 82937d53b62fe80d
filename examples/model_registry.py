"""Register two versions of a model, point the `champion` alias at the better one, and find its traces.

    python examples/model_registry.py
"""

from __future__ import annotations

import tracekit
from tracekit.registry.registered_model_uris import registry_model_version


def main() -> None:
    tracekit.set_experiment("registry-demo")
    client = tracekit.TracekitClient()
    for accuracy in (0.91, 0.95):
        with tracekit.start_run():
            model = tracekit.create_external_model(name="churn-classifier")
            tracekit.log_metric("accuracy", accuracy, model_id=model.model_id)
        with tracekit.set_active_model(model_id=model.model_id):
            tracekit.trace(lambda customer: customer.upper(), name="predict")("acme")
        version = tracekit.register_model(model.model_uri, "churn", tags={"accuracy": str(accuracy)})
        print(f"registered churn version {version.version} from {version.source}")

    best = max(tracekit.search_model_versions(filter_string="name = 'churn'"), key=lambda v: float(v.tags["accuracy"]))
    client.set_registered_model_alias("churn", "champion", best.version)
    champion = registry_model_version("models:/churn@champion")
    traces = tracekit.search_traces(model_id=champion.model_id, return_type="list")
    print(f"champion is version {champion.version} (accuracy {champion.tags['accuracy']}), "
          f"{len(traces)} trace(s) of its model")


if __name__ == "__main__":
    main()
