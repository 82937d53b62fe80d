"""The model code of `log_agent.py`: a tiny retrieval agent, defined as code rather than pickled.

tracekit saves this file with the model and runs it again when the model is loaded; `ModelConfig` then reads the
`model_config` given to `log_model` (the development config below is only for running this file by hand).
"""

from __future__ import annotations

import tracekit
from tracekit.models import ModelConfig

config = ModelConfig(development_config={"greeting": "dev", "top_k": 1})

DOCUMENTS = {
    "tracing": "tracekit records each call as a trace of spans.",
    "models": "A logged model is a directory with an MLmodel file.",
    "runs": "A run groups params, metrics and models of one training.",
}


class Agent(tracekit.pyfunc.PythonModel):
    """Answers a question with the documents whose topic it mentions."""

    @tracekit.trace(span_type=tracekit.SpanType.RETRIEVER)
    def retrieve(self, question: str) -> list[str]:
        found = [text for topic, text in DOCUMENTS.items() if topic in question.lower()]
        return found[: config.get("top_k")]

    def predict(self, context, model_input, params=None):
        answers = []
        for question in model_input["question"]:
            documents = self.retrieve(question)
            answers.append(f"{config.get('greeting')} {' '.join(documents) or 'I do not know.'}")
        return answers


tracekit.models.set_model(Agent())
