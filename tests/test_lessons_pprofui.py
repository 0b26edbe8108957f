"""Lab 26's module on real profiles of go_samples/tasks/pprof_practice fetched from its own
endpoint: text modes, labels, the web UI served on 127.0.0.1 and embedded; the task's label count
on a real goroutine dump."""

import os
import urllib.request
from pathlib import Path

import psutil
import pytest

import harness as lab
from harness.samples import run_sample
from harness.lessons import pprofui

ROOT = str(Path(__file__).resolve().parent.parent)


@pytest.fixture(scope="module")
def leaky(tmp_path_factory):
    keep = tmp_path_factory.mktemp("pprof26")
    fetch = [(0.8, "/debug/pprof/heap?gc=1"), (0.8, "/debug/pprof/profile?seconds=1"),
             (2.2, "/debug/pprof/heap?gc=1"), (2.2, "/debug/pprof/goroutine")]
    return run_sample("tasks/pprof_practice", "leaky", 2.5, args=["-pprof"], keep=keep, http_fetch=fetch)


def _clean(text):
    assert ROOT not in text and "leaklab" not in text and os.environ.get("TMPDIR", "/tmp/") + "leaklab" not in text


def test_profiles_labels_and_text(leaky):
    assert leaky.verdict.verdict == "leak"
    p = pprofui.profiles(leaky)
    assert len(p["heap"]) == 2 and p["goroutine"] and p["profile"]
    assert 0.7 < pprofui.fetched_at(p["heap"][0]) < pprofui.fetched_at(p["heap"][1])
    by_route = pprofui.tags(p["goroutine"][0], "route")
    assert by_route.get("/watch", 0) > 30 and set(by_route) <= {"/watch", "/search", "/export"}, by_route
    assert "/search" in pprofui.tags(p["profile"][0], "route")
    assert pprofui.tags(p["heap"][1], "route") == {}, "heap profiles carry no labels"
    top = pprofui.text(p["heap"][1], "-top", "-sample_index=inuse_space", base=p["heap"][0])
    assert "main.(*leaky).watch" in top and not top.startswith("File:")
    _clean(top)


def test_the_web_ui_is_served_on_loopback_embedded_and_stopped(leaky):
    p = pprofui.profiles(leaky)
    with pprofui.PprofUI(p["goroutine"][0], "-tagroot=route") as ui:
        assert ui.url.startswith("http://127.0.0.1:")
        proc = ui.helper.proc
        # `go tool pprof` runs the pprof binary as its child: that one serves the page
        tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        assert len(tree) >= 2, tree
        page = ui.fetch("ui/flamegraph")
    assert proc.poll() is not None, "the server is stopped on exit"
    gone, alive = psutil.wait_procs(tree, timeout=5)
    assert alive == [], f"still running after the server was stopped: {alive}"
    with pytest.raises(OSError):
        urllib.request.urlopen(ui.url + "ui/top", timeout=2)
    assert "/watch" in page and "<script" in page
    src = pprofui.page(p["heap"][1], "ui/source?f=watch", "-sample_index=inuse_space", base=p["heap"][0])
    assert "go_samples/tasks/pprof_practice/leaky.go" in src
    _clean(src)
    frame = pprofui.embed(src, 300, "x")
    assert frame.count("<iframe") == 1 and "<script" not in frame.split("srcdoc=")[0]
    assert "127.0.0.1:8080" in pprofui.commands([leaky], "K")


def test_count_labels_on_a_real_goroutine_dump():
    run, dump = pprofui.run_labels(1.5)
    c = pprofui.count_labels(dump)
    assert run.ok and c.stuck > 10 and c.unlabelled == c.stuck and not c.tenants
    assert pprofui.count_labels(dump, "main.nothing").stuck == 0
