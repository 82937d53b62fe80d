"""`tracekit models generate-dockerfile`: a build directory holding the model's files (`model_dir/`) and a
Dockerfile that installs the model's requirements and tracekit's server extra on the Python version the model was
saved with, then serves it with `tracekit models serve` on port 8080. Nothing is built or pulled here."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil

import yaml

from tracekit import __version__
from tracekit.exceptions import TracekitException
from tracekit.models.environment import PYTHON_ENV_FILE, REQUIREMENTS_FILE

MODEL_DIR = "model_dir"
SERVING_PORT = 8080
_PYTHON_VERSION = re.compile(r"^(\d+)\.(\d+)(\.\d+)?$")


def _python_minor_version(model_dir: str) -> str:
    """`3.11` from the model's python_env.yaml; this interpreter's when the file is missing or its value is not a
    plain version (so nothing from the file other than digits reaches the Dockerfile)."""
    path = os.path.join(model_dir, PYTHON_ENV_FILE)
    declared = None
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as file:
            try:
                loaded = yaml.safe_load(file)
            except yaml.YAMLError:
                loaded = None
        declared = str(loaded.get("python", "")) if isinstance(loaded, dict) else None
    match = _PYTHON_VERSION.match(declared or "") or _PYTHON_VERSION.match(platform.python_version())
    assert match is not None
    return f"{match.group(1)}.{match.group(2)}"


def generate_dockerfile(model_uri: str, output_directory: str) -> str:
    """Copy the model at `model_uri` into `output_directory/model_dir` and write `output_directory/Dockerfile`;
    the Dockerfile's path."""
    from tracekit.models.model_uris import download_model

    if os.path.exists(os.path.join(output_directory, MODEL_DIR)):
        raise TracekitException.invalid_parameter_value(
            f"{os.path.join(output_directory, MODEL_DIR)!r} already exists; give an empty or new output directory.")
    os.makedirs(output_directory, exist_ok=True)
    local = download_model(model_uri)
    from tracekit.models.virtualenv_manager import checked_requirements_file

    checked_requirements_file(local)  # the image pip-installs it: refuse option, URL and path lines first
    target = os.path.join(output_directory, MODEL_DIR)
    shutil.copytree(local, target)
    container_model = "/opt/ml/model"
    install = [f"python -m pip install --no-cache-dir -r {container_model}/{REQUIREMENTS_FILE}"] if os.path.isfile(
        os.path.join(target, REQUIREMENTS_FILE)) else []
    install.append(f"python -m pip install --no-cache-dir \"tracekit[server]=={__version__}\"")
    serve = ["tracekit", "models", "serve", "-m", container_model, "--host", "0.0.0.0", "--port", str(SERVING_PORT)]
    lines = [
        f"# Serves the model {json.dumps(model_uri)} with `tracekit models serve`; traces go to the tracking URI",
        "# given at run time: docker run -p 8080:8080 -e TRACEKIT_TRACKING_URI=<uri> <image>",
        f"FROM python:{_python_minor_version(target)}-slim",
        f"COPY {MODEL_DIR} {container_model}",
        "RUN " + " && ".join(install),
        f"EXPOSE {SERVING_PORT}",
        f"CMD {json.dumps(serve)}",
    ]
    path = os.path.join(output_directory, "Dockerfile")
    with open(path, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    return path
