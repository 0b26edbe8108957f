"""Lab 20's plumbing: the recorded run (a real bpftrace run kept in testdata/recorded) read back,
its lines and figures; the task's evaluator of small bpftrace programs on recorded counts, compared
with bpftrace itself where it can run (Linux, root)."""

import json
import shutil

import pytest

from harness import ebpf as bpf
from harness.lessons import ebpf
from harness.samples import samples_dir

LIVE, WHY = bpf.available()
live_only = pytest.mark.skipif(not LIVE, reason=f"bpftrace cannot run here: {WHY}")


@pytest.fixture(scope="module")
def recorded():
    return json.loads(ebpf.recorded_path().read_text())


def test_the_recording_says_where_and_when_it_was_made(recorded):
    m = recorded["machine"]
    assert {"host", "kernel", "cpu", "go", "bpftrace", "date"} <= set(m)
    assert m["kernel"].startswith("Linux ") and m["go"].startswith("go1.") and m["bpftrace"].startswith("bpftrace v")
    s = ebpf.Session(1.0, "/nonexistent", live=False)
    assert s.source.startswith("recorded on " + m["date"]) and s.tag().startswith("[recorded run, ")
    assert "cannot run here" in s.banner()
    for group in ("goroutines", "heapleak", "task"):
        assert set(recorded[group]) == {"leaky", "fixed"}
        for d in recorded[group].values():
            assert "/tmp" not in d["binary"] + d["script"]


def test_recorded_goroutine_counts_show_the_leak(recorded):
    s = ebpf.Session(1.0, "/nonexistent", live=False)
    counts = s.counts("goroutines")
    lk, fx = counts["leaky"].totals, counts["fixed"].totals
    assert lk["runtime.newproc1"] == pytest.approx(fx["runtime.newproc1"], rel=0.05)
    assert lk["runtime.goexit1"] < fx["runtime.goexit1"] / 2
    lines = ebpf.goroutine_lines(counts, s.tag())
    assert all(ln.startswith("[recorded run, ") for ln in lines) and "served" in lines[0]
    cost = s.cost_lines(counts)
    assert "µs per hit" in cost[0] and "per request" in cost[1]
    alloc = ebpf.alloc_lines(s.counts("alloc"))
    assert alloc[0].startswith("200,000 objects") and "mallocgcSmall" in alloc[1]


def test_figures_keep_legends_off_the_data(recorded):
    import matplotlib
    matplotlib.use("Agg")
    s = ebpf.Session(1.0, "/nonexistent", live=False)
    fig = ebpf.plot_goroutines(s.counts("goroutines"), s.source)
    assert fig.legends and not any(ax.get_legend() for ax in fig.axes)
    assert all(float(t).is_integer() for t in fig.axes[2].get_yticks())   # created − ended: a count
    fig = ebpf.plot_heapleak(s.counts("heapleak"), s.source)
    assert fig.legends and not fig.axes[0].get_legend()


TASK = samples_dir() / ebpf.TASK_PKG
SCRIPTS = {
    "pristine": (TASK / "testdata" / "net.bt").read_text(),
    "solution": (TASK / "testdata" / "solution_net.bt").read_text(),
    "sum": "uprobe:$1:runtime.newproc1 { @net = sum(1); }\nuprobe:$1:runtime.goexit1 { @net = sum(-1); }\n",
    "printf": ("uprobe:$1:runtime.newproc1 { @c++; } uprobe:$1:runtime.goexit1 { @e++; }\n"
               'END { printf("net %d\\n", @c - @e); clear(@c); clear(@e); }'),
    "interval-clear": ("uprobe:$1:runtime.newproc1 { @n++ } uprobe:$1:runtime.goexit1 { @n-- }\n"
                       "interval:ms:500 { print(@n); clear(@n); }"),
}


