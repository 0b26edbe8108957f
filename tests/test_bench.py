"""The benchmark programs behind `python -m benchmarks` (their figures are printed by the
bench, never asserted here): they build, run and report what they promise."""

import json
import os
import subprocess
import sys

import pytest

from benchmarks.bench import BENCH_DIR, _bare


def test_readcost_reports_a_cost_per_group_and_leaves_no_file(go, tmp_path):
    exe = _bare(go, "readcost", tmp_path)
    env = dict(go.env(), TMPDIR=str(tmp_path))
    for work, read in (("cpu", "memstats"), ("alloc", "sample")):
        res = subprocess.run([str(exe), "-work", work, "-read", read, "-blocks", "8", "-rounds", "20",
                              "-interval", "1ms"], capture_output=True, text=True, env=env, timeout=120)
        assert res.returncode == 0, res.stderr
        out = json.loads(res.stdout)
        assert (out["work"], out["read"], out["blocks"]) == (work, read, 8)
        assert len(out["groups_us"]) <= 2 and out["block_ms"] > 0
        if out["reads_per_block"] > 0:
            assert out["caller_us"] > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("leaklab-readcost")] == []


def test_readcost_paces_reads_by_the_gc_as_the_probe_does(go, tmp_path):
    """-pace gc: an allocating worker collects many times an interval, so the reads still come
    about once an interval (taken after collections, not on a ticker)."""
    exe = _bare(go, "readcost", tmp_path)
    res = subprocess.run([str(exe), "-work", "alloc", "-read", "sample", "-pace", "gc", "-interval", "20ms",
                          "-blocks", "8", "-rounds", "2000"], capture_output=True, text=True,
                         env=dict(go.env(), TMPDIR=str(tmp_path)), timeout=120)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["pace"] == "gc" and len(out["groups_pct"]) == 2
    expected = out["block_ms"] / 20
    assert 0.5 * expected <= out["reads_per_block"] <= 1.5 * expected + 1, out


def test_readcost_refuses_bad_flags_in_one_line(go, tmp_path):
    exe = _bare(go, "readcost", tmp_path)
    for bad in (["-read", "nothing"], ["-blocks", "6"], ["-interval", "-1ms"], ["-pace", "often"], ["-live", "-1"]):
        res = subprocess.run([str(exe), *bad], capture_output=True, text=True, timeout=60)
        assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1, (bad, res.stderr)


def test_timer_arm_adds_a_pending_timer_goroutine(go, tmp_path):
    """The overhead bench's `timer` arm is the bare program plus one goroutine waiting on a timer."""
    exe = _bare(go, "alloc", tmp_path, timer=True)
    syms = go.run("tool", "nm", str(exe)).stdout
    assert "main.init.0.func1" in syms, "the timer goroutine is compiled in"
    res = subprocess.run([str(exe), "-rounds", "10"], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, GOTOOLCHAIN="local"))
    assert res.returncode == 0 and res.stdout.strip(), res.stderr
    assert not (BENCH_DIR / "alloc" / "leaklab_extra.go").exists(), "the overlay never writes into benchmarks/"


def test_imports_arm_links_the_probes_packages_and_nothing_of_the_probe(go, tmp_path):
    """The overhead bench's `imports` arm links what the probe links from the standard library, no probe code."""
    exe = _bare(go, "cpu", tmp_path, imports=True)
    syms = go.run("tool", "nm", str(exe)).stdout
    assert "runtime/pprof." in syms and "runtime/trace." in syms and "runtime/metrics." in syms
    assert "leaklab" not in syms
    res = subprocess.run([str(exe), "-rounds", "10"], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, GOTOOLCHAIN="local"))
    assert res.returncode == 0 and res.stdout.strip(), res.stderr


def test_readcost_reads_the_probes_metrics():
    """benchmarks/readcost measures the probe's own read: its metric list must stay the probe's."""
    import re
    from harness.build import PROBE_SOURCE
    probe = re.findall(r'\{"(/[^"]+)", "\w+"\}', PROBE_SOURCE.read_text())
    block = (BENCH_DIR / "readcost" / "main.go").read_text().split("var probeMetrics = []string{", 1)[1].split("}", 1)[0]
    assert probe and re.findall(r'"(/[^"]+)"', block) == probe


def test_readcost_paces_as_the_probe_does():
    """-pace gc copies the probe's pacing (another module cannot import it): same watch period."""
    import re
    from harness.build import PROBE_SOURCE
    probe = re.search(r"^const leaklabWatch = (\d+)$", PROBE_SOURCE.read_text(), re.M)
    bench = re.search(r"^const watch = (\d+)$", (BENCH_DIR / "readcost" / "main.go").read_text(), re.M)
    assert probe and bench and probe.group(1) == bench.group(1)


@pytest.mark.parametrize("args,fragment", [
    (["overhead", "--arms", "bare,warp"], "unknown overhead arm 'warp'"),
    (["overhead", "--repeat", "0"], "--repeat must be at least 1"),
    (["overhead", "--work", "0"], "--work must be above 0"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_benchmark_arguments_one_clear_line(args, fragment):
    """`python -m benchmarks` refuses bad arguments in one line, before building or running anything."""
    res = subprocess.run([sys.executable, "-m", "benchmarks", *args], capture_output=True, text=True, timeout=60,
                         cwd=BENCH_DIR.parent)
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    assert fragment in res.stderr.strip().splitlines()[-1], res.stderr
