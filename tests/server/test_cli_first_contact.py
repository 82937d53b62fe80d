"""The command line finds what the API finds: experiments by name or id, every experiment for a run's or a model's
traces, an empty result that says where it looked; read commands never create a database; `--version`; `tracekit
server` names its SQLite file and the extra it needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from server_helpers import build_trace

import tracekit
from tracekit.cli import main
from tracekit.store.backend import close_backends, get_backend
from tracekit.store.sql.traces import SqlTraceStore


@pytest.fixture(autouse=True)
def _forget_stores():
    yield
    close_backends()


@pytest.fixture(params=["sqlite", "http"])
def chatbot_store(request, server_db):
    """(tracking URI, id of the experiment 'chatbot', its traces, a run's trace there, the Default's trace)."""
    tracking = get_backend(server_db).tracking
    chatbot_id = tracking.create_experiment("chatbot")
    run_id = tracking.create_run(chatbot_id, start_time=1, tags={}, run_name="r").info.run_id
    in_chatbot = [build_trace(experiment_id=chatbot_id) for _ in range(3)]
    of_run = build_trace(experiment_id=chatbot_id, run_id=run_id)
    in_default = build_trace()
    SqlTraceStore(server_db).write_traces([*in_chatbot, of_run, in_default])
    uri = server_db if request.param == "sqlite" else request.getfixturevalue("live_server").url
    return uri, chatbot_id, run_id, [t.info.trace_id for t in [*in_chatbot, of_run]], in_default.info.trace_id


def search(uri: str, *args: str):
    return CliRunner().invoke(main, ["traces", "search", "--tracking-uri", uri, "-o", "json", *args])


def found_ids(result) -> set[str]:
    assert result.exit_code == 0, result.output
    return {trace["info"]["trace_id"] for trace in json.loads(result.stdout)}


def test_x_takes_an_experiment_name_or_id(chatbot_store):
    uri, chatbot_id, _, chatbot_traces, _ = chatbot_store
    assert found_ids(search(uri, "-x", "chatbot")) == set(chatbot_traces)
    assert found_ids(search(uri, "--experiment-name", chatbot_id)) == set(chatbot_traces)
    assert found_ids(search(uri, "--experiment-id", chatbot_id)) == set(chatbot_traces)


def test_an_unknown_experiment_is_named_with_where_to_look(chatbot_store):
    uri, *_ = chatbot_store
    result = search(uri, "-x", "chatbto")
    assert result.exit_code == 2
    assert "No experiment named or with id 'chatbto'" in result.output
    assert "tracekit experiments search" in result.output and "--all-experiments" in result.output


def test_all_experiments_searches_every_one(chatbot_store):
    uri, _, _, chatbot_traces, default_trace = chatbot_store
    assert found_ids(search(uri, "--all-experiments")) == {*chatbot_traces, default_trace}
    assert search(uri, "--all-experiments", "-x", "chatbot").exit_code == 2


def test_run_id_alone_searches_every_experiment_as_search_traces_does(chatbot_store):
    uri, _, run_id, chatbot_traces, _ = chatbot_store
    assert found_ids(search(uri, "--run-id", run_id)) == {chatbot_traces[-1]}
    tracekit.set_tracking_uri(uri)
    assert [t.info.trace_id for t in tracekit.search_traces(run_id=run_id, return_type="list")] == \
        [chatbot_traces[-1]]


def test_an_empty_result_says_which_experiment_and_store_it_searched(chatbot_store, server_db):
    uri, *_ = chatbot_store
    result = CliRunner().invoke(main, ["traces", "search", "--tracking-uri", uri, "-x", "chatbot",
                                       "--filter", "tags.none = 'x'"])
    assert result.exit_code == 0, result.output
    assert "No traces matching \"tags.none = 'x'\" in experiment 'chatbot'" in result.stderr
    where = server_db.removeprefix("sqlite:///") if uri == server_db else uri
    assert where in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", [
    ["traces", "search"], ["traces", "get", "tr-" + "0" * 32], ["experiments", "search"], ["runs", "search"],
])
def test_read_commands_never_create_a_database(tmp_path, command):
    typo = tmp_path / "tracekti.db"
    result = CliRunner().invoke(main, [*command, "--tracking-uri", f"sqlite:///{typo}"])
    assert result.exit_code == 1
    assert f"No tracking store at {typo}" in result.output and "--tracking-uri" in result.output
    assert not typo.exists() and not list(tmp_path.glob("tracekti.db*"))


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"tracekit {tracekit.__version__}"


def test_server_prints_the_absolute_path_of_its_sqlite_file(server_process, tmp_path):
    server = server_process("sqlite:///relative/server.db", "--log-level", "warning")
    server.start()
    assert f"storing in the SQLite file {tmp_path / 'relative' / 'server.db'}" in server.log_path.read_text()


# Makes importing fastapi and uvicorn fail as if the server extra were not installed.
_NO_SERVER_EXTRA = textwrap.dedent("""
    import sys

    class _NotInstalled:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("fastapi", "uvicorn"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, _NotInstalled())
""")


def test_server_without_the_server_extra_says_what_to_install(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(_NO_SERVER_EXTRA)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}

    def tracekit_cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tracekit.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)

    served = tracekit_cli("server", "--backend-store-uri", f"sqlite:///{tmp_path / 'server.db'}")
    assert served.returncode == 1
    assert "pip install 'tracekit[server]'" in served.stderr and "fastapi, uvicorn" in served.stderr
    assert "Traceback" not in served.stderr and not (tmp_path / "server.db").exists()
    assert tracekit_cli("--help").returncode == 0  # the rest of the command line works without the extra
    assert tracekit_cli("spill", "list").returncode == 0
