"""The CLI contract, on programs the lab did not write, and its answers to bad input."""

import json
from pathlib import Path

import pytest

from conftest import leaklab_temp_dirs, run_cli

THREE = """package main

func main() {
	ch := make(chan int)
	for i := 0; i < 3; i++ {
		go func() { ch <- 1 }()
	}
}
"""


def test_check_three_goroutines_proven(tmp_path):
    f = tmp_path / "three.go"
    f.write_text(THREE)
    out = tmp_path / "r.json"
    res = run_cli("check", str(f), "--json", str(out))
    assert res.returncode == 1, res.stderr
    rep = json.loads(out.read_text())
    for key in ("verdict", "go_version", "exit", "series", "goroutine_leaks"):
        assert key in rep
    assert rep["verdict"] == "leak" and rep["exit"] == "exited" and rep["go_version"].startswith("go1.27")
    leaks = rep["goroutine_leaks"]
    assert len(leaks) == 1
    s = leaks[0]
    assert (s["function"], s["wait_reason"], s["count"], s["proven"]) == ("main.main.func1", "chan send", 3, True)
    assert s["location"] == "three.go:6" and s["created_by"] == "three.go:6"
    assert "3 proven leaked at main.main.func1 (three.go:6) [chan send]" in res.stdout


TWO_SITES = """package main

func main() {
	a, b := make(chan int), make(chan int)
	for i := 0; i < 5; i++ {
		go func() { a <- 1 }()
	}
	for i := 0; i < 2; i++ {
		go func() { <-b }()
	}
}
"""


@pytest.mark.slow  # two runs of 1.5 s
def test_check_interval_spaces_the_samples(tmp_path):
    f = tmp_path / "sleep.go"
    f.write_text('package main\n\nimport "time"\n\nfunc main() { time.Sleep(1500 * time.Millisecond) }\n')
    for interval, gap in (("200ms", 0.2), ("25", 0.025)):
        out = tmp_path / f"r{gap}.json"
        res = run_cli("check", str(f), "--interval", interval, "--json", str(out))
        assert res.returncode == 0, res.stderr
        ts = [s["t"] for s in json.loads(out.read_text())["series"]]
        gaps = sorted(b - a for a, b in zip(ts, ts[1:]))
        assert gaps and abs(gaps[len(gaps) // 2] - gap) < gap / 2, (interval, gaps)


def test_headline_gives_each_site_its_own_count(tmp_path):
    """With two leaking sites, the count next to a site's name is that site's, not the total."""
    f = tmp_path / "two.go"
    f.write_text(TWO_SITES)
    res = run_cli("check", str(f))
    assert res.returncode == 1, res.stderr
    assert ("7 proven leaked: 5 at main.main.func1 (two.go:6) [chan send], 2 at 1 more site"
            in res.stdout), res.stdout


def test_check_package_dir_with_args(gomod, tmp_path):
    """`--arg` values reach the program as its os.Args, one each, as given: a leading dash and
    a space included (the program writes what it received where the test can read it)."""
    got = tmp_path / "args.json"
    d = gomod({"cmd/srv/main.go": f"""
        package main

        import (
            "encoding/json"
            "os"
        )

        func main() {{
            b, _ := json.Marshal(os.Args[1:])
            if err := os.WriteFile({json.dumps(str(got))}, b, 0o644); err != nil {{
                panic(err)
            }}
        }}
    """})
    res = run_cli("check", str(d / "cmd" / "srv"), "--arg=-x", "--arg", "two words", "--duration", "3s")
    assert res.returncode == 0, res.stderr
    assert "clean" in res.stdout
    assert json.loads(got.read_text()) == ["-x", "two words"]


def test_run_and_compare_samples(tmp_path):
    res = run_cli("compare", "goroutine_channel", "--duration", "1s", "--png", str(tmp_path / "c.png"))
    assert res.returncode == 0, res.stderr
    assert "leaky: LEAK" in res.stdout and "fixed: clean" in res.stdout
    assert (tmp_path / "c.png").stat().st_size > 10_000
    res = run_cli("run", "goroutine_channel", "--variant", "fixed", "--duration", "0.5s")
    assert res.returncode == 0 and "fixed: clean" in res.stdout


def _one_line_error(res, *fragments):
    assert res.returncode not in (0, None), res
    assert "Traceback" not in res.stderr, res.stderr
    first = res.stderr.strip().splitlines()[0]
    for frag in fragments:
        assert frag in first, first
    return first


@pytest.mark.parametrize("args,fragments", [
    (["run", "no_such_sample"], ["unknown sample 'no_such_sample'"]),
    (["run", "goroutine_channel", "--variant", "wobbly"], ["unknown variant 'wobbly'"]),
    (["check", "/no/such/dir"], ["no such file or directory"]),
    (["check", "pyproject.toml"], ["not a .go file"]),
    (["check", ".", "--duration", "-3"], ["duration"]),
    (["check", ".", "--duration", "9999h"], ["duration"]),
    (["check", ".", "--rss-cap", "-5"], ["memory cap must be positive"]),
    (["check", ".", "--interval", "1ms"], ["interval must be between 5ms and 10s"]),
    (["check", ".", "--interval", "often"], ["not an interval: 'often'"]),
    (["frobnicate"], ["invalid choice"]),
])
def test_bad_input_one_clear_line(args, fragments):
    _one_line_error(run_cli(*args), *fragments)


def test_not_main_and_compile_error_and_panic(gomod, tmp_path):
    lib = gomod({"lib.go": "package lib\n"}, name="example.com/lib")
    _one_line_error(run_cli("check", str(lib)), "not a main package")
    bad = tmp_path / "we ird $(dir)"
    bad.mkdir()
    (bad / "main.go").write_text("package main\n\nfunc main() {\n\tx := 1\n}\n")
    first = _one_line_error(run_cli("check", str(bad / "main.go")), "build failed", "main.go:4:2", "declared and not used")
    assert first.startswith("error:")
    crash = tmp_path / "crash.go"
    crash.write_text('package main\n\nfunc main() {\n\tvar m map[string]int\n\tm["x"] = 1\n}\n')
    before = leaklab_temp_dirs()
    res = run_cli("check", str(crash))
    assert res.returncode == 3 and "assignment to entry in nil map" in res.stderr
    assert leaklab_temp_dirs() <= before


def test_help_lists_commands():
    res = run_cli("--help")
    assert res.returncode == 0
    for cmd in ("check", "run", "compare", "exercise", "watch", "lab", "doctor"):
        assert cmd in res.stdout
    # the maintainers' tooling is not the learner's command line
    assert "bench" not in res.stdout and "run-labs" not in res.stdout


def test_the_harness_stands_apart_from_the_maintainers_tooling():
    """What a learner installs and uses (harness/) imports nothing from the headless runner
    (tools/); the benchmarks are reached from one place only, lab 22's probe-cost rows, and only
    when that lab asks for them."""
    import ast
    root = Path(__file__).resolve().parent.parent
    reached = []
    for f in sorted((root / "harness").rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for name in names:
                if name.split(".")[0] in ("tools", "benchmarks"):
                    reached.append((f.relative_to(root).as_posix(), name, node.col_offset > 0))
    assert [r for r in reached if r[1].startswith("tools")] == []
    assert reached == [("harness/lessons/comparison.py", "benchmarks", True)]  # inside probe_cost
