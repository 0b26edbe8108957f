"""Lab 10's lesson module on real runs of internals/reachability and tasks/reachability."""

import shutil

import pytest

from harness.lessons import reachability
from harness.measure import check
from harness.samples import samples_dir, scenario_dir
from harness.tasks import get


@pytest.fixture(scope="module")
def roots():
    return check(scenario_dir("internals/reachability"), args=["-mode", "roots", "-pause", "100ms"], duration=20)


@pytest.fixture(scope="module")
def chain():
    return check(scenario_dir("internals/reachability"), args=["-mode", "chain", "-pause", "100ms"], duration=20)


def test_roots_steps_table_and_summary(roots):
    steps = reachability.printed(roots)
    assert [s["step"] for s in steps] == ["start", "4 blobs allocated", "global = nil", "goroutines returned"]
    assert sorted(reachability.newly_freed(steps, 1)) == ["local, past last use", "stack, unused later"]
    assert reachability.newly_freed(steps, 2) == ["global var"]
    table = reachability.roots_table(steps)
    assert table.count("\n") == 5 and "`global var`" in table
    summary = reachability.roots_summary(steps)
    assert "= 2.0 blobs kept" in summary and "'global var'" not in summary.splitlines()[0]


def test_chain_table_summary_and_answer(chain):
    steps = reachability.printed(chain)
    assert [reachability.which_freed(s) for s in steps] == ["none", "none", "buffers only", "both"]
    assert "| 16 | 0 | 16 |" in reachability.chain_table(steps)
    lines = reachability.chain_summary(steps).splitlines()
    assert lines[0].startswith("16 closed sessions kept") and "16 buffers, 0 sessions" in lines[1]


def test_plot_steps_annotates_every_step(roots):
    import matplotlib.pyplot as plt
    steps = reachability.printed(roots)
    fig = reachability.plot_steps(roots, steps, "t", [f"note {i}" for i in range(len(steps))])
    ax = fig.axes[0]
    assert len([t for t in ax.texts if "note" in t.get_text()]) == 4
    assert ax.get_ylim()[1] > max(s["live_heap"] for s in steps)
    plt.close(fig)


def test_serve_summary_of_a_real_pair():
    runs = [check(scenario_dir("internals/reachability"), args=["-variant", v, "-duration", "1s"], duration=12,
                  label=v, gc_every_ms=100) for v in ("leaky", "fixed")]
    text = reachability.serve_summary(runs)
    assert "leaky: served" in text and "fixed: served" in text and "still registered 0;" in text
    assert "MB/s measured vs 6.6 MB/s" in text


def test_judge_reads_the_counts():
    base = {"users": 2, "users_found": 2, "users_freed": 0, "closed": 8, "sessions_freed": 8, "uploads_freed": 8,
            "open": 2, "open_intact": 2, "upload_bytes": 4096, "live_heap": 100_000}
    assert reachability.judge(base).done and reachability.judge(base).freed_share == "all of them"
    half = reachability.judge({**base, "sessions_freed": 4, "uploads_freed": 8})
    assert not half.done and half.freed_share == "some" and "4 of 8 closed sessions" in half.line
    lost = reachability.judge({**base, "users_found": 0})
    assert not lost.done and "lost" in lost.details


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    dst = tmp_path / "go_samples"
    shutil.copytree(samples_dir(), dst, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("LEAKLAB_SAMPLES", str(dst))
    return dst / "tasks" / "reachability"


def _close_body(folder, body):
    f = folder / "server.go"
    f.write_text(f.read_text().replace("\ts.closed = true\n}", f"\ts.closed = true\n{body}\n}}", 1))


def test_check_tells_the_wrong_links_apart(sandbox):
    _close_body(sandbox, "\ts.data = nil")
    res = reachability.check_chain()
    assert not res.done and res.counts["uploads_freed"] == res.counts["closed"] and res.counts["sessions_freed"] == 0
    get("reachability").reset()
    _close_body(sandbox, "\tdelete(srv.users, s.owner.name)")
    res = reachability.check_chain()
    assert not res.done and res.counts["users_found"] == 0 and res.counts["sessions_freed"] == 0


def test_check_says_when_it_does_not_build(sandbox):
    _close_body(sandbox, "\tundefinedThing()")
    res = reachability.check_chain()
    assert not res.done and res.line.startswith("does not build:") and "undefined" in res.line
