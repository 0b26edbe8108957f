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
