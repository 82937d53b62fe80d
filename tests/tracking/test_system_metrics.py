"""System metrics: runs that ask for them (start_run(log_system_metrics=True), enable_system_metrics_logging(),
TRACEKIT_ENABLE_SYSTEM_METRICS_LOGGING) get `system/*` metrics sampled by a background thread that stops with the
run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest

import tracekit
from tracekit import TracekitException
from tracekit.system_metrics import monitoring

CORE_METRICS = {"system/cpu_utilization_percentage", "system/system_memory_usage_megabytes",
                "system/system_memory_usage_percentage", "system/disk_usage_percentage",
                "system/disk_usage_megabytes", "system/disk_available_megabytes"}


@pytest.fixture(autouse=True)
def fresh_settings():
    monitoring.reset()
    yield
    monitoring.reset()


def _sampler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("tracekit-system-metrics")]


def test_a_run_asking_for_system_metrics_gets_them_every_interval(tracking_uri):
    tracekit.set_system_metrics_sampling_interval(0.1)
    with tracekit.start_run(log_system_metrics=True) as run:
        time.sleep(0.6)
    metrics = tracekit.get_run(run.info.run_id).data.metrics
    assert CORE_METRICS <= set(metrics)
    assert 0 <= metrics["system/cpu_utilization_percentage"] <= 100 * 1024
    assert metrics["system/system_memory_usage_megabytes"] > 0
    steps = [p.step for p in tracekit.get_metric_history(run.info.run_id, "system/system_memory_usage_percentage")]
    assert len(steps) >= 3 and steps == sorted(steps) == list(range(len(steps)))


def test_the_sampler_stops_with_the_run(tracking_uri):
    tracekit.set_system_metrics_sampling_interval(0.05)
    with tracekit.start_run(log_system_metrics=True) as run:
        assert len(_sampler_threads()) == 1
        time.sleep(0.2)
    assert _sampler_threads() == []
    count = len(tracekit.get_metric_history(run.info.run_id, "system/disk_usage_percentage"))
    time.sleep(0.3)
    assert len(tracekit.get_metric_history(run.info.run_id, "system/disk_usage_percentage")) == count


def test_a_run_shorter_than_the_interval_still_gets_one_point(tracking_uri):
    with tracekit.start_run(log_system_metrics=True) as run:
        pass
    assert CORE_METRICS <= set(tracekit.get_run(run.info.run_id).data.metrics)


def test_runs_log_none_unless_asked(tracking_uri):
    with tracekit.start_run() as run:
        pass
    assert not any(key.startswith("system/") for key in tracekit.get_run(run.info.run_id).data.metrics)
    assert _sampler_threads() == []


def test_enable_and_disable_switch_the_default_and_runs_can_opt_out(tracking_uri):
    tracekit.enable_system_metrics_logging()
    with tracekit.start_run() as on:
        pass
    with tracekit.start_run(log_system_metrics=False) as opted_out:
        pass
    tracekit.disable_system_metrics_logging()
    with tracekit.start_run() as off:
        pass
    logged = {run.info.run_id: any(k.startswith("system/") for k in tracekit.get_run(run.info.run_id).data.metrics)
              for run in (on, opted_out, off)}
    assert logged == {on.info.run_id: True, opted_out.info.run_id: False, off.info.run_id: False}


def test_environment_variable_enables_them(tracking_uri, monkeypatch):
    monkeypatch.setenv("TRACEKIT_ENABLE_SYSTEM_METRICS_LOGGING", "true")
    with tracekit.start_run() as run:
        pass
    assert CORE_METRICS <= set(tracekit.get_run(run.info.run_id).data.metrics)


def test_node_id_and_samples_before_logging_shape_what_is_logged(tracking_uri):
    tracekit.set_system_metrics_node_id("node-1")
    tracekit.set_system_metrics_sampling_interval(0.05)
    tracekit.set_system_metrics_samples_before_logging(4)
    with tracekit.start_run(log_system_metrics=True) as run:
        time.sleep(0.5)
    metrics = tracekit.get_run(run.info.run_id).data.metrics
    assert "system/node-1/cpu_utilization_percentage" in metrics
    assert not any(key.startswith("system/cpu") for key in metrics)
    points = tracekit.get_metric_history(run.info.run_id, "system/node-1/disk_usage_percentage")
    assert 1 <= len(points) <= 3  # about 10 samples averaged four at a time, plus what was left at the end


def test_bad_settings_are_refused():
    with pytest.raises(TracekitException, match="interval is a positive number"):
        tracekit.set_system_metrics_sampling_interval(0)
    with pytest.raises(TracekitException, match="samples is a positive integer"):
        tracekit.set_system_metrics_samples_before_logging(1.5)
    with pytest.raises(TracekitException, match="without '/'"):
        tracekit.set_system_metrics_node_id("a/b")


def test_missing_psutil_gives_a_clear_message(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        sys.modules["psutil"] = None  # as if it were not installed
        import tracekit
        tracekit.set_tracking_uri("sqlite:///{tmp_path / 'no_psutil.db'}")
        try:
            tracekit.enable_system_metrics_logging()
        except tracekit.TracekitException as error:
            print("REFUSED:", error)
        with tracekit.start_run(log_system_metrics=True):
            print("RUN OK")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "REFUSED: System metrics logging needs psutil" in done.stdout
    assert "pip install 'tracekit[system-metrics]'" in done.stdout
    assert "RUN OK" in done.stdout
    assert "No system metrics for run" in done.stderr


def test_the_sampler_stops_at_exit_and_logs_its_last_samples(tmp_path):
    db = tmp_path / "exit.db"
    script = textwrap.dedent(f"""
        import tracekit
        tracekit.set_tracking_uri("sqlite:///{db}")
        run = tracekit.start_run(log_system_metrics=True)
        print(run.info.run_id)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.strip().splitlines()[-1]
    tracekit.set_tracking_uri(f"sqlite:///{db}")
    assert CORE_METRICS <= set(tracekit.get_run(run_id).data.metrics)


