"""Lab 22's plumbing on real runs made here: each method judged on its own evidence, short runs
read as "too little data" rather than "missed", the probe's cost from benchmarks.bench, the matrix
and its figure, and the task's check."""

import pytest

from harness.lessons import comparison as C


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return C.run_pairs(2.5, 3.0, tmp_path_factory.mktemp("keep"))  # 10 goroutine snapshots: a stall cannot hide 3 rises in a row


@pytest.fixture(scope="module")
def results(pairs):
    return C.judge_all(pairs, short=True)


def test_each_method_on_its_own_evidence(results):
    st = {k: C.status(*v) for k, v in results.items()}
    assert st[("goroutine count trend", C.G)] == C.CAUGHT and st[("goroutine count trend", C.H)] == C.MISSED
    assert st[("goroutineleak profile", C.G)] == C.CAUGHT and st[("goroutineleak profile", C.H)] == C.MISSED
    assert st[("goroutine profile by site", C.G)] == C.CAUGHT
    assert st[("pprof heap diff", C.H)] == C.CAUGHT and st[("live-heap trend", C.H)] == C.CAUGHT
    lk, fx = results[("goroutineleak profile", C.G)]
    assert "proven at `main.leaky.worker`" in lk.measured and fx.measured == "0 proven"
    assert not any(f.hit for (m, p), (_, f) in results.items()), "no false alarm on the fixed code"


def test_a_short_run_is_not_a_miss_for_threshold_methods(pairs, results):
    for m in C.THRESHOLD_METHODS:
        assert C.status(*results[(m, C.G)]) != C.MISSED, m
    long_view = C.judge_all(pairs, short=False)
    assert any(C.status(*long_view[(m, C.G)]) in (C.MISSED, C.BELOW) for m in C.THRESHOLD_METHODS)


def test_the_evidence_table_is_read_by_people(results):
    table = C.evidence_table(results).splitlines()
    assert len(table) == 2 + len(C.METHODS) * 2
    assert not any("(True" in ln or "(False" in ln for ln in table)   # no raw tuples


@pytest.fixture(scope="module")
def quick_cost():
    return C.probe_cost(quick=True)


def test_a_quick_bench_says_it_cannot_judge(quick_cost):
    lines = quick_cost.lines()
    assert any("too noisy to judge" in ln for ln in lines) and "not judged" in quick_cost.text()
    assert {r["program"] for r in quick_cost.rows} == {"cpu", "alloc", "gc-churn"}


def test_five_rounds_give_intervals_and_a_verdict():
    from benchmarks import bench
    cost = C.ProbeCost(bench.overhead(repeat=5, work=0.1, arms=("bare", "probe")), 5)
    lines = cost.lines()
    assert any(ln.startswith("worst program: ×") for ln in lines)
    assert all(r["cpu_ratio_ci95"] != "-" for r in cost.rows)


def test_the_matrix_and_its_figure(results, quick_cost):
    import matplotlib
    matplotlib.use("Agg")
    tests = C.test_findings()
    assert tests["goleak"][C.G].failed_on_leaky and not tests["goleak"][C.G].failed_on_fixed
    assert not tests["goleak"][C.H].failed_on_leaky
    rows = C.matrix_rows(results, tests, quick_cost, 3.0, False, "pretend")
    assert "watchdog (go_samples/watchdog)" not in C.caught_both(rows)   # measured in lab 21, not here
    md = C.matrix_markdown(rows)
    assert md.count("\n") == len(rows) + 1 and "pretend" in md
    fig = C.plot_matrix(rows)
    colours = {p.get_facecolor()[:3] for p in fig.axes[0].patches}
    assert len(colours) >= 4   # caught, missed, a pale "in lab" colour, grey


def test_the_task_check_on_a_real_run(tmp_path):
    run = C.task_run(3.0, keep=tmp_path)
    known = {m: C.KNOWN[m] for m in C.TASK_METHODS}
    res = C.check_comparison_leak(known, run=run)
    assert res.done and res.line.startswith("done: 5 of 5 right") and "0 proven" in res.line
    flipped = {**known, "goroutineleak profile": "caught"}
    res = C.check_comparison_leak(flipped, run=run)
    assert not res.done and "4 of 5 right" in res.line and "| goroutineleak profile | caught | **missed**" in res.details
    res = C.check_comparison_leak({m: "yes" if v == C.CAUGHT else "no" for m, v in known.items()}, run=run)
    assert res.done
    res = C.check_comparison_leak({}, run=run)
    assert "nothing answered yet" in res.line and "sessions" in res.line and not res.details
