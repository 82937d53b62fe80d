"""`SqlModelRegistryStore`: the model registry in the SQL database of a tracking URI (the tables of
tracekit/store/sql/schema.py), sharing the trace and tracking stores' engine.

Version numbers come from the registered model's row: `UPDATE ... SET last_version = last_version + 1` locks that
row until the transaction ends (SQLite's write transaction does the same for the whole file), so two processes
registering versions of one name at once take turns and get consecutive numbers, and a deleted version's number is
never given again. Renaming a model changes its key; ON UPDATE CASCADE carries the new name to its versions, tags
and aliases in the same statement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from tracekit.exceptions import ResourceNotFoundError, TracekitException
from tracekit.registry.entities import ModelVersion, ModelVersionStage, ModelVersionStatus, RegisteredModel
from tracekit.registry.registry_checks import check_alias, check_model_name, check_stage, check_version
from tracekit.registry.registry_store import ModelRegistryStore
from tracekit.store.paging import PagedList
from tracekit.store.search.grammar import MODEL_VERSION_FIELDS, REGISTERED_MODEL_FIELDS
from tracekit.store.sql import tracking_rows
from tracekit.store.sql.database import SqlDatabase, chunks
from tracekit.store.sql.schema import (
    model_version_tags,
    model_versions,
    registered_model_aliases,
    registered_model_tags,
    registered_models,
)
from tracekit.store.sql.tracking_search import SearchTarget, search_page
from tracekit.store.uri import redact_uri
from tracekit.validation import check_key, invalid, now_ms

REGISTERED_MODELS = SearchTarget(
    table=registered_models,
    id_column=registered_models.c.name,
    attributes={"name": registered_models.c.name, "creation_timestamp": registered_models.c.creation_time,
                "last_updated_timestamp": registered_models.c.last_updated_time},
    key_values={"tag": registered_model_tags},
    default_order=(("name", True),),
)

MODEL_VERSIONS = SearchTarget(
    table=model_versions,
    id_column=model_versions.c.name,
    more_id_columns=(model_versions.c.version,),
    attributes={"name": model_versions.c.name, "version_number": model_versions.c.version,
                "run_id": model_versions.c.run_id, "model_id": model_versions.c.model_id,
                "source_path": model_versions.c.source, "status": model_versions.c.status,
                "current_stage": model_versions.c.current_stage,
                "creation_timestamp": model_versions.c.creation_time,
                "last_updated_timestamp": model_versions.c.last_updated_time},
    key_values={"tag": model_version_tags},
    default_order=(("name", True), ("version_number", False)),
)

# Stages whose current versions `archive_existing_versions` moves to Archived.
_ARCHIVABLE_STAGES = (ModelVersionStage.STAGING, ModelVersionStage.PRODUCTION)


class SqlModelRegistryStore(ModelRegistryStore):
    """Model registry on the SQL database of a tracking URI.

    >>> store = SqlModelRegistryStore(SqlDatabase("sqlite:///tracekit.db"))
    >>> store.create_registered_model("churn")
    >>> store.create_model_version("churn", "models:/m-0123...").version
    1
    """

    def __init__(self, database: SqlDatabase) -> None:
        self.database = database

    def __repr__(self) -> str:
        return f"SqlModelRegistryStore({redact_uri(self.database.uri)!r})"

    # --- lookups inside a transaction -----------------------------------------------------------------------------
    @staticmethod
    def _registered_model_row(connection: Connection, name: str, lock: bool = False) -> Any:
        query = select(registered_models).where(registered_models.c.name == name)
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise ResourceNotFoundError(f"Registered model {name!r} does not exist. Create it with "
                                        f"create_registered_model({name!r}), or register a model under that name "
                                        f"with register_model(model_uri, {name!r}).")
        return row

    def _version_row(self, connection: Connection, name: str, version: int, lock: bool = False) -> Any:
        query = select(model_versions).where(model_versions.c.name == name, model_versions.c.version == version)
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is None:
            self._registered_model_row(connection, name)
            numbers = sorted(connection.scalars(select(model_versions.c.version)
                                                .where(model_versions.c.name == name)))
            known = f"its versions are {_number_list(numbers)}" if numbers else "it has no versions"
            raise ResourceNotFoundError(f"Registered model {name!r} has no version {version}; {known}.")
        return row

    @staticmethod
    def _touch(connection: Connection, name: str, now: int | None = None) -> None:
        updated = connection.execute(update(registered_models).where(registered_models.c.name == name)
                                     .values(last_updated_time=now or now_ms())).rowcount
        if not updated:
            SqlModelRegistryStore._registered_model_row(connection, name)

    # --- entities from rows ---------------------------------------------------------------------------------------
    @staticmethod
    def _versions(connection: Connection, rows: Sequence[Any]) -> list[ModelVersion]:
        keys = [(row.name, row.version) for row in rows]
        tags: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
        aliases: dict[tuple[str, int], list[str]] = defaultdict(list)
        for chunk in chunks(keys):
            tag_rows = _rows_of_versions(connection, model_version_tags, chunk, model_version_tags.c.key,
                                         model_version_tags.c.value)
            for name, version, key, value in tag_rows:
                tags[(name, version)][key] = value
            alias_rows = _rows_of_versions(connection, registered_model_aliases, chunk,
                                           registered_model_aliases.c.alias)
            for name, version, alias in sorted(alias_rows):
                aliases[(name, version)].append(alias)
        return [ModelVersion(
            name=row.name, version=int(row.version), creation_timestamp=int(row.creation_time),
            last_updated_timestamp=int(row.last_updated_time), source=row.source,
            status=ModelVersionStatus(row.status), current_stage=row.current_stage, run_id=row.run_id,
            model_id=row.model_id, run_link=row.run_link, description=row.description, user_id=row.user_id,
            status_message=row.status_message, tags=tags.get((row.name, row.version), {}),
            aliases=aliases.get((row.name, row.version), [])) for row in rows]

    def _registered_models(self, connection: Connection, rows: Sequence[Any]) -> list[RegisteredModel]:
        names = [row.name for row in rows]
        tags = tracking_rows.load_key_values(connection, registered_model_tags, "name", names)
        aliases: dict[str, dict[str, int]] = defaultdict(dict)
        latest_keys: list[tuple[str, int]] = []
        for chunk in chunks(names):
            for name, alias, version in connection.execute(
                    select(registered_model_aliases.c.name, registered_model_aliases.c.alias,
                           registered_model_aliases.c.version)
                    .where(registered_model_aliases.c.name.in_(chunk)).order_by(registered_model_aliases.c.alias)):
                aliases[name][alias] = int(version)
            newest = (select(model_versions.c.name, func.max(model_versions.c.version))
                      .where(model_versions.c.name.in_(chunk))
                      .group_by(model_versions.c.name, model_versions.c.current_stage))
            latest_keys.extend((name, int(version)) for name, version in connection.execute(newest))
        latest: dict[str, list[ModelVersion]] = defaultdict(list)
        for version in self._versions(connection, self._version_rows(connection, latest_keys)):
            latest[version.name].append(version)
        return [RegisteredModel(
            name=row.name, creation_timestamp=int(row.creation_time), last_updated_timestamp=int(row.last_updated_time),
            description=row.description, tags=tags.get(row.name, {}), aliases=aliases.get(row.name, {}),
            latest_versions=sorted(latest.get(row.name, []), key=lambda v: v.version)) for row in rows]

    @staticmethod
    def _version_rows(connection: Connection, keys: Sequence[tuple[str, int]]) -> list[Any]:
        rows: list[Any] = []
        for chunk in chunks(list(keys)):
            rows.extend(_rows_of_versions(connection, model_versions, chunk))
        return rows

    def _read_model(self, name: str) -> RegisteredModel:
        with self.database.reading() as connection:
            return self._registered_models(connection, [self._registered_model_row(connection, name)])[0]

    def _read_version(self, name: str, version: int) -> ModelVersion:
        with self.database.reading() as connection:
            return self._versions(connection, [self._version_row(connection, name, version)])[0]

    # --- registered models ----------------------------------------------------------------------------------------
    def create_registered_model(self, name: str, tags: Mapping[str, str] | None = None,
                                description: str | None = None) -> RegisteredModel:
        """Create a registered model with no versions; RESOURCE_ALREADY_EXISTS if the name is taken."""
        name = check_model_name(name)
        checked_tags = {check_key(key, "tag"): value for key, value in (tags or {}).items()}

        def work(connection: Connection) -> None:
            if connection.execute(select(registered_models.c.name)
                                  .where(registered_models.c.name == name)).first() is not None:
                raise _name_taken(name)
            now = now_ms()
            connection.execute(registered_models.insert(), [{
                "name": name, "description": description, "creation_time": now, "last_updated_time": now,
                "last_version": 0}])
            if checked_tags:
                connection.execute(registered_model_tags.insert(), [
                    {"name": name, "key": key, "value": value} for key, value in checked_tags.items()])

        self._write_new_name(work, name)
        return self._read_model(name)

    def _write_new_name(self, work: Any, name: str) -> None:
        """Run `work`, which adds the name `name`; RESOURCE_ALREADY_EXISTS when another process added it first."""
        try:
            self.database.write(work)
        except TracekitException as error:
            if isinstance(error.__cause__, IntegrityError):
                raise _name_taken(name) from None
            raise

    def get_registered_model(self, name: str) -> RegisteredModel:
        """The registered model with its tags, aliases and latest version per stage."""
        return self._read_model(name)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Give a registered model a new, untaken name (its versions, tags and aliases follow)."""
        new_name = check_model_name(new_name)

        def work(connection: Connection) -> None:
            self._registered_model_row(connection, name, lock=True)
            if new_name == name:
                return
            if connection.execute(select(registered_models.c.name)
                                  .where(registered_models.c.name == new_name)).first() is not None:
                raise _name_taken(new_name)
            connection.execute(update(registered_models).where(registered_models.c.name == name)
                               .values(name=new_name, last_updated_time=now_ms()))

        self._write_new_name(work, new_name)
        return self._read_model(new_name)

    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        """Set a registered model's description."""

        def work(connection: Connection) -> None:
            self._registered_model_row(connection, name, lock=True)
            connection.execute(update(registered_models).where(registered_models.c.name == name)
                               .values(description=description, last_updated_time=now_ms()))

        self.database.write(work)
        return self._read_model(name)

    def delete_registered_model(self, name: str) -> None:
        """Delete a registered model with all its versions, tags and aliases."""

        def work(connection: Connection) -> None:
            self._registered_model_row(connection, name, lock=True)
            for table in (registered_model_aliases, model_version_tags, model_versions, registered_model_tags,
                          registered_models):
                connection.execute(delete(table).where(table.c.name == name))

        self.database.write(work)

    def search_registered_models(self, filter_string: str | None = None, max_results: int | None = None,
                                 order_by: Sequence[str] | None = None,
                                 page_token: str | None = None) -> PagedList[RegisteredModel]:
        """Registered models matching the filter, by name unless `order_by` says otherwise."""
        rows, token = search_page(self.database, REGISTERED_MODELS, REGISTERED_MODEL_FIELDS, [], filter_string,
                                  order_by, max_results, page_token, fingerprint=())
        with self.database.reading() as connection:
            return PagedList(self._registered_models(connection, rows), token)

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        """Add or replace one tag of a registered model."""
        key = check_key(key, "tag")

        def work(connection: Connection) -> None:
            self._registered_model_row(connection, name, lock=True)
            self.database.upsert(connection, registered_model_tags, [{"name": name, "key": key, "value": value}],
                                 ["name", "key"])
            self._touch(connection, name)

        self.database.write(work)

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Remove one tag of a registered model; ResourceNotFoundError if it has no such tag."""

        def work(connection: Connection) -> None:
            self._registered_model_row(connection, name, lock=True)
            deleted = connection.execute(delete(registered_model_tags).where(
                registered_model_tags.c.name == name, registered_model_tags.c.key == key)).rowcount
            if not deleted:
                raise ResourceNotFoundError(f"Registered model {name!r} has no tag {key!r}.")
            self._touch(connection, name)

        self.database.write(work)

    # --- versions -------------------------------------------------------------------------------------------------
    def create_model_version(self, name: str, source: str, run_id: str | None = None,
                             tags: Mapping[str, str] | None = None, run_link: str | None = None,
                             description: str | None = None, model_id: str | None = None) -> ModelVersion:
        """Add the next version of an existing registered model, READY (see the module docstring for numbering)."""
        if not isinstance(source, str) or not source.strip():
            raise invalid(f"The source of a new version of {name!r} must be a non-empty URI or path, got {source!r}.")
        checked_tags = {check_key(key, "tag"): value for key, value in (tags or {}).items()}

        def work(connection: Connection) -> ModelVersion:
            now = now_ms()
            # The increment locks the model's row: concurrent registrations of this name wait here for their turn.
            bumped = connection.execute(update(registered_models).where(registered_models.c.name == name)
                                        .values(last_version=registered_models.c.last_version + 1,
                                                last_updated_time=now)).rowcount
            if not bumped:
                self._registered_model_row(connection, name)
            version = int(connection.execute(select(registered_models.c.last_version)
                                             .where(registered_models.c.name == name)).scalar_one())
            created = ModelVersion(name=name, version=version, creation_timestamp=now, last_updated_timestamp=now,
                                   source=source, status=ModelVersionStatus.READY,
                                   current_stage=ModelVersionStage.NONE, run_id=run_id, model_id=model_id,
                                   run_link=run_link, description=description, tags=checked_tags)
            connection.execute(model_versions.insert(), [{
                "name": name, "version": version, "creation_time": now, "last_updated_time": now,
                "description": description, "user_id": None, "current_stage": created.current_stage,
                "source": source, "run_id": run_id, "model_id": model_id, "run_link": run_link,
                "status": created.status.value, "status_message": None}])
            if checked_tags:
                connection.execute(model_version_tags.insert(), [
                    {"name": name, "version": version, "key": key, "value": value}
                    for key, value in checked_tags.items()])
            return created

        return self.database.write(work)

    def get_model_version(self, name: str, version: int) -> ModelVersion:
        """One version, with its tags and aliases."""
        return self._read_version(name, check_version(version, name))

    def update_model_version(self, name: str, version: int, description: str | None) -> ModelVersion:
        """Set a version's description."""
        number = check_version(version, name)

        def work(connection: Connection) -> None:
            self._version_row(connection, name, number, lock=True)
            connection.execute(update(model_versions).where(model_versions.c.name == name,
                                                            model_versions.c.version == number)
                               .values(description=description, last_updated_time=now_ms()))

        self.database.write(work)
        return self._read_version(name, number)

    def delete_model_version(self, name: str, version: int) -> None:
        """Delete a version with its tags and aliases; its number is not given again."""
        number = check_version(version, name)

        def work(connection: Connection) -> None:
            self._version_row(connection, name, number, lock=True)
            for table in (registered_model_aliases, model_version_tags, model_versions):
                connection.execute(delete(table).where(table.c.name == name, table.c.version == number))
            self._touch(connection, name)

        self.database.write(work)

    def search_model_versions(self, filter_string: str | None = None, max_results: int | None = None,
                              order_by: Sequence[str] | None = None,
                              page_token: str | None = None) -> PagedList[ModelVersion]:
        """Versions matching the filter, by name then newest version first unless `order_by` says otherwise."""
        rows, token = search_page(self.database, MODEL_VERSIONS, MODEL_VERSION_FIELDS, [], filter_string, order_by,
                                  max_results, page_token, fingerprint=())
        with self.database.reading() as connection:
            return PagedList(self._versions(connection, rows), token)

    def set_model_version_tag(self, name: str, version: int, key: str, value: str) -> None:
        """Add or replace one tag of a version."""
        number = check_version(version, name)
        key = check_key(key, "tag")

        def work(connection: Connection) -> None:
            self._version_row(connection, name, number, lock=True)
            self.database.upsert(connection, model_version_tags,
                                 [{"name": name, "version": number, "key": key, "value": value}],
                                 ["name", "version", "key"])

        self.database.write(work)

    def delete_model_version_tag(self, name: str, version: int, key: str) -> None:
        """Remove one tag of a version; ResourceNotFoundError if it has no such tag."""
        number = check_version(version, name)

        def work(connection: Connection) -> None:
            self._version_row(connection, name, number, lock=True)
            deleted = connection.execute(delete(model_version_tags).where(
                model_version_tags.c.name == name, model_version_tags.c.version == number,
                model_version_tags.c.key == key)).rowcount
            if not deleted:
                raise ResourceNotFoundError(f"Version {number} of registered model {name!r} has no tag {key!r}.")

        self.database.write(work)

    def transition_model_version_stage(self, name: str, version: int, stage: str,
                                       archive_existing_versions: bool = False) -> ModelVersion:
        """Move a version to a stage, archiving the others in it when asked (Staging and Production only)."""
        number = check_version(version, name)
        stage = check_stage(stage)
        if archive_existing_versions and stage not in _ARCHIVABLE_STAGES:
            raise invalid(f"archive_existing_versions applies to the stages {' and '.join(_ARCHIVABLE_STAGES)}, not "
                          f"{stage!r}: pass archive_existing_versions=False to move version {number} of {name!r} "
                          f"there.")

        def work(connection: Connection) -> None:
            self._registered_model_row(connection, name, lock=True)
            self._version_row(connection, name, number)
            now = now_ms()
            if archive_existing_versions:
                connection.execute(update(model_versions).where(
                    model_versions.c.name == name, model_versions.c.current_stage == stage,
                    model_versions.c.version != number).values(current_stage=ModelVersionStage.ARCHIVED,
                                                               last_updated_time=now))
            connection.execute(update(model_versions).where(model_versions.c.name == name,
                                                            model_versions.c.version == number)
                               .values(current_stage=stage, last_updated_time=now))
            self._touch(connection, name, now)

        self.database.write(work)
        return self._read_version(name, number)

    def get_latest_versions(self, name: str, stages: Sequence[str] | None = None) -> list[ModelVersion]:
        """The newest version in each of `stages` (every stage when None or empty) that has one, by stage order."""
        wanted = [check_stage(stage) for stage in stages] if stages else list(ModelVersionStage.ALL)
        with self.database.reading() as connection:
            self._registered_model_row(connection, name)
            newest = connection.execute(
                select(model_versions.c.current_stage, func.max(model_versions.c.version))
                .where(model_versions.c.name == name, model_versions.c.current_stage.in_(wanted))
                .group_by(model_versions.c.current_stage)).all()
            by_stage = {stage: int(version) for stage, version in newest}
            keys = [(name, by_stage[stage]) for stage in dict.fromkeys(wanted) if stage in by_stage]
            found = {version.version: version
                     for version in self._versions(connection, self._version_rows(connection, keys))}
            return [found[version] for _, version in keys]

    # --- aliases --------------------------------------------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: int) -> None:
        """Point `alias` at a version (moving it if it pointed at another)."""
        alias = check_alias(alias)
        number = check_version(version, name)

        def work(connection: Connection) -> None:
            self._registered_model_row(connection, name, lock=True)
            self._version_row(connection, name, number)
            self.database.upsert(connection, registered_model_aliases,
                                 [{"name": name, "alias": alias, "version": number}], ["name", "alias"])
            self._touch(connection, name)

        self.database.write(work)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias; ResourceNotFoundError if the model has no such alias."""

        def work(connection: Connection) -> None:
            self._registered_model_row(connection, name, lock=True)
            deleted = connection.execute(delete(registered_model_aliases).where(
                registered_model_aliases.c.name == name, registered_model_aliases.c.alias == alias)).rowcount
            if not deleted:
                raise self._no_alias(connection, name, alias)
            self._touch(connection, name)

        self.database.write(work)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version `alias` points at; ResourceNotFoundError naming the alias if it points nowhere."""
        with self.database.reading() as connection:
            self._registered_model_row(connection, name)
            version = connection.execute(select(registered_model_aliases.c.version).where(
                registered_model_aliases.c.name == name, registered_model_aliases.c.alias == alias)).scalar()
            if version is None:
                raise self._no_alias(connection, name, alias)
            return self._versions(connection, [self._version_row(connection, name, int(version))])[0]

    @staticmethod
    def _no_alias(connection: Connection, name: str, alias: str) -> ResourceNotFoundError:
        known = sorted(connection.scalars(select(registered_model_aliases.c.alias)
                                          .where(registered_model_aliases.c.name == name)))
        hint = f"its aliases are {', '.join(known)}" if known else "it has no aliases"
        return ResourceNotFoundError(f"Registered model {name!r} has no alias {alias!r}; {hint}. Set one with "
                                     f"set_registered_model_alias({name!r}, {alias!r}, version).")

    def close(self) -> None:
        """Close the shared database's pooled connections."""
        self.database.close()


def _rows_of_versions(connection: Connection, table: Table, keys: Sequence[tuple[str, int]],
                      *columns: Any) -> list[Any]:
    """The rows of `table` belonging to the versions `keys` (name, version): whole rows, or name, version and
    `columns`. Two IN lists use the (name, version) index on every database, where a row-value IN list is slow on
    PostgreSQL; the few extra rows their cross product matches are dropped here."""
    wanted = set(keys)
    query = select(table) if not columns else select(table.c.name, table.c.version, *columns)
    query = query.where(table.c.name.in_(sorted({name for name, _ in wanted})),
                        table.c.version.in_(sorted({version for _, version in wanted})))
    return [row for row in connection.execute(query) if (row.name, row.version) in wanted]


def _name_taken(name: str) -> TracekitException:
    return TracekitException.already_exists(
        f"Registered model {name!r} already exists. Choose another name, or add a version to it with "
        f"register_model(model_uri, {name!r}) or create_model_version({name!r}, source).")


def _number_list(numbers: Sequence[int], limit: int = 20) -> str:
    shown = ", ".join(str(number) for number in numbers[:limit])
    return shown + (f" and {len(numbers) - limit} more" if len(numbers) > limit else "")
