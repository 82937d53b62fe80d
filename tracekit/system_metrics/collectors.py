"""What one sample of system metrics reads: CPU, memory, disk and network through psutil, and each NVIDIA GPU
through nvidia-ml-py (pynvml) when it is installed and finds a driver. Names (without the `system/` prefix) are
MLflow's, so dashboards built for it read these."""

from __future__ import annotations

import logging
import os
from typing import Any

from tracekit.exceptions import TracekitException

logger = logging.getLogger(__name__)

_MB = 1024 * 1024


def require_psutil() -> Any:
    """The psutil module; a TracekitException saying how to install it when it is missing."""
    try:
        import psutil
    except ImportError as error:
        raise TracekitException(
            "System metrics logging needs psutil, which is not installed. Install it with: "
            "pip install 'tracekit[system-metrics]' (or pip install psutil).") from error
    return psutil


class PsutilCollector:
    """CPU utilization (since the previous sample), memory and disk use, and network traffic since the collector
    started."""

    def __init__(self, disk_path: str | None = None) -> None:
        self._psutil = require_psutil()
        self._disk_path = disk_path or os.path.abspath(os.sep)
        self._psutil.cpu_percent(interval=None)  # the first call only sets the reference point
        counters = self._psutil.net_io_counters()
        self._net_start = (counters.bytes_recv, counters.bytes_sent) if counters else (0, 0)

    def sample(self) -> dict[str, float]:
        """One reading of every metric this collector knows."""
        psutil = self._psutil
        memory = psutil.virtual_memory()
        disk = psutil.disk_usage(self._disk_path)
        values = {
            "cpu_utilization_percentage": float(psutil.cpu_percent(interval=None)),
            "system_memory_usage_megabytes": (memory.total - memory.available) / _MB,
            "system_memory_usage_percentage": float(memory.percent),
            "disk_usage_percentage": float(disk.percent),
            "disk_usage_megabytes": disk.used / _MB,
            "disk_available_megabytes": disk.free / _MB,
        }
        counters = psutil.net_io_counters()
        if counters:
            values["network_receive_megabytes"] = (counters.bytes_recv - self._net_start[0]) / _MB
            values["network_transmit_megabytes"] = (counters.bytes_sent - self._net_start[1]) / _MB
        return values

    def close(self) -> None:
        """Nothing to release."""


class GpuCollector:
    """Utilization, memory and power of each NVIDIA GPU, through NVML."""

    def __init__(self, pynvml: Any) -> None:
        self._nvml = pynvml
        self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]

    @classmethod
    def create(cls) -> GpuCollector | None:
        """A collector when nvidia-ml-py is installed and NVML starts (a driver and a GPU are present), else None."""
        try:
            import pynvml
        except ImportError:
            return None
        try:
            pynvml.nvmlInit()
            return cls(pynvml)
        except Exception as error:  # noqa: BLE001 - no driver or no GPU: simply no GPU metrics
            logger.debug("No GPU metrics: NVML could not start (%s).", error)
            return None

    def sample(self) -> dict[str, float]:
        """One reading per GPU: gpu_<i>_utilization_percentage, _memory_usage_percentage, _memory_usage_megabytes,
        _power_usage_watts and _power_usage_percentage."""
        nvml = self._nvml
        values: dict[str, float] = {}
        for index, handle in enumerate(self._handles):
            prefix = f"gpu_{index}_"
            try:
                memory = nvml.nvmlDeviceGetMemoryInfo(handle)
                values[prefix + "memory_usage_percentage"] = 100.0 * memory.used / memory.total if memory.total else 0.0
                values[prefix + "memory_usage_megabytes"] = memory.used / _MB
                values[prefix + "utilization_percentage"] = float(nvml.nvmlDeviceGetUtilizationRates(handle).gpu)
                power = nvml.nvmlDeviceGetPowerUsage(handle) / 1000.0
                limit = nvml.nvmlDeviceGetEnforcedPowerLimit(handle) / 1000.0
                values[prefix + "power_usage_watts"] = power
                values[prefix + "power_usage_percentage"] = 100.0 * power / limit if limit else 0.0
            except Exception as error:  # noqa: BLE001 - one GPU failing to answer loses its reading, not the rest
                logger.debug("GPU %d gave no reading: %s", index, error)
        return values

    def close(self) -> None:
        """Shut NVML down."""
        try:
            self._nvml.nvmlShutdown()
        except Exception:  # noqa: BLE001
            logger.debug("NVML shutdown failed.", exc_info=True)


def default_collectors() -> list[Any]:
    """psutil's collector (TracekitException when psutil is missing) and the GPU one when available."""
    collectors: list[Any] = [PsutilCollector()]
    gpu = GpuCollector.create()
    if gpu is not None:
        collectors.append(gpu)
    return collectors
