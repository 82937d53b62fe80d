"""Figures and images as run artifacts: `log_figure` (matplotlib or plotly) and `log_image` (numpy array or PIL
image). Neither library is imported unless the caller hands over one of its objects: the checks look the classes
up in `sys.modules`, where they are whenever such an object exists.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from tracekit.artifacts.run_artifacts import log_run_file_content
from tracekit.exceptions import TracekitException

logger = logging.getLogger(__name__)

_IMAGE_SHAPES = "H x W (grayscale), H x W x 1 (grayscale), H x W x 3 (RGB) or H x W x 4 (RGBA)"


def _instance_of(value: Any, module: str, class_name: str) -> bool:
    """Whether `value` is an instance of `module.class_name`, without importing `module`."""
    loaded = sys.modules.get(module)
    kind = getattr(loaded, class_name, None) if loaded is not None else None
    return isinstance(kind, type) and isinstance(value, kind)


def log_figure(figure: Any, artifact_file: str, *, save_kwargs: dict[str, Any] | None = None) -> None:
    """Log a matplotlib or plotly figure as `artifact_file` of the active run (starting one if none is active).

    A matplotlib figure is saved with `savefig` in the format of the extension (png, svg, pdf...); a plotly figure
    as HTML for .html, else with `write_image` (which needs plotly's image export package, kaleido). `save_kwargs`
    go to that method.

    >>> fig, ax = plt.subplots(); ax.plot([0, 1], [2, 3])
    >>> tracekit.log_figure(fig, "figure.png")
    """
    options = dict(save_kwargs or {})
    write: Callable[[str], None]
    if _instance_of(figure, "matplotlib.figure", "Figure"):
        def write(local_file: str) -> None:
            figure.savefig(local_file, **options)
    elif _instance_of(figure, "plotly.basedatatypes", "BaseFigure"):
        def write(local_file: str) -> None:
            if local_file.lower().endswith(".html"):
                figure.write_html(local_file, **options)
            else:
                figure.write_image(local_file, **options)
    else:
        raise TracekitException.invalid_parameter_value(
            f"log_figure() takes a matplotlib.figure.Figure or a plotly Figure, got {type(figure).__module__}."
            f"{type(figure).__qualname__}; use log_image() for arrays and PIL images.")
    log_run_file_content(artifact_file, _saving(write, artifact_file, "figure"))


def _saving(write: Callable[[str], None], artifact_file: str, what: str) -> Callable[[str], None]:
    """`write`, with a library's refusal (an unknown extension, a missing export package) as TracekitException."""

    def checked(local_file: str) -> None:
        try:
            write(local_file)
        except TracekitException:
            raise
        except (ValueError, KeyError, OSError, ImportError, RuntimeError) as error:
            raise TracekitException.invalid_parameter_value(
                f"Cannot save the {what} as {artifact_file!r}: {type(error).__name__}: {error}. Check the file "
                f"extension (png, jpg, svg, pdf; html for plotly) and the save options.") from error

    return checked


def log_image(image: Any, artifact_file: str) -> None:
    """Log a numpy array or PIL image as the image file `artifact_file` of the active run (starting one if none is
    active); the format follows the extension (png, jpg...).

    Arrays: shape H x W, H x W x 1, H x W x 3 (RGB) or H x W x 4 (RGBA); dtype bool, integers in [0, 255], or
    floats in [0.0, 1.0] (floats outside are scaled from their min and max, with a warning).

    >>> tracekit.log_image(np.zeros((100, 100, 3), dtype=np.uint8), "black.png")
    """
    if _instance_of(image, "PIL.Image", "Image"):
        pil_image = image
    elif _instance_of(image, "numpy", "ndarray"):
        pil_image = _pil_image_of_array(image)
    else:
        raise TracekitException.invalid_parameter_value(
            f"log_image() takes a numpy array or a PIL image, got {type(image).__module__}."
            f"{type(image).__qualname__}; use log_figure() for matplotlib and plotly figures.")
    log_run_file_content(artifact_file, _saving(pil_image.save, artifact_file, "image"))


def _pil_image_of_array(array: Any) -> Any:
    """The PIL image of a checked numpy array (see `log_image`)."""
    import numpy as np

    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise TracekitException.invalid_parameter_value(
            f"log_image() got an array of shape {array.shape}; images are {_IMAGE_SHAPES}.")
    if array.size == 0:
        raise TracekitException.invalid_parameter_value(f"log_image() got an empty array of shape {array.shape}.")
    kind = array.dtype.kind
    if kind == "b":
        array = array.astype(np.uint8) * 255
    elif kind in "iu":
        smallest, largest = int(array.min()), int(array.max())
        if smallest < 0 or largest > 255:
            raise TracekitException.invalid_parameter_value(
                f"log_image() got integers from {smallest} to {largest}; integer images hold values in [0, 255]. "
                f"Clip or rescale the array first (floats are taken in [0.0, 1.0]).")
        array = array.astype(np.uint8)
    elif kind == "f":
        if not np.isfinite(array).all():
            raise TracekitException.invalid_parameter_value(
                "log_image() got NaN or infinite values; replace them before logging the image.")
        low, high = float(array.min()), float(array.max())
        if low < 0.0 or high > 1.0:
            logger.warning("log_image(): float values range from %s to %s, outside [0.0, 1.0]; scaling them from "
                           "their min and max.", low, high)
            array = (array - low) / (high - low) if high > low else np.zeros_like(array)
        array = (array * 255).round().astype(np.uint8)
    else:
        raise TracekitException.invalid_parameter_value(
            f"log_image() got an array of dtype {array.dtype}; images are bool, integer in [0, 255] or float in "
            f"[0.0, 1.0].")
    try:
        from PIL import Image
    except ImportError as error:
        raise TracekitException.invalid_parameter_value(
            "log_image() needs Pillow to write image files: pip install pillow.") from error
    return Image.fromarray(array)
