"""`--env-manager virtualenv`: a virtual environment built from a model's `python_env.yaml` and `requirements.txt`
with the standard library's `venv` and pip, kept under TRACEKIT_ENV_ROOT (~/.tracekit/envs) in a folder named for
the hash of what it was built from, and reused by every later run with the same files.

What goes in:
- an interpreter of the Python version python_env.yaml names, found on this machine (the running one, then
  `pythonX.Y` and `python3` on PATH); nothing is downloaded to get one, so a version not installed here is an error;
- the build dependencies of python_env.yaml and the model's requirements, each line checked to be a plain
  requirement (`name[extras] <specifiers> ; marker`): a model's files are hostile, so pip options (`--index-url`,
  `-e`, `--extra-index-url`, `-r` other than python_env.yaml's own `-r requirements.txt`), URLs and paths are refused.
  pip installs them with the user's own pip configuration (its index and find-links);
- tracekit itself from the running installation rather than from the model's `tracekit==...` line (tracekit may be
  on no index, and another project's package may hold the name on an index): the source checkout it runs from
  (installed editable), else the local wheel or folder its metadata says it was installed from, else
  `tracekit==<version>` from the configured index (where such an installation came from).

The environment is isolated (no `--system-site-packages`): the system site-packages are not where the running
tracekit lives when it runs from a virtual environment, and sharing them would let packages of this machine hide a
requirement the model forgot.

A half-built environment (pip failed, the process was killed) has no completion marker and is rebuilt; a file lock
keeps two processes from building the same one at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml

from tracekit import config
from tracekit.exceptions import TracekitException
from tracekit.models.environment import PYTHON_ENV_FILE, REQUIREMENTS_FILE

logger = logging.getLogger(__name__)

_COMPLETE_MARKER = ".tracekit-env-complete"
_PYTHON_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")
# A plain PEP 508 requirement: a name, extras, version specifiers and an environment marker; no URL, path or option.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_SPECIFIER = r"(?:===|==|!=|<=|>=|~=|<|>)\s*[A-Za-z0-9.*+!_-]+"
_REQUIREMENT = re.compile(
    rf"^(?P<name>{_NAME})\s*(?:\[\s*{_NAME}(?:\s*,\s*{_NAME})*\s*\])?\s*"
    rf"(?:\(?\s*{_SPECIFIER}(?:\s*,\s*{_SPECIFIER})*\s*\)?)?\s*"
    r"(?:;\s*[A-Za-z0-9_.\s'\"<>=!~(),-]+)?$")
_TRACEKIT = "tracekit"


@dataclass(frozen=True)
class ModelEnvironment:
    """What a model's environment files ask for: a Python version (None when unstated), build dependencies and
    requirements (each a checked requirement line)."""

    python_version: str | None
    build_dependencies: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def check_requirement(line: str, where: str) -> str:
    """`line` stripped if it is a plain requirement; TracekitException naming `where` for an option, a URL, a path
    or anything else pip would do more with than install a named package from the configured index."""
    text = line.strip()
    if text.startswith("-"):
        raise TracekitException.invalid_parameter_value(
            f"{where}: the line {text!r} is a pip option; a model's requirements may only name packages (options "
            f"such as --index-url, --extra-index-url or -e would let a model choose where code comes from). Remove it "
            f"and configure indexes in your own pip configuration.")
    if "@" in text or "://" in text or "/" in text or "\\" in text:
        raise TracekitException.invalid_parameter_value(
            f"{where}: the line {text!r} is a URL or path requirement; only named packages from the configured "
            f"index are installed.")
    if not _REQUIREMENT.match(text):
        raise TracekitException.invalid_parameter_value(
            f"{where}: the line {text!r} is not a requirement (expected `name[extras] <specifiers> ; marker`, "
            f"e.g. scikit-learn==1.5.2).")
    return text


def _requirement_name(line: str) -> str:
    match = _REQUIREMENT.match(line)
    assert match is not None
    return _normalized(match.group("name"))


def _requirement_lines(text: str, where: str) -> list[str]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.split(" #", 1)[0].strip()
        if stripped and not stripped.startswith("#"):
            lines.append(check_requirement(stripped, f"{where}, line {number}"))
    return lines


def checked_requirements_file(model_dir: str) -> list[str]:
    """The requirement lines of the model's requirements.txt (none when it has no such file), each checked as
    `check_requirement` does."""
    path = os.path.join(model_dir, REQUIREMENTS_FILE)
    text = Path(path).read_text(encoding="utf-8") if os.path.isfile(path) else ""
    return _requirement_lines(text, REQUIREMENTS_FILE)


def read_model_environment(model_dir: str) -> ModelEnvironment:
    """The environment the model in `model_dir` declares: python_env.yaml (its `dependencies` may only be plain
    requirements or `-r requirements.txt`), else requirements.txt alone; TracekitException for hostile content."""
    env_path = os.path.join(model_dir, PYTHON_ENV_FILE)
    requirements_path = os.path.join(model_dir, REQUIREMENTS_FILE)
    if not os.path.isfile(env_path):
        return ModelEnvironment(None, [], checked_requirements_file(model_dir))
    try:
        declared = yaml.safe_load(Path(env_path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise TracekitException.invalid_parameter_value(f"{PYTHON_ENV_FILE} is not valid YAML: {error}") from None
    if not isinstance(declared, dict):
        raise TracekitException.invalid_parameter_value(f"{PYTHON_ENV_FILE} must be a mapping with a `python` key.")
    python = declared.get("python")
    python_version = None if python is None else str(python).strip()
    if python_version is not None and not _PYTHON_VERSION.match(python_version):
        raise TracekitException.invalid_parameter_value(
            f"{PYTHON_ENV_FILE}: python {python_version!r} is not a version such as 3.11 or 3.11.4.")
    build = _string_list(declared.get("build_dependencies"), "build_dependencies")
    build_dependencies = [check_requirement(line, f"{PYTHON_ENV_FILE}, build_dependencies") for line in build]
    requirements: list[str] = []
    for line in _string_list(declared.get("dependencies"), "dependencies"):
        if re.fullmatch(r"-r\s+requirements\.txt", line.strip()):
            if not os.path.isfile(requirements_path):
                raise TracekitException.invalid_parameter_value(
                    f"{PYTHON_ENV_FILE} refers to {REQUIREMENTS_FILE}, which the model does not have.")
            requirements += checked_requirements_file(model_dir)
        else:
            requirements.append(check_requirement(line, f"{PYTHON_ENV_FILE}, dependencies"))
    return ModelEnvironment(python_version, build_dependencies, requirements)


def _string_list(value: object, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, (str, int, float)) for item in value):
        raise TracekitException.invalid_parameter_value(f"{PYTHON_ENV_FILE}: {key} must be a list of strings.")
    return [str(item) for item in value]


def _interpreter_version(executable: str) -> str | None:
    try:
        found = subprocess.run([executable, "-c", "import platform; print(platform.python_version())"],
                               capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = found.stdout.strip()
    return version if found.returncode == 0 and _PYTHON_VERSION.match(version) else None


def find_interpreter(python_version: str | None) -> tuple[str, str]:
    """(executable, its full version) of an interpreter here matching `python_version` (all the components it
    gives; None: the running one); TracekitException listing the interpreters found when none matches."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    if python_version is None:
        return sys.executable, running
    wanted = python_version.split(".")
    candidates = [sys.executable]
    for name in (f"python{wanted[0]}.{wanted[1]}", f"python{wanted[0]}", "python3"):
        path = shutil.which(name)
        if path and path not in candidates:
            candidates.append(path)
    found: list[str] = []
    for executable in candidates:
        version = running if executable == sys.executable else _interpreter_version(executable)
        if version is None:
            continue
        found.append(f"{executable} ({version})")
        if version.split(".")[:len(wanted)] == wanted:
            return executable, version
    raise TracekitException.invalid_parameter_value(
        f"The model needs Python {python_version} ({PYTHON_ENV_FILE}), and no interpreter here is that version "
        f"(found: {', '.join(found) or 'none'}). Install Python {python_version} so that python"
        f"{wanted[0]}.{wanted[1]} is on PATH, or serve the model with --env-manager local.")


