"""The exercise check can fail and can pass: unsolved says 'still leaking', the solution says 'fixed'."""

import re
import shutil

import pytest

from conftest import run_cli
from harness import exercise
from harness.notebook import _test_failures
from harness.samples import samples_dir, scenarios


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A private copy of go_samples, so the learner's own exercise files are never touched."""
    dst = tmp_path / "go_samples"
    shutil.copytree(samples_dir(), dst)
    monkeypatch.setenv("LEAKLAB_SAMPLES", str(dst))
    return dst


def _solve(d):
    """exercise.go := fixed.go with the variant renamed (the type and its fixedX state)."""
    src = (d / "fixed.go").read_text()
    (d / "exercise.go").write_text(re.sub(r"\bfixed(?=[A-Z]|\b)", "exercise", src))


@pytest.mark.parametrize("name", scenarios())
def test_unsolved_says_still_leaking_then_solution_says_fixed(sandbox, name):
    res = exercise.check(name, duration=1.5)
    assert not res.fixed and res.line.startswith("still leaking: "), res.line
    assert res.gotest_passed is False, "the goleak test must catch the unsolved exercise"
    shown = _test_failures(res.gotest_output)  # what the check cell shows of the failed test
    assert re.search(r"_test\.go:\d+:", shown) and not re.search(r"\.go:\d+ \+0x", shown), shown
    _solve(sandbox / name)
    res = exercise.check(name, duration=1.5)
    assert res.fixed and res.line.startswith("fixed:"), res.line + "\n" + res.gotest_output[-2000:]


def test_reset_and_status(sandbox):
    name = scenarios()[0]
    _solve(sandbox / name)
    rows = {r[0]: r for r in exercise.status(duration=1.0)}
    assert rows[name][1] == "edited" and rows[name][2].startswith("fixed")
    exercise.reset(name)
    assert (sandbox / name / "exercise.go").read_bytes() == (sandbox / name / "testdata" / "exercise.go").read_bytes()
    res = run_cli("exercise", "status", env={"LEAKLAB_SAMPLES": str(sandbox)})
    assert res.returncode == 0 and f"{name}" in res.stdout and "untouched" in res.stdout
