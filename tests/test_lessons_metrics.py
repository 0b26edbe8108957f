"""Lab 13's lesson module on real runs, real benchmark output and the task's real program."""

import shutil

import pytest

from harness.lessons import metrics
from harness.measure import check
from harness.samples import samples_dir, scenario_dir
from harness.tasks import check as check_task
from harness.tasks import get


def test_goroutine_counts_and_the_mapping_row():
    counts = metrics.goroutine_counts()
    assert counts["metric"] >= counts["num_goroutine"] >= 1
    assert counts["num_goroutine_100"] - counts["num_goroutine"] == 100
    table = metrics.mapping_table(counts)
    row = table.splitlines()[-1]
    assert "/sched/goroutines:goroutines" in row and "not the same" in row and f"the metric {counts['metric']}" in row


@pytest.fixture(scope="module")
def heap_runs():
    folder = scenario_dir("toolkit/heapgrowth")
    return [check(folder, args=["-variant", v, "-duration", "1.5s"], duration=10, label=v, gc_every_ms=0,
                  env=metrics.EVERY_SAMPLE) for v in ("leaky", "fixed")]


def test_series_visibility_figure_and_read_costs(heap_runs):
    import matplotlib.pyplot as plt
    ts, ys = metrics.ms(heap_runs[0], "HeapAlloc")
    assert len(ts) == len(ys) > 10
    rows = {r["series"]: r for r in metrics.visibility(heap_runs)}
    assert rows["/gc/heap/live:bytes"]["leaky"] > 1e6 and abs(rows["/gc/heap/live:bytes"]["fixed"]) < 2e5
    assert rows["/gc/heap/live:bytes"]["after"] < rows["HeapAlloc"]["after"]
    assert metrics.first_to_show({k: r["after"] for k, r in rows.items()}) == "the live heap"
    assert "GC cycles; first third" in metrics.gc_rates(heap_runs)
    fig = metrics.plot_memstats(heap_runs)
    assert len(fig.axes) == 6
    plt.close(fig)
    costs = metrics.read_costs(heap_runs)
    assert len(costs) == 2 and all(c["n"] > 5 and c["median"] > 0 and c["metrics"] > 0 for c in costs)


def test_bench_parse_table_figure_and_findings():
    import matplotlib.pyplot as plt
    bench = metrics.run_bench(20, 1, 8)
    loads = [k for k in bench if not k.startswith("_")]
    assert "idle" in loads and any("every" in ld for ld in loads) and any(ld.startswith("running") for ld in loads)
    assert metrics.med(bench, "idle", "ReadMemStats", "stw/op") >= 1
    assert metrics.med(bench, "idle", "MetricsRead", "stw/op") == 0
    assert metrics.bench_table(bench).count("\n") == len(loads) + 3
    findings = metrics.bench_findings(bench)
    assert len(findings) == 4 and findings[0].startswith("**Pauses.**") and "`metrics.Read` 0.00" in findings[0]
    plt.close(metrics.plot_bench(bench))


def test_readcost_table_and_steadiness():
    cost = metrics.run_readcost(4)
    assert set(cost) == {(w, r) for w in ("cpu", "alloc") for r in metrics.READERS}
    ok, line = metrics.steady(cost)
    assert line.startswith("steady run: " + ("yes" if ok else "NO"))
    assert metrics.readcost_table(cost).count("\n") == 7
    assert len(metrics.readcost_findings(cost)) == 3


def test_judge_logger_wants_the_live_heap_not_garbage():
    known = {"live_heap": 8 << 20, "num_goroutine": 52, "stack_inuse": 400_000}
    good = [{"t": i / 10, "live_heap": 8.8e6, "goroutines": 59, "stacks": 420_000} for i in range(20)]
    assert metrics.judge_logger(good, known).done
    garbage = [{**ln, "live_heap": 13e6} for ln in good]
    res = metrics.judge_logger(garbage, known)
    assert not res.done and "counts garbage" in res.details
    assert not metrics.judge_logger(good[:3], known).done


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    dst = tmp_path / "go_samples"
    shutil.copytree(samples_dir(), dst, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("LEAKLAB_SAMPLES", str(dst))
    return dst / "tasks" / "metrics"


def test_logger_check_catches_a_heap_number_that_counts_garbage(sandbox):
    solution = (sandbox / "testdata" / "solution_logger.go").read_text()
    (sandbox / "logger.go").write_text(solution.replace("/gc/heap/live:bytes", "/memory/classes/heap/objects:bytes"))
    res = metrics.check_logger()
    assert not res.done and "live heap" in res.line and "✗" in res.line.split("goroutines")[0]


def test_logger_check_says_when_it_does_not_build(sandbox):
    f = sandbox / "logger.go"
    f.write_text(f.read_text().replace("enc.Encode(logLine{", "enc.Encode(logLin{"))
    res = metrics.check_logger()
    assert not res.done and res.line.startswith("does not build:") and "logLin" in res.line


def test_services_with_the_solution_logger_tell_their_kind(sandbox):
    shutil.copyfile(sandbox / "testdata" / "solution_logger.go", sandbox / "logger.go")
    logs = metrics.log_services(2.0)
    first = {s: ls[len(ls) // 3] for s, ls in logs.items()}
    late = {s: ls[2 * len(ls) // 3] for s, ls in logs.items()}
    last = {s: ls[-1] for s, ls in logs.items()}
    assert last["3"]["goroutines"] > 2 * first["3"]["goroutines"]                       # goroutines pile up
    grow = {s: last[s]["live_heap"] - late[s]["live_heap"] for s in ("1", "2")}
    assert grow["2"] > 3 * max(grow["1"], 0)              # in the last third the leak keeps its slope, the cache is full


def test_classify_check():
    truth = get("metrics_classify").solution_answer()
    assert check_task("metrics_classify", truth).done
    wrong = {**truth, "1": truth["2"]}
    res = check_task("metrics_classify", wrong)
    assert not res.done and "2 of 3" in res.line and "service 1" in res.line
    res = check_task("metrics_classify", {"1": "leak", "2": "?", "3": "heap leak"})
    assert not res.done and "'leak'" in res.details
