"""Log an agent as a model from code, load it, ask it questions, and find its traces.

    python examples/agent_from_code/log_agent.py
"""

from __future__ import annotations

import os

import tracekit


def main() -> None:
    tracekit.set_experiment("agents")
    agent_code = os.path.join(os.path.dirname(os.path.abspath(__file__)), "agent.py")

    info = tracekit.pyfunc.log_model(
        name="docs_agent",
        python_model=agent_code,                        # saved as source; nothing is pickled
        model_config={"greeting": "Here is what I know:", "top_k": 2},
        input_example={"question": "What is tracing?"},
    )
    print(f"logged {info.model_uri}; files: python_model={info.flavors['python_function']['model_code_path']}")

    agent = tracekit.pyfunc.load_model(info.model_uri)
    for question in ["What is tracing?", "How do models and runs relate?", "What is the weather?"]:
        print(f"{question} -> {agent.predict({'question': question})[0]}")

    traces = tracekit.search_traces(model_id=info.model_id, return_type="list")
    spans = sorted(span.name for span in traces[0].data.spans)
    print(f"{len(traces)} traces linked to the agent; spans of one: {spans}")


if __name__ == "__main__":
    main()
