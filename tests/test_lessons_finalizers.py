"""Lab 12's lesson module on real runs of internals/finalizers and tasks/finalizers."""

import shutil

import pytest

from harness.lessons import finalizers
from harness.measure import check
from harness.samples import samples_dir, scenario_dir

FOLDER = "internals/finalizers"


def conns(v, cycle=True, **kw):
    return check(scenario_dir(FOLDER), args=["-variant", v, f"-cycle={str(cycle).lower()}", "-duration", "1s"],
                 duration=12, label=v, gc_every_ms=100, **kw)


@pytest.fixture(scope="module")
def pair():
    return [conns("leaky"), conns("fixed")]


def test_conns_summary_and_share_closed(pair):
    leaky, fixed = pair
    assert finalizers.share_closed(leaky) == "none" and finalizers.share_closed(fixed) == "all"
    text = finalizers.conns_summary(pair)
    assert "leaky: opened" in text and "closed 0 descriptors" in text and "MB/s vs 500 conns/s" in text


def test_safety_nets_table_and_figure(pair):
    import matplotlib.pyplot as plt
    runs = pair + [conns("leaky", cycle=False)]
    runs[-1].label = "leaky, no cycle"
    table = finalizers.safety_nets_table(runs)
    assert table.count("\n") == 4 and "| leaky, no cycle | no |" in table
    fig = finalizers.plot_safety_nets(runs)
    assert len(fig.axes) == 2 and [t.get_text() for t in fig.axes[1].texts][:2] == [" LEAK", " CLEAN"]
    plt.close(fig)


def test_cleanup_panics_says_so():
    assert "AddCleanup panicked" in finalizers.cleanup_panics()


def test_check_report_of_real_checkfinalizers_runs():
    env = {"GODEBUG": "checkfinalizers=1"}
    leaky, fixed = conns("leaky", env=env), conns("fixed", env=env)
    bad = finalizers.check_report(leaky.stderr_tail)
    assert not bad.clean and bad.reported > 0 and bad.fatal.startswith("fatal error")
    assert bad.first[0].startswith("WARNING") and "is reachable from finalizer" in "\n".join(bad.first)
    assert bad.attached and bad.attached[0].startswith("leaky.go:")
    good = finalizers.check_report(fixed.stderr_tail)
    assert good.clean and not good.first and fixed.exit == "exited"


def test_caches_summary_answer_and_figure():
    import matplotlib.pyplot as plt
    caches = [check(scenario_dir(FOLDER), args=["-mode", "cache", "-cache", k, "-rate", "5000", "-size", "4096",
                                                "-duration", "1s"], duration=12, label=f"{k} cache", gctrace=True,
                    gc_every_ms=250) for k in ("strong", "weak")]
    strong = finalizers.cache_numbers(caches[0])
    assert strong["entries"] == strong["misses"] and 0 < strong["rate"] < 1
    assert finalizers.higher_hit_rate(caches) in ("strong", "about the same", "weak")
    assert "entries at the end: strong" in finalizers.cache_summary(caches)
    fig = finalizers.plot_caches(caches)
    assert len(fig.axes) == 3 and len(fig.legends) == 1
    plt.close(fig)


def test_judge_reads_the_counts():
    clean = finalizers.CheckReport(0, "", [])
    ok = {"files_forgotten": 30, "files_still_open": 0, "closed_twice": 0}
    assert finalizers.judge(ok, clean).done and finalizers.judge(ok, clean).net_closed == "all"
    twice = finalizers.judge({**ok, "closed_twice": 10}, clean)
    assert not twice.done and "10 closed twice" in twice.line and "already closed" in twice.details
    flagged = finalizers.judge(ok, finalizers.CheckReport(3, "fatal error: x", ["WARNING"], ["spool.go:34"]))
    assert not flagged.done and "attached at spool.go:34" in flagged.line


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    dst = tmp_path / "go_samples"
    shutil.copytree(samples_dir(), dst, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("LEAKLAB_SAMPLES", str(dst))
    return dst / "tasks" / "finalizers"


def _net(folder, line):
    f = folder / "spool.go"
    f.write_text(f.read_text().replace("\truntime.SetFinalizer(sp, (*spool).Close)", line, 1))


def test_check_catches_an_argument_that_reaches_the_spool(sandbox):
    _net(sandbox, "\truntime.AddCleanup(sp, func(cs []*chunk) { for _, c := range cs { c.sp.Close() } }, sp.chunks)")
    res = finalizers.check_spools()
    assert not res.done and res.counts["files_still_open"] > 0 and not res.report.clean
    assert "reachable from cleanup" in res.details


def test_check_catches_a_file_closed_twice(sandbox):
    _net(sandbox, "\truntime.AddCleanup(sp, func(fds []int) { for _, fd := range fds { closeFD(fd) } }, sp.fds)")
    res = finalizers.check_spools()
    assert not res.done and res.counts["files_still_open"] == 0 and res.counts["closed_twice"] > 0
    assert res.report.clean


def test_check_says_when_it_does_not_build(sandbox):
    _net(sandbox, "\truntime.AddCleanup(sp, closeAll)")
    res = finalizers.check_spools()
    assert not res.done and res.line.startswith("does not build:")
