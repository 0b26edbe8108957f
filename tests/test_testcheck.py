"""`check --test`: a package's own tests run once under the probe, each goroutine still alive at
the end traced to the test that started it (pprof labels), on real packages written here."""

import hashlib
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from harness import testcheck

OFFLINE = {"GOFLAGS": "-mod=mod", "GOPROXY": "off"}  # goleak comes from the module cache

LIB = """\
package p

import "time"

// Leak starts n goroutines that wait on a channel nobody sends on.
func Leak(n int) {
	ch := make(chan int)
	for i := 0; i < n; i++ {
		go func() { <-ch }()
	}
}

// Clean starts n goroutines and waits for all of them.
func Clean(n int) {
	done := make(chan struct{})
	for i := 0; i < n; i++ {
		go func() { done <- struct{}{} }()
	}
	for i := 0; i < n; i++ {
		<-done
	}
}

var kept [][]byte

// Retain keeps 4 MB for good.
func Retain() { kept = append(kept, make([]byte, 4<<20)) }

// Nap leaves a goroutine asleep for an hour: alive, but not blocked on anything.
func Nap() { go time.Sleep(time.Hour) }
"""

PLAIN_TESTS = """\
package p

import (
	"os"
	"testing"
)

var never = make(chan int)

func TestMain(m *testing.M) {
	go func() { <-never }() // started outside any test
	os.Exit(m.Run())
}

func TestLeaky(t *testing.T) { Leak(2) }

func TestClean(t *testing.T) { Clean(3) }

func TestParallelLeaky(t *testing.T) {
	t.Parallel()
	Leak(3)
}

func TestParallelClean(t *testing.T) {
	t.Parallel()
	Clean(4)
}

func TestSubtests(t *testing.T) {
	t.Run("inner", func(t *testing.T) { Leak(1) })
}
"""

EXTERNAL_TESTS = """\
package p_test

import (
	"testing"

	"example.com/p"
)

func TestExternalRetains(t *testing.T) {
	p.Retain()
	p.Nap()
}
"""

GOLEAK_TESTS = """\
package p

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLeakyChecked(t *testing.T) {
	defer goleak.VerifyNone(t)
	Leak(2)
}

func TestCleanChecked(t *testing.T) {
	defer goleak.VerifyNone(t)
	Clean(2)
}

func TestParallelLeaky(t *testing.T) {
	t.Parallel()
	Leak(1)
}
"""

GOLEAK_CLEAN_TESTS = """\
package p

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOne(t *testing.T) {
	defer goleak.VerifyNone(t)
	Clean(2)
}

func TestTwo(t *testing.T) {
	t.Parallel() // goleak.VerifyNone does not go with t.Parallel: VerifyTestMain checks these
	Clean(3)
}

func TestThree(t *testing.T) {
	t.Parallel()
	Clean(1)
}
"""


def _module(root: Path, files: dict[str, str], goleak: bool = False) -> Path:
    root.mkdir(parents=True)
    req = "\nrequire go.uber.org/goleak v1.3.0\n" if goleak else ""
    (root / "go.mod").write_text(f"module example.com/p\n\ngo 1.27\n{req}")
    if goleak:  # the same version go_samples requires, so it is in the module cache
        shutil.copyfile(ROOT / "go_samples" / "go.sum", root / "go.sum")
    for name, src in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(src))
    return root


def _line(src: str, text: str) -> int:
    return next(i for i, ln in enumerate(src.splitlines(), 1) if text in ln)