def test_the_evaluator_on_recorded_counts(recorded):
    for v in ("leaky", "fixed"):
        c = ebpf.from_dict(recorded["task"][v])
        net = c.totals["runtime.newproc1"] - c.totals["runtime.goexit1"]
        assert ebpf.evaluate_recorded(SCRIPTS["pristine"], c.series) == {"@created": c.totals["runtime.newproc1"]}
        assert ebpf.evaluate_recorded(SCRIPTS["solution"], c.series) == {"@net": net}
        assert ebpf.evaluate_recorded(SCRIPTS["sum"], c.series) == {"@net": net}
        assert ebpf.evaluate_recorded(SCRIPTS["printf"], c.series) == {"net": net}
        last = c.series[-1][1]
        tail = ebpf.evaluate_recorded(SCRIPTS["interval-clear"], c.series)["@n"]
        assert tail == last.get("runtime.newproc1", 0) - last.get("runtime.goexit1", 0)
    with pytest.raises(ebpf.Unsupported):
        ebpf.evaluate_recorded("uprobe:$1:runtime.newproc1 /pid == 1/ { @n++ }", c.series)
    with pytest.raises(ebpf.Unsupported):
        ebpf.evaluate_recorded("uprobe:$1:runtime.mallocgc { @n++ }", c.series)


def test_printed_values_read_bpftrace_output():
    out = "Attaching 2 probes...\n\n\n@net: 306\nnet 12\n  7\n@x[main]: 3\n"
    assert ebpf.printed_values(out) == {"@net": 306, "net": 12, "": 7, "@x[main]": 3}


def test_the_judge_wants_the_difference_and_a_small_baseline():
    alive = {"leaky": 300, "fixed": 1}
    assert ebpf._judge({"leaky": {"@n": 305}, "fixed": {"@n": 6}}, alive)[0]
    assert not ebpf._judge({"leaky": {"@n": 306}, "fixed": {"@n": 306}}, alive)[0]   # creations only
    assert not ebpf._judge({"leaky": {"@n": 1305}, "fixed": {"@n": 1006}}, alive)[0]  # an offset
    assert not ebpf._judge({"leaky": {}, "fixed": {}}, alive)[0]


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    dst = tmp_path / "go_samples"
    shutil.copytree(samples_dir(), dst, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("LEAKLAB_SAMPLES", str(dst))
    return dst / ebpf.TASK_PKG


def test_the_check_without_bpftrace_evaluates_on_the_recording(sandbox, monkeypatch):
    monkeypatch.setattr(bpf, "available", lambda: (False, "pretend"))
    (sandbox / "net.bt").write_text(SCRIPTS["printf"])
    res = ebpf.check_ebpf_oneliner()
    assert res.done and "evaluated on the counts recorded" in res.line and res.line.startswith("done: net: leaky")
    (sandbox / "net.bt").write_text("uprobe:$1:runtime.newproc1 /pid > 0/ { @n++ }")
    res = ebpf.check_ebpf_oneliner()
    assert not res.done and "cannot check here without bpftrace" in res.line


@live_only
def test_the_evaluator_agrees_with_bpftrace(sandbox, tmp_path):
    """The same scripts, run by bpftrace on the task's program: the values the evaluator predicts
    from a recording, live (the leak's count varies run to run; the judge's verdict does not)."""
    from harness.toolchain import go_for
    binary = tmp_path / "ebpf_oneliner"
    assert go_for(None).run("build", "-o", str(binary), ".", cwd=sandbox).returncode == 0
    for name in ("solution", "printf"):
        script = tmp_path / f"{name}.bt"
        script.write_text(SCRIPTS[name])
        values, alive = {}, {}
        for v in ("leaky", "fixed"):
            values[v], alive[v], err = ebpf.run_script_live(script, binary, v, seconds=0.5)
            assert not err and alive[v] is not None
        assert ebpf._judge(values, alive)[0], (name, values, alive)


@live_only
def test_a_live_session_measures_on_first_use(tmp_path):
    s = ebpf.Session(0.5, tmp_path, live=True)
    assert "alloc" in s.prepare()
    counts = s.counts("task")
    assert set(counts) == {"leaky", "fixed"} and counts["fixed"].totals["runtime.goexit1"] > 0
