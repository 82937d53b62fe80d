"""`SqlTraceStore`: traces in SQLite, PostgreSQL or MySQL/MariaDB through SQLAlchemy Core.

Writes: one transaction per batch; each trace is upserted by id (its trace_info row first, which locks it, then its
tags, metadata and spans, keyed by (trace id, key) and (trace id, span id)), with one batched write per table.
A trace written again, or in parts by several processes, is merged, never replaced wholesale. Batches lock traces in
trace-id order, so two writers never wait on each other in a cycle; transient lock errors (SQLite busy, PostgreSQL
deadlock or serialization failure, MySQL deadlock or lock timeout) are retried a few times.

Reads: the page of trace_info rows is chosen, sorted and limited in SQL; the tags, metadata, assessments and spans of
the whole page are then loaded with a few `IN (...)` queries of at most `ID_CHUNK_SIZE` ids each.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence, Set
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.sql.elements import ColumnElement

from tracekit.artifacts.artifact_uris import append_to_uri_path
from tracekit.artifacts.trace_folders import remove_trace_folders
from tracekit.constants import TraceTagKey
from tracekit.entities import Trace
from tracekit.entities.assessment import Assessment
from tracekit.entities.token_usage import record_token_usage, span_token_counts
from tracekit.entities.trace_merge import is_fragment, merge_copies, merge_trace, stretched_window
from tracekit.exceptions import ResourceNotFoundError, TracekitException, TraceRejectedError, failure_reason
from tracekit.store.assessment_checks import check_assessment, check_assessment_id
from tracekit.store.paging import PagedList
from tracekit.store.search.grammar import parse_filter, parse_order_by
from tracekit.store.sql import assessments as assessment_rows
from tracekit.store.sql import trace_aggregates, trace_search
from tracekit.store.sql.database import ID_CHUNK_SIZE, SqlDatabase  # noqa: F401 - ID_CHUNK_SIZE re-exported
from tracekit.store.sql.database import chunks as _chunks
from tracekit.store.sql.rows_by_id import rows_by_id
from tracekit.store.sql.schema import (
    KEY_LENGTH,
    TAG_VALUE_LENGTH,
    experiments,
    spans,
    trace_info,
    trace_metadata,
    trace_tags,
)
from tracekit.store.sql.schema import assessments as assessments_table
from tracekit.store.sql.stored_ids import stored_trace_ids
from tracekit.store.sql.trace_rows import (
    INFO_COLUMNS,
    TraceRows,
    info_rows,
    span_from_content,
    span_rows,
    text_column,
    trace_info_fields,
    traces_to_rows,
)
from tracekit.store.trace_records import TraceRecord, root_position
from tracekit.store.trace_store import TraceStore
from tracekit.store.trace_summaries import LlmUsage, TraceSession
from tracekit.store.uri import redact_uri
from tracekit.validation import check_experiment_ids, check_id_count, check_max_results

logger = logging.getLogger(__name__)

_INFO_SELECT = [trace_info.c[name] for name in INFO_COLUMNS]
_KEY_VALUE_COLUMNS = ("trace_id", "key", "value")
_SPAN_COLUMNS = ("trace_id", "content", "span_id", "parent_span_id")


def _span_order_sql(dialect: str) -> str:
    """ORDER BY list putting each trace's span rows together, in `span_order` (end time, running spans last, then
    latest start, then span id compared as Python compares text: PostgreSQL's "C" collation, MySQL's binary one).
    Sorting in the database saves a Python tuple and sort per span when a search loads many traces."""
    collate = ' COLLATE "C"' if dialect == "postgresql" else ""
    return ("trace_id, CASE WHEN end_time_ns IS NULL THEN 1 ELSE 0 END, end_time_ns, start_time_ns DESC, "
            f"span_id{collate}")


def _span_texts(connection: Connection, trace_ids: Sequence[str]) -> dict[str, tuple[list[str], int | None]]:
    """Trace id -> its span texts in `TraceData` order and the root's position among them (see `root_position`),
    for the traces that have spans."""
    rows = rows_by_id(connection, spans, _SPAN_COLUMNS, "trace_id", trace_ids,
                      order_sql=_span_order_sql(connection.dialect.name))
    texts: dict[str, tuple[list[str], int | None]] = {}
    orphaned: list[tuple[str, int]] = []  # traces without a span lacking a parent, and where their rows start
    # The rows come grouped by trace (see `_span_order_sql`): one pass, no per-trace tuples or sort.
    last: str | None = None
    contents: list[str] = []
    root: int | None = None
    for position, (trace_id, content, _, parent_id) in enumerate(rows):
        if trace_id != last:
            if last is not None:
                if root is None:
                    orphaned.append((last, position - len(contents)))
                texts[last] = (contents, root)
            last, contents, root = trace_id, [], None
        if parent_id is None and root is None:
            root = len(contents)
        contents.append(content)
    if last is not None:
        if root is None:
            orphaned.append((last, len(rows) - len(contents)))
        texts[last] = (contents, root)
    for trace_id, start in orphaned:  # an orphan stands in for the root
        group = rows[start:start + len(texts[trace_id][0])]
        texts[trace_id] = (texts[trace_id][0], root_position([row[2] for row in group], [row[3] for row in group]))
    return texts


def refused_for_good(error: BaseException) -> bool:
    """Whether writing the same traces again would fail the same way: a value the database or its driver cannot
    take (DataError, IntegrityError, text the driver cannot encode, a number out of range). Lock conflicts and lost
    connections (OperationalError and other database errors) are worth retrying. A database error reaches here
    already wrapped by `store_error`, so the driver's error it carries is what is judged."""
    if isinstance(error, TracekitException) and error.__cause__ is not None:
        return refused_for_good(error.__cause__)
    if isinstance(error, (DataError, IntegrityError)):
        return True
    if isinstance(error, DBAPIError):
        return False
    return isinstance(error, (StatementError, UnicodeError, ValueError, TypeError, OverflowError))


