"""SQLite writes a batch's rows as a few multi-row INSERTs (`sqlite_writes`): every row of odd-sized batches is
stored once, a rewrite updates in place, a key repeated within one statement ends as its last row (as executemany
left it), and an insert of missing rows skips the stored ones."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracekit.store.sql.schema import spans, trace_info, trace_tags
from tracekit.store.sql.sqlite_writes import SqliteRowsInsert
from tracekit.store.sql.traces import SqlTraceStore


@pytest.fixture
def sqlite_store(tmp_path, migrated_sqlite_file):
    import shutil

    opened = SqlTraceStore(f"sqlite:///{shutil.copyfile(migrated_sqlite_file, tmp_path / 'store.db')}")
    yield opened
    opened.close()


def _count(store: SqlTraceStore, table) -> int:
    with store.database.reading() as connection:
        return connection.scalar(select(func.count()).select_from(table))


def test_batches_of_every_chunk_shape_store_each_row_once_and_rewrites_update(sqlite_store, make_trace):
    traces = [make_trace(tags={"n": str(i)}) for i in range(127)]  # 64 + 32 + 16 + 8 + 4 + 2 + 1
    sqlite_store.write_traces(traces)
    assert _count(sqlite_store, trace_info) == 127
    assert _count(sqlite_store, spans) == 3 * 127
    again = [make_trace(trace_id=trace.info.trace_id, number=i, tags={"n": f"again {i}"})
             for i, trace in enumerate(traces[:70])]
    sqlite_store.write_traces(again)
    assert _count(sqlite_store, trace_info) == 127
    assert sqlite_store.get_trace(traces[69].info.trace_id).info.tags["n"] == "again 69"
    assert sqlite_store.get_trace(traces[70].info.trace_id).info.tags["n"] == "70"


def test_a_key_repeated_in_one_statement_ends_as_its_last_row(sqlite_store, make_trace):
    trace = make_trace()
    sqlite_store.write_traces([trace])
    trace_id = trace.info.trace_id
    rows = [{"trace_id": trace_id, "key": "k", "value": str(i)} for i in range(5)]

    def work(connection):
        sqlite_store.database.upsert(connection, trace_tags, rows, ["trace_id", "key"])
        sqlite_store.database.insert_missing(connection, trace_tags, [
            {"trace_id": trace_id, "key": "k", "value": "skipped"}, {"trace_id": trace_id, "key": "new", "value": "v"}])

    sqlite_store.database.write(work)
    tags = sqlite_store.get_trace(trace_id).info.tags
    assert tags["k"] == "4"
    assert tags["new"] == "v"


def test_a_statement_of_another_shape_keeps_executemany():
    assert SqliteRowsInsert.of("INSERT INTO t (a, b) SELECT ?, ?", 2) is None
    assert SqliteRowsInsert.of("INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET b = ?", 2) is None
    assert SqliteRowsInsert.of("INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT DO NOTHING", 2) is not None
