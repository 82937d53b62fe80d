"""log_figure and log_image: real matplotlib, plotly, numpy and Pillow objects written as image and HTML files."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import tracekit
from tracekit import TracekitException


def _local(run, artifact_file: str) -> Path:
    return Path(tracekit.artifacts.download_artifacts(f"runs:/{run.info.run_id}/{artifact_file}"))


def test_a_matplotlib_figure_is_saved_in_the_format_of_its_extension():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [2, 3])
    with tracekit.start_run() as run:
        tracekit.log_figure(fig, "figure.png")
        tracekit.log_figure(fig, "plots/figure.svg", save_kwargs={"transparent": True})
    plt.close(fig)
    assert _local(run, "figure.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in _local(run, "plots/figure.svg").read_bytes()[:500]


def test_a_plotly_figure_is_saved_as_html():
    from plotly import graph_objects as go

    fig = go.Figure(go.Scatter(x=[0, 1], y=[2, 3]))
    with tracekit.start_run() as run:
        tracekit.log_figure(fig, "figure.html", save_kwargs={"include_plotlyjs": False})
    html = _local(run, "figure.html").read_text()
    assert "<html>" in html and "Plotly.newPlot" in html


def test_something_else_is_not_a_figure():
    with pytest.raises(TracekitException, match="matplotlib.figure.Figure or a plotly Figure, got builtins.dict"):
        tracekit.log_figure({"x": [1]}, "figure.png")
    assert tracekit.active_run() is None


def test_log_figure_imports_no_plotting_library_for_other_objects():
    code = ("import sys, tracekit\n"
            "try:\n    tracekit.log_figure(object(), 'f.png')\nexcept tracekit.TracekitException:\n    pass\n"
            "print(sorted(m for m in ('matplotlib', 'plotly', 'PIL') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(("array", "mode", "size"), [
    (np.zeros((20, 30), dtype=np.uint8), "L", (30, 20)),
    (np.full((20, 30, 1), 7, dtype=np.int64), "L", (30, 20)),
    (np.random.default_rng(0).integers(0, 256, size=(10, 12, 3), dtype=np.uint8), "RGB", (12, 10)),
    (np.ones((5, 6, 4), dtype=np.float32), "RGBA", (6, 5)),
    (np.eye(8, dtype=bool), "L", (8, 8)),
])
def test_numpy_images_of_each_supported_shape_and_dtype(array, mode, size):
    with tracekit.start_run() as run:
        tracekit.log_image(array, "images/picture.png")
    with Image.open(_local(run, "images/picture.png")) as saved:
        assert saved.mode == mode and saved.size == size


def test_pixel_values_are_kept():
    array = np.array([[0, 128], [255, 1]], dtype=np.uint8)
    floats = np.array([[0.0, 1.0]], dtype=np.float64)
    with tracekit.start_run() as run:
        tracekit.log_image(array, "ints.png")
        tracekit.log_image(floats, "floats.png")
    assert np.array_equal(np.asarray(Image.open(_local(run, "ints.png"))), array)
    assert np.asarray(Image.open(_local(run, "floats.png"))).tolist() == [[0, 255]]


def test_floats_out_of_range_are_rescaled_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="tracekit.artifacts.media"), tracekit.start_run() as run:
        tracekit.log_image(np.array([[-1.0, 3.0]]), "scaled.png")
    assert "outside [0.0, 1.0]" in caplog.text
    assert np.asarray(Image.open(_local(run, "scaled.png"))).tolist() == [[0, 255]]


def test_a_pil_image_is_saved_in_the_format_of_its_extension():
    with tracekit.start_run() as run:
        tracekit.log_image(Image.new("RGB", (100, 50), color=(255, 0, 0)), "image.jpg")
    with Image.open(_local(run, "image.jpg")) as saved:
        assert saved.format == "JPEG" and saved.size == (100, 50)


@pytest.mark.parametrize(("image", "message"), [
    (np.zeros((4, 4, 2), dtype=np.uint8), r"shape \(4, 4, 2\)"),
    (np.zeros((2, 2, 2, 3), dtype=np.uint8), r"shape \(2, 2, 2, 3\)"),
    (np.zeros((0, 3), dtype=np.uint8), "empty array"),
    (np.array([[0, 300]]), "integers from 0 to 300"),
    (np.array([[-5, 3]], dtype=np.int8), "integers from -5 to 3"),
    (np.array([[0.5, np.nan]]), "NaN or infinite"),
    (np.array([["a", "b"]]), "dtype <U1"),
    (np.array([[1 + 2j]]), "dtype complex128"),
    ([[0, 1], [1, 0]], "numpy array or a PIL image, got builtins.list"),
])
def test_bad_images_are_refused_with_what_is_valid(image, message):
    with pytest.raises(TracekitException, match=message):
        tracekit.log_image(image, "bad.png")
    assert tracekit.active_run() is None


def test_an_unknown_image_extension_is_refused():
    with pytest.raises(TracekitException, match="Cannot save the image as 'picture.nope'"):
        tracekit.log_image(np.zeros((2, 2), dtype=np.uint8), "picture.nope")
