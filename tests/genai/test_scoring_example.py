"""examples/scoring_traces.py runs as a user would run it and prints what it promises."""

from __future__ import annotations

import pytest
from example_scripts import run_example

pytestmark = pytest.mark.slow


def test_scoring_traces_example(tmp_path):
    out = run_example("scoring_traces.py", tmp_path)

    assert "stored traces: is_correct/mean=0.67 word_count/max=3 hedging/count/direct=3" in out
    assert "feedback on the Hamlet trace: {'hedging': 'direct', 'is_correct': True, 'word_count': 3}" in out
    assert "I do not know." in out and "says it does not know" in out
    assert "is_correct/mean=0.67, 3 traces linked to it" in out
