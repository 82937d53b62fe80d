"""Span values over TRACEKIT_MAX_INLINE_BYTES are stored as artifacts of their trace and read back transparently."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

import tracekit
from tracekit.constants import SpanAttributeKey, TraceTagKey


@pytest.fixture
def small_inline_limit(monkeypatch):
    monkeypatch.setenv("TRACEKIT_MAX_INLINE_BYTES", "10000")


def _traced_echo(text: str) -> str:
    @tracekit.trace(name="echo")
    def echo(prompt: str) -> str:
        with tracekit.start_span("inner") as span:
            span.set_attribute("blob", text)
        return prompt.upper()

    echo(text)
    trace_id = tracekit.get_last_active_trace_id()
    assert trace_id is not None
    return trace_id


def _stored_span_attributes(db_uri: str, trace_id: str) -> str:
    """Everything the span table holds for the trace, as text."""
    engine = sa.create_engine(db_uri.replace("mysql://", "mysql+pymysql://").replace("postgresql://",
                                                                                      "postgresql+psycopg://"))
    try:
        with engine.connect() as connection:
            spans = sa.Table("spans", sa.MetaData(), autoload_with=connection)
            rows = connection.execute(sa.select(spans).where(spans.c.trace_id == trace_id)).all()
    finally:
        engine.dispose()
    assert rows
    return " ".join(str(value) for row in rows for value in row)


def test_a_large_input_is_stored_beside_the_trace_and_read_back_whole(db_uri, small_inline_limit, tmp_path):
    tracekit.set_tracking_uri(db_uri)
    big = "x" * 3_000_000
    trace_id = _traced_echo(big)

    trace = tracekit.get_trace(trace_id)
    assert trace is not None
    root = trace.data.root_span
    assert root.inputs == {"prompt": big}
    assert root.outputs == big.upper()
    inner = next(span for span in trace.data.spans if span.name == "inner")
    assert inner.get_attribute("blob") == big

    # The span table holds references, not the 3 MB values; the files are under the trace's artifact location.
    stored = _stored_span_attributes(db_uri, trace_id)
    assert len(stored) < 100_000
    assert "tracekit.attachment" in stored
    location = trace.info.tags[TraceTagKey.ARTIFACT_LOCATION]
    experiment = tracekit.get_experiment(trace.info.experiment_id)
    assert location == f"{experiment.artifact_location}/traces/{trace_id}/artifacts"
    files = list(Path(location).rglob("*.json"))
    assert len(files) == 3  # the root's inputs and outputs, the inner span's attribute
    assert sorted(os.path.getsize(file) for file in files)[0] > 3_000_000

    frame = tracekit.search_traces()
    assert frame.loc[frame.trace_id == trace_id, "request"].iloc[0] == {"prompt": big}


def test_values_under_the_limit_stay_inline(small_inline_limit):
    trace_id = _traced_echo("small")
    trace = tracekit.get_trace(trace_id)
    assert TraceTagKey.ARTIFACT_LOCATION not in trace.info.tags
    assert trace.data.root_span.raw_attributes[SpanAttributeKey.INPUTS] == '{"prompt":"small"}'


def test_the_default_limit_keeps_a_50_mb_prompt_whole_and_the_span_table_small(tmp_path):
    prompt = "y" * 50_000_000
    trace_id = _traced_echo(prompt)
    trace = tracekit.get_trace(trace_id)
    assert len(trace.data.root_span.inputs["prompt"]) == 50_000_000
    assert os.path.getsize(tmp_path / "tracekit.db") < 5_000_000


def test_a_missing_attachment_leaves_its_reference_and_the_rest_of_the_trace(small_inline_limit, caplog):
    trace_id = _traced_echo("z" * 50_000)
    location = tracekit.get_trace(trace_id).info.tags[TraceTagKey.ARTIFACT_LOCATION]
    for file in Path(location).rglob("*.json"):
        file.unlink()
    with caplog.at_level(logging.WARNING, logger="tracekit.tracing.attachments"):
        trace = tracekit.get_trace(trace_id)
    assert trace.data.root_span.inputs == {"tracekit.attachment": {
        "path": trace.data.root_span.inputs["tracekit.attachment"]["path"], "size": 50_013,
        "key": SpanAttributeKey.INPUTS}}
    assert trace.data.root_span.name == "echo"
    assert "could not be read" in caplog.text


def test_a_failed_attachment_write_keeps_the_trace_for_retry_and_spill(small_inline_limit, tmp_path):
    """The experiment's artifact location cannot be written (a file stands where its folder should be): the export
    fails as a whole, is retried, then spilled; nothing is stored with a dangling reference, nothing is lost."""
    (tmp_path / "blocked").write_text("not a folder")
    experiment_id = tracekit.create_experiment("blocked", artifact_location=str(tmp_path / "blocked" / "inside"))
    tracekit.set_experiment(experiment_id=experiment_id)
    trace_id = _traced_echo("w" * 50_000)
    tracekit.flush_trace_async_logging()

    stats = tracekit.tracing.stats()
    assert stats.spilled == 1 and stats.exported == 0 and stats.dropped == 0
    spilled = [file for file in (tmp_path / "spill").rglob("*") if file.is_file()]
    assert any(trace_id in file.read_text(errors="ignore") for file in spilled)
    engine = sa.create_engine(tracekit.get_tracking_uri())
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM spans")).scalar() == 0
    engine.dispose()


def test_deleting_traces_removes_their_files_and_only_theirs(db_uri, small_inline_limit):
    tracekit.set_tracking_uri(db_uri)
    doomed, kept = _traced_echo("d" * 50_000), _traced_echo("k" * 50_000)
    doomed_folder = Path(tracekit.get_trace(doomed).info.tags[TraceTagKey.ARTIFACT_LOCATION])
    kept_folder = Path(tracekit.get_trace(kept).info.tags[TraceTagKey.ARTIFACT_LOCATION])
    assert list(doomed_folder.rglob("*.json")) and list(kept_folder.rglob("*.json"))
    experiment_id = tracekit.get_trace(doomed).info.experiment_id

    assert tracekit.delete_traces(experiment_id, trace_ids=[doomed]) == 1

    assert not doomed_folder.parent.exists()  # traces/<trace_id> is gone, not left empty
    assert tracekit.get_trace(kept).data.root_span.inputs == {"prompt": "k" * 50_000}


def test_expiring_traces_by_age_removes_their_files(small_inline_limit):
    old = _traced_echo("o" * 50_000)
    folder = Path(tracekit.get_trace(old).info.tags[TraceTagKey.ARTIFACT_LOCATION])
    experiment_id = tracekit.get_trace(old).info.experiment_id

    deleted = tracekit.delete_traces(experiment_id, max_timestamp_millis=tracekit.get_trace(old).info.timestamp_ms)

    assert deleted == 1
    assert not folder.parent.exists()


def test_a_forged_artifact_location_tag_cannot_make_delete_remove_another_folder(small_inline_limit, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    trace_id = _traced_echo("small")
    experiment_id = tracekit.get_trace(trace_id).info.experiment_id
    tracekit.set_trace_tag(trace_id, TraceTagKey.ARTIFACT_LOCATION, str(precious))

    assert tracekit.delete_traces(experiment_id, trace_ids=[trace_id]) == 1

    assert (precious / "keep.txt").read_text() == "mine"
