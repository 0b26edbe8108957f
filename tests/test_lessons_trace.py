"""Lab 19's plumbing on a real trace produced here: the task's service run traced by the probe,
read back with `go tool trace -d=parsed`; the tables, figures, sync profile, cost and the check."""

import json

import pytest

from harness.lessons import trace
from harness.samples import samples_dir


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    keep = tmp_path_factory.mktemp("service")
    run, gs = trace.capture(0.6, keep)
    return run, gs, keep / "trace.out"


def test_the_trace_holds_the_services_goroutines_and_not_the_probes(service):
    _, gs, _ = service
    rows = {r.start.split(" (")[0]: r for r in trace.summary(gs)}
    assert not any("leaklab" in r.start for r in trace.summary(gs))
    pool = rows["main.worker"]
    assert pool.created == 100 and pool.ended == 0          # the -workers default, started once
    leak = rows[trace.LEAK]
    assert leak.created >= 20 and leak.created - leak.ended >= leak.created // 2 - 2
    (where, n), = leak.left.most_common(1)
    assert "[chan send]" in where and f"main.go:{trace.leak_line()}" in where
    assert rows["main.flusher"].created == 1


def test_goroutine_table_has_a_row_per_start_function(service):
    _, gs, _ = service
    table = trace.goroutine_table({"svc": gs}).splitlines()
    assert len(table) == 2 + len(trace.summary(gs))
    assert table[2].startswith("| svc | `main.") and " × Waiting [" in "\n".join(table)


def test_alive_over_time_climbs_for_the_leak_and_not_for_the_pool(service):
    _, gs, _ = service
    end = trace.end_of(gs)
    ts = [end * 0.3, end * 0.95]
    leak = trace.alive_over_time(gs, trace.LEAK, ts)
    pool = trace.alive_over_time(gs, "main.worker", ts)
    assert leak[1] > leak[0] * 2 and pool[0] == pool[1] == 100


def test_figures_use_integer_ticks_and_keep_legends_off_the_data(service):
    import matplotlib
    matplotlib.use("Agg")
    _, gs, _ = service
    fig = trace.plot_alive_by_function(gs)
    ax = fig.axes[0]
    assert all(float(t).is_integer() for t in ax.get_yticks())
    assert ax.get_legend() is None and fig.legends          # the legend is the figure's, outside the axes


def test_sync_profile_rows_leave_the_probe_out(service):
    _, _, path = service
    rows = trace.sync_rows(path)
    assert rows and not any("leaklab" in r["function"] for r in rows)
    assert [r["cum"] for r in rows] == sorted((r["cum"] for r in rows), reverse=True)
    line = trace.sync_lines({"svc": rows})[0]
    assert line.startswith("svc: largest row `") and "main.*" in line


def test_the_check_on_the_trace_given(service):
    _, _, path = service
    sol = json.loads((samples_dir() / trace.TASK_PKG / "testdata" / "solution.json").read_text())
    res = trace.check_trace_leak(sol, trace=path)
    assert res.done and res.line.startswith("done: 3 of 3 right") and "\n" not in res.line
    partial = {**sol, "waits_at": str(trace.leak_line() + 1)}
    res = trace.check_trace_leak(partial, trace=path)
    assert not res.done and "2 of 3 right" in res.line and "waits_at ✗" in res.line
    pool_as_leak = {**sol, "leaking": "worker", "alive_not_leaking": ["main.price.func1", "main.flusher"]}
    res = trace.check_trace_leak(pool_as_leak, trace=path)
    assert "1 of 3 right" in res.line and "do not belong" in res.details
    res = trace.check_trace_leak({"leaking": "", "waits_at": "", "alive_not_leaking": []}, trace=path)
    assert res.line.startswith("not done: 0 of 3 right") and "goroutines of the service created" in res.line


def test_answers_are_read_loosely():
    assert trace._func("price.func1") == trace._func("`main.price.func1 (main.go:55)`") == "main.price.func1"
    assert trace._line("main.go:55") == trace._line("55") == trace._line("tasks/trace_leak/main.go:55") == 55
    assert trace._line("time.go:368") is None and trace._line("") is None


def test_trace_cost_runs_the_benchmark_both_ways(tmp_path):
    cost = trace.trace_cost(tmp_path, rounds=1, ops=2000)
    assert len(cost.pairs) == 1 and all(x > 0 for x in cost.pairs[0]) and cost.trace_bytes > 0
    lines = cost.lines()
    assert len(lines) == 4 and ("noise" in lines[2])
