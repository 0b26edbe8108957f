"""Fault injection: 100 harness runs of misbehaving programs. Afterwards nothing of them is alive,
no temp dir is left, every result says how it ended, and the harness's own fds did not grow."""

import os
import random
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import leaklab_temp_dirs
from harness.build import build
from harness.errors import BuildError
from harness.measure import RunOptions, measure
from harness.samples import run_sample
from harness.supervise import started_alive

PROGRAMS = {
    "compile_error": "package main\n\nfunc main() {\n\tundefined()\n}\n",
    "panic_start": "package main\n\nfunc main() { panic(\"at start\") }\n",
    "panic_mid": """package main

import "time"

func main() {
	go func() { time.Sleep(150 * time.Millisecond); panic("mid-run") }()
	time.Sleep(time.Hour)
}
""",
    "ignore_sigterm": """package main

import (
	"os/signal"
	"syscall"
)

func main() {
	signal.Ignore(syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	x := 0
	for {
		x++
	}
}
""",
    "goroutine_bomb": """package main

func main() {
	for {
		go func() { select {} }()
	}
}
""",
    "memory_hog": """package main

var keep [][]byte

func main() {
	for {
		b := make([]byte, 16<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		keep = append(keep, b)
	}
}
""",
    "stdout_flood": """package main

import (
	"bufio"
	"os"
	"strings"
)

func main() {
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	line := strings.Repeat("y", 1023) + "\\n"
	for i := 0; i < 100*1024; i++ {
		w.WriteString(line)
	}
	w.Flush()
}
""",
    "sleepy": """package main

import "time"

func main() { time.Sleep(time.Hour) }
""",
}
EXPECT = {"panic_start": {"crashed"}, "panic_mid": {"crashed"}, "ignore_sigterm": {"deadline"},
          "goroutine_bomb": {"memory_cap", "deadline"}, "memory_hog": {"memory_cap"},
          "stdout_flood": {"exited"}, "sleepy": {"deadline", "interrupted"}}


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _interrupt_after(seconds: float):
    t = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    t.start()
    return t


@pytest.mark.slow
def test_hundred_faulty_runs_leave_nothing(gomod, go, tmp_path):
    binaries = {}
    for name, src in PROGRAMS.items():
        d = tmp_path / name
        d.mkdir()
        (d / "go.mod").write_text(f"module example.com/{name}\n\ngo 1.27\n")
        (d / "main.go").write_text(src)
        if name != "compile_error":
            binaries[name] = build(d, go)
    plan = (["compile_error"] * 8 + ["panic_start"] * 14 + ["panic_mid"] * 12 + ["ignore_sigterm"] * 10
            + ["goroutine_bomb"] * 8 + ["memory_hog"] * 12 + ["stdout_flood"] * 6 + ["interrupt"] * 10
            + ["parallel"] * 10 + ["sample"] * 10)
    assert len(plan) == 100
    random.Random(1).shuffle(plan)
    fds_before, temps_before = _fds(), leaklab_temp_dirs()
    ended = Counter()
    for kind in plan:
        if kind == "compile_error":
            with pytest.raises(BuildError):
                build(tmp_path / "compile_error", go, use_cache=False)
            ended["build_error"] += 1
        elif kind == "interrupt":
            t = _interrupt_after(0.4)
            try:
                with pytest.raises(KeyboardInterrupt):
                    measure(binaries["sleepy"], options=RunOptions(duration=30))
                    time.sleep(5)  # only reached if the interrupt came late; still a KeyboardInterrupt
            finally:
                t.cancel()
            ended["interrupted"] += 1
        elif kind == "parallel":
            results = []
            threads = [threading.Thread(target=lambda: results.append(
                run_sample("goroutine_channel", "leaky", 0.5))) for _ in range(2)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            assert [r.verdict.verdict for r in results] == ["leak", "leak"]
            ended["parallel"] += 1
        elif kind == "sample":
            r = run_sample("goroutine_channel", random.Random(len(ended)).choice(["leaky", "fixed"]), 0.5)
            assert r.exit == "exited"
            ended[r.exit] += 1
        else:
            r = measure(binaries[kind], options=RunOptions(duration=1.0, rss_cap=256 << 20, grace_s=3))
            assert r.exit in EXPECT[kind], (kind, r.exit, r.message)
            assert r.exit == "exited" or r.message or r.exit == "deadline"
            ended[r.exit] += 1
    assert sum(ended.values()) == 100, ended
    time.sleep(0.2)
    assert started_alive() == [], "processes of the runs are still alive"
    assert leaklab_temp_dirs() <= temps_before, "temp dirs left behind"
    assert _fds() <= fds_before, f"the harness's open fds grew: {fds_before} -> {_fds()}"


def test_listeners_in_samples_bind_loopback_only():
    """Every server a sample starts listens on 127.0.0.1 (free port) or uses httptest."""
    import re
    from harness.samples import samples_dir
    root = samples_dir()
    bad = []
    for f in root.rglob("*.go"):
        for i, line in enumerate(f.read_text().splitlines(), 1):
            m = re.search(r'(?:Listen|ListenAndServe)\(\s*(?:"tcp",\s*)?"([^"]*)"', line)
            if m and m.group(1) not in ("127.0.0.1:0",):
                bad.append(f"{f.relative_to(root)}:{i}: {m.group(1)!r}")
    assert not bad, bad
