"""Run context providers: every new run gets the built-in system tags (user, source, git) and the tags of installed
provider plugins; a provider that fails is logged once and the run starts anyway."""

from __future__ import annotations

import getpass
import logging
import subprocess
import sys

import pytest

import tracekit
from tracekit.plugins.run_context import RUN_CONTEXT_PROVIDER_GROUP

TEAM_PROVIDER = """
    from tracekit.plugins import RunContextProvider

    class TeamContext(RunContextProvider):
        def in_context(self):
            return True

        def tags(self):
            return {"team": "search", "mlflow.source.type": "JOB"}

    class NeverInContext(RunContextProvider):
        def in_context(self):
            return False

        def tags(self):
            raise AssertionError("tags() asked of a provider out of context")
"""


def _run_tags(**kwargs) -> dict[str, str]:
    with tracekit.start_run(**kwargs) as run:
        return tracekit.get_run(run.info.run_id).data.tags


def test_new_run_gets_plugin_tags_beside_the_built_in_ones(plugin_site):
    plugin_site.install("team-tags", "team_tags", TEAM_PROVIDER, RUN_CONTEXT_PROVIDER_GROUP, [
        "team = team_tags:TeamContext", "never = team_tags:NeverInContext"])
    tags = _run_tags()
    assert tags["team"] == "search"
    assert tags["mlflow.source.type"] == "JOB"  # a plugin comes after the built-ins, so it wins
    assert tags["mlflow.user"] == getpass.getuser()
    assert tags["mlflow.source.name"]


def test_tags_given_to_start_run_win_over_providers(plugin_site):
    plugin_site.install("team-tags", "team_tags", TEAM_PROVIDER, RUN_CONTEXT_PROVIDER_GROUP, [
        "team = team_tags:TeamContext"])
    assert _run_tags(tags={"team": "ranking"})["team"] == "ranking"


def test_provider_that_raises_is_logged_once_and_runs_still_start(plugin_site, caplog):
    plugin_site.install("flaky-tags", "flaky_tags", """
        from tracekit.plugins import RunContextProvider

        class Flaky(RunContextProvider):
            def in_context(self):
                return True

            def tags(self):
                raise RuntimeError("metadata service down")
    """, RUN_CONTEXT_PROVIDER_GROUP, ["flaky = flaky_tags:Flaky"])
    with caplog.at_level(logging.ERROR, logger="tracekit.plugins"):
        first, second = _run_tags(), _run_tags()
    assert first["mlflow.user"] == second["mlflow.user"] == getpass.getuser()
    reports = [record for record in caplog.records if "flaky_tags.Flaky" in record.getMessage()]
    assert len(reports) == 1
    assert "metadata service down" in reports[0].getMessage()


def test_plugin_that_fails_to_import_is_reported_once_with_its_distribution(plugin_site, caplog):
    plugin_site.install("broken-tags", "broken_tags", "import module_that_is_not_installed\n",
                        RUN_CONTEXT_PROVIDER_GROUP, ["broken = broken_tags:Provider"])
    plugin_site.install("team-tags", "team_tags", TEAM_PROVIDER, RUN_CONTEXT_PROVIDER_GROUP, [
        "team = team_tags:TeamContext"])
    with caplog.at_level(logging.ERROR, logger="tracekit.plugins"):
        tags = [_run_tags(), _run_tags()]
    assert [run_tags["team"] for run_tags in tags] == ["search", "search"]  # the working plugin is unaffected
    reports = [record.getMessage() for record in caplog.records if "broken_tags" in record.getMessage()]
    assert len(reports) == 1
    assert "broken-tags" in reports[0] and "module_that_is_not_installed" in reports[0]


def test_class_that_is_not_a_provider_is_reported_and_skipped(plugin_site, caplog):
    plugin_site.install("odd-tags", "odd_tags", "class NotAProvider:\n    pass\n",
                        RUN_CONTEXT_PROVIDER_GROUP, ["odd = odd_tags:NotAProvider"])
    with caplog.at_level(logging.ERROR, logger="tracekit.plugins"):
        assert _run_tags()["mlflow.source.type"] == "LOCAL"
    assert any("not a subclass of tracekit.plugins.RunContextProvider" in record.getMessage()
               for record in caplog.records)


def test_provider_missing_a_method_of_the_contract_is_reported_by_name(plugin_site, caplog):
    plugin_site.install("half-tags", "half_tags", """
        from tracekit.plugins import RunContextProvider

        class Half(RunContextProvider):
            def in_context(self):
                return True
    """, RUN_CONTEXT_PROVIDER_GROUP, ["half = half_tags:Half"])
    with caplog.at_level(logging.ERROR, logger="tracekit.plugins"):
        assert "mlflow.user" in _run_tags()
    reports = [record.getMessage() for record in caplog.records if "half_tags:Half" in record.getMessage()]
    assert len(reports) == 1 and "half-tags" in reports[0] and "tags" in reports[0].split("failed to load")[1]


def _git(repo, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def git_repo(tmp_path):
    """A real git repository with one commit on branch `feature`, a remote whose URL carries a token, and a script."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "feature")
    _git(repo, "config", "user.email", "dev@example.com")
    _git(repo, "config", "user.name", "Dev")
    _git(repo, "remote", "add", "origin", "https://s3cret-token@git.example.com/team/model.git")
    (repo / "train.py").write_text(
        "import json, sys, tracekit\n"
        "tracekit.set_tracking_uri(sys.argv[1])\n"
        "with tracekit.start_run() as run:\n"
        "    pass\n"
        "print(json.dumps(tracekit.get_run(run.info.run_id).data.tags))\n")
    _git(repo, "add", "train.py")
    _git(repo, "commit", "-q", "-m", "first")
    return repo


def _script_tags(repo, tmp_path) -> dict[str, str]:
    import json

    done = subprocess.run([sys.executable, str(repo / "train.py"), f"sqlite:///{tmp_path / 'runs.db'}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_run_of_a_script_in_a_git_repository_gets_commit_branch_and_remote(git_repo, tmp_path):
    tags = _script_tags(git_repo, tmp_path)
    assert tags["mlflow.source.git.commit"] == _git(git_repo, "rev-parse", "HEAD")
    assert tags["mlflow.source.git.branch"] == "feature"
    assert tags["mlflow.source.git.repoURL"] == "https://git.example.com/team/model.git"  # the token is not kept
    assert tags["mlflow.source.git.dirty"] == "false"
    assert tags["mlflow.source.name"] == "train.py"


def test_uncommitted_change_marks_the_run_dirty(git_repo, tmp_path):
    with open(git_repo / "train.py", "a") as script:
        script.write("# tuned\n")
    assert _script_tags(git_repo, tmp_path)["mlflow.source.git.dirty"] == "true"


def test_script_outside_a_repository_gets_no_git_tags(tmp_path, monkeypatch):
    script = tmp_path / "outside" / "job.py"
    script.parent.mkdir()
    script.write_text("")
    monkeypatch.setattr(sys, "argv", [str(script)])
    tags = _run_tags()
    assert tags["mlflow.source.name"] == "job.py"
    assert not any(key.startswith("mlflow.source.git.") for key in tags)


def test_run_starts_without_git_tags_when_git_is_not_installed(git_repo, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", [str(git_repo / "train.py")])
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    tags = _run_tags()
    assert tags["mlflow.source.name"] == "train.py"
    assert not any(key.startswith("mlflow.source.git.") for key in tags)
