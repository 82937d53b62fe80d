"""System metrics of runs: CPU, memory, disk and network (psutil), and NVIDIA GPUs (nvidia-ml-py) when present,
sampled by a background thread while a run is active and logged as `system/*` metrics.

>>> tracekit.enable_system_metrics_logging()
>>> with tracekit.start_run():
...     train()  # system/cpu_utilization_percentage, system/system_memory_usage_megabytes, ... every 10 s
"""

from tracekit.system_metrics.monitoring import (
    disable_system_metrics_logging,
    enable_system_metrics_logging,
    set_system_metrics_node_id,
    set_system_metrics_samples_before_logging,
    set_system_metrics_sampling_interval,
)

__all__ = ["disable_system_metrics_logging", "enable_system_metrics_logging", "set_system_metrics_node_id",
           "set_system_metrics_samples_before_logging", "set_system_metrics_sampling_interval"]
