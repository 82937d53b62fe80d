"""Fixtures of the artifact tests: a folder of files to log, and an S3-compatible server (moto's standalone server,
started once per session as its own process on a free 127.0.0.1 port, spoken to over real HTTP with fake
credentials). If the server cannot start, the S3 tests skip, or fail under CI=true."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from ci import require_or_skip
from otlp_receivers import free_port
from waiting import wait_until

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture
def files(tmp_path) -> Path:
    """A local folder to log from: a.txt, sub/b.bin and sub/deeper/c.txt."""
    source = tmp_path / "source"
    (source / "sub" / "deeper").mkdir(parents=True)
    (source / "a.txt").write_text("alpha")
    (source / "sub" / "b.bin").write_bytes(b"\x00\x01\x02")
    (source / "sub" / "deeper" / "c.txt").write_text("gamma")
    return source


@dataclass
class S3Server:
    endpoint: str
    failure: str | None = None


def _answers(endpoint: str) -> bool:
    try:
        return httpx.get(f"{endpoint}/moto-api/", timeout=1.0).status_code < 500
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:
    """moto's S3 server in a process of its own (`python -m moto.server`), stopped at the end of the session."""
    endpoint = f"http://127.0.0.1:{free_port()}"
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as output:
        try:
            process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                                        endpoint.rsplit(":", 1)[1]], stdout=output, stderr=subprocess.STDOUT)
        except OSError as error:
            yield S3Server(endpoint, f"moto server could not start: {error}")
            return
    try:
        if wait_until(lambda: process.poll() is not None or _answers(endpoint), timeout=30) and process.poll() is None:
            yield S3Server(endpoint)
        else:
            yield S3Server(endpoint, f"moto server did not answer on {endpoint}: {log.read_text()[-2000:]}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def s3_endpoint(s3_server, monkeypatch) -> str:
    """The S3 server's endpoint, with TRACEKIT_S3_ENDPOINT_URL and fake AWS credentials set for this test."""
    if s3_server.failure:
        require_or_skip(s3_server.failure)
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CA_BUNDLE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRACEKIT_S3_ENDPOINT_URL", s3_server.endpoint)
    return s3_server.endpoint


@pytest.fixture
def s3_bucket(s3_endpoint) -> str:
    """A new, empty bucket on the S3 server."""
    import boto3

    name = f"tk-{uuid.uuid4().hex[:16]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    return name
