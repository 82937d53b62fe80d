"""Batched trace writes on real SQLite, PostgreSQL (new traces COPYed straight into their tables in the binary format
under one savepoint, their span rows made as the COPY streams; others COPYed into a staging table, then INSERT ...
SELECT ... ON CONFLICT, rewriting only rows that differ) and MariaDB (multi-row INSERT ... ON DUPLICATE KEY UPDATE): a
retried batch stores every trace once, a trace another writer stores meanwhile is merged into, values that COPY's text
format or SQL quoting must escape come back exactly as written, and a value a database refuses is refused the same way
whichever path it took."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, event, func, select
from trace_builders import make_span

from tracekit.entities import Trace, TraceData
from tracekit.exceptions import TracekitException, TraceRejectedError
from tracekit.store.sql import schema, trace_rows
from tracekit.store.sql.traces import SqlTraceStore
from tracekit.store.uri import to_sqlalchemy_url

# What COPY's text format gives a meaning to (tab, newline, carriage return, backslash, the NULL marker \N and the
# end-of-data marker \.), SQL and array quoting, driver placeholders, control characters, characters outside the BMP
# and right-to-left.
AWKWARD = ("a\tb\nc\r\nd\\e \\N \\. \n\\.\n 'quote' \"double\" {brace,comma} %s %(name)s 100% ? :name \x01\x1f\x7f "
           "é ß 漢字 🚀 עברית \u200b \\' \\\\' \x1a '); DROP TABLE spans; -- end")


def stored_rows(store: SqlTraceStore, table) -> int:
    with store.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table))


def span_ids(trace: Trace) -> list[str]:
    return sorted(span.span_id for span in trace.data.spans)


def test_a_retried_batch_holding_stored_traces_stores_each_once(store, make_trace):
    first = [make_trace(tags={"attempt": "1"}) for _ in range(6)]
    store.write_traces(first)
    later = [make_trace(tags={"attempt": "2"}) for _ in range(6)]

    # the export queue retries a batch whose transaction may have committed; copies of one trace may come together
    store.write_traces(first[2:] + later + first[:1] + later[:2])
    store.write_traces(first + later)

    assert store.count_traces(["0"]) == 12
    assert stored_rows(store, schema.spans) == 12 * 3
    assert stored_rows(store, schema.trace_tags) == 12
    for trace in first + later:
        stored = store.get_trace(trace.info.trace_id)
        assert span_ids(stored) == span_ids(trace)
        assert stored.info.tags == trace.info.tags


def test_a_batch_of_hundreds_of_traces_stores_every_row(store, make_trace):
    traces = [make_trace(tags={"n": str(number), "env": "prod"}, extra_spans=number % 3) for number in range(600)]
    store.write_traces(traces)
    assert store.count_traces(["0"]) == 600
    assert stored_rows(store, schema.spans) == sum(len(trace.data.spans) for trace in traces)
    assert stored_rows(store, schema.trace_tags) == 1200
    sample = store.get_trace(traces[417].info.trace_id)
    assert span_ids(sample) == span_ids(traces[417]) and sample.info.tags == traces[417].info.tags


def test_a_trace_holding_one_span_id_twice_stores_that_span_once(store, make_trace):
    trace = make_trace()
    twin = trace.data.spans[0]
    again = make_span(trace.info.trace_id, twin.span_id, twin.parent_id, "renamed", start_ns=twin.start_time_ns,
                      end_ns=twin.end_time_ns)
    store.write_traces([Trace(info=trace.info, data=TraceData(spans=[*trace.data.spans, again]))])
    stored = store.get_trace(trace.info.trace_id)
    assert span_ids(stored) == span_ids(trace)


def test_big_and_awkward_values_come_back_exactly(store, make_trace):
    megabyte = (AWKWARD * (1_000_000 // len(AWKWARD) + 1))[:1_000_000]
    trace = make_trace(name=f"root {AWKWARD[:60]}", inputs={"document": megabyte, "nul": "x\x00y"},
                       outputs={"awkward": AWKWARD}, tags={"awkward": AWKWARD, "null marker": "\\N", "empty": ""},
                       metadata={"awkward\tkey\\": AWKWARD})
    store.write_traces([trace])

    stored = store.get_trace(trace.info.trace_id)
    root = next(span for span in stored.data.spans if span.parent_id is None)
    assert root.name == f"root {AWKWARD[:60]}"
    assert root.inputs == {"document": megabyte, "nul": "x\x00y"}
    assert root.outputs == {"awkward": AWKWARD}
    assert stored.info.tags == {"awkward": AWKWARD, "null marker": "\\N", "empty": ""}
    assert stored.info.trace_metadata["awkward\tkey\\"] == AWKWARD
    assert stored.info.request_preview == trace.info.request_preview

    store.write_traces([trace])  # written again (a retry): still one copy, still exact
    assert stored_rows(store, schema.spans) == 3
    assert store.get_trace(trace.info.trace_id).to_json() == stored.to_json()


@pytest.fixture(params=["postgresql", "mysql"])
def server_store(request):
    """A store on each database server, which refuses values longer than their columns."""
    uri = request.getfixturevalue("postgres_uri") if request.param == "postgresql" else _mysql_uri()
    opened = SqlTraceStore(uri)
    yield opened
    opened.close()


def _mysql_uri() -> str:
    from databases import server_database

    return server_database("mysql")


def test_a_refused_batch_stores_nothing_and_the_next_batch_stores_everything(server_store, make_trace):
    good = [make_trace() for _ in range(5)]
    refused = make_trace(trace_id="tr-" + "f" * 200)  # longer than the trace_id column
    with pytest.raises(TracekitException, match="(?i)too long"):
        server_store.write_traces([*good, refused])
    assert server_store.count_traces(["0"]) == 0 and stored_rows(server_store, schema.spans) == 0

    server_store.write_traces(good)  # on the same pooled connection, after the rolled-back transaction
    assert server_store.count_traces(["0"]) == 5 and stored_rows(server_store, schema.spans) == 15


def test_a_postgresql_connection_lost_before_the_copy_is_retried_and_stores_every_trace_once(postgres_uri,
                                                                                               make_trace):
    store = SqlTraceStore(postgres_uri)
    admin = create_engine(to_sqlalchemy_url(postgres_uri), isolation_level="AUTOCOMMIT")
    cut = []

    def terminate_once(connection, cursor, statement, parameters, context, executemany) -> None:
        # the first statement of either way of writing: the savepoint of a straight COPY, or the staging table
        if not cut and statement.startswith(("SAVEPOINT", "CREATE TEMPORARY TABLE")):
            cut.append(connection.connection.dbapi_connection.info.backend_pid)
            with admin.connect() as other:
                other.exec_driver_sql(f"SELECT pg_terminate_backend({cut[0]}, 5000)")

    event.listen(store.engine, "after_cursor_execute", terminate_once)
    try:
        traces = [make_trace() for _ in range(20)]
        store.write_traces(traces[:10])  # the COPY meets a closed connection: the batch is written again
        store.write_traces(traces)
        assert cut
        assert store.count_traces(["0"]) == 20 and stored_rows(store, schema.spans) == 60
    finally:
        event.remove(store.engine, "after_cursor_execute", terminate_once)
        store.close()
        admin.dispose()


def test_a_trace_another_writer_stores_meanwhile_is_merged_into_not_refused(postgres_uri, make_trace):
    store, other = SqlTraceStore(postgres_uri), SqlTraceStore(postgres_uri)
    trace = make_trace(number=10**9, tags={"writer": "first"})
    meanwhile = make_trace(number=10**9, tags={"writer": "other", "seen": "yes"})  # the same trace and span ids
    written = []

    def write_meanwhile(connection, cursor, statement, parameters, context, executemany) -> None:
        # after the batch found its trace not stored, before its straight COPY
        if not written and statement.startswith("SAVEPOINT"):
            written.append(True)
            other.write_traces([meanwhile])

    event.listen(store.engine, "before_cursor_execute", write_meanwhile)
    try:
        store.write_traces([trace, make_trace()])
        assert written
        stored = store.get_trace(trace.info.trace_id)
        assert stored.info.tags == {"writer": "first", "seen": "yes"}
        assert span_ids(stored) == span_ids(trace)
        assert store.count_traces(["0"]) == 2 and stored_rows(store, schema.spans) == 6
    finally:
        event.remove(store.engine, "before_cursor_execute", write_meanwhile)
        store.close()
        other.close()


def test_a_number_too_big_for_its_column_is_refused_as_out_of_range_and_nothing_is_stored(server_store, make_trace):
    # PostgreSQL's binary COPY packs numbers on the client, which cannot fit this one: the server still judges it
    good = [make_trace() for _ in range(3)]
    refused = make_trace()
    refused.info.request_time = 2**70
    with pytest.raises(TraceRejectedError, match="(?i)out of range"):
        server_store.write_traces([*good, refused])
    assert server_store.count_traces(["0"]) == 0 and stored_rows(server_store, schema.spans) == 0

    server_store.write_traces(good)
    assert server_store.count_traces(["0"]) == 3 and stored_rows(server_store, schema.spans) == 9


def test_a_span_time_given_as_a_numeric_string_is_stored_as_a_number(store, make_trace):
    # a value the binary format cannot pack as its column's type goes the way the text format always took it
    trace = make_trace()
    first = trace.data.spans[1]
    odd = make_span(trace.info.trace_id, first.span_id, first.parent_id, first.name,
                    start_ns=str(first.start_time_ns), end_ns=first.end_time_ns)
    store.write_traces([Trace(info=trace.info, data=TraceData(spans=[trace.data.spans[0], odd,
                                                                      *trace.data.spans[2:]]))])
    with store.engine.connect() as connection:
        start = connection.scalar(select(schema.spans.c.start_time_ns).where(schema.spans.c.span_id == first.span_id))
    assert start == first.start_time_ns
    assert span_ids(store.get_trace(trace.info.trace_id)) == span_ids(trace)


def test_a_postgresql_span_id_holding_a_nul_character_is_refused_and_nothing_is_stored(postgres_uri, make_trace):
    # PostgreSQL text holds no NUL: the span id (kept as given, unlike names and tags) is refused as a value
    store = SqlTraceStore(postgres_uri)
    try:
        good = make_trace()
        trace = make_trace()
        first = trace.data.spans[1]
        odd = make_span(trace.info.trace_id, "ab\x00cd", first.parent_id, first.name, start_ns=first.start_time_ns,
                        end_ns=first.end_time_ns)
        with pytest.raises(TraceRejectedError, match="(?i)nul|0x00"):
            store.write_traces([good, Trace(info=trace.info, data=TraceData(spans=[trace.data.spans[0], odd]))])
        assert store.count_traces(["0"]) == 0 and stored_rows(store, schema.spans) == 0

        store.write_traces([good, trace])  # the same pooled connection, after the rolled-back transaction
        assert store.count_traces(["0"]) == 2 and stored_rows(store, schema.spans) == 6
    finally:
        store.close()


def test_a_concurrent_writers_span_met_by_the_streamed_copy_sends_the_spans_down_the_staging_path(postgres_uri,
                                                                                                 make_trace):
    # another writer stores one of the batch's spans (not its trace_info row) between the batch's stored-id check
    # and the spans' COPY: the rows the COPY made go down the staging path and are merged, not refused
    store, other = SqlTraceStore(postgres_uri), SqlTraceStore(postgres_uri)
    traces = [make_trace(tags={"n": str(number)}) for number in range(4)]
    taken = traces[2].data.spans[0]
    written = []

    def write_span_meanwhile(connection, cursor, statement, parameters, context, executemany) -> None:
        if not written and statement.startswith("SAVEPOINT"):
            written.append(True)
            with other.engine.begin() as writer:
                writer.execute(schema.spans.insert().values(
                    trace_id=traces[2].info.trace_id, span_id=taken.span_id, name="other writer",
                    start_time_ns=taken.start_time_ns, content=json.dumps(taken.to_dict())))

    event.listen(store.engine, "before_cursor_execute", write_span_meanwhile)
    try:
        store.write_traces(traces)
        assert written
        assert store.count_traces(["0"]) == 4 and stored_rows(store, schema.spans) == 12
        with store.engine.connect() as connection:
            name = connection.scalar(select(schema.spans.c.name).where(schema.spans.c.span_id == taken.span_id))
        assert name == taken.name  # the batch's copy replaced the other writer's row
    finally:
        event.remove(store.engine, "before_cursor_execute", write_span_meanwhile)
        store.close()
        other.close()


@pytest.fixture
def made_span_rows(monkeypatch) -> list[str]:
    """The span ids of the span rows the store makes, as it makes them (each costs its span's JSON)."""
    made: list[str] = []
    make_row = trace_rows._span_row

    def counted(trace_id, span):
        made.append(span.span_id)
        return make_row(trace_id, span)

    monkeypatch.setattr(trace_rows, "_span_row", counted)
    return made


def test_a_tag_another_writer_stores_meanwhile_sends_the_whole_batch_down_the_general_path(postgres_uri, make_trace,
                                                                                          made_span_rows):
    # the tag COPY meets a row stored after the batch's trace_info rows went in: the batch goes back to its savepoint
    # (no trace_info row is left written twice) and every table's rows, each made once, are upserted
    store, other = SqlTraceStore(postgres_uri), SqlTraceStore(postgres_uri)
    traces = [make_trace(tags={"n": str(number)}) for number in range(4)]
    written = []

    def write_tag_meanwhile(connection, cursor, statement, parameters, context, executemany) -> None:
        if not written and statement.startswith("SAVEPOINT"):
            written.append(True)
            with other.engine.begin() as writer:
                writer.execute(schema.trace_tags.insert().values(trace_id=traces[3].info.trace_id, key="n",
                                                                 value="other writer"))

    event.listen(store.engine, "before_cursor_execute", write_tag_meanwhile)
    try:
        store.write_traces(traces)
        assert written
        assert sorted(made_span_rows) == sorted(span.span_id for trace in traces for span in trace.data.spans)
        assert store.count_traces(["0"]) == 4 and stored_rows(store, schema.spans) == 12
        assert stored_rows(store, schema.trace_tags) == 4
        assert [store.get_trace(trace.info.trace_id).info.tags for trace in traces] == [
            {"n": str(number)} for number in range(4)]
    finally:
        event.remove(store.engine, "before_cursor_execute", write_tag_meanwhile)
        store.close()
        other.close()


@pytest.fixture
def noted_store(postgres_uri) -> Iterator[tuple[SqlTraceStore, list[str]]]:
    """A store on PostgreSQL, and the statements it runs through SQLAlchemy (COPY aside) as they run."""
    store = SqlTraceStore(postgres_uri)
    statements: list[str] = []

    def note(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", note)
    yield store, statements
    event.remove(store.engine, "before_cursor_execute", note)
    store.close()


def test_a_postgresql_batch_of_new_traces_sets_one_savepoint_for_all_its_tables(noted_store, make_trace):
    # its four COPYs (trace_info, tags, metadata, spans) share one savepoint, which the commit releases: a savepoint
    # and a release per table cost two round trips each
    store, statements = noted_store
    store.write_traces([make_trace(tags={"n": str(number)}) for number in range(5)])
    assert len([statement for statement in statements if statement.startswith("SAVEPOINT")]) == 1
    assert not [statement for statement in statements if statement.startswith(("RELEASE", "ROLLBACK"))]
    assert store.count_traces(["0"]) == 5 and stored_rows(store, schema.spans) == 15
    assert stored_rows(store, schema.trace_tags) == 5 and stored_rows(store, schema.trace_metadata) == 5


def test_a_postgresql_batch_written_again_as_it_is_leaves_its_stored_rows_unwritten(postgres_uri, make_trace):
    # a retried batch: each stored row that would be replaced by the same values keeps its row version (no new
    # version, index entries or WAL), while a row whose values differ is replaced
    store = SqlTraceStore(postgres_uri)

    def versions() -> dict[str, dict[tuple[str, ...], str]]:
        with store.engine.connect() as connection:
            return {table: {tuple(row[:-1]): row[-1] for row in connection.exec_driver_sql(
                f"SELECT {', '.join(keys)}, xmin::text FROM {table}")}
                for table, keys in (("trace_info", ["trace_id"]), ("trace_tags", ["trace_id", "key"]),
                                    ("trace_metadata", ["trace_id", "key"]), ("spans", ["trace_id", "span_id"]))}

    try:
        traces = [make_trace(tags={"n": str(number)}) for number in range(4)]
        store.write_traces(traces)
        before = versions()
        store.write_traces(traces)
        assert versions() == before

        changed = make_trace(number=int(traces[1].info.trace_id[3:], 16), tags={"n": "changed"})
        store.write_traces([traces[0], changed])
        after = versions()
        moved = {table: sorted(key for key in rows if rows[key] != before[table][key]) for table, rows in after.items()}
        assert moved == {"trace_info": [], "trace_metadata": [], "spans": [],
                         "trace_tags": [(traces[1].info.trace_id, "n")]}
        assert store.get_trace(traces[1].info.trace_id).info.tags == {"n": "changed"}
        assert store.count_traces(["0"]) == 4 and stored_rows(store, schema.spans) == 12
    finally:
        store.close()


@pytest.mark.parametrize("odd", ["span id twice", "start time as a string"])
def test_a_batch_of_new_traces_going_down_the_general_path_makes_each_span_row_once(store, make_trace, made_span_rows,
                                                                                    odd):
    # the straight COPY of new spans gives up (a key met twice, a value the binary format cannot pack): the rows it
    # made go on to the general path, not made again (each costs its span's JSON)
    traces = [make_trace() for _ in range(3)]
    trace = traces[1]
    first = trace.data.spans[1]
    start = str(first.start_time_ns) if odd == "start time as a string" else first.start_time_ns
    extra = make_span(trace.info.trace_id, first.span_id, first.parent_id, first.name, start_ns=start,
                      end_ns=first.end_time_ns)
    spans = [*trace.data.spans, extra] if odd == "span id twice" else [trace.data.spans[0], extra,
                                                                        *trace.data.spans[2:]]
    batch = [traces[0], Trace(info=trace.info, data=TraceData(spans=spans)), traces[2]]
    store.write_traces(batch)

    assert sorted(made_span_rows) == sorted(span.span_id for written in batch for span in written.data.spans)
    assert store.count_traces(["0"]) == 3 and stored_rows(store, schema.spans) == 9
    assert span_ids(store.get_trace(trace.info.trace_id)) == span_ids(trace)


@pytest.mark.parametrize("sql_mode", ["default", "NO_BACKSLASH_ESCAPES"])
def test_mysql_batches_bigger_than_one_statement_come_back_exactly_in_either_quoting_mode(make_trace, sql_mode):
    # the multi-row INSERTs are cut at about 1 MB; a session quoting by doubling quotes (no backslash escapes) is
    # written the driver's way
    store = SqlTraceStore(_mysql_uri())
    if sql_mode != "default":
        event.listen(store.engine, "connect", lambda connection, record: connection.cursor().execute(
            f"SET SESSION sql_mode = CONCAT(@@sql_mode, ',{sql_mode}')"))
        store.close()  # pooled connections opened before the listener
    try:
        document = (AWKWARD * (300_000 // len(AWKWARD) + 1))[:300_000]
        traces = [make_trace(inputs={"document": f"{number} {document}"}, tags={"awkward": AWKWARD})
                  for number in range(8)]
        store.write_traces(traces)
        store.write_traces(traces)  # again: every row a duplicate key
        assert store.count_traces(["0"]) == 8 and stored_rows(store, schema.spans) == 24
        for number, trace in enumerate(traces):
            stored = store.get_trace(trace.info.trace_id)
            root = next(span for span in stored.data.spans if span.parent_id is None)
            assert root.inputs == {"document": f"{number} {document}"}
            assert stored.info.tags == {"awkward": AWKWARD}
    finally:
        store.close()


def test_a_postgresql_batch_of_new_traces_is_written_without_asking_which_are_stored(noted_store, make_trace):
    # its trace_info rows going in by a plain COPY tell that none was stored; a batch holding a stored trace asks
    store, statements = noted_store
    first = [make_trace(tags={"n": str(number)}) for number in range(5)]
    store.write_traces(first)
    assert not [statement for statement in statements if "FROM trace_info" in statement]
    assert store.count_traces(["0"]) == 5 and stored_rows(store, schema.spans) == 15

    later = [make_trace(tags={"n": "later"}) for _ in range(3)]
    statements.clear()
    store.write_traces([*later, first[4]])  # the stored trace sorts anywhere among the new ones
    assert [statement for statement in statements if "FROM trace_info" in statement]
    assert store.count_traces(["0"]) == 8 and stored_rows(store, schema.spans) == 24
    assert stored_rows(store, schema.trace_tags) == 8

    # having met a stored trace, the store asks first (a COPY meeting one wastes what the server buffered)...
    statements.clear()
    store.write_traces(later)
    assert "FROM trace_info" in next(s for s in statements if "FROM trace_info" in s or s.startswith("SAVEPOINT"))
    # ...until a batch it asks about is new
    store.write_traces([make_trace()])
    statements.clear()
    store.write_traces([make_trace()])
    assert not [statement for statement in statements if "FROM trace_info" in statement]
    assert store.count_traces(["0"]) == 10
