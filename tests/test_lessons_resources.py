"""Lab 24's module on real runs of go_samples/resource_leaks: the driver's lines, the probe's
counts of open files and child processes, running out under a low RLIMIT_NOFILE, and the linters
installed from the Go module proxy (skipped in one line where they cannot be installed)."""

import pytest

import harness as lab
from harness.samples import run_sample
from harness.lessons import resources


def test_exec_case_leaves_zombies_and_the_fix_reaps_them():
    leaky, fixed = lab.side_by_side(lambda v: run_sample("resource_leaks", v, 2.0, args=["-case", "exec"]),
                                    ("leaky", "fixed"))
    assert leaky.verdict.verdict == "leak" and fixed.verdict.verdict == "clean"
    assert resources.at_end(leaky, "children") >= 20 and resources.at_end(fixed, "children") == 0
    e = resources.results(leaky)["exec"]
    assert set(resources.results(leaky)) == {"exec"} and e["ok"] > 20 and e["failed"] == 0, e
    text = resources.table([leaky, fixed])
    assert "| leaky |" in text and "| fixed |" in text and text.count("\n") == 3


def test_out_of_descriptors_the_service_gets_errors():
    leaky, fixed = lab.side_by_side(lambda v: run_sample("resource_leaks", v, 2.0,
                                                             args=["-case", "conns", "-nofile", "96"]), ("leaky", "fixed"))
    c = resources.results(leaky)["conns"]
    assert c["accept_errors"] > 0 and "too many open files" in c["first_accept_error"], c
    assert "127.0.0.1:PORT" in c["first_accept_error"]
    assert "no error" in resources.errors(fixed)
    assert "of the 96 allowed" in resources.saturation(leaky, 96)
    assert "below the limit" in resources.saturation(fixed, 96)
    import matplotlib.pyplot as plt
    fig = resources.fds_figure([leaky, fixed], 96)
    assert len(fig.axes) == 2
    plt.close(fig)


def test_db_case_exhausts_the_pool():
    leaky = run_sample("resource_leaks", "leaky", 2.0, args=["-case", "db"])
    d = resources.results(leaky)["db"]
    assert d["in_use"] == d["open"] == 8 and d["waiting"] > 0 and d["wait_count"] >= d["waiting"], d


def test_linters_find_the_rows_close_without_defer():
    try:
        tools = resources.ensure_tools()
    except resources.ToolsUnavailable as err:
        pytest.skip(str(err))
    found = resources.lint("resource_leaks", tools)
    assert [(f.tool, f.file) for f in found] == [("sqlclosecheck", "leaky.go")], found
    html = resources.annotated("resource_leaks", "leaky.go", found)
    assert "sqlclosecheck: Close should use defer" in html and "background:#fff3cd" in html
    assert "leaky.go:13:20: response body must be closed" in resources.one_tool("bodyclose", "http_body")


def test_unchanged_files_are_not_linted_again_and_an_edit_is(tmp_path, monkeypatch):
    """The linters' findings are kept by the content of what they read: the same files give the
    same findings without running the linter, an edited file runs it again."""
    import shutil
    import subprocess
    try:
        tools = resources.ensure_tools()
    except resources.ToolsUnavailable as err:
        pytest.skip(str(err))
    root = resources.samples_dir()
    work = tmp_path / "go_samples"
    work.mkdir()
    for f in ("go.mod", "go.sum"):
        shutil.copy(root / f, work / f)
    shutil.copytree(root / "resource_leaks", work / "resource_leaks", ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("LEAKLAB_SAMPLES", str(work))
    monkeypatch.setenv("LEAKLAB_CACHE", str(tmp_path / "cache"))
    one = {"sqlclosecheck": tools["sqlclosecheck"]}
    first = resources.lint("resource_leaks", one)
    assert [(f.tool, f.file) for f in first] == [("sqlclosecheck", "leaky.go")], first
    ran = []
    real = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **kw: ran.append(a) or real(*a, **kw))
    assert resources.lint("resource_leaks", one) == first and ran == []
    leaky = work / "resource_leaks" / "leaky.go"
    leaky.write_text(leaky.read_text() + "\n// edited\n")
    assert resources.lint("resource_leaks", one) == first and len(ran) == 1
