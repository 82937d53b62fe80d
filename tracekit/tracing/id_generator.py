"""Trace ids that start with the time: new traces sort after old ones, so storing them appends to the stores'
indexes instead of writing all over them.

Every table of a trace (its info, spans, tags, metadata) is keyed by trace id. With fully random ids, each trace in a
batch lands on its own page of each of those B-trees, so a commit of 100 traces rewrites hundreds of pages, and more
of them as the store grows past its cache; with ids that grow with time, a batch fills the last few pages. On SQLite
that took the export worker from about 90 to 50 µs of CPU per 1-span trace (benchmarks/overhead.py).

The id is 48 bits of milliseconds since the epoch followed by 80 random bits. The low 64 bits, the ones
OpenTelemetry's `TraceIdRatioBased` sampler reads and W3C Trace Context level 2 requires to be random (its
rightmost 7 bytes), stay random, so sampling is unchanged and the random-trace-id flag stays true.
"""

from __future__ import annotations

import random
import time

from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

_RANDOM_BITS = 80
_MILLIS_MASK = (1 << 48) - 1


class TimeOrderedIdGenerator(RandomIdGenerator):
    """Span ids as OpenTelemetry's default (random); trace ids of the time in ms followed by 80 random bits."""

    def generate_trace_id(self) -> int:
        """A 128-bit trace id: milliseconds since the epoch (48 bits), then 80 random bits; never 0."""
        millis = (time.time_ns() // 1_000_000) & _MILLIS_MASK
        return millis << _RANDOM_BITS | random.getrandbits(_RANDOM_BITS) or 1
