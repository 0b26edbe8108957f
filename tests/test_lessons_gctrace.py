"""Lab 14's module on real gctrace output: heapgrowth and goroutine_channel runs with
GODEBUG=gctrace=1, and the three incident instances of the task."""

import json
import re

import pytest

import harness as lab
from harness.samples import run_sample
from harness import tasks
from harness.lessons import gctrace


@pytest.fixture(scope="module")
def heap_runs(tmp_path_factory):
    keep = tmp_path_factory.mktemp("gctrace")
    return lab.side_by_side(lambda v: run_sample("toolkit/heapgrowth", v, 2.0, gctrace=True, gc_every_ms=0,
                                                     keep=keep / v), ("leaky", "fixed"))


@pytest.fixture(scope="module")
def excerpts(tmp_path_factory):
    return gctrace.incident(2.5, tmp_path_factory.mktemp("incident"))


def test_a_real_line_taken_apart(heap_runs):
    leaky = heap_runs[0]
    line = gctrace.sample_line(leaky)
    parts = gctrace.fields(line)
    assert len(parts) == 14 and parts[0][0] == f"gc {line.split()[1]}"
    # every number on the line is in one of the parts, in order
    shown = " ".join(p for p, _, _ in parts)
    for number in re.findall(r"\d+(?:\.\d+)?", line.split(",")[3]):  # the sizes: before->after->live MB
        assert number in shown
    assert all("(forced)" not in e or "gc N" in e for e in gctrace.endings(leaky))
    with pytest.raises(ValueError):
        gctrace.fields("gc 1 @0.1s: nonsense")


def test_table_summary_and_findings_read_the_run(heap_runs):
    leaky, fixed = heap_runs
    assert leaky.verdict.verdict == "leak" and fixed.verdict.verdict == "clean"
    natural = gctrace.natural(leaky)
    assert natural and not any(r["forced"] for r in natural)
    table = gctrace.table(leaky.gctrace[:3])
    assert table.count("\n") == 4 and "| live_mb |" in table
    lk, fx = gctrace.summarize(leaky), gctrace.summarize(fixed)
    assert lk.live[1] > lk.live[0] and lk.live_slope > 1 and lk.goal[1] > lk.goal[0]
    assert fx.live[1] <= 1 and fx.goal[1] == 4  # collected completely: the 4 MB floor
    assert 1.5 < lk.goal_ratio < 3  # GOGC=100: the goal about twice the live heap
    text = gctrace.findings(heap_runs)
    assert f"from {lk.live[0]} to {lk.live[1]} MB" in text and f"leaky {lk.gc_cpu_pct} %" in text
    assert "\n" not in gctrace.overview(heap_runs).splitlines()[0] and "MB/s" in gctrace.overview(heap_runs)


def test_figures_draw(heap_runs):
    import matplotlib.pyplot as plt
    fig = gctrace.figure(heap_runs)
    assert len(fig.axes) == 6 and fig.legends
    plt.close(fig)


def test_stacks_of_a_goroutine_leak():
    import matplotlib.pyplot as plt
    runs = lab.compare("goroutine_channel", 1.0, args=["-rate", "400"], gctrace=True)
    text = gctrace.stacks_findings(runs, 50)
    leaky = runs[0]
    assert f"{leaky.final['goroutines']:,} goroutines" in text and "rounds down" in text
    fig = gctrace.stacks_figure(runs, "t")
    assert len(fig.axes) == 2
    plt.close(fig)


def test_the_excerpts_can_be_told_apart(excerpts):
    """What the hints teach must hold on a real run: the leak's live heap climbs, a lowered GOGC
    puts the goal close to the live heap, and more load brings the cycles closer."""
    kinds = {e.letter: gctrace.INSTANCES[e.letter][0] for e in excerpts}
    grew = {kinds[e.letter]: e.evidence()["late"]["live_mb"] - e.evidence()["early"]["live_mb"] for e in excerpts}
    assert grew["leak"] >= 2 and grew["leak"] > max(grew["gogc"], grew["load"]) + 1, grew
    for e in excerpts:
        ev, kind = e.evidence(), kinds[e.letter]
        assert len(e.early) == len(e.late) == 6 and "(forced)" not in e.text()
        if kind == "gogc":
            assert ev["early"]["goal_ratio"] < 1.6 and ev["late"]["goal_ratio"] < 1.6, ev
        else:
            assert ev["late"]["goal_ratio"] > 1.7, (kind, ev)
        if kind == "load":
            assert ev["late"]["cycles_per_s"] > 1.8 * ev["early"]["cycles_per_s"], ev
            spike = float(gctrace.INSTANCES[e.letter][1][gctrace.INSTANCES[e.letter][1].index("-after") + 1])
            last_early = float(re.match(r"gc \d+ @([\d.]+)s", e.early[-1]).group(1))
            assert last_early < spike * 2.5, "the early window must end before the load rises"


def test_the_check_compares_with_what_each_instance_ran(excerpts):
    t = tasks.get("gctrace_incident")
    solution = t.solution_answer()
    assert solution == {k: kind for k, (kind, _, _) in gctrace.INSTANCES.items()}
    testdata = t.folder / "testdata"
    assert json.loads((testdata / "solution_answer.json").read_text()) == solution  # what show_solution shows
    assert set(json.loads((testdata / "answer.json").read_text()).values()) == {""}
    res = tasks.check("gctrace_incident", solution, excerpts=excerpts)
    assert res.done and res.line.startswith("3 of 3 right") and "| A |" in res.details
    swapped = {**solution, "A": solution["C"], "C": solution["A"]}
    res = tasks.check("gctrace_incident", swapped)
    assert not res.done and res.line.startswith("1 of 3 right") and "\n" not in res.line
    res = tasks.check("gctrace_incident", {"A": "heap", "B": "", "C": ""})
    assert not res.done and "A: not one of" in res.line
    assert tasks.check("gctrace_incident", {k: v.upper() for k, v in solution.items()}).done
