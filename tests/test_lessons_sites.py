"""Lab 16's module on real goroutine profiles: the sites sample (leaky and fixed) and the three
instances of the fleet task."""

import json
import os
from pathlib import Path

import pytest

import harness as lab
from harness.samples import run_sample
from harness import tasks
from harness.lessons import sites

ROOT = str(Path(__file__).resolve().parent.parent)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    keep = tmp_path_factory.mktemp("sites")
    return lab.side_by_side(lambda v: run_sample("toolkit/sites", v, 2.0, goroutines_every=0.25, keep=keep / v),
                            ("leaky", "fixed"))


@pytest.fixture(scope="module")
def fleet():
    return sites.fleet(2.0)


def test_series_stop_when_the_program_stops_serving(runs):
    leaky = runs[0]
    assert sites.served(leaky) == 2.0
    ts = next(iter(sites.per_site(leaky).values()))[0]
    assert ts and max(ts) < 2.0 and len(leaky.goroutine_series) > len(ts)


def test_the_leaking_site_ranks_first(runs):
    leaky, fixed = runs
    rows = sites.rank(leaky)
    assert rows[0].site == "main.leaky.fetch @ leaky.go:21" and rows[0].never_fell == 1 and rows[0].slope > 5
    assert max(r.slope for r in sites.rank(fixed)) < rows[0].slope
    text = sites.table(rows)
    assert text.splitlines()[2].startswith("| `main.leaky.fetch @ leaky.go:21` |")
    assert "nothing to rank" in sites.table([])


def test_findings_are_built_from_the_ranking(runs):
    leaky, fixed = runs
    text = sites.findings(leaky, fixed, 300)
    top = sites.rank(leaky)[0]
    assert f"`{top.site}` is first, at {top.slope:+.1f} goroutines/s" in text
    assert "**The handlers**" in text and "**Fixed:**" in text and "stood out" in text
    hand = [r for r in sites.rank(leaky) if r.site.startswith("main.handle @ service.go")]
    assert f"reached {max(r.max for r in hand)} at most" in text


def test_raw_profile_shows_no_harness_and_no_machine_path(runs):
    text, t, grouped = sites.raw_profile(runs[0])
    assert "@ 0x" in text and "main." in text and grouped
    assert "leaklab" not in text and ROOT not in text and os.environ.get("TMPDIR", "/tmp/") not in text


def test_figure_draws(runs):
    import matplotlib.pyplot as plt
    fig = sites.figure(runs, "t")
    assert len(fig.axes) == 2 and fig.legends
    plt.close(fig)


def test_two_sites_of_goroutine_channel():
    g = lab.compare("goroutine_channel", 1.0, goroutines_every=0.25)
    text = sites.two_sites(g)
    assert "main.leaky.worker @ leaky.go:28" in text and "main.leaky.first.func1 @ leaky.go:36" in text


def test_the_fleet_has_two_leaks_and_a_warm_up(fleet):
    """What the hints teach must hold on a real run."""
    total = {r.site: r for r in sites.rank_series(fleet.total())}
    leak_fast, leak_slow = json.loads((Path(tasks.get("fleet_sites").folder) / "testdata" / "solution.json").read_text())
    assert total[leak_fast].slope > 1.5 * total[leak_slow].slope > 0
    assert total[leak_fast].late_slope > 0 and total[leak_slow].late_slope > 0
    warm = total["main.(*shard).replicate @ shards.go:22"]
    assert warm.last == warm.max == 96 and abs(warm.late_slope) < 1
    assert fleet.rank("C")[0].site == leak_fast  # steep on one instance


def test_the_check_compares_with_what_the_code_leaks(fleet):
    t = tasks.get("fleet_sites")
    solution = t.solution_answer()
    testdata = t.folder / "testdata"
    assert json.loads((testdata / "solution_answer.json").read_text()) == solution
    assert json.loads((testdata / "answer.json").read_text()) == []
    res = tasks.check("fleet_sites", [], fleet=fleet)
    assert not res.done and res.line.startswith("0 of 2")
    res = tasks.check("fleet_sites", solution, fleet=fleet)
    assert res.done and "/s)" in res.line and "| `main.search.func1 @ search.go:12` |" in res.details
    res = tasks.check("fleet_sites", list(reversed(solution)), fleet=fleet)
    assert not res.done and "fastest last" in res.line
    res = tasks.check("fleet_sites", ["main.(*shard).replicate @ shards.go:22"], fleet=fleet)
    assert not res.done and "does not leak" in res.line and "second half" in res.line
    res = tasks.check("fleet_sites", [solution[1]])
    assert not res.done and res.line.startswith("1 of 2")
    assert "function @ file:line" in tasks.check("fleet_sites", ["main.search.func1"]).line
    assert tasks.check("fleet_sites", [f" `{s}` " for s in solution]).done
