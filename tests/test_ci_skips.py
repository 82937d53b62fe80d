"""Under CI=true no test skips: the guard in tests/ci_skips.py reports each skip as a failure naming its reason, while a
local run (no CI) keeps skipping, and an expected failure (xfail) stays one either way."""

from __future__ import annotations

import pytest

pytest_plugins = ("pytester",)

INNER_TESTS = """
import pytest

def test_skipped_in_its_body(): pytest.skip("no frobnicator here")

@pytest.fixture
def missing_package():
    pytest.importorskip("tracekit_no_such_package")

def test_skipped_by_a_fixture(missing_package):
    pass

@pytest.mark.xfail(reason="a known bug")
def test_expected_to_fail():
    assert False

def test_passes():
    pass
"""


@pytest.fixture
def run_inner(pytester, monkeypatch):
    """Run the given test file's source with the guard loaded, under CI=true or without CI."""

    def run(source: str, ci: bool) -> pytest.RunResult:
        if ci:
            monkeypatch.setenv("CI", "true")
        else:
            monkeypatch.delenv("CI", raising=False)
        pytester.makepyfile(test_inner=source)
        return pytester.runpytest("-p", "ci_skips", "-p", "no:asyncio", "-p", "no:cacheprovider", "-rfEsx")

    return run


def test_a_local_run_skips(run_inner):
    result = run_inner(INNER_TESTS, ci=False)

    result.assert_outcomes(passed=1, skipped=2, xfailed=1)
    result.stdout.fnmatch_lines(["SKIPPED * no frobnicator here"])


def test_under_ci_a_skip_fails_naming_its_reason(run_inner):
    result = run_inner(INNER_TESTS, ci=True)

    # A skip in the test's body fails it; one in a fixture is an error at setup, as any fixture failure is.
    result.assert_outcomes(passed=1, failed=1, errors=1, xfailed=1)
    result.stdout.fnmatch_lines([
        "FAILED test_inner.py::test_skipped_in_its_body - skipped under CI=true, * no frobnicator here",
        "ERROR test_inner.py::test_skipped_by_a_fixture - skipped under CI=true, *"
        "could not import 'tracekit_no_such_package'*",
    ])


def test_under_ci_a_module_skipped_while_collected_is_a_collection_error(run_inner):
    result = run_inner('import pytest\npytest.importorskip("tracekit_no_such_package")\n\ndef test_x():\n    pass\n',
                       ci=True)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["ERROR test_inner.py - skipped under CI=true, *tracekit_no_such_package*"])