class _FakeNvml:
    """Stands in for nvidia-ml-py on a machine with one GPU (the library talks to a driver we do not have here)."""

    class _Memory:
        used, total = 2 * 1024 * 1024 * 1024, 8 * 1024 * 1024 * 1024

    class _Rates:
        gpu = 42

    def nvmlInit(self): pass  # noqa: E704, N802
    def nvmlShutdown(self): pass  # noqa: E704, N802
    def nvmlDeviceGetCount(self): return 1  # noqa: E704, N802
    def nvmlDeviceGetHandleByIndex(self, index): return f"gpu{index}"  # noqa: E704, N802
    def nvmlDeviceGetMemoryInfo(self, handle): return self._Memory()  # noqa: E704, N802
    def nvmlDeviceGetUtilizationRates(self, handle): return self._Rates()  # noqa: E704, N802
    def nvmlDeviceGetPowerUsage(self, handle): return 150_000  # noqa: E704, N802
    def nvmlDeviceGetEnforcedPowerLimit(self, handle): return 300_000  # noqa: E704, N802


def test_gpus_found_by_nvml_are_logged_per_device(tracking_uri, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", _FakeNvml())
    with tracekit.start_run(log_system_metrics=True) as run:
        pass
    metrics = tracekit.get_run(run.info.run_id).data.metrics
    assert metrics["system/gpu_0_utilization_percentage"] == 42
    assert metrics["system/gpu_0_memory_usage_percentage"] == 25
    assert metrics["system/gpu_0_memory_usage_megabytes"] == 2048
    assert (metrics["system/gpu_0_power_usage_watts"], metrics["system/gpu_0_power_usage_percentage"]) == (150, 50)


def test_without_nvml_there_are_no_gpu_metrics(tracking_uri, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)
    with tracekit.start_run(log_system_metrics=True) as run:
        pass
    assert not any("gpu" in key for key in tracekit.get_run(run.info.run_id).data.metrics)
