"""Lab 21's plumbing on a real run of the watchdog's demo (leaky, with the lab's probe built in):
the webhook, the alert shown without the probe's goroutine, the numbers, the figure, and the
task's check on options that miss."""

import json
import shutil
import urllib.request

import pytest

from harness.lessons import watchdog
from harness.samples import samples_dir


@pytest.fixture(scope="module")
def leaky():
    hook = watchdog.Webhook()
    run = watchdog.demo(hook, "leaky", 3.0)
    yield hook, run
    hook.stop()


def test_the_webhook_keeps_each_post_under_its_path():
    hook = watchdog.Webhook()
    req = urllib.request.Request(hook.url + hook.path("a run"), data=json.dumps({"metric": "x"}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    assert urllib.request.urlopen(req, timeout=5).status == 204
    assert hook.alerts_for("a run") == [{"metric": "x"}] and hook.alerts_for("other") == []
    assert "received 1 alert(s)" in hook.stop()


def test_the_alert_is_shown_without_the_probes_goroutine(leaky):
    hook, run = leaky
    raw = hook.alerts_for("leaky")[0]
    probe = [s for s in raw["sites"] if "leaklab" in json.dumps(s).replace("goleaklab/", "")]  # the probe's loop
    # The payload lists the largest sites: the probe's one goroutine is among them unless a burst
    # of request goroutines pushed it out; either way the filter must leave no trace of it.
    shown = watchdog.without_probe(raw)
    assert not any("leaklab" in json.dumps(s).replace("goleaklab/", "") for s in shown["sites"])
    assert shown["goroutines"] == raw["goroutines"] - sum(s["count"] for s in probe)
    assert len(shown["sites"]) == len(raw["sites"]) - len(probe)
    assert any("goleaklab/samples/watchdog" in f for s in shown["sites"] for f in s["stack"]), \
        "the watchdog's own goroutine (its package path holds 'goleaklab') must stay"
    assert shown["sites"][0]["function"] == "main.ask.func1"
    alerts = hook.alerts_for("leaky")
    lines = watchdog.log_lines(run, alerts)
    assert lines and not any("leaklab" in ln.replace("goleaklab/", "") for ln in lines)
    mine = [f"{s['count']} x {s['function']} at {s['location']}" for a in alerts for s in watchdog.probe_sites(a)]
    raw_lines = [ln.rstrip() for ln in run.stderr_tail.splitlines() if "watchdog:" in ln]
    if mine:  # the alerts listed the probe, so the raw log has its line: the filter did the work
        assert any(ln.endswith(m) for ln in raw_lines for m in mine), (mine, raw_lines[:12])
        assert not any(ln.rstrip().endswith(m) for ln in lines for m in mine)


def test_numbers_come_from_the_run(leaky):
    hook, run = leaky
    fixed_like = run   # numbers() needs two runs with a cost line; the same run twice is enough here
    lines = watchdog.numbers([run, fixed_like], hook.alerts_for("leaky"))
    assert lines[0].startswith("time to alert: ") and "goroutines" in lines[1]
    assert "main.ask.func1" in lines[3] and "leaklab" not in " ".join(lines).replace("goleaklab", "")
    samples, alerts, us = watchdog.cost(run)
    assert samples > 0 and alerts >= 1 and us > 0


def test_calm_numbers_say_when_the_runs_are_too_few(leaky):
    hook, run = leaky
    lines, n = watchdog.calm_numbers([run], hook, 3.0, quick=True)
    assert any("too few" in ln for ln in lines) and n == 1   # this run alerted: a "false alarm" here


def test_the_figure_has_integer_ticks_and_legends_below(leaky):
    import matplotlib
    matplotlib.use("Agg")
    hook, run = leaky
    fig = watchdog.plot_alerts([run], [run], hook)
    for ax in fig.axes:
        assert all(float(t).is_integer() for t in ax.get_yticks())
        assert ax.get_legend().get_bbox_to_anchor().y0 < ax.bbox.y0   # under the axes, not over the data


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    dst = tmp_path / "go_samples"
    shutil.copytree(samples_dir(), dst, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("LEAKLAB_SAMPLES", str(dst))
    return dst / watchdog.TASK_PKG


def test_a_window_longer_than_the_run_misses_the_leak(sandbox):
    tune = (sandbox / "testdata" / "solution_tune.go").read_text().replace("Window(4 * time.Second)",
                                                                           "Window(20 * time.Second)")
    (sandbox / "tune.go").write_text(tune)
    res = watchdog.check_watchdog_tune()
    assert not res.done and "warm-up quiet" in res.line and "no heap alert in 8 s" in res.line


def test_options_the_watchdog_refuses_are_reported(sandbox):
    (sandbox / "tune.go").write_text((sandbox / "tune.go").read_text().replace("Window(1 * time.Second)",
                                                                               "Window(500 * time.Millisecond)"))
    res = watchdog.check_watchdog_tune()
    assert not res.done and "fewer than 8 samples" in res.line