def tracekit_install_args() -> tuple[list[str], str]:
    """The pip arguments that install the running tracekit (with its server extra) into another environment, and a
    text identifying that installation for the environment's hash.

    Found from where the running package lives, never by asking an index for the name `tracekit` first (another
    project may publish that name): a source checkout (the package's parent folder holds tracekit's
    pyproject.toml) is installed editable; an installation whose metadata beside it records a local wheel or folder
    (PEP 610 direct_url.json) is installed from that; only an installation with no such record came from an index,
    and `tracekit[server]==<its version>` is asked of the configured index."""
    import tracekit

    package_dir = Path(tracekit.__file__).resolve().parent
    source = package_dir.parent
    pyproject = source / "pyproject.toml"
    if pyproject.is_file() and re.search(r'(?m)^name\s*=\s*"tracekit"\s*$', pyproject.read_text(encoding="utf-8")):
        return ["-e", f"{source}[server]"], f"source {source} {tracekit.__version__}"
    for metadata in sorted(source.glob("tracekit-*.dist-info")):
        direct_url = metadata / "direct_url.json"
        if not direct_url.is_file():
            continue
        try:
            described = json.loads(direct_url.read_text(encoding="utf-8"))
        except ValueError:
            continue
        url = described.get("url", "") if isinstance(described, dict) else ""
        local = unquote(urlparse(url).path) if isinstance(url, str) and url.startswith("file://") else ""
        if local and os.path.exists(local):
            return [f"{local}[server]"], f"{url} {tracekit.__version__}"
        raise TracekitException.invalid_state(
            f"The running tracekit was installed from {url!r}, which cannot be installed into a model's virtual "
            f"environment from here; reinstall tracekit from a local wheel or source folder, or use --env-manager "
            f"local.")
    return [f"tracekit[server]=={tracekit.__version__}"], f"tracekit=={tracekit.__version__}"


