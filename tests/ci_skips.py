"""A pytest plugin (tests/conftest.py loads it) for the rule that under CI=true no test may skip: every skip (a
`pytest.importorskip`, a `pytest.skip`, a skip mark, a module skipped while collected) is reported as a failure
naming the skip's reason. Without CI=true skips stay skips. An expected failure (`xfail`) is not a skip and stays
as it is."""

from __future__ import annotations

from collections.abc import Generator

import pytest
from ci import in_ci


def _fail_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Turn a skip `report` into a failure that says where the skip came from and why."""
    if isinstance(report.longrepr, tuple):  # a skip's (path, line, "Skipped: reason")
        path, line, reason = report.longrepr
        where, reason = f"{path}:{line}: ", reason.removeprefix("Skipped: ")
    else:
        where, reason = "", str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped under CI=true, where no test may skip: {where}{reason}"


# tryfirst makes this wrapper the outermost one, so it sees the report after pytest's own skipping plugin has marked
# xfails (as skipped with `wasxfail`).
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport,
                                                                                              pytest.TestReport]:
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and in_ci():
        _fail_skip(report)
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, pytest.CollectReport,
                                                                          pytest.CollectReport]:
    report = yield
    if report.skipped and in_ci():  # a module-level importorskip: like a failed import, an error collecting
        _fail_skip(report)
    return report
