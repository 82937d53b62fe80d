"""Track a model that lives outside tracekit (a deployed agent), and link its traces to it.

Creates an external model with its params and tags, makes it the active model so that every trace links to it,
then finds those traces by model id and ranks model versions by a metric.
    python examples/external_model.py
"""

from __future__ import annotations

import tracekit


class EchoAgent:
    """Stands in for an agent served elsewhere."""

    def __init__(self, temperature: float) -> None:
        self.temperature = temperature

    def chat(self, message: str) -> str:
        return f"(t={self.temperature}) you said: {message}"


def main() -> None:
    tracekit.set_experiment("external-models")

    # Create an external model: tracekit keeps its metadata; its artifacts stay wherever the agent is deployed.
    model = tracekit.create_external_model(
        name="chatbot_agent",
        model_type="agent",
        tags={"version": "v1.0", "environment": "production"},
    )
    tracekit.log_model_params({"temperature": "0.7", "max_tokens": "1000"}, model_id=model.model_id)

    # Every trace started from now on (in any thread) is linked to the active model.
    tracekit.set_active_model(model_id=model.model_id)
    agent = EchoAgent(temperature=0.7)

    @tracekit.trace
    def chat_with_agent(message: str) -> str:
        return agent.chat(message)

    for message in ["hello", "what can you do?", "thanks"]:
        print(chat_with_agent(message))

    traces = tracekit.search_traces(model_id=model.model_id)
    print(f"{len(traces)} traces linked to {model.name} ({model.model_id}); "
          f"counted in SQL: {tracekit.count_traces(model_id=model.model_id)}")
    print(traces[["trace_id", "request", "response"]].to_string())

    # A second version, evaluated in a run: metrics logged with model_id rank the versions.
    tracekit.clear_active_model()
    v2 = tracekit.initialize_logged_model(name="chatbot_agent", model_type="agent", tags={"version": "v2.0"})
    try:
        with tracekit.start_run(run_name="evaluate-agents"):
            tracekit.log_metric("accuracy", 0.91, model_id=model.model_id)
            tracekit.log_metric("accuracy", 0.95, model_id=v2.model_id)
        tracekit.finalize_logged_model(v2.model_id, tracekit.LoggedModelStatus.READY)
    except Exception:
        tracekit.finalize_logged_model(v2.model_id, tracekit.LoggedModelStatus.FAILED)
        raise

    ranked = tracekit.search_logged_models(
        filter_string="model_type = 'agent' AND metrics.accuracy > 0.9",
        order_by=[{"field_name": "metrics.accuracy", "ascending": False}],
        output_format="list",
    )
    for candidate in ranked:
        print(f"{candidate.tags['version']}: accuracy {candidate.metrics[0].value} ({candidate.status})")
    final = tracekit.get_logged_model(v2.model_id)
    print(f"Model {final.name} is {final.status}")


if __name__ == "__main__":
    main()