def environment_key(environment: ModelEnvironment, python_full_version: str, tracekit_identity: str) -> str:
    """The hash naming the environment built from these inputs (the model's env files as read, the interpreter's
    version and the tracekit installation)."""
    described = json.dumps({"python": python_full_version, "build": environment.build_dependencies,
                            "requirements": environment.requirements, "tracekit": tracekit_identity}, sort_keys=True)
    return hashlib.sha256(described.encode("utf-8")).hexdigest()[:40]


def env_root() -> Path:
    """The folder holding the environments (TRACEKIT_ENV_ROOT, else ~/.tracekit/envs)."""
    configured = config.ENV_ROOT.get()
    return Path(configured).expanduser() if configured else Path.home() / ".tracekit" / "envs"


def _env_python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_logged(command: list[str], log_path: Path, what: str) -> None:
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"$ {' '.join(command)}\n")
        log.flush()
        finished = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
    if finished.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        raise TracekitException.invalid_state(
            f"Building the model's virtual environment failed while {what} (exit code {finished.returncode}); "
            f"the end of {log_path}:\n" + "\n".join(tail))


def _requirements_without_tracekit(requirements: list[str]) -> list[str]:
    return [line for line in requirements if _requirement_name(line) != _TRACEKIT]


def prepare_virtualenv(model_dir: str) -> Path:
    """The Python executable of the virtual environment for the model in `model_dir`: reused when one was built
    from the same files, else built now (which takes a while: pip installs every requirement)."""
    environment = read_model_environment(model_dir)
    executable, full_version = find_interpreter(environment.python_version)
    tracekit_args, tracekit_identity = tracekit_install_args()
    root = env_root()
    root.mkdir(parents=True, exist_ok=True)
    env_dir = root / environment_key(environment, full_version, tracekit_identity)
    with _locked(root / f"{env_dir.name}.lock"):
        if (env_dir / _COMPLETE_MARKER).is_file():
            logger.info("Reusing the model's virtual environment %s", env_dir)
            return _env_python(env_dir)
        if env_dir.exists():
            shutil.rmtree(env_dir)  # a build that did not finish
        logger.info("Building a virtual environment for the model in %s (Python %s)", env_dir, full_version)
        log_path = root / f"{env_dir.name}.log"
        log_path.write_text("", encoding="utf-8")
        _run_logged([executable, "-m", "venv", str(env_dir)], log_path, "creating it with venv")
        python = str(_env_python(env_dir))
        pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
        if environment.build_dependencies:
            _run_logged([*pip, *environment.build_dependencies], log_path, "installing its build dependencies")
        requirements = _requirements_without_tracekit(environment.requirements)
        requirements_file = env_dir / "tracekit-model-requirements.txt"
        requirements_file.write_text("".join(f"{line}\n" for line in requirements), encoding="utf-8")
        _run_logged([*pip, "-r", str(requirements_file), *tracekit_args], log_path,
                    "installing the model's requirements and tracekit")
        (env_dir / _COMPLETE_MARKER).write_text(json.dumps({"python": full_version}), encoding="utf-8")
        return Path(python)


def model_virtualenv_python(model_uri: str) -> Path:
    """The environment's Python for the model at `model_uri` (only its environment files are fetched)."""
    import tempfile

    from tracekit.models.model_uris import download_model_file

    download_model_file(model_uri, "MLmodel")  # a URI naming no model fails here, naming it
    with tempfile.TemporaryDirectory(prefix="tracekit-env-files-") as scratch:
        for name in (PYTHON_ENV_FILE, REQUIREMENTS_FILE):
            try:
                path = download_model_file(model_uri, name)
            except TracekitException:
                continue  # the model has no such file
            if os.path.isfile(path):
                shutil.copyfile(path, os.path.join(scratch, name))
        return prepare_virtualenv(scratch)
