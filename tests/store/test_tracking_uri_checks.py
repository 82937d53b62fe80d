"""A wrong tracking URI fails at `set_tracking_uri`, saying what is wrong and what to write instead; nothing is
connected or created there, and a missing database driver says which extra to install."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid

import pytest
from databases import SERVER_URIS, server_database, with_database

import tracekit
from tracekit.exceptions import TracekitException, is_transient_error
from tracekit.store.backend import get_backend


@pytest.mark.parametrize(("uri", "says"), [
    ("mongodb://db.example/traces", "no backend handles the scheme 'mongodb'"),
    ("file:///tmp/mlruns", "not in a folder of files"),
    ("./mlruns", "write 'sqlite:///./mlruns'"),
    ("sqlite://host/traces.db", "three slashes"),
    ("postgresql:///traces", "no host"),
    ("http://tracking:99999", "the port is not a number"),
])
def test_a_uri_no_backend_can_serve_is_refused_at_set_tracking_uri(uri, says):
    before = tracekit.get_tracking_uri()
    with pytest.raises(TracekitException, match=says) as raised:
        tracekit.set_tracking_uri(uri)
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    assert repr(uri) in raised.value.message  # names the value
    assert tracekit.get_tracking_uri() == before  # and keeps the one in use


def test_an_unknown_scheme_lists_what_is_valid():
    with pytest.raises(TracekitException) as raised:
        tracekit.set_tracking_uri("postgress://me@db/traces")
    for valid in ("sqlite:///", "postgresql://", "mysql://", "http(s)://", "tracekit.tracking_store",
                  "built in: http, https, mariadb, mysql, postgres, postgresql, sqlite"):
        assert valid in raised.value.message


def test_a_sqlite_uri_naming_a_folder_is_refused_with_a_file_name_to_use(tmp_path):
    with pytest.raises(TracekitException, match="names the folder") as raised:
        tracekit.set_tracking_uri(f"sqlite:///{tmp_path}")
    assert f"sqlite:///{tmp_path}/tracekit.db" in raised.value.message


def test_set_tracking_uri_creates_nothing_and_connects_to_nothing(tmp_path):
    tracekit.set_tracking_uri(f"sqlite:///{tmp_path / 'later' / 'traces.db'}")
    tracekit.set_tracking_uri("postgresql://nobody@127.0.0.1:1/unreachable")  # no server there: found on first use
    tracekit.set_tracking_uri("https://tracking.example:8443")
    assert not (tmp_path / "later").exists()


def test_an_unreachable_database_is_transient_and_a_refused_one_permanent():
    server_database("postgresql")  # the server is up (skips, or fails under CI=true, when it is not)
    missing = with_database(SERVER_URIS["postgresql"], f"tk_missing_{uuid.uuid4().hex[:8]}")
    with pytest.raises(TracekitException, match="does not exist") as refused:
        get_backend(missing)
    assert "Fix the user, password or database name" in refused.value.message
    assert not is_transient_error(refused.value)
    with pytest.raises(TracekitException, match="refused") as unreachable:
        get_backend("postgresql://postgres@127.0.0.1:1/test")
    assert is_transient_error(unreachable.value)


def test_an_unknown_mysql_database_is_permanent():
    server_database("mysql")
    missing = with_database(SERVER_URIS["mysql"], f"tk_missing_{uuid.uuid4().hex[:8]}")
    with pytest.raises(TracekitException, match="Unknown database") as refused:
        get_backend(missing)
    assert not is_transient_error(refused.value)


# Makes `import <module>` fail as if the package were not installed, for the modules named in TRACEKIT_TEST_BLOCK.
_BLOCKER = textwrap.dedent("""
    import os
    import sys

    class _NotInstalled:
        blocked = set(os.environ["TRACEKIT_TEST_BLOCK"].split(","))

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.blocked:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, _NotInstalled())
""")


@pytest.mark.parametrize(("uri", "blocked", "extra"), [
    ("postgresql://me@127.0.0.1:5432/traces", "psycopg", "postgres"),
    ("mysql://me@127.0.0.1:3306/traces", "pymysql", "mysql"),
])
def test_a_missing_driver_is_refused_at_set_tracking_uri_with_the_extra_to_install(tmp_path, uri, blocked, extra):
    (tmp_path / "sitecustomize.py").write_text(_BLOCKER)
    script = textwrap.dedent(f"""
        import tracekit
        try:
            tracekit.set_tracking_uri({uri!r})
        except tracekit.TracekitException as error:
            print(error.error_code)
            print(error.message)
        else:
            print("accepted")
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
           "TRACEKIT_TEST_BLOCK": blocked}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    code, message = done.stdout.split("\n", 1)
    assert code == "INVALID_PARAMETER_VALUE"
    assert f"pip install 'tracekit[{extra}]'" in message and repr(uri) in message
    assert not list(tmp_path.glob("*.db"))
