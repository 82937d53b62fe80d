"""The scoring-server processes of the `local` deployment target: started detached (their own session, so they
outlive the command that created them), waited on until `/ping` answers, identified by pid *and* start time (a
recorded pid the system has since given to another process is stale, and is never signalled), stopped with their
whole process group (uvicorn's workers included)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tracekit.exceptions import TracekitException

# Popen objects of servers this process started, kept so they are reaped (no zombie) when they stop.
_children: dict[int, subprocess.Popen[bytes]] = {}

_STOP_GRACE_SECONDS = 15.0


def free_port(host: str) -> int:
    """A TCP port nothing listens on at `host` now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def process_start_time(pid: int) -> str | None:
    """When process `pid` started, as the kernel counts it (Linux /proc), or None where that cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (command) ": state is fields[0]
    return fields[19] if len(fields) > 19 else None


def _reap(pid: int) -> None:
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        _children.pop(pid, None)


def is_running(pid: int | None, start_time: str | None) -> bool:
    """Whether `pid` is alive and still the process that was recorded (same start time when one was recorded)."""
    if not pid:
        return False
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process now: not ours
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
        if state[state.rindex(")") + 2:].startswith("Z"):
            return False
    except OSError:
        pass
    return start_time is None or process_start_time(pid) in (None, start_time)


def answers_ping(url: str, timeout: float = 2.0) -> bool:
    """Whether the scoring server at `url` answers GET /ping with 200."""
    try:
        return httpx.get(f"{url}/ping", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def _log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start_server(model_uri: str, host: str, port: int, workers: int, env_manager: str, log: Path,
                 env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start `tracekit models serve` for `model_uri` detached from this process, its output going to `log`."""
    command = [sys.executable, "-m", "tracekit.cli", "models", "serve", "-m", model_uri, "--host", host,
               "--port", str(port), "--workers", str(workers), "--env-manager", env_manager]
    with open(log, "ab") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, start_new_session=True)
    _children[process.pid] = process
    return process


def wait_ready(process: subprocess.Popen[bytes], url: str, timeout: float, log: Path) -> None:
    """Return once the server answers /ping; TracekitException (the server stopped) when it exits first or does
    not answer within `timeout` seconds, with the end of its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _children.pop(process.pid, None)
            raise TracekitException.invalid_state(
                f"The scoring server exited with code {process.returncode} before answering; the end of {log}:\n"
                f"{_log_tail(log)}")
        if answers_ping(url, timeout=1.0):
            return
        time.sleep(0.2)
    stop(process.pid, process_start_time(process.pid))
    raise TracekitException.invalid_state(
        f"The scoring server did not answer {url}/ping within {timeout:g} seconds and was stopped (raise the wait "
        f"with -C timeout=<seconds>); the end of {log}:\n{_log_tail(log)}")


def stop(pid: int | None, start_time: str | None) -> bool:
    """Stop the server `pid` and its process group (SIGTERM, then SIGKILL after a grace period) if it is still the
    recorded process; whether there was one to stop."""
    if pid is None or not is_running(pid, start_time):
        return False
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_GRACE_SECONDS
    while time.monotonic() < deadline:
        if not is_running(pid, start_time):
            break
        time.sleep(0.1)
    else:
        _signal_group(pid, signal.SIGKILL)
    child = _children.pop(pid, None)
    if child is not None:
        child.wait(_STOP_GRACE_SECONDS)
    return True


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)  # the server leads its own session: its group is it and its workers
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
