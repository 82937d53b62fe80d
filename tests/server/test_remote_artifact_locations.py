"""Through a tracking server, experiments, runs and logged models carry the artifact locations its store made."""

from __future__ import annotations

from server_helpers import ThreadedServer

import tracekit
from tracekit.server import ServerSettings, create_app
from tracekit.store.backend import close_backends


def test_the_tracking_server_reports_locations_made_by_its_store(server_db, tmp_path):
    # A server proxying artifacts (the default) gives tracekit-artifacts:/ locations (tests/server/test_artifacts_*);
    # one that does not leaves them to its store.
    live_server = ThreadedServer(create_app(ServerSettings(backend_store_uri=server_db, serve_artifacts=False))).start()
    close_backends()
    tracekit.set_tracking_uri(live_server.url)
    root = str(tmp_path / "tracekit-artifacts")  # beside the server's SQLite file
    assert tracekit.get_experiment("0").artifact_location == f"{root}/0"
    experiment_id = tracekit.create_experiment("remote")
    assert tracekit.get_experiment(experiment_id).artifact_location == f"{root}/{experiment_id}"
    with tracekit.start_run(experiment_id=experiment_id) as run:
        model = tracekit.initialize_logged_model(name="remote-model")
    assert run.info.artifact_uri == f"{root}/{experiment_id}/{run.info.run_id}/artifacts"
    assert tracekit.get_run(run.info.run_id).info.artifact_uri == run.info.artifact_uri
    assert model.artifact_location == f"{root}/{experiment_id}/models/{model.model_id}/artifacts"
    assert tracekit.get_logged_model(model.model_id).artifact_location == model.artifact_location
    close_backends()
    live_server.stop()
