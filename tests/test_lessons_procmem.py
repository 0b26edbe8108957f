"""Lab 23's module on real runs of go_samples/process_memory: RSS read from outside next to the
runtime's numbers, the GC as the live heap passes a memory limit, a kill at the RSS cap, a run in a
memory cgroup (skipped in one line where none can be made), the scavenger after a burst."""

import os
from pathlib import Path

import pytest

import harness as lab
from harness.samples import run_sample
from harness.lessons import procmem

MiB = 1 << 20


@pytest.fixture(scope="module")
def pair():
    with procmem.RssWatch() as rss:
        runs = lab.side_by_side(lambda v: run_sample("process_memory", v, 2.0), ("leaky", "fixed"))
    return runs, rss


def test_rss_is_read_from_outside_and_lines_up_with_the_runtime(pair):
    (leaky, fixed), rss = pair
    assert leaky.verdict.verdict == "leak" and fixed.verdict.verdict == "clean"
    for r in (leaky, fixed):
        series = rss.series(r)
        assert len(series) >= 10, f"{r.label}: {len(series)} RSS readings"
        assert 0 <= series[0][0] < 0.5 and series[-1][0] <= r.wall_s + 0.5, "RSS times are seconds since the start"
    end = procmem.at_end(leaky, rss)
    assert end["live"] > 8 * MiB and end["rss"] > end["live"] * 0.8 and end["goal"] >= end["live"]
    lines = procmem.end_lines([leaky, fixed], rss).splitlines()
    assert lines[0].startswith("leaky") and "× the live heap" in lines[1]
    assert procmem.limit_seen(leaky) == 2**63 - 1 and procmem.served(leaky) > 1000


def test_memory_figure_has_a_panel_per_run_and_a_gc_row(pair):
    import matplotlib.pyplot as plt
    runs, rss = pair
    fig = procmem.memory_figure(runs, rss, lines={"limit": 32 * MiB}, gc=True)
    assert len([ax for ax in fig.axes if ax.get_ylabel() == "MiB"]) == 2
    assert any(ax.get_ylabel() == "GC CPU %" for ax in fig.axes)
    plt.close(fig)
    rows = procmem.gc_rows(runs[0])
    assert rows and all(0 <= r["gc_pct"] <= 100 for r in rows)


def test_a_leak_under_a_memory_limit_spirals_then_is_killed_at_the_cap():
    limit, cap = 24 * MiB, 64 * MiB
    with procmem.RssWatch() as rss:
        run = run_sample("process_memory", "leaky", 15, args=["-rate", "4000", "-memlimit", str(limit)], rss_cap=cap)
    assert run.exit == "memory_cap", run.message
    assert procmem.limit_seen(run) == limit
    s = procmem.spiral(run, limit)
    assert s["live_max"] > limit and s["gcs_after"] > 3 * s["gcs_before"] and s["gc_pct_after"] > s["gc_pct_before"]
    table = procmem.last_samples(run, rss, 4)
    assert len(table.splitlines()) == 6 and "MiB" in table and "GC CPU, last" in table


def test_a_memory_cgroup_kills_the_leak_or_says_why_not():
    try:
        with procmem.RssWatch() as rss:
            c = procmem.run_in_cgroup("leaky", 15, 64 * MiB, args=["-rate", "4000"])
    except procmem.CgroupUnavailable as err:
        assert "\n" not in str(err)
        pytest.skip(str(err))
    assert c.killed_by_kernel and c.run.exit == "crashed", procmem.cgroup_lines(c)
    assert procmem.limit_seen(c.run) == 2**63 - 1, "the runtime does not read the cgroup's limit"
    text = procmem.cgroup_lines(c)
    assert "oom_kill = 1" in text and "SIGKILL" in text
    assert rss.series(c.run), "the program is found through the wrapper that exec'd it"
    assert not list(Path(procmem.memory_cgroup_parent()[1]).glob(f"leaklab-{os.getpid()}-*")), "the cgroup is removed"


def test_the_scavenger_returns_a_burst_later_than_free_os_memory():
    with procmem.RssWatch() as rss:
        runs = lab.side_by_side(lambda a: run_sample("process_memory", "fixed", 2.4, args=["-burst", "128", *a],
                                                         label=" ".join(["burst", *a])), ([], ["-free"]))
    plain, free = (procmem.burst_numbers(r, rss, 0.6) for r in runs)
    for b in (plain, free):
        assert b["rss_peak"] > 100 * MiB and b["rss_end"] < 40 * MiB and b["live_freed_at"] is not None
    assert free["lag"] is not None and free["lag"] < 0.3
    assert "RSS fell half-way back" in procmem.burst_lines(runs, rss, 0.6)
