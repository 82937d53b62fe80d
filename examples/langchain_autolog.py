"""Trace a LangChain app: `tracekit.integrations.langchain.autolog()` turns every chain step, chat model, tool and
retriever run into a nested span. This one runs offline on langchain-core's fake chat model; swap in a real one.

Needs `pip install 'tracekit[langchain]'`:
    python examples/langchain_autolog.py
"""

from __future__ import annotations

from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

import tracekit
import tracekit.integrations.langchain

tracekit.integrations.langchain.autolog()

DOCUMENTS = ["tracekit stores traces in SQLite by default", "spans nest under their parent span",
             "autolog patches OpenAI, Anthropic and LangChain"]


@tracekit.trace(span_type=tracekit.SpanType.RETRIEVER)
def retrieve(question: str) -> list[Document]:
    words = set(question.lower().split())
    return [Document(page_content=text) for text in DOCUMENTS if words & set(text.split())]


model = GenericFakeChatModel(messages=iter([
    AIMessage("By default in SQLite.", usage_metadata={"input_tokens": 30, "output_tokens": 5, "total_tokens": 35}),
    AIMessage("They nest under their parent.", usage_metadata={"input_tokens": 28, "output_tokens": 6,
                                                                "total_tokens": 34}),
]))
prompt = ChatPromptTemplate.from_messages([("system", "Answer from the context:\n{context}"), ("user", "{question}")])
chain = ({"context": RunnableLambda(retrieve), "question": RunnablePassthrough()} | prompt | model
         | StrOutputParser())


def main() -> None:
    print(chain.invoke("where are traces stored"))
    print("".join(chain.stream("how do spans nest")))

    trace = tracekit.get_last_active_trace()
    parents = {span.span_id: span.name for span in trace.data.spans}
    for span in trace.data.spans:
        print(f"  {span.name:<22} {span.span_type:<11} under={parents.get(span.parent_id)}")


if __name__ == "__main__":
    main()
