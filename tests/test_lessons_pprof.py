"""Lab 15's module on real heap profiles: heapgrowth with probe and endpoint snapshots, and the
catalog service of the task with three snapshots."""

import json
import os
from pathlib import Path

import pytest

import harness as lab
from harness.samples import run_sample
from harness import tasks
from harness.lessons import pprof

ROOT = str(Path(__file__).resolve().parent.parent)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    keep = tmp_path_factory.mktemp("pprof")
    t1, t2 = 0.8, 2.0
    http = [(t1, "/debug/pprof/heap?gc=1"), (t2, "/debug/pprof/heap?gc=1")]
    return lab.side_by_side(lambda v: run_sample("toolkit/heapgrowth", v, 2.4, args=["-size", str(32 << 10), "-pprof"],
                                                     keep=keep / v, heap_at=[t1, t2], http_fetch=http),
                            ("leaky", "fixed"))


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    return pprof.catalog(3.0, tmp_path_factory.mktemp("catalog"))


def _clean(text: str) -> None:
    """Nothing the harness adds (the probe, the building machine's paths) reaches the learner."""
    assert "leaklab" not in text
    assert ROOT not in text and os.environ.get("TMPDIR", "/tmp/") not in text


def test_snapshots_and_diffs_name_the_leaking_site(runs):
    leaky, fixed = runs
    assert leaky.verdict.verdict == "leak" and fixed.verdict.verdict == "clean"
    assert len(pprof.snapshots(leaky)) == 2 and len(pprof.snapshots(leaky, "http-*-heap")) == 2
    old, new = pprof.snapshots(leaky)
    grew = pprof.by_site(pprof.growth(new, old))
    assert max(grew, key=grew.get) == "main.newSession" and grew["main.newSession"] > 2e6
    assert pprof.live_growth(leaky) > 2e6 and abs(pprof.live_growth(fixed)) < 1e6
    text = pprof.diff_tables(runs)
    assert "`main.newSession" in text and "What the diffs say" in text
    assert "127.0.0.1" in pprof.kept_files(runs)


def test_list_and_peek_as_text(runs):
    listing = pprof.pprof_text("list", "main.newSession", *reversed(pprof.snapshots(runs[0])))
    assert "ROUTINE" in listing and "go_samples/toolkit/heapgrowth/session.go" in listing
    _clean(listing)
    peek = pprof.pprof_text("peek", "main.newSession", *reversed(pprof.snapshots(runs[0])))
    assert "main.leaky.handle" in peek
    _clean(peek)
    with pytest.raises(ValueError):
        pprof.pprof_text("top", "x", Path("a"))


def test_the_biggest_allocator_is_not_the_leak(runs):
    table, line = pprof.alloc_vs_inuse(runs[0])
    assert "`main.render" in table and line.startswith("biggest allocator in the window: main.render")


def test_endpoint_figure_and_summary(runs):
    import matplotlib.pyplot as plt
    fig = pprof.endpoint_figure(runs, (0.8, 2.0))
    assert len(fig.axes) == 2 and fig.legends
    plt.close(fig)
    summary = pprof.endpoint_summary(runs).splitlines()
    assert summary[0].startswith("leaky:") and "top: main.newSession" in summary[0]
    assert summary[1].startswith("fixed:") and "runtime/metrics" in summary[1]


def test_the_catalog_has_a_cache_that_stops_and_a_leak_that_does_not(cat, capsys):
    assert len(cat.files) == 3 and cat.times == sorted(cat.times)
    first, second = cat.diff(0, 1), cat.diff(1, 2)
    assert first.get(pprof.CACHE_SITE, 0) > 1e6 and abs(second.get(pprof.CACHE_SITE, 0)) < 0.2e6
    assert second.get(pprof.LEAK_SITE, 0) > 0.5e6
    pprof.diff_top(cat, 1, 2)
    pprof.list_site(cat, pprof.LEAK_SITE, 1, 2)
    out = capsys.readouterr().out
    assert out.startswith("$ go tool pprof -top") and "main.newVisit" in out and "ROUTINE" in out
    _clean(out)


def test_the_check_names_the_leak_and_not_the_cache(cat):
    t = tasks.get("heap_catalog")
    testdata = t.folder / "testdata"
    assert t.solution_answer() == pprof.LEAK_SITE == pprof.solution()
    assert json.loads((testdata / "solution_answer.json").read_text()) == pprof.LEAK_SITE
    assert json.loads((testdata / "answer.json").read_text()) == ""
    res = tasks.check("heap_catalog", "", snapshots=cat)
    assert not res.done and res.line.startswith("no site named yet") and "main.loadImage" in res.line
    res = tasks.check("heap_catalog", pprof.CACHE_SITE, snapshots=cat)
    assert not res.done and "stopped growing" in res.line and "| `main.newVisit` |" in res.details
    for name in ("main.newVisit", "newVisit", "main.newVisit (inline)", "`main.newVisit`"):
        res = tasks.check("heap_catalog", name, snapshots=cat)
        assert res.done and "grows in every pair" in res.line and "\n" not in res.line, name
    assert not tasks.check("heap_catalog", "main.nothing", snapshots=cat).done