def _tree_hash(d: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(d.rglob("*")):
        h.update(str(f.relative_to(d)).encode())
        if f.is_file():
            h.update(f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def modules(tmp_path_factory):
    base = tmp_path_factory.mktemp("testcheck")
    return {
        "plain": _module(base / "plain", {"p.go": LIB, "p_test.go": PLAIN_TESTS, "x_test.go": EXTERNAL_TESTS}),
        "goleak": _module(base / "goleak", {"p.go": LIB, "p_test.go": GOLEAK_TESTS}, goleak=True),
        "goleak_clean": _module(base / "goleak_clean", {"p.go": LIB, "p_test.go": GOLEAK_CLEAN_TESTS}, goleak=True),
    }


@pytest.fixture(scope="module")
def plain(modules, tmp_path_factory):
    """The plain package checked once through the CLI: (exit status, stdout, report, unchanged)."""
    d = modules["plain"]
    before = _tree_hash(d)
    out = tmp_path_factory.mktemp("plain-report") / "r.json"
    res = run_cli("check", "--test", str(d), "--json", str(out), "--png", str(out.with_suffix(".png")), env=OFFLINE)
    return res, json.loads(out.read_text()) if out.exists() else None, _tree_hash(d) == before, out.with_suffix(".png")


def test_each_leak_is_traced_to_the_test_that_started_it(plain):
    res, rep, _, _ = plain
    assert res.returncode == 1, res.stderr
    tests = {t["name"]: t for t in rep["tests"]}
    assert list(tests) == ["TestLeaky", "TestClean", "TestParallelLeaky", "TestParallelClean", "TestSubtests",
                           "TestExternalRetains"]  # go test's order, TestMain not among them
    leak_line = _line(LIB, "go func() { <-ch }()")
    for name, n in (("TestLeaky", 2), ("TestParallelLeaky", 3), ("TestSubtests", 1)):
        t = tests[name]
        assert (t["left"], t["proven"], t["leak"], t["status"]) == (n, n, True, "pass"), t
        (site,) = t["sites"]
        assert (site["function"], site["wait_reason"], site["location"], site["count"], site["proven"]) == \
            ("example.com/p.Leak.func1", "chan receive", f"p.go:{leak_line}", n, True)
    for name in ("TestClean", "TestParallelClean"):
        assert (tests[name]["left"], tests[name]["leak"]) == (0, False)
    assert tests["TestParallelLeaky"]["parallel"] and tests["TestParallelClean"]["parallel"]
    assert not tests["TestLeaky"]["parallel"]
    # Alive but asleep: reported for its test, not counted as a leak.
    nap = tests["TestExternalRetains"]
    assert (nap["left"], nap["leak"]) == (1, False) and nap["sites"][0]["wait_reason"] == "sleep"
    # The goroutine TestMain started belongs to no test, and is reported for the package.
    outside = rep["outside_tests"]
    assert outside["left"] == 1 and outside["sites"][0]["created_by_function"] == "example.com/p.TestMain"
    # The leaks of the JSON contract name their test, each goroutine once.
    by_test = {}
    for s in rep["goroutine_leaks"]:
        by_test[s["test"]] = by_test.get(s["test"], 0) + s["count"]
    assert by_test == {"TestLeaky": 2, "TestParallelLeaky": 3, "TestSubtests": 1, "TestExternalRetains": 1, None: 1}
    assert "test" in rep["attribution"] or "per test" in rep["attribution"]


def test_report_keeps_the_check_contract_and_the_package_is_untouched(plain):
    res, rep, unchanged, _ = plain
    assert unchanged, "check --test wrote into the package"
    for key in ("verdict", "headline", "go_version", "exit", "series", "goroutine_leaks", "trends", "heap_top",
                "wall_s", "peak_rss"):
        assert key in rep, key
    assert rep["verdict"] == "leak" and rep["exit"] == "exited" and rep["go_version"].startswith("go1.27")
    assert "TestLeaky (2 proven leaked at example.com/p.Leak.func1" in res.stdout
    assert [s["event"] for s in rep["series"]][0] == "suite"
    assert {s["test"] for s in rep["series"] if s["event"] == "start"} == {t["name"] for t in rep["tests"]}


def test_heap_retained_across_the_suite_names_its_site(plain):
    res, rep, _, _ = plain
    retained = rep["heap"]["retained"]
    assert 4e6 <= retained < 6e6, retained
    assert rep["heap_top"] and rep["heap_top"][0]["function"] == "example.com/p.Retain"
    assert "heap retained across the suite: +4." in res.stdout and "example.com/p.Retain" in res.stdout


def test_the_figure_is_written(plain):
    from PIL import Image
    png = plain[3]
    with Image.open(png) as im:
        assert im.size[0] > 300 and im.size[1] > 300


def test_goleak_sees_nothing_of_the_probe(modules, monkeypatch):
    """goleak.VerifyTestMain and VerifyNone pass on clean tests, t.Parallel among them: the probe
    keeps no goroutine for goleak to find."""
    for k, v in OFFLINE.items():
        monkeypatch.setenv(k, v)
    run = testcheck.check_tests(modules["goleak_clean"])
    assert run.ok and not run.verdict.leak, run.verdict.headline
    assert [(t.name, t.status) for t in run.tests] == [("TestOne", "pass"), ("TestTwo", "pass"), ("TestThree", "pass")]
    assert not run.failed and not run.goleak_main and "found unexpected goroutines" not in run.stdout_tail


def test_goleak_module_reports_each_leak_once(modules, monkeypatch, no_leftovers):
    for k, v in OFFLINE.items():
        monkeypatch.setenv(k, v)
    run = testcheck.check_tests(modules["goleak"])
    assert run.verdict.leak and run.ok
    t = {r.name: r for r in run.tests}
    # goleak failed the leaky test: the same two goroutines, listed once, flagged as goleak's too.
    assert t["TestLeakyChecked"].status == "fail" and t["TestLeakyChecked"].goleak
    assert t["TestLeakyChecked"].proven == 2 and sum(s.count for s in t["TestLeakyChecked"].sites) == 2
    # goleak also failed the clean test that ran next, for the leaky test's goroutines: it left none.
    assert t["TestCleanChecked"].status == "fail" and t["TestCleanChecked"].left == 0
    assert t["TestCleanChecked"].goleak_blamed == ["TestLeakyChecked"]
    assert t["TestParallelLeaky"].parallel and t["TestParallelLeaky"].proven == 1
    assert sum(s.count for s in run.sites) == 3  # every leaked goroutine once
    text = testcheck.summary(run)
    assert "goleak's failure here is about goroutines of TestLeakyChecked" in text


def test_run_selects_tests_and_the_notebook_figure_shares_its_axes(modules, monkeypatch):
    for k, v in OFFLINE.items():
        monkeypatch.setenv(k, v)
    clean = testcheck.check_tests(modules["plain"], run="Clean$", label="fixed")
    assert [t.name for t in clean.tests] == ["TestClean", "TestParallelClean"]
    assert all(t.left == 0 for t in clean.tests) and clean.outside.left == 1  # TestMain's goroutine
    leaky = testcheck.check_tests(modules["plain"], run="Leaky", label="leaky")
    assert [t.name for t in leaky.tests] == ["TestLeaky", "TestParallelLeaky"] and leaky.verdict.leak
    fig = testcheck.plot_tests([leaky, clean])
    top, bottom = fig.axes[0], fig.axes[2]
    assert len(fig.axes) == 4 and top.get_shared_y_axes().joined(top, fig.axes[1])
    assert bottom.get_shared_y_axes().joined(bottom, fig.axes[3])
    assert [tl.get_text() for tl in top.get_xticklabels()][:2] == ["TestLeaky", "TestParallelLeaky ∥"]


# --- bad input: one line each, non-zero exit ------------------------------------------------

def test_no_tests_no_match_bad_path(tmp_path, modules):
    d = _module(tmp_path / "none", {"p.go": LIB})
    res = run_cli("check", "--test", str(d), env=OFFLINE)
    assert res.returncode == 2 and res.stderr.strip() == f"error: {d}: no test files (no *_test.go in {d})"
    res = run_cli("check", "--test", str(modules["plain"]), "--run", "Nothing", env=OFFLINE)
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1
    assert "no test of" in res.stderr and "matches -run 'Nothing'" in res.stderr and "TestLeaky" in res.stderr
    res = run_cli("check", "--test", str(tmp_path / "missing"))
    assert res.returncode == 2 and "no such directory" in res.stderr and "Traceback" not in res.stderr
    res = run_cli("check", str(modules["plain"]), "--run", "X")
    assert res.returncode == 2 and "go with --test" in res.stderr


def test_a_test_binary_that_does_not_build_gives_gos_message(tmp_path):
    src = 'package p\n\nimport "testing"\n\nfunc TestBroken(t *testing.T) {\n\tnope()\n}\n'
    d = _module(tmp_path / "broken", {"p.go": LIB, "broken_test.go": src})
    res = run_cli("check", "--test", str(d), env=OFFLINE)
    assert res.returncode == 2, res.stdout
    first = res.stderr.splitlines()[0]
    assert first == f"error: build failed for {d}: broken_test.go:6:2: undefined: nope", res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "leaklabT_" not in res.stderr and "zz_leaklab" not in res.stderr


def test_a_panicking_test_and_a_timeout_end_with_status_3(tmp_path):
    src = 'package p\n\nimport (\n\t"testing"\n\t"time"\n)\n\nfunc TestPanics(t *testing.T) { panic("boom") }\n\n' \
          'func TestSlow(t *testing.T) { time.Sleep(20 * time.Second) }\n'
    d = _module(tmp_path / "panics", {"p.go": LIB, "p_test.go": src})
    res = run_cli("check", "--test", str(d), "--run", "Panics", env=OFFLINE)
    assert res.returncode == 3, res.stdout + res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("error: ") and "panic: boom" in res.stderr
    assert "TestPanics" in res.stderr.strip().splitlines()[-1]
    res = run_cli("check", "--test", str(d), "--run", "Slow", "--timeout", "1s", env=OFFLINE)
    assert res.returncode == 3 and "panic: test timed out after 1s" in res.stderr.strip().splitlines()[-1]


def test_external_tests_only_and_a_main_package(tmp_path, monkeypatch):
    for k, v in OFFLINE.items():
        monkeypatch.setenv(k, v)
    d = _module(tmp_path / "edge", {
        "xonly/x.go": "package xonly\n\nfunc Leak() {\n\tch := make(chan int)\n\tgo func() { ch <- 1 }()\n}\n",
        "xonly/x_test.go": 'package xonly_test\n\nimport (\n\t"testing"\n\n\t"example.com/p/xonly"\n)\n\n'
                           "func TestX(t *testing.T) { xonly.Leak() }\n",
        "cmd/main.go": "package main\n\nfunc leak() { go func() { select {} }() }\n\nfunc main() { leak() }\n",
        "cmd/main_test.go": 'package main\n\nimport "testing"\n\nfunc TestMainLeak(t *testing.T) { leak() }\n',
    })
    x = testcheck.check_tests(d / "xonly")
    (t,) = x.tests
    assert (t.name, t.proven, t.sites[0].function, t.sites[0].wait_reason) == \
        ("TestX", 1, "example.com/p/xonly.Leak.func1", "chan send")
    m = testcheck.check_tests(d / "cmd")
    (t,) = m.tests
    assert (t.name, t.proven, t.sites[0].wait_reason) == ("TestMainLeak", 1, "select (no cases)")
