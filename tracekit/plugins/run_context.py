"""Run context providers: the tags every new run starts with (who started it, from which script, at which git
commit), from the built-in providers below and from plugins in the entry-point group `tracekit.run_context_provider`.

A provider that raises is logged once and skipped: a run always starts.
"""

from __future__ import annotations

import abc
import getpass
import logging
import os
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from tracekit.constants import RunTagKey
from tracekit.plugins.loading import load_instances, merge_provided

logger = logging.getLogger(__name__)

RUN_CONTEXT_PROVIDER_GROUP = "tracekit.run_context_provider"

# git answers a local repository in milliseconds; a hung network filesystem must not hold up start_run.
_GIT_TIMEOUT_S = 2.0


class RunContextProvider(abc.ABC):
    """Tags for new runs from the context the code runs in; `tags()` is asked only when `in_context()` is True.

    >>> class TeamContext(RunContextProvider):
    ...     def in_context(self):
    ...         return "TEAM" in os.environ
    ...     def tags(self):
    ...         return {"team": os.environ["TEAM"]}
    """

    @abc.abstractmethod
    def in_context(self) -> bool:
        """Whether this provider has tags for runs started now."""

    @abc.abstractmethod
    def tags(self) -> dict[str, str]:
        """The tags to add to a new run (the user's own tags win over them)."""


class UserRunContext(RunContextProvider):
    """`mlflow.user`: the operating-system user running the code."""

    def in_context(self) -> bool:
        return True

    def tags(self) -> dict[str, str]:
        try:
            return {RunTagKey.USER: getpass.getuser()}
        except Exception:  # noqa: BLE001 - no user name in some containers; the tag is optional
            return {}


class SourceRunContext(RunContextProvider):
    """`mlflow.source.name` (the script's file name) and `mlflow.source.type` (LOCAL)."""

    def in_context(self) -> bool:
        return True

    def tags(self) -> dict[str, str]:
        tags = {RunTagKey.SOURCE_TYPE: "LOCAL"}
        if sys.argv and sys.argv[0]:
            tags[RunTagKey.SOURCE_NAME] = os.path.basename(sys.argv[0])
        return tags


class GitRunContext(RunContextProvider):
    """`mlflow.source.git.commit`, `.branch`, `.repoURL` and `.dirty` of the git repository holding the script (or
    the working directory when there is no script file); nothing outside a repository or without git."""

    def in_context(self) -> bool:
        return True  # tags() is empty outside a repository

    def tags(self) -> dict[str, str]:
        script = sys.argv[0] if sys.argv else ""
        return dict(_git_tags(script, os.getcwd()))


def _source_directory(script: str, cwd: str) -> str:
    path = Path(cwd, script) if script else None
    if path is not None and path.is_file():
        return str(path.resolve().parent)
    return cwd


def _git(directory: str, *args: str) -> str | None:
    try:
        # Read-only: no index lock taken (the user's own git commands never wait on us), no fsmonitor hook run.
        done = subprocess.run(["git", "-C", directory, "-c", "core.fsmonitor=false", *args], capture_output=True,
                              text=True, timeout=_GIT_TIMEOUT_S, check=False,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):  # no git installed, a timeout
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _without_credentials(url: str) -> str:
    # A remote URL can carry a token as its user name (https://<token>@host/repo); a tag must never show it.
    return re.sub(r"//[^/@]*@", "//", url)


@lru_cache(maxsize=16)
def _git_tags(script: str, cwd: str) -> tuple[tuple[str, str], ...]:
    # Cached per script and working directory: a loop starting thousands of runs runs git once, not four times a run.
    directory = _source_directory(script, cwd)
    commit = _git(directory, "rev-parse", "HEAD")
    if not commit:
        return ()
    tags = {RunTagKey.GIT_COMMIT: commit}
    branch = _git(directory, "rev-parse", "--abbrev-ref", "HEAD")
    if branch and branch != "HEAD":  # "HEAD": a detached checkout has no branch
        tags[RunTagKey.GIT_BRANCH] = branch
    remote = _git(directory, "remote", "get-url", "origin")
    if remote:
        tags[RunTagKey.GIT_REPO_URL] = _without_credentials(remote)
    status = _git(directory, "status", "--porcelain", "--untracked-files=no")
    if status is not None:
        tags[RunTagKey.GIT_DIRTY] = "true" if status else "false"
    return tuple(tags.items())


def run_context_providers() -> list[RunContextProvider]:
    """The built-in providers (user, source, git; entries of `tracekit.plugins.built_ins`), then the installed
    plugins', each built once on the first call."""
    return load_instances(RUN_CONTEXT_PROVIDER_GROUP, RunContextProvider)


def resolve_run_tags() -> dict[str, str]:
    """The tags of every provider in context, later providers winning on a shared key; a provider that raises is
    logged once and skipped."""
    return merge_provided(run_context_providers(), "run context provider", lambda provider: provider.tags())
