"""The exercise check can fail and can pass: unsolved says 'still leaking', the solution says 'fixed'."""

import re
import shutil
import textwrap

import pytest

from conftest import first_fast, run_cli
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
    """exercise.go := the solution kept beside the pristine exercise."""
    shutil.copyfile(d / "testdata" / "solution.go", d / "exercise.go")


@pytest.mark.parametrize("name", first_fast(scenarios()))
def test_unsolved_says_still_leaking_then_solution_says_fixed(sandbox, name):
    res = exercise.check(name, duration=1.5)
    assert not res.fixed and res.line.startswith("still leaking: "), res.line
    assert res.gotest_passed is False, "the goleak test must catch the unsolved exercise"
    shown = _test_failures(res.gotest_output)  # what the check cell shows of the failed test
    assert re.search(r"_test\.go:\d+:", shown) and not re.search(r"\.go:\d+ \+0x", shown), shown
    _solve(sandbox / name)
    res = exercise.check(name, duration=1.5)
    assert res.fixed and res.line.startswith("fixed:"), res.line + "\n" + res.gotest_output[-2000:]


@pytest.mark.slow  # checks every scenario's exercise
def test_reset_and_status(sandbox):
    name = scenarios()[0]
    _solve(sandbox / name)
    rows = {r[0]: r for r in exercise.status(duration=1.0)}
    assert rows[name][1] == "edited" and rows[name][2].startswith("fixed")
    exercise.reset(name)
    assert (sandbox / name / "exercise.go").read_bytes() == (sandbox / name / "testdata" / "exercise.go").read_bytes()
    res = run_cli("exercise", "status", env={"LEAKLAB_SAMPLES": str(sandbox)})
    assert res.returncode == 0 and f"{name}" in res.stdout and "untouched" in res.stdout


@pytest.mark.parametrize("body, expect", [
    ("""func TestX(t *testing.T) {
        var s []int
        i := 5
        _ = s[i]
    }""", ["--- FAIL: TestX", "panic: runtime error: index out of range [5] with length 0",
           "at example.com/prog.TestX (x_test.go:8)"]),
    ("""type T struct{}

    func (*T) boom() { panic("boom") }

    func TestX(t *testing.T) { new(T).boom() }""",
     ["panic: boom", "at example.com/prog.(*T).boom (x_test.go:7)"]),
    ("""func TestX(t *testing.T) { undefinedName() }""",
     ["x_test.go:5:", "undefined: undefinedName", "FAIL"]),
    ("""func TestX(t *testing.T) { t.Errorf("got %d, want %d", 1, 2) }""",
     ["--- FAIL: TestX", "x_test.go:5: got 1, want 2"]),
])
def test_failures_show_panics_and_compile_errors_by_their_lines(gomod, go, body, expect):
    """What the check cell shows of a failed `go test` that goleak had no part in: real output."""
    d = gomod({"main.go": "package main\n\nfunc main() {}\n",
               "x_test.go": "package main\n\nimport \"testing\"\n\n" + textwrap.dedent("    " + body) + "\n"})
    res = go.run("test", "-count=1", ".", cwd=d, timeout=300)
    assert res.returncode != 0
    shown = _test_failures(res.stdout + res.stderr)
    for want in expect:
        assert want in shown, f"{want!r} missing from:\n{shown}\n--- full output:\n{res.stdout}{res.stderr}"
    assert "/usr/" not in shown and "+0x" not in shown, "stack frames are not what failed"


def test_a_file_that_does_not_build_gets_gos_message_and_nothing_after_it(sandbox):
    name = "goroutine_channel"
    ex = sandbox / name / "exercise.go"
    lines = ex.read_text().splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("func (exercise)"))
    lines.insert(at + 1, "\tundefinedThing()")
    ex.write_text("\n".join(lines) + "\n")
    res = exercise.check(name, duration=1.0)
    assert res.state == "does not build" and not res.fixed
    assert res.line.startswith(f"does not build: exercise.go:{at + 2}:") and "undefined: undefinedThing" in res.line
    assert res.gotest_passed is None and res.run is None, "nothing may run after a build failure"
    out = run_cli("exercise", "check", name, env={"LEAKLAB_SAMPLES": str(sandbox)})
    assert out.returncode != 0 and out.stdout.startswith("does not build: exercise.go:")
    assert "still leaking" not in out.stdout + out.stderr and "Traceback" not in out.stderr


def test_lesson_diff_leaves_out_lines_that_differ_only_in_the_variant_name():
    from harness.notebook import lesson_diff
    a = "type leaky struct{}\n\nfunc (leaky) run() {\n\tgo leaky{}.work(leakyJobs)\n\twork()\n}\n"
    b = "type fixed struct{}\n\nfunc (fixed) run() {\n\tgo fixed{}.work(fixedJobs)\n\twork()\n\tclose(done)\n}\n"
    rows = lesson_diff(a, b, context=1)
    assert [r for r in rows if r[0] in "+-"] == [("+", "\tclose(done)")]
    assert rows[0][0] == "@" and ("  ", "") not in rows
    assert lesson_diff(a, a) == []


def test_a_set_up_without_the_module_cache_says_so_in_one_line(sandbox, tmp_path):
    """A hub image built without `harness setup` (empty module cache, no network): the check
    names what is missing and how to fix it, never 'go test FAILS'."""
    env = {"LEAKLAB_SAMPLES": str(sandbox), "GOMODCACHE": str(tmp_path / "empty-modcache"), "GOPROXY": "off"}
    out = run_cli("exercise", "check", "goroutine_channel", "--duration", "1s", env=env)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "module cache lacks go.uber.org/goleak" in out.stderr and "harness setup" in out.stderr, out.stderr
    assert "FAILS" not in out.stdout + out.stderr and "Traceback" not in out.stderr