class SqlTraceStore(TraceStore):
    """Trace store on a SQL database named by a tracking URI; the schema is created or checked on construction.

    >>> store = SqlTraceStore("sqlite:///traces.db")
    >>> store.write_traces([trace])
    >>> store.search_traces(["0"], filter_string="tags.env = 'prod'", max_results=10)
    """

    def __init__(self, database: SqlDatabase | str) -> None:
        # A backend passes the database it shares with the tracking store of the same URI; a URI opens a new one.
        self.database = database if isinstance(database, SqlDatabase) else SqlDatabase(database)
        self.uri = self.database.uri
        self.engine = self.database.engine
        self._known_experiment_ids: set[str] = set()
        # set when a batch's trace_info COPY met a stored trace (see `_write_batch`), cleared by a batch found new
        self._ask_first = False

    def __repr__(self) -> str:
        return f"SqlTraceStore({redact_uri(self.uri)!r})"

    # --- transactions ---------------------------------------------------------------------------------------------
    def _ensure_experiments(self, connection: Connection, experiment_ids: set[str]) -> None:
        # Traces may name an experiment nobody created in this database yet (TRACEKIT_EXPERIMENT_ID, an experiment
        # of another tracking URI); create a placeholder rather than fail the batch on the foreign key.
        present = set(connection.scalars(
            select(experiments.c.experiment_id).where(experiments.c.experiment_id.in_(sorted(experiment_ids)))))
        now_ms = int(time.time() * 1000)
        missing = [{"experiment_id": experiment_id, "name": f"experiment-{experiment_id}",
                    "lifecycle_stage": "active", "creation_time": now_ms, "last_update_time": now_ms}
                   for experiment_id in sorted(experiment_ids - present)]
        if missing:
            self.database.insert_missing(connection, experiments, missing)

    # --- writing --------------------------------------------------------------------------------------------------
    def write_traces(self, traces: Sequence[Trace]) -> None:
        """Store `traces` in one transaction. Writing a trace id that is already stored merges into it: spans are
        added or replaced by span id, tags and metadata by key, and nothing stored is removed. The trace info comes
        from the copy holding the root span; a fragment (a part whose root hangs under a span of another process,
        see `tracekit.tracing.continue_trace`) adds its spans and stretches the stored time window over them, but
        leaves the rest of the info to the root's copy, whichever is written first."""
        if not traces:
            return
        by_id: dict[str, list[Trace]] = defaultdict(list)
        for trace in traces:
            by_id[trace.info.trace_id].append(trace)
        trace_ids = sorted(by_id)
        batch = [merge_copies(by_id[trace_id]) for trace_id in trace_ids]
        new_experiments = {str(trace.info.experiment_id) for trace in batch} - self._known_experiment_ids

        fragments = {trace.info.trace_id for trace in batch if is_fragment(trace)}

        def work(connection: Connection) -> None:
            if new_experiments:
                self._ensure_experiments(connection, new_experiments)
            existing = self._write_batch(connection, batch, trace_ids, fragments)
            if existing:
                self._stretch_windows(connection, sorted(existing))
                # a part written onto a stored trace summed only its own spans' token usage
                self._refresh_token_usage(connection, sorted(
                    trace.info.trace_id for trace in batch
                    if trace.info.trace_id in existing and any(
                        span_token_counts(span.raw_attributes) for span in trace.data.spans)))

        try:
            self.database.write(work)
        except Exception as error:
            if not refused_for_good(error):
                raise
            raise TraceRejectedError(f"{redact_uri(self.uri)} refused {len(traces)} trace(s): "
                                     f"{failure_reason(error)}") from error
        self._known_experiment_ids |= new_experiments

    def merge_traces(self, traces: Sequence[Trace]) -> None:
        """Add `traces` to the stored copies with the same ids in one transaction (see `TraceStore.merge_traces`).

        Each trace's trace_info row is created if missing and then locked (in trace-id order), so concurrent
        merges of one trace, from several server workers say, wait for each other instead of losing spans."""
        if not traces:
            return
        combined: dict[str, Trace] = {}
        for trace in traces:
            earlier = combined.get(trace.info.trace_id)
            combined[trace.info.trace_id] = trace if earlier is None else merge_trace(earlier, trace)
        trace_ids = sorted(combined)
        incoming = [combined[trace_id] for trace_id in trace_ids]
        experiment_ids = {trace.info.experiment_id for trace in incoming}

        def work(connection: Connection) -> None:
            if experiment_ids - self._known_experiment_ids:
                self._ensure_experiments(connection, experiment_ids - self._known_experiment_ids)
            # A placeholder row per new trace gives every trace a row to lock; merging with a placeholder (no
            # spans, tags or metadata) yields the incoming trace unchanged.
            self.database.insert_missing(connection, trace_info, traces_to_rows(incoming, with_spans=False).trace_info)
            rows: list[Any] = []
            for chunk in _chunks(trace_ids):
                rows.extend(connection.execute(
                    select(*_INFO_SELECT).where(trace_info.c.trace_id.in_(chunk))
                    .order_by(trace_info.c.trace_id).with_for_update()).all())
            stored = {record.info.trace_id: record.to_trace()
                      for record in self._records(connection, rows, include_spans=True)}
            # A merged copy holds everything stored, so upserting it leaves exactly the merged trace.
            self._upsert_traces(connection, [merge_trace(stored[trace.info.trace_id], trace) for trace in incoming])

        self.database.write(work)
        self._known_experiment_ids |= experiment_ids

    def _write_batch(self, connection: Connection, batch: Sequence[Trace], trace_ids: Sequence[str],
                     fragments: Set[str]) -> Set[str]:
        """Upsert `batch` (distinct ids, sorted; `fragments` as for `_upsert_traces`); the ids that were stored."""
        made = None
        if self.database.copies_new_rows and not fragments and not self._ask_first:
            # The usual batch, of new traces: its rows COPYed as they are made; its trace_info rows going in tells that
            # none was stored, without asking first.
            made = self._insert_new(connection, batch)
            if made is None:
                return frozenset()
            # The server had stored the rows it buffered before meeting the stored one (then rolled back): batches
            # holding stored traces come together (retries after an outage), so ask first until one is found new.
            self._ask_first = True
        existing = stored_trace_ids(connection, trace_ids)
        if not existing:
            self._ask_first = False
        self._upsert_traces(connection, batch, fragments, stored=existing, made=made)
        return existing

    def _insert_new(self, connection: Connection, batch: Sequence[Trace]) -> TraceRows | None:
        """Insert `batch` (new traces, no fragment) if none of its rows' keys is stored; None then, else its rows, each
        made once, none written. On PostgreSQL the rows of each table are COPYed as they are made (see
        `SqlDatabase.insert_new`), trace_info first (it locks the traces, in trace-id order, as `_upsert_traces`
        does), its tag and metadata rows made beside its rows, then the span rows, the costliest to make (their JSON)
        and to store."""
        rows = TraceRows()
        made = self.database.insert_new(connection, (
            (trace_info, lambda: info_rows(batch, rows, with_spans=False)),
            (trace_tags, lambda: rows.tags),
            (trace_metadata, lambda: rows.metadata),
            (spans, lambda: span_rows(batch))))
        if made is not None:
            rows.trace_info, _, _, rows.spans = made
            return rows
        self._insert_carried_assessments(connection, batch)
        return None

    def _upsert_traces(self, connection: Connection, batch: Sequence[Trace], fragments: Set[str] = frozenset(),
                       stored: Set[str] | None = None, made: TraceRows | None = None) -> None:
        """Upsert `batch` (distinct ids, sorted) inside the caller's transaction, removing nothing: spans by span
        id, tags and metadata by key. The traces named in `fragments` (see `is_fragment`) only add what is missing,
        so they never override what the root's copy, or an earlier fragment, stored. `stored`, when known: the ids
        of `batch` already in trace_info (rows of the others are written as new ones, see `SqlDatabase.upsert`).
        `made`: the batch's rows, made already."""
        new = stored is not None and not any(trace.info.trace_id in stored for trace in batch)
        rows = made
        if rows is None:
            if new and not fragments and self.database.copies_new_rows:
                rows = self._insert_new(connection, batch)
                if rows is None:
                    return
            else:
                rows = traces_to_rows(batch)

        def absent(table_rows: list[dict[str, Any]]) -> bool:
            # none stored (the usual case for new traces): known without looking at each row
            return stored is not None and (not stored or not any(row["trace_id"] in stored for row in table_rows))

        for table, table_rows, keys in ((trace_info, rows.trace_info, ["trace_id"]),
                                        (trace_tags, rows.tags, ["trace_id", "key"]),
                                        (trace_metadata, rows.metadata, ["trace_id", "key"])):
            if fragments:
                whole = [row for row in table_rows if row["trace_id"] not in fragments]
                parts = [row for row in table_rows if row["trace_id"] in fragments]
            else:
                whole, parts = table_rows, []
            if whole:
                self.database.upsert(connection, table, whole, keys, absent=absent(whole))
            if parts:
                self.database.insert_missing(connection, table, parts)
        # every trace's spans, a fragment's too, are added or replaced by span id
        if rows.spans:
            self.database.upsert(connection, spans, rows.spans, ["trace_id", "span_id"], absent=absent(rows.spans))
        self._insert_carried_assessments(connection, batch)

    def _insert_carried_assessments(self, connection: Connection, batch: Sequence[Trace]) -> None:
        """Store the assessments the traces of `batch` carry, keeping any stored already (by assessment id)."""
        carried = assessment_rows.carried_rows(batch)
        if carried:
            self.database.insert_missing(connection, assessments_table, carried)

    def _stretch_windows(self, connection: Connection, trace_ids: Sequence[str]) -> None:
        """Make the request time and duration of merged traces cover every span now stored for them."""
        updates = []
        for chunk in _chunks(trace_ids):
            extents = {row[0]: row[1:] for row in connection.execute(
                select(spans.c.trace_id, func.min(spans.c.start_time_ns), func.max(spans.c.end_time_ns))
                .where(spans.c.trace_id.in_(chunk)).group_by(spans.c.trace_id))}
            query = select(trace_info.c.trace_id, trace_info.c.request_time, trace_info.c.execution_duration)
            for trace_id, request_time, duration in connection.execute(query.where(trace_info.c.trace_id.in_(chunk))):
                first_ns, last_ns = extents.get(trace_id, (None, None))
                window = stretched_window(request_time, duration, first_ns, last_ns)
                if window != (request_time, duration):
                    updates.append({"id": trace_id, "start": window[0], "duration": window[1]})
        if updates:
            connection.execute(
                update(trace_info).where(trace_info.c.trace_id == bindparam("id"))
                .values(request_time=bindparam("start"), execution_duration=bindparam("duration")), updates)

    def _refresh_token_usage(self, connection: Connection, trace_ids: Sequence[str]) -> None:
        """Store the token usage of every span now stored for `trace_ids` in their metadata."""
        rows: list[dict[str, Any]] = []
        for chunk in _chunks(trace_ids):
            stored: dict[str, list[Any]] = defaultdict(list)
            query = select(spans.c.trace_id, spans.c.content).where(spans.c.trace_id.in_(chunk))
            for trace_id, content in connection.execute(query):
                stored[trace_id].append(span_from_content(content))
            for trace_id, trace_spans in stored.items():
                metadata: dict[str, str] = {}
                record_token_usage(metadata, trace_spans)
                rows.extend({"trace_id": trace_id, "key": key, "value": value} for key, value in metadata.items())
        if rows:
            self.database.upsert(connection, trace_metadata, rows, ["trace_id", "key"])

    def set_trace_tag(self, trace_id: str, key: str, value: str) -> None:
        """Add or replace one tag of a stored trace; ResourceNotFoundError if there is no such trace."""
        self.set_tag_on_traces([trace_id], key, value)

    def set_tag_on_traces(self, trace_ids: Sequence[str], key: str, value: str) -> None:
        """Add or replace one tag on several stored traces in one transaction; ResourceNotFoundError (and nothing
        changed) if one of them is not stored."""
        key, value = text_column(str(key)) or "", text_column(str(value)) or ""
        if not key or len(key) > KEY_LENGTH:
            raise TracekitException.invalid_parameter_value(
                f"Tag keys must be 1 to {KEY_LENGTH} characters long, got {len(key)}.")
        if len(value) > TAG_VALUE_LENGTH:
            raise TracekitException.invalid_parameter_value(
                f"Tag values must be at most {TAG_VALUE_LENGTH} characters long, got "
                f"{len(value)} for tag {key!r}.")
        distinct = sorted({str(trace_id) for trace_id in trace_ids})

        def work(connection: Connection) -> None:
            self._require_traces(connection, distinct)
            for chunk in _chunks(distinct):
                self.database.upsert(connection, trace_tags,
                                     [{"trace_id": trace_id, "key": key, "value": value} for trace_id in chunk],
                                     ["trace_id", "key"])

        if distinct:
            self.database.write(work)

    def delete_trace_tag(self, trace_id: str, key: str) -> None:
        """Remove one tag of a stored trace; ResourceNotFoundError if the trace or the tag does not exist."""

        def work(connection: Connection) -> None:
            self._require_trace(connection, trace_id)
            deleted = connection.execute(
                delete(trace_tags).where(trace_tags.c.trace_id == trace_id, trace_tags.c.key == key)).rowcount
            if not deleted:
                raise ResourceNotFoundError(f"Trace {trace_id} has no tag {key!r}.")

        self.database.write(work)

    @staticmethod
    def _require_trace(connection: Connection, trace_id: str) -> None:
        found = connection.scalar(select(trace_info.c.trace_id).where(trace_info.c.trace_id == trace_id))
        if found is None:
            raise ResourceNotFoundError(f"Trace {trace_id!r} not found in the tracking store.")

    def _require_traces(self, connection: Connection, trace_ids: Sequence[str]) -> None:
        """ResourceNotFoundError naming the first of `trace_ids` that is not stored."""
        if len(trace_ids) == 1:
            self._require_trace(connection, trace_ids[0])
            return
        missing = set(trace_ids) - stored_trace_ids(connection, trace_ids)
        if missing:
            raise ResourceNotFoundError(f"Trace {min(missing)!r} not found in the tracking store.")

    def delete_traces(
        self,
        experiment_id: str,
        max_timestamp_millis: int | None = None,
        max_traces: int | None = None,
        trace_ids: Sequence[str] | None = None,
    ) -> int:
        """Delete traces of one experiment: those started at or before `max_timestamp_millis`, those in
        `trace_ids`, at most `max_traces` of them (oldest first); criteria given together must all hold.
        Returns how many were deleted."""
        if max_timestamp_millis is None and max_traces is None and trace_ids is None:
            raise TracekitException.invalid_parameter_value(
                "delete_traces() needs at least one of max_timestamp_millis, max_traces or trace_ids.")
        if max_traces is not None and (not isinstance(max_traces, int) or max_traces < 1):
            raise TracekitException.invalid_parameter_value(
                f"delete_traces(): max_traces must be a positive integer, got {max_traces!r}.")
        if trace_ids is not None:
            check_id_count(trace_ids, "trace ids")
        conditions = [trace_info.c.experiment_id == str(experiment_id)]
        if max_timestamp_millis is not None:
            conditions.append(trace_info.c.request_time <= int(max_timestamp_millis))

        def matching_ids(connection: Connection) -> list[str]:
            if trace_ids is None:
                query = (select(trace_info.c.trace_id).where(*conditions)
                         .order_by(trace_info.c.request_time.asc(), trace_info.c.trace_id.asc()).limit(max_traces))
                return list(connection.scalars(query))
            query = select(trace_info.c.trace_id, trace_info.c.request_time).where(*conditions)
            rows: list[Any] = []
            for chunk in _chunks(sorted({str(trace_id) for trace_id in trace_ids})):
                rows.extend(connection.execute(query.where(trace_info.c.trace_id.in_(chunk))))
            rows.sort(key=lambda row: (row.request_time, row.trace_id))
            return [row.trace_id for row in rows[:max_traces]]

        from tracekit.store.sql.tracking import default_artifact_root_for

        # SqlStore shares the tracking store's root; a trace store alone uses the one its URI implies.
        default_root = getattr(self, "default_artifact_root", None) or default_artifact_root_for(self.uri)

        def work(connection: Connection) -> tuple[int, list[tuple[str, str]]]:
            doomed = sorted(matching_ids(connection))
            folders: list[tuple[str, str]] = []
            for chunk in _chunks(doomed):
                folders.extend(_attachment_folders(connection, chunk, default_root))
                # trace_info first: a writer adding rows to one of these traces holds its trace_info row, so the
                # delete waits for that writer's commit and the deletes after it see, and delete, what it added (the
                # children have no foreign key to cascade from trace_info, see schema.py)
                for table in (trace_info, spans, trace_tags, trace_metadata, assessments_table):
                    connection.execute(delete(table).where(table.c.trace_id.in_(chunk)))
            return len(doomed), folders

        deleted, folders = self.database.write(work)
        if folders:  # after the commit: files of a trace whose rows are still there are never removed
            remove_trace_folders(folders)
        return deleted

    # --- assessments ----------------------------------------------------------------------------------------------
    def log_assessment(self, assessment: Assessment) -> None:
        """Store a new assessment on its trace; ResourceNotFoundError naming the trace if it is not stored."""
        self.log_assessments([assessment])

    def log_assessments(self, assessments: Sequence[Assessment]) -> None:
        """Store many new assessments in one transaction (all or none); ResourceNotFoundError naming a trace that
        is not stored."""
        for assessment in assessments:
            check_assessment(assessment)
            check_assessment_id(assessment.assessment_id)
        if not assessments:
            return
        trace_ids = sorted({str(assessment.trace_id) for assessment in assessments})

        def work(connection: Connection) -> None:
            missing = set(trace_ids) - stored_trace_ids(connection, trace_ids)
            if missing:
                raise ResourceNotFoundError(f"Trace {min(missing)!r} not found in the tracking store.")
            rows = [assessment_rows.assessment_row(assessment) for assessment in assessments]
            # Keyed by the ids the client gave: a request retried after a lost answer stores each once.
            for chunk in _chunks(rows):
                self.database.insert_missing(connection, assessments_table, list(chunk))

        self.database.write(work)

    def get_assessment(self, trace_id: str, assessment_id: str) -> Assessment:
        """The stored assessment; ResourceNotFoundError naming the trace or the assessment if either is missing."""
        with self.database.reading() as connection:
            self._require_trace(connection, trace_id)
            return assessment_rows.get(connection, trace_id, assessment_id)

    def update_assessment(self, assessment: Assessment) -> None:
        """Replace the name, value, rationale, error, metadata and update time of a stored assessment."""
        check_assessment(assessment)
        trace_id = str(assessment.trace_id)
        check_assessment_id(assessment.assessment_id)

        def work(connection: Connection) -> None:
            self._require_trace(connection, trace_id)
            assessment_rows.replace(connection, assessment)

        self.database.write(work)

    def delete_assessment(self, trace_id: str, assessment_id: str) -> None:
        """Delete one assessment; ResourceNotFoundError naming the trace or the assessment if either is missing."""

        def work(connection: Connection) -> None:
            self._require_trace(connection, trace_id)
            assessment_rows.remove(connection, trace_id, assessment_id)

        self.database.write(work)

    # --- reading --------------------------------------------------------------------------------------------------
    def get_trace(self, trace_id: str) -> Trace | None:
        """The trace with that id, spans included, or None."""
        with self.database.reading() as connection:
            row = connection.execute(select(*_INFO_SELECT).where(trace_info.c.trace_id == trace_id)).first()
            if row is None:
                return None
            return self._records(connection, [row], include_spans=True)[0].to_trace()

    def search_traces(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int | None = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
        run_id: str | None = None,
        model_id: str | None = None,
        include_spans: bool = True,
    ) -> PagedList[Trace]:
        """One page of traces matching `filter_string` in `experiment_ids` (all experiments if empty), newest
        first unless `order_by` says otherwise; `max_results=None` returns every match. The returned list's
        `token` fetches the next page (None on the last).

        >>> page = store.search_traces(["0"], "span.type = 'LLM' AND timestamp_ms > 1700000000000", 50)
        >>> more = store.search_traces(["0"], "span.type = 'LLM' AND timestamp_ms > 1700000000000", 50,
        ...                            page_token=page.token)
        """
        records, token = self._search_records(experiment_ids, filter_string, max_results, order_by, page_token,
                                              run_id, model_id, include_spans)
        return PagedList([record.to_trace() for record in records], token)

    def search_trace_records(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int | None = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
        run_id: str | None = None,
        model_id: str | None = None,
        include_spans: bool = True,
    ) -> PagedList[Trace | TraceRecord]:
        """`search_traces` with each trace's spans left as their stored JSON text (`TraceRecord`)."""
        records, token = self._search_records(experiment_ids, filter_string, max_results, order_by, page_token,
                                              run_id, model_id, include_spans)
        return PagedList(list(records), token)

    def _search_records(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int | None = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
        run_id: str | None = None,
        model_id: str | None = None,
        include_spans: bool = True,
    ) -> tuple[list[TraceRecord], str | None]:
        """The records of one page of a search and the next page's token (see `search_traces`)."""
        query, fingerprint = self._search_query(experiment_ids, filter_string, max_results, order_by, page_token,
                                                run_id, model_id)
        with self.database.reading() as connection:
            rows, more = trace_search.fetch_page(connection, query, max_results)
            token = trace_search.encode_page_token(list(rows[-1][len(_INFO_SELECT):]), fingerprint) if more else None
            records = self._records(connection, rows, include_spans)
        return records, token

    def iter_trace_record_chunks(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int | None = 100,
        order_by: Sequence[str] | None = None,
        run_id: str | None = None,
        model_id: str | None = None,
        include_spans: bool = True,
    ) -> Iterator[list[Trace | TraceRecord]]:
        """The records of `search_trace_records`' first page, read and handed over `ID_CHUNK_SIZE` traces at a time
        in one read transaction held while they are consumed: the span texts of one chunk are freed (by the caller
        dropping them) before the next is read, so a 100,000-trace DataFrame never holds every record's texts besides
        its own `trace` column."""
        query, _ = self._search_query(experiment_ids, filter_string, max_results, order_by, None, run_id, model_id)
        with self.database.reading() as connection:
            page, _ = trace_search.fetch_page(connection, query, max_results)
            rows: list[Any] = page
            for start in range(0, len(rows), ID_CHUNK_SIZE):
                chunk = rows[start:start + ID_CHUNK_SIZE]
                rows[start:start + len(chunk)] = [None] * len(chunk)
                records: list[Any] = self._records(connection, chunk, include_spans)
                del chunk
                yield records
                del records

    def _search_query(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None,
        max_results: int | None,
        order_by: Sequence[str] | None,
        page_token: str | None,
        run_id: str | None,
        model_id: str | None,
    ) -> tuple[Any, str]:
        """The query choosing, sorting and limiting a search's trace_info rows, and the search's fingerprint (for
        page tokens); TracekitException for bad arguments."""
        check_max_results(max_results)
        experiment_list = check_experiment_ids(experiment_ids)
        expression = parse_filter(filter_string)
        keys = trace_search.sort_keys(parse_order_by(list(order_by) if order_by else None))

        conditions = self._scope(experiment_list, run_id, model_id)
        if expression is not None:
            conditions.append(trace_search.compile_filter(expression))
        fingerprint = trace_search.search_fingerprint(experiment_list, filter_string, list(order_by or ()),
                                                    run_id, model_id)
        if page_token:
            after = trace_search.decode_page_token(page_token, fingerprint,
                                                     [trace_search.token_value_type(key) for key in keys])
            conditions.append(trace_search.after_keyset(keys, after))
        query = (select(*_INFO_SELECT, *(key.expression.label(key.label) for key in keys))
                 .where(*conditions)
                 .order_by(*(key.clause() for key in keys)))
        return query, fingerprint

    def count_traces(self, experiment_ids: Sequence[str], run_id: str | None = None,
                     model_id: str | None = None) -> int:
        """How many traces the experiments hold (only a run's or a model's when given), without loading them."""
        conditions = self._scope(check_experiment_ids(experiment_ids), run_id, model_id)
        with self.database.reading() as connection:
            return int(connection.scalar(select(func.count()).select_from(trace_info).where(*conditions)) or 0)

    def root_span_names(self, trace_ids: Sequence[str]) -> dict[str, str]:
        """Trace id -> root span name, read from the trace_info rows (by primary key; no span is loaded)."""
        names: dict[str, str] = {}
        with self.database.reading() as connection:
            for chunk in _chunks(list(trace_ids)):
                query = (select(trace_info.c.trace_id, trace_info.c.root_span_name)
                         .where(trace_info.c.trace_id.in_(chunk), trace_info.c.root_span_name.is_not(None)))
                names.update({trace_id: name for trace_id, name in connection.execute(query)})
        return names

    def llm_usage(self, experiment_ids: Sequence[str], run_id: str | None = None,
                  model_id: str | None = None) -> list[LlmUsage]:
        """Tokens and cost of the traces in scope by LLM model, summed in one SQL aggregate."""
        conditions = self._scope(check_experiment_ids(experiment_ids), run_id, model_id)
        with self.database.reading() as connection:
            return trace_aggregates.llm_usage(connection, self.database.dialect, conditions)

    def search_sessions(self, experiment_ids: Sequence[str], max_results: int = 100,
                        page_token: str | None = None) -> PagedList[TraceSession]:
        """One page of the experiments' conversations, grouped and counted in SQL."""
        ids = check_experiment_ids(experiment_ids)
        check_max_results(max_results, at_most=1000)
        fingerprint = trace_search.search_fingerprint("sessions", ids)
        with self.database.reading() as connection:
            return trace_aggregates.search_sessions(connection, self.database.dialect, self._scope(ids, None, None),
                                                    max_results, page_token, fingerprint)

    def _scope(self, experiment_ids: list[str], run_id: str | None, model_id: str | None) -> list[Any]:
        conditions: list[Any] = []
        if experiment_ids:
            experiment: ColumnElement[Any] = trace_info.c.experiment_id
            if (run_id is not None or model_id is not None) and self.database.dialect == "sqlite":
                # SQLite has no statistics and would walk the (experiment, time) index over every trace of the
                # experiment to find one run's or model's; `|| ''` hides that index, so their own is used.
                experiment = experiment + ""
            conditions.append(experiment.in_(experiment_ids))
        if run_id is not None:
            conditions.append(trace_info.c.run_id == str(run_id))
        if model_id is not None:
            conditions.append(trace_info.c.model_id == str(model_id))
        return conditions

    def _records(self, connection: Connection, info_rows: Sequence[Any], include_spans: bool) -> list[TraceRecord]:
        """Records for trace_info rows: their tags, metadata and (optionally) span texts, loaded a chunk at a time;
        span texts in `TraceData` order (see `span_order`), sorted on the span rows' columns, unparsed."""
        trace_ids = [row[0] for row in info_rows]
        tags: dict[str, dict[str, str]] = {trace_id: {} for trace_id in trace_ids}
        metadata: dict[str, dict[str, str]] = {trace_id: {} for trace_id in trace_ids}
        judged = assessment_rows.for_traces(connection, trace_ids)
        for table, target in ((trace_tags, tags), (trace_metadata, metadata)):
            for trace_id, key, value in rows_by_id(connection, table, _KEY_VALUE_COLUMNS, "trace_id", trace_ids):
                target[trace_id][key] = value
        span_texts = _span_texts(connection, trace_ids) if include_spans else {}
        records = []
        for row in info_rows:
            trace_id = row[0]
            texts, root = span_texts.get(trace_id) or ([], None)
            fields = trace_info_fields(row, tags[trace_id], metadata[trace_id], judged.get(trace_id, []))
            records.append(TraceRecord.from_fields(fields, texts, root))
        return records

    # --- lifecycle ------------------------------------------------------------------------------------------------
    def ping(self) -> None:
        """Raise TracekitException if the database cannot be reached now."""
        self.database.ping()

    def close(self) -> None:
        """Close every pooled connection; the store reconnects if used again."""
        self.database.close()


def _attachment_folders(connection: Connection, trace_ids: Sequence[str],
                        default_root: str) -> list[tuple[str, str]]:
    """(experiment artifact location, trace id) of the traces in `trace_ids` whose exporter moved values out to
    files (it tags them); the folder itself is derived from these, never taken from the tag's value. An experiment
    stored without a location (the Default one) has `<default_root>/<id>`, as the tracking store gives it."""
    query = (select(experiments.c.experiment_id, experiments.c.artifact_location, trace_info.c.trace_id)
             .join(trace_tags, trace_tags.c.trace_id == trace_info.c.trace_id)
             .join(experiments, experiments.c.experiment_id == trace_info.c.experiment_id)
             .where(trace_info.c.trace_id.in_(trace_ids), trace_tags.c.key == TraceTagKey.ARTIFACT_LOCATION))
    return [(row.artifact_location or append_to_uri_path(default_root, row.experiment_id), row.trace_id)
            for row in connection.execute(query)]
