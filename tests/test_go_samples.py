"""The Go samples are real, tested code: go test (goleak), go vet, gofmt, pristine exercises."""

import subprocess
from pathlib import Path

import pytest

from harness.gotools import go_vet
from harness.measure import goroot
from harness.samples import samples_dir, scenarios

SCENARIOS = scenarios()


@pytest.mark.slow  # every scenario's goleak tests; test_exercise checks one scenario's in every tier
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
    for f in ("leaky.go", "fixed.go", "main.go", "exercise.go", "testdata/exercise.go", "testdata/solution.go",
              "testdata/hints.md"):
        assert (d / f).exists(), f"{name}/{f} missing"
    assert (d / "exercise.go").read_bytes() == (d / "testdata" / "exercise.go").read_bytes(), \
        f"{name}/exercise.go differs from its pristine copy (run `python -m harness exercise reset {name}`)"
    assert "TODO" in (d / "exercise.go").read_text()
    assert len([p for p in (d / "testdata" / "hints.md").read_text().split("\n---\n") if p.strip()]) >= 2
    assert list(d.glob("*_test.go")), f"{name} has no Go test"


def _norm(text: str) -> list[str]:
    from harness.notebook import _VARIANT_NAME
    return [_VARIANT_NAME.sub("V", ln).strip() for ln in text.splitlines() if ln.strip()]


@pytest.mark.parametrize("name", SCENARIOS)
def test_exercise_is_a_variant_with_escalating_hints_and_a_solution(name):
    """Diagnose first: the exercise is not the lesson's code again; its hints escalate to a
    pointer at the solution instead of printing code; the solution changes the exercise only
    where the fix is."""
    import difflib
    d = samples_dir() / name
    leaky, exercise = _norm((d / "leaky.go").read_text()), _norm((d / "exercise.go").read_text())
    same = difflib.SequenceMatcher(None, leaky, exercise, autojunk=False).ratio()
    assert same < 0.85, f"{name}/exercise.go is {same:.0%} the same as leaky.go: make it a variant of the lesson"
    hints = [h.strip() for h in (d / "testdata" / "hints.md").read_text().split("\n---\n") if h.strip()]
    assert f'lab.show_solution("{name}")' in hints[-1], "the last hint points to the solution"
    assert not any("```" in h for h in hints), "no hint prints code"
    solution = _norm((d / "testdata" / "solution.go").read_text())
    changed = sum(1 for op in difflib.ndiff(exercise, solution) if op[:1] in "+-")
    assert 0 < changed <= 0.5 * len(exercise), f"{name}: the solution rewrites {changed} lines of {len(exercise)}"


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_lesson_diff_is_the_fix_alone(name):
    """leaky.go and fixed.go differ only where the fix is: lines that differ only in the
    variant's name are not in the diff the notebook shows, and neither are doc comments."""
    from harness.notebook import lesson_diff
    d = samples_dir() / name
    rows = lesson_diff((d / "leaky.go").read_text(), (d / "fixed.go").read_text())
    changed = [ln for kind, ln in rows if kind in "+-"]
    assert changed, f"{name}: leaky.go and fixed.go are the same"
    from harness.notebook import _VARIANT_NAME
    v = lambda ln: _VARIANT_NAME.sub("V", ln)  # noqa: E731
    renamed = [a for kind, a in rows if kind == "-" and any(v(a) == v(b) and a != b for k, b in rows if k == "+")]
    assert not renamed, f"{name}: lines changed only by the variant's name: {renamed}"
    total = len(_norm((d / "leaky.go").read_text())) + len(_norm((d / "fixed.go").read_text()))
    assert len(changed) <= 0.6 * total, f"{name}: the diff changes {len(changed)} of {total} lines: a rewrite"
