"""The Go samples are real, tested code: go test (goleak), go vet, gofmt, pristine exercises."""

import subprocess
from pathlib import Path

import pytest

from harness.gotools import go_vet
from harness.measure import goroot
from harness.samples import samples_dir, scenarios

SCENARIOS = scenarios()


def test_go_test_all(go):
    res = go.run("test", "-count=1", "./...", cwd=samples_dir(), timeout=900)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    for name in SCENARIOS:
        assert f"goleaklab/samples/{name}" in res.stdout, f"{name} has no tests"


def test_gofmt_clean(go):
    gofmt = Path(goroot(go)) / "bin" / "gofmt"
    res = subprocess.run([str(gofmt), "-l", "."], cwd=samples_dir(), capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == "", f"not gofmt-ed: {res.stdout}"


@pytest.mark.parametrize("name", SCENARIOS)
def test_go_vet_only_expected_findings(name):
    """Vet must pass, except where a vet finding is the lesson (testdata/vet.txt lists it)."""
    expected_file = samples_dir() / name / "testdata" / "vet.txt"
    expected = [ln.split(": ", 1) for ln in expected_file.read_text().splitlines()
                if ln.strip() and not ln.startswith("#")] if expected_file.exists() else []
    res = go_vet(name)
    for f in res.findings:
        assert any(f["file"] == ef and em in f["message"] for ef, em in expected), f"unexpected vet finding: {f}"
    for ef, em in expected:
        assert any(f["file"] == ef and em in f["message"] for f in res.findings), f"expected vet finding missing: {ef}: {em}"
    assert res.passed == (not expected)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_shape(name):
    d = samples_dir() / name
    for f in ("leaky.go", "fixed.go", "main.go", "exercise.go", "testdata/exercise.go", "testdata/hints.md"):
        assert (d / f).exists(), f"{name}/{f} missing"
    assert (d / "exercise.go").read_bytes() == (d / "testdata" / "exercise.go").read_bytes(), \
        f"{name}/exercise.go differs from its pristine copy (run `python -m harness exercise reset {name}`)"
    assert "TODO" in (d / "exercise.go").read_text()
    assert len([p for p in (d / "testdata" / "hints.md").read_text().split("\n---\n") if p.strip()]) >= 2
    assert list(d.glob("*_test.go")), f"{name} has no Go test"
