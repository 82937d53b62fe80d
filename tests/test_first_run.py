"""The first hour: the README's first command installs the core only and the quickstart runs on it; the test command
installs the dev extra itself; CI runs both commands exactly as the README writes them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from importlib.metadata import requires
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Import names of the distributions that only extras install (a new one must be added here, see the last test).
IMPORT_NAMES = {
    "psycopg": "psycopg", "pymysql": "pymysql", "openai": "openai", "anthropic": "anthropic",
    "langchain-core": "langchain_core", "fastapi": "fastapi", "uvicorn": "uvicorn", "schemathesis": "schemathesis",
    "litellm": "litellm", "llama-index-core": "llama_index.core",
    "mistralai": "mistralai", "google-genai": "google.genai",
    "pytest": "pytest", "pytest-asyncio": "pytest_asyncio", "psutil": "psutil", "pydantic": "pydantic",
    "playwright": "playwright", "ruff": "ruff", "mypy": "mypy", "mlflow": "mlflow",
    "opentelemetry-instrumentation-httpx": "opentelemetry.instrumentation.httpx",
    "openinference-instrumentation-openai": "openinference.instrumentation.openai",
    "scikit-learn": "sklearn", "boto3": "boto3", "moto": "moto", "types-pyyaml": "yaml-stubs",
    "matplotlib": "matplotlib", "plotly": "plotly", "pillow": "PIL", "torch": "torch", "lightning": "lightning",
    "dspy": "dspy", "openai-agents": "agents", "xgboost": "xgboost", "xgboost-cpu": "xgboost", "lightgbm": "lightgbm",
}
# Named by an extra but installed with the core anyway (opentelemetry-exporter-otlp depends on it).
CORE_ALREADY = {"opentelemetry-proto"}


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", readme, re.S)]


def _first_command() -> str:
    return next(command for command in _readme_commands() if "examples/quickstart.py" in command)


def _test_command() -> str:
    return next(command for command in _readme_commands() if "pytest" in command)


def _distribution(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower()


def _extras_only_imports() -> list[str]:
    """Import names of what the installed tracekit's extras require beyond its core dependencies."""
    requirements = requires("tracekit") or []
    core = {_distribution(r) for r in requirements if "extra ==" not in r}
    extra = {_distribution(r) for r in requirements if "extra ==" in r} - core - CORE_ALREADY
    return sorted(IMPORT_NAMES[name] for name in extra)


def test_the_first_command_is_one_line_installing_the_core_only():
    command = _first_command()
    assert "\n" not in command
    assert ".venv/bin/pip install -q -e . &&" in command and "[" not in command


def test_the_test_command_is_one_line_installing_the_dev_extra_itself():
    command = _test_command()
    assert "\n" not in command
    assert command.startswith('.venv/bin/pip install -q -e ".[dev]" && ')


def test_ci_runs_both_readme_commands_as_written():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _first_command() in ci_lines
    assert _test_command() in ci_lines
    assert ci_lines.index(_first_command()) < ci_lines.index(_test_command())


def test_every_extra_dependency_has_a_known_import_name():
    _extras_only_imports()  # a KeyError names a dependency to add to IMPORT_NAMES


def test_the_quickstart_runs_with_the_core_dependencies_only(tmp_path):
    blocked = _extras_only_imports()
    assert "fastapi" in blocked and "pytest" in blocked and "psycopg" in blocked
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent("""
        import os
        import sys

        class _NotInstalled:
            blocked = os.environ["TRACEKIT_TEST_BLOCK"].split(",")

            def find_spec(self, name, path=None, target=None):
                if any(name == module or name.startswith(module + ".") for module in self.blocked):
                    raise ModuleNotFoundError(f"No module named {name!r} (an extra's package)", name=name)
                return None

        sys.meta_path.insert(0, _NotInstalled())
    """))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
           "TRACEKIT_TEST_BLOCK": ",".join(blocked)}
    env.pop("TRACEKIT_TRACKING_URI", None)
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "quickstart" not in done.stderr and (tmp_path / "tracekit.db").exists()
    assert "Where are traces stored?" in done.stdout
