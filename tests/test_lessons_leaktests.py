"""Lab 18's plumbing, on real `go test` output produced here: goleak's and synctest's reports
parsed, the tables, and the task's check on tests that catch, miss or fail for the wrong reason."""

import shutil

import pytest

from harness.lessons import leaktests
from harness.samples import samples_dir


@pytest.fixture(scope="module")
def pair():
    return (leaktests.go_test("toolkit/leaktests/leaky", demo=True),
            leaktests.go_test("toolkit/leaktests/fixed"))


def test_the_leaky_package_fails_each_test_and_the_fixed_one_passes(pair):
    leaky, fixed = pair
    assert not leaky.passed and fixed.passed
    assert set(fixed.outcomes) == {"TestFirstGoleak", "TestSumGoleak", "TestSynctest"}
    assert all(leaky.outcomes[n][0] == "FAIL" for n in fixed.outcomes)
    assert all(w == "PASS" for w, _ in fixed.outcomes.values())
    # Each test's seconds as go test printed them, and within the run's own wall time.
    assert all(f"--- PASS: {n} ({s:.2f}s)" in fixed.output for n, (_, s) in fixed.outcomes.items())
    assert sum(s for _, s in fixed.outcomes.values()) <= fixed.seconds


def test_goleaks_report_is_read_per_test(pair):
    leaky, _ = pair
    first = [leaktests.short(fn) for fn, _ in leaky.blamed("TestFirstGoleak")]
    assert first == ["leaky.First.func1"]
    summed = [leaktests.short(fn) for fn, _ in leaky.blamed("TestSumGoleak")]
    assert summed.count("leaky.worker") == 4 and "leaky.First.func1" in summed   # the cascade
    assert all(state for _, state in leaky.blamed())


def test_findings_say_the_runs_numbers(pair):
    leaky, fixed = pair
    lines = leaktests.findings(*pair)
    assert f"{leaky.outcomes['TestSumGoleak'][1]:.2f} s" in lines[0]
    assert "4 × leaky.worker" in lines[2]
    assert "chan send" in lines[3] or "chan receive" in lines[3]
    assert all("\n" not in ln for ln in lines)


def test_outcome_table_has_a_row_per_test_and_a_column_per_run(pair):
    leaky, fixed = pair
    table = leaktests.outcome_table({"leaky": leaky, "fixed": fixed}).splitlines()
    assert table[0] == "| test | leaky | fixed |" and len(table) == 2 + len(fixed.outcomes)
    assert "**FAIL** in" in table[2] and "**PASS** in" in table[2]
    html = leaktests.side_by_side_html({"leaky": leaky, "fixed": fixed})
    assert "leaky: FAIL" in html and "fixed: PASS" in html and "<Goroutine" not in html


def test_a_parallel_tests_section_starts_at_its_cont_line():
    lim = leaktests.go_test("toolkit/leaktests/limits", demo=True)
    assert lim.outcomes["TestParallelCheck"][0] == "FAIL"
    blamed = [leaktests.short(fn) for fn, _ in lim.blamed("TestParallelCheck")]
    assert blamed and "=== CONT  TestParallelCheck" in lim.section("TestParallelCheck")


def test_verify_test_main_lines():
    tm = leaktests.go_test("toolkit/leaktests/testmain", demo=True)
    lines = leaktests.verify_test_main(tm)
    assert lines[0].startswith("package FAIL") and "TestLeaksQuietly PASS" in lines[0]
    assert any("goleak: Errors" in ln for ln in lines)
    assert "VerifyTestMain found 4 goroutine(s) after the run: 4 × leaky.worker" in lines[1], lines[1]


# --- the task ------------------------------------------------------------------------------

@pytest.fixture
def task_dir(tmp_path, monkeypatch):
    dst = tmp_path / "go_samples"
    shutil.copytree(samples_dir(), dst, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("LEAKLAB_SAMPLES", str(dst))
    return dst / leaktests.TASK_PKG


def _write(task_dir, edit=lambda s: s):
    src = (task_dir / "testdata" / "solution_exercise_test.go").read_text()
    (task_dir / "exercise_test.go").write_text(edit(src))


def test_task_untouched_skips_everything(task_dir):
    results, errors = leaktests.run_task_tests()
    assert not errors and [r.leaky for r in results] == ["SKIP"] * 4
    assert all(r.why == "not written yet" for r in results)


def test_task_a_happy_path_test_passes_on_the_leaky_code(task_dir):
    _write(task_dir, lambda s: s.replace("save.Save([]int{1, 2, 3}, writeFailing); !errors.Is(err, errDisk)",
                                         "save.Save([]int{1, 3}, writeFailing); err != nil"))
    res = leaktests.check_leak_tests()
    assert not res.done and res.line.startswith("not done: 2 of 4 tests catch")
    by = {r.test: r for r in leaktests.run_task_tests()[0]}
    assert by["TestSaveGoleak"].why == "passes on the leaky code" and by["TestSaveGoleak"].fixed == "PASS"
    assert by["TestHeartbeatGoleak"].caught


def test_task_a_failure_without_the_detector_does_not_count(task_dir):
    _write(task_dir, lambda s: s.replace("defer goleak.VerifyNone(t)\n\tdone", "done").replace(
        'if pings.Load() == 0 {\n\t\tt.Fatal("no ping in 20 ms")',
        'if pings.Load() >= 0 {\n\t\tt.Fatal("always")'))
    by = {r.test: r for r in leaktests.run_task_tests()[0]}
    r = by["TestHeartbeatGoleak"]
    assert r.leaky == "FAIL" and not r.caught and "goleak's report" in r.why and r.fixed == "FAIL"


def test_task_a_file_that_does_not_build_shows_gos_message(task_dir):
    _write(task_dir, lambda s: s.replace("func TestSaveSynctest", "func TestSaveSynctest() {}\nfunc x"))
    res = leaktests.check_leak_tests()
    assert not res.done and "does not build" in res.line and "exercise_test.go:" in res.line
    assert "\n" not in res.line


def test_the_task_packages_leaky_build_vets_clean():
    """`go vet ./...` sees the fixed files only; the leaky ones are built with -tags leaky."""
    from harness.toolchain import go_for
    res = go_for(None).run("vet", "-tags", "leaky", f"./{leaktests.TASK_PKG}/...", cwd=samples_dir())
    assert res.returncode == 0, res.stderr


def test_outputs_hold_no_path_of_this_machine(pair):
    from pathlib import Path
    root = str(Path(__file__).resolve().parent.parent)
    leaky, _ = pair
    assert root not in leaky.output and ".venv/" not in leaky.output
    assert "go_samples/toolkit/leaktests/leaky/first.go:" in leaky.output and "$GOROOT/src/" in leaky.output
