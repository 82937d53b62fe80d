"""Trace Anthropic calls: `tracekit.integrations.anthropic.autolog()` turns each `messages.create` (streamed or
not) into a span with the conversation, the model and the token counts.

Needs `pip install 'tracekit[anthropic]'` and ANTHROPIC_API_KEY (ANTHROPIC_BASE_URL for another endpoint):
    python examples/anthropic_autolog.py
"""

from __future__ import annotations

import os

import anthropic

import tracekit
import tracekit.integrations.anthropic

MODEL = os.environ.get("EXAMPLE_MODEL", "claude-sonnet-4-5")

tracekit.integrations.anthropic.autolog()
client = anthropic.Anthropic()


@tracekit.trace(span_type=tracekit.SpanType.AGENT)
def plan_trip(city: str) -> str:
    weather_tool = {"name": "get_weather", "description": "Current weather in a city",
                    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}
    first = client.messages.create(model=MODEL, max_tokens=256, tools=[weather_tool],
                                   messages=[{"role": "user", "content": f"Should I pack an umbrella for {city}?"}])
    tool_use = next(block for block in first.content if block.type == "tool_use")
    with tracekit.start_span("get_weather", span_type=tracekit.SpanType.TOOL) as span:
        span.set_inputs(tool_use.input)
        weather = f"Light rain in {tool_use.input['city']}"
        span.set_outputs(weather)
    stream = client.messages.create(model=MODEL, max_tokens=256, stream=True, messages=[
        {"role": "user", "content": f"The weather in {city}: {weather}. Umbrella or not?"}])
    return "".join(event.delta.text for event in stream
                   if event.type == "content_block_delta" and event.delta.type == "text_delta")


def main() -> None:
    print(plan_trip("Paris"))

    trace = tracekit.get_last_active_trace()
    for span in trace.data.spans:
        usage = span.get_attribute("tracekit.chat.tokenUsage")
        print(f"  {span.name:<20} {span.span_type:<11} tokens={usage}")


if __name__ == "__main__":
    main()
