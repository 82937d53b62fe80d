"""Model registry: registering versions, and searching and resolving them among 10,000 versions.

    python benchmarks/registry.py [--versions 10000] [--registrations 500] [--postgres-uri URI]

Registering: `create_model_version` (its counter locked, then the version row and a tag) one call at a time, beside
the baseline of the bare inserts of the same rows, one transaction each.

Searching: 10,000 versions of 100 registered models (one tag each, run ids shared by 10 versions) are written
straight into the tables (setup, not measured); then `search_model_versions` by `run_id` (an index), by a tag
(`tags.validated = 'yes'`, 10% match, loaded with tags and aliases) and by name, each beside the bare SQL query
finding the same keys; and resolving `models:/<name>@champion` beside `get_model_version` of the same version.

Runs on a new SQLite file, and on PostgreSQL when --postgres-uri (or TRACEKIT_BENCH_POSTGRES_URI) names a database
that answers (its registry tables are emptied first). Figures are medians of --repeats.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, select

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import median_ms, peak_rss_mb  # noqa: E402

import tracekit  # noqa: E402
from tracekit.registry.registered_model_uris import registry_model_version  # noqa: E402
from tracekit.store.backend import close_backends, get_backend  # noqa: E402
from tracekit.store.sql import schema  # noqa: E402

MODELS = 100
RUN_SHARE = 10
REGISTRY_TABLES = (schema.registered_model_aliases, schema.model_version_tags, schema.model_versions,
                   schema.registered_model_tags, schema.registered_models)


def empty_registry(database) -> None:
    with database.engine.begin() as connection:
        for table in REGISTRY_TABLES:
            connection.execute(delete(table))


def bench_registration(uri: str, count: int) -> list[tuple[str, float, float]]:
    client = tracekit.TracekitClient(tracking_uri=uri)
    database = get_backend(uri).resource
    client.create_registered_model("registering")
    start = time.perf_counter()
    for i in range(count):
        client.create_model_version("registering", f"models:/m-{i:032x}", tags={"i": str(i)})
    registered = (time.perf_counter() - start) / count * 1e6
    now = int(time.time() * 1000)
    start = time.perf_counter()
    for i in range(count):
        with database.engine.begin() as connection:
            connection.execute(schema.model_versions.insert(), [{
                "name": "registering", "version": count + i + 1, "creation_time": now, "last_updated_time": now,
                "current_stage": "None", "source": f"models:/m-{i:032x}", "status": "READY"}])
            connection.execute(schema.model_version_tags.insert(), [{
                "name": "registering", "version": count + i + 1, "key": "i", "value": str(i)}])
    bare = (time.perf_counter() - start) / count * 1e6
    return [("create_model_version (µs per call)", registered, bare)]


def seed(database, versions: int) -> None:
    now = int(time.time() * 1000)
    per_model = versions // MODELS
    with database.engine.begin() as connection:
        connection.execute(schema.registered_models.insert(), [
            {"name": f"model-{m:03d}", "creation_time": now, "last_updated_time": now, "last_version": per_model}
            for m in range(MODELS)])
        rows = [{"name": f"model-{m:03d}", "version": v, "creation_time": now + v, "last_updated_time": now + v,
                 "current_stage": "None", "source": f"runs:/run-{(m * per_model + v) // RUN_SHARE}/model",
                 "run_id": f"run-{(m * per_model + v) // RUN_SHARE}", "status": "READY"}
                for m in range(MODELS) for v in range(1, per_model + 1)]
        connection.execute(schema.model_versions.insert(), rows)
        connection.execute(schema.model_version_tags.insert(), [
            {"name": row["name"], "version": row["version"], "key": "validated",
             "value": "yes" if row["version"] % 10 == 0 else "no"} for row in rows])
        connection.execute(schema.registered_model_aliases.insert(), [
            {"name": f"model-{m:03d}", "alias": "champion", "version": per_model} for m in range(MODELS)])


def bench_search(uri: str, versions: int, repeats: int) -> list[tuple[str, float, float]]:
    database = get_backend(uri).resource
    empty_registry(database)
    seed(database, versions)
    client = tracekit.TracekitClient(tracking_uri=uri)
    mv, tags = schema.model_versions, schema.model_version_tags

    def bare(query):
        def run():
            with database.engine.connect() as connection:
                return connection.execute(query).all()
        return run

    tagged = (select(mv.c.name, mv.c.version).join(tags, (tags.c.name == mv.c.name) & (tags.c.version == mv.c.version))
              .where(tags.c.key == "validated", tags.c.value == "yes"))
    cases = [
        ("search run_id = 'run-42'", "run_id = 'run-42'",
         select(mv.c.name, mv.c.version).where(mv.c.run_id == "run-42")),
        ("search tags.validated = 'yes' (10%)", "tags.validated = 'yes'", tagged),
        ("search name = 'model-007'", "name = 'model-007'",
         select(mv.c.name, mv.c.version).where(mv.c.name == "model-007")),
    ]
    results = []
    for label, filter_string, query in cases:
        found = len(client.search_model_versions(filter_string, max_results=10_000))
        assert found == len(bare(query)()), label
        results.append((f"{label}: {found} versions (ms)",
                        median_ms(lambda f=filter_string: client.search_model_versions(f, max_results=10_000),
                                  repeats),
                        median_ms(bare(query), repeats)))
    per_model = versions // MODELS
    results.append(("resolve models:/model-042@champion (ms)",
                    median_ms(lambda: registry_model_version("models:/model-042@champion", uri), repeats),
                    median_ms(lambda: client.get_model_version("model-042", per_model), repeats)))
    return results


def report(backend: str, rows: list[tuple[str, float, float]]) -> None:
    print(f"\n{backend}")
    print(f"  {'measure':58} {'tracekit':>10} {'baseline':>10} {'ratio':>7}")
    for label, measured, baseline in rows:
        print(f"  {label:58} {measured:10.2f} {baseline:10.2f} {measured / baseline:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=10_000)
    parser.add_argument("--registrations", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--postgres-uri", default=os.environ.get("TRACEKIT_BENCH_POSTGRES_URI"))
    args = parser.parse_args()
    uris = [("sqlite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'registry.db'}")]
    if args.postgres_uri:
        uris.append(("postgresql", args.postgres_uri))
    for backend, uri in uris:
        empty_registry(get_backend(uri).resource)
        rows = bench_registration(uri, args.registrations) + bench_search(uri, args.versions, args.repeats)
        empty_registry(get_backend(uri).resource)
        report(backend, rows)
        close_backends()
    print(f"\npeak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
